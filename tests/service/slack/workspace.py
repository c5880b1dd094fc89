"""A Slack workspace as the tests drive it: requests signed the way Slack signs them (HMAC-SHA256
over ``v0:{timestamp}:{body}``) sent to the real app under uvicorn, and readers for what the bot
posted to the local fake Web API."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import httpx
import uvicorn

from service.api.app import create_app
from service.settings import Settings
from service.slack.blocks import escape
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "CNEWSROOM"
ALICE = "UALICE"
QUESTION = "How many North Korean troops were killed or wounded in the Kursk region?"


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


def send_event(
    url: str,
    event: dict,
    headers: dict | None = None,
    event_id: str | None = None,
    **kwargs,
) -> httpx.Response:
    """The event in an Events API envelope, under ``event_id`` (a new one when None)."""
    envelope = {
        "token": "legacy-unused",
        "team_id": TEAM_ID,
        "api_app_id": "ANEWSDESK",
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }
    return signed_post(url, json.dumps(envelope), "application/json", headers=headers, **kwargs)


def new_event_id() -> str:
    return "Ev" + uuid.uuid4().hex[:10].upper()


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


def mention(
    fake: FakeSlack,
    text: str,
    thread_ts: str | None = None,
    channel: str = CHANNEL,
    **extra,
) -> dict:
    """A message that @mentions the bot, as Slack keeps it and as the event carries it."""
    message = fake.add_message(channel, ALICE, f"<@{BOT_USER_ID}> {text}", thread_ts, **extra)
    return {**message, "type": "app_mention", "channel": channel, "event_ts": message["ts"]}


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
    """The Slack blocks carry the direct answer, the text and every citation of the API's
    answer."""
    sentences = expected["sentences"] or []
    direct = expected.get("direct")
    if direct:
        (head,) = section_texts(blocks, "direct-answer")
        markers = "".join(f" [{n}]" for n in direct["citations"])
        assert head.endswith(f"*{escape(direct['text'])}*{markers}"), head
        claims = "\n".join(
            b["elements"][0]["text"] for b in blocks if b.get("block_id", "").startswith("claims-")
        )
        for claim in direct["claims"]:
            assert escape(claim["claim"]) in claims
        sentences = sentences[1:]
    if expected["status"] == "answered":
        rendered = " ".join(
            escape(s["text"]) + "".join(f" [{n}]" for n in s["citations"]) for s in sentences
        )
        assert " ".join(section_texts(blocks, "answer-")) == rendered
    else:
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
