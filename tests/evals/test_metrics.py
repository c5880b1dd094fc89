"""Each metric on small hand-made cases whose values are worked out by hand."""

from __future__ import annotations

import math

import pytest

from evals.answer_text import contains, normalise, yes_no
from evals.bootstrap import mean_ci, percentile_ci, ratio_ci
from evals.datasets import Evidence, Question
from evals.metrics import (
    CitedSpan,
    QuestionResult,
    QuestionScores,
    RetrievedPassage,
    answer_correct,
    citation_precision,
    citation_recall,
    citation_validity,
    score_question,
    summarise,
    summarise_by_type,
)
from evals.retrieval_scores import (
    all_evidence_at,
    evidence_recall_at,
    hits_at,
    ndcg_at,
    reciprocal_rank,
)

pytestmark = pytest.mark.unit

BODY_A = "Alpha Corp made 3 billion. Its chief is Ann Lee.\nShares rose 5 percent."
BODY_B = "Beta Ltd lost money. The chief of Beta is Bo Kim."
BODIES = {"a": BODY_A, "b": BODY_B}


def cite(n: int, article: str, start: int, end: int) -> CitedSpan:
    return CitedSpan(
        n=n, article_id=article, quote=BODIES[article][start:end], start=start, end=end
    )


def question(answers=("Ann Lee",), evidence=(), choices=None) -> Question:
    return Question(
        id="q", question="?", answers=list(answers), evidence=list(evidence), choices=choices
    )


# --- retrieval ----------------------------------------------------------------------------


def test_hit_ignores_whitespace_differences_like_the_paper():
    quote = "Its chief is Ann Lee. Shares rose"
    passages = ["nothing here", "Its chief is\n Ann   Lee.\nShares rose 5 percent."]
    assert hits_at([quote], passages, 4) is True
    assert reciprocal_rank([quote], passages, 10) == 0.5


def test_hit_needs_the_whole_quote_inside_one_passage():
    """A quote split across two chunks is not a hit: the paper's definition, kept on purpose."""
    quote = "Alpha Corp made 3 billion. Its chief is Ann Lee."
    assert hits_at([quote], ["Alpha Corp made 3 billion.", "Its chief is Ann Lee."], 10) is False


def test_hits_at_4_and_10_and_mrr_depend_on_rank():
    passages = ["x"] * 5 + ["Bo Kim"] + ["y"] * 6
    assert hits_at(["Bo Kim"], passages, 4) is False
    assert hits_at(["Bo Kim"], passages, 10) is True
    assert reciprocal_rank(["Bo Kim"], passages, 10) == pytest.approx(1 / 6)
    assert hits_at(["y y"], passages, 10) is False


def test_first_of_several_quotes_counts_for_mrr():
    assert reciprocal_rank(["Bo Kim", "Ann Lee"], ["z", "Ann Lee", "Bo Kim"], 10) == 0.5


def test_retrieval_metrics_do_not_apply_without_evidence():
    assert hits_at([], ["a"], 10) is None
    assert hits_at([""], ["a"], 10) is None
    assert reciprocal_rank([], ["a"], 10) is None
    assert all_evidence_at([], ["a"], 10) is None
    assert evidence_recall_at([], ["a"], 10) is None
    assert ndcg_at([], ["a"], 10) is None


def test_nothing_retrieved_scores_zero():
    assert hits_at(["q"], [], 10) is False
    assert reciprocal_rank(["q"], [], 10) == 0.0
    assert all_evidence_at(["a"], [], 10) is False
    assert evidence_recall_at(["a", "b"], [], 10) == 0.0
    assert ndcg_at(["a"], [], 10) == 0.0


def test_strict_multihop_needs_every_evidence_article():
    assert all_evidence_at(["a", "b"], ["a", "c", "b"], 10) is True
    assert all_evidence_at(["a", "b"], ["a", "a", "c"], 10) is False
    assert all_evidence_at(["a", "b"], ["a"] * 10 + ["b"], 10) is False
    assert evidence_recall_at(["a", "b"], ["a", "a", "c"], 10) == 0.5


def test_ndcg_counts_each_article_once():
    assert ndcg_at(["a", "b"], ["a", "b"], 10) == pytest.approx(1.0)
    # a at rank 2 only (the repeat at rank 3 gains nothing): (1/log2 3) / (1 + 1/log2 3)
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg_at(["a", "b"], ["c", "a", "a"], 10) == pytest.approx(expected)


# --- citations ----------------------------------------------------------------------------


def evidence_a() -> Evidence:
    start = BODY_A.index("Its chief is Ann Lee.")
    return Evidence(article_id="a", quote="Its chief is Ann Lee.", start=start, end=start + 21)


