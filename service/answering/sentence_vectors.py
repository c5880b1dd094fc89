"""Sentence embeddings behind one bounded cache, shared by everything that embeds sentences.

Popular passages recur across questions, and the extractive answerer and the citation support
check embed the same passage sentences: one cache per ``AnswerService`` embeds each once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from ingest.embedding import Embedder
from service.settings import AnsweringSettings

CACHE_SIZE = 20_000


class SentenceVectors:
    """``Embedder.embed`` with a least-recently-used cache of ``size`` sentences, through
    ``encoder``, each text embedded by its first ``max_tokens`` tokens (None: all the model
    reads): a run-on scraped line costs what a sentence costs."""

    def __init__(
        self,
        embedder: Embedder,
        size: int = CACHE_SIZE,
        encoder: str = "torch",
        max_tokens: int | None = None,
    ):
        self.embedder = embedder
        self.size = size
        self.encoder = encoder
        self.max_tokens = max_tokens
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def configured(cls, embedder: Embedder, settings: AnsweringSettings) -> SentenceVectors:
        return cls(
            embedder, encoder=settings.sentence_encoder, max_tokens=settings.sentence_tokens or None
        )

    def clear(self) -> None:
        """Forget every vector: the next question finds the cache cold (for benchmarks)."""
        with self._lock:
            self._cache.clear()

    def embed(self, texts: list[str]) -> np.ndarray:
        """One vector per text, in order; only texts not cached are embedded, in one batch."""
        wanted = list(dict.fromkeys(texts))
        with self._lock:
            found = {t: self._cache[t] for t in wanted if t in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = [t for t in wanted if t not in found]
        if missing:
            fresh = self.embedder.embed(missing, self.encoder, self.max_tokens)
            found.update(zip(missing, fresh, strict=True))
            with self._lock:
                self._cache.update(zip(missing, fresh, strict=True))
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])
