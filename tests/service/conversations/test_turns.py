"""One conversation turn: the follow-up asked as a standalone question, the answer shown under
the user's own words, on record in the answer log and the conversation."""

from __future__ import annotations

from datetime import date

import pytest

from service.contract import MAX_QUESTION_CHARS, Answer, AskRequest
from service.conversations.store import ConversationStore
from service.conversations.turns import Turns
from service.stores.answer_log import AnswerLog
from tests.support.answers import make_answer

pytestmark = pytest.mark.unit

FIRST = "How many North Korean troops were killed or wounded in the Kursk region?"


def answer_to(request: AskRequest) -> Answer:
    """What the answer service says: the question it was asked, answered."""
    return make_answer(request.question, text="About 30 [1].")


@pytest.fixture
def stores(tmp_path):
    path = tmp_path / "db.sqlite3"
    return AnswerLog(path), ConversationStore(path)


@pytest.fixture
def turns(stores) -> Turns:
    answers, conversations = stores
    return Turns(conversations, lambda answer: answers.record_answer(answer, "test"))


def take(turns: Turns, conversation_id: str | None, asked: AskRequest, rewriter=None):
    history = turns.conversations.history(conversation_id) if conversation_id else []
    pending = turns.begin(asked, history, rewriter)
    return pending, *turns.finish(pending, answer_to(pending.request), conversation_id)


def test_a_first_question_is_asked_and_kept_as_it_was_asked(turns, stores):
    conversation = turns.conversations.create()
    pending, answer, turn = take(turns, conversation.id, AskRequest(question=FIRST))
    assert pending.request.question == FIRST
    assert answer.question == FIRST and answer.standalone_question is None
    assert (turn.index, turn.question, turn.answer_id) == (0, FIRST, answer.id)
    assert stores[0].get_answer(answer.id) == answer


def test_a_follow_up_is_answered_standing_alone_and_shown_as_asked(turns, stores):
    conversation = turns.conversations.create()
    take(turns, conversation.id, AskRequest(question=FIRST))
    asked = AskRequest(question="and who reported that?", source="BBC", as_of=date(2024, 12, 20))
    pending, answer, turn = take(turns, conversation.id, asked)

    assert "Kursk" in pending.request.question
    assert (pending.request.source, pending.request.as_of) == ("BBC", date(2024, 12, 20))
    assert answer.question == "and who reported that?"
    assert answer.standalone_question == pending.request.question
    assert (turn.index, turn.question) == (1, "and who reported that?")
    assert turn.standalone_question == pending.request.question
    assert stores[0].get_answer(answer.id).standalone_question == pending.request.question


def test_a_rewrite_over_the_length_limit_gives_way_to_the_question(turns):
    conversation = turns.conversations.create()
    take(turns, conversation.id, AskRequest(question=FIRST))
    pending, answer, _ = take(
        turns,
        conversation.id,
        AskRequest(question="and who said that?"),
        rewriter=lambda question, history: "x" * (MAX_QUESTION_CHARS + 1),
    )
    assert pending.request.question == "and who said that?"
    assert answer.standalone_question is None


def test_without_a_conversation_the_answer_is_only_recorded(turns, stores):
    _, answer, turn = take(turns, None, AskRequest(question=FIRST))
    assert turn is None and stores[0].get_answer(answer.id) == answer
