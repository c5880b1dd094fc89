"""A conversation read back from the messages an OpenAI client sends with each request.

The API keeps no state between chat completions: the client sends the whole conversation every
time. Its last message is the question; each earlier user message and the assistant reply after
it are a turn, whose standalone question is rewritten again, in order, the way it was when
asked (offline: the rewriter is deterministic), so a follow-up is read as it would be in
``POST /chat``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from service.conversations.followups import rewrite_followup
from service.conversations.store import Turn
from service.openai_compat.rendering import direct_span, without_sources
from service.openai_compat.schemas import ChatMessage

HISTORY_TURNS = 10
"""As many earlier turns as ``POST /chat`` reads a follow-up against."""


class NoQuestion(ValueError):
    """The messages end with no user question; ``index`` is the message at fault."""

    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class Conversation:
    question: str
    """The last user message: what is asked now."""
    history: list[Turn]
    """The turns before it, oldest first."""


def read_conversation(messages: Sequence[ChatMessage]) -> Conversation:
    """The question and the turns before it; raises NoQuestion when the last message is not a
    user's message with text."""
    last = len(messages) - 1
    if messages[last].role != "user":
        raise NoQuestion("the last message must be the user's question", last)
    question = messages[last].text.strip()
    if not question:
        raise NoQuestion("the last message has no text", last)
    turns: list[Turn] = []
    for message in messages[:last]:
        if message.role == "user" and message.text.strip():
            asked = message.text.strip()
            turns.append(
                Turn(
                    index=len(turns),
                    question=asked,
                    standalone_question=rewrite_followup(asked, turns[-HISTORY_TURNS:]),
                    created_at=datetime.now(UTC),
                )
            )
        elif message.role == "assistant" and turns and not turns[-1].answer_text:
            reply = message.text
            turns[-1] = turns[-1].model_copy(
                update={
                    "answer_text": without_sources(reply),
                    "answer_span": direct_span(reply),
                }
            )
    return Conversation(question, turns[-HISTORY_TURNS:])
