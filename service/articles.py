"""Managing the indexed articles: add, list, read and delete, for the HTTP API and the CLI alike.

Adding checks every record before any is indexed, so a bad one costs nothing, then runs the same
ingest as ``newsdesk ingest``. An outlet filter is matched the way questions match outlets
(without regard to case), so ``?source=estoria ledger`` finds "Estoria Ledger".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from ingest.embedding import Embedder, get_embedder
from ingest.index.store import IndexUnavailable, NewsIndex
from ingest.index.versions import ArticleVersion
from ingest.models import Article
from ingest.pipeline import IngestReport, build_ingestor
from ingest.sources.records import RecordError, article_from_record
from service.contract import as_utc
from service.settings import Settings

if TYPE_CHECKING:
    from service.answering.service import AnswerService

log = logging.getLogger("newsdesk.articles")

INDEX_WRITE_FAILED = "index write failed"


class RecordProblem(NamedTuple):
    """Why the record at ``position`` in the batch is not an article, and in which field."""

    position: int
    field: str | None
    message: str


class InvalidArticles(ValueError):
    """Records that are not articles; nothing was indexed."""

    def __init__(self, problems: list[RecordProblem]):
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


class ArticlesRefused(ValueError):
    """Every article of the batch failed to index, for reasons of their own (not the index)."""


class ArticleService:
    def __init__(
        self,
        settings: Settings,
        index: NewsIndex,
        embedder: Embedder,
        resolve_sources: Callable[[list[str]], list[str]],
    ):
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.resolve_sources = resolve_sources

    @classmethod
    def of(cls, service: AnswerService, settings: Settings) -> ArticleService:
        """Over the answer service's index and model, with its outlet names."""
        return cls(settings, service.index, service.embedder, service.retriever.resolve_sources)

    @classmethod
    def open(cls, settings: Settings) -> ArticleService:
        """The index for the configured model, without an answer service (the CLI).

        Raises IndexUnavailable or ModelMismatch when the index cannot be opened.
        """
        from service.retrieval.retriever import Retriever

        embedder = get_embedder(settings)
        index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
        # Outlet names come from the keyword index, read only if a listing filters by outlet.
        return cls(
            settings,
            index,
            embedder,
            lambda names: Retriever(settings, index, embedder).resolve_sources(names),
        )

    def add(
        self,
        records: Sequence[dict[str, Any]],
        origin: str,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        """Index the records (re-adding an unchanged one is a no-op) and report what happened.

        Raises InvalidArticles before indexing anything if any record is not an article,
        IngestTooLarge before embedding anything if they make more passages than
        ``max_ingest_chunks``, IngestCancelled once ``cancel`` is set (each article is then
        indexed whole or not at all), IndexUnavailable when no article could be written,
        ArticlesRefused when every one failed for reasons of its own.
        """
        articles = self._validated(records)
        ingestor = build_ingestor(
            self.settings,
            index=self.index,
            embedder=self.embedder,
            max_chunks=self.settings.max_ingest_chunks,
            cancel=cancel,
        )
        log.info("indexing %d articles from %s", len(articles), origin)
        report = ingestor.ingest_articles(articles, origin)
        if report.failed and report.failed == len(articles):
            errors = "; ".join(str(e) for e in report.errors)
            if all(INDEX_WRITE_FAILED in str(e) for e in report.errors):
                raise IndexUnavailable(errors)
            raise ArticlesRefused(errors)
        return report

    def page(
        self,
        offset: int = 0,
        limit: int = 20,
        source: str | None = None,
        published_after: datetime | date | None = None,
        published_before: datetime | date | None = None,
    ) -> tuple[list[Article], int]:
        """Articles newest first, and how many match; a bare ``published_before`` date counts
        the whole day."""
        sources = self.resolve_sources([source]) if source else []
        return self.index.list_articles(
            offset=offset,
            limit=limit,
            source=sources[0] if sources else None,
            published_after=as_utc(published_after),
            published_before=as_utc(published_before, end_of_day=True),
        )

    def get(self, id_or_url: str) -> Article | None:
        return self.index.get_article(id_or_url)

    def story(self, id_or_url: str) -> tuple[str, list[Article]] | None:
        """The story of this id or of the article it names (``NewsIndex.story_members``)."""
        return self.index.story_members(self.index.resolve_id(id_or_url))

    def versions(self, id_or_url: str) -> list[ArticleVersion] | None:
        """The article's versions, oldest first; None when there is no such article."""
        return self.index.list_versions(id_or_url)

    def version(self, id_or_url: str, number: int) -> ArticleVersion | None:
        return self.index.get_version(id_or_url, number)

    def delete(self, id_or_url: str) -> Article | None:
        """Removes the article, every chunk of it and its earlier versions; returns what was
        removed, if anything."""
        return self.index.delete_article(id_or_url)

    @staticmethod
    def _validated(records: Sequence[dict[str, Any]]) -> list[Article]:
        articles, problems = [], []
        for i, record in enumerate(records):
            try:
                articles.append(article_from_record(record))
            except RecordError as exc:
                problems.append(RecordProblem(i, exc.field, str(exc)))
        if problems:
            raise InvalidArticles(problems)
        return articles
