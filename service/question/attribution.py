"""Outlets a question says its information comes from ("a Bloomberg article", "a report by
Reuters"), so a question resting on a publication the index does not hold is declined.

Only explicit attributions count: an article-like noun next to a capitalised name, or "reported /
published / covered by". "According to Elon Musk" or "the NCAA's ruling" attribute nothing. An
attributed name is known when it is one of the index's outlets, a shorter form of one ("BBC" for
"BBC News") or a longer name containing one ("The Hindu Business Line"): in doubt the question
runs, because wrongly declining costs the reader more than one extra answer with quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from service.question.parsing import MONTHS, find_outlets, outlet_aliases

_WORD = r"[A-Z][\w’'.&-]*"
_QUOTE_OPEN = r"[\"“‘']?"
_QUOTE_CLOSE = r"[\"”’']?"
_RUN = rf"(?:[Tt]he\s+)?{_WORD}(?:\s+(?:of\s+|and\s+|&\s+)?{_WORD})*"
_NAME = rf"{_QUOTE_OPEN}(?P<name>{_RUN}){_QUOTE_CLOSE}"
_NOUN = r"(?:article|report|piece|story|analysis|review|column|editorial|coverage|post)s?"
_PATTERNS = (
    re.compile(rf"\b(?:[Aa]n?|[Oo]ne|[Aa]nother|[Tt]he|[Bb]oth)\s+{_NAME}\s+{_NOUN}\b"),
    re.compile(rf"\b{_NOUN}\s+(?:by|from|in|published\s+by|published\s+in)\s+{_NAME}"),
    re.compile(rf"\banother\s+(?:one\s+)?(?:by|from|in)\s+{_NAME}"),
    re.compile(rf"\b(?:reported|published|covered)\s+(?:by|in)\s+{_NAME}"),
)
_SPLIT = re.compile(r"\s+and\s+|\s*&\s*")
_POSSESSIVE = re.compile(r"['’]s?$")


def attributed_outlets(question: str, sources: Iterable[str] = ()) -> list[str]:
    """Names the question credits as the source of its information, first mention order.

    A name overlapping one of the index's own outlets (``sources``) is that outlet, which also
    keeps an outlet whose name holds punctuation ("Live Science: The Most Interesting
    Articles") from being read in pieces."""
    held = [(m.start, m.end) for m in find_outlets(question, tuple(sorted(set(sources))))]
    found: list[str] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(question):
            if _POSSESSIVE.search(match.group("name")):
                continue
            for start, end in _parts(match):
                if any(start < held_end and held_start < end for held_start, held_end in held):
                    continue
                name = re.sub(r"^[Tt]he\s+", "", question[start:end]).strip(" .,;:'’\"")
                words = name.split()
                if not words or not words[0][0].isupper() or words[0].lower() in MONTHS:
                    continue
                if name not in found:
                    found.append(name)
    return found


def unknown_outlets(question: str, sources: Iterable[str]) -> list[str]:
    """Attributed names that match none of ``sources`` (the index's outlets)."""
    sources = tuple(sorted(set(sources)))
    known = _known_aliases(sources)
    return [
        name
        for name in attributed_outlets(question, sources)
        if not any(_related(name.casefold().split(), alias) for alias in known)
    ]


@lru_cache(maxsize=8)
def _known_aliases(sources: tuple[str, ...]) -> list[list[str]]:
    """Every way a question may name the index's outlets, as lower-case words; the outlets
    change only when articles from a new one are indexed, so this is read once per set."""
    return [
        alias.casefold().split()
        for source in sources
        for alias in outlet_aliases(source) | {re.sub(r"^The\s+", "", source)}
    ]


def _parts(match: re.Match[str]) -> list[tuple[int, int]]:
    """Spans of the outlets a matched name lists ("The New York Times and The Washington
    Post"), each to be checked against the index on its own."""
    begin, finish = match.span("name")
    spans, start = [], begin
    for separator in _SPLIT.finditer(match.group("name")):
        spans.append((start, begin + separator.start()))
        start = begin + separator.end()
    spans.append((start, finish))
    return spans


def _related(name: list[str], alias: list[str]) -> bool:
    """``name`` starts ``alias`` ("BBC" / "BBC News") or contains it as a run of words."""
    if alias[: len(name)] == name:
        return True
    return any(name[i : i + len(alias)] == alias for i in range(len(name) - len(alias) + 1))
