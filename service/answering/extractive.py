"""The offline answerer: quote the sentences of the retrieved passages that best answer.

Each candidate sentence is scored by embedding similarity to the question and by how many of
the question's content words it contains; a question asking who, when or how many counts only
sentences holding a name, a time or a quantity (``service.question.kinds``); lines that are
not prose (tables, captions, sign-up lines, bullets: ``service.answering.prose``) are never
quoted. Everything it needs from the question comes read once (``ParsedQuestion``). The
evidence it measures goes to the decline rules (``service.answering.declines``): when it is
too weak the question is declined instead of answered with unrelated quotes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ingest.sentences import sentence_spans
from service.answering.declines import Declines, Evidence
from service.answering.prose import reads_as_prose
from service.answering.sentence_vectors import SentenceVectors
from service.answering.vocabulary import ANSWER_VOCABULARY, content_words
from service.contract import AnswerSentence, Citation, Passage
from service.question.kinds import carries, names_within
from service.question.parsed import ParsedQuestion
from service.settings import AnsweringSettings

MIN_WORDS = 5
SIMILARITY_WEIGHT = 0.7
SHORTLIST_TYPE_BONUS = 0.08


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
    evidence: Evidence
    declined: str | None = None
    """The decline rule's message, when one declined the question."""
    ranked: list[Candidate] = field(default_factory=list)
    """Every sentence scored, best first: where the direct answer looks for its span."""
    quoted: list[Candidate] = field(default_factory=list)
    """The sentences quoted, in order."""


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(
        self,
        vectors: SentenceVectors,
        declines: Declines,
        max_sentences: int = 4,
        passages_considered: int = 6,
        relative_floor: float = 0.9,
        max_embedded: int = 24,
    ):
        self.vectors = vectors
        self.declines = declines
        self.max_sentences = max_sentences
        self.passages_considered = passages_considered
        self.relative_floor = relative_floor
        self.max_embedded = max_embedded

    @classmethod
    def configured(
        cls, vectors: SentenceVectors, declines: Declines, settings: AnsweringSettings
    ) -> ExtractiveAnswerer:
        return cls(
            vectors,
            declines,
            max_sentences=settings.answer_sentences,
            max_embedded=settings.sentences_embedded,
        )

    def candidates(
        self,
        parsed: ParsedQuestion,
        query_vector: np.ndarray,
        passages: list[Passage],
        also: Sequence[str] = (),
    ) -> list[Candidate]:
        """Sentences of the top passages, scored; only the lexically likeliest are embedded,
        with ``also`` (the direct answer's claims) in the same model call.
        Sentences carrying the kind of answer the question asks for are marked ``typed``."""
        kind = parsed.kind
        terms = content_words(parsed.text, ANSWER_VOCABULARY)
        spans = [
            (passage, passage.chunk.start + start, passage.chunk.text[start:end])
            for passage in passages[: self.passages_considered]
            for start, end in sentence_spans(passage.chunk.text)
        ]
        names = names_within(text for _, _, text in spans) if kind == "name" else frozenset()
        pool: dict[tuple[str, int], Candidate] = {}
        for passage, start, sentence in spans:
            key = (passage.chunk.article_id, start)
            if len(sentence.split()) < MIN_WORDS or key in pool or not reads_as_prose(sentence):
                continue
            words = content_words(sentence, ANSWER_VOCABULARY)
            overlap = len(terms & words) / len(terms) if terms else 0.0
            pool[key] = Candidate(
                passage,
                start,
                start + len(sentence),
                sentence,
                0.0,
                overlap,
                kind is not None and carries(kind, sentence, parsed.words, names),
            )
        shortlist = sorted(pool.values(), key=lambda c: (-c.promise, c.passage.rank, c.start))[
            : self.max_embedded
        ]
        if not shortlist:
            return []
        texts = [c.text for c in shortlist]
        similarity = self.vectors.embed([*texts, *also])[: len(texts)] @ query_vector
        return [
            replace(cand, similarity=float(sim))
            for cand, sim in zip(shortlist, similarity, strict=True)
        ]

    def answer(
        self,
        parsed: ParsedQuestion,
        query_vector: np.ndarray,
        passages: list[Passage],
        outlet_support: Mapping[str, float] | None = None,
        also: Sequence[str] = (),
    ) -> Extract:
        """Quote the best sentences, unless a decline rule stops it. While the weak-evidence
        rule is on, a question asking who, when or how many is answered only from sentences
        holding a name, a time or a quantity: the others may share its words but cannot be its
        answer. ``outlet_support`` maps each outlet the question names to its closest chunk's
        similarity (``RetrievalResult``); ``also``: texts to embed in the same call."""
        any_kind = parsed.kind is None or not self.declines.kind_required
        candidates = sorted(
            (
                c
                for c in self.candidates(parsed, query_vector, passages, also)
                if any_kind or c.typed
            ),
            key=lambda c: -c.score,
        )
        best = candidates[0].score if candidates else 0.0
        evidence = self.evidence(best, passages, outlet_support)
        declined = self.declines.on_evidence(evidence, parsed.kind)
        if declined is not None:
            return Extract(sentences=[], citations=[], evidence=evidence, declined=declined)
        floor = best * self.relative_floor
        chosen = self._select([c for c in candidates if c.score >= floor])
        sentences, citations = [], []
        for n, cand in enumerate(chosen, start=1):
            sentences.append(AnswerSentence(text=cand.text, citations=[n]))
            citations.append(Citation.quoting(n, cand.passage, cand.text, cand.start, cand.end))
        return Extract(
            sentences=sentences,
            citations=citations,
            evidence=evidence,
            ranked=candidates,
            quoted=chosen,
        )

    @staticmethod
    def evidence(
        best_sentence: float,
        passages: list[Passage],
        outlet_support: Mapping[str, float] | None = None,
    ) -> Evidence:
        """How strongly the articles bear on the question: the best sentence's score averaged
        with the best passage's dense similarity. A sentence that merely shares a name with
        the question ("Mars") inside an off-topic passage scores low on the second half. When
        the question names outlets, the outlet-aware score's second half is the weakest
        outlet's closest chunk if that is lower: a question about two outlets' articles needs
        both."""
        dense = [p.dense_score for p in passages if p.dense_score is not None]
        topical = max(dense) if dense else 0.0
        plain = (best_sentence + topical) / 2
        if not outlet_support:
            return Evidence(plain)
        weakest = min(outlet_support, key=outlet_support.__getitem__)
        outlets = (best_sentence + min(topical, *outlet_support.values())) / 2
        return Evidence(plain, outlets, weakest)

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
