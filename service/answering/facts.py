"""Every figure, date and name a written sentence states must be in a passage it cites.

A sentence can sit close to a passage in meaning and wording and still change the one thing a
reader wanted from it: "3.84 billion" written as "3.48 billion", the chief executive's name
taken from another article, "Friday" for "Thursday". The similarity check
(``service.answering.support``) cannot see that; this check can, and it is cheap. What it
compares, once normalised:

- *figures*: numbers with commas and trailing decimal zeros dropped ("1,200" = "1200", "3.50"
  = "3.5"), small numbers written as words ("seven" = "7", "fourth" = "4th"), with the unit
  that follows them: "percent", "per cent" and "%" are one unit, as are "bn" and "billion". A
  figure whose unit is given on both sides must have the same unit ("22 percent" is not
  "22 million"); a unit on one side only is accepted ("between 3.9 and 4.1 billion" holds
  "3.9 billion"). Dates are figures and names: "5 December 2023" needs 5, 2023 and December;
- *names*: capitalised words (months and weekdays included). The sentence's first word is
  capitalised whatever it is, so it counts only when it is a name elsewhere (``known``) or
  starts a run of capitalised words. Possessives and plurals meet their bare form, and a few
  abbreviations meet their spelling out ("CEO" meets "chief executive").

The evidence is each cited passage, whole: its text (minus sentences addressed to a model,
which are no evidence: ``service.answering.instructions``), its title, outlet, author and
publication date, as the prompt gives them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from service.answering.support import SupportChecker
from service.contract import Passage
from service.question.kinds import names_within

_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_ONES = _SMALL[1:10]
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
)
NUMBER_WORDS = (
    {word: value for value, word in enumerate(_SMALL) if word != "one"}
    | {word: 20 + 10 * i for i, word in enumerate(_TENS)}
    | {word: value for value, word in enumerate(_ORDINALS, start=1)}
)
"""Numbers written as words, to their value; "one" alone is left out ("one of the" is no
figure), though "twenty-one" counts."""
_UNITS = {
    "%": "%",
    "percent": "%",
    "per cent": "%",
    "percentage point": "%",
    "percentage points": "%",
    "thousand": "thousand",
    "million": "million",
    "mn": "million",
    "billion": "billion",
    "bn": "billion",
    "trillion": "trillion",
}
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_WORDS = "|".join(sorted(set(NUMBER_WORDS) - set(_TENS), key=len, reverse=True))
_FIGURE = re.compile(
    r"(?<![\d.,])(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?(?P<ordinal>st|nd|rd|th)?"
    rf"|\b(?P<tens>{'|'.join(_TENS)})(?:[ -](?P<ones>{'|'.join(_ONES)}))?\b"
    rf"|\b(?P<word>{_WORDS})\b",
    re.IGNORECASE,
)
_UNIT_AFTER = re.compile(rf"[ \t-]*(?P<unit>{_UNIT})(?![A-Za-z])", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W\d_][\w’'.&-]*")
_NAME_PART = re.compile(r"[^\W\d_]{2,}|[A-Z]")
_NOT_NAMES = frozenset(
    "I A An The This That These Those It Its He She They We You His Her Their Our Mr Mrs Ms Dr "
    "And But Or If In On At Of To For By As".split()
)
ALIASES = {
    "ceo": ("chief executive",),
    "cfo": ("chief financial officer", "finance chief"),
    "us": ("united states", "u.s", "america"),
    "usa": ("united states", "u.s", "america"),
    "uk": ("united kingdom", "u.k", "britain"),
    "eu": ("european union", "e.u"),
    "un": ("united nations", "u.n"),
    "ai": ("artificial intelligence",),
}
"""Abbreviations a model writes for what an article spells out (lower case)."""


@dataclass(frozen=True)
class Figure:
    value: str
    """The number, normalised: "1200", "3.5", "4" (for "fourth" and "4th" too)."""
    unit: str | None
    text: str
    """As written, for the reader of a problem report."""


def _normalised(digits: str, decimals: str | None) -> str:
    whole = digits.replace(",", "").lstrip("0") or "0"
    fraction = (decimals or "").rstrip("0").rstrip(".")
    return whole + fraction


def figures(text: str) -> list[Figure]:
    """The figures in ``text``, each with the unit written after it."""
    found = []
    for match in _FIGURE.finditer(text):
        if match.group("digits"):
            value = _normalised(match.group("digits"), match.group("decimals"))
        elif match.group("tens"):
            ones = match.group("ones")
            value = str(
                NUMBER_WORDS[match.group("tens").lower()]
                + (_ONES.index(ones.lower()) + 1 if ones else 0)
            )
        else:
            value = str(NUMBER_WORDS[match.group("word").lower()])
        after = None if match.group("ordinal") else _UNIT_AFTER.match(text, match.end())
        unit = _UNITS[" ".join(after.group("unit").lower().split())] if after else None
        found.append(
            Figure(value, unit, text[match.start() : after.end() if after else match.end()])
        )
    return found


def _word_key(word: str) -> str:
    word = word.casefold().rstrip(".").removesuffix("’s").removesuffix("'s")
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def names(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """The capitalised words of ``text`` that are names. The first word is capitalised
    whatever it is: it counts when it is in ``known`` or starts a run of capitalised words
    ("Ingrid Solberg said ...")."""
    tokens = list(_TOKEN.finditer(text))
    words = [t.group().rstrip("’'.").removesuffix("’s").removesuffix("'s") for t in tokens]
    capitalised = [w[:1].isupper() and w not in _NOT_NAMES for w in words]
    run = (
        len(tokens) > 1 and capitalised[1] and not text[tokens[0].end() : tokens[1].start()].strip()
    )
    return [
        word
        for position, word in enumerate(words)
        if capitalised[position] and (position > 0 or word in known or run)
    ]


def _evidence_words(text: str) -> set[str]:
    return {_word_key(part) for part in _NAME_PART.findall(text)}


def _name_found(name: str, words: set[str], lowered: str) -> bool:
    parts = [_word_key(p) for p in _NAME_PART.findall(name)]
    if all(p in words for p in parts):
        return True
    return any(alias in lowered for alias in ALIASES.get(name.casefold().replace(".", ""), ()))


def _figure_found(figure: Figure, evidence: list[Figure]) -> bool:
    return any(
        e.value == figure.value and (e.unit == figure.unit or None in (e.unit, figure.unit))
        for e in evidence
    )


def passage_evidence(passage: Passage) -> str:
    """A passage as evidence, minus text addressed to a model: its sentences, title, outlet,
    author and publication date (as ISO and in words)."""
    chunk = passage.chunk
    parts = [t for _, _, t in SupportChecker.evidence_sentences(passage)]
    parts += [chunk.title, chunk.source or "", chunk.author or ""]
    if chunk.published:
        day = chunk.published
        parts.append(f"{day.date().isoformat()} {day:%A} {day.day} {day:%B} {day.year}")
    return "\n".join(parts)


def known_names(texts: Iterable[str]) -> frozenset[str]:
    """Words the texts capitalise mid-sentence and never write in lower case: names even where
    a sentence starts with them ("About" in a headline is not one)."""
    texts = list(texts)
    lower = {w for text in texts for w in _TOKEN.findall(text) if w[:1].islower()}
    return frozenset(w for w in names_within(texts) if w.lower() not in lower)


def missing_facts(sentence: str, evidence: Iterable[str], known: frozenset[str]) -> list[str]:
    """The figures and names of ``sentence`` that no ``evidence`` text holds, as written."""
    pool = "\n".join(evidence)
    held = figures(pool)
    words = _evidence_words(pool)
    lowered = pool.casefold()
    missing = [f.text for f in figures(sentence) if not _figure_found(f, held)]
    missing += [n for n in names(sentence, known) if not _name_found(n, words, lowered)]
    return list(dict.fromkeys(missing))
