"""One turn of a conversation, the same from every channel (``POST /chat``, a Slack thread).

A follow-up is rewritten into a question that stands alone before it is asked; the answer then
goes back under the user's own wording, with the standalone question it was read as, and is put
on record in the answer log and in the conversation. The turn comes in two steps so a channel
can stream the answer between them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.contract import MAX_QUESTION_CHARS, Answer, AskRequest
from service.conversations.followups import Rewriter, rewrite_followup
from service.conversations.store import ConversationStore, Turn


@dataclass(frozen=True)
class PendingTurn:
    question: str
    """The question as the user asked it."""
    request: AskRequest
    """What is answered: the standalone question, with the user's filters."""


class Turns:
    """Starts and finishes turns; ``record`` puts an answer in the channel's answer log."""

    def __init__(self, conversations: ConversationStore, record: Callable[[Answer], None]):
        self.conversations = conversations
        self.record = record

    def begin(
        self, asked: AskRequest, history: Sequence[Turn], rewriter: Rewriter | None = None
    ) -> PendingTurn:
        """The request to answer: a rewrite over the length limit gives way to the question."""
        standalone = rewrite_followup(asked.question, history, rewriter)
        if len(standalone) > MAX_QUESTION_CHARS:
            standalone = asked.question
        fields = asked.model_dump(include=set(AskRequest.model_fields) - {"question"})
        return PendingTurn(asked.question, AskRequest(question=standalone, **fields))

    def finish(
        self, pending: PendingTurn, answer: Answer, conversation_id: str | None
    ) -> tuple[Answer, Turn | None]:
        """The answer as the user sees it, on record; its turn when there is a conversation."""
        if pending.request.question != pending.question:
            answer = answer.model_copy(
                update={
                    "question": pending.question,
                    "standalone_question": pending.request.question,
                }
            )
        # On record before it is shown, so its feedback buttons work from the first click.
        self.record(answer)
        if conversation_id is None:
            return answer, None
        return answer, self.conversations.add_turn(conversation_id, pending.question, answer)
