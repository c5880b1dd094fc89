"""Request and response bodies of the HTTP API beyond the shared answer contract."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ingest.cleaning import clean_text
from ingest.index.versions import ArticleVersion
from ingest.models import Article
from ingest.pipeline import IngestReport
from ingest.sources.records import FIELD_ALIASES
from ingest.web.harvest import WebSummary
from service.contract import Answer, AskRequest, Filters, Passage, StageTimings, char_class
from service.stores.answer_log import MAX_COMMENT_CHARS, Rating
from service.stores.feeds import WatchedFeed

MAX_ARTICLES_PER_REQUEST = 500


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: Any = None
    errors: list[dict[str, str]] | None = None
    rule: str | None = Field(
        None, description="The fetcher's safety rule that refused a URL (POST /feeds)."
    )


class HealthStatus(BaseModel):
    """What /health tells a caller without a key when keys are set: no model, no counts."""

    status: str


class Health(BaseModel):
    status: str
    model_ready: bool
    index_ready: bool
    articles: int | None = None
    chunks: int | None = None
    embedding_model: str
    detail: str | None = None


class ChatRequest(AskRequest):
    conversation_id: str | None = Field(
        None,
        max_length=64,
        description="Continue this conversation; a new one is created when absent.",
    )


class ChatResponse(BaseModel):
    conversation_id: str
    turn: int = Field(description="The turn's position in the conversation, from 0.")
    answer: Answer


class SearchResponse(BaseModel):
    query: str
    filters: Filters
    passages: list[Passage]
    timings: StageTimings


KEPT = re.compile(
    f"[^{char_class([c for c in range(sys.maxunicode + 1) if not clean_text(chr(c))])}]"
)
"""A character cleaning keeps (not a space, not an invisible control): a title or body needs
one, or the article is refused as having none."""
SPACE = char_class([c for c in range(0x10000) if chr(c).isspace()])
"""What ingest strips from a field's ends (Python's whitespace, wider than a regex's ``\\s``;
all of it in the Basic Multilingual Plane, so only that is scanned at import)."""
WEB_URL = rf"^[{SPACE}]*([Hh][Tt][Tt][Pp][Ss]?://[^/?#{SPACE}]|$)"
"""An absolute http(s) address (or none, blank): ``javascript:``, ``data:`` or ``file:`` URLs
are refused."""
FEED_URL = WEB_URL.replace("|$)", ")")
"""A feed has to have an address, so a blank one is refused too."""
NULL = {"type": "null"}
UNSET = {"enum": [None, ""]}
DATE_OR_TIME = {
    "anyOf": [
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "date"},
        {"const": ""},
        NULL,
    ]
}
"""ISO 8601; ingest reads a naive time as UTC and RFC 2822 ('Mon, 27 Nov 2023 08:45:00 GMT')
as well, which no format names."""


def _article_schema(schema: dict[str, Any]) -> None:
    """What ingest refuses, said in the document: a body (under any of its names) with a
    character cleaning keeps, a title that is not a string, a URL that is not http(s), dates
    that are not ISO 8601. A missing or blank title is assumed (and said so), not refused."""
    properties = schema["properties"]
    text = {"type": "string", "pattern": KEPT.pattern}
    properties["title"] = {
        "anyOf": [{"type": "string"}, NULL],
        "title": "Title",
        "description": "When absent or blank, one is assumed (the page title, the first "
        "sentence or the URL's slug) and said in the response's `assumed`.",
    }
    for name in FIELD_ALIASES["body"]:
        properties[name] = {"title": name.title(), "description": "The article text."}
    properties["url"] = {"anyOf": [{"type": "string", "pattern": WEB_URL}, NULL], "title": "Url"}
    for name in ("published", "updated"):
        properties[name] = {**properties[name], **DATE_OR_TIME}
    # The body is read from the first of its names that is neither absent, null nor "".
    names = FIELD_ALIASES["body"]
    schema["anyOf"] = [
        {
            "required": [name],
            "properties": {name: text, **{before: UNSET for before in names[:i]}},
        }
        for i, name in enumerate(names)
    ]
    schema["examples"] = [
        {
            "title": "Harrowgate council approves tram extension",
            "body": "The council voted 31 to 12 on Tuesday to extend the tram line…",
            "url": "https://example.org/news/harrowgate-tram",
            "source": "Harrowgate Courier",
            "author": "A. Reporter",
            "published": "2024-03-05T09:30:00+00:00",
        }
    ]


class ArticleIn(BaseModel):
    """One article to index. ``text`` is accepted for ``body`` and ``outlet`` for ``source``."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_article_schema)

    id: str | None = None
    title: str | None = None
    body: str | None = None
    url: str | None = None
    source: str | None = None
    author: str | list[str] | None = None
    published: str | None = Field(None, description="ISO 8601; a bare date or naive time is UTC.")
    updated: str | None = None
    language: str | None = None


