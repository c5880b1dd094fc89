"""Writing articles whole, a batch at a time: the write path of ``NewsIndex``.

Each article of a batch gets its own write id and intent (``ingest.index.writes``), so each is
still committed whole by its own record; the batch only shares the Chroma calls. Every call
costs ~5 ms on top of its rows in embedded Chroma (more over HTTP), and an article took about
six of them: a batch of 20 articles now takes the same six.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from ingest.index.schema import STORY_KEY, article_metadata, chunk_metadata
from ingest.index.versions import HASH_KEY, VERSION_KEY
from ingest.index.writes import WRITE_KEY, stored_key
from ingest.models import Article, Chunk

if TYPE_CHECKING:
    from ingest.index.writes import Intent

ArticleWrite = tuple[Article, list[Chunk], np.ndarray]
"""An article, its chunks and one vector per chunk."""
WRITE_LOCK = threading.RLock()
"""One article write or deletion at a time in this process, from placing it in its story to
settling it: two threads writing copies of one story at once would each miss the other and
start two stories. The encoder runs before it, so it holds only Chroma calls, which embedded
Chroma serialises anyway. Writers in other processes are not covered (see the README)."""


class ArticleWrites:
    """A mixin of ``NewsIndex``: uses its collections, ``_begin``/``_settle`` (the intents),
    ``next_versions`` and ``_story_fields``."""

    chunks: Any
    articles: Any
    dimension: int
    _max_batch: int

    def write_article(self, article: Article, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self.write_articles([(article, chunks, vectors)])

    def write_articles(self, items: list[ArticleWrite]) -> None:
        """Store each article's chunks under a new write (and, when its title or body changed,
        a copy of the version they replace), then commit them by upserting the article records:
        readers are served each article's previous version (or nothing) until then, the new one
        after.

        If any step fails the writes are undone and the previous versions stay; a writer killed
        on the way leaves intents the next open of the index settles (``repair``).
        """
        if any(len(chunks) != len(vectors) for _, chunks, vectors in items):
            raise ValueError("one vector per chunk")
        if len({article.id for article, _, _ in items}) != len(items):
            raise ValueError("each article once in a batch of writes")
        if not items:
            return
        with WRITE_LOCK:
            intents = self._begin([article.id for article, _, _ in items], "write")
            try:
                self._store(items, intents)
            except Exception:
                self._book = None  # it may hold articles their records do not
                raise
            finally:
                self._settle(intents)

    def _store(self, items: list[ArticleWrite], intents: list[Intent]) -> None:
        """The kept versions, the chunks of every article, then the records that commit them."""
        writes = [intent.write for intent in intents]
        numbers = self.next_versions([(a, w) for (a, _, _), w in zip(items, writes, strict=True)])
        rows = []
        for (article, chunks, vectors), write, number in zip(items, writes, numbers, strict=True):
            version = {"article_version": number, "content_hash": article.text_hash}
            rows += [
                (c.model_copy(update=version), write, v)
                for c, v in zip(chunks, vectors, strict=True)
            ]
        batch = self._max_batch
        for i in range(0, len(rows), batch):
            part = rows[i : i + batch]
            self.chunks.upsert(
                ids=[stored_key(c.id, write) for c, write, _ in part],
                documents=[c.text for c, _, _ in part],
                embeddings=np.stack([v for _, _, v in part]),
                metadatas=[chunk_metadata(c) for c, _, _ in part],
            )
        records = []
        for (article, chunks, vectors), write, number in zip(items, writes, numbers, strict=True):
            meta = article_metadata(article, len(chunks))
            meta |= self._story_fields(article, meta["indexed_at"]) | {WRITE_KEY: write}
            meta |= {VERSION_KEY: number, HASH_KEY: article.text_hash}
            records.append((article, self._mean(vectors), meta))
        # A later article of the batch may have moved an earlier one's story (an original after
        # its copy): each record takes its story as the book holds it once all are placed.
        for article, _, meta in records:
            meta[STORY_KEY] = self._book.members[article.id].story
        for i in range(0, len(records), batch):
            part = records[i : i + batch]
            self.articles.upsert(
                ids=[article.id for article, _, _ in part],
                documents=[article.body for article, _, _ in part],
                embeddings=np.stack([vector for _, vector, _ in part]),
                metadatas=[meta for _, _, meta in part],
            )

    def _mean(self, vectors: np.ndarray) -> np.ndarray:
        """An article's vector: the normalised mean of its chunks'."""
        if not len(vectors):
            return np.zeros(self.dimension, dtype=np.float32)
        mean = vectors.mean(axis=0)
        return mean / (float(np.linalg.norm(mean)) or 1.0)
