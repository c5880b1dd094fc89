"""Ranked lists fused into one ranking, then spread over articles.

Each list's scores are standardised before they are added (or, if configured, replaced by
reciprocal ranks), so cosine similarities and BM25 scores need no calibration against each
other. Every restricted search (a ``View``) adds its dense and keyword lists with its own
weight. Capping passages per article keeps the top-k spread over the several articles a
multi-hop question needs.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from ingest.models import Chunk
from service.contract import Filters
from service.settings import RetrievalSettings

Ranked = list[tuple[Chunk, float]]


@dataclass
class View:
    """One restricted search whose ranked lists join the fusion with ``weight``."""

    filters: Filters
    weight: float


@dataclass
class Fused:
    """A chunk's fused score, with the first score each kind of list gave it."""

    chunk: Chunk
    score: float = 0.0
    dense: float | None = None
    keyword: float | None = None
    rerank: float | None = None


def fuse(
    settings: RetrievalSettings,
    views: list[View],
    dense_lists: list[Ranked],
    keyword_lists: list[Ranked],
) -> list[Fused]:
    """Every chunk of every list, best fused score first (ties by chunk id)."""
    fused: dict[str, Fused] = {}
    for view, dense, keyword in zip(views, dense_lists, keyword_lists, strict=True):
        for weight, ranked, attr in (
            (settings.dense_weight, dense, "dense"),
            (settings.keyword_weight, keyword, "keyword"),
        ):
            gains = (
                zscore_contributions(ranked)
                if settings.fusion == "zscore"
                else rrf_contributions(ranked, settings.rrf_k)
            )
            for (chunk, score), gain in zip(ranked, gains, strict=True):
                entry = fused.setdefault(chunk.id, Fused(chunk))
                entry.score += view.weight * weight * gain
                if getattr(entry, attr) is None:
                    setattr(entry, attr, score)
    return sorted(fused.values(), key=lambda e: (-e.score, e.chunk.id))


def rrf_contributions(ranked: Ranked, rrf_k: int) -> list[float]:
    return [1.0 / (rrf_k + rank) for rank in range(1, len(ranked) + 1)]


SAME_SCORE_LEAD = 2.0
"""What each passage of a list scoring them all the same contributes (most often a list of one:
the only passage holding a rare word or name) — the lead the first of a two-passage list gets.
Scored 0, as if missing, such a passage was left to dense similarity alone."""


def zscore_contributions(ranked: Ranked) -> list[float]:
    """Each score above the list's lowest, in the list's standard deviations: BM25 and cosine
    scales become comparable, a passage far ahead of the rest keeps its lead (RRF flattens it),
    and a passage missing from a list scores what that list's weakest candidate scores."""
    if not ranked:
        return []
    scores = np.array([score for _, score in ranked], dtype=np.float64)
    spread = scores.std()
    if spread == 0:
        return [SAME_SCORE_LEAD] * len(ranked)
    return ((scores - scores.min()) / spread).tolist()


def diversify(ordered: list[Fused], k: int, decay: float, cap: int) -> list[Fused]:
    """The best k, where each passage already taken from an article discounts that article's
    next ones by ``decay`` (``same_article_decay``), and none takes more than ``cap``
    (``max_passages_per_article``): a comparison needs every article it compares.

    Lazy greedy over a heap: a discount only ever lowers a score, so an entry whose article
    gained a passage since it was scored is rescored and pushed back, never missed.
    """
    taken: dict[str, int] = {}
    chosen: list[Fused] = []
    heap = [(-entry.score, position, 0) for position, entry in enumerate(ordered)]
    heapq.heapify(heap)
    while heap and len(chosen) < k:
        _, position, scored_with = heapq.heappop(heap)
        entry = ordered[position]
        seen = taken.get(entry.chunk.article_id, 0)
        if seen >= cap:
            continue
        if seen != scored_with:
            heapq.heappush(heap, (-entry.score * decay**seen, position, seen))
            continue
        taken[entry.chunk.article_id] = seen + 1
        chosen.append(entry)
    return chosen
