"""Per-question metrics as pure functions, and their aggregation per question type.

A function returns ``None`` when the metric does not apply to a question (no gold quote, no
citation, unanswerable...), so averages are only taken over the questions it applies to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from pydantic import BaseModel, Field

from evals.answer_text import (
    MARKER,
    contains,
    first_mention,
    gold_verdict,
    withholds,
    yes_no,
)
from evals.bootstrap import Estimate, mean_ci, percentile_ci, ratio_ci
from evals.datasets import Evidence, Question
from evals.retrieval_scores import (
    all_evidence_at,
    carries,
    evidence_recall_at,
    hits_at,
    ndcg_at,
    reciprocal_rank,
    squash,
)
from evals.verdicts import VERDICT_METRICS, verdict_figures

SKIPPED = "skipped"
"""Status of a question run with ``--retrieval-only``: retrieved and scored, never answered."""
NO_COPIES: Mapping[str, str] = MappingProxyType({})
ANSWER_SCORES = (
    "citation_recall",
    "citation_precision",
    "citation_validity",
    "answer_correct",
    "answered",
    "supported_rate",
    "removed_sentences",
    "degraded",
    "verdict_correct",
    "unanswerable_withheld",
    "answerable_answered",
)
STAGES = ("parse", "embed", "dense", "keyword", "fuse", "rerank", "answer", "verify", "total")


class RetrievedPassage(BaseModel):
    rank: int
    chunk_id: str
    article_id: str
    text: str
    start: int
    end: int


class CitedSpan(BaseModel):
    n: int
    article_id: str
    quote: str
    start: int
    end: int


class QuestionScores(BaseModel):
    hits4: bool | None = None
    hits10: bool | None = None
    mrr10: float | None = None
    all_evidence10: bool | None = None
    evidence_recall10: float | None = None
    ndcg10: float | None = None
    citation_recall: float | None = None
    citation_precision: float | None = None
    citation_validity: bool | None = None
    answer_correct: bool | None = None
    answered: bool | None = None
    supported_rate: float | None = None
    removed_sentences: float | None = Field(
        None, description="Sentences the citation check removed (strict mode), answered only."
    )
    degraded: bool | None = Field(None, description="The LLM failed and quotes were given.")
    verdict_correct: bool | None = Field(None, description="answer_correct, yes/no gold only.")
    unanswerable_withheld: bool | None = None
    answerable_answered: bool | None = None


class QuestionResult(BaseModel):
    """One row of results.json: enough to look a failure up without re-running."""

    id: str
    type: str
    question: str
    gold_answers: list[str]
    evidence_articles: list[str]
    standalone_question: str | None = Field(
        None, description="A follow-up as it was asked, rewritten against its history."
    )
    status: str = Field(description="answered | declined | error | skipped")
    answer: str = ""
    answerer: str | None = None
    degraded_reason: str | None = None
    error: str | None = None
    passages: list[RetrievedPassage] = Field(default_factory=list)
    citations: list[CitedSpan] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    scores: QuestionScores = Field(default_factory=QuestionScores)

    @property
    def answerable(self) -> bool:
        return bool(self.gold_answers)


# --- citations --------------------------------------------------------------------------


def _distinct(citations: Sequence[CitedSpan]) -> list[CitedSpan]:
    """The same span cited twice counts once: repetition must not inflate precision."""
    return list({(c.article_id, c.start, c.end): c for c in citations}.values())


def _recalls(ev: Evidence, c: CitedSpan, copies: Mapping[str, str]) -> bool:
    if copies.get(c.article_id, c.article_id) != ev.article_id:
        return False
    if ev.start is None or ev.end is None:
        return True
    if c.article_id in copies:  # a copy's offsets are its own: compare the quoted text
        quote, gold = squash(c.quote), squash(ev.quote)
        return carries(gold, quote) or carries(quote, gold)
    return c.start < ev.end and ev.start < c.end


def citation_recall(
    evidence: Sequence[Evidence],
    citations: Sequence[CitedSpan],
    copies: Mapping[str, str] = NO_COPIES,
) -> float | None:
    """Share of gold quotes overlapped by a cited span (an evidence item without a quote is
    recalled by any citation of its article, or of a copy of it)."""
    if not evidence:
        return None
    return sum(any(_recalls(ev, c, copies) for c in citations) for ev in evidence) / len(evidence)


def citation_precision(
    gold: Sequence[str], citations: Sequence[CitedSpan], copies: Mapping[str, str] = NO_COPIES
) -> float | None:
    distinct = _distinct(citations)
    if not gold or not distinct:
        return None
    wanted = set(gold)
    return sum(copies.get(c.article_id, c.article_id) in wanted for c in distinct) / len(distinct)


def citation_validity(
    answer: str, citations: Sequence[CitedSpan], bodies: Mapping[str, str]
) -> bool | None:
    """Every [n] resolves to a citation, and every quote is its article's text at its offsets."""
    markers = {int(n) for n in MARKER.findall(answer)}
    if not markers and not citations:
        return None
    numbers = {c.n for c in citations}
    if not markers <= numbers:
        return False
    return all(
        c.article_id in bodies and bodies[c.article_id][c.start : c.end] == c.quote
        for c in citations
    )


# --- answers ----------------------------------------------------------------------------


def answer_correct(question: Question, answer: str, status: str) -> bool | None:
    """Strict scoring: a declined or yes/no-less answer to a yes/no question is wrong."""
    if not question.answerable:
        return None
    if status != "answered":
        return False
    golds = question.answers
    if question.choices:
        positions = {c: first_mention(answer, c) for c in question.choices}
        right = [positions[c] for c in question.choices if c in golds and positions[c] is not None]
        wrong = [p for c, p in positions.items() if c not in golds and p is not None]
        return bool(right) and (not wrong or min(right) < min(wrong))
    verdict = gold_verdict(golds)
    if verdict:
        return yes_no(answer) == verdict
    return any(contains(answer, g) for g in golds)


