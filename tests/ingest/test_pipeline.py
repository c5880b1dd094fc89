"""The overlapped pipeline: chunking a batch ahead of the model changes nothing it writes."""

import threading

import numpy as np
import pytest

from ingest.chunking import Chunker
from ingest.index.schema import contextual_text
from ingest.pipeline import IngestCancelled, IngestTooLarge, build_ingestor, prefetched
from ingest.sources.records import LoadedArticle, LoadError

pytestmark = pytest.mark.integration


def stored(index) -> dict[str, tuple]:
    """Every visible chunk with its text, metadata and vector; every record's metadata."""
    committed = index.committed()
    found = index.chunks.get(include=["documents", "metadatas", "embeddings"])
    chunks = {}
    for key, doc, meta, vector in zip(
        found["ids"], found["documents"], found["metadatas"], found["embeddings"], strict=True
    ):
        chunk_id = committed.chunk_id(key)
        assert chunk_id is not None, "no chunk stored that readers do not see"
        chunks[chunk_id] = (doc, meta, np.asarray(vector))
    records = index.articles.get(include=["metadatas"])
    ignored = {"indexed_at", "write"}
    articles = {
        aid: {k: v for k, v in meta.items() if k not in ignored}
        for aid, meta in zip(records["ids"], records["metadatas"], strict=True)
    }
    return {"chunks": chunks, "articles": articles}


def loaded(articles) -> list[LoadedArticle]:
    return [LoadedArticle(article=a, path="test", line=i) for i, a in enumerate(articles, 1)]


@pytest.fixture(params=["embedded", "server"])
def settings(request, settings_factory):
    if request.param == "server":
        return settings_factory(chroma_url=request.getfixturevalue("chroma_server"))
    return settings_factory()


