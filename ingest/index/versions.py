"""An edited article's earlier versions, kept so that what an answer quoted can still be read.

A version is an article's title and body: re-ingesting it with another title or body makes a new
version (number + 1), a change of anything else (author, dates, outlet) updates the current one
in place, and re-ingesting it unchanged changes nothing. The current version is the article
record itself (its ``version`` and ``content_hash`` metadata, also stamped on each of its
chunks); the versions it replaced are records of ``{prefix}_versions``, never searched.

The write that replaces a version copies it there *before* it commits (``NewsIndex._store``),
naming itself in the copy. A copy numbered at or above its article's current version, or of an
article no longer indexed, belongs to a write that did not commit (or to a deleted article):
readers skip it and sweeping removes it (``ingest.index.repair``), unless a write still under
way claims it. Deleting an article deletes its versions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from ingest.index.schema import LEGACY_VERSION, parse_dt
from ingest.index.writes import WRITE_KEY
from ingest.models import Article, content_hash

VERSION_KEY = "version"
"""The article record's metadata key holding its current version number."""
HASH_KEY = "content_hash"
"""The article record's metadata key holding the hash of its title and body."""


class ArticleVersion(BaseModel):
    """One version of an article: its text as it was, and when it was replaced."""

    article_id: str
    number: int = Field(ge=1, description="1 for the article as first indexed, then +1 per edit.")
    content_hash: str = Field(description="SHA-256 of the version's title and body (hex).")
    title: str
    body: str
    published: datetime | None = None
    updated: datetime | None = None
    replaced_at: datetime | None = Field(
        None, description="When a later version replaced it; None for the current version."
    )

    @property
    def current(self) -> bool:
        return self.replaced_at is None


def current_version(aid: str, doc: str, meta: dict[str, Any]) -> ArticleVersion:
    """The version an article record holds; a record written before versions were kept is
    version 1."""
    return ArticleVersion(
        article_id=aid,
        number=meta.get(VERSION_KEY, LEGACY_VERSION),
        content_hash=meta.get(HASH_KEY) or content_hash(meta["title"], doc),
        title=meta["title"],
        body=doc,
        published=parse_dt(meta.get("published")),
        updated=parse_dt(meta.get("updated")),
    )


def archived_version(doc: str, meta: dict[str, Any]) -> ArticleVersion:
    return ArticleVersion(
        article_id=meta["article_id"],
        number=meta["number"],
        content_hash=meta[HASH_KEY],
        title=meta["title"],
        body=doc,
        published=parse_dt(meta.get("published")),
        updated=parse_dt(meta.get("updated")),
        replaced_at=parse_dt(meta["replaced_at"]),
    )


class VersionHistory:
    """A mixin of ``NewsIndex``: uses its ``articles`` and ``versions`` collections."""

    articles: Any
    versions: Any

    resolve_id: Callable[[str], str]

    def next_version(self, article: Article, write: str) -> int:
        """The version number ``article`` is written as; when its title or body changed, the
        version it replaces is first kept under ``write``."""
        found = self.articles.get(ids=[article.id], include=["documents", "metadatas"])
        if not found["ids"]:
            return 1
        previous = current_version(article.id, found["documents"][0], found["metadatas"][0])
        if previous.content_hash == article.text_hash:
            return previous.number
        meta = previous.model_dump(mode="json", exclude={"body"}, exclude_none=True)
        self.versions.upsert(
            ids=[f"{article.id}#v{previous.number}"],
            documents=[previous.body],
            embeddings=[[0.0]],
            metadatas=[{**meta, "replaced_at": datetime.now(UTC).isoformat(), WRITE_KEY: write}],
        )
        return previous.number + 1

    def list_versions(self, id_or_url: str) -> list[ArticleVersion] | None:
        """Every version of the article, oldest first, the current one last; None when no
        article has this id or URL."""
        article_id = self.resolve_id(id_or_url)
        found = self.articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not found["ids"]:
            return None
        current = current_version(article_id, found["documents"][0], found["metadatas"][0])
        kept = self.versions.get(
            where={"article_id": article_id}, include=["documents", "metadatas"]
        )
        earlier = (
            archived_version(doc, meta)
            for doc, meta in zip(kept["documents"], kept["metadatas"], strict=True)
            if meta["number"] < current.number
        )
        return [*sorted(earlier, key=lambda v: v.number), current]

    def get_version(self, id_or_url: str, number: int) -> ArticleVersion | None:
        """Version ``number`` of the article, None when the article or that version is unknown."""
        return next((v for v in self.list_versions(id_or_url) or [] if v.number == number), None)

    def archived_records(self, article_id: str | None) -> list[tuple[str, dict[str, Any]]]:
        """(id, metadata) of the kept versions of one article, or of all."""
        where = {"article_id": article_id} if article_id else None
        found = self.versions.get(where=where, include=["metadatas"])
        return list(zip(found["ids"], found["metadatas"], strict=True))


def unused_versions(
    archived: list[tuple[str, dict[str, Any]]],
    records: dict[str, dict[str, Any]],
    claimed: Collection[str],
) -> dict[str, list[str]]:
    """Per article, the kept versions no reader is served and no write under way claims: those
    of writes that did not commit (numbered at or above the current version) and those of
    articles no longer indexed."""
    unused: dict[str, list[str]] = defaultdict(list)
    for version_id, meta in archived:
        record = records.get(meta["article_id"])
        superseded = record is not None and meta["number"] < record.get(VERSION_KEY, LEGACY_VERSION)
        if meta[WRITE_KEY] not in claimed and not superseded:
            unused[meta["article_id"]].append(version_id)
    return unused
