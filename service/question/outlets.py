"""Outlets a question names, and the ones it credits as its source that the index lacks.

Outlet names are matched only against the outlets present in the index (with their short forms:
"The Independent" for "The Independent - Sports"), so an unknown name is simply not a filter.

A question resting on a publication the index does not hold ("a Bloomberg article", "a report
by Reuters") is declined. Only explicit attributions count: an article-like noun next to a
capitalised name, or "reported / published / covered by". "According to Elon Musk" or "the
NCAA's ruling" attribute nothing. An attributed name is known when it is one of the index's
outlets, a shorter form of one ("BBC" for "BBC News") or a longer name containing one ("The
Hindu Business Line"): in doubt the question runs, because wrongly declining costs the reader
more than one extra answer with quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from service.question.dates import MONTHS

_SEPARATORS = re.compile(r" - | \| |: ")
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


@dataclass(frozen=True)
class OutletMention:
    """Where the question names an outlet, and the index outlets that name stands for."""

    text: str
    sources: tuple[str, ...]
    start: int = 0
    end: int = 0


def outlet_aliases(source: str) -> set[str]:
    """How a question may name an outlet: in full, its name before a tagline, without 'The'."""
    names = {source.strip()}
    head = _SEPARATORS.split(source, maxsplit=1)[0].strip()
    names.add(head)
    bare = re.sub(r"\.(com|org|net|co\.uk)$", "", head, flags=re.IGNORECASE)
    names.add(bare)
    for name in list(names):
        words = name.split()
        if words[:1] == ["The"] and len(words) >= 3:
            names.add(" ".join(words[1:]))
    return {n for n in names if len(n) >= 3}


@lru_cache(maxsize=8)
def _alias_pattern(sources: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, tuple]]:
    owners: dict[str, list[str]] = {}
    for source in sources:
        for alias in outlet_aliases(source):
            owners.setdefault(alias.casefold(), []).append(source)
    if not owners:
        return None, {}
    alternatives = sorted(owners, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w])",
        re.IGNORECASE,
    )
    return pattern, {alias: tuple(sorted(set(srcs))) for alias, srcs in owners.items()}


def find_outlets(question: str, sources: tuple[str, ...]) -> list[OutletMention]:
    """Mentions of the index's outlets (``sources``, sorted), longest name first; a lower-case
    word ('fortune') is not an outlet."""
    pattern, owners = _alias_pattern(sources)
    if pattern is None:
        return []
    found: dict[tuple[str, ...], OutletMention] = {}
    for match in pattern.finditer(question):
        text = match.group(0)
        if text[0].isalpha() and not text[0].isupper():
            continue
        owned = owners[text.casefold()]
        found.setdefault(owned, OutletMention(text, owned, match.start(), match.end()))
    return list(found.values())


def attributed_outlets(question: str, held: Sequence[OutletMention] = ()) -> list[str]:
    """Names the question credits as the source of its information, first mention order.

    A name overlapping one of the index's outlets named in the question (``held``, from
    ``find_outlets``) is that outlet, which also keeps an outlet whose name holds punctuation
    ("Live Science: The Most Interesting Articles") from being read in pieces."""
    spans = [(m.start, m.end) for m in held]
    found: list[str] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(question):
            if _POSSESSIVE.search(match.group("name")):
                continue
            for start, end in _parts(match):
                if any(start < held_end and held_start < end for held_start, held_end in spans):
                    continue
                name = re.sub(r"^[Tt]he\s+", "", question[start:end]).strip(" .,;:'’\"")
                words = name.split()
                if not words or not words[0][0].isupper() or words[0].lower() in MONTHS:
                    continue
                if name not in found:
                    found.append(name)
    return found


def unknown_outlets(
    question: str, sources: tuple[str, ...], held: Sequence[OutletMention]
) -> list[str]:
    """Attributed names that match none of ``sources`` (the index's outlets, sorted);
    ``held`` are the mentions of them ``find_outlets`` found."""
    known = _known_aliases(sources)
    return [
        name
        for name in attributed_outlets(question, held)
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
