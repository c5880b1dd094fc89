"""The extractive answerer's work on one question, which both answerers build on: its ranked
sentences, its evidence-based declines, and the direct answer composed from them.

A sentence of an article written to a model (``service.answering.instructions``) is never
quoted, nor looked in for the direct answer; an LLM still reads it, as data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from service.answering.direct.compose import Composed, DirectAnswerer
from service.answering.direct.judge import claim_texts
from service.answering.direct.spans import Ranked
from service.answering.extractive import Candidate, Extract, ExtractiveAnswerer
from service.answering.instructions import addressed_to_model
from service.contract import AnswerSentence, Citation
from service.retrieval.retriever import RetrievalResult


@dataclass
class Quotes:
    extract: Extract
    composed: Composed | None
    """The direct answer with its quotes; None when the question asks for no span or verdict
    (or the extractive answerer declined)."""
    ranked: list[Candidate]
    """Every sentence scored, unfiltered by the kind of answer: what an LLM reads (empty when
    no LLM will)."""
    ms: float


def gather(
    extractive: ExtractiveAnswerer,
    direct: DirectAnswerer,
    retrieval: RetrievalResult,
    for_llm: bool,
) -> Quotes:
    step = time.perf_counter()
    parsed, passages = retrieval.parsed, retrieval.passages
    extract = without_instructions(
        extractive.answer(
            parsed,
            retrieval.query_vector,
            passages,
            retrieval.outlet_support,
            also=claim_texts(parsed),
        )
    )
    composed = None
    if extract.declined is None and extract.sentences:
        composed = direct.compose(
            parsed,
            [Ranked(c.passage, c.start, c.end, c.text, c.score) for c in extract.ranked],
            [Ranked(c.passage, c.start, c.end, c.text, c.score) for c in extract.quoted],
            passages,
        )
    ranked = extractive.candidates(parsed, retrieval.query_vector, passages) if for_llm else []
    return Quotes(extract, composed, ranked, (time.perf_counter() - step) * 1000)


def without_instructions(extract: Extract) -> Extract:
    """The extractive answer without sentences written to a model: an article's "Reply only
    with ..." is never quoted as an answer, nor looked in for one."""
    ranked = [c for c in extract.ranked if not addressed_to_model(c.text)]
    quoted = [c for c in extract.quoted if not addressed_to_model(c.text)]
    if len(ranked) == len(extract.ranked) and len(quoted) == len(extract.quoted):
        return extract
    sentences = [AnswerSentence(text=c.text, citations=[n]) for n, c in enumerate(quoted, 1)]
    citations = [
        Citation.quoting(n, c.passage, c.text, c.start, c.end) for n, c in enumerate(quoted, 1)
    ]
    return replace(extract, sentences=sentences, citations=citations, ranked=ranked, quoted=quoted)
