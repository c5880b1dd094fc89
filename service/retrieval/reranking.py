"""An optional cross-encoder that rescores the fused candidates against the question.

None ships offline, so this only runs when ``NEWSDESK_RERANKER_MODEL`` names a
sentence-transformers cross-encoder (a local path or a cached hub name). It reads the same
contextual text (headline, outlet, date, passage) that the retrievers indexed.
"""

from __future__ import annotations

import threading

import numpy as np

from ingest.index.schema import contextual_text
from ingest.models import Chunk


class RerankerUnavailable(RuntimeError):
    """The configured cross-encoder cannot be loaded; the message says which and why."""


class Reranker:
    def __init__(self, model: str, batch_size: int = 16, max_length: int = 512):
        self.model_name = model
        self.batch_size = batch_size
        self.max_length = max_length
        self._model = None
        self._lock = threading.Lock()

    def load(self):
        """The model, loaded once (importing sentence-transformers alone costs seconds)."""
        with self._lock:
            if self._model is None:
                from sentence_transformers import CrossEncoder

                try:
                    self._model = CrossEncoder(
                        self.model_name, device="cpu", max_length=self.max_length
                    )
                except Exception as exc:  # OSError, ValueError, HF hub errors...
                    raise RerankerUnavailable(
                        f"cannot load the cross-encoder {self.model_name!r} set in "
                        f"NEWSDESK_RERANKER_MODEL: {exc}. Point it at a local "
                        "sentence-transformers cross-encoder folder, or unset it."
                    ) from exc
            return self._model

    def score(self, query: str, chunks: list[Chunk]) -> np.ndarray:
        """One relevance score per chunk, higher is better."""
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        pairs = [(query, contextual_text(c)) for c in chunks]
        scores = self.load().predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        return np.asarray(scores, dtype=np.float32).reshape(len(chunks), -1)[:, -1]
