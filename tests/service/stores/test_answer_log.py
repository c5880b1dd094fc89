"""The answer log: every answer kept whole under its id, and the feedback given on it."""

import pytest

from service.stores.answer_log import AnswerLog, UnknownAnswer
from tests.support.answers import make_answer

pytestmark = pytest.mark.unit


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
