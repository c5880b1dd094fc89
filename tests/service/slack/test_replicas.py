"""Two real server processes sharing one data dir, as replicas behind no balancer: each Slack
message is answered exactly once, whichever replica each delivery reaches and however often
Slack delivers it; a message whose first delivery failed is answered on Slack's retry.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from threading import Event

import httpx
import pytest

from service.settings import Settings
from tests.fakes.slack_api import BOT_ID, FakeSlack
from tests.service.slack.workspace import QUESTION, SECRET, mention, new_event_id, send_event

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[3]
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@dataclass
class Replica:
    url: str
    process: subprocess.Popen


@contextmanager
def replica(index: Settings, fake: FakeSlack, log: Path, **env: str) -> Iterator[Replica]:
    """`newsdesk serve` in a process of its own, over the index's data dir, ready to answer."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "NEWSDESK_DATA_DIR": str(index.data_dir),
        "NEWSDESK_COLLECTION_PREFIX": index.collection_prefix,
        "NEWSDESK_SLACK_ENABLED": "true",
        "NEWSDESK_SLACK_BOT_TOKEN": "xoxb-test-token",
        "NEWSDESK_SLACK_SIGNING_SECRET": SECRET,
        "NEWSDESK_SLACK_API_URL": fake.api_url,
        "NEWSDESK_LOG_LEVEL": "WARNING",
        **env,
    }
    command = [sys.executable, "-m", "newsdesk_cli", "serve", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield Replica(url, process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    """Until /health says the model and the index are loaded."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the replica exited:\n{log.read_text()}"
        try:
            if httpx.get(f"{url}/health", timeout=5).json().get("status") == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"the replica did not get ready:\n{log.read_text()}")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    yield slack
    slack.stop()


@pytest.fixture(scope="module")
def replicas(slack_index, fake, tmp_path_factory) -> Iterator[tuple[Replica, Replica]]:
    logs = tmp_path_factory.mktemp("replicas")
    with (
        replica(slack_index, fake, logs / "a.log") as a,
        replica(slack_index, fake, logs / "b.log") as b,
    ):
        yield a, b


@pytest.fixture
def channel() -> str:
    """A channel of the test's own: what the replicas post there is this test's doing."""
    return "C" + uuid.uuid4().hex[:10].upper()


def answers_in(fake: FakeSlack, channel: str, ts: str) -> list[dict]:
    """The bot's messages that Slack kept in the thread (a failed post keeps none)."""
    with fake._lock:
        thread = list(fake.threads.get((channel, ts), []))
    return [m for m in thread if m.get("bot_id") == BOT_ID]


def calls_in(fake: FakeSlack, method: str, channel: str) -> list[dict]:
    return [c.params for c in fake.calls_to(method) if c.params.get("channel") == channel]


def wait_for_answer(fake: FakeSlack, channel: str, ts: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not answers_in(fake, channel, ts):
        assert time.monotonic() < deadline, "no answer was posted"
        time.sleep(0.05)
    fake.settle()


def assert_answered_once(fake: FakeSlack, channel: str, ts: str) -> None:
    (answer,) = answers_in(fake, channel, ts)
    assert answer["metadata"]["event_payload"]["status"] == "answered"
    assert answer["thread_ts"] == ts


def test_the_same_event_delivered_to_both_replicas_is_answered_once(replicas, fake, channel):
    event = mention(fake, QUESTION, channel=channel)
    event_id = new_event_id()
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda r: send_event(r.url, event, event_id=event_id), replicas))
    assert [r.status_code for r in responses] == [200, 200]
    wait_for_answer(fake, channel, event["ts"])
    assert_answered_once(fake, channel, event["ts"])
    assert len(calls_in(fake, "reactions.add", channel)) == 1


def test_one_message_under_two_event_ids_is_answered_once(replicas, fake, channel):
    a, b = replicas
    event = mention(fake, QUESTION, channel=channel)
    assert send_event(a.url, event).status_code == 200
    assert send_event(b.url, event).status_code == 200
    wait_for_answer(fake, channel, event["ts"])
    # Slack's retry of an answered message, to the other replica, is answered by no one.
    assert send_event(b.url, event, headers=RETRY).status_code == 200
    fake.settle()
    assert_answered_once(fake, channel, event["ts"])
    assert len(calls_in(fake, "chat.postMessage", channel)) == 1


def test_a_message_whose_first_delivery_failed_is_answered_on_the_retry(replicas, fake, channel):
    a, b = replicas
    event = mention(fake, QUESTION, channel=channel)
    event_id = new_event_id()
    fake.failures["chat.postMessage"] = "internal_error"
    try:
        assert send_event(a.url, event, event_id=event_id).status_code == 200
        # The answer, then the apology: both refused by Slack.
        deadline = time.monotonic() + 90
        while len(calls_in(fake, "chat.postMessage", channel)) < 2:
            assert time.monotonic() < deadline, "the first delivery was not worked on"
            time.sleep(0.05)
    finally:
        del fake.failures["chat.postMessage"]
    assert not answers_in(fake, channel, event["ts"])

    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert send_event(b.url, event, event_id=event_id, headers=retry).status_code == 200
    wait_for_answer(fake, channel, event["ts"])
    assert_answered_once(fake, channel, event["ts"])


def test_a_message_whose_replica_died_is_answered_on_a_retry_once_its_claim_lapses(
    slack_index, replicas, fake, channel, tmp_path
):
    _, b = replicas
    lease = 2.0
    event = mention(fake, QUESTION, channel=channel)
    event_id = new_event_id()
    stalled = Event()
    fake.stalls["reactions.add"] = stalled
    try:
        env = {"NEWSDESK_SLACK_CLAIM_LEASE_SECONDS": str(lease)}
        with replica(slack_index, fake, tmp_path / "doomed.log", **env) as doomed:
            assert send_event(doomed.url, event, event_id=event_id).status_code == 200
            deadline = time.monotonic() + 60
            while not calls_in(fake, "reactions.add", channel):
                assert time.monotonic() < deadline, "the doomed replica did not take the message"
                time.sleep(0.05)
            # It holds the claim and is working on the answer: it dies.
            doomed.process.send_signal(signal.SIGKILL)
            doomed.process.wait(timeout=30)
    finally:
        del fake.stalls["reactions.add"]
        stalled.set()
    time.sleep(lease + 0.5)  # no one renews a dead replica's lease

    assert send_event(b.url, event, event_id=event_id, headers=RETRY).status_code == 200
    wait_for_answer(fake, channel, event["ts"])
    assert_answered_once(fake, channel, event["ts"])
