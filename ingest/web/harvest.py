"""Web pages and feeds into the index, with a summary of what was ingested, skipped or failed.

Each URL succeeds or fails on its own: a page that cannot be fetched or read is one error
naming the URL and the reason, and every other page of the feed is still ingested. What was
assumed for an article (a missing title) is listed too, so nothing is guessed silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from ingest.sources.records import LoadedArticle, LoadError, RecordError
from ingest.web.feeds import FeedError, FeedState, parse_feed
from ingest.web.fetching import FEED_TYPES, HTML_TYPES, Fetcher, FetchError, FetchFailed
from ingest.web.guard import FetchRefused
from ingest.web.pages import article_from_page

if TYPE_CHECKING:
    from ingest.pipeline import Ingestor


class Failure(BaseModel):
    url: str
    reason: str
    rule: str | None = Field(None, description="The safety rule that refused the URL, if one.")

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class Skipped(BaseModel):
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class WebSummary(BaseModel):
    """What one ingest of pages or one poll of a feed did."""

    url: str | None = Field(None, description="The feed polled (None: pages given one by one).")
    not_modified: bool = Field(False, description="The feed answered 304: nothing was fetched.")
    unreadable: bool = Field(False, description="The feed itself could not be fetched or read.")
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    chunks_written: int = 0
    article_ids: list[str] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    failed: list[Failure] = Field(default_factory=list)
    assumed: list[str] = Field(
        default_factory=list, description="'URL: what was assumed', e.g. a missing title."
    )

    @property
    def ingested(self) -> int:
        return self.new + self.updated

    @property
    def ok(self) -> bool:
        return not self.failed


def failure(url: str, exc: Exception) -> Failure:
    if isinstance(exc, FetchRefused):
        return Failure(url=url, reason=exc.detail, rule=exc.rule)
    if isinstance(exc, FetchFailed):
        return Failure(url=url, reason=exc.reason)
    return Failure(url=url, reason=str(exc))


def ingest_pages(
    urls: Iterable[str],
    fetcher: Fetcher,
    ingestor: Ingestor,
    hints: dict[str, dict[str, Any]] | None = None,
    summary: WebSummary | None = None,
) -> WebSummary:
    """Fetch, extract and index each page; ``hints`` by URL fill what a page lacks."""
    summary = summary or WebSummary()
    fetch_failures: dict[str, Failure] = {}

    def loaded() -> Iterator[LoadedArticle | LoadError]:
        for url in urls:
            try:
                page = fetcher.get(url, HTML_TYPES)
                article = article_from_page(page.content, page.final_url, (hints or {}).get(url))
            except (*FetchError, RecordError) as exc:
                fetch_failures[url] = failure(url, exc)
                yield LoadError(path=url, reason=fetch_failures[url].reason)
                continue
            yield LoadedArticle(article=article, path=url)

    report = ingestor.run(loaded())
    summary.new += report.new
    summary.updated += report.updated
    summary.unchanged += report.unchanged
    summary.chunks_written += report.chunks_written
    summary.article_ids += report.article_ids
    summary.assumed += report.assumed
    for error in report.errors:
        summary.failed.append(
            fetch_failures.get(error.path) or Failure(url=error.path, reason=error.reason)
        )
    return summary


def poll_feed(
    url: str, state: FeedState, fetcher: Fetcher, ingestor: Ingestor
) -> tuple[WebSummary, FeedState]:
    """Ingest the feed's new or changed items; the state to keep for the next poll (the same
    state when the feed could not be read, so nothing is lost)."""
    summary = WebSummary(url=url)
    try:
        fetched = fetcher.get(url, FEED_TYPES, state.conditional_headers())
        if fetched.not_modified:
            summary.not_modified = True
            return summary, state
        feed = parse_feed(fetched.content, fetched.final_url)
    except (*FetchError, FeedError) as exc:
        summary.unreadable = True
        summary.failed.append(failure(url, exc))
        return summary, state
    wanted, hints = [], {}
    for item in feed.items:
        if not state.is_new_or_changed(item):
            summary.skipped.append(
                Skipped(url=item.link or item.key, reason="unchanged since the last poll")
            )
        elif not item.link:
            summary.failed.append(Failure(url=item.key, reason="the feed's item has no link"))
        else:
            wanted.append(item)
            hints[item.link] = item.hints(feed.title)
    ingest_pages([item.link for item in wanted], fetcher, ingestor, hints, summary)
    failed = {f.url for f in summary.failed}
    current = {item.key for item in feed.items}
    seen = {key: value for key, value in state.seen.items() if key in current}
    seen.update((item.key, item.fingerprint) for item in wanted if item.link not in failed)
    return summary, FeedState(etag=fetched.etag, last_modified=fetched.last_modified, seen=seen)
