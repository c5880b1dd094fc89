"""Reading Slack: the question in a message's markup, and a thread as a conversation.

A thread is the conversation: bot answers carry Slack message metadata (the question, the
standalone question it was read as, the answer id), so a follow-up is rewritten from the thread
itself, whichever replica answers it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from service.contract import Answer
from service.conversations.store import Turn, answer_span

METADATA_EVENT = "newsdesk_answer"

_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\|[^>]*)?>")


def question_from(text: str, bot_user_id: str | None) -> str:
    """The question as the user typed it: the bot's mention removed, Slack markup undone."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _CHANNEL_REF.sub(lambda m: f"#{m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def turns_from_thread(
    messages: Sequence[dict], before_ts: str, bot_user_id: str | None
) -> list[Turn]:
    """The conversation so far, read from a Slack thread (conversations.replies, oldest first).

    Each earlier bot answer is a turn (from its metadata). A thread the bot has not answered in
    yet still has a topic: its opening message, when a person wrote it.
    """
    turns: list[Turn] = []
    opening: dict | None = None
    for message in messages:
        if float(message.get("ts", "0")) >= float(before_ts):
            break
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_EVENT and payload.get("question"):
            turns.append(
                Turn(
                    index=len(turns),
                    question=payload["question"],
                    standalone_question=payload.get("standalone_question") or payload["question"],
                    answer_id=payload.get("answer_id"),
                    answer_text=message.get("text", ""),
                    answer_span=payload.get("answer_span", ""),
                    status=payload.get("status", "answered"),
                    created_at=_ts_datetime(message["ts"]),
                )
            )
        elif opening is None and not from_bot(message, bot_user_id):
            opening = message
    if turns or opening is None:
        return turns
    topic = question_from(opening.get("text", ""), bot_user_id)
    if not topic:
        return []
    return [
        Turn(
            index=0,
            question=topic,
            standalone_question=topic,
            created_at=_ts_datetime(opening["ts"]),
        )
    ]


def _ts_datetime(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def from_bot(event: dict, bot_user_id: str | None) -> bool:
    """Written by this bot or another one: never answered, so bots cannot talk in loops."""
    return bool(
        event.get("bot_id")
        or event.get("subtype") == "bot_message"
        or (bot_user_id and event.get("user") == bot_user_id)
    )


def answer_metadata(answer: Answer) -> dict:
    """What a posted answer carries so ``turns_from_thread`` can read it back as a turn."""
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {
            "answer_id": answer.id,
            "question": answer.question,
            "standalone_question": answer.standalone_question or answer.question,
            "status": answer.status,
            "answer_span": answer_span(answer),
        },
    }
