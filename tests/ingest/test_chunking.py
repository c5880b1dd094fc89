import itertools

import pytest

from ingest.chunking import MIN_CHUNK_TOKENS, Chunker
from ingest.index.schema import contextual_text
from ingest.models import Article

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chunker(embedder) -> Chunker:
    return Chunker(embedder.token_offsets, chunk_tokens=200, overlap_tokens=40)


def test_offsets_are_exact_on_real_articles(chunker, embedder, multihop_articles, sample_article):
    for article in [sample_article, *multihop_articles]:
        chunks = chunker.split(article)
        assert chunks, article.id
        for i, chunk in enumerate(chunks):
            assert chunk.text == article.body[chunk.start : chunk.end]
            assert chunk.id == f"{article.id}:{i}"
            assert chunk.title == article.title
        sizes = [len(spans) for spans in embedder.token_offsets([c.text for c in chunks])]
        assert max(sizes) <= 200 + 5, "a chunk is about 200 model tokens at most"


def test_chunks_cover_the_whole_body_and_overlap(chunker, multihop_articles):
    article = max(multihop_articles, key=lambda a: len(a.body))
    chunks = chunker.split(article)
    assert len(chunks) > 3
    overlapping = 0
    for before, after in itertools.pairwise(chunks):
        assert after.start > before.start
        assert not article.body[before.end : after.start].strip(), "no text falls between chunks"
        overlapping += after.start < before.end
    assert overlapping >= len(chunks) // 2, "most chunks repeat the previous one's last sentence"
    assert chunks[0].start == 0
    assert chunks[-1].end == len(article.body.rstrip())


def test_chunks_end_on_sentence_boundaries(chunker, sample_article):
    for chunk in chunker.split(sample_article)[:-1]:
        assert (
            chunk.text.rstrip()[-1] in ".!?”\"'’)"
            or "\n" in sample_article.body[chunk.end : chunk.end + 2]
        )


def test_a_sentence_longer_than_a_chunk_is_cut_at_token_boundaries(chunker, embedder):
    words = " ".join(f"word{i}" for i in range(600))
    article = Article(title="Run-on", body=words + ". Short end.")
    chunks = chunker.split(article)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert chunk.text == article.body[chunk.start : chunk.end]
        assert len(embedder.token_offsets([chunk.text])[0]) <= 200


def test_a_long_headline_never_pushes_text_past_the_model_window(embedder, multihop_articles):
    """The model reads a chunk after its header; what does not fit is silently cut off."""
    article = max(multihop_articles, key=lambda a: len(a.body)).model_copy(
        update={
            "title": "A headline that runs on " + " ".join(f"clause{i}" for i in range(40)),
            "source": "Business Today | Latest Stock Market And Economy News India",
        }
    )
    read = embedder.model.max_seq_length

    def lengths(chunker: Chunker) -> list[int]:
        texts = [contextual_text(c) for c in chunker.split(article)]
        return [len(ids) for ids in embedder.model.tokenizer(texts)["input_ids"]]

    assert max(lengths(Chunker(embedder.token_offsets, 200, 40))) > read, "the header would not fit"
    fitted = Chunker.for_model(embedder, 200, 40)
    assert max(lengths(fitted)) <= read
    assert fitted.budget(article) < 200
    assert fitted.budget(article.model_copy(update={"title": "Short"})) == 200


def test_a_header_filling_the_window_still_leaves_whole_chunks(embedder, sample_article):
    article = sample_article.model_copy(update={"title": " ".join(["headline"] * 400)})
    chunker = Chunker.for_model(embedder, 200, 40)
    assert chunker.budget(article) == MIN_CHUNK_TOKENS
    chunks = chunker.split(article)
    assert chunks[0].start == 0 and chunks[-1].end == len(article.body.rstrip())
    for chunk in chunks:
        assert chunk.text == article.body[chunk.start : chunk.end]
        assert len(embedder.token_offsets([chunk.text])[0]) <= MIN_CHUNK_TOKENS
