"""The figures of issue #19 on hand-made runs whose values are worked out by hand: verdict
correctness against the majority baseline, Yes/No precision and recall, and withheld answers."""

from __future__ import annotations

from itertools import count

import pytest

from evals.answer_text import gold_verdict, withholds
from evals.datasets import Question
from evals.metrics import ANSWER_SCORES, QuestionResult, score_question, summarise

pytestmark = pytest.mark.unit
IDS = count()


def asked(gold: list[str], status: str, answer: str) -> QuestionResult:
    """One question scored exactly as the runner scores it."""
    question = Question(id=f"q{next(IDS)}", question="?", answers=gold)
    return QuestionResult(
        id=question.id,
        type="yes_no",
        question="?",
        gold_answers=gold,
        evidence_articles=[],
        status=status,
        answer=answer,
        scores=score_question(question, status, answer, [], [], {}),
    )


def value(figures, name):
    estimate = figures[name]
    if estimate.value is not None:
        assert estimate.low <= estimate.value <= estimate.high
    return estimate.value


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        ("answered", "The articles do not say what a ticket costs [1].", True),
        ("answered", "the articles do not settle it: one claim is unsupported.", True),
        ("answered", "The articles don't say.", False),
        ("answered", "The articles do not sayings", False),
        ("answered", "Yes. The articles do not say more [1].", False),
        ("answered", "According to the articles, they do not say.", False),
        ("declined", "I could not find this in the indexed articles.", True),
        ("error", "", False),
    ],
)
def test_an_answer_withholds_when_declined_or_opening_with_the_phrase(status, answer, expected):
    assert withholds(status, answer) is expected


def test_gold_verdict_reads_yes_no_gold_answers_only():
    assert gold_verdict(["Yes"]) == "yes"
    assert gold_verdict(["no."]) == "no"
    assert gold_verdict(["Kestrel Semiconductor"]) is None
    assert gold_verdict([]) is None


def test_mixed_run_every_figure_by_hand():
    rows = [
        asked(["Yes"], "answered", "Yes, it rose [1]."),  # right
        asked(["Yes"], "answered", "No, it did not [1]."),  # wrong: a No for a Yes
        asked(["No"], "answered", "No [1]."),  # right
        asked(["Yes"], "declined", "Not found."),  # wrong, no verdict
        asked(["Ann Lee"], "answered", "Yes [1]."),  # not a yes/no question: a stray Yes
        asked([], "answered", "The articles do not settle it [1]."),  # withheld
        asked([], "answered", "Yes [1]."),  # unanswerable, answered Yes
    ]
    out = summarise(rows, resamples=300)
    # four yes/no-gold questions: Yes, Yes, No, Yes; two answered right
    assert value(out, "verdict_correct") == 0.5
    assert value(out, "majority_baseline") == 0.75  # always Yes: 3 of 4
    assert value(out, "verdict_lift") == pytest.approx(-0.25)  # (0 - 1 + 1 - 1) / 4
    assert out["verdict_correct"].n == out["majority_baseline"].n == 4
    # said Yes three times (rows 1, 5, 7), right once; gold Yes three times, found once
    assert value(out, "yes_precision") == pytest.approx(1 / 3)
    assert value(out, "yes_recall") == pytest.approx(1 / 3)
    # said No twice (rows 2, 3), right once; the one gold No was found
    assert value(out, "no_precision") == 0.5
    assert value(out, "no_recall") == 1.0
    assert value(out, "unanswerable_withheld") == 0.5  # row 6 of rows 6-7
    assert value(out, "answerable_answered") == 0.8  # all but the declined row 4, of 5


def test_a_verdict_that_only_learned_the_prior_shows_no_lift():
    """Always answering No on a group that is mostly No beats nothing: lift 0, Yes recall 0."""
    rows = [asked([gold], "answered", "No [1].") for gold in ("No", "No", "No", "Yes")]
    out = summarise(rows, resamples=300)
    assert value(out, "verdict_correct") == 0.75
    assert value(out, "majority_baseline") == 0.75
    assert value(out, "verdict_lift") == 0.0
    assert value(out, "yes_precision") is None  # never said Yes
    assert value(out, "yes_recall") == 0.0
    assert value(out, "no_precision") == 0.75
    assert value(out, "no_recall") == 1.0


def test_a_tie_takes_yes_as_the_majority_and_a_better_verdict_lifts():
    rows = [
        asked(["Yes"], "answered", "Yes [1]."),
        asked(["No"], "answered", "No [1]."),
        asked(["Yes"], "answered", "Yes [1]."),
        asked(["No"], "answered", "Yes [1]."),
    ]
    out = summarise(rows, resamples=300)
    assert value(out, "majority_baseline") == 0.5
    assert value(out, "verdict_correct") == 0.75
    assert value(out, "verdict_lift") == 0.25  # correct 1, 1, 1, 0 minus always-Yes 1, 0, 1, 0
    assert value(out, "yes_precision") == pytest.approx(2 / 3)
    assert value(out, "no_recall") == 0.5


def test_an_error_misses_its_verdict_and_a_retrieval_only_run_has_no_figures():
    error = asked(["Yes"], "error", "")
    out = summarise([error, asked(["Yes"], "answered", "Yes [1].")], resamples=300)
    assert value(out, "verdict_correct") == 0.5
    assert value(out, "yes_recall") == 0.5
    assert value(out, "yes_precision") == 1.0
    skipped = asked(["Yes"], "skipped", "")
    skipped.scores = skipped.scores.model_copy(update=dict.fromkeys(ANSWER_SCORES))
    unanswerable = asked([], "skipped", "")
    unanswerable.scores = unanswerable.scores.model_copy(update=dict.fromkeys(ANSWER_SCORES))
    out = summarise([skipped, unanswerable], resamples=300)
    for name in (
        "verdict_correct",
        "majority_baseline",
        "verdict_lift",
        "yes_precision",
        "yes_recall",
        "no_precision",
        "no_recall",
        "unanswerable_withheld",
        "answerable_answered",
    ):
        assert out[name].value is None, name
