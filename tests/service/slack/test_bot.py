"""The bot's listeners end to end: signed requests to the real app over HTTP, a local fake Web API.

The bot acks first and answers afterwards, so tests poll the fake Web API for what was posted.
"""

from __future__ import annotations

import json
import logging
import re

import pytest

from service.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, SHARE
from service.stores.answer_log import AnswerLog
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID
from tests.service.slack.workspace import (
    ALICE,
    CHANNEL,
    QUESTION,
    ask_api,
    assert_same_answer,
    button_value,
    citations_in,
    mention,
    send_action,
    send_event,
    serve,
    slack_settings,
    slash,
)

pytestmark = pytest.mark.e2e


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


def test_a_yes_no_question_gets_the_api_verdict_and_its_claims_first(server, fake):
    question = "Do the North Korean soldiers sent to Kursk have combat experience?"
    send_event(server, mention(fake, question))
    post = fake.wait_for("chat.postMessage")[0].params
    expected = ask_api(server, question)
    assert expected["direct"]["verdict"] == "no"
    assert_same_answer(post["blocks"], expected)
    first = next(b for b in post["blocks"] if b["type"] == "section")
    assert first["block_id"] == "direct-answer"
    assert first["text"]["text"].startswith(":x: *No*")
    assert sorted(citations_in(post["blocks"])) == [c["n"] for c in expected["citations"]]


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

    store = AnswerLog.from_settings(slack_index)
    ratings = sorted((f.rating, f.channel) for f in store.list_feedback(answer_id))
    assert ratings == [("down", "slack"), ("up", "slack")]
    assert store.get_answer(answer_id).citations  # the answer as the user saw it is on record


def test_feedback_for_an_unknown_answer_says_it_was_not_saved(server, fake, slack_index):
    send_action(server, fake, FEEDBACK_UP, "no-such-answer", "unknown")
    reply = fake.wait_for("response_url:unknown")[0].params
    assert "not saved" in reply["text"]
    assert AnswerLog.from_settings(slack_index).list_feedback("no-such-answer") == []


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
