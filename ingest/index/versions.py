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

    def next_versions(self, writes: list[tuple[Article, str]]) -> list[int]:
        """The version number each (article, write) is written as; where the title or body
        changed, the version it replaces is first kept under that write. One read and at
        most one write for the batch."""
        ids = [article.id for article, _ in writes]
        found = self.articles.get(ids=ids, include=["documents", "metadatas"])
        stored = {
            aid: current_version(aid, doc, meta)
            for aid, doc, meta in zip(
                found["ids"], found["documents"], found["metadatas"], strict=True
            )
        }
        numbers, kept = [], []
        replaced_at = datetime.now(UTC).isoformat()
        for article, write in writes:
            previous = stored.get(article.id)
            if previous is None:
                numbers.append(1)
            elif previous.content_hash == article.text_hash:
                numbers.append(previous.number)
            else:
                meta = previous.model_dump(mode="json", exclude={"body"}, exclude_none=True)
                kept.append((previous, {**meta, "replaced_at": replaced_at, WRITE_KEY: write}))
                numbers.append(previous.number + 1)
        if kept:
            self.versions.upsert(
                ids=[f"{v.article_id}#v{v.number}" for v, _ in kept],
                documents=[v.body for v, _ in kept],
                embeddings=[[0.0]] * len(kept),
                metadatas=[meta for _, meta in kept],
            )
        return numbers

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

    def archived_records(self, article_ids: list[str] | None) -> list[tuple[str, dict[str, Any]]]:
        """(id, metadata) of the kept versions of these articles, or of all."""
        where = of_articles(article_ids)
        found = self.versions.get(where=where, include=["metadatas"])
        return list(zip(found["ids"], found["metadatas"], strict=True))


def of_articles(article_ids: list[str] | None) -> dict[str, Any] | None:
    """The Chroma filter on the ``article_id`` metadata for these articles (None: all)."""
    if article_ids is None:
        return None
    ids = list(dict.fromkeys(article_ids))
    return {"article_id": ids[0]} if len(ids) == 1 else {"article_id": {"$in": ids}}


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
