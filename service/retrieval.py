"""Hybrid retrieval: dense (Chroma) and keyword (BM25) lists fused by reciprocal rank.

RRF needs no score calibration between the two lists, and capping passages per article keeps
the top-k spread over the several articles a multi-hop question needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ingest.embedding import Embedder
from ingest.index import NewsIndex, build_where
from ingest.models import Chunk
from ingest.settings import Settings
from service.keyword_search import KeywordIndex
from service.models import Filters, Passage, StageTimings


@dataclass
class _Fused:
    chunk: Chunk
    score: float = 0.0
    dense: float | None = None
    keyword: float | None = None


@dataclass
class RetrievalResult:
    passages: list[Passage]
    query_vector: np.ndarray
    timings: StageTimings = field(default_factory=StageTimings)


class Retriever:
    def __init__(self, settings: Settings, index: NewsIndex, embedder: Embedder):
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.keywords = KeywordIndex(index)

    def known_sources(self) -> list[str]:
        return sorted({c.source for c in self.keywords.refresh().chunks if c.source})

    def resolve_sources(self, names: list[str]) -> list[str]:
        """Outlet names as the index spells them, matched without regard to case."""
        known = {s.casefold(): s for s in self.known_sources()}
        return [known.get(name.strip().casefold(), name.strip()) for name in names if name.strip()]

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> RetrievalResult:
        settings = self.settings
        filters = filters or Filters()
        timings = StageTimings()

        started = time.perf_counter()
        vector = self.embedder.embed_query(query)
        timings.embed_ms = _ms(started)

        started = time.perf_counter()
        where = build_where(filters.sources, filters.published_after, filters.published_before)
        dense = self.index.query_dense(vector, settings.dense_depth, where)
        timings.dense_ms = _ms(started)

        started = time.perf_counter()
        keyword = self.keywords.search(query, settings.keyword_depth, filters)
        timings.keyword_ms = _ms(started)

        started = time.perf_counter()
        passages = self._fuse(dense, keyword, k)
        timings.fuse_ms = _ms(started)
        return RetrievalResult(passages=passages, query_vector=vector, timings=timings)

    def _fuse(
        self,
        dense: list[tuple[Chunk, float]],
        keyword: list[tuple[Chunk, float]],
        k: int,
    ) -> list[Passage]:
        fused: dict[str, _Fused] = {}
        for weight, ranked, attr in (
            (self.settings.dense_weight, dense, "dense"),
            (self.settings.keyword_weight, keyword, "keyword"),
        ):
            for rank, (chunk, score) in enumerate(ranked, start=1):
                entry = fused.setdefault(chunk.id, _Fused(chunk))
                entry.score += weight / (self.settings.rrf_k + rank)
                setattr(entry, attr, score)
        ordered = sorted(fused.values(), key=lambda e: (-e.score, e.chunk.id))
        per_article: dict[str, int] = {}
        chosen: list[_Fused] = []
        for entry in ordered:
            seen = per_article.get(entry.chunk.article_id, 0)
            if seen >= self.settings.max_passages_per_article:
                continue
            per_article[entry.chunk.article_id] = seen + 1
            chosen.append(entry)
            if len(chosen) == k:
                break
        return [
            Passage(
                chunk=e.chunk,
                rank=rank,
                dense_score=e.dense,
                keyword_score=e.keyword,
                fused_score=e.score,
            )
            for rank, e in enumerate(chosen, start=1)
        ]


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