def test_small_overlapped_batches_write_what_one_batch_writes(
    settings, settings_factory, embedder, multihop_articles
):
    articles = multihop_articles[:8]
    overlapped = build_ingestor(settings, embedder=embedder)
    overlapped.batch_chunks = 5  # many batches, each chunked while the one before encodes
    whole = build_ingestor(settings_factory(), embedder=embedder)
    whole.batch_chunks = 10**6
    first, second = overlapped.ingest_articles(articles), whole.ingest_articles(articles)
    assert first.article_ids == second.article_ids == [a.id for a in articles]
    assert (first.new, first.chunks_written) == (8, second.chunks_written)

    got, want = stored(overlapped.index), stored(whole.index)
    assert got["articles"] == want["articles"]
    assert got["chunks"].keys() == want["chunks"].keys()
    for cid, (doc, meta, vector) in want["chunks"].items():
        assert got["chunks"][cid][:2] == (doc, meta)
        assert float(got["chunks"][cid][2] @ vector) > 0.9999
    chunker = Chunker.for_model(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    expected = {c.id: c.text for a in articles for c in chunker.split(a)}
    assert {cid: doc for cid, (doc, _, _) in got["chunks"].items()} == expected


def test_the_chunker_reads_the_same_token_offsets_as_the_model_tokenizer(
    embedder, multihop_articles
):
    texts = [a.body[:3000] for a in multihop_articles[:5]] + ["", "Zürich’s café — naïve…"]
    encoded = embedder.model.tokenizer(
        texts, add_special_tokens=False, return_offsets_mapping=True, truncation=False
    )
    assert embedder.token_offsets(texts) == [
        [tuple(span) for span in spans] for spans in encoded["offset_mapping"]
    ]


def test_an_error_while_reading_articles_is_raised_as_it_was(
    settings_factory, embedder, multihop_articles
):
    ingestor = build_ingestor(settings_factory(), embedder=embedder)
    ingestor.batch_chunks = 5

    def feed():
        yield from loaded(multihop_articles[:3])
        raise OSError("the feed went away")

    with pytest.raises(OSError, match="the feed went away"):
        ingestor.run(feed())
    # What was read before the error is whole or absent, never half-written.
    for article in multihop_articles[:3]:
        record = ingestor.index.get_article(article.id)
        chunks = ingestor.index.chunks.get(where={"article_id": article.id}, include=[])["ids"]
        assert len(chunks) == (len(ingestor.chunker.split(article)) if record else 0)


def test_a_budget_is_counted_before_anything_is_embedded(
    settings_factory, embedder, multihop_articles
):
    ingestor = build_ingestor(settings_factory(), embedder=embedder, max_chunks=3)
    with pytest.raises(IngestTooLarge, match="over the limit of 3 per request"):
        ingestor.ingest_articles(multihop_articles[:4])
    assert ingestor.index.counts() == {"articles": 0, "chunks": 0}


@pytest.mark.parametrize("when", ["reading", "embedding"])
def test_cancelling_leaves_each_article_whole_or_absent(
    settings_factory, embedder, multihop_articles, when
):
    cancel = threading.Event()
    ingestor = build_ingestor(settings_factory(), embedder=embedder, cancel=cancel)
    ingestor.batch_chunks = 5
    articles = multihop_articles[:10]

    def feed():
        for i, item in enumerate(loaded(articles)):
            if when == "reading" and i == 4:
                cancel.set()
            yield item

    if when == "embedding":
        ingestor.on_progress = lambda n: cancel.set()
    with pytest.raises(IngestCancelled) as excinfo:
        ingestor.run(feed())
    report = excinfo.value.report
    assert len(report.article_ids) < len(articles)
    counts = ingestor.index.counts()
    assert counts["articles"] == len(report.article_ids)
    assert counts["chunks"] == report.chunks_written


def test_an_article_given_twice_is_written_once_per_version(
    settings_factory, embedder, multihop_articles
):
    ingestor = build_ingestor(settings_factory(), embedder=embedder)
    ingestor.batch_chunks = 5
    first, other = multihop_articles[0], multihop_articles[1]
    shorter = first.model_copy(update={"body": first.body[: len(first.body) // 2]})
    shorter = type(first)(**shorter.model_dump())
    report = ingestor.ingest_articles([first, other, first, shorter])
    assert (report.new, report.unchanged, report.updated) == (2, 1, 1)
    assert ingestor.index.get_article(first.id).body == shorter.body
    chunks = ingestor.index.chunks.get(where={"article_id": first.id}, include=[])["ids"]
    assert len(chunks) == len(ingestor.chunker.split(shorter))


def test_one_article_that_cannot_be_written_fails_alone(
    settings_factory, embedder, multihop_articles
):
    ingestor = build_ingestor(settings_factory(), embedder=embedder)
    articles = multihop_articles[:3]
    real = ingestor.index.articles

    class Refuses:
        def __getattr__(self, name):
            return getattr(real, name)

        def upsert(self, **kwargs):
            if articles[1].id in kwargs["ids"]:
                raise RuntimeError("record too large")
            return real.upsert(**kwargs)

    ingestor.index.articles = Refuses()
    items = [*loaded(articles), LoadError(path="bad.json", line=1, reason="not JSON")]
    report = ingestor.run(items)
    assert report.failed == 2 and report.new == 2
    assert [e.reason for e in report.errors] == ["not JSON", "index write failed: record too large"]
    assert report.article_ids == [articles[0].id, articles[2].id]
    assert ingestor.index.chunks.get(where={"article_id": articles[1].id}, include=[])["ids"] == []
    texts = [contextual_text(c) for c in ingestor.chunker.split(articles[0])]
    assert ingestor.index.counts()["chunks"] == len(texts) + len(
        ingestor.chunker.split(articles[2])
    )


def test_prefetched_stops_its_thread_when_the_caller_leaves_early():
    produced = []

    def numbers():
        for n in range(1000):
            produced.append(n)
            yield n

    with prefetched(numbers()) as values:
        assert next(values) == 0
    before = len(produced)
    assert before < 10, "a bounded handoff: the thread ran at most a few items ahead"
    assert not any(t.name == "ingest-prepare" for t in threading.enumerate())
