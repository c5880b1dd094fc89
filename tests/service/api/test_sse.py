"""The answer stream over a real uvicorn socket: heartbeats, and a client leaving stops the work.

The real AnswerService answers; a thin wrapper slows its stream down (one pause per extra
delta) so there is time for a heartbeat, and for a client to leave before the end.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from service.api.app import create_app
from service.contract import AskRequest, DeltaEvent, StreamEvent

pytestmark = pytest.mark.integration

ARTICLE = {
    "title": "Harrowgate council approves Eastline tram",
    "body": (
        "Harrowgate city council voted 7 to 4 on Monday night to build the Eastline tram. "
        "The line will run 9 kilometres from the station to the hospital."
    ),
    "source": "Harrowgate Courier",
    "published": "2024-03-05T09:30:00+00:00",
}
QUESTION = {"question": "How did Harrowgate council vote on the Eastline tram?"}
PAUSES = 40


class SlowStream:
    """The real service, whose stream pauses between extra deltas and records how far it got."""

    def __init__(self, service, pause: float):
        self.service = service
        self.pause = pause
        self.pulled = 0
        self.closed = threading.Event()

    def __getattr__(self, name):
        return getattr(self.service, name)

    def stream(self, request: AskRequest) -> Iterator[StreamEvent]:
        try:
            events = list(self.service.stream(request))
            self.pulled += 1
            yield events[0]
            for _ in range(PAUSES):
                time.sleep(self.pause)
                self.pulled += 1
                yield DeltaEvent(text="")
            for event in events[1:]:
                self.pulled += 1
                yield event
        finally:
            self.closed.set()


@pytest.fixture
def live(settings_factory, embedder):
    app = create_app(settings_factory(), preload=False, heartbeat_seconds=0.05)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    assert httpx.post(f"{url}/articles", json=ARTICLE, timeout=120).status_code == 201
    yield app, url
    server.should_exit = True
    thread.join(timeout=10)


def slow(app, pause: float) -> SlowStream:
    holder = app.state.holder
    holder.service = SlowStream(holder.get(), pause)
    return holder.service


def read_events(response) -> Iterator[str]:
    for line in response.iter_lines():
        if line.startswith("event:"):
            yield line.removeprefix("event:").strip()


def test_heartbeats_keep_a_slow_stream_alive(live):
    app, url = live
    slow(app, pause=0.1)
    with httpx.stream("POST", f"{url}/ask/stream", json=QUESTION, timeout=60) as response:
        names = list(read_events(response))
    assert "heartbeat" in names
    content = [n for n in names if n != "heartbeat"]
    assert content[0] == "passages" and content[-1] == "answer"


def test_a_client_that_leaves_stops_the_work(live):
    app, url = live
    stream = slow(app, pause=0.25)
    with httpx.stream("POST", f"{url}/ask/stream", json=QUESTION, timeout=60) as response:
        assert next(n for n in read_events(response) if n != "heartbeat") == "passages"
    assert stream.closed.wait(timeout=30), "the answer generator was never closed"
    assert stream.pulled < PAUSES, "the server kept pulling events after the client left"
    metrics = httpx.get(f"{url}/metrics").text
    assert "newsdesk_streams_abandoned_total 1.0" in metrics
    assert 'newsdesk_answers_total{answerer="extractive"' not in metrics