ArticlesIn = (
    ArticleIn
    | Annotated[
        list[ArticleIn],
        Field(json_schema_extra={"minItems": 1, "maxItems": MAX_ARTICLES_PER_REQUEST}),
    ]
)
"""One article, or a list of 1 to MAX_ARTICLES_PER_REQUEST. The route refuses another length
itself, saying why, so the bounds are stated in the schema rather than checked by validation."""


class IngestResult(BaseModel):
    new: int
    updated: int
    unchanged: int
    failed: int = 0
    chunks_written: int
    article_ids: list[str] = Field(description="Ids of the articles now in the index.")
    errors: list[str] = Field(default_factory=list, description="Why an article was refused.")
    assumed: list[str] = Field(
        default_factory=list,
        description="What was assumed for an article, e.g. 'no title: assumed the first "
        "sentence …'.",
    )

    @classmethod
    def of(cls, report: IngestReport) -> IngestResult:
        return cls(
            new=report.new,
            updated=report.updated,
            unchanged=report.unchanged,
            failed=report.failed,
            chunks_written=report.chunks_written,
            article_ids=report.article_ids,
            errors=[str(e) for e in report.errors],
            assumed=report.assumed,
        )


class ArticleSummary(BaseModel):
    id: str
    title: str
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published: datetime | None = None
    excerpt: str = Field(description="The first few hundred characters of the body.")

    @classmethod
    def of(cls, article: Article, chars: int = 280) -> ArticleSummary:
        body = article.body.strip()
        excerpt = body if len(body) <= chars else body[:chars].rsplit(" ", 1)[0] + "…"
        return cls(
            id=article.id,
            title=article.title,
            url=article.url,
            source=article.source,
            author=article.author,
            published=article.published,
            excerpt=excerpt,
        )


class StoryArticle(BaseModel):
    """One outlet's copy of a story."""

    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: datetime | None = None


class Story(BaseModel):
    """Copies of one story carried by several outlets (syndicated, lightly edited)."""

    id: str = Field(description="The id of its earliest-published article.")
    reported_by: str | None = Field(description="The outlet of its earliest-published article.")
    also_carried_by: list[str] = Field(description="The other outlets, earliest first.")
    articles: list[StoryArticle] = Field(description="Earliest published first.")

    @classmethod
    def of(cls, story_id: str, articles: list[Article]) -> Story:
        first = articles[0].source
        others = (a.source for a in articles[1:] if a.source and a.source != first)
        return cls(
            id=story_id,
            reported_by=first,
            also_carried_by=list(dict.fromkeys(others)),
            articles=[StoryArticle.model_validate(a, from_attributes=True) for a in articles],
        )


class VersionSummary(BaseModel):
    number: int = Field(description="1 for the article as first indexed, then +1 per edit.")
    content_hash: str = Field(description="SHA-256 (hex) of the version's title and body.")
    title: str
    published: datetime | None = None
    updated: datetime | None = None
    replaced_at: datetime | None = Field(None, description="None for the current version.")
    current: bool

    @classmethod
    def of(cls, version: ArticleVersion) -> VersionSummary:
        return cls(**version.model_dump(exclude={"article_id", "body"}), current=version.current)


class ArticleVersions(BaseModel):
    article_id: str
    current: int = Field(description="The number of the version searched and quoted now.")
    versions: list[VersionSummary] = Field(description="Oldest first, the current one last.")


class ArticlePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[ArticleSummary]


class FeedbackIn(BaseModel):
    answer_id: str = Field(min_length=1, max_length=64)
    rating: Rating
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    channel: Literal["api", "web"] = Field("api", description="Where the rating was given.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"answer_id": "3f1c…", "rating": "down", "comment": "Wrong date."}]
        }
    )


class FeedIn(BaseModel):
    url: str = Field(
        min_length=1,
        max_length=2000,
        pattern=FEED_URL,
        description="An RSS 2.0 or Atom feed (http or https). A URL the fetcher's safety rules "
        "refuse (a private address, a host not listed) is a 422 naming the rule.",
        examples=["https://gazette.example/feed.xml"],
    )


class FeedOut(BaseModel):
    url: str
    added_at: datetime
    polled_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    items_seen: int = Field(description="Items ingested so far, not fetched again unless edited.")
    last: WebSummary | None = Field(None, description="What the last poll did.")

    @classmethod
    def of(cls, feed: WatchedFeed) -> FeedOut:
        return cls(
            url=feed.url,
            added_at=feed.added_at,
            polled_at=feed.polled_at,
            etag=feed.state.etag,
            last_modified=feed.state.last_modified,
            items_seen=len(feed.state.seen),
            last=feed.last,
        )
