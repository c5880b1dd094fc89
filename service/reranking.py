"""An optional cross-encoder that rescores the fused candidates against the question.

None ships offline, so this only runs when ``NEWSDESK_RERANKER_MODEL`` names a
sentence-transformers cross-encoder (a local path or a cached hub name). It reads the same
contextual text (headline, outlet, date, passage) that the retrievers indexed.
"""

from __future__ import annotations

import threading
from functools import cached_property

import numpy as np

from ingest.index import contextual_text
from ingest.models import Chunk


class Reranker:
    def __init__(self, model: str, batch_size: int = 16, max_length: int = 512):
        self.model_name = model
        self.batch_size = batch_size
        self.max_length = max_length
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        """Loaded on first use: importing sentence-transformers costs seconds."""
        from sentence_transformers import CrossEncoder

        return CrossEncoder(self.model_name, device="cpu", max_length=self.max_length)

    def score(self, query: str, chunks: list[Chunk]) -> np.ndarray:
        """One relevance score per chunk, higher is better."""
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            model = self.model
        pairs = [(query, contextual_text(c)) for c in chunks]
        scores = model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        return np.asarray(scores, dtype=np.float32).reshape(len(chunks), -1)[:, -1]
