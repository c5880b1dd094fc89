"""Content words: the words two texts share once the words every text uses are left out.

There are two vocabularies, and each caller names the one it uses, because each threshold
built on word overlap was calibrated with its own: the extractive answerer's sentence scores
and ``decline_threshold`` with bm25s' ``STOPWORDS_EN_PLUS``, words as written; the citation
support check's ``THRESHOLD`` with bm25s' ``STOPWORDS_EN`` plus common reporting words, plurals
folded. Merging them would move answers without a recalibration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS

_WORD = re.compile(r"\w\w+")


@dataclass(frozen=True)
class Vocabulary:
    """Which words carry no content, and whether plurals meet their singular."""

    stopwords: frozenset[str]
    fold_plurals: bool


ANSWER_VOCABULARY = Vocabulary(frozenset(STOPWORDS_EN_PLUS), fold_plurals=False)
"""The extractive answerer's (calibrated with ``decline_threshold``)."""

SUPPORT_VOCABULARY = Vocabulary(
    frozenset(STOPWORDS_EN)
    | frozenset(
        "about after also been before being both can could did does had has have he her his "
        "how its it's more most new one other over said say says she so some than their them "
        "they those through up was we were what when where which while who will would".split()
    ),
    fold_plurals=True,
)
"""The citation support check's (calibrated with ``support.THRESHOLD``)."""


def content_words(text: str, vocabulary: Vocabulary) -> set[str]:
    """The words of ``text`` (lower case, two letters or more) outside the stopwords."""
    words = (w for w in _WORD.findall(text.lower()) if w not in vocabulary.stopwords)
    return {_fold(w) for w in words} if vocabulary.fold_plurals else set(words)


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    import Stemmer

    return Stemmer.Stemmer("english").stemWord


def stems(words: Iterable[str]) -> set[str]:
    """Snowball stems, so "pushed" meets "pushes" and "record" meets "recorded"."""
    stem = _stemmer()
    return {stem(w) for w in words}


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
