"""Dates read out of a question, deterministically, and the one list of calendar words.

Dates are read relative to the question's ``as_of`` day (or today): "on October 5, 2023",
"in late November 2023", "before October 2023", "last week", "between May 1 and May 9".
Anything the parser does not recognise is left out; a question it cannot read runs unfiltered.
The month and weekday names here are the only ones: the name and answer-kind readers derive
theirs from them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

# Each month's forms, full name first; the one list every calendar word derives from.
_MONTH_FORMS = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
MONTH_NAMES = tuple(forms[0] for forms in _MONTH_FORMS)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {name: number for number, forms in enumerate(_MONTH_FORMS, start=1) for name in forms}
"""Every form of a month's name, lower case, to its number."""
CALENDAR_WORDS = frozenset(word.capitalize() for word in (*MONTH_NAMES, *WEEKDAYS))
"""Month and weekday names as a name in a question would spell them."""
# Month names that are also everyday words count only when capitalised.
_AMBIGUOUS_MONTHS = {"may", "mar", "march", "jan", "dec", "sep", "oct", "nov", "aug", "jun"}
_NUMBERS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_PART = r"early|mid|late|the (?:start|beginning|middle|end) of|the first half of|the second half of"
_DATE = (
    rf"(?P<iso>{_YEAR}-\d{{2}}-\d{{2}})"
    rf"|(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:,?\s+(?P<y1>{_YEAR}))?"
    rf"|(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{_MONTH}),?(?:\s+(?P<y2>{_YEAR}))?"
    rf"|(?:(?P<part>{_PART})[\s-]+)?(?P<m3>{_MONTH})(?:,?\s+(?P<y3>{_YEAR}))?"
)
_RELATIVE = (
    r"(?P<rel>yesterday|today|this\s+morning"
    r"|(?P<which>last|past|previous|this|the\s+past|the\s+last)\s+"
    r"(?:(?P<count>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+)?"
    r"(?P<unit>days?|weeks?|weekend|months?)"
    r"|(?P<ago_n>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?P<ago_unit>days?|weeks?|months?)\s+ago)"
)
_PREP = r"before|after|since|until|till|by|from|in|during|on|as\s+of|prior\s+to"
_EXPRESSION = re.compile(
    rf"\b(?:(?P<prep>{_PREP})\s+(?:the\s+)?)?(?:{_RELATIVE}|{_DATE})\b", re.IGNORECASE
)
_BETWEEN = re.compile(
    rf"\b(?:between|from)\s+(?P<a>(?:{_DATE}))\s+(?:and|to|until|through)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateWindow:
    """A span of publication time read from the question; ``None`` leaves a side open."""

    text: str
    after: datetime | None
    before: datetime | None
    start: int = 0


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _end(day: date) -> datetime:
    """The last instant of ``day``: windows are inclusive on both sides."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _count(word: str | None) -> int:
    if not word:
        return 1
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def _month_number(token: str) -> int:
    return MONTHS[token.rstrip(".").lower()]


def _year_for(month: int, day: int, today: date) -> int:
    """A date named without a year is the latest such date not after ``today``."""
    year = today.year
    try:
        candidate = date(year, month, day)
    except ValueError:
        return year - 1
    return year if candidate <= today else year - 1


def _span(match: re.Match[str], today: date) -> tuple[date, date] | None:
    """First and last day of the absolute date expression in ``match``, if it is one."""
    g = match.groupdict()
    try:
        if g["iso"]:
            day = date.fromisoformat(g["iso"])
            return day, day
        if g["m1"] or g["m2"]:
            month = _month_number(g["m1"] or g["m2"])
            number = int(re.match(r"\d+", g["d1"] or g["d2"]).group(0))
            year_text = g["y1"] or g["y2"]
            year = int(year_text) if year_text else _year_for(month, number, today)
            day = date(year, month, number)
            return day, day
    except ValueError:
        return None
    if not g["m3"]:
        return None
    token = g["m3"].rstrip(".")
    if token.lower() in _AMBIGUOUS_MONTHS and not token[0].isupper():
        return None
    if not (g["y3"] or g["part"] or g.get("prep")):
        return None
    month = _month_number(token)
    year = int(g["y3"]) if g["y3"] else _year_for(month, 1, today)
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = 1, last
    part = (g["part"] or "").lower()
    if part in ("early", "the start of", "the beginning of"):
        last_day = 10
    elif part in ("mid", "the middle of"):
        first_day, last_day = 11, 20
    elif part in ("late", "the end of"):
        first_day = 21
    elif part == "the first half of":
        last_day = 15
    elif part == "the second half of":
        first_day = 16
    return date(year, month, first_day), date(year, month, last_day)


def _relative(match: re.Match[str], today: date) -> tuple[date, date] | None:
    g = match.groupdict()
    word = (g["rel"] or "").lower()
    if word == "today" or word == "this morning":
        return today, today
    if word == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if g["ago_unit"]:
        n, unit = _count(g["ago_n"]), g["ago_unit"].lower().rstrip("s")
        delta = timedelta(days=n * (7 if unit == "week" else 30 if unit == "month" else 1))
        day = today - delta
        return (day - timedelta(days=3), day + timedelta(days=3)) if unit != "day" else (day, day)
    which = re.sub(r"\s+", " ", (g["which"] or "").lower())
    unit = g["unit"].lower()
    n = _count(g["count"])
    if unit == "weekend":
        saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
        if which == "this" and today.weekday() >= 5:
            saturday = today - timedelta(days=today.weekday() - 5)
        return saturday, saturday + timedelta(days=1)
    unit = unit.rstrip("s")
    if g["count"] or which in ("past", "the past", "the last"):
        days = n * {"day": 1, "week": 7, "month": 30}[unit]
        return today - timedelta(days=days), today
    if unit == "day":
        return today - timedelta(days=1), today
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        if which == "this":
            return monday, today
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first = today.replace(day=1)
    if which == "this":
        return first, today
    previous = first - timedelta(days=1)
    return previous.replace(day=1), previous


def find_dates(question: str, today: date) -> list[DateWindow]:
    """Every date window ``question`` names, in order; "between A and B" is one window."""
    windows: list[DateWindow] = []
    taken: list[tuple[int, int]] = []
    for between in _BETWEEN.finditer(question):
        first = _span(between, today)
        rest = _EXPRESSION.match(question, between.end())
        second = _span(rest, today) if rest and not rest.group("prep") else None
        if first and second:
            windows.append(
                DateWindow(
                    question[between.start() : rest.end()],
                    _start(first[0]),
                    _end(second[1]),
                    between.start(),
                )
            )
            taken.append((between.start(), rest.end()))
    for match in _EXPRESSION.finditer(question):
        if any(start <= match.start() < end for start, end in taken):
            continue
        span = _relative(match, today) if match.group("rel") else _span(match, today)
        if span is None:
            continue
        first, last = span
        prep = re.sub(r"\s+", " ", (match.group("prep") or "").lower())
        text = match.group(0)
        if prep in ("before", "prior to"):
            windows.append(
                DateWindow(text, None, _start(first) - timedelta(microseconds=1), match.start())
            )
        elif prep in ("until", "till", "by", "as of"):
            windows.append(DateWindow(text, None, _end(last), match.start()))
        elif prep == "after":
            windows.append(
                DateWindow(text, _end(last) + timedelta(microseconds=1), None, match.start())
            )
        elif prep == "since":
            windows.append(DateWindow(text, _start(first), None, match.start()))
        else:
            windows.append(DateWindow(text, _start(first), _end(last), match.start()))
    return windows
