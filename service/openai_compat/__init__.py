"""newsdesk as an OpenAI-compatible chat model: the request and response shapes, the answer
rendered as a chat message, and a conversation read back from the messages a client sends."""
