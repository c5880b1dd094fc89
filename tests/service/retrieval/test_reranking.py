"""The cross-encoder path, run with a tiny BERT built here (no cross-encoder ships offline)."""

from pathlib import Path

import pytest

from ingest.embedding import resolve_model_path
from ingest.index.store import NewsIndex
from service.retrieval.reranking import Reranker, RerankerUnavailable
from service.retrieval.retriever import Retriever

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> Path:
    """A randomly initialised one-layer BERT with one output: a real, loadable cross-encoder."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("tiny-cross-encoder")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("all-MiniLM-L6-v2"))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_the_reranker_orders_the_passages_by_its_scores(news_index, embedder, tiny_cross_encoder):
    settings = news_index.model_copy(
        update={"reranker_model": str(tiny_cross_encoder), "rerank_depth": 12}
    )
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    plain = Retriever(settings.model_copy(update={"reranker_model": None}), index, embedder)
    reranked = Retriever(settings, index, embedder)
    question = "What did TechCrunch report about the FTX trial?"

    result = reranked.retrieve(question, 5)
    scores = [p.rerank_score for p in result.passages]
    assert len(scores) == 5 and None not in scores
    assert scores == sorted(scores, reverse=True)
    assert [p.rank for p in result.passages] == [1, 2, 3, 4, 5]

    # it reorders the fused candidates; it never brings in passages retrieval did not find
    candidates = {p.chunk.id for p in plain.retrieve(question, 12).passages}
    assert {p.chunk.id for p in result.passages} <= candidates
    assert plain.retrieve(question, 5).passages[0].rerank_score is None


def test_scores_are_deterministic_and_one_per_chunk(news_index, embedder, tiny_cross_encoder):
    index = NewsIndex(news_index, embedder.fingerprint, embedder.dimension)
    chunks = list(index.get_chunks([c.id for c in list(index.iter_chunks())[:4]]).values())
    reranker = Reranker(str(tiny_cross_encoder))
    first = reranker.score("Who won?", chunks)
    assert first.shape == (4,)
    assert first.tolist() == reranker.score("Who won?", chunks).tolist()
    assert reranker.score("Who won?", []).shape == (0,)


def test_a_missing_reranker_is_a_clear_error_at_start_up(settings_factory, embedder):
    settings = settings_factory(reranker_model="/nonexistent/no-such-model")
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    with pytest.raises(RerankerUnavailable) as excinfo:
        Retriever(settings, index, embedder)
    assert "NEWSDESK_RERANKER_MODEL" in str(excinfo.value)
    assert "no-such-model" in str(excinfo.value)
