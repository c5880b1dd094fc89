"""Sentence boundaries as character spans, so every quote can point back into the body.

A rule-based splitter: deterministic, fast, no model download. Line breaks end a sentence
(headlines, list items and paragraphs in news text rarely carry a full stop), and a full
stop after a known abbreviation or an initial does not.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres "
        "inc corp co ltd llc plc bros dept univ assn est approx vs etc al fig no nos vol pp "
        "jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun "
        "u.s u.k u.n e.u a.m p.m i.e e.g d.c n.y l.a"
    ).split(" ")
)

# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital,
# digit or opening quote; or at a line break.
_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])|\n+""")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def _is_abbreviation(text: str, dot_end: int) -> bool:
    match = _WORD_BEFORE.search(text[max(0, dot_end - 12) : dot_end])
    if not match:
        return False
    word = match.group(1).lower()
    return word in ABBREVIATIONS or len(word) == 1


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in text[start:end], whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _END.finditer(text, start, end):
        is_full_stop = match.group().startswith(".") and "\n" not in match.group()
        if is_full_stop and _is_abbreviation(text, match.start() + 1):
            continue
        _append_trimmed(text, cursor, match.end(), spans)
        cursor = match.end()
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
