"""A real HTTP(S) server on 127.0.0.1 (port 0) serving pages and feeds tests set, with ETags.

Each route is a ``Route``: status, content type, body and extra headers. A route with an
``etag`` answers 304 to a request naming it in If-None-Match, as a real feed server does. Every
request is recorded (path and headers), so a test can tell what was fetched.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    declare_length: bool = True
    """False: no Content-Length, the body ends when the connection closes."""
    stall: float = 0.0
    """Seconds to wait before answering, as a server that hangs."""


@dataclass
class Site:
    """The routes served and the requests received; ``url(path)`` is where a path is served."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def fetched(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested == path)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, dict(self.headers)))
            route = site.routes.get(self.path) or Route("not found", 404, "text/plain")
            time.sleep(route.stall)
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            body = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.declare_length:
                self.send_header("Content-Length", str(len(body)))
            if route.etag:
                self.send_header("ETag", route.etag)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet: the test's own assertions say what happened."""

    return Handler


@contextmanager
def local_site(tls: ssl.SSLContext | None = None, name: str = "127.0.0.1") -> Iterator[Site]:
    """The site on 127.0.0.1; with ``tls``, over https, its URLs naming the host ``name``."""
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    site.base = f"{scheme}://{name}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
