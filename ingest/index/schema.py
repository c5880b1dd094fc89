"""What the index holds, owned here: the embedded text, the metadata keys and how records read back.

Four Chroma collections share one prefix:
- ``{prefix}_chunks``: one record per chunk; the document is the exact body slice, the vector is
  the embedding of the chunk with its title, outlet and date (``contextual_text``);
- ``{prefix}_articles``: one record per article; the document is the full body (quotes are
  checked against it), the vector the normalised mean of its chunks; its ``fingerprint`` is
  written last and marks the article as complete;
  ``story`` and ``minhash`` say which story it belongs to (``ingest.index.stories``);
- ``{prefix}_versions``: the earlier versions of edited articles, never searched
  (``ingest.index.versions``); the current version's number and hash are metadata of the
  article record and of each of its chunks (``article_version``, ``content_hash``);
- ``{prefix}_state``: a single record whose ``generation`` changes on every write, so each
  service process knows when its keyword index is stale — also across replicas and servers.

Dates are stored twice: ``published_ts`` (epoch seconds, what filters compare) and ``published``
(ISO, what is shown). The eval cache keys its indexes on this module's source.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ingest.models import Article, Chunk

STATE_ID = "state"
STORY_KEY = "story"
"""An article record's story: the id of the story's earliest-published member."""
SIGNATURE_KEY = "minhash"
"""An article record's MinHash signature of its body (``ingest.stories.encode``)."""
CHUNK_META_KEYS = ("article_id", "chunk_index", "start", "end", "title", "url", "source", "author")
LEGACY_VERSION = 1
"""The version of a record or chunk written before versions were kept."""


def contextual_text(chunk: Chunk) -> str:
    """What is embedded and keyword-indexed: the headline, outlet and date travel with the text."""
    return context_header(chunk.title, chunk.source, chunk.published) + "\n\n" + chunk.text


def context_header(title: str, source: str | None, published: datetime | None) -> str:
    """The lines put before every chunk of an article; the chunker leaves room for them."""
    header = [title]
    line = " · ".join(part for part in (source, published and published.date().isoformat()) if part)
    if line:
        header.append(line)
    return "\n".join(header)


def published_ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata cannot hold None: absent values are left out."""
    return {key: value for key, value in meta.items() if value is not None}


def parse_dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    return _clean_meta(
        {
            "article_id": chunk.article_id,
            "chunk_index": chunk.index,
            "start": chunk.start,
            "end": chunk.end,
            "title": chunk.title,
            "url": chunk.url,
            "source": chunk.source,
            "author": chunk.author,
            "published_ts": published_ts(chunk.published),
            "published": chunk.published.isoformat() if chunk.published else None,
            "article_version": chunk.article_version,
            "content_hash": chunk.content_hash,
        }
    )


def article_metadata(article: Article, chunk_count: int) -> dict[str, Any]:
    return _clean_meta(
        {
            "title": article.title,
            "url": article.url,
            "source": article.source,
            "author": article.author,
            "published_ts": published_ts(article.published),
            "published": article.published.isoformat() if article.published else None,
            "updated": article.updated.isoformat() if article.updated else None,
            "language": article.language,
            "fingerprint": article.fingerprint,
            "chunk_count": chunk_count,
            "indexed_at": datetime.now(UTC).isoformat(),
        }
    )


def chunk_from(cid: str, doc: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        id=cid,
        article_id=meta["article_id"],
        index=meta["chunk_index"],
        text=doc,
        start=meta["start"],
        end=meta["end"],
        title=meta["title"],
        url=meta.get("url"),
        source=meta.get("source"),
        author=meta.get("author"),
        published=parse_dt(meta.get("published")),
        article_version=meta.get("article_version", LEGACY_VERSION),
        content_hash=meta.get("content_hash"),
    )


def article_from(aid: str, doc: str, meta: dict[str, Any]) -> Article:
    return Article(
        id=aid,
        title=meta["title"],
        body=doc,
        url=meta.get("url"),
        source=meta.get("source"),
        author=meta.get("author"),
        published=parse_dt(meta.get("published")),
        updated=parse_dt(meta.get("updated")),
        language=meta.get("language"),
    )
