"""Ingest: loaded articles → chunks → embeddings → index, idempotently and in batches.

Chunks of several articles are embedded together (the model is much faster on full batches),
then each article is written whole; an article whose fingerprint is already stored is skipped.
With a budget (``max_chunks``, one HTTP request's) every article is chunked and counted before
any is embedded. A ``cancel`` event stops the run between two model batches or two writes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, Field

from ingest.chunking import Chunker
from ingest.embedding import Embedder
from ingest.index.schema import contextual_text
from ingest.index.store import NewsIndex
from ingest.models import Article, Chunk
from ingest.sources.records import LoadedArticle, LoadError


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
class Ingestor:
    index: NewsIndex
    embedder: Embedder
    chunker: Chunker
    batch_chunks: int = 256
    on_progress: Callable[[int], None] | None = None
    max_chunks: int | None = None
    cancel: threading.Event | None = None
    _pending: dict[str, _Pending] = field(default_factory=dict)

    def run(self, items: Iterable[LoadedArticle | LoadError]) -> IngestReport:
        """Raises IngestTooLarge (nothing embedded) when the articles exceed ``max_chunks``,
        IngestCancelled when ``cancel`` is set."""
        report = IngestReport()
        started = time.perf_counter()
        for item in items:
            self._stop_if_cancelled(report)
            if isinstance(item, LoadError):
                report.failed += 1
                report.errors.append(item)
                self._advance()
                continue
            self._add(item, report)
            if self.max_chunks is None and self._pending_chunks() >= self.batch_chunks:
                self._flush(report)
        self._flush(report)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_articles(self, articles: Iterable[Article], origin: str = "request") -> IngestReport:
        return self.run(
            LoadedArticle(article=a, path=origin, line=i) for i, a in enumerate(articles, start=1)
        )

    def _add(self, item: LoadedArticle, report: IngestReport) -> None:
        article = item.article
        where = f"{item.path}:{item.line}" if item.line else item.path
        report.assumed += [f"{where}: {note}" for note in article.assumed]
        stored = self.index.stored_fingerprint(article.id)
        if stored == article.fingerprint and article.id not in self._pending:
            report.unchanged += 1
            report.article_ids.append(article.id)
            self._advance()
            return
        chunks = self.chunker.split(article)
        if not chunks:
            report.failed += 1
            report.errors.append(
                LoadError(path=item.path, line=item.line, reason="no text left to index")
            )
            self._advance()
            return
        previous = self._pending.pop(article.id, None)
        if previous is not None:
            self._advance()
        total = self._pending_chunks() + len(chunks)
        if self.max_chunks is not None and total > self.max_chunks:
            self._pending.clear()
            raise IngestTooLarge(article, len(chunks), total, self.max_chunks)
        self._pending[article.id] = _Pending(
            item, chunks, is_new=previous.is_new if previous else stored is None
        )

    def _flush(self, report: IngestReport) -> None:
        if not self._pending:
            return
        pending = list(self._pending.values())
        self._pending.clear()
        texts = [contextual_text(c) for p in pending for c in p.chunks]
        vectors = self._embed(texts, report)
        offset = 0
        for entry in pending:
            self._stop_if_cancelled(report)
            count = len(entry.chunks)
            article = entry.item.article
            try:
                self.index.write_article(article, entry.chunks, vectors[offset : offset + count])
            except Exception as exc:
                report.failed += 1
                report.errors.append(
                    LoadError(
                        path=entry.item.path,
                        line=entry.item.line,
                        reason=f"index write failed: {exc}",
                    )
                )
            else:
                report.chunks_written += count
                report.article_ids.append(article.id)
                if entry.is_new:
                    report.new += 1
                else:
                    report.updated += 1
            offset += count
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

    def _pending_chunks(self) -> int:
        return sum(len(p.chunks) for p in self._pending.values())

    def _stop_if_cancelled(self, report: IngestReport) -> None:
        if self.cancel is not None and self.cancel.is_set():
            self._pending.clear()
            raise IngestCancelled(report)

    def _advance(self) -> None:
        if self.on_progress:
            self.on_progress(1)


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
