"""The model's answer led by the code's direct answer.

A verdict is decided in code from checked claims, and a span is taken from a checked sentence
(``service.answering.direct``); the model's prose follows it and never replaces it, so the
model's own Yes or No is never what a reader is told.
"""

from __future__ import annotations

from dataclasses import replace

from service.answering.direct.compose import Composed
from service.answering.llm import LLMResult
from service.answering.quotes import Quotes
from service.contract import AnswerSentence, DirectAnswer


def lead_with(result: LLMResult, composed: Composed) -> LLMResult:
    """The model's answer behind the code's direct answer (a verdict decided from checked
    claims, or the span asked for): the direct answer is the first sentence and replaces the
    model's own uncited opening. Its citations join the model's numbering: a quote the model's
    answer already cites keeps that number, any other is numbered after the highest. When no
    cited sentence of the model's is left, the direct answer's own quotes follow it instead."""
    prose = [s for i, s in enumerate(result.sentences) if i > 0 or s.citations]
    quotes: list[AnswerSentence] = []
    if not any(s.citations for s in prose):
        prose, quotes = [], composed.sentences[1:]
    numbers: dict[tuple[str, int, int], int] = {
        (c.article_id, c.start, c.end): c.n for c in result.citations
    }
    citations = list(result.citations)
    highest = max((c.n for c in citations), default=0)
    by_n = {c.n: c for c in composed.citations}
    direct = composed.direct

    def number(n: int) -> int:
        nonlocal highest
        citation = by_n[n]
        key = (citation.article_id, citation.start, citation.end)
        if key not in numbers:
            highest += 1
            numbers[key] = highest
            citations.append(citation.model_copy(update={"n": highest}))
        return numbers[key]

    def renumbered(ns: list[int]) -> list[int]:
        return list(dict.fromkeys(number(n) for n in ns))

    direct = direct.model_copy(
        update={
            "citations": renumbered(direct.citations),
            "claims": [
                claim.model_copy(update={"citations": renumbered(claim.citations)})
                for claim in direct.claims
            ],
        }
    )
    quoted = [q.model_copy(update={"citations": renumbered(q.citations)}) for q in quotes]
    first = AnswerSentence(text=direct.text, citations=direct.citations)
    return replace(
        result,
        declined=False,
        decline_reason=None,
        sentences=[first, *quoted, *prose],
        citations=sorted(citations, key=lambda c: c.n),
        direct=direct,
    )


def lead(result: LLMResult, quotes: Quotes) -> LLMResult:
    """The model's answer led by the direct answer, when the question has one. A model that
    declined, or whose every sentence failed the checks, leaves the direct answer with its own
    quotes; with no direct answer, a reply whose every sentence failed leaves the quotes the
    extractive answerer found (the evidence held, or the model would not have been asked):
    never less than the extractive answer."""
    if quotes.composed is not None:
        return lead_with(result, quotes.composed)
    if result.declined and result.removed and quotes.extract.sentences:
        return replace(
            result,
            declined=False,
            decline_reason=None,
            sentences=list(quotes.extract.sentences),
            citations=list(quotes.extract.citations),
        )
    return result


def cited_by(direct: DirectAnswer) -> list[int]:
    """Every citation number the direct answer and its claims use."""
    return [*direct.citations, *(n for claim in direct.claims for n in claim.citations)]
