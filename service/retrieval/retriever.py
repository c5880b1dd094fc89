"""Hybrid retrieval: the question read once, then dense (Chroma) and keyword (BM25) searches
fused into one ranking (``service.retrieval.fusion``).

Outlets and dates named in the question add sub-queries restricted to each of them (or, if
configured, filter the whole search), so a comparison of two outlets gets passages from both.
A cross-encoder, when configured, reorders the fused candidates. The parsed question travels
on with the result, so the decline rules and the answerers never read the raw text again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from ingest.embedding import Embedder
from ingest.index.store import NewsIndex
from ingest.index.writes import Committed
from service.contract import Filters, Passage, StageTimings
from service.question.parsed import ParsedQuestion, parse_question
from service.retrieval.fusion import Fused, Ranked, View, diversify, fuse
from service.retrieval.keyword_index import KeywordIndex, Snapshot
from service.retrieval.reranking import Reranker
from service.retrieval.stories import also_carried_by, one_copy_per_story
from service.settings import Settings


@dataclass
class RetrievalResult:
    passages: list[Passage]
    query_vector: np.ndarray
    parsed: ParsedQuestion
    snapshot: Snapshot
    filters: Filters = field(default_factory=Filters)
    timings: StageTimings = field(default_factory=StageTimings)
    # Each outlet the question names, as written, with its closest chunk's similarity.
    outlet_support: dict[str, float] = field(default_factory=dict)


class Retriever:
    def __init__(
        self,
        settings: Settings,
        index: NewsIndex,
        embedder: Embedder,
        reranker: Reranker | None = None,
    ):
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.keywords = KeywordIndex(index, stemming=settings.keyword_stemming)
        if reranker is None and settings.reranker_model:
            reranker = Reranker(settings.reranker_model)
            reranker.load()  # a wrong setting fails at start-up, not on the first question
        self.reranker = reranker

    def known_sources(self) -> list[str]:
        return self.keywords.refresh().sources

    def resolve_sources(self, names: list[str]) -> list[str]:
        """Outlet names as the index spells them, matched without regard to case."""
        known = {s.casefold(): s for s in self.known_sources()}
        return [known.get(name.strip().casefold(), name.strip()) for name in names if name.strip()]

    def parse(
        self, question: str, as_of: date | None = None, sources: list[str] | None = None
    ) -> ParsedQuestion:
        """The question read once, against the index's outlets (``sources``, else the
        current snapshot's)."""
        known = self.known_sources() if sources is None else sources
        metadata = self.settings.question_metadata != "off"
        return parse_question(question, known, as_of, metadata=metadata)

    def absent_names(self, parsed: ParsedQuestion, snapshot: Snapshot | None = None) -> list[str]:
        """Names the question asks about that no indexed article mentions."""
        snapshot = snapshot or self.keywords.refresh()
        return [name for name in parsed.names if not self.keywords.mentions(snapshot, name)]

    def retrieve(
        self,
        query: str,
        k: int,
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> RetrievalResult:
        settings = self.settings
        timings = StageTimings()

        started = time.perf_counter()
        snapshot = self.keywords.refresh()
        parsed = self.parse(query, as_of, snapshot.sources)
        applied = self._applied_filters(filters or Filters(), parsed)
        views = self._views(applied, parsed)
        timings.parse_ms = _ms(started)

        started = time.perf_counter()
        vector = self.embedder.embed_query(query)
        timings.embed_ms = _ms(started)

        started = time.perf_counter()
        dense = self._dense(snapshot, vector, applied)
        dense_lists = [dense] + [
            [(c, score) for c, score in dense if view.filters.allows(c)] for view in views[1:]
        ]
        support = self._outlet_support(parsed, vector, dense, applied, snapshot.committed)
        timings.dense_ms = _ms(started)

        started = time.perf_counter()
        scores = self.keywords.score(snapshot, query)
        keyword_lists = [
            self.keywords.top(snapshot, scores, settings.keyword_depth, view.filters)
            for view in views
        ]
        timings.keyword_ms = _ms(started)

        started = time.perf_counter()
        stories = snapshot.committed.stories
        named = {source for mention in parsed.outlets for source in mention.sources}
        fused = one_copy_per_story(
            fuse(settings, views, dense_lists, keyword_lists), stories, named
        )
        depth = max(k, settings.rerank_depth) if self.reranker else k
        candidates = diversify(
            fused, depth, settings.same_article_decay, settings.max_passages_per_article
        )
        timings.fuse_ms = _ms(started)

        if self.reranker and candidates:
            started = time.perf_counter()
            candidates = self._rerank(query, candidates, k)
            timings.rerank_ms = _ms(started)

        passages = [
            Passage(
                chunk=e.chunk,
                rank=rank,
                dense_score=e.dense,
                keyword_score=e.keyword,
                fused_score=e.score,
                rerank_score=e.rerank,
                also_carried_by=also_carried_by(e.chunk, stories, snapshot.outlets_by_story),
            )
            for rank, e in enumerate(candidates[:k], start=1)
        ]
        return RetrievalResult(
            passages=passages,
            query_vector=vector,
            parsed=parsed,
            snapshot=snapshot,
            filters=applied,
            timings=timings,
            outlet_support=support,
        )

    def _dense(self, snapshot: Snapshot, vector: np.ndarray, applied: Filters) -> Ranked:
        """Nearest chunks of the snapshot's writes, their text taken from the snapshot; one
        it missed is fetched from the store, one deleted since is left out."""
        committed = snapshot.committed
        nearest = self.index.nearest(vector, self.settings.dense_depth, applied.where(), committed)
        missing = [cid for cid, _ in nearest if cid not in snapshot.by_id]
        fetched = self.index.get_chunks(missing, committed) if missing else {}
        found = []
        for cid, similarity in nearest:
            chunk = snapshot.by_id.get(cid) or fetched.get(cid)
            if chunk is not None:
                found.append((chunk, similarity))
        return found

    def _outlet_support(
        self,
        parsed: ParsedQuestion,
        vector: np.ndarray,
        dense: Ranked,
        applied: Filters,
        committed: Committed,
    ) -> dict[str, float]:
        """How close each named outlet's closest chunk is to the question: a question that
        relies on "the Guardian article on X" is only as well supported as the Guardian's
        best match. Read off the dense list when the outlet is in it, else one search."""
        support: dict[str, float] = {}
        for mention in parsed.outlets:
            sources = set(mention.sources)
            if applied.sources:
                sources &= set(applied.sources)
            found = [score for chunk, score in dense if chunk.source in sources]
            if not found and sources:
                narrowed = applied.model_copy(update={"sources": sorted(sources)})
                nearest = self.index.nearest(vector, 1, narrowed.where(), committed)
                found = [score for _, score in nearest]
            support[mention.text] = max(found, default=0.0)
        return support

    # --- the question's metadata --------------------------------------------------------

    def _applied_filters(self, explicit: Filters, parsed: ParsedQuestion) -> Filters:
        """In 'filter' mode, outlets and dates read from the question restrict the search,
        unless the request already restricts that field itself."""
        if self.settings.question_metadata != "filter":
            return explicit
        after, before = parsed.date_range
        has_dates = explicit.published_after or explicit.published_before
        return Filters(
            sources=explicit.sources or parsed.sources,
            published_after=explicit.published_after if has_dates else self._pad(after, -1),
            published_before=explicit.published_before if has_dates else self._pad(before, 1),
        )

    def _views(self, applied: Filters, parsed: ParsedQuestion) -> list[View]:
        """The whole query, then one sub-query per named outlet and per date window."""
        views = [View(applied, 1.0)]
        if self.settings.question_metadata == "off" or self.settings.subquery_weight <= 0:
            return views
        weight = self.settings.subquery_weight
        for mention in parsed.outlets:
            sources = [s for s in mention.sources if not applied.sources or s in applied.sources]
            if sources and sources != applied.sources:
                views.append(View(applied.model_copy(update={"sources": sources}), weight))
        for window in parsed.dates:
            narrowed = _intersect(applied, self._pad(window.after, -1), self._pad(window.before, 1))
            if narrowed is not None and narrowed != applied:
                views.append(View(narrowed, weight))
        return views

    def _pad(self, moment: datetime | None, sign: int) -> datetime | None:
        """Widen a date window: a day in the question may be another day in UTC."""
        if moment is None:
            return None
        return moment + sign * timedelta(hours=self.settings.date_padding_hours)

    def _rerank(self, query: str, candidates: list[Fused], k: int) -> list[Fused]:
        scores = self.reranker.score(query, [e.chunk for e in candidates])
        for entry, score in zip(candidates, scores, strict=True):
            entry.rerank = float(score)
        return sorted(candidates, key=lambda e: (-(e.rerank or 0.0), e.chunk.id))[:k]


def _intersect(filters: Filters, after: datetime | None, before: datetime | None) -> Filters | None:
    """``filters`` narrowed to a date window; None when nothing could pass both."""
    lower = max((d for d in (filters.published_after, after) if d), default=None)
    upper = min((d for d in (filters.published_before, before) if d), default=None)
    if lower and upper and lower > upper:
        return None
    return filters.model_copy(update={"published_after": lower, "published_before": upper})


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
