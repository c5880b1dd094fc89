"""Reading Slack: a message's markup as a question, a thread as the conversation so far."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.contract import Answer, DirectAnswer
from service.slack.threads import (
    METADATA_EVENT,
    answer_metadata,
    from_bot,
    question_from,
    turns_from_thread,
)

pytestmark = pytest.mark.unit

BOT = "UNEWSDESK"


def answer(question: str, standalone: str | None = None) -> Answer:
    return Answer(
        id="a1",
        question=question,
        standalone_question=standalone,
        status="answered",
        text="About 30 [1].",
        created_at=datetime.now(UTC),
    )


def test_question_from_removes_the_mention_and_undoes_slack_markup():
    text = (
        f"<@{BOT}> what did <https://x.example/a|this story> say about "
        "&lt;AI&gt; &amp; jobs in <#C1|news>?"
    )
    assert question_from(text, BOT) == "what did this story say about <AI> & jobs in #news?"
    assert question_from(f"<@{BOT}>   ", BOT) == ""


def test_thread_history_comes_from_bot_answer_metadata():
    first = answer("How many troops in Kursk?").model_copy(
        update={"id": "ans1", "direct": DirectAnswer(form="span", text="about 30 troops")}
    )
    messages = [
        {"ts": "100.1", "user": "UALICE", "text": f"<@{BOT}> How many troops in Kursk?"},
        {
            "ts": "100.2",
            "user": BOT,
            "bot_id": "B1",
            "text": first.text,
            "metadata": answer_metadata(first),
        },
        {"ts": "100.3", "user": "UBOB", "text": "interesting"},
        {"ts": "100.4", "user": "UALICE", "text": f"<@{BOT}> and who said so?"},
        {
            "ts": "100.5",
            "user": BOT,
            "bot_id": "B1",
            "text": "later answer",
            "metadata": {"event_type": METADATA_EVENT, "event_payload": {"question": "later"}},
        },
    ]
    turns = turns_from_thread(messages, before_ts="100.4", bot_user_id=BOT)
    assert [(t.question, t.standalone_question, t.answer_id) for t in turns] == [
        ("How many troops in Kursk?", "How many troops in Kursk?", "ans1")
    ]
    assert turns[0].answer_span == "about 30 troops", "a pronoun next may stand for it"


def test_a_thread_the_bot_has_not_answered_in_takes_its_topic_from_the_opening_message():
    messages = [
        {"ts": "5.0", "user": "UALICE", "text": "North Korean troops reported in Kursk"},
        {"ts": "6.0", "user": "UBOB", "text": f"<@{BOT}> how many were wounded?"},
    ]
    (turn,) = turns_from_thread(messages, before_ts="6.0", bot_user_id=BOT)
    assert turn.standalone_question == "North Korean troops reported in Kursk"
    assert turns_from_thread(messages[:1], before_ts="5.0", bot_user_id=BOT) == []


def test_bot_answers_in_a_thread_are_its_turns_read_back_from_their_metadata():
    first = answer("How many troops were hurt?")
    follow = answer("and who said that?", "Who said North Korean troops were hurt in Kursk?")
    messages = [
        {"ts": "100.0", "user": "UALICE", "text": f"<@{BOT}> How many troops were hurt?"},
        {"ts": "101.0", "bot_id": "B1", "text": "30 [1].", "metadata": answer_metadata(first)},
        {"ts": "102.0", "bot_id": "B1", "text": "Said [1].", "metadata": answer_metadata(follow)},
        {"ts": "103.0", "user": "UALICE", "text": "and when?"},
    ]
    turns = turns_from_thread(messages, before_ts="103.0", bot_user_id=BOT)
    assert [t.question for t in turns] == ["How many troops were hurt?", "and who said that?"]
    assert turns[1].standalone_question == follow.standalone_question
    assert [t.index for t in turns] == [0, 1] and turns[1].answer_text == "Said [1]."


def test_messages_from_bots_are_recognised():
    assert from_bot({"bot_id": "B1"}, BOT) and from_bot({"user": BOT}, BOT)
    assert from_bot({"subtype": "bot_message"}, None)
    assert not from_bot({"user": "UALICE"}, BOT)
