import numpy as np
import pytest

from ingest.chunking import Chunker
from ingest.embedding import Embedder
from ingest.index.schema import contextual_text
from ingest.index.store import ModelMismatch, NewsIndex
from ingest.pipeline import build_ingestor

pytestmark = pytest.mark.integration

# The stated tolerances to fp32, per chunk, with a margin under what was measured (bf16 min
# 0.99989, int8 min 0.984 over 999 MultiHop-RAG chunks): a regression fails, noise does not.
BF16_MIN_COSINE = 0.9995
BF16_MEAN_COSINE = 0.9999
INT8_MIN_COSINE = 0.98
INT8_MEAN_COSINE = 0.99


@pytest.fixture(scope="module")
def chunk_texts(embedder, multihop_articles) -> list[str]:
    """What ingest embeds (title, outlet, date and text) for ~60 real MultiHop-RAG chunks."""
    chunker = Chunker.for_model(embedder, 200, 40)
    return [contextual_text(c) for a in multihop_articles[:6] for c in chunker.split(a)][:60]


@pytest.fixture(scope="module")
def encoders(embedder, tmp_path_factory) -> dict[str, Embedder]:
    cache = tmp_path_factory.mktemp("models")
    return {
        name: Embedder(embedder.name, cache_dir=cache, document_encoder=name)
        for name in ("torch", "bf16", "onnx-int8")
    }


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


def test_fast_encoders_stay_within_their_stated_tolerance(embedder, encoders, chunk_texts):
    reference = embedder.model.encode(chunk_texts, normalize_embeddings=True)
    fp32 = _cosines(encoders["torch"].embed_documents(chunk_texts), reference)
    bf16 = _cosines(encoders["bf16"].embed_documents(chunk_texts), reference)
    int8 = _cosines(encoders["onnx-int8"].embed_documents(chunk_texts), reference)
    assert fp32.min() >= 0.99999
    assert bf16.min() >= BF16_MIN_COSINE and bf16.mean() >= BF16_MEAN_COSINE
    assert int8.min() >= INT8_MIN_COSINE and int8.mean() >= INT8_MEAN_COSINE


def test_length_bucketing_keeps_the_order_of_the_texts(encoders, chunk_texts):
    texts = ["Kursk", chunk_texts[0], "Troops were sent.", chunk_texts[1] + chunk_texts[2]]
    texts += chunk_texts[3:12]
    fp32 = encoders["torch"]
    one_by_one = np.stack([fp32.embed_documents([t])[0] for t in texts])
    assert np.allclose(fp32.embed_documents(texts), one_by_one, atol=1e-5)
    for name in ("bf16", "onnx-int8"):
        vectors = encoders[name].embed_documents(texts)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert (np.argmax(vectors @ one_by_one.T, axis=1) == np.arange(len(texts))).all()
        assert _cosines(vectors, one_by_one).min() >= INT8_MIN_COSINE


def test_only_an_encoder_outside_the_tolerance_is_a_fingerprint_of_its_own(encoders):
    fp32 = encoders["torch"].fingerprint
    assert fp32.count("|") == 2 and "documents=" not in fp32
    assert encoders["bf16"].fingerprint == fp32
    assert encoders["onnx-int8"].fingerprint == f"{fp32}|documents=onnx-int8"


def test_questions_and_sentences_stay_on_fp32_whatever_embeds_the_chunks(encoders, chunk_texts):
    fp32 = encoders["torch"].embed(chunk_texts[:4])
    for name in ("bf16", "onnx-int8"):
        assert np.allclose(encoders[name].embed(chunk_texts[:4]), fp32, atol=1e-6)


def test_a_text_capped_at_a_number_of_tokens_reads_as_its_first_tokens(encoders, chunk_texts):
    fp32 = encoders["torch"]
    text = chunk_texts[0]
    offsets = fp32.token_offsets([text])[0]
    start = fp32.embed([text[: offsets[15][1]]])[0]
    capped = fp32.embed([text, "Troops were sent."], max_tokens=16)
    assert float(capped[0] @ start) >= 0.9999
    assert float(capped[0] @ fp32.embed([text])[0]) < 0.99, "the rest of the text is not read"
    short = fp32.embed(["Troops were sent."])[0]
    assert float(capped[1] @ short) >= 0.99999, "a shorter text is read whole"
    bf16 = encoders["torch"].embed([text], "bf16", max_tokens=16)[0]
    assert float(bf16 @ start) >= BF16_MIN_COSINE


@pytest.mark.parametrize(("built", "switched"), [("torch", "onnx-int8"), ("onnx-int8", "torch")])
def test_switching_to_an_encoder_of_another_fingerprint_is_refused_until_reindexed(
    settings_factory, encoders, sample_article, tmp_path, built, switched
):
    settings = settings_factory(document_encoder=built, model_cache_dir=tmp_path / "models")
    build_ingestor(settings, embedder=encoders[built]).ingest_articles([sample_article])
    other = settings.model_copy(update={"document_encoder": switched})
    with pytest.raises(ModelMismatch) as excinfo:
        build_ingestor(other, embedder=encoders[switched])
    message = str(excinfo.value)
    assert encoders[built].fingerprint in message and encoders[switched].fingerprint in message
    assert "Re-index" in message

    reindexed = other.model_copy(update={"collection_prefix": settings.collection_prefix + "b"})
    report = build_ingestor(reindexed, embedder=encoders[switched]).ingest_articles(
        [sample_article]
    )
    assert report.new == 1
    fresh = NewsIndex(reindexed, encoders[switched].fingerprint, 384)
    found = fresh.chunks.query(
        query_embeddings=[encoders[switched].embed_query("North Korean troops in Kursk")],
        n_results=1,
    )
    assert found["metadatas"][0][0]["article_id"] == sample_article.id


def test_an_index_built_in_fp32_takes_bf16_chunks_and_finds_both(
    settings_factory, encoders, sample_article, multihop_articles, tmp_path
):
    """bf16 is within fp32's tolerance: a machine with bf16 keeps adding to an fp32 index."""
    settings = settings_factory(document_encoder="torch", model_cache_dir=tmp_path / "models")
    build_ingestor(settings, embedder=encoders["torch"]).ingest_articles([sample_article])
    faster = settings.model_copy(update={"document_encoder": "bf16"})
    added = multihop_articles[0]
    report = build_ingestor(faster, embedder=encoders["bf16"]).ingest_articles([added])
    assert report.new == 1
    index = NewsIndex(faster, encoders["bf16"].fingerprint, 384)
    for article, question in (
        (sample_article, "North Korean troops in Kursk"),
        (added, added.title),
    ):
        found = index.chunks.query(
            query_embeddings=[encoders["bf16"].embed_query(question)], n_results=1
        )
        assert found["metadatas"][0][0]["article_id"] == article.id
