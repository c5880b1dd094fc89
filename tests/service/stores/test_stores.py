"""The SQLite stores behind conversations, the answer log and feedback."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from service.contract import Answer
from service.conversations.store import ConversationStore
from service.stores.answer_log import AnswerLog, UnknownAnswer

pytestmark = pytest.mark.unit


def make_answer(question: str = "Who won?", **extra) -> Answer:
    return Answer(
        id=extra.pop("id", f"a-{abs(hash(question))}"),
        question=question,
        status="answered",
        text="The council did [1].",
        created_at=datetime.now(UTC),
        **extra,
    )


def test_answer_log_keeps_the_whole_answer(tmp_path):
    store = AnswerLog(tmp_path / "db.sqlite3")
    answer = make_answer(standalone_question="Who won the vote?")
    store.record_answer(answer, channel="slack")
    assert store.get_answer(answer.id) == answer
    assert store.get_answer("missing") is None


def test_feedback_is_stored_and_survives_reopening(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = AnswerLog(path)
    answer = make_answer()
    store.record_answer(answer)
    saved = store.record_feedback(answer.id, "down", "  wrong date  ", channel="web")
    assert saved.comment == "wrong date"
    again = AnswerLog(path).list_feedback(answer.id)
    assert [(f.rating, f.comment, f.channel) for f in again] == [("down", "wrong date", "web")]


def test_feedback_for_an_unknown_answer_is_refused(tmp_path):
    store = AnswerLog(tmp_path / "db.sqlite3")
    with pytest.raises(UnknownAnswer, match="no answer with id 'nope'"):
        store.record_feedback("nope", "up")
    with pytest.raises(ValueError):
        store.record_feedback("nope", "sideways")  # type: ignore[arg-type]
    assert store.list_feedback() == []


def test_conversation_turns_in_order(tmp_path):
    store = ConversationStore(tmp_path / "db.sqlite3")
    conversation = store.create()
    store.add_turn(conversation.id, "Who won?", make_answer("Who won?"))
    follow = make_answer("and when?", standalone_question="When did the council win?")
    store.add_turn(conversation.id, "and when?", follow)
    loaded = store.get(conversation.id)
    assert [t.question for t in loaded.turns] == ["Who won?", "and when?"]
    assert loaded.turns[1].standalone_question == "When did the council win?"
    assert [t.index for t in store.history(conversation.id, limit=1)] == [1]
    assert store.get("unknown") is None
    with pytest.raises(KeyError):
        store.add_turn("unknown", "q", make_answer())


def test_concurrent_turns_are_all_kept(tmp_path):
    store = ConversationStore(tmp_path / "db.sqlite3")
    conversation = store.create()
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda i: store.add_turn(conversation.id, f"q{i}", make_answer(f"q{i}")),
                range(20),
            )
        )
    turns = store.get(conversation.id).turns
    assert sorted(t.index for t in turns) == list(range(20))


def test_external_key_maps_to_one_conversation(tmp_path):
    store = ConversationStore(tmp_path / "db.sqlite3")
    first = store.get_or_create("C1:1700000000.1", channel="slack")
    second = store.get_or_create("C1:1700000000.1", channel="slack")
    other = store.get_or_create("C1:1700000000.2", channel="slack")
    assert first.id == second.id != other.id
