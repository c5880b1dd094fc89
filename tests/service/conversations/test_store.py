"""Conversations in SQLite: turns in order, safe under concurrent writers, one per thread."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from service.contract import DirectAnswer
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


def test_a_turn_keeps_the_span_its_answer_gave(tmp_path):
    store = ConversationStore(tmp_path / "db.sqlite3")
    conversation = store.create()
    named = make_answer("Who runs Norrvik?", direct=DirectAnswer(form="span", text="Tobias Lyng"))
    verdict = make_answer("Is he staying?", direct=DirectAnswer(form="verdict", text="Yes."))
    store.add_turn(conversation.id, "Who runs Norrvik?", named)
    store.add_turn(conversation.id, "Is he staying?", verdict)
    assert [t.answer_span for t in store.history(conversation.id)] == ["Tobias Lyng", ""]


def test_a_file_from_before_answer_spans_opens_and_keeps_its_turns(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE conversations (id TEXT PRIMARY KEY, channel TEXT NOT NULL,
                external_key TEXT UNIQUE, created_at TEXT NOT NULL);
            CREATE TABLE turns (conversation_id TEXT NOT NULL, idx INTEGER NOT NULL,
                question TEXT NOT NULL, standalone_question TEXT NOT NULL, answer_id TEXT,
                answer_text TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
                PRIMARY KEY (conversation_id, idx));
            INSERT INTO conversations VALUES ('c1', 'api', NULL, '2026-11-01T00:00:00+00:00');
            INSERT INTO turns VALUES ('c1', 0, 'Who won?', 'Who won?', 'a1', 'The council.',
                'answered', '2026-11-01T00:00:00+00:00');
            """
        )
    store = ConversationStore(path)
    (old,) = store.history("c1")
    assert old.question == "Who won?" and old.answer_span == ""
    store.add_turn("c1", "and when?", make_answer("and when?"))
    assert [t.index for t in store.history("c1")] == [0, 1]
