"""The `newsdesk` command: ingest, delete, ask, serve, eval. Sits on top; nothing imports it."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evals.cli import eval_app
from ingest.index.store import IndexUnavailable, ModelMismatch
from ingest.sources.files import expand_paths
from ingest.sources.records import LoadError
from service.settings import Settings

if TYPE_CHECKING:
    from service.articles import ArticleService

app = typer.Typer(
    help="Ask questions about news articles and get answers with quoted citations.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(eval_app, name="eval")
console = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        err.print(f"[red]Invalid configuration:[/red] {exc}")
        raise typer.Exit(2) from None


def _articles(settings: Settings) -> ArticleService:
    """The article service over the configured index, or a clear exit when it cannot open."""
    from service.articles import ArticleService

    try:
        return ArticleService.open(settings)
    except (IndexUnavailable, ModelMismatch) as exc:
        raise _fail(str(exc)) from None


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", soft_wrap=True, highlight=False)
    return typer.Exit(code)


@app.command()
def ingest(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files or folders (walked recursively), or http(s) URLs of pages."),
    ] = None,
    feeds: Annotated[
        list[str] | None, typer.Option("--feed", help="An RSS 2.0 / Atom feed URL (repeatable).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Ingest the files in this many processes, each with its own encoder, "
            "writing to the Chroma server of NEWSDESK_CHROMA_URL (each article by one of them).",
        ),
    ] = 1,
) -> None:
    """Index articles from .txt/.md, .html, .json and .jsonl files, web pages and feeds."""
    from ingest.pipeline import build_ingestor

    given = paths or []
    urls = [p for p in given if p.startswith(("http://", "https://"))]
    files = [Path(p) for p in given if p not in urls]
    if not (given or feeds):
        raise _fail("give files, folders, URLs or --feed URL", 2)
    settings = _settings()
    ok = True
    if files and workers > 1:
        ok = _ingest_in_workers(settings, files, workers)
    elif files:
        with console.status("Loading the embedding model and opening the index…"):
            try:
                ingestor = build_ingestor(settings)
            except (IndexUnavailable, ModelMismatch) as exc:
                raise _fail(str(exc)) from None
        ok = _ingest_files(ingestor, list(expand_paths(files)))
    if urls or feeds:
        service = _feed_service(settings)
        with console.status("Fetching…"):
            summaries = [service.ingest_pages(urls)] if urls else []
            summaries += [service.poll(feed) for feed in feeds or []]
        for summary in summaries:
            _print_web(summary)
            ok = ok and summary.ok
    if not ok:
        raise typer.Exit(1)


def _ingest_files(ingestor, files) -> bool:
    for action in ingestor.index.repaired.actions:
        console.print(f"[yellow]repaired[/yellow] {action}", soft_wrap=True, highlight=False)
    with Progress(
        TextColumn("[bold]Ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("articles"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("ingest", total=None)
        ingestor.on_progress = lambda n: progress.advance(task, n)
        report = ingestor.run(_counted(files, progress, task))
    return _print_report(report)


def _ingest_in_workers(settings: Settings, files: list[Path], workers: int) -> bool:
    from ingest.workers import WorkersNeedServer, ingest_in_workers

    with console.status(f"Ingesting in {workers} worker processes…"):
        try:
            report = ingest_in_workers(settings, files, workers)
        except WorkersNeedServer as exc:
            raise _fail(str(exc), 2) from None
        except (IndexUnavailable, ModelMismatch) as exc:
            raise _fail(str(exc)) from None
    return _print_report(report)


def _print_report(report) -> bool:
    for error in report.errors:
        err.print(f"[red]failed[/red] {error}", soft_wrap=True, highlight=False)
    for note in report.assumed:
        console.print(f"[yellow]assumed[/yellow] {note}", soft_wrap=True, highlight=False)
    table = Table(title="Ingest summary", show_header=False)
    for label, value in (
        ("new", report.new),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("failed", report.failed),
        ("assumed", len(report.assumed)),
        ("chunks written", report.chunks_written),
        ("seconds", f"{report.seconds:.1f}"),
        ("chunks per second", f"{report.chunks_per_second:.1f}"),
    ):
        table.add_row(label, str(value))
    console.print(table)
    return report.ok


def _feed_service(settings: Settings):
    from service.feeds import FeedService
    from service.stores.feeds import FeedStore

    with console.status("Loading the embedding model and opening the index…"):
        return FeedService(_articles(settings), FeedStore.from_settings(settings))


def _print_web(summary) -> None:
    """One line per failed URL (with the rule that refused it), per assumption, then counts."""
    for failure in summary.failed:
        rule = f" [dim](rule: {failure.rule})[/dim]" if failure.rule else ""
        err.print(f"[red]failed[/red] {failure}{rule}", soft_wrap=True, highlight=False)
    for note in summary.assumed:
        console.print(f"[yellow]assumed[/yellow] {note}", soft_wrap=True, highlight=False)
    head = f"{summary.url}: " if summary.url else ""
    if summary.not_modified:
        console.print(f"{head}not modified since the last poll", highlight=False)
        return
    counts = (
        f"{summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{len(summary.skipped)} skipped, {len(summary.failed)} failed, "
        f"{len(summary.assumed)} assumed"
    )
    console.print(head + counts, highlight=False)


def _seconds(every: str) -> float:
    """'90', '30s', '15m', '2h' → seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = every.strip().lower()
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "s")
    try:
        seconds = float(number) * units[unit]
    except ValueError:
        raise _fail(f"--every {every!r}: use a number of seconds or e.g. 30s, 15m, 2h", 2) from None
    if seconds < 1:
        raise _fail("--every must be at least 1 second", 2)
    return seconds


