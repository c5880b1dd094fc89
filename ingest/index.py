"""The index format, owned here: collection names, ids, metadata keys, model fingerprint.

Three Chroma collections share one prefix:
- ``{prefix}_chunks``: one record per chunk; the document is the exact body slice, the vector is
  the embedding of the chunk with its title, outlet and date (see ``contextual_text``);
- ``{prefix}_articles``: one record per article; the document is the full body (quotes are
  checked against it), the vector the normalised mean of its chunks; its ``fingerprint`` is
  written last and marks the article as complete;
- ``{prefix}_state``: a single record whose ``generation`` changes on every write, so each
  service process knows when its keyword index is stale — also across replicas and servers.

Everything service/ knows about the storage goes through ``NewsIndex``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import numpy as np

from ingest.models import Article, Chunk, canonical_url
from ingest.settings import Settings

STATE_ID = "state"
CHUNK_META_KEYS = ("article_id", "chunk_index", "start", "end", "title", "url", "source", "author")


class NewsIndexError(RuntimeError):
    """Base for index problems a user can act on."""


class IndexUnavailable(NewsIndexError):
    """The Chroma store cannot be reached or opened."""


class ModelMismatch(NewsIndexError):
    """The index was built with another embedding model than the one configured."""


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


def open_client(settings: Settings):
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


def _published_ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata cannot hold None: absent values are left out."""
    return {key: value for key, value in meta.items() if value is not None}


def _parse_dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


class NewsIndex:
    def __init__(self, settings: Settings, fingerprint: str, dimension: int, client=None):
        self.settings = settings
        self.fingerprint = fingerprint
        self.dimension = dimension
        self.client = client if client is not None else open_client(settings)
        prefix = settings.collection_prefix
        try:
            self.chunks = self._collection(f"{prefix}_chunks")
            self.articles = self._collection(f"{prefix}_articles")
            self.state = self.client.get_or_create_collection(
                f"{prefix}_state", embedding_function=None
            )
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

    # --- writer side -------------------------------------------------------------------

    def stored_fingerprint(self, article_id: str) -> str | None:
        found = self.articles.get(ids=[article_id], include=["metadatas"])
        if not found["ids"]:
            return None
        return (found["metadatas"][0] or {}).get("fingerprint")

    def write_article(self, article: Article, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Replace an article's chunks; the article record goes last as the completion mark.

        If any step fails the article is removed entirely, so the index never holds half of it.
        """
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        try:
            self._write(article, chunks, vectors)
        except Exception:
            self._remove(article.id)
            raise
        finally:
            self._bump_generation()

    def _write(self, article: Article, chunks: list[Chunk], vectors: np.ndarray) -> None:
        batch = self._max_batch
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.chunks.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=vectors[i : i + batch].tolist(),
                metadatas=[self._chunk_meta(c) for c in part],
            )
        keep = {c.id for c in chunks}
        stale = [
            cid
            for cid in self.chunks.get(where={"article_id": article.id}, include=[])["ids"]
            if cid not in keep
        ]
        if stale:
            self.chunks.delete(ids=stale)
        mean = vectors.mean(axis=0) if len(vectors) else np.zeros(self.dimension, dtype=np.float32)
        norm = float(np.linalg.norm(mean)) or 1.0
        self.articles.upsert(
            ids=[article.id],
            documents=[article.body],
            embeddings=[(mean / norm).tolist()],
            metadatas=[self._article_meta(article, len(chunks))],
        )

    def delete_article(self, id_or_url: str) -> Article | None:
        """Removes the article and every chunk of it; returns what was removed, if anything."""
        article = self.get_article(id_or_url)
        if article is None:
            return None
        self._remove(article.id)
        self._bump_generation()
        return article

    def _remove(self, article_id: str) -> None:
        self.articles.delete(ids=[article_id])
        self.chunks.delete(where={"article_id": article_id})

    def _chunk_meta(self, chunk: Chunk) -> dict[str, Any]:
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
                "published_ts": _published_ts(chunk.published),
                "published": chunk.published.isoformat() if chunk.published else None,
            }
        )

    def _article_meta(self, article: Article, chunk_count: int) -> dict[str, Any]:
        return _clean_meta(
            {
                "title": article.title,
                "url": article.url,
                "source": article.source,
                "author": article.author,
                "published_ts": _published_ts(article.published),
                "published": article.published.isoformat() if article.published else None,
                "updated": article.updated.isoformat() if article.updated else None,
                "language": article.language,
                "fingerprint": article.fingerprint,
                "chunk_count": chunk_count,
                "indexed_at": datetime.now(UTC).isoformat(),
            }
        )

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
        return self._article_from(found["ids"][0], found["documents"][0], found["metadatas"][0])

    def get_articles(self, ids: list[str]) -> dict[str, Article]:
        if not ids:
            return {}
        found = self.articles.get(ids=list(dict.fromkeys(ids)), include=["documents", "metadatas"])
        return {
            aid: self._article_from(aid, doc, meta)
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

    def iter_chunks(self, page: int = 5000) -> Iterator[Chunk]:
        """Every chunk, for building the keyword index."""
        offset = 0
        while True:
            found = self.chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not found["ids"]:
                return
            for cid, doc, meta in zip(
                found["ids"], found["documents"], found["metadatas"], strict=True
            ):
                yield self._chunk_from(cid, doc, meta)
            offset += len(found["ids"])

    def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        if not ids:
            return {}
        found = self.chunks.get(ids=list(dict.fromkeys(ids)), include=["documents", "metadatas"])
        return {
            cid: self._chunk_from(cid, doc, meta)
            for cid, doc, meta in zip(
                found["ids"], found["documents"], found["metadatas"], strict=True
            )
        }

    def nearest(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Ids of the nearest chunks with their cosine similarity (1 - cosine distance).

        Ids only: fetching 150 documents and metadatas costs ~7x the search itself, and a
        reader that keeps the chunks in memory (the keyword index does) needs none of it.
        """
        found = self.chunks.query(
            query_embeddings=[vector.tolist()], n_results=k, where=where, include=["distances"]
        )
        return [
            (cid, 1.0 - float(dist))
            for cid, dist in zip(found["ids"][0], found["distances"][0], strict=True)
        ]

    @staticmethod
    def _chunk_from(cid: str, doc: str, meta: dict[str, Any]) -> Chunk:
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
            published=_parse_dt(meta.get("published")),
        )

    @staticmethod
    def _article_from(aid: str, doc: str, meta: dict[str, Any]) -> Article:
        return Article(
            id=aid,
            title=meta["title"],
            body=doc,
            url=meta.get("url"),
            source=meta.get("source"),
            author=meta.get("author"),
            published=_parse_dt(meta.get("published")),
            updated=_parse_dt(meta.get("updated")),
            language=meta.get("language"),
        )


def build_where(
    source: str | list[str] | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
) -> dict[str, Any] | None:
    """A Chroma filter on outlet and publication time (dates compare as epoch seconds)."""
    clauses: list[dict[str, Any]] = []
    if source:
        sources = [source] if isinstance(source, str) else list(source)
        clauses.append({"source": {"$in": sources}} if len(sources) > 1 else {"source": sources[0]})
    if after:
        clauses.append({"published_ts": {"$gte": int(after.timestamp())}})
    if before:
        clauses.append({"published_ts": {"$lte": int(before.timestamp())}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
