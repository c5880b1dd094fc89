"""Errors as problem details: unknown ids, and an index that is unreachable or goes away."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Request

from service.api.app import create_app
from tests.service.api.bodies import ARTICLE, QUESTION
from tests.service.api.reading import assert_problem
from tests.service.api.serving import served

pytestmark = pytest.mark.integration


def test_unknown_ids_are_404(client):
    assert_problem(client.get("/answers/nope"), 404, "nope")
    assert_problem(client.get("/conversations/nope"), 404, "nope")
    assert_problem(client.get("/articles/nope"), 404, "nope")
    assert_problem(client.get("/no-such-route"), 404)


def test_unreachable_index_is_503(fresh):
    with fresh(chroma_url="http://127.0.0.1:9") as client:
        assert_problem(client.post("/ask", json={"question": QUESTION}), 503, "Chroma")
        assert_problem(client.get("/search", params={"q": "x"}), 503)
        assert_problem(client.post("/articles", json=ARTICLE), 503)
        assert client.get("/health").json()["status"] == "unavailable"


def test_losing_the_chroma_server_is_503_and_recovers(fresh, tmp_path):
    """A Chroma server that goes away mid-life gives 503s, not 500s; back again, answers resume."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chroma = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(tmp_path / "db")]
    chroma += ["--host", "127.0.0.1", "--port", str(port)]

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(chroma, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat").status_code == 200:
                    return proc
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "chroma did not start"
            time.sleep(0.2)

    proc = start()
    try:
        with fresh(chroma_url=f"http://127.0.0.1:{port}") as client:
            assert client.post("/articles", json=ARTICLE).status_code == 201
            question = {"question": "How did Harrowgate council vote on the Eastline tram?"}
            assert client.post("/ask", json=question).json()["status"] == "answered"
            proc.terminate()
            proc.wait(timeout=15)
            assert_problem(client.post("/ask", json=question), 503, "Index unavailable")
            assert_problem(client.get("/articles"), 503)
            assert client.get("/health").json()["index_ready"] is False
            proc = start()
            assert client.post("/ask", json=question).json()["status"] == "answered"
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_an_unexpected_error_is_a_problem_and_the_connection_stays_open(settings_factory):
    """Over real HTTP/1.1 keep-alive: the 500 is a problem document, and the client's next
    request goes over the same connection (the server saw the same client port)."""
    app = create_app(settings_factory(), preload=False)
    ports: list[int] = []

    @app.get("/fails")
    async def fails(request: Request) -> None:
        ports.append(request.client.port)
        raise RuntimeError("a bug")

    @app.get("/port")
    async def port(request: Request) -> int:
        ports.append(request.client.port)
        return request.client.port

    with served(app) as url, httpx.Client(base_url=url) as client:
        failed = client.get("/fails")
        assert_problem(failed, 500, "Internal error")
        assert "a bug" not in failed.text
        assert failed.headers.get("connection") != "close"
        assert client.get("/port").status_code == 200
    assert len(ports) == 2 and ports[0] == ports[1]
