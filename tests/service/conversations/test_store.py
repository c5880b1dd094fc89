"""Conversations in SQLite: turns in order, safe under concurrent writers, one per thread."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from service.conversations.store import ConversationStore
from tests.support.answers import make_answer

pytestmark = pytest.mark.unit


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
