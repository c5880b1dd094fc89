"""Reading an answer's text, the same way for every score: its words, whether it holds a gold
answer, the verdict it opens with, and whether it says the articles lack the answer.
"""

from __future__ import annotations

import re
import string

MARKER = re.compile(r"\[(\d+)\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans(dict.fromkeys(string.punctuation + "“”‘’—–", " "))
VERDICTS = ("yes", "no")
NOT_SAID = ("The articles do not say", "The articles do not settle it")
"""The openings of an answered text that gives no answer: the direct answer (issue #19) says
the first when the articles lack the asked fact, the second for an unsettled yes/no."""


def normalise(text: str) -> str:
    """Lower case, no [n] markers, punctuation or articles, single spaces (SQuAD-style)."""
    text = MARKER.sub(" ", text).lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains(answer: str, gold: str) -> bool:
    """Whole-word containment: 'consistent' is not found in 'inconsistent'."""
    needle = normalise(gold)
    return bool(needle) and f" {needle} " in f" {normalise(answer)} "


def first_mention(answer: str, option: str) -> int | None:
    haystack, needle = f" {normalise(answer)} ", f" {normalise(option)} "
    position = haystack.find(needle)
    return position if position >= 0 and needle.strip() else None


def yes_no(text: str) -> str | None:
    """The verdict an answer opens with: its first word, when that is yes or no."""
    words = normalise(text).split()
    return words[0] if words and words[0] in VERDICTS else None


def gold_verdict(answers: list[str]) -> str | None:
    """'yes' or 'no' for a yes/no question (its first yes/no gold answer), else None."""
    return next((v for v in map(normalise, answers) if v in VERDICTS), None)


def withholds(status: str, answer: str) -> bool:
    """Declined, or answered with a text opening with a ``NOT_SAID`` phrase (read after
    ``normalise``, so case, punctuation and citation markers do not matter)."""
    if status == "declined":
        return True
    opening = f"{normalise(answer)} "
    return status == "answered" and any(opening.startswith(f"{normalise(p)} ") for p in NOT_SAID)
