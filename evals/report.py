"""What a run leaves behind: results.json, report.md and a chart; comparing two runs; the gate."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from evals.answer_text import VERDICTS, gold_verdict
from evals.bootstrap import Estimate
from evals.metrics import DECLINE_METRICS, LABELS, STAGES
from evals.runner import RunResult
from evals.verdicts import VERDICT_METRICS

RESULTS = "results.json"
REPORT = "report.md"
CHART = "metrics.png"
REPO_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.json"
TABLES: dict[str, tuple[str, ...]] = {
    "Retrieval (top 10 passages, before answering)": (
        "hits4",
        "hits10",
        "mrr10",
        "all_evidence10",
        "evidence_recall10",
        "ndcg10",
    ),
    "Citations": ("citation_recall", "citation_precision", "citation_validity"),
    "Answers": ("answer_correct", "answered", *DECLINE_METRICS),
    "Direct answers (issue #19)": (
        "answer_correct",
        "verdict_correct",
        *VERDICT_METRICS,
        "unanswerable_withheld",
        "answerable_answered",
    ),
}
CHART_METRICS = (
    "hits10",
    "mrr10",
    "all_evidence10",
    "citation_recall",
    "answer_correct",
    "decline_recall",
)


def write_run(result: RunResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / RESULTS).write_text(result.model_dump_json(indent=1), encoding="utf-8")
    (out / REPORT).write_text(markdown(result), encoding="utf-8")
    chart(result, out / CHART)


def load_run(path: Path) -> RunResult:
    """A run folder or its results.json."""
    file = path / RESULTS if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"no {RESULTS} at {path}")
    return RunResult.model_validate_json(file.read_text(encoding="utf-8"))


def fmt(estimate: Estimate | None, digits: int = 3) -> str:
    if estimate is None or estimate.value is None:
        return "—"
    return f"{estimate.value:.{digits}f} [{estimate.low:.{digits}f}, {estimate.high:.{digits}f}]"


def _verdict_counts(result: RunResult, group: str) -> str:
    """'Yes / No' gold answers of a group: which verdict its majority baseline answers."""
    golds = [gold_verdict(q.gold_answers) for q in result.questions if group in ("overall", q.type)]
    return " / ".join(str(golds.count(v)) for v in VERDICTS)


def markdown(result: RunResult) -> str:
    meta, groups = result.meta, list(result.metrics)
    counts = {g: sum(1 for q in result.questions if g in ("overall", q.type)) for g in groups}
    lines = [
        f"# newsdesk eval — {meta.dataset}",
        "",
        f"{meta.questions} questions over {meta.articles} articles"
        + (f" (sample: limit {meta.limit}, seed {meta.seed})" if meta.limit else "")
        + f"; commit {meta.git_commit or 'unknown'}; {meta.started_at:%Y-%m-%d %H:%M} UTC; "
        f"{meta.errors} errors. Each cell: value [95% bootstrap interval]; n = questions the "
        "metric applies to.",
        "",
    ]
    header = "| metric | " + " | ".join(f"{g} (n={counts[g]})" for g in groups) + " |"
    rule = "|---" * (len(groups) + 1) + "|"
    for title, names in TABLES.items():
        lines += [f"## {title}", "", header, rule]
        if "verdict_correct" in names:
            counts_row = " | ".join(_verdict_counts(result, g) for g in groups)
            lines.append(f"| Yes / No gold answers | {counts_row} |")
        lines += [
            f"| {LABELS[name]} | "
            + " | ".join(fmt(result.metrics[g].get(name)) for g in groups)
            + " |"
            for name in names
        ]
        lines.append("")
    overall = result.metrics["overall"]
    lines += [
        "## Latency per stage (ms, all questions)",
        "",
        "| stage | p50 | p95 |",
        "|---|---|---|",
    ]
    lines += [
        f"| {s} | {fmt(overall.get(f'latency_{s}_p50'), 1)} | "
        f"{fmt(overall.get(f'latency_{s}_p95'), 1)} |"
        for s in STAGES
    ]
    settings = ", ".join(f"{k}={v}" for k, v in meta.settings.items())
    lines += ["", f"Settings: {settings}. Index: `{meta.index_dir}`.", ""]
    return "\n".join(lines)


def chart(result: RunResult, path: Path) -> None:
    """Grouped bars: the main metrics per question type, with their intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    groups = list(result.metrics)
    width = 0.8 / len(CHART_METRICS)
    fig, ax = plt.subplots(figsize=(max(6, 2 * len(groups)), 4.5))
    for i, name in enumerate(CHART_METRICS):
        values, errors = [], [[], []]
        for g in groups:
            est = result.metrics[g].get(name) or Estimate()
            value = est.value if est.value is not None else np.nan
            values.append(value)
            errors[0].append(value - est.low if est.low is not None else 0)
            errors[1].append(est.high - value if est.high is not None else 0)
        xs = np.arange(len(groups)) + (i - (len(CHART_METRICS) - 1) / 2) * width
        ax.bar(xs, values, width, yerr=errors, capsize=2, label=LABELS[name])
    ax.set_xticks(np.arange(len(groups)), groups)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (95% bootstrap interval)")
    ax.set_title(f"newsdesk eval — {result.meta.dataset}, {result.meta.questions} questions")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


class Difference(BaseModel):
    group: str
    metric: str
    a: Estimate
    b: Estimate
    beyond_ci: bool

    @property
    def delta(self) -> float:
        return (self.b.value or 0.0) - (self.a.value or 0.0)


def compare(a: RunResult, b: RunResult) -> list[Difference]:
    """Metrics both runs have; a difference is beyond the CI when each run's value lies
    outside the other's 95% interval."""
    out = []
    for group, metrics in a.metrics.items():
        for name, est_a in metrics.items():
            est_b = b.metrics.get(group, {}).get(name)
            if est_b is None or est_a.value is None or est_b.value is None:
                continue
            beyond = not est_a.contains(est_b.value) and not est_b.contains(est_a.value)
            out.append(Difference(group=group, metric=name, a=est_a, b=est_b, beyond_ci=beyond))
    return out


class Threshold(BaseModel):
    group: str
    metric: str
    minimum: float | None = None
    maximum: float | None = None


class GateFailure(BaseModel):
    threshold: Threshold
    value: float | None


def load_thresholds(path: Path) -> list[Threshold]:
    """``{"overall": {"hits10": {"min": 0.8}, "latency_total_p95": {"max": 500}}, ...}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for group, metrics in data.get("thresholds", {}).items():
        for name, bound in metrics.items():
            if name not in LABELS:
                raise ValueError(f"{path}: unknown metric {name!r}")
            out.append(
                Threshold(
                    group=group, metric=name, minimum=bound.get("min"), maximum=bound.get("max")
                )
            )
    return out


def threshold_sample(path: Path) -> dict[str, object]:
    """The sample the thresholds were measured on: a gate on another sample means nothing."""
    return json.loads(path.read_text(encoding="utf-8")).get("sample", {})


def gate(result: RunResult, thresholds: list[Threshold]) -> list[GateFailure]:
    """Thresholds the run misses; a metric the run lacks counts as missed."""
    failures = []
    for t in thresholds:
        value = result.metrics.get(t.group, {}).get(t.metric, Estimate()).value
        low = t.minimum is not None and (value is None or value < t.minimum)
        high = t.maximum is not None and (value is None or value > t.maximum)
        if low or high:
            failures.append(GateFailure(threshold=t, value=value))
    return failures
