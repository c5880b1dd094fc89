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
from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

import numpy as np

from ingest.index.filters import build_where
from ingest.index.schema import (
    STATE_ID,
    article_from,
    article_metadata,
    chunk_from,
    chunk_metadata,
)
from ingest.index.writes import (
    LEGACY,
    WRITE_KEY,
    Committed,
    Intent,
    RepairAction,
    RepairReport,
    article_of,
    new_write,
    split_key,
    stored_key,
)
from ingest.models import Article, Chunk, canonical_url
from ingest.settings import IndexSettings

log = logging.getLogger("newsdesk.index")

INTENT_PREFIX = "intent:"
PAGE = 5000


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


class NewsIndex:
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
        self.state.upsert(ids=[STATE_ID], documents=[uuid.uuid4().hex], embeddings=[[0.0]])

    def counts(self) -> dict[str, int]:
        return {"articles": self.articles.count(), "chunks": self.chunks.count()}

    def committed(self) -> Committed:
        """Which write of each article is served, read again whenever the generation changed
        (every commit and removal bumps it)."""
        generation = self.generation()
        committed = self._committed
        if committed is None or committed.generation != generation:
            committed = self._committed = Committed(generation, self._committed_writes())
        return committed

    def _committed_writes(self, ids: list[str] | None = None) -> dict[str, str]:
        found = self.articles.get(ids=ids, include=["metadatas"])
        return {
            aid: (meta or {}).get(WRITE_KEY, LEGACY)
            for aid, meta in zip(found["ids"], found["metadatas"], strict=True)
        }

    # --- writer side -------------------------------------------------------------------

    def stored_fingerprint(self, article_id: str) -> str | None:
        found = self.articles.get(ids=[article_id], include=["metadatas"])
        if not found["ids"]:
            return None
        return (found["metadatas"][0] or {}).get("fingerprint")

    def write_article(self, article: Article, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Store the chunks under a new write, then commit it by upserting the article record:
        readers are served the previous version (or nothing) until then, the new one after.

        If any step fails the write is undone and the previous version stays; a writer killed
        on the way leaves an intent the next open of the index settles (``repair``).
        """
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        intent = self._begin(article.id, "write")
        try:
            self._store(article, chunks, vectors, intent.write)
        finally:
            self._settle(intent)

    def _store(
        self, article: Article, chunks: list[Chunk], vectors: np.ndarray, write: str
    ) -> None:
        batch = self._max_batch
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.chunks.upsert(
                ids=[stored_key(c.id, write) for c in part],
                documents=[c.text for c in part],
                embeddings=vectors[i : i + batch].tolist(),
                metadatas=[chunk_metadata(c) for c in part],
            )
        mean = vectors.mean(axis=0) if len(vectors) else np.zeros(self.dimension, dtype=np.float32)
        norm = float(np.linalg.norm(mean)) or 1.0
        self.articles.upsert(
            ids=[article.id],
            documents=[article.body],
            embeddings=[(mean / norm).tolist()],
            metadatas=[{**article_metadata(article, len(chunks)), WRITE_KEY: write}],
        )

    def delete_article(self, id_or_url: str) -> Article | None:
        """Removes the article and every chunk of it; returns what was removed, if anything.

        Deleting the record hides every chunk at once; the chunks are removed after it."""
        article = self.get_article(id_or_url)
        if article is None:
            return None
        intent = self._begin(article.id, "delete")
        try:
            self.articles.delete(ids=[article.id])
        finally:
            self._settle(intent)
        return article

    def _begin(self, article_id: str, kind: Literal["write", "delete"]) -> Intent:
        """Record the intent before anything of the write is stored."""
        intent = Intent(write=new_write(), article_id=article_id, kind=kind)
        self.state.upsert(
            ids=[INTENT_PREFIX + intent.write],
            embeddings=[[0.0]],
            metadatas=[intent.model_dump()],
        )
        return intent

    def _settle(self, intent: Intent) -> None:
        """Tell readers, then remove what the write left unused (the version it superseded,
        or its own chunks if it did not commit) and its intent. Never raises: what it cannot
        do (the store lost) is left to the repair on the next open."""
        try:
            self._bump_generation()
            self._sweep(intent.article_id, {intent.write})
        except Exception as exc:
            log.warning(
                "the %s of article %s is left for the next open of the index to settle: %s",
                intent.kind,
                intent.article_id,
                exc,
            )

    def repair(self) -> RepairReport:
        """Finish or undo the writes of writers that stopped half-way (killed, or the store
        lost mid-write), and remove chunks no record names: an unfinished write is rolled back
        (the previous version stays), a committed one has its superseded chunks removed, a
        deletion its remaining chunks. Writes still under way are left to their writers.
        Logged, and kept as ``self.repaired``."""
        intents = self._intents()
        stale = {
            write
            for write, intent in intents.items()
            if intent.stale(self.settings.stale_write_seconds)
        }
        report = RepairReport(actions=self._sweep(None, stale), pending=len(intents) - len(stale))
        if report.changed:
            self._bump_generation()  # a writer may have committed and died before telling
        for action in report.actions:
            log.warning("repaired the index: %s", action)
        if report.pending:
            log.info("%d article writes under way elsewhere, left to their writers", report.pending)
        return report

    def _sweep(self, article_id: str | None, closing: Collection[str]) -> list[RepairAction]:
        """Remove the stored chunks (of one article, or all) that no record names and no
        other write under way claims, and close the intents ``closing``; what was done.

        Read in this order so that another writer's chunks are never taken for garbage: its
        intent is stored before its chunks, so it is listed after them unless that write has
        finished, and then its record, read last, names it (or a later write).
        """
        keys = self._stored_keys(article_id)
        intents = self._intents(article_id)
        writes = self._committed_writes([article_id] if article_id else None)
        claimed = intents.keys() - set(closing)
        unused: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            chunk_id, write = split_key(key)
            owner = article_of(chunk_id)
            if write not in claimed and writes.get(owner) != write:
                unused[owner].append(key)
        doomed = [key for group in unused.values() for key in group]
        for i in range(0, len(doomed), self._max_batch):
            self.chunks.delete(ids=doomed[i : i + self._max_batch])
        actions = []
        for write in closing:
            intent = intents.get(write)
            if intent is None:
                continue
            if intent.kind == "write":
                done = writes.get(intent.article_id) == write
            else:
                done = intent.article_id not in writes
            actions.append(
                RepairAction(
                    article_id=intent.article_id,
                    what=intent.kind,
                    outcome="completed" if done else "rolled back",
                    chunks_removed=len(unused.pop(intent.article_id, [])),
                )
            )
            self.state.delete(ids=[INTENT_PREFIX + write])
        actions += [
            RepairAction(article_id=aid, what="orphan", outcome="removed", chunks_removed=len(g))
            for aid, g in unused.items()
        ]
        if doomed:
            # A reader that read the chunks meanwhile may have missed some (Chroma pages by
            # offset): have it read them again.
            self._bump_generation()
        return actions

    def _stored_keys(self, article_id: str | None) -> list[str]:
        where = {"article_id": article_id} if article_id else None
        keys: list[str] = []
        while True:
            found = self.chunks.get(where=where, include=[], limit=PAGE, offset=len(keys))
            keys += found["ids"]
            if len(found["ids"]) < PAGE:
                return keys

    def _intents(self, article_id: str | None = None) -> dict[str, Intent]:
        where = {"article_id": article_id} if article_id else {"kind": {"$in": ["write", "delete"]}}
        found = self.state.get(where=where, include=["metadatas"])
        intents = (Intent.model_validate(meta) for meta in found["metadatas"])
        return {intent.write: intent for intent in intents}

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
