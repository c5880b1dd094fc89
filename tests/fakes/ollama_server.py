"""A fake Ollama server: ``POST /api/chat`` as newline-delimited JSON (or one JSON when not
streaming), and ``{"error": "..."}`` bodies with the HTTP status, as the ollama client expects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler

from tests.fakes.scripted_http import Reply, ScriptedServer


class FakeOllama(ScriptedServer):
    @property
    def url(self) -> str:
        """What goes in NEWSDESK_LLM_BASE_URL."""
        return self.base

    def respond(self, handler: BaseHTTPRequestHandler, reply: Reply, body: dict) -> None:
        if handler.path != "/api/chat":
            self.send_json(handler, 404, {"error": f"unknown path {handler.path}"})
            return
        if self.wait_if_hanging(reply):
            return
        if reply.status != 200:
            self.send_json(handler, reply.status, {"error": reply.text or "model error"})
            return
        if reply.raw_body is not None:
            self.send_json(handler, 200, reply.raw_body)
            return
        model = body.get("model", "fake")
        if body.get("stream", True):
            self.send_stream(handler, "application/x-ndjson", _lines(model, reply), reply.delay)
        else:
            self.send_json(handler, 200, _message(model, reply.text, done=True))


def _message(model: str, content: str, done: bool) -> dict:
    message = {
        "model": model,
        "created_at": datetime.now(UTC).isoformat(),
        "message": {"role": "assistant", "content": content},
        "done": done,
    }
    if done:
        message.update(
            done_reason="stop",
            total_duration=1_000_000,
            load_duration=1000,
            prompt_eval_count=100,
            prompt_eval_duration=1000,
            eval_count=20,
            eval_duration=1000,
        )
    return message


def _lines(model: str, reply: Reply) -> Iterator[bytes]:
    for piece in reply.pieces():
        yield (json.dumps(_message(model, piece, done=False)) + "\n").encode()
    yield (json.dumps(_message(model, "", done=True)) + "\n").encode()
