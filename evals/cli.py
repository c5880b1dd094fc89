"""`newsdesk eval ...`: run a dataset, gate on thresholds, compare two runs.

Mounted by the main CLI with ``app.add_typer(eval_app, name="eval")``; the run is the group's
own callback so that ``newsdesk eval --dataset multihop`` works next to ``newsdesk eval compare``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from evals.bootstrap import Estimate
from evals.datasets import DatasetError, load_dev, load_jsonl, load_multihop
from evals.metrics import LABELS
from evals.report import (
    CHART,
    REPORT,
    RESULTS,
    compare,
    fmt,
    gate,
    load_run,
    load_thresholds,
    threshold_sample,
    write_run,
)
from evals.settings import EvalSettings
from evals.syndicated import load_multihop_copies

eval_app = typer.Typer(
    help="Measure retrieval, citations and answers on a dataset; compare runs.",
    no_args_is_help=False,
)
console = Console(stderr=True)


class DatasetName(StrEnum):
    multihop = "multihop"
    multihop_copies = "multihop-copies"
    dev = "dev"


def _headline(metrics: dict[str, Estimate]) -> Table:
    table = Table(title="overall")
    table.add_column("metric")
    table.add_column("value [95% CI]")
    for name in (
        "hits4",
        "hits10",
        "mrr10",
        "all_evidence10",
        "ndcg10",
        "citation_recall",
        "citation_precision",
        "citation_validity",
        "answer_correct",
        "decline_precision",
        "decline_recall",
        "latency_total_p50",
    ):
        table.add_row(LABELS[name], fmt(metrics.get(name)))
    return table


@eval_app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    dataset: DatasetName | None = typer.Option(None, help="A built-in dataset."),
    corpus: Path | None = typer.Option(None, help="Corpus JSONL (general format)."),
    questions: Path | None = typer.Option(None, help="Questions JSONL (general format)."),
    limit: int | None = typer.Option(None, min=1, help="Seeded random sample of N questions."),
    seed: int = typer.Option(13, help="Seed of the question sample."),
    types: str | None = typer.Option(None, help="Comma-separated question types to keep."),
    out: Path | None = typer.Option(None, help="Folder for results.json, report.md, chart."),
    cache_dir: Path | None = typer.Option(
        None, help="Where dataset indexes are cached (default: env NEWSDESK_EVAL_CACHE)."
    ),
    resamples: int = typer.Option(1000, min=100, help="Bootstrap resamples."),
    check: Path | None = typer.Option(
        None, help="Thresholds JSON: exit 1 when a gated metric misses its bound."
    ),
    retrieval_only: bool = typer.Option(
        False, "--retrieval-only", help="Score retrieval only; do not answer (much faster)."
    ),
    answerer: str | None = typer.Option(
        None,
        help="'extractive' or provider:model (e.g. openai:gpt-4o-mini); default NEWSDESK_ANSWERER.",
    ),
) -> None:
    """Run a dataset through newsdesk and write results.json, report.md and a chart."""
    if ctx.invoked_subcommand is not None:
        return
    from evals.runner import run_dataset
    from service.settings import Settings

    try:
        if corpus or questions:
            if not (corpus and questions) or dataset:
                raise DatasetError("give --corpus and --questions together, without --dataset")
            data = load_jsonl(corpus, questions)
        elif dataset is DatasetName.multihop:
            data = load_multihop()
        elif dataset is DatasetName.multihop_copies:
            data = load_multihop_copies()
        elif dataset is DatasetName.dev:
            data = load_dev()
        else:
            raise DatasetError(
                "choose --dataset multihop|multihop-copies|dev, or --corpus C --questions Q"
            )
        wanted = [t.strip() for t in types.split(",") if t.strip()] if types else None
        data = data.select(wanted, limit, seed)
        if check:
            asked = {"dataset": data.name, "limit": limit, "seed": seed, "types": wanted}
            sample = threshold_sample(check)
            if any(asked.get(key) != value for key, value in sample.items()):
                raise DatasetError(f"{check} holds thresholds for the sample {sample}, not {asked}")
    except DatasetError as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from None

    out = out or EvalSettings().runs_dir / f"{data.name}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int) -> None:
            label = "indexing articles" if phase == "index" else "answering questions"
            if phase not in tasks:
                tasks[phase] = bar.add_task(label, total=total)
            bar.update(tasks[phase], completed=done)
            if not console.is_terminal and total and done * 10 // total != (done - 1) * 10 // total:
                console.print(f"{label}: {done}/{total}")  # CI logs get a line every 10%

        settings = Settings(**({"answerer": answerer} if answerer else {}))
        result = run_dataset(
            data,
            settings,
            cache_root=cache_dir,
            progress=progress,
            resamples=resamples,
            selection={"limit": limit, "seed": seed, "types": wanted},
            retrieval_only=retrieval_only,
        )
    write_run(result, out)
    console.print(_headline(result.metrics["overall"]))
    console.print(f"wrote {out / RESULTS}, {out / REPORT}, {out / CHART}")
    failed = False
    if result.meta.errors:
        console.print(f"[red]{result.meta.errors} questions raised an error[/red]")
        failed = True
    if check:
        failures = gate(result, load_thresholds(check))
        for f in failures:
            t = f.threshold
            bound = f"≥ {t.minimum}" if t.minimum is not None else f"≤ {t.maximum}"
            value = "missing" if f.value is None else f"{f.value:.3f}"
            console.print(f"[red]gate:[/red] {t.group} {t.metric} = {value}, needs {bound}")
        console.print("gate: [red]FAILED[/red]" if failures else "gate: [green]passed[/green]")
        failed = failed or bool(failures)
    if failed:
        raise typer.Exit(1)


@eval_app.command("compare")
def compare_runs(
    run_a: Path = typer.Argument(..., help="Run folder (or results.json) of the baseline."),
    run_b: Path = typer.Argument(..., help="Run folder (or results.json) to compare with it."),
    group: str | None = typer.Option(None, help="Only this question type (or 'overall')."),
) -> None:
    """Print each metric of two runs and mark differences beyond the 95% intervals."""
    try:
        a, b = load_run(run_a), load_run(run_b)
    except (FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from None
    if a.meta.corpus_hash != b.meta.corpus_hash or a.meta.questions != b.meta.questions:
        console.print("[yellow]note: the runs used different corpora or question sets[/yellow]")
    table = Table(title=f"{run_a} → {run_b}  (* = beyond the 95% intervals)")
    for column in ("group", "metric", "A", "B", "Δ", ""):
        table.add_column(column)
    for d in compare(a, b):
        if group and d.group != group:
            continue
        digits = 1 if d.metric.startswith("latency") else 3
        mark = "*" if d.beyond_ci else ""
        table.add_row(
            d.group,
            LABELS[d.metric],
            fmt(d.a, digits),
            fmt(d.b, digits),
            f"{d.delta:+.{digits}f}",
            f"[bold]{mark}[/bold]",
        )
    Console().print(table)
