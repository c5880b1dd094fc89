"""Reading an RSS 2.0 or Atom feed (with feedparser) and telling what changed since last time.

A feed is polled with a conditional request (the ETag and Last-Modified it last sent), so an
unchanged feed costs one 304. When it has changed, only its new or edited items are fetched:
``FeedState.seen`` keeps a fingerprint of every item already ingested.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from ingest.models import content_hash


class FeedError(ValueError):
    """The document is not a feed newsdesk can read."""


class FeedItem(BaseModel):
    """One item of a feed, as the feed states it."""

    key: str = Field(description="The item's guid / Atom id, else its link.")
    link: str | None = None
    title: str | None = None
    summary: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None

    @property
    def fingerprint(self) -> str:
        """Changes when the feed says the item changed (its date, title, link or summary)."""
        dates = [d.isoformat() if d else None for d in (self.published, self.updated)]
        return content_hash(self.link, self.title, self.summary, *dates)

    def hints(self, feed_title: str | None) -> dict[str, Any]:
        """What the item tells of its article, for what the page itself does not say."""
        return {
            "title": self.title,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "source": feed_title,
        }


class ParsedFeed(BaseModel):
    title: str | None = None
    items: list[FeedItem] = Field(default_factory=list)


class FeedState(BaseModel):
    """What the last poll of a feed left behind for the next one."""

    etag: str | None = None
    last_modified: str | None = None
    seen: dict[str, str] = Field(
        default_factory=dict, description="Item key → fingerprint, for items ingested."
    )

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def is_new_or_changed(self, item: FeedItem) -> bool:
        return self.seen.get(item.key) != item.fingerprint


def parse_feed(content: bytes, url: str) -> ParsedFeed:
    """The feed's title and items, in the feed's order; FeedError if it is not a feed."""
    import feedparser

    parsed = feedparser.parse(content, response_headers={"content-location": url})
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        why = f": {problem}" if problem else ""
        raise FeedError(f"not an RSS or Atom feed{why}")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or None
        key = entry.get("id") or link
        if not key:
            continue
        items.append(
            FeedItem(
                key=str(key),
                link=link,
                title=_text(entry.get("title")),
                summary=_text(entry.get("summary")),
                author=_text(entry.get("author")),
                published=_date(entry.get("published_parsed")),
                updated=_date(entry.get("updated_parsed")),
            )
        )
    return ParsedFeed(title=_text(parsed.feed.get("title")), items=items)


def _text(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _date(value: Any) -> datetime | None:
    """feedparser's UTC struct_time → an aware datetime."""
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
