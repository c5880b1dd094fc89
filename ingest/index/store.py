"""The index in Chroma: open it, write and delete articles whole, read chunks and articles back.

What the collections hold is ``ingest.index.schema``; which embedding model built them is kept
with each collection, and opening them with another is refused (``ModelMismatch``). An article's
chunks and record become visible together or not at all (``ingest.index.writes``), and opening
the index finishes or undoes writes that stopped half-way (``NewsIndex.repair``). Everything
service/ knows about the storage goes through ``NewsIndex``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np

from ingest.index.article_writes import WRITE_LOCK, ArticleWrites
from ingest.index.filters import build_where
from ingest.index.repair import PAGE, WriteLog
from ingest.index.schema import (
    STATE_ID,
    STORY_KEY,
    article_from,
    chunk_from,
)
from ingest.index.stories import StoryRecords
from ingest.index.versions import VersionHistory
from ingest.index.writes import (
    LEGACY,
    WRITE_KEY,
    Committed,
    article_of,
    split_key,
    stored_key,
)
from ingest.models import Article, Chunk, canonical_url
from ingest.settings import IndexSettings

log = logging.getLogger("newsdesk.index")


class NewsIndexError(RuntimeError):
    """Base for index problems a user can act on."""


class IndexUnavailable(NewsIndexError):
    """The Chroma store cannot be reached or opened."""


class ModelMismatch(NewsIndexError):
    """The index was built with another embedding model than the one configured."""


def open_client(settings: IndexSettings):
    """Embedded PersistentClient, or an HttpClient when a Chroma server URL is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_url:
            from urllib.parse import urlsplit

            parts = urlsplit(settings.chroma_url)
            return chromadb.HttpClient(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or (443 if parts.scheme == "https" else 8000),
                ssl=parts.scheme == "https",
                settings=chroma_settings,
            )
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises several unrelated types for "cannot connect"
        where = settings.chroma_url or settings.chroma_dir
        raise IndexUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc


