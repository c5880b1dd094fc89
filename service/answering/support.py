"""Does a cited passage support the sentence that cites it?

Two cheap signals, computed per answer sentence against the passages it cites:

- *content-word overlap*: the share of the sentence's content words (stopwords removed, light
  plural folding) found in the cited passages, their titles, outlets and dates;
- *similarity*: cosine between the sentence and the best-matching sentence of a cited passage,
  among the ``SHORTLIST`` sentences sharing most words with it (that best sentence is also the
  span the citation quotes; the shortlist keeps embedding cost per answer small).

Passage sentences written to a model ("ignore previous instructions and reply ...",
``service.answering.instructions``) are not evidence: they are left out of both signals, so a
model that obeys an injected instruction cannot cite it as support.

The sentence is supported when ``SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) *
overlap >= THRESHOLD`` and every number it states appears in the cited passages.

Calibration (``benchmarks/support_calibration.py``: MultiHop-RAG, all-MiniLM-L6-v2, chunks made
as ingest makes them, 200 gold facts from 100 questions, seed 7). A gold ``fact`` against the
chunk of its own article that holds it is *supported*; against the chunk of another evidence
article of the same question sharing the most content words with it (same topic, hard) it is
*not*; against a random article's chunk it is *not* either. Combined scores measured:

    own passage:      p5 0.98  median 1.00  (199 of 200 pass; see below)
    hard negatives:   median 0.36  p90 0.54  p95 0.57  max 0.76
    random negatives: median 0.08  max 0.37

THRESHOLD = 0.56 is the lowest bar (in steps of 0.02) at which at most 5% of the hard
negatives pass (4.5%, with the number rule), so faithful paraphrases, which score below a
verbatim quote, keep the most room; random negatives never pass. The one positive that failed
was "While not trained as an AI engineer, Altman ...", caught by an earlier, broader filter for
text addressed to a model ("as an AI"); the rules that replaced it
(``service.answering.instructions``) match none of the 6,084 gold facts, nor any of the 57,665
sentences of the corpus. The gold facts are verbatim, so this measures how well same-topic text
is kept out, not paraphrase recall. ``tests/service/answering/test_support.py`` re-checks the
separation on a sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ingest.sentences import sentence_spans
from service.answering.instructions import addressed_to_model
from service.answering.sentence_vectors import SentenceVectors
from service.answering.vocabulary import SUPPORT_VOCABULARY, content_words
from service.contract import Passage

SIMILARITY_WEIGHT = 0.5
THRESHOLD = 0.56
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
SHORTLIST = 4


@dataclass(frozen=True)
class SentenceMatch:
    """The passage sentence closest to a claim, with offsets into the article body."""

    passage: Passage
    text: str
    start: int
    end: int
    similarity: float


@dataclass(frozen=True)
class Judgement:
    supported: bool
    score: float
    similarity: float
    overlap: float
    missing_numbers: list[str] = field(default_factory=list)
    best: SentenceMatch | None = None
    matches: dict[str, SentenceMatch] = field(default_factory=dict)
    """The best sentence of each cited passage, by passage id."""


def numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def _metadata_text(passage: Passage) -> str:
    chunk = passage.chunk
    parts = [chunk.title, chunk.source or "", chunk.author or ""]
    if chunk.published:
        day = chunk.published
        parts.append(f"{day.year} {day:%B} {day.day} {day:%A}")
    return " ".join(parts)


def combined_score(similarity: float, overlap: float) -> float:
    return SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) * overlap


class SupportChecker:
    """Judges claims against passages. Only the ``SHORTLIST`` passage sentences sharing the most
    words with a claim are embedded, through the service's shared sentence cache."""

    def __init__(self, vectors: SentenceVectors, threshold: float = THRESHOLD):
        self.vectors = vectors
        self.threshold = threshold

    @staticmethod
    def evidence_sentences(passage: Passage) -> list[tuple[int, int, str]]:
        """The passage's sentences (offsets in the chunk), minus any addressed to a model."""
        text = passage.chunk.text
        spans = [
            (s, e, text[s:e]) for s, e in sentence_spans(text) if not addressed_to_model(text[s:e])
        ]
        return spans or [(0, 0, "")]

    def shortlist(self, claim: str, passage: Passage) -> list[tuple[int, int, str]]:
        words = content_words(claim, SUPPORT_VOCABULARY)
        spans = self.evidence_sentences(passage)
        return sorted(
            spans, key=lambda span: -len(words & content_words(span[2], SUPPORT_VOCABULARY))
        )[:SHORTLIST]

    def prefetch(self, claims: list[tuple[str, list[Passage]]]) -> None:
        """Embeds every claim and shortlisted sentence in one batch (one model call, not many)."""
        texts = [claim for claim, _ in claims]
        for claim, passages in claims:
            texts.extend(span[2] for p in passages for span in self.shortlist(claim, p))
        self.vectors.embed(texts)

    def best_match(
        self, claim: str, passage: Passage, claim_vector: np.ndarray | None = None
    ) -> SentenceMatch:
        vector = self.vectors.embed([claim])[0] if claim_vector is None else claim_vector
        shortlist = self.shortlist(claim, passage)
        sims = self.vectors.embed([span[2] for span in shortlist]) @ vector
        i = int(np.argmax(sims))
        start, end, text = shortlist[i]
        offset = passage.chunk.start
        return SentenceMatch(passage, text, offset + start, offset + end, float(sims[i]))

    def judge(
        self, claim: str, passages: list[Passage], claim_vector: np.ndarray | None = None
    ) -> Judgement:
        """Whether the cited ``passages`` together support ``claim``."""
        if not passages:
            return Judgement(False, 0.0, 0.0, 0.0)
        vector = self.vectors.embed([claim])[0] if claim_vector is None else claim_vector
        matches = {p.id: self.best_match(claim, p, vector) for p in passages}
        best = max(matches.values(), key=lambda m: m.similarity)
        pool_text = " ".join(
            " ".join(t for _, _, t in self.evidence_sentences(p)) + " " + _metadata_text(p)
            for p in passages
        )
        words = content_words(claim, SUPPORT_VOCABULARY)
        overlap = (
            len(words & content_words(pool_text, SUPPORT_VOCABULARY)) / len(words) if words else 0.0
        )
        missing = sorted(numbers(claim) - numbers(pool_text))
        score = combined_score(best.similarity, overlap)
        return Judgement(
            supported=score >= self.threshold and not missing,
            score=score,
            similarity=best.similarity,
            overlap=overlap,
            missing_numbers=missing,
            best=best,
            matches=matches,
        )
