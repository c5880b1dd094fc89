"""Ingest: loaded articles → chunks → embeddings → index, idempotently and in batches.

Articles are checked against the index and chunked in a thread of their own, a batch ahead of
the model (torch and ONNX Runtime release the GIL while they encode), so the model never waits
for parsing, cleaning or chunking. Chunks of several articles are embedded together (the model
is much faster on full batches), then the batch is written in a few Chroma calls, each article
whole; an article whose fingerprint is already stored is skipped. With a budget
(``max_chunks``, one HTTP request's) every article is chunked and counted before any is
embedded. A ``cancel`` event stops the run between two model batches or two batch writes.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from pydantic import BaseModel, Field

from ingest.chunking import Chunker
from ingest.embedding import Embedder
from ingest.index.schema import contextual_text
from ingest.index.store import NewsIndex
from ingest.models import Article, Chunk
from ingest.sources.records import LoadedArticle, LoadError

T = TypeVar("T")


class IngestReport(BaseModel):
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    chunks_written: int = 0
    seconds: float = 0.0
    errors: list[LoadError] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list)
    assumed: list[str] = Field(
        default_factory=list, description="What was assumed for an article, e.g. its title."
    )

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_written / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0


class IngestTooLarge(ValueError):
    """The articles would make more chunks to embed than the budget allows; none was embedded."""

    def __init__(self, article: Article, chunks: int, total: int, limit: int):
        made = f"the article '{article.title}' ({article.id}) makes {chunks} passages to embed"
        if total > chunks:
            made += f", {total} with the articles before it"
        super().__init__(f"{made}, over the limit of {limit} per request")


class IngestCancelled(RuntimeError):
    """The run was stopped; each article is indexed whole (``report``) or not at all."""

    def __init__(self, report: IngestReport):
        super().__init__(f"ingest cancelled after {len(report.article_ids)} articles")
        self.report = report


@dataclass
class _Pending:
    item: LoadedArticle
    chunks: list[Chunk]
    is_new: bool


@dataclass
class _Batch:
    """What the preparing thread hands over: the articles to embed and write, and what it
    settled itself, in the order the report lists them."""

    pending: list[_Pending] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)
    replaced: int = 0  # earlier copies of an article the same run gave again, not written

    def chunks(self) -> int:
        return sum(len(p.chunks) for p in self.pending)


_CANCELLED = _Batch()
"""Handed over when the preparing thread saw ``cancel``."""


@dataclass
class Ingestor:
    index: NewsIndex
    embedder: Embedder
    chunker: Chunker
    batch_chunks: int = 256
    on_progress: Callable[[int], None] | None = None
    max_chunks: int | None = None
    cancel: threading.Event | None = None

    def run(self, items: Iterable[LoadedArticle | LoadError]) -> IngestReport:
        """Raises IngestTooLarge (nothing embedded) when the articles exceed ``max_chunks``,
        IngestCancelled when ``cancel`` is set; an error while reading or chunking the
        articles is raised here as it was raised there."""
        report = IngestReport()
        started = time.perf_counter()
        with prefetched(self._batches(items)) as batches:
            for batch in batches:
                if batch is _CANCELLED:
                    raise IngestCancelled(report)
                self._apply(batch, report)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_articles(self, articles: Iterable[Article], origin: str = "request") -> IngestReport:
        return self.run(
            LoadedArticle(article=a, path=origin, line=i) for i, a in enumerate(articles, start=1)
        )

    def _batches(self, items: Iterable[LoadedArticle | LoadError]) -> Iterator[_Batch]:
        """Runs in the preparing thread: reads, checks and chunks the articles, a batch of
        ``batch_chunks`` at a time (all of them in one under ``max_chunks``)."""
        batch, handed = _Batch(), {}
        for item in items:
            if self.cancel is not None and self.cancel.is_set():
                yield _CANCELLED
                return
            if isinstance(item, LoadError):
                batch.errors.append(item)
            else:
                self._add(item, batch, handed)
            if self.max_chunks is None and batch.chunks() >= self.batch_chunks:
                handed.update(
                    (p.item.article.id, p.item.article.fingerprint) for p in batch.pending
                )
                yield batch
                batch = _Batch()
        yield batch

    def _add(self, item: LoadedArticle, batch: _Batch, handed: dict[str, str]) -> None:
        """``handed``: the fingerprints of the articles in batches handed over already, which
        the index holds by the time this batch is written."""
        article = item.article
        where = f"{item.path}:{item.line}" if item.line else item.path
        batch.assumed += [f"{where}: {note}" for note in article.assumed]
        waiting = {p.item.article.id: p for p in batch.pending}
        stored = handed.get(article.id) or self.index.stored_fingerprint(article.id)
        if stored == article.fingerprint and article.id not in waiting:
            batch.unchanged.append(article.id)
            return
        chunks = self.chunker.split(article)
        if not chunks:
            reason = "no text left to index"
            batch.errors.append(LoadError(path=item.path, line=item.line, reason=reason))
            return
        previous = waiting.get(article.id)
        if previous is not None:
            batch.pending.remove(previous)
            batch.replaced += 1
        total = batch.chunks() + len(chunks)
        if self.max_chunks is not None and total > self.max_chunks:
            raise IngestTooLarge(article, len(chunks), total, self.max_chunks)
        is_new = previous.is_new if previous else stored is None
        batch.pending.append(_Pending(item, chunks, is_new=is_new))

    def _apply(self, batch: _Batch, report: IngestReport) -> None:
        self._stop_if_cancelled(report)
        report.unchanged += len(batch.unchanged)
        report.article_ids += batch.unchanged
        report.failed += len(batch.errors)
        report.errors += batch.errors
        report.assumed += batch.assumed
        self._advance(len(batch.unchanged) + len(batch.errors) + batch.replaced)
        if not batch.pending:
            return
        vectors = self._embed([contextual_text(c) for p in batch.pending for c in p.chunks], report)
        self._stop_if_cancelled(report)
        entries, offset = [], 0
        for entry in batch.pending:
            count = len(entry.chunks)
            entries.append((entry.item.article, entry.chunks, vectors[offset : offset + count]))
            offset += count
        try:
            self.index.write_articles(entries)
        except Exception:
            # One at a time, to tell the articles that cannot be written from those that can.
            for entry, written in zip(batch.pending, entries, strict=True):
                self._stop_if_cancelled(report)
                try:
                    self.index.write_articles([written])
                except Exception as exc:
                    self._failed(entry, exc, report)
                else:
                    self._written(entry, report)
        else:
            for entry in batch.pending:
                self._written(entry, report)

    def _written(self, entry: _Pending, report: IngestReport) -> None:
        report.chunks_written += len(entry.chunks)
        report.article_ids.append(entry.item.article.id)
        if entry.is_new:
            report.new += 1
        else:
            report.updated += 1
        self._advance()

    def _failed(self, entry: _Pending, exc: Exception, report: IngestReport) -> None:
        report.failed += 1
        reason = f"index write failed: {exc}"
        report.errors.append(LoadError(path=entry.item.path, line=entry.item.line, reason=reason))
        self._advance()

    def _embed(self, texts: list[str], report: IngestReport) -> np.ndarray:
        """One model batch at a time, longest texts first as the model itself orders them
        (least padding), so a cancellation is seen within one batch."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.zeros((len(texts), self.embedder.dimension), dtype=np.float32)
        step = self.embedder.batch_size
        for start in range(0, len(order), step):
            self._stop_if_cancelled(report)
            rows = order[start : start + step]
            vectors[rows] = self.embedder.embed_documents([texts[i] for i in rows])
        return vectors

    def _stop_if_cancelled(self, report: IngestReport) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise IngestCancelled(report)

    def _advance(self, count: int = 1) -> None:
        if self.on_progress and count:
            self.on_progress(count)


@contextmanager
def prefetched(source: Iterator[T], depth: int = 1) -> Iterator[Iterator[T]]:
    """``source`` run in a thread of its own, up to ``depth`` items ahead of the caller; an
    exception it raises is raised from the caller's ``next``. Leaving the block stops it
    (at its next item) and waits for it."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                handoff.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for value in source:
                if not put((value, None)):
                    return
        except BaseException as exc:  # handed to the caller, raised there
            put((done, exc))
            return
        put((done, None))

    def consume() -> Iterator[T]:
        while True:
            value, exc = handoff.get()
            if exc is not None:
                raise exc
            if value is done:
                return
            yield value

    worker = threading.Thread(target=produce, name="ingest-prepare", daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()
        worker.join()


def build_ingestor(
    settings,
    index: NewsIndex | None = None,
    embedder: Embedder | None = None,
    max_chunks: int | None = None,
    cancel: threading.Event | None = None,
) -> Ingestor:
    """The ingestor for the configured model and index."""
    from ingest.embedding import get_embedder

    embedder = embedder or get_embedder(settings)
    index = index or NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    chunker = Chunker.for_model(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    return Ingestor(
        index=index, embedder=embedder, chunker=chunker, max_chunks=max_chunks, cancel=cancel
    )
