"""The Slack bot end to end: signed requests to the real app over HTTP, a local fake Web API.

Every request is signed the way Slack signs it (HMAC-SHA256 over ``v0:{timestamp}:{body}``). The
bot acks first and answers afterwards, so tests poll the fake Web API for what was posted.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn

from ingest.pipeline import build_ingestor
from service.api.app import create_app
from service.settings import Settings
from service.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, SHARE, escape
from service.stores.answer_log import FeedbackStore
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID, TEAM_ID, FakeSlack, FakeSocketMode

pytestmark = pytest.mark.e2e

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "CNEWSROOM"
ALICE = "UALICE"
QUESTION = "How many North Korean troops were killed or wounded in the Kursk region?"


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slack_index(tmp_path_factory, embedder, sample_article, multihop_articles) -> Settings:
    """A small index of our own: the stores beside it are written to by the bot."""
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("slack-index"),
        collection_prefix="slack" + uuid.uuid4().hex[:8],
    )
    report = build_ingestor(settings, embedder=embedder).ingest_articles(
        [sample_article, *multihop_articles[:3]]
    )
    assert report.ok, report.errors
    return settings


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    yield slack
    slack.stop()


def slack_settings(base: Settings, fake: FakeSlack, **overrides) -> Settings:
    values = base.model_dump()
    values.update(
        slack_enabled=True,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
        **overrides,
    )
    return Settings(_env_file=None, **values)


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port."""
    app = create_app(settings)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def server(slack_index, fake) -> Iterator[str]:
    with serve(slack_settings(slack_index, fake)) as url:
        yield url


# --- signed requests ------------------------------------------------------------------------


def signed_post(
    url: str,
    body: str,
    content_type: str,
    timestamp: int | None = None,
    secret: str = SECRET,
    headers: dict | None = None,
) -> httpx.Response:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return httpx.post(
        f"{url}/slack/events",
        content=body.encode(),
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": f"v0={digest}",
            **(headers or {}),
        },
        timeout=30,
    )


def send_event(url: str, event: dict, headers: dict | None = None, **kwargs) -> httpx.Response:
    envelope = {
        "token": "legacy-unused",
        "team_id": TEAM_ID,
        "api_app_id": "ANEWSDESK",
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }
    return signed_post(url, json.dumps(envelope), "application/json", headers=headers, **kwargs)


def send_form(url: str, fields: dict, **kwargs) -> httpx.Response:
    return signed_post(url, urlencode(fields), "application/x-www-form-urlencoded", **kwargs)


def send_action(url: str, fake: FakeSlack, action_id: str, value: str, name: str) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": ALICE, "name": "alice"},
        "api_app_id": "ANEWSDESK",
        "channel": {"id": CHANNEL, "name": "newsroom"},
        "container": {"type": "message", "channel_id": CHANNEL, "is_ephemeral": True},
        "trigger_id": "1.2.3",
        "response_url": fake.response_url(name),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "newsdesk-actions",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    response = send_form(url, {"payload": json.dumps(payload)})
    assert response.status_code == 200, response.text


def mention(fake: FakeSlack, text: str, thread_ts: str | None = None, **extra) -> dict:
    """A message that @mentions the bot, as Slack keeps it and as the event carries it."""
    message = fake.add_message(CHANNEL, ALICE, f"<@{BOT_USER_ID}> {text}", thread_ts, **extra)
    return {**message, "type": "app_mention", "channel": CHANNEL, "event_ts": message["ts"]}


# --- reading what the bot posted ------------------------------------------------------------


def section_texts(blocks: list[dict], prefix: str) -> list[str]:
    return [
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and b.get("block_id", "").startswith(prefix)
    ]


def citations_in(blocks: list[dict]) -> dict[int, str]:
    found: dict[int, str] = {}
    for block in blocks:
        match = re.fullmatch(r"citation-(\d+)(?:-\d+)?", block.get("block_id", ""))
        if match:
            n = int(match.group(1))
            found[n] = (found.get(n, "") + "\n" + block["text"]["text"]).strip()
    return found


