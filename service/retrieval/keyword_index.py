"""BM25 over the chunks in Chroma, rebuilt whenever the index's generation changes.

Chroma has no local keyword search, so each service process keeps its own BM25 built from the
collection itself. The index bumps a generation on every write; checking it before a search
keeps every replica consistent with the shared store without any coordination.

Scores are computed once per question; each filtered view (an outlet, a date window) is then
a mask over the same scores, so sub-queries cost almost nothing here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import bm25s
import numpy as np

from ingest.index.filters import Filters, stored_second
from ingest.index.schema import contextual_text
from ingest.index.store import NewsIndex
from ingest.index.writes import Committed
from ingest.models import Chunk
from service.retrieval.stories import outlets_by_story


@dataclass
class Snapshot:
    generation: str
    committed: Committed  # the writes its chunks belong to: dense search is held to the same
    chunks: list[Chunk]
    retriever: bm25s.BM25 | None
    source_codes: np.ndarray
    source_ids: dict[str, int]
    published_ts: np.ndarray  # each chunk's stored second (``stored_second``), NaN: undated
    by_id: dict[str, Chunk]
    outlets_by_story: dict[str, list[str]]  # stories of several copies: their outlets

    @property
    def sources(self) -> list[str]:
        return sorted(self.source_ids.keys() - {""})


def _stemmer():
    """PyStemmer's English Snowball stemmer: 'reported' and 'reports' meet at 'report'."""
    import Stemmer

    return Stemmer.Stemmer("english")


class KeywordIndex:
    def __init__(self, index: NewsIndex, k1: float = 1.2, b: float = 0.75, stemming: bool = True):
        self.index = index
        self.k1 = k1
        self.b = b
        self.stemmer = _stemmer() if stemming else None
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        return bm25s.tokenize(
            texts, stopwords="en", stemmer=self.stemmer, return_ids=False, show_progress=False
        )

    def _corpus(self, texts: list[str]) -> bm25s.tokenization.Tokenized:
        """Token ids and their vocabulary, each distinct word stemmed once: the same tokens
        as ``tokenize``, without a string per token (at a million chunks, gigabytes)."""
        return bm25s.tokenize(
            texts, stopwords="en", stemmer=self.stemmer, return_ids=True, show_progress=False
        )

    def refresh(self) -> Snapshot:
        """The current snapshot, rebuilt first if another writer changed the index."""
        generation = self.index.generation()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != generation:
                self._snapshot = self._build(self.index.committed())
            return self._snapshot

    def _build(self, committed: Committed) -> Snapshot:
        """A snapshot of every chunk; with no keyword token in any (no chunk, or only
        stopwords and one-letter words) there is no BM25 to build (bm25s cannot index an empty
        vocabulary), so nothing is keyword-searchable and dense search serves alone."""
        chunks = list(self.index.iter_chunks(committed))
        corpus = self._corpus([contextual_text(c) for c in chunks])
        retriever = None
        if any(corpus.ids):
            retriever = bm25s.BM25(k1=self.k1, b=self.b)
            retriever.index(corpus, show_progress=False)
        source_ids: dict[str, int] = {}
        codes = [source_ids.setdefault(c.source or "", len(source_ids)) for c in chunks]
        return Snapshot(
            generation=committed.generation,
            committed=committed,
            chunks=chunks,
            retriever=retriever,
            source_codes=np.array(codes, dtype=np.int32),
            source_ids=source_ids,
            published_ts=np.array(
                [stored_second(c.published) if c.published else np.nan for c in chunks],
                dtype=np.float64,
            ),
            by_id={c.id: c for c in chunks},
            outlets_by_story=outlets_by_story(chunks, committed.stories),
        )

    def scores(self, query: str) -> tuple[Snapshot, np.ndarray | None]:
        """BM25 score of every chunk of the current snapshot (None: nothing to match)."""
        snapshot = self.refresh()
        return snapshot, self.score(snapshot, query)

    def score(self, snapshot: Snapshot, query: str) -> np.ndarray | None:
        if snapshot.retriever is None:
            return None
        tokens = self.tokenize([query])[0]
        if not tokens:
            return None
        return snapshot.retriever.get_scores(tokens)

    @staticmethod
    def top(
        snapshot: Snapshot, scores: np.ndarray | None, k: int, filters: Filters | None = None
    ) -> list[tuple[Chunk, float]]:
        """The k best chunks allowed by ``filters``; chunks matching no query term are left out."""
        if scores is None or k <= 0:
            return []
        mask = None
        if filters is not None:
            mask = filters.mask(snapshot.source_codes, snapshot.source_ids, snapshot.published_ts)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(snapshot.chunks[i], float(scores[i])) for i in top if scores[i] > 0]

    def mentions(self, snapshot: Snapshot, name: str) -> bool:
        """Whether some chunk holds every word of ``name`` as the keyword index reads words
        (any case and order, stemmed): articles write "Michigan's Wolverines" or "players of
        Baldur's Gate 3" for the names a question spells out. Exact, over the whole index: the
        chunks holding all the words are the intersection of the words' posting lists."""
        retriever = snapshot.retriever
        if retriever is None:
            return False
        words = set(self.tokenize([name])[0])
        if not words:
            return True
        indptr, indices = retriever.scores["indptr"], retriever.scores["indices"]
        holding: np.ndarray | None = None
        for word in words:
            token = retriever.vocab_dict.get(word)
            if token is None or token + 1 >= len(indptr):
                return False
            docs = indices[indptr[token] : indptr[token + 1]]
            holding = docs if holding is None else np.intersect1d(holding, docs)
            if not holding.size:
                return False
        return True

    def search(
        self, query: str, k: int, filters: Filters | None = None
    ) -> list[tuple[Chunk, float]]:
        snapshot, scores = self.scores(query)
        return self.top(snapshot, scores, k, filters)
