"""Watching feeds and ingesting pages by URL, for the HTTP API and the CLI alike.

A feed is polled with what its last poll left in the ``FeedStore`` (a conditional request, the
items already seen), through the same fetcher, guard and ingest as ``newsdesk ingest --feed``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from ingest.pipeline import build_ingestor
from ingest.web.feeds import FeedState
from ingest.web.fetching import Fetcher
from ingest.web.harvest import WebSummary, ingest_pages, poll_feed
from service.articles import ArticleService
from service.stores.feeds import FeedStore, WatchedFeed

log = logging.getLogger("newsdesk.feeds")


class FeedUnreadable(ValueError):
    """The feed itself could not be fetched or read, so it is not watched."""

    def __init__(self, summary: WebSummary):
        (failure,) = summary.failed
        super().__init__(str(failure))
        self.summary = summary
        self.failure = failure


class FeedService:
    def __init__(self, articles: ArticleService, store: FeedStore):
        self.articles = articles
        self.store = store

    def _ingestor(self, cancel: threading.Event | None):
        return build_ingestor(
            self.articles.settings,
            index=self.articles.index,
            embedder=self.articles.embedder,
            cancel=cancel,
        )

    def watch(self, url: str, cancel: threading.Event | None = None) -> tuple[WatchedFeed, bool]:
        """Poll the feed now and keep watching it; True when it was not watched before.

        Raises FeedUnreadable (and watches nothing new) when the feed itself fails."""
        added = self.store.get(url) is None
        summary = self.poll(url, cancel)
        if added and summary.unreadable:
            raise FeedUnreadable(summary)
        return self.store.get(url), added

    def poll(self, url: str, cancel: threading.Event | None = None) -> WebSummary:
        """Poll one feed and keep what the poll left; a feed read once is watched from then
        on, one that was never readable is not."""
        watched = self.store.get(url)
        summary, state = self._poll(url, watched.state if watched else FeedState(), cancel)
        if watched is not None or not summary.unreadable:
            self.store.add(url)
            self.store.record_poll(url, state, summary)
        return summary

    def feeds(self) -> list[WatchedFeed]:
        return self.store.all()

    def ingest_pages(
        self, urls: Sequence[str], cancel: threading.Event | None = None
    ) -> WebSummary:
        with Fetcher(self.articles.settings) as fetcher:
            return ingest_pages(urls, fetcher, self._ingestor(cancel))

    def _poll(
        self, url: str, state: FeedState, cancel: threading.Event | None
    ) -> tuple[WebSummary, FeedState]:
        with Fetcher(self.articles.settings) as fetcher:
            summary, state = poll_feed(url, state, fetcher, self._ingestor(cancel))
        log.info(
            "polled %s: %d new, %d updated, %d failed",
            url,
            summary.new,
            summary.updated,
            len(summary.failed),
        )
        return summary, state
