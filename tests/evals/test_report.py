"""Reports, comparison and the CI gate, on hand-made runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from evals.bootstrap import Estimate
from evals.cli import eval_app
from evals.datasets import Question
from evals.metrics import QuestionResult, QuestionScores, score_question, summarise_by_type
from evals.report import (
    CHART,
    REPORT,
    RESULTS,
    compare,
    gate,
    load_run,
    load_thresholds,
    markdown,
    write_run,
)
from evals.runner import RunMeta, RunResult

pytestmark = pytest.mark.unit


def make_run(hits10: float, low: float, high: float) -> RunResult:
    est = Estimate(value=hits10, low=low, high=high, n=100)
    metrics = {
        "overall": {"hits10": est, "mrr10": Estimate(value=0.5, low=0.4, high=0.6, n=100)},
        "comparison": {"hits10": est, "answer_correct": Estimate()},
    }
    meta = RunMeta(
        dataset="toy",
        questions=1,
        articles=1,
        corpus_hash="c",
        index_key="k",
        index_dir="/tmp/k",
        started_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    row = QuestionResult(
        id="q1",
        type="comparison",
        question="Which?",
        gold_answers=["A"],
        evidence_articles=["a"],
        status="answered",
        answer="A [1].",
        scores=QuestionScores(hits10=True),
    )
    return RunResult(meta=meta, metrics=metrics, questions=[row])


def test_write_and_load_a_run(tmp_path):
    run = make_run(0.8, 0.7, 0.9)
    write_run(run, tmp_path / "run")
    for name in (RESULTS, REPORT, CHART):
        assert (tmp_path / "run" / name).stat().st_size > 0
    assert (tmp_path / "run" / CHART).read_bytes()[:4] == b"\x89PNG"
    loaded = load_run(tmp_path / "run")
    assert loaded == run
    assert load_run(tmp_path / "run" / RESULTS) == run
    assert loaded.questions[0].scores.hits10 is True


def test_markdown_has_every_group_and_interval():
    text = markdown(make_run(0.8, 0.7, 0.9))
    assert "| metric | overall (n=1) | comparison (n=1) |" in text
    assert "| Hits@10 | 0.800 [0.700, 0.900] | 0.800 [0.700, 0.900] |" in text
    assert "| Answer correct | — | — |" in text


def test_compare_marks_only_differences_beyond_both_intervals():
    a = make_run(0.80, 0.75, 0.85)
    close = {(d.group, d.metric): d for d in compare(a, make_run(0.83, 0.78, 0.88))}
    far = {(d.group, d.metric): d for d in compare(a, make_run(0.60, 0.55, 0.65))}
    assert not close[("overall", "hits10")].beyond_ci
    assert far[("overall", "hits10")].beyond_ci
    assert far[("overall", "hits10")].delta == pytest.approx(-0.2)
    assert not far[("overall", "mrr10")].beyond_ci
    assert ("comparison", "answer_correct") not in far  # no value on either side


def test_gate_fails_below_a_minimum_and_on_a_missing_metric(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "thresholds": {
                    "overall": {"hits10": {"min": 0.7}, "mrr10": {"min": 0.55}},
                    "comparison": {"answer_correct": {"min": 0.1}},
                }
            }
        )
    )
    failures = gate(make_run(0.8, 0.7, 0.9), load_thresholds(path))
    assert [(f.threshold.group, f.threshold.metric) for f in failures] == [
        ("overall", "mrr10"),
        ("comparison", "answer_correct"),
    ]
    assert failures[0].value == 0.5 and failures[1].value is None


def test_thresholds_reject_unknown_metrics(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"thresholds": {"overall": {"hits11": {"min": 0.7}}}}))
    with pytest.raises(ValueError, match="unknown metric"):
        load_thresholds(path)


def test_repository_thresholds_name_known_metrics():
    from evals.report import REPO_THRESHOLDS

    assert load_thresholds(REPO_THRESHOLDS)


def test_cli_compare_prints_and_marks(tmp_path):
    write_run(make_run(0.80, 0.75, 0.85), tmp_path / "a")
    write_run(make_run(0.60, 0.55, 0.65), tmp_path / "b")
    result = CliRunner().invoke(eval_app, ["compare", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "overall" in x and "Hits@10" in x)
    assert "-0.200" in line and "*" in line


def test_cli_compare_reports_a_missing_run(tmp_path):
    result = CliRunner().invoke(eval_app, ["compare", str(tmp_path / "x"), str(tmp_path / "y")])
    assert result.exit_code == 2


def test_cli_refuses_a_run_without_a_dataset():
    result = CliRunner().invoke(eval_app, [])
    assert result.exit_code == 2


def test_cli_needs_corpus_and_questions_together(tmp_path):
    result = CliRunner().invoke(eval_app, ["--corpus", str(tmp_path / "c.jsonl")])
    assert result.exit_code == 2
    assert "--corpus and --questions together" in result.output


def test_cli_refuses_to_gate_another_sample():
    from evals.report import REPO_THRESHOLDS

    result = CliRunner().invoke(eval_app, ["--dataset", "dev", "--check", str(REPO_THRESHOLDS)])
    assert result.exit_code == 2
    assert "holds thresholds for the sample" in result.output


def verdict_run(said: list[str]) -> RunResult:
    """A yes/no run over gold Yes, Yes, No and one unanswerable question, with real scores."""
    golds = [["Yes"], ["Yes"], ["No"], []]
    rows = []
    for number, (gold, answer) in enumerate(zip(golds, said, strict=True)):
        question = Question(id=f"q{number}", question="?", answers=gold, type="yes_no")
        rows.append(
            QuestionResult(
                id=question.id,
                type="yes_no",
                question="?",
                gold_answers=gold,
                evidence_articles=[],
                status="answered",
                answer=answer,
                scores=score_question(question, "answered", answer, [], [], {}),
            )
        )
    run = make_run(0.8, 0.7, 0.9)
    return run.model_copy(update={"metrics": summarise_by_type(rows, 200), "questions": rows})


def test_markdown_puts_verdicts_next_to_their_baseline_per_type():
    text = markdown(verdict_run(["Yes [1].", "Yes [1].", "Yes [1].", "The articles do not say."]))
    assert "## Direct answers (issue #19)" in text
    assert "| Yes / No gold answers | 2 / 1 | 2 / 1 |" in text
    lines = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| ")}
    assert lines["| Verdict correct (yes/no gold)"].startswith(
        "| Verdict correct (yes/no gold) | 0.667 ["
    )
    assert "| Majority-class baseline (yes/no gold) | 0.667 [" in text  # always Yes: 2 of 3
    assert "| Verdict correct − baseline | 0.000 [" in text
    assert "| No recall | 0.000 [0.000, 0.000] |" in text
    assert "| Unanswerable declined or 'do not say' | 1.000 [1.000, 1.000] |" in text


def test_the_gate_and_compare_know_the_direct_answer_figures(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "thresholds": {
                    "yes_no": {"verdict_lift": {"min": 0.08}, "no_recall": {"min": 0.5}},
                    "overall": {"unanswerable_withheld": {"min": 0.9}},
                }
            }
        )
    )
    prior = verdict_run(["Yes [1].", "Yes [1].", "Yes [1].", "Yes [1]."])
    learned = verdict_run(["Yes [1].", "Yes [1].", "No [1].", "The articles do not say."])
    failing = {(f.threshold.group, f.threshold.metric) for f in gate(prior, load_thresholds(path))}
    assert failing == {
        ("yes_no", "verdict_lift"),
        ("yes_no", "no_recall"),
        ("overall", "unanswerable_withheld"),
    }
    assert gate(learned, load_thresholds(path)) == []
    write_run(prior, tmp_path / "a")
    write_run(learned, tmp_path / "b")
    result = CliRunner().invoke(
        eval_app, ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--group", "yes_no"]
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "No recall" in x)
    assert "+1.000" in line