class NewsIndex(ArticleWrites, WriteLog, StoryRecords, VersionHistory):
    def __init__(self, settings: IndexSettings, fingerprint: str, dimension: int, client=None):
        self.settings = settings
        self.fingerprint = fingerprint
        self.dimension = dimension
        self.client = client if client is not None else open_client(settings)
        self._committed: Committed | None = None
        prefix = settings.collection_prefix
        try:
            self.chunks = self._collection(f"{prefix}_chunks")
            self.articles = self._collection(f"{prefix}_articles")
            self.state = self.client.get_or_create_collection(
                f"{prefix}_state", embedding_function=None
            )
            self.versions = self.client.get_or_create_collection(
                f"{prefix}_versions", embedding_function=None
            )
            self.repaired = self.repair()
        except ModelMismatch:
            raise
        except Exception as exc:
            raise IndexUnavailable(f"cannot open the newsdesk collections: {exc}") from exc

    def _collection(self, name: str):
        collection = self.client.get_or_create_collection(
            name,
            embedding_function=None,
            metadata={
                "hnsw:space": "cosine",
                "embedding_fingerprint": self.fingerprint,
                "embedding_dimension": self.dimension,
            },
        )
        stored = (collection.metadata or {}).get("embedding_fingerprint")
        if stored and stored != self.fingerprint:
            raise ModelMismatch(
                f"the index in collection '{name}' was built with the embedding model "
                f"'{stored}', but '{self.fingerprint}' is configured. Re-index with the "
                f"configured model: delete {self.settings.chroma_dir} (or set "
                f"NEWSDESK_COLLECTION_PREFIX to a new name) and run `newsdesk ingest` again, or "
                f"set NEWSDESK_EMBEDDING_MODEL back to the model that built it."
            )
        return collection

    @cached_property
    def _max_batch(self) -> int:
        return max(1, int(self.client.get_max_batch_size()))

    # --- state -------------------------------------------------------------------------

    def generation(self) -> str:
        found = self.state.get(ids=[STATE_ID], include=["documents"])
        return found["documents"][0] if found["ids"] else "empty"

    def _bump_generation(self) -> None:
        before, after = self.generation(), uuid.uuid4().hex
        self.state.upsert(ids=[STATE_ID], documents=[after], embeddings=[[0.0]])
        self._follow_generation(before, after)

    def counts(self) -> dict[str, int]:
        return {"articles": self.articles.count(), "chunks": self.chunks.count()}

    def committed(self) -> Committed:
        """Which write of each article is served, read again whenever the generation changed
        (every commit and removal bumps it)."""
        generation = self.generation()
        committed = self._committed
        if committed is None or committed.generation != generation:
            records = self._records()
            committed = self._committed = Committed(
                generation,
                {aid: meta.get(WRITE_KEY, LEGACY) for aid, meta in records.items()},
                {aid: meta.get(STORY_KEY, aid) for aid, meta in records.items()},
            )
        return committed

    def _records(self, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """The metadata of the article records (these, or all)."""
        found = self.articles.get(ids=ids, include=["metadatas"])
        return {aid: meta or {} for aid, meta in zip(found["ids"], found["metadatas"], strict=True)}

    # --- writer side -------------------------------------------------------------------

    def stored_fingerprint(self, article_id: str) -> str | None:
        found = self.articles.get(ids=[article_id], include=["metadatas"])
        if not found["ids"]:
            return None
        return (found["metadatas"][0] or {}).get("fingerprint")

    def delete_article(self, id_or_url: str) -> Article | None:
        """Removes the article and every chunk of it; returns what was removed, if anything.

        Deleting the record hides every chunk at once; the chunks are removed after it."""
        article = self.get_article(id_or_url)
        if article is None:
            return None
        with WRITE_LOCK:
            intents = self._begin([article.id], "delete")
            try:
                self._delete_record(article.id)
            finally:
                self._settle(intents)
        return article

    # --- reader side -------------------------------------------------------------------

    def resolve_id(self, id_or_url: str) -> str:
        """Accepts an article id or any URL form of it."""
        if id_or_url.startswith(("http://", "https://")):
            return canonical_url(id_or_url)
        return id_or_url

    def get_article(self, id_or_url: str) -> Article | None:
        found = self.articles.get(
            ids=[self.resolve_id(id_or_url)], include=["documents", "metadatas"]
        )
        if not found["ids"]:
            return None
        return article_from(found["ids"][0], found["documents"][0], found["metadatas"][0])

    def get_articles(self, ids: list[str]) -> dict[str, Article]:
        if not ids:
            return {}
        found = self.articles.get(ids=list(dict.fromkeys(ids)), include=["documents", "metadatas"])
        return {
            aid: article_from(aid, doc, meta)
            for aid, doc, meta in zip(
                found["ids"], found["documents"], found["metadatas"], strict=True
            )
        }

    def list_articles(
        self,
        offset: int = 0,
        limit: int = 20,
        source: str | None = None,
        published_after: datetime | None = None,
        published_before: datetime | None = None,
    ) -> tuple[list[Article], int]:
        """A page of articles, newest first, and the total that match."""
        where = build_where(source=source, after=published_after, before=published_before)
        found = self.articles.get(where=where, include=["metadatas"])
        rows = sorted(
            zip(found["ids"], found["metadatas"], strict=True),
            key=lambda row: (-(row[1].get("published_ts") or 0), row[0]),
        )
        page = [aid for aid, _ in rows[offset : offset + limit]]
        articles = self.get_articles(page)
        return [articles[aid] for aid in page if aid in articles], len(rows)

    def iter_chunks(self, committed: Committed | None = None) -> Iterator[Chunk]:
        """Every visible chunk (as of ``committed``, else now), for building the keyword
        index."""
        committed = committed or self.committed()
        offset = 0
        while True:
            found = self.chunks.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
            if not found["ids"]:
                return
            for key, doc, meta in zip(
                found["ids"], found["documents"], found["metadatas"], strict=True
            ):
                chunk_id = committed.chunk_id(key)
                if chunk_id is not None:
                    yield chunk_from(chunk_id, doc, meta)
            offset += len(found["ids"])

    def get_chunks(self, ids: list[str], committed: Committed | None = None) -> dict[str, Chunk]:
        """The visible chunks of these ids (as of ``committed``, else now)."""
        committed = committed or self.committed()
        keys = [
            stored_key(cid, committed.writes[article_of(cid)])
            for cid in dict.fromkeys(ids)
            if article_of(cid) in committed.writes
        ]
        if not keys:
            return {}
        found = self.chunks.get(ids=keys, include=["documents", "metadatas"])
        chunks = (
            chunk_from(split_key(key)[0], doc, meta)
            for key, doc, meta in zip(
                found["ids"], found["documents"], found["metadatas"], strict=True
            )
        )
        return {chunk.id: chunk for chunk in chunks}

    def nearest(
        self,
        vector: np.ndarray,
        k: int,
        where: dict[str, Any] | None = None,
        committed: Committed | None = None,
    ) -> list[tuple[str, float]]:
        """Ids of the nearest visible chunks (as of ``committed``, else now) with their cosine
        similarity (1 - cosine distance).

        Ids only: fetching 150 documents and metadatas costs ~7x the search itself, and a
        reader that keeps the chunks in memory (the keyword index does) needs none of it.
        Chunks of a write under way, or left by one cut short, are skipped; while they take
        places, more are asked for.
        """
        committed = committed or self.committed()
        asked = k
        while True:
            found = self.chunks.query(
                query_embeddings=[vector.tolist()],
                n_results=asked,
                where=where,
                include=["distances"],
            )
            keys, distances = found["ids"][0], found["distances"][0]
            hits = [
                (chunk_id, 1.0 - float(dist))
                for key, dist in zip(keys, distances, strict=True)
                if (chunk_id := committed.chunk_id(key)) is not None
            ]
            if len(hits) >= k or len(keys) < asked:
                return hits[:k]
            asked *= 2
