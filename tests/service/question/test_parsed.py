"""The question read once: one object carries what retrieval, the decline rules and the
answerers need, so none of them reads the raw text again."""

from datetime import UTC, date, datetime

import pytest

from service.question.parsed import parse_question

pytestmark = pytest.mark.unit

SOURCES = ["TechCrunch", "The Verge", "The Age", "Sporting News"]
AS_OF = date(2023, 12, 26)


def day(text: str, end: bool = False) -> datetime:
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return moment.replace(hour=23, minute=59, second=59, microsecond=999999) if end else moment


def test_one_parse_carries_what_every_later_stage_needs():
    question = (
        "Who, according to a TechCrunch article and a Bloomberg report on October 5, 2023, "
        "hired Shubha Satheesh?"
    )
    parsed = parse_question(question, SOURCES, AS_OF)
    assert parsed.text == question
    assert parsed.kind == "name"
    assert parsed.sources == ["TechCrunch"]
    assert [(d.after, d.before) for d in parsed.dates] == [
        (day("2023-10-05"), day("2023-10-05", end=True))
    ]
    assert parsed.unknown_outlets == ["Bloomberg"]
    assert parsed.names == ["Shubha Satheesh"], "outlets are not names asked about"
    assert {"who", "shubha", "satheesh", "techcrunch"} <= parsed.words


def test_metadata_off_leaves_out_what_retrieval_uses_but_not_what_the_rules_check():
    question = "Did a Bloomberg report on The Age's coverage of Travis Kelce on December 3, 2023?"
    on = parse_question(question, SOURCES, AS_OF)
    off = parse_question(question, SOURCES, AS_OF, metadata=False)
    assert on.outlets and on.dates
    assert off.outlets == [] and off.dates == []
    assert off.unknown_outlets == on.unknown_outlets == ["Bloomberg"]
    assert off.names == on.names == ["Travis Kelce"]
    assert off.kind == on.kind and off.words == on.words


def test_without_as_of_relative_dates_are_read_against_today():
    today = datetime.now(UTC).date()
    (window,) = [(w.after, w.before) for w in parse_question("news from today", SOURCES).dates]
    assert window[0].date() == today == window[1].date()


def test_a_question_without_metadata_parses_to_nothing():
    parsed = parse_question("Who won the match?", SOURCES, AS_OF)
    assert parsed.outlets == [] and parsed.dates == []
    assert parsed.date_range == (None, None)
    assert parsed.unknown_outlets == [] and parsed.names == []


def test_the_date_range_holds_every_window():
    parsed = parse_question("on October 28, 2023 and on December 12, 2023", SOURCES, AS_OF)
    assert parsed.date_range == (day("2023-10-28"), day("2023-12-12", end=True))
    open_ended = parse_question("before October 22 and on December 12, 2023", SOURCES, AS_OF)
    assert open_ended.date_range == (None, day("2023-12-12", end=True))
