"""The offline answerer: quote the sentences of the retrieved passages that best answer.

Each candidate sentence is scored by embedding similarity to the question and by how many of
the question's content words it contains; a question asking who, when or how many counts only
sentences holding a name, a time or a quantity (``service/answer_types.py``). When even the best
sentence scores below the calibrated threshold the question is declined instead of answered
with unrelated quotes. A question that names outlets is judged by its weakest one ("the
Guardian article on X" needs a Guardian article near X), against a threshold calibrated on
such questions.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

from ingest.embedding import Embedder
from ingest.sentences import sentence_spans
from service.contract import AnswerSentence, Citation, Passage
from service.question.kinds import AnswerKind, carries, names_within, wanted_kind

MIN_WORDS = 5
SIMILARITY_WEIGHT = 0.7
SHORTLIST_TYPE_BONUS = 0.08

_WORD = re.compile(r"\w\w+")
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    start: int
    end: int
    text: str
    similarity: float
    overlap: float
    typed: bool = False

    @property
    def score(self) -> float:
        return SIMILARITY_WEIGHT * self.similarity + (1 - SIMILARITY_WEIGHT) * self.overlap

    @property
    def promise(self) -> float:
        """Lexical promise, before any embedding: shared words, and the kind of answer asked."""
        return self.overlap + (SHORTLIST_TYPE_BONUS if self.typed else 0.0)


@dataclass
class Extract:
    sentences: list[AnswerSentence]
    citations: list[Citation]
    evidence: float
    wanted: AnswerKind | None = None
    # The named outlet whose lack of a close article alone made the answer a decline.
    weak_outlet: str | None = None

    @property
    def text(self) -> str:
        return " ".join(f"{s.text} [{s.citations[0]}]" for s in self.sentences)


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        threshold: float,
        outlet_threshold: float | None = None,
        max_sentences: int = 4,
        passages_considered: int = 6,
        relative_floor: float = 0.9,
        max_embedded: int = 32,
        cache_size: int = 20_000,
    ):
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.threshold = threshold
        self.outlet_threshold = threshold if outlet_threshold is None else outlet_threshold
        self.passages_considered = passages_considered
        self.relative_floor = relative_floor
        self.max_embedded = max_embedded
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def candidates(
        self,
        question: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        kind: AnswerKind | None = None,
    ) -> list[Candidate]:
        """Sentences of the top passages, scored; only the lexically likeliest are embedded.
        With ``kind``, sentences carrying that kind of answer are marked ``typed``."""
        terms = content_words(question)
        spans = [
            (passage, passage.chunk.start + start, passage.chunk.text[start:end])
            for passage in passages[: self.passages_considered]
            for start, end in sentence_spans(passage.chunk.text)
        ]
        names = names_within(text for _, _, text in spans) if kind == "name" else frozenset()
        pool: dict[tuple[str, int], Candidate] = {}
        for passage, start, sentence in spans:
            key = (passage.chunk.article_id, start)
            if len(sentence.split()) < MIN_WORDS or key in pool:
                continue
            overlap = len(terms & content_words(sentence)) / len(terms) if terms else 0.0
            pool[key] = Candidate(
                passage,
                start,
                start + len(sentence),
                sentence,
                0.0,
                overlap,
                kind is not None and carries(kind, sentence, question, names),
            )
        shortlist = sorted(pool.values(), key=lambda c: (-c.promise, c.passage.rank, c.start))[
            : self.max_embedded
        ]
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

    def answer(
        self,
        question: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        outlet_support: Mapping[str, float] | None = None,
    ) -> Extract:
        """Quote the best sentences, or decline. A question asking who, when or how many is
        answered only from sentences holding a name, a time or a quantity: the others may
        share its words but cannot be its answer. ``outlet_support`` maps each outlet the
        question names to its closest chunk's similarity (``RetrievalResult``)."""
        wanted = wanted_kind(question)
        candidates = sorted(
            (
                c
                for c in self.candidates(question, query_vector, passages, wanted)
                if wanted is None or c.typed
            ),
            key=lambda c: -c.score,
        )
        best = candidates[0].score if candidates else 0.0
        evidence = self.evidence_score(best, passages, outlet_support)
        threshold = self.outlet_threshold if outlet_support else self.threshold
        if evidence < threshold:
            weak = None
            if outlet_support and self.evidence_score(best, passages) >= threshold:
                weak = min(outlet_support, key=outlet_support.__getitem__)
            return Extract(
                sentences=[], citations=[], evidence=evidence, wanted=wanted, weak_outlet=weak
            )
        floor = best * self.relative_floor
        chosen = self._select([c for c in candidates if c.score >= floor])
        sentences, citations = [], []
        for n, cand in enumerate(chosen, start=1):
            chunk = cand.passage.chunk
            sentences.append(AnswerSentence(text=cand.text, citations=[n]))
            citations.append(Citation.quoting(n, chunk, cand.text, cand.start, cand.end))
        return Extract(sentences=sentences, citations=citations, evidence=evidence, wanted=wanted)

    def evidence_score(
        self,
        best_sentence: float,
        passages: list[Passage],
        outlet_support: Mapping[str, float] | None = None,
    ) -> float:
        """How strongly the articles bear on the question: the best sentence's score averaged
        with the best passage's dense similarity. A sentence that merely shares a name with
        the question ("Mars") inside an off-topic passage scores low on the second half. When
        the question names outlets, the second half is the weakest outlet's closest chunk if
        that is lower: a question about two outlets' articles needs both."""
        dense = [p.dense_score for p in passages if p.dense_score is not None]
        topical = max(dense) if dense else 0.0
        if outlet_support:
            topical = min(topical, *outlet_support.values())
        return (best_sentence + topical) / 2

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
