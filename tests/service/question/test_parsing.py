from datetime import UTC, date, datetime

import pytest

from service.question.parsing import outlet_aliases, parse_question

pytestmark = pytest.mark.unit

SOURCES = [
    "TechCrunch",
    "The Verge",
    "Fortune",
    "The New York Times",
    "The Independent - Life and Style",
    "The Independent - Sports",
    "FOX News - Health",
    "Cnbc | World Business News Leader",
    "CBSSports.com",
]
AS_OF = date(2023, 12, 26)  # a Tuesday


def day(text: str, end: bool = False) -> datetime:
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return moment.replace(hour=23, minute=59, second=59, microsecond=999999) if end else moment


def windows(question: str, as_of: date = AS_OF) -> list[tuple[datetime | None, datetime | None]]:
    return [(w.after, w.before) for w in parse_question(question, SOURCES, as_of).dates]


def test_outlets_named_in_a_question_are_the_index_spellings():
    parsed = parse_question(
        "As reported by TechCrunch and The Verge, and in The New York Times' story?", SOURCES
    )
    assert parsed.sources == ["TechCrunch", "The Verge", "The New York Times"]


def test_an_outlet_name_before_its_tagline_matches_every_section():
    parsed = parse_question("What did The Independent and CNBC say about fox news?", SOURCES)
    assert parsed.sources == [
        "The Independent - Life and Style",
        "The Independent - Sports",
        "Cnbc | World Business News Leader",
    ]


def test_a_lower_case_word_that_spells_an_outlet_is_not_one():
    assert parse_question("He spent a fortune on the verge of collapse", SOURCES).sources == []


def test_outlets_not_in_the_index_are_not_filters():
    assert parse_question("What did The Times of India report?", SOURCES).outlets == []


def test_aliases_drop_taglines_domains_and_a_leading_the():
    assert outlet_aliases("The Sydney Morning Herald") == {
        "The Sydney Morning Herald",
        "Sydney Morning Herald",
    }
    assert "CBSSports" in outlet_aliases("CBSSports.com")
    assert "Cnbc" in outlet_aliases("Cnbc | World Business News Leader")


def test_an_exact_day_is_that_whole_day():
    assert windows("What did Polygon publish on September 26, 2023?") == [
        (day("2023-09-26"), day("2023-09-26", end=True))
    ]
    assert windows("the 5th of October 2023 and 2023-11-02") == [
        (day("2023-10-05"), day("2023-10-05", end=True)),
        (day("2023-11-02"), day("2023-11-02", end=True)),
    ]


def test_a_day_without_a_year_is_the_latest_one_not_after_as_of():
    assert windows("the report on October 22") == [(day("2023-10-22"), day("2023-10-22", end=True))]
    assert windows("the report on December 30") == [
        (day("2022-12-30"), day("2022-12-30", end=True))
    ]


def test_parts_of_a_month():
    assert windows("in late November 2023") == [(day("2023-11-21"), day("2023-11-30", end=True))]
    assert windows("in early October 2023") == [(day("2023-10-01"), day("2023-10-10", end=True))]
    assert windows("mid-December 2023") == [(day("2023-12-11"), day("2023-12-20", end=True))]
    assert windows("during November") == [(day("2023-11-01"), day("2023-11-30", end=True))]


def test_before_and_after_leave_one_side_open():
    assert windows("Was it reported before October 2023?") == [(None, day("2023-09-30", end=True))]
    assert windows("after November 5, 2023") == [(datetime(2023, 11, 6, tzinfo=UTC), None)]
    assert windows("since September 2023") == [(day("2023-09-01"), None)]
    assert windows("by December 1, 2023") == [(None, day("2023-12-01", end=True))]


def test_between_two_dates_is_one_window():
    assert windows("between October 2 and October 9, 2023") == [
        (day("2023-10-02"), day("2023-10-09", end=True))
    ]


def test_relative_dates_are_read_against_as_of():
    assert windows("What happened last week?") == [(day("2023-12-18"), day("2023-12-24", end=True))]
    assert windows("news from yesterday") == [(day("2023-12-25"), day("2023-12-25", end=True))]
    assert windows("in the past 3 days") == [(day("2023-12-23"), day("2023-12-26", end=True))]
    assert windows("reported last month") == [(day("2023-11-01"), day("2023-11-30", end=True))]
    assert windows("this week") == [(day("2023-12-25"), day("2023-12-26", end=True))]


def test_without_as_of_relative_dates_are_read_against_today():
    today = datetime.now(UTC).date()
    (window,) = [(w.after, w.before) for w in parse_question("news from today", SOURCES).dates]
    assert window[0].date() == today == window[1].date()


def test_everyday_words_are_not_months():
    assert windows("Regulators may act; protesters march on the capital.") == []
    assert windows("In May 2023 the law changed") == [
        (day("2023-05-01"), day("2023-05-31", end=True))
    ]


def test_a_question_without_metadata_parses_to_nothing():
    parsed = parse_question("Who won the match?", SOURCES, AS_OF)
    assert parsed.outlets == [] and parsed.dates == []
    assert parsed.date_range == (None, None)


def test_the_date_range_holds_every_window():
    parsed = parse_question("on October 28, 2023 and on December 12, 2023", SOURCES, AS_OF)
    assert parsed.date_range == (day("2023-10-28"), day("2023-12-12", end=True))
    open_ended = parse_question("before October 22 and on December 12, 2023", SOURCES, AS_OF)
    assert open_ended.date_range == (None, day("2023-12-12", end=True))


def test_impossible_dates_are_ignored():
    assert windows("on February 30, 2023") == []
