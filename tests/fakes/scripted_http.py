"""A local HTTP server on 127.0.0.1 that plays scripted replies, for the LLM protocol fakes.

Each test scripts what the "model" says (``Reply``); the protocol modules turn a reply into
the bytes the real provider would send, so the real client libraries run unchanged.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG_LIMIT = 30.0
"""A hanging reply gives up after this long even if the test forgot to stop the server."""


@dataclass
class Reply:
    """What the fake model does for one request."""

    text: str | Callable[[dict], str] = ""
    """The reply, or a function of the request body (to cite passages by their number)."""
    status: int = 200
    chunks: list[str] | None = None
    """How a streamed reply is split; by default word by word (spaces kept)."""
    delay: float = 0.0
    """Seconds to wait before each streamed chunk."""
    raw_body: str | None = None
    """Sent as the whole 200 body instead of a well-formed reply (malformed output)."""
    hang: bool = False
    """Accept the request and never answer (until the server stops)."""

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return self.chunks
        words = str(self.text).split(" ")
        return [w if i == 0 else " " + w for i, w in enumerate(words)]


@dataclass
class Exchange:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class ScriptedServer:
    """Base class: subclasses write ``respond`` for their protocol."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[Exchange] = field(default_factory=list)
    chunks_sent: int = 0
    disconnected: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                body = json.loads(raw or b"{}")
                server.requests.append(Exchange(self.path, body, dict(self.headers)))
                reply = server.next_reply()
                if callable(reply.text):
                    reply = replace(reply, text=reply.text(body))
                try:
                    server.respond(self, reply, body)
                except (BrokenPipeError, ConnectionResetError):
                    server.disconnected.set()

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        self.replies[:] = list(replies)

    def next_reply(self) -> Reply:
        if not self.replies:
            return Reply(status=500, text="no reply scripted")
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def respond(self, handler: BaseHTTPRequestHandler, reply: Reply, body: dict) -> None:
        raise NotImplementedError

    # helpers for subclasses

    def wait_if_hanging(self, reply: Reply) -> bool:
        if reply.hang:
            self.stopping.wait(HANG_LIMIT)
            return True
        return False

    def send_json(self, handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def send_stream(
        self,
        handler: BaseHTTPRequestHandler,
        content_type: str,
        frames: Iterator[bytes],
        delay: float,
    ) -> None:
        """A close-delimited body written frame by frame, as slowly as scripted."""
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.flush()
        for frame in frames:
            if delay:
                time.sleep(delay)
            if self.stopping.is_set():
                return
            handler.wfile.write(frame)
            handler.wfile.flush()
            self.chunks_sent += 1
        handler.close_connection = True

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