def test_citation_recall_needs_an_overlapping_span_in_the_same_article():
    ev = evidence_a()
    overlapping = cite(1, "a", ev.start + 4, ev.end + 5)
    elsewhere = cite(2, "a", 0, 10)
    other_article = cite(3, "b", ev.start, ev.end)
    assert citation_recall([ev], [overlapping]) == 1.0
    assert citation_recall([ev], [elsewhere, other_article]) == 0.0
    assert citation_recall([ev, Evidence(article_id="b", quote="")], [elsewhere]) == 0.0
    assert citation_recall([ev, Evidence(article_id="b", quote="")], [other_article]) == 0.5


def test_citation_recall_without_evidence_or_citations():
    assert citation_recall([], [cite(1, "a", 0, 5)]) is None
    assert citation_recall([evidence_a()], []) == 0.0


def test_citation_precision_counts_a_repeated_span_once():
    good, bad = cite(1, "a", 0, 5), cite(2, "b", 0, 4)
    assert citation_precision(["a"], [good, bad]) == 0.5
    assert citation_precision(["a"], [good, good.model_copy(update={"n": 3}), bad]) == 0.5
    assert citation_precision(["a"], []) is None
    assert citation_precision([], [good]) is None


def test_citation_validity():
    good = cite(1, "a", 0, 10)
    assert citation_validity("Alpha did well [1].", [good], BODIES) is True
    assert citation_validity("Alpha did well [2].", [good], BODIES) is False
    shifted = good.model_copy(update={"start": 1, "end": 11})
    assert citation_validity("Alpha did well [1].", [shifted], BODIES) is False
    unknown = good.model_copy(update={"article_id": "zzz"})
    assert citation_validity("Alpha [1].", [unknown], BODIES) is False
    assert citation_validity("No markers, no citations.", [], BODIES) is None
    assert citation_validity("A marker without citations [1].", [], BODIES) is False


# --- answers ------------------------------------------------------------------------------


def test_normalise_and_contains():
    assert normalise("The  Ann-Lee, [3] Inc.!") == "ann lee inc"
    assert contains("Its chief is Ann Lee [1].", "ann lee")
    assert not contains("The trend is inconsistent.", "Consistent")
    assert not contains("anything", "")


def test_yes_no_is_read_from_the_first_word():
    assert yes_no("Yes, it did [1].") == "yes"
    assert yes_no("no.") == "no"
    assert yes_no("Nobody knows") is None
    assert yes_no("It is yes") is None


def test_answer_correct_for_each_kind_of_question():
    assert answer_correct(question(), "The chief is Ann Lee [1].", "answered") is True
    assert answer_correct(question(), "The chief is Bo Kim [1].", "answered") is False
    assert answer_correct(question(), "Ann Lee", "declined") is False
    assert answer_correct(question(answers=()), "anything", "answered") is None
    yes = question(answers=("Yes",))
    assert answer_correct(yes, "Yes [1].", "answered") is True
    assert answer_correct(yes, "No [1].", "answered") is False
    assert answer_correct(yes, "Alpha made 3 billion, yes [1].", "answered") is False


def test_multiple_choice_needs_the_right_choice_before_the_others():
    q = question(answers=("Alpha",), choices=["Alpha", "Beta"])
    assert answer_correct(q, "Alpha made more than Beta.", "answered") is True
    assert answer_correct(q, "Beta made less than Alpha.", "answered") is False
    assert answer_correct(q, "Alpha made 3 billion.", "answered") is True
    assert answer_correct(q, "Nobody knows.", "answered") is False


# --- a whole question and the aggregation -------------------------------------------------


def passage(rank: int, article: str, start: int, end: int) -> RetrievedPassage:
    return RetrievedPassage(
        rank=rank,
        chunk_id=f"{article}:{rank}",
        article_id=article,
        text=BODIES[article][start:end],
        start=start,
        end=end,
    )


def test_score_question_end_to_end():
    q = question(evidence=[evidence_a(), Evidence(article_id="b", quote="Bo Kim")])
    passages = [passage(2, "a", 0, len(BODY_A)), passage(1, "b", 0, 20)]
    answer = "Its chief is Ann Lee [1]."
    scores = score_question(q, "answered", answer, passages, [cite(1, "a", 27, 48)], BODIES)
    assert scores.hits4 is True
    assert scores.mrr10 == 0.5  # rank 1 (article b, first 20 chars) lacks "Bo Kim"
    assert scores.all_evidence10 is True
    assert scores.citation_recall == 0.5
    assert scores.citation_precision == 1.0
    assert scores.citation_validity is True
    assert scores.answer_correct is True


