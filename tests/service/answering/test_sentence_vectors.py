"""One sentence cache per service: each sentence is embedded once, whoever asks for it."""

import numpy as np
import pytest

from service.answering.sentence_vectors import SentenceVectors

pytestmark = pytest.mark.unit


class CountingEmbedder:
    """Vectors from the text's length; records every batch it was asked to embed."""

    def __init__(self):
        self.batches: list[list[str]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_each_sentence_is_embedded_once_in_one_batch_per_call():
    embedder = CountingEmbedder()
    vectors = SentenceVectors(embedder)
    first = vectors.embed(["a", "bb", "a"])
    assert first.tolist() == [[1, 1], [2, 1], [1, 1]]
    second = vectors.embed(["bb", "ccc"])
    assert second.tolist() == [[2, 1], [3, 1]]
    assert embedder.batches == [["a", "bb"], ["ccc"]]


def test_the_least_recently_used_sentence_is_the_one_forgotten():
    embedder = CountingEmbedder()
    vectors = SentenceVectors(embedder, size=2)
    vectors.embed(["a", "bb"])
    vectors.embed(["a"])  # "a" is now the more recent
    vectors.embed(["ccc"])  # evicts "bb"
    vectors.embed(["a", "bb"])
    assert embedder.batches == [["a", "bb"], ["ccc"], ["bb"]]
