"""The offline answerer: quote the sentences of the retrieved passages that best answer.

Each candidate sentence is scored by embedding similarity to the question and by how many of
the question's content words it contains. When even the best sentence scores below the
calibrated threshold the question is declined instead of answered with unrelated quotes.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

from ingest.embedding import Embedder
from ingest.sentences import sentence_spans
from service.models import AnswerSentence, Citation, Passage

MIN_WORDS = 5
SIMILARITY_WEIGHT = 0.7
ANSWER_TYPE_BONUS = 0.08

# What kind of answer the question wants, read from its wording, and what a sentence that
# carries such an answer looks like. Deliberately generic: quantities and times.
_WANTS_QUANTITY = re.compile(
    r"\b(how (many|much|long|old|far|big|large)|what (was|is|were) the "
    r"(score|number|total|price|cost|percentage|rate|amount|figure|margin|result)|"
    r"by how much|what percentage)\b",
    re.I,
)
_WANTS_TIME = re.compile(r"\b(when|what (year|month|day|date)|since when)\b", re.I)
_HAS_QUANTITY = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|half)\b",
    re.I,
)
_HAS_TIME = re.compile(
    r"\b(19|20)\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|last "
    r"(week|month|year))\b",
    re.I,
)


_WORD = re.compile(r"\w\w+")
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


def answer_type_bonus(question: str, sentence: str) -> float:
    """A small lift for sentences that carry the kind of answer the question asks for."""
    if _WANTS_QUANTITY.search(question) and _HAS_QUANTITY.search(sentence):
        return ANSWER_TYPE_BONUS
    if _WANTS_TIME.search(question) and _HAS_TIME.search(sentence):
        return ANSWER_TYPE_BONUS
    return 0.0


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    start: int
    end: int
    text: str
    similarity: float
    overlap: float
    bonus: float = 0.0

    @property
    def score(self) -> float:
        blended = SIMILARITY_WEIGHT * self.similarity + (1 - SIMILARITY_WEIGHT) * self.overlap
        return blended + self.bonus


@dataclass
class Extract:
    sentences: list[AnswerSentence]
    citations: list[Citation]
    evidence: float

    @property
    def text(self) -> str:
        return " ".join(f"{s.text} [{s.citations[0]}]" for s in self.sentences)


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        threshold: float,
        max_sentences: int = 4,
        passages_considered: int = 6,
        relative_floor: float = 0.9,
        max_embedded: int = 32,
        cache_size: int = 20_000,
    ):
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.threshold = threshold
        self.passages_considered = passages_considered
        self.relative_floor = relative_floor
        self.max_embedded = max_embedded
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def candidates(
        self, question: str, query_vector: np.ndarray, passages: list[Passage]
    ) -> list[Candidate]:
        """Sentences of the top passages, scored; only the lexically likeliest are embedded."""
        terms = content_words(question)
        pool: dict[tuple[str, int], Candidate] = {}
        for passage in passages[: self.passages_considered]:
            text, offset = passage.chunk.text, passage.chunk.start
            for start, end in sentence_spans(text):
                sentence = text[start:end]
                key = (passage.chunk.article_id, offset + start)
                if len(sentence.split()) < MIN_WORDS or key in pool:
                    continue
                overlap = len(terms & content_words(sentence)) / len(terms) if terms else 0.0
                pool[key] = Candidate(
                    passage,
                    offset + start,
                    offset + end,
                    sentence,
                    0.0,
                    overlap,
                    answer_type_bonus(question, sentence),
                )
        shortlist = sorted(
            pool.values(), key=lambda c: (-(c.overlap + c.bonus), c.passage.rank, c.start)
        )[: self.max_embedded]
        if not shortlist:
            return []
        similarity = self._sentence_vectors([c.text for c in shortlist]) @ query_vector
        return [
            replace(cand, similarity=float(sim))
            for cand, sim in zip(shortlist, similarity, strict=True)
        ]

    def _sentence_vectors(self, sentences: list[str]) -> np.ndarray:
        """Embeddings with a bounded cache: popular passages recur across questions."""
        with self._cache_lock:
            missing = [s for s in dict.fromkeys(sentences) if s not in self._cache]
        if missing:
            fresh = self.embedder.embed(missing)
            with self._cache_lock:
                for sentence, vector in zip(missing, fresh, strict=True):
                    self._cache[sentence] = vector
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        with self._cache_lock:
            vectors = []
            for sentence in sentences:
                self._cache.move_to_end(sentence)
                vectors.append(self._cache[sentence])
        return np.stack(vectors)

    def answer(self, question: str, query_vector: np.ndarray, passages: list[Passage]) -> Extract:
        candidates = sorted(
            self.candidates(question, query_vector, passages), key=lambda c: -c.score
        )
        best = candidates[0].score if candidates else 0.0
        evidence = self.evidence_score(best, passages)
        if evidence < self.threshold:
            return Extract(sentences=[], citations=[], evidence=evidence)
        floor = best * self.relative_floor
        chosen = self._select([c for c in candidates if c.score >= floor])
        sentences, citations = [], []
        for n, cand in enumerate(chosen, start=1):
            chunk = cand.passage.chunk
            sentences.append(AnswerSentence(text=cand.text, citations=[n]))
            citations.append(Citation.quoting(n, chunk, cand.text, cand.start, cand.end))
        return Extract(sentences=sentences, citations=citations, evidence=evidence)

    def evidence_score(self, best_sentence: float, passages: list[Passage]) -> float:
        """How strongly the articles bear on the question: the best sentence's score averaged
        with the best passage's dense similarity. A sentence that merely shares a name with
        the question ("Mars") inside an off-topic passage scores low on the second half."""
        topical = [p.dense_score for p in passages if p.dense_score is not None]
        return (best_sentence + (max(topical) if topical else 0.0)) / 2

    def _select(self, ranked: list[Candidate]) -> list[Candidate]:
        """Best first, one sentence per article before a second from any, no repeats."""
        chosen: list[Candidate] = []
        seen_text: set[str] = set()
        for pass_ in range(2):
            articles = {c.passage.chunk.article_id for c in chosen}
            for cand in ranked:
                if len(chosen) >= self.max_sentences:
                    return chosen
                key = " ".join(cand.text.lower().split())
                if key in seen_text:
                    continue
                if pass_ == 0 and cand.passage.chunk.article_id in articles:
                    continue
                chosen.append(cand)
                seen_text.add(key)
                articles.add(cand.passage.chunk.article_id)
        return chosen
