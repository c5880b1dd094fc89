"""A packaged local model behind the LLM path: assembled once, served by llama.cpp on loopback."""
