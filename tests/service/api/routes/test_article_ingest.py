"""What one POST /articles may cost: a budget of passages refused before embedding, an ingest
that stops when its client leaves, and a server that stops soon after SIGTERM mid-ingest."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx
import pytest

from ingest.index.store import NewsIndex
from service.api.app import create_app
from service.settings import Settings
from tests.service.api.bodies import ARTICLE
from tests.service.api.reading import assert_problem
from tests.service.api.serving import served

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[4]
PATIENCE = 180  # seconds; a bound on waiting for what must happen, not a speed requirement


def minutes(sentences: int, slug: str = "minutes") -> dict:
    """A council's minutes, one distinct sentence per speaker: 10,000 make ~1,400 passages."""
    body = " ".join(
        f"Member {n} of Harrowgate council spoke for {n % 7 + 2} minutes about the Eastline "
        f"tram and its stop number {n}."
        for n in range(sentences)
    )
    return {"title": f"Harrowgate council {slug}", "body": body, "url": f"https://ex.org/{slug}"}


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.2)


def post_raw(url: str, record: dict) -> socket.socket:
    """Sends POST /articles on a socket of its own and returns it unread, for closing."""
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps(record).encode()
    sock = socket.create_connection((host, int(port)))
    head = (
        f"POST /articles HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def collect(stream: IO[str], lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


def healthy(url: str, server: subprocess.Popen) -> bool:
    try:
        return httpx.get(f"{url}/health").json()["status"] == "ok"
    except httpx.HTTPError:
        assert server.poll() is None, "the server exited"
        return False


def stored(settings: Settings, embedder) -> dict[str, int]:
    return NewsIndex(settings, embedder.fingerprint, embedder.dimension).counts()


def test_a_request_over_the_passage_budget_is_refused_before_indexing(fresh):
    long = minutes(2000)
    with fresh(max_ingest_chunks=100) as client:
        problem = assert_problem(
            client.post("/articles", json=long),
            413,
            long["title"],
            long["url"],
            "over the limit of 100",
            "NEWSDESK_MAX_INGEST_CHUNKS",
            "nothing was indexed",
        )
        assert "passages to embed" in problem["detail"]
        assert client.get("/articles").json()["total"] == 0

        parts = [ARTICLE, minutes(420, "first-part"), minutes(420, "second-part")]
        problem = assert_problem(client.post("/articles", json=parts), 413, "second-part")
        assert "with the articles before it" in problem["detail"]
        assert client.get("/articles").json()["total"] == 0, "the whole request is refused"

        assert client.post("/articles", json=parts[:2]).status_code == 201
        assert client.get("/articles").json()["total"] == 2


def test_an_ingest_stops_when_its_client_disconnects(settings_factory, embedder, caplog):
    """The client leaves while ~1,400 passages are being embedded: the server stops the
    ingest (its request ends as a 499 in the metrics) and indexes none of the article."""
    settings = settings_factory()
    with caplog.at_level(logging.INFO, logger="newsdesk"), served(create_app(settings)) as url:
        wait_for(lambda: httpx.get(f"{url}/health").json()["status"] == "ok", "service loaded")
        with post_raw(url, minutes(10_000)):
            wait_for(
                lambda: any("indexing 1 articles" in r.getMessage() for r in caplog.records),
                "the ingest started",
            )
        wait_for(
            lambda: 'route="/articles",status="499"' in httpx.get(f"{url}/metrics").text,
            "the ingest stopped",
        )
        assert httpx.get(f"{url}/articles").json()["total"] == 0
        assert any("its client left" in r.getMessage() for r in caplog.records)
    assert stored(settings, embedder) == {"articles": 0, "chunks": 0}


def test_the_server_stops_soon_after_sigterm_during_an_ingest(tmp_path, embedder):
    """`newsdesk serve` told to stop while an ingest is under way exits (within the default
    5 s for requests to finish, then the ingest abandoned) and leaves nothing half-written."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", collection_prefix="sigterm")
    env = {
        **os.environ,
        "NEWSDESK_DATA_DIR": str(settings.data_dir),
        "NEWSDESK_COLLECTION_PREFIX": settings.collection_prefix,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "newsdesk_cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    threading.Thread(target=collect, args=(server.stderr, log), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(url, server), "the server is up")
        with post_raw(url, minutes(10_000)):
            wait_for(lambda: any("indexing 1 articles" in line for line in log), "ingest started")
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=PATIENCE)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert stored(settings, embedder) == {"articles": 0, "chunks": 0}