def score_question(
    question: Question,
    status: str,
    answer: str,
    passages: Sequence[RetrievedPassage],
    citations: Sequence[CitedSpan],
    bodies: Mapping[str, str],
    copies: Mapping[str, str] = NO_COPIES,
) -> QuestionScores:
    """``copies`` (copy id to original id): a copy of a gold article counts as that article."""
    ranked = sorted(passages, key=lambda p: p.rank)
    texts = [p.text for p in ranked]
    copied = [p.article_id in copies for p in ranked]
    articles = [copies.get(p.article_id, p.article_id) for p in ranked]
    quotes = [e.quote for e in question.evidence]
    gold = question.evidence_articles
    answered = status == "answered"
    correct = answer_correct(question, answer, status)
    return QuestionScores(
        hits4=hits_at(quotes, texts, 4, copied),
        hits10=hits_at(quotes, texts, 10, copied),
        mrr10=reciprocal_rank(quotes, texts, 10, copied),
        all_evidence10=all_evidence_at(gold, articles, 10),
        evidence_recall10=evidence_recall_at(gold, articles, 10),
        ndcg10=ndcg_at(gold, articles, 10),
        citation_recall=citation_recall(question.evidence, citations if answered else [], copies),
        citation_precision=citation_precision(gold, citations, copies) if answered else None,
        citation_validity=citation_validity(answer, citations, bodies) if answered else None,
        answer_correct=correct,
        answered=answered if question.answerable else None,
        verdict_correct=correct if gold_verdict(question.answers) else None,
        unanswerable_withheld=None if question.answerable else withholds(status, answer),
        answerable_answered=not withholds(status, answer) if question.answerable else None,
    )


def supported_rate(shown: Sequence[bool], removed: int) -> float | None:
    """Share of an answer's cited sentences the citation check found supported, counting the
    ones strict mode removed; None when the answer made no cited claim."""
    total = len(shown) + removed
    return sum(shown) / total if total else None


# --- aggregation ------------------------------------------------------------------------

MEAN_METRICS: dict[str, str] = {
    "hits4": "Hits@4",
    "hits10": "Hits@10",
    "mrr10": "MRR@10",
    "all_evidence10": "All evidence articles @10",
    "evidence_recall10": "Evidence-article recall@10",
    "ndcg10": "nDCG@10",
    "citation_recall": "Citation evidence recall",
    "citation_precision": "Citation precision",
    "citation_validity": "Citation validity",
    "answer_correct": "Answer correct",
    "answered": "Answered (answerable questions)",
    "supported_rate": "Supported sentences",
    "removed_sentences": "Removed sentences per answer",
    "degraded": "Degraded (LLM fell back to quotes)",
    "verdict_correct": "Verdict correct (yes/no gold)",
    "unanswerable_withheld": "Unanswerable declined or 'do not say'",
    "answerable_answered": "Answerable answered, not 'do not say'",
}
DECLINE_METRICS: dict[str, str] = {
    "decline_precision": "Decline precision",
    "decline_recall": "Decline recall",
}
LABELS: dict[str, str] = {
    **MEAN_METRICS,
    **DECLINE_METRICS,
    **VERDICT_METRICS,
    **{f"latency_{s}_{q}": f"{s} ms {q}" for s in STAGES for q in ("p50", "p95")},
}


def summarise(
    rows: Sequence[QuestionResult], resamples: int = 1000, seed: int = 0
) -> dict[str, Estimate]:
    """Every metric with its 95% bootstrap interval, over the questions it applies to."""
    out: dict[str, Estimate] = {}
    for name in MEAN_METRICS:
        values = [getattr(r.scores, name) for r in rows]
        out[name] = mean_ci([float(v) for v in values if v is not None], resamples, seed)
    scored = [r for r in rows if r.status not in ("error", SKIPPED)]
    declined = [r.status == "declined" for r in scored]
    unanswerable = [not r.answerable for r in scored]
    both = [d and u for d, u in zip(declined, unanswerable, strict=True)]
    # Precision only means something where both kinds are asked: a group of answerable questions
    # alone would always score 0 (its declines show in "answered"), unanswerable ones alone 1.
    mixed = any(unanswerable) and not all(unanswerable)
    out["decline_precision"] = ratio_ci(both, declined, resamples, seed) if mixed else Estimate()
    out["decline_recall"] = ratio_ci(both, unanswerable, resamples, seed)
    judged = [
        (gold_verdict(r.gold_answers), r.scores.verdict_correct)
        for r in rows
        if r.scores.verdict_correct is not None
    ]
    asked = [
        (yes_no(r.answer) if r.status == "answered" else None, gold_verdict(r.gold_answers))
        for r in rows
        if r.status != SKIPPED
    ]
    out.update(verdict_figures(judged, asked, resamples, seed))
    for stage in STAGES:
        times = [r.timings_ms[stage] for r in scored if stage in r.timings_ms]
        out[f"latency_{stage}_p50"] = percentile_ci(times, 50, resamples, seed)
        out[f"latency_{stage}_p95"] = percentile_ci(times, 95, resamples, seed)
    return out


def summarise_by_type(
    rows: Sequence[QuestionResult], resamples: int = 1000, seed: int = 0
) -> dict[str, dict[str, Estimate]]:
    """'overall' first, then one entry per question type."""
    groups: dict[str, list[QuestionResult]] = {"overall": list(rows)}
    for row in rows:
        groups.setdefault(row.type, []).append(row)
    return {name: summarise(group, resamples, seed) for name, group in groups.items()}
