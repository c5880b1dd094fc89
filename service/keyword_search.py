"""BM25 over the chunks in Chroma, rebuilt whenever the index's generation changes.

Chroma has no local keyword search, so each service process keeps its own BM25 built from the
collection itself. The index bumps a generation on every write; checking it before a search
keeps every replica consistent with the shared store without any coordination.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import bm25s
import numpy as np

from ingest.index import NewsIndex, contextual_text
from ingest.models import Chunk
from service.models import Filters


@dataclass
class _Snapshot:
    generation: str
    chunks: list[Chunk]
    retriever: bm25s.BM25 | None
    sources: np.ndarray
    published_ts: np.ndarray


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


class KeywordIndex:
    def __init__(self, index: NewsIndex, k1: float = 1.2, b: float = 0.75):
        self.index = index
        self.k1 = k1
        self.b = b
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def refresh(self) -> _Snapshot:
        """The current snapshot, rebuilt first if another writer changed the index."""
        generation = self.index.generation()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != generation:
                self._snapshot = self._build(generation)
            return self._snapshot

    def _build(self, generation: str) -> _Snapshot:
        chunks = list(self.index.iter_chunks())
        retriever = None
        if chunks:
            retriever = bm25s.BM25(k1=self.k1, b=self.b)
            retriever.index(tokenize([contextual_text(c) for c in chunks]), show_progress=False)
        return _Snapshot(
            generation=generation,
            chunks=chunks,
            retriever=retriever,
            sources=np.array([c.source or "" for c in chunks], dtype=object),
            published_ts=np.array(
                [c.published.timestamp() if c.published else np.nan for c in chunks],
                dtype=np.float64,
            ),
        )

    def search(
        self, query: str, k: int, filters: Filters | None = None
    ) -> list[tuple[Chunk, float]]:
        snapshot = self.refresh()
        if snapshot.retriever is None:
            return []
        tokens = tokenize([query])[0]
        if not tokens:
            return []
        scores = snapshot.retriever.get_scores(tokens)
        mask = self._mask(snapshot, filters)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(snapshot.chunks[i], float(scores[i])) for i in top if scores[i] > 0]

    @staticmethod
    def _mask(snapshot: _Snapshot, filters: Filters | None) -> np.ndarray | None:
        if filters is None:
            return None
        mask = np.ones(len(snapshot.chunks), dtype=bool)
        if filters.sources:
            mask &= np.isin(snapshot.sources, filters.sources)
        with np.errstate(invalid="ignore"):
            if filters.published_after:
                mask &= snapshot.published_ts >= filters.published_after.timestamp()
            if filters.published_before:
                mask &= snapshot.published_ts <= filters.published_before.timestamp()
        return mask
