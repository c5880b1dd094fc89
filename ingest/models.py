"""Domain types written by ingest: the article and its chunks."""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref_src")
HASH_PREFIX = "sha256:"


def canonical_url(url: str) -> str:
    """The same story shared with tracking parameters or a #fragment keeps one id."""
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(TRACKING_PARAMS)
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )


def content_hash(*parts: str | None) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


class Article(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field("", description="Canonical URL, else a hash of title and body.")
    title: str = Field(min_length=1)
    body: str = Field(min_length=1)
    url: str | None = None
    source: str | None = Field(None, description="The outlet, e.g. 'The Verge'.")
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    language: str | None = None
    _assumed: tuple[str, ...] = PrivateAttr(default=())

    @property
    def assumed(self) -> tuple[str, ...]:
        """What ingest assumed for this article (e.g. a title it lacked), for the ingest
        summary; not stored with the article."""
        return self._assumed

    def assuming(self, *notes: str) -> Article:
        """This article with ``notes`` added to what was assumed about it."""
        copy = self.model_copy()
        copy._assumed = (*self._assumed, *notes)
        return copy

    @field_validator("published", "updated")
    @classmethod
    def _tz_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("dates must carry a time zone (e.g. 2023-11-27T08:45:00+00:00)")
        return value

    @field_validator("body")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the article body is empty")
        return value

    @model_validator(mode="after")
    def _stable_id(self) -> Article:
        if not self.id:
            ident = canonical_url(self.url) if self.url else HASH_PREFIX + self.fingerprint[:32]
            object.__setattr__(self, "id", ident)
        return self

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything stored for the article changes."""
        return content_hash(
            self.title,
            self.body,
            self.url,
            self.source,
            self.author,
            self.published.isoformat() if self.published else None,
            self.updated.isoformat() if self.updated else None,
            self.language,
        )

    @property
    def text_hash(self) -> str:
        """What makes a version (``ingest.index.versions``): the title and the body only."""
        return content_hash(self.title, self.body)


class Chunk(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="'{article_id}:{index}'")
    article_id: str
    index: int = Field(ge=0)
    text: str
    start: int = Field(ge=0, description="Offset of the chunk's first character in the body.")
    end: int = Field(ge=0, description="Offset one past its last character.")
    title: str
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published: datetime | None = None
    article_version: int | None = Field(
        None, ge=1, description="The version of the article the text is from; set when stored."
    )
    content_hash: str | None = Field(
        None, description="SHA-256 of that version's title and body; set when stored."
    )

    @staticmethod
    def make_id(article_id: str, index: int) -> str:
        return f"{article_id}:{index}"
