"""One sentence cache per service: each sentence is embedded once, whoever asks for it."""

import numpy as np
import pytest

from service.answering.sentence_vectors import SentenceVectors
from service.settings import Settings

pytestmark = pytest.mark.unit


class CountingEmbedder:
    """Vectors from the text's length; records every batch it was asked to embed."""

    def __init__(self):
        self.batches: list[list[str]] = []
        self.encoders: list[str] = []
        self.caps: list[int | None] = []

    def embed(
        self, texts: list[str], encoder: str = "torch", max_tokens: int | None = None
    ) -> np.ndarray:
        self.batches.append(list(texts))
        self.encoders.append(encoder)
        self.caps.append(max_tokens)
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


def test_a_sentence_is_cached_under_its_whole_text_whatever_the_model_reads_of_it():
    embedder = CountingEmbedder()
    vectors = SentenceVectors(embedder, max_tokens=3)
    line = "one two three four five six"
    vectors.embed([line, "short line"])
    vectors.embed([line])
    assert embedder.batches == [[line, "short line"]] and embedder.caps == [3]


def test_the_fp32_setting_is_honoured_and_the_cap_can_be_lifted(monkeypatch):
    monkeypatch.setenv("NEWSDESK_SENTENCE_ENCODER", "torch")
    monkeypatch.setenv("NEWSDESK_SENTENCE_TOKENS", "0")
    embedder = CountingEmbedder()
    vectors = SentenceVectors.configured(embedder, Settings(_env_file=None))
    line = "one two three four five six " * 30
    vectors.embed([line])
    assert embedder.encoders == ["torch"] and embedder.caps == [None]


def test_bf16_is_asked_for_when_configured():
    embedder = CountingEmbedder()
    settings = Settings(_env_file=None, sentence_encoder="bf16", sentence_tokens=96)
    SentenceVectors.configured(embedder, settings).embed(["a sentence"])
    assert embedder.encoders == ["bf16"]


def test_a_cleared_cache_embeds_again():
    embedder = CountingEmbedder()
    vectors = SentenceVectors(embedder)
    vectors.embed(["a"])
    vectors.clear()
    vectors.embed(["a"])
    assert embedder.batches == [["a"], ["a"]]