def test_declined_answer_scores_no_citations_and_not_answered():
    q = question(evidence=[evidence_a()])
    scores = score_question(q, "declined", "Not found.", [], [], BODIES)
    assert scores.citation_recall == 0.0
    assert scores.citation_precision is None
    assert scores.citation_validity is None
    assert scores.answer_correct is False
    assert scores.answered is False


def row(kind: str, status: str, answerable: bool, correct: bool | None, total_ms: float):
    return QuestionResult(
        id=f"{kind}-{status}-{total_ms}",
        type=kind,
        question="?",
        gold_answers=["x"] if answerable else [],
        evidence_articles=[],
        status=status,
        timings_ms={"total": total_ms},
        scores=QuestionScores(answer_correct=correct),
    )


def test_decline_precision_and_recall():
    rows = [
        row("null", "declined", False, None, 1),
        row("null", "answered", False, None, 1),
        row("fact", "declined", True, False, 1),
        row("fact", "answered", True, True, 1),
    ]
    out = summarise(rows, resamples=200)
    assert out["decline_precision"].value == 0.5
    assert out["decline_recall"].value == 0.5
    assert out["answer_correct"].value == 0.5
    assert out["answer_correct"].n == 2


def test_all_declined_and_nothing_declined():
    all_declined = [row("null", "declined", False, None, 1), row("f", "declined", True, False, 1)]
    out = summarise(all_declined, resamples=200)
    assert out["decline_recall"].value == 1.0
    assert out["decline_precision"].value == 0.5
    none_declined = [row("f", "answered", True, True, 1)]
    out = summarise(none_declined, resamples=200)
    assert out["decline_precision"].value is None
    assert out["decline_recall"].value is None
    assert out["hits10"].value is None


def test_decline_precision_is_left_out_of_groups_with_one_kind_of_question():
    answerable_only = [row("f", "declined", True, False, 1), row("f", "answered", True, True, 1)]
    assert summarise(answerable_only, resamples=200)["decline_precision"].value is None
    unanswerable_only = [row("null", "declined", False, None, 1)]
    out = summarise(unanswerable_only, resamples=200)
    assert out["decline_precision"].value is None
    assert out["decline_recall"].value == 1.0


def test_errors_are_left_out_of_declines_and_latency():
    rows = [row("f", "answered", True, True, 10), row("f", "error", True, False, 999)]
    out = summarise(rows, resamples=200)
    assert out["latency_total_p50"].value == 10
    assert out["latency_total_p50"].n == 1
    assert out["answer_correct"].value == 0.5


def test_summary_by_type_has_overall_first():
    rows = [row("b", "answered", True, True, 1), row("a", "answered", True, False, 3)]
    groups = summarise_by_type(rows, resamples=200)
    assert list(groups) == ["overall", "b", "a"]
    assert groups["overall"]["answer_correct"].value == 0.5
    assert groups["a"]["answer_correct"].value == 0.0


# --- bootstrap ----------------------------------------------------------------------------


def test_bootstrap_interval_brackets_the_mean_and_is_seeded():
    values = [1.0] * 30 + [0.0] * 70
    first = mean_ci(values, resamples=500, seed=1)
    assert first.value == pytest.approx(0.3)
    assert first.low < 0.3 < first.high
    assert first.low > 0.15 and first.high < 0.45
    assert mean_ci(values, resamples=500, seed=1) == first


def test_bootstrap_of_constant_values_has_no_width():
    est = mean_ci([1.0, 1.0, 1.0], resamples=200)
    assert (est.value, est.low, est.high, est.n) == (1.0, 1.0, 1.0, 3)


def test_bootstrap_empty_and_ratio_and_percentile():
    assert mean_ci([]).value is None
    assert ratio_ci([False, False], [False, False]).value is None
    est = ratio_ci([True, False, False, False], [True, True, False, False], resamples=300)
    assert est.value == 0.5 and est.n == 2
    assert 0.0 <= est.low <= 0.5 <= est.high <= 1.0
    p50 = percentile_ci([1.0, 2.0, 3.0, 4.0, 100.0], 50, resamples=300)
    assert p50.value == 3.0
    assert p50.low <= 3.0 <= p50.high


@pytest.mark.unit
def test_supported_rate_counts_removed_sentences_and_ignores_uncited_answers():
    from evals.metrics import supported_rate

    assert supported_rate([True, True], removed=2) == 0.5
    assert supported_rate([True, False, True], removed=0) == pytest.approx(2 / 3)
    assert supported_rate([], removed=0) is None
    assert supported_rate([], removed=3) == 0.0
