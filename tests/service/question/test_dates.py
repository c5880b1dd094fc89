from datetime import UTC, date, datetime

import pytest

from service.question.dates import CALENDAR_WORDS, MONTHS, find_dates

pytestmark = pytest.mark.unit

AS_OF = date(2023, 12, 26)  # a Tuesday


def day(text: str, end: bool = False) -> datetime:
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return moment.replace(hour=23, minute=59, second=59, microsecond=999999) if end else moment


def windows(question: str, as_of: date = AS_OF) -> list[tuple[datetime | None, datetime | None]]:
    return [(w.after, w.before) for w in find_dates(question, as_of)]


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


def test_everyday_words_are_not_months():
    assert windows("Regulators may act; protesters march on the capital.") == []
    assert windows("In May 2023 the law changed") == [
        (day("2023-05-01"), day("2023-05-31", end=True))
    ]


def test_impossible_dates_are_ignored():
    assert windows("on February 30, 2023") == []


def test_one_calendar_list_gives_every_form_of_the_names():
    assert MONTHS["sept"] == MONTHS["sep"] == MONTHS["september"] == 9
    assert len(set(MONTHS.values())) == 12
    assert {"May", "December", "Sunday"} <= CALENDAR_WORDS and len(CALENDAR_WORDS) == 19