def button_value(blocks: list[dict], action_id: str) -> str | None:
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("action_id") == action_id:
                return element["value"]
    return None


def assert_same_answer(blocks: list[dict], expected: dict) -> None:
    """The Slack blocks carry the text and every citation of the API's answer."""
    assert " ".join(section_texts(blocks, "answer-")) == escape(expected["text"])
    shown = citations_in(blocks)
    assert sorted(shown) == [c["n"] for c in expected["citations"]]
    for citation in expected["citations"]:
        text = shown[citation["n"]]
        assert text.startswith(f"*[{citation['n']}]*")
        title = escape(citation["title"]).replace("|", "¦")
        if citation["url"]:
            assert f"<{escape(citation['url'])}|{title}>" in text
        else:
            assert f"*{title}*" in text
        for part in (citation["source"], (citation["published"] or "")[:10]):
            assert escape(part or "") in text.splitlines()[0]
        quoted = "\n".join(
            line.removeprefix(">") for line in text.splitlines() if line.startswith(">")
        )
        assert quoted == escape(citation["quote"])


def ask_api(url: str, question: str) -> dict:
    response = httpx.post(f"{url}/ask", json={"question": question}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


# --- mentions, direct messages, threads -----------------------------------------------------


def test_mention_is_acked_then_answered_in_thread_with_the_api_citations(server, fake):
    event = mention(fake, QUESTION)
    response = send_event(server, event)
    assert response.status_code == 200

    (post,) = [c.params for c in fake.wait_for("chat.postMessage")]
    (reaction,) = [c.params for c in fake.calls_to("reactions.add")]
    assert (
        reaction.items() >= {"channel": CHANNEL, "timestamp": event["ts"], "name": "eyes"}.items()
    )
    assert post["channel"] == CHANNEL
    assert post["thread_ts"] == event["ts"]
    assert all(c.token == "xoxb-test-token" for c in fake.calls)

    expected = ask_api(server, QUESTION)
    assert expected["status"] == "answered" and expected["citations"]
    assert_same_answer(post["blocks"], expected)
    assert post["text"] == expected["text"]
    assert (
        button_value(post["blocks"], FEEDBACK_UP) == post["metadata"]["event_payload"]["answer_id"]
    )
    assert button_value(post["blocks"], SHARE) is None


def test_direct_message_is_answered_in_its_thread(server, fake):
    message = fake.add_message("DALICE", ALICE, QUESTION)
    event = {"type": "message", "channel": "DALICE", "channel_type": "im", **message}
    assert send_event(server, event).status_code == 200

    post = fake.wait_for("chat.postMessage")[0].params
    assert post["channel"] == "DALICE" and post["thread_ts"] == message["ts"]
    assert_same_answer(post["blocks"], ask_api(server, QUESTION))


def test_a_question_outside_the_articles_is_declined_plainly(server, fake):
    send_event(server, mention(fake, "What is the recipe for a good sourdough starter?"))
    post = fake.wait_for("chat.postMessage")[0].params
    assert post["metadata"]["event_payload"]["status"] == "declined"
    assert "could not find" in post["text"]
    assert not citations_in(post["blocks"])
    assert button_value(post["blocks"], FEEDBACK_DOWN)


def test_follow_up_in_the_thread_is_read_against_the_thread(server, fake):
    first = mention(fake, QUESTION)
    send_event(server, first)
    fake.wait_for("chat.postMessage")

    follow = mention(fake, "And who reported that?", thread_ts=first["ts"])
    send_event(server, follow)
    second = fake.wait_for("chat.postMessage", count=2)[1].params

    (replies,) = fake.calls_to("conversations.replies")
    assert replies.params["ts"] == first["ts"] and replies.params["channel"] == CHANNEL
    assert second["thread_ts"] == first["ts"]
    payload = second["metadata"]["event_payload"]
    assert payload["question"] == "And who reported that?"
    assert "Kursk" in payload["standalone_question"]
    assert "Understood as" in json.dumps(second["blocks"])
    # The follow-up is answered exactly as the API answers its standalone question.
    expected = ask_api(server, payload["standalone_question"])
    assert_same_answer(second["blocks"], expected)


def test_a_mention_with_no_question_gets_usage_help(server, fake):
    event = mention(fake, "")
    send_event(server, event)
    post = fake.wait_for("chat.postMessage")[0].params
    assert post["thread_ts"] == event["ts"]
    assert "/newsdesk" in post["text"]


def test_a_question_over_the_length_limit_gets_a_clear_reply(server, fake):
    send_event(server, mention(fake, "why " * 600))
    post = fake.wait_for("chat.postMessage")[0].params
    assert "could not take that question" in post["text"]
    assert "2000" in post["text"]


# --- slash command, feedback, share ---------------------------------------------------------


def slash(url: str, fake: FakeSlack, text: str) -> httpx.Response:
    return send_form(
        url,
        {
            "token": "legacy-unused",
            "team_id": TEAM_ID,
            "channel_id": CHANNEL,
            "channel_name": "newsroom",
            "user_id": ALICE,
            "command": "/newsdesk",
            "text": text,
            "response_url": fake.response_url("command"),
            "trigger_id": "1.2.3",
            "api_app_id": "ANEWSDESK",
        },
    )


def test_slash_command_answers_only_the_asker_and_share_posts_it(server, fake, slack_index):
    response = slash(server, fake, QUESTION)
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "Searching" in response.json()["text"]

    reply = fake.wait_for("response_url:command")[0].params
    assert reply["response_type"] == "ephemeral"
    assert not fake.calls_to("chat.postMessage")
    expected = ask_api(server, QUESTION)
    assert_same_answer(reply["blocks"], expected)
    answer_id = button_value(reply["blocks"], SHARE)
    assert answer_id and answer_id == button_value(reply["blocks"], FEEDBACK_UP)

    send_action(server, fake, SHARE, answer_id, "share")
    shared = fake.wait_for("chat.postMessage")[0].params
    assert shared["channel"] == CHANNEL and "thread_ts" not in shared
    assert_same_answer(shared["blocks"], expected)
    assert f"<@{ALICE}>" in json.dumps(shared["blocks"])
    assert button_value(shared["blocks"], SHARE) is None
    (cleanup,) = [c.params for c in fake.wait_for("response_url:share")]
    assert cleanup["delete_original"] is True


def test_share_falls_back_to_the_response_url_where_the_bot_cannot_post(server, fake):
    slash(server, fake, QUESTION)
    reply = fake.wait_for("response_url:command")[0].params
    fake.failures["chat.postMessage"] = "not_in_channel"

    send_action(server, fake, SHARE, button_value(reply["blocks"], SHARE), "share")
    shared, cleanup = (c.params for c in fake.wait_for("response_url:share", count=2))
    assert shared["response_type"] == "in_channel"
    assert citations_in(shared["blocks"]) == citations_in(reply["blocks"])
    assert cleanup["delete_original"] is True


def test_slash_command_without_a_question_explains_itself(server, fake):
    response = slash(server, fake, "   ")
    assert response.status_code == 200
    assert "/newsdesk" in response.json()["text"]
    fake.settle()
    assert not fake.calls_to("response_url:command")


def test_feedback_buttons_store_in_the_api_feedback_store(server, fake, slack_index):
    send_event(server, mention(fake, QUESTION))
    post = fake.wait_for("chat.postMessage")[0].params
    answer_id = button_value(post["blocks"], FEEDBACK_UP)

    send_action(server, fake, FEEDBACK_UP, answer_id, "up")
    send_action(server, fake, FEEDBACK_DOWN, answer_id, "down")
    assert "Thanks" in fake.wait_for("response_url:up")[0].params["text"]
    assert fake.wait_for("response_url:down")[0].params["response_type"] == "ephemeral"

    store = FeedbackStore.from_settings(slack_index)
    ratings = sorted((f.rating, f.channel) for f in store.list_feedback(answer_id))
    assert ratings == [("down", "slack"), ("up", "slack")]
    assert store.get_answer(answer_id).citations  # the answer as the user saw it is on record


def test_feedback_for_an_unknown_answer_says_it_was_not_saved(server, fake, slack_index):
    send_action(server, fake, FEEDBACK_UP, "no-such-answer", "unknown")
    reply = fake.wait_for("response_url:unknown")[0].params
    assert "not saved" in reply["text"]
    assert FeedbackStore.from_settings(slack_index).list_feedback("no-such-answer") == []


# --- retries, duplicates, bots --------------------------------------------------------------


def test_a_slack_retry_never_produces_a_second_answer(server, fake):
    event = mention(fake, QUESTION)
    assert send_event(server, event).status_code == 200
    retry = send_event(
        server, event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status_code == 200
    fake.wait_for("chat.postMessage")
    # The same message delivered again without a retry header (e.g. a second subscription).
    assert send_event(server, event).status_code == 200
    fake.settle()
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert len(fake.calls_to("reactions.add")) == 1


def test_messages_from_bots_are_ignored(server, fake):
    own = {"type": "message", "channel": "DALICE", "channel_type": "im", "user": BOT_USER_ID}
    other_bot = {"type": "message", "channel": "DALICE", "channel_type": "im", "bot_id": "BOTHER"}
    subtype = {**other_bot, "subtype": "bot_message", "username": "rss-bot"}
    bot_mention = {"type": "app_mention", "channel": CHANNEL, "bot_id": "BOTHER", "user": "UB2"}
    for event in (own, other_bot, subtype, bot_mention):
        ts = fake.next_ts()
        event = {**event, "text": f"<@{BOT_USER_ID}> {QUESTION}", "ts": ts, "event_ts": ts}
        assert send_event(server, event).status_code == 200
    fake.settle()
    assert not fake.calls_to("chat.postMessage")
    assert not fake.calls_to("reactions.add")
    assert BOT_ID  # the fake's auth.test names the bot, which is how Bolt knows itself


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


# --- failures -------------------------------------------------------------------------------


def test_a_failure_while_answering_posts_an_apology_and_is_logged(settings_factory, fake, caplog):
    settings = slack_settings(settings_factory(), fake)
    settings.data_dir.mkdir(parents=True)
    settings.chroma_dir.write_text("not a Chroma store")  # the index cannot be opened
    caplog.set_level(logging.ERROR, logger="newsdesk.slack")
    with serve(settings) as url:
        event = mention(fake, QUESTION)
        assert send_event(url, event).status_code == 200
        post = fake.wait_for("chat.postMessage")[0].params
    assert post["thread_ts"] == event["ts"]
    assert post["text"].startswith("Sorry")
    assert "blocks" not in post
    ref = re.search(r"ref `(\w+)`", post["text"]).group(1)
    logged = [r for r in caplog.records if r.name == "newsdesk.slack" and ref in r.getMessage()]
    assert logged and logged[0].exc_info is not None


# --- Socket Mode ----------------------------------------------------------------------------


def test_socket_mode_answers_a_mention_received_over_the_websocket(slack_index, fake):
    import asyncio

    from service.api.app import ServiceHolder
    from service.slack.bot import run_socket_mode

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

    from service.slack.bot import SlackConfigError, run_socket_mode

    settings = slack_settings(slack_index, fake, slack_socket_mode=True)
    # A thread of its own: an earlier test may leave an event loop running in this one.
    with (
        ThreadPoolExecutor(1) as pool,
        pytest.raises(SlackConfigError, match="NEWSDESK_SLACK_APP_TOKEN"),
    ):
        pool.submit(asyncio.run, run_socket_mode(settings, None)).result()
