"""The words that pin a fact to one occasion: a weekday, a quarter, a half, a year, or a period
counted from now ("on Thursday", "for the third quarter", "in 2024", "last season").

Two texts naming different values of one kind speak of different occasions: a sentence about
the flights cancelled "on Tuesday and Wednesday" does not say how many were cancelled "on
Thursday", and "31 goals last season" is not the goals of "his first season at the club".
Months are left out: a sentence names other months as background too often ("unchanged since
March"), and the question's month is checked against publication dates instead
(``service.answering.direct.neighbours``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.question.dates import WEEKDAYS

_ORDINALS = {
    "first": "1",
    "1st": "1",
    "second": "2",
    "2nd": "2",
    "third": "3",
    "3rd": "3",
    "fourth": "4",
    "4th": "4",
}
_RELATIVE = {"last": "last", "past": "last", "previous": "last", "this": "this", "next": "next"}
_PATTERNS = (
    ("weekday", re.compile(rf"\b(?P<value>{'|'.join(WEEKDAYS)})s?\b", re.IGNORECASE)),
    (
        "quarter",
        re.compile(
            r"\b(?P<value>first|second|third|fourth|[1-4](?:st|nd|rd|th))[\s-]+quarter\b"
            r"|\bQ(?P<q>[1-4])\b",
            re.IGNORECASE,
        ),
    ),
    ("half", re.compile(r"\b(?P<value>first|second)[\s-]+half\b", re.IGNORECASE)),
    ("year", re.compile(r"(?<![\d-])(?P<value>(?:19|20)\d{2})(?![\d-])")),
    (
        "period",
        re.compile(
            r"\b(?P<value>last|past|previous|this|next|first|second|third|fourth)\s+"
            r"(?P<unit>season|year|week|month)s?\b",
            re.IGNORECASE,
        ),
    ),
)


@dataclass(frozen=True)
class Qualifier:
    kind: str
    """"weekday", "quarter", "half", "year", or "period <unit>" ("period season")."""
    value: str
    """Normalised: "thursday", "3", "2024", "last"."""
    text: str
    start: int
    end: int


def qualifiers(text: str) -> list[Qualifier]:
    found = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            word = (match.group("value") or "").lower()
            name, value = kind, word
            if kind == "quarter":
                value = match.group("q") or _ORDINALS.get(word, word[:1])
            elif kind == "half":
                value = _ORDINALS[word]
            elif kind == "period":
                name = f"period {match.group('unit').lower()}"
                value = _RELATIVE.get(word) or _ORDINALS[word]
            found.append(Qualifier(name, value, match.group(), match.start(), match.end()))
    return found


def clash(asked: str, said: str) -> tuple[Qualifier, list[Qualifier]] | None:
    """A qualifier of ``asked`` whose kind ``said`` names only with other values, with them."""
    stated = qualifiers(said)
    for wanted in qualifiers(asked):
        same_kind = [q for q in stated if q.kind == wanted.kind]
        if same_kind and all(q.value != wanted.value for q in same_kind):
            return wanted, same_kind
    return None


def replaced(text: str, new: Sequence[Qualifier]) -> str | None:
    """``text`` with its one qualifier of each kind in ``new`` replaced by the new one ("What
    did Valmora record on Thursday?" with "Friday"); None when a kind is missing or named
    twice, so the substitution would be a guess."""
    old = qualifiers(text)
    edits = []
    for q in new:
        same = [o for o in old if o.kind == q.kind]
        if len(same) != 1:
            return None
        edits.append((same[0], q.text))
    for target, value in sorted(edits, key=lambda e: -e[0].start):
        text = text[: target.start] + value + text[target.end :]
    return text
