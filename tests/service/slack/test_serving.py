"""How Slack's requests reach the bot: signed HTTP at /slack/events, and Socket Mode."""

from __future__ import annotations

import contextlib
import json
import threading
import time

import httpx
import pytest

from service.settings import Settings
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSocketMode
from tests.service.slack.workspace import (
    QUESTION,
    citations_in,
    mention,
    send_event,
    signed_post,
    slack_settings,
)

pytestmark = pytest.mark.e2e


# --- security -------------------------------------------------------------------------------


def test_bad_signature_is_refused(server, fake):
    response = send_event(server, mention(fake, QUESTION), secret="not-the-secret")
    assert response.status_code == 401
    fake.settle()
    assert not fake.calls_to("chat.postMessage")


def test_stale_timestamp_is_refused(server, fake):
    stale = int(time.time()) - 6 * 60
    response = send_event(server, mention(fake, QUESTION), timestamp=stale)
    assert response.status_code == 401
    fake.settle()
    assert not fake.calls_to("chat.postMessage")


def test_unsigned_request_is_refused(server):
    response = httpx.post(f"{server}/slack/events", json={"type": "url_verification"})
    assert response.status_code == 401


def test_url_verification_returns_the_challenge(server):
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"})
    response = signed_post(server, body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "c-123"}


def test_slack_enabled_without_signing_secret_refuses_to_start():
    with pytest.raises(ValueError, match="SIGNING_SECRET"):
        Settings(_env_file=None, slack_enabled=True, slack_bot_token="xoxb-1")


# --- Socket Mode ----------------------------------------------------------------------------


def test_socket_mode_answers_a_mention_received_over_the_websocket(slack_index, fake):
    import asyncio

    from service.runtime import ServiceHolder
    from service.slack.serving import run_socket_mode

    socket_server = FakeSocketMode().start()
    fake.socket_url = socket_server.url
    settings = slack_settings(
        slack_index, fake, slack_socket_mode=True, slack_app_token="xapp-1-test"
    )
    loop = asyncio.new_event_loop()
    task = loop.create_task(run_socket_mode(settings, ServiceHolder(settings)))

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(task)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    try:
        socket_server.wait_connected()
        (opened,) = fake.calls_to("apps.connections.open")
        assert opened.token == "xapp-1-test"
        event = mention(fake, QUESTION)
        envelope = {
            "envelope_id": "env-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "payload": {
                "team_id": TEAM_ID,
                "api_app_id": "ANEWSDESK",
                "type": "event_callback",
                "event_id": "EvSOCKET1",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
                "event": event,
            },
        }
        socket_server.send(envelope)
        socket_server.wait_ack("env-1")
        post = fake.wait_for("chat.postMessage")[0].params
        socket_server.send({**envelope, "envelope_id": "env-2", "retry_attempt": 1})
        socket_server.wait_ack("env-2")
        fake.settle()
        assert len(fake.calls_to("chat.postMessage")) == 1
    finally:
        loop.call_soon_threadsafe(task.cancel)
        runner.join(timeout=10)
        socket_server.stop()
    assert post["thread_ts"] == event["ts"]
    assert post["metadata"]["event_payload"]["status"] == "answered"
    assert citations_in(post["blocks"])


def test_socket_mode_without_an_app_token_is_refused(slack_index, fake):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from service.slack.bot import SlackConfigError
    from service.slack.serving import run_socket_mode

    settings = slack_settings(slack_index, fake, slack_socket_mode=True)
    # A thread of its own: an earlier test may leave an event loop running in this one.
    with (
        ThreadPoolExecutor(1) as pool,
        pytest.raises(SlackConfigError, match="NEWSDESK_SLACK_APP_TOKEN"),
    ):
        pool.submit(asyncio.run, run_socket_mode(settings, None)).result()
