"""Ingest: loaded articles → chunks → embeddings → index, idempotently and in batches.

Chunks of several articles are embedded together (the model is much faster on full batches),
then each article is written whole; an article whose fingerprint is already stored is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_written / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0


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
    _pending: dict[str, _Pending] = field(default_factory=dict)

    def run(self, items: Iterable[LoadedArticle | LoadError]) -> IngestReport:
        report = IngestReport()
        started = time.perf_counter()
        for item in items:
            if isinstance(item, LoadError):
                report.failed += 1
                report.errors.append(item)
                self._advance()
                continue
            self._add(item, report)
            if sum(len(p.chunks) for p in self._pending.values()) >= self.batch_chunks:
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
        self._pending[article.id] = _Pending(
            item, chunks, is_new=previous.is_new if previous else stored is None
        )

    def _flush(self, report: IngestReport) -> None:
        if not self._pending:
            return
        pending = list(self._pending.values())
        self._pending.clear()
        texts = [contextual_text(c) for p in pending for c in p.chunks]
        vectors = self.embedder.embed(texts)
        offset = 0
        for entry in pending:
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

    def _advance(self) -> None:
        if self.on_progress:
            self.on_progress(1)


def build_ingestor(settings, index: NewsIndex | None = None, embedder: Embedder | None = None):
    """The ingestor for the configured model and index."""
    from ingest.embedding import get_embedder

    embedder = embedder or get_embedder(settings)
    index = index or NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    chunker = Chunker.for_model(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    return Ingestor(index=index, embedder=embedder, chunker=chunker)
