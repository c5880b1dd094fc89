"""A fake OpenAI chat-completions server (``POST /v1/chat/completions``), streaming and not.

Speaks the wire format the openai SDK (and so langchain-openai, and every OpenAI-compatible
server such as vLLM or llama.cpp) uses: JSON completions, server-sent ``chat.completion.chunk``
events ending with ``data: [DONE]``, and ``{"error": {...}}`` bodies with the HTTP status.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

from tests.fakes.scripted_http import Reply, ScriptedServer

ERROR_TYPES = {
    401: ("invalid_api_key", "Incorrect API key provided."),
    429: ("rate_limit_exceeded", "Rate limit reached for requests."),
    500: ("server_error", "The server had an error while processing your request."),
    503: ("server_error", "The engine is currently overloaded."),
}


class FakeOpenAI(ScriptedServer):
    @property
    def url(self) -> str:
        """What goes in NEWSDESK_LLM_BASE_URL."""
        return f"{self.base}/v1"

    def respond(self, handler: BaseHTTPRequestHandler, reply: Reply, body: dict) -> None:
        if not handler.path.endswith("/chat/completions"):
            self.send_json(handler, 404, {"error": {"message": "unknown path", "code": None}})
            return
        if self.wait_if_hanging(reply):
            return
        if reply.status != 200:
            code, message = ERROR_TYPES.get(reply.status, ("error", reply.text or "error"))
            error = {"message": message, "type": code, "param": None, "code": code}
            self.send_json(handler, reply.status, {"error": error})
            return
        if reply.raw_body is not None:
            self.send_json(handler, 200, reply.raw_body)
            return
        model = body.get("model", "fake-model")
        if body.get("stream"):
            self.send_stream(handler, "text/event-stream", _events(model, reply), reply.delay)
            return
        self.send_json(
            handler,
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
            },
        )


def _events(model: str, reply: Reply) -> Iterator[bytes]:
    def event(delta: dict, finish: str | None = None) -> bytes:
        chunk = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(chunk)}\n\n".encode()

    yield event({"role": "assistant", "content": ""})
    for piece in reply.pieces():
        yield event({"content": piece})
    yield event({}, finish="stop")
    yield b"data: [DONE]\n\n"