@app.command()
def watch(
    feeds: Annotated[
        list[str] | None,
        typer.Argument(help="RSS 2.0 / Atom feed URLs; none: every feed already watched."),
    ] = None,
    every: Annotated[str, typer.Option(help="How often to poll: 30s, 15m, 2h.")] = "15m",
    once: Annotated[bool, typer.Option(help="Poll each feed once and exit.")] = False,
) -> None:
    """Poll feeds (conditional requests: an unchanged feed costs one 304), ingesting new or
    changed items, until interrupted; without URLs, the feeds watched (newsdesk ingest --feed,
    POST /feeds)."""
    import time

    pause = _seconds(every)
    service = _feed_service(_settings())
    while True:
        urls = feeds or [feed.url for feed in service.feeds()]
        if not urls:
            raise _fail("no feeds watched yet: give feed URLs (or POST /feeds)", 2)
        for url in urls:
            _print_web(service.poll(url))
        if once:
            return
        time.sleep(pause)


def _counted(files, progress: Progress, task):
    """Loads lazily while the bar learns the total as records are read."""
    from ingest.sources.files import load_file

    total = 0
    for item in files:
        if isinstance(item, LoadError):
            total += 1
            progress.update(task, total=total)
            yield item
            continue
        records = list(load_file(item))
        total += len(records)
        progress.update(task, total=total)
        yield from records


@app.command()
def delete(id_or_url: Annotated[str, typer.Argument(help="Article id or URL.")]) -> None:
    """Remove an article, all of its chunks and its earlier versions from the index."""
    removed = _articles(_settings()).delete(id_or_url)
    if removed is None:
        raise _fail(f"no article with id or URL {id_or_url!r}")
    console.print(f"Deleted [bold]{removed.title}[/bold] ({removed.id}).")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    top_k: Annotated[int | None, typer.Option(help="Passages to retrieve.")] = None,
    published_after: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    published_before: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    source: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw Answer object.")] = False,
) -> None:
    """Answer a question from the indexed articles, with citations."""
    from service.answering.service import AnswerService
    from service.contract import AskRequest, invalid_fields

    try:
        request = AskRequest(
            question=question,
            top_k=top_k,
            published_after=published_after,
            published_before=published_before,
            source=source,
        )
    except ValidationError as exc:
        raise _fail(invalid_fields(exc), 2) from None
    try:
        answer = AnswerService.from_settings(_settings()).ask(request)
    except (IndexUnavailable, ModelMismatch) as exc:
        raise _fail(str(exc)) from None
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
        return
    if answer.status == "declined":
        console.print(f"[yellow]{answer.text}[/yellow]")
        return
    console.print(answer.text, highlight=False)
    console.print()
    for c in answer.citations:
        dated = c.published.date().isoformat() if c.published else "undated"
        meta = " · ".join(part for part in (c.source, dated) if part)
        console.print(f"[bold][{c.n}][/bold] {c.title}" + (f" — {meta}" if meta else ""))
        if c.also_carried_by:
            console.print(f"    also carried by {', '.join(c.also_carried_by)}", highlight=False)
        if c.url:
            console.print(f"    {c.url}", style="blue", highlight=False)
        console.print(f"    “{c.quote}” (chars {c.start}–{c.end})", style="dim", highlight=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default 8000.")] = None,
) -> None:
    """Serve the HTTP API and the chat page."""
    import uvicorn

    from service.api.app import create_app

    settings = _settings()
    logging.basicConfig(level=settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )


@app.command()
def slack() -> None:
    """Run the Slack bot over Socket Mode (no public URL needed)."""
    from service.slack.serving import serve_socket_mode

    serve_socket_mode(_settings())


@app.command()
def mcp() -> None:
    """Serve the tools ask, search and get_article to an MCP host over stdin/stdout."""
    from service.mcp.server import serve_stdio

    serve_stdio(_settings())


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@app.command(name="articles")
def list_articles(
    limit: Annotated[int, typer.Option(help="How many to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List indexed articles, newest first."""
    articles, total = _articles(_settings()).page(limit=limit)
    if as_json:
        rows = [a.model_dump(exclude={"body"}) for a in articles]
        sys.stdout.write(json.dumps(rows, default=_json_default, indent=2) + "\n")
        return
    table = Table(title=f"{total} articles")
    for column in ("published", "source", "title", "id"):
        table.add_column(column)
    for a in articles:
        published = a.published.date().isoformat() if a.published else "undated"
        table.add_row(published, a.source or "", a.title, a.id)
    console.print(table)


if __name__ == "__main__":
    app()
