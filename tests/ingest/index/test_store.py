import pytest

from ingest.embedding import Embedder
from ingest.index.store import ModelMismatch, NewsIndex
from ingest.models import Article
from ingest.pipeline import build_ingestor
from service.answering.service import AnswerService
from service.contract import AskRequest

pytestmark = pytest.mark.integration


def chunk_ids(index: NewsIndex, article_id: str) -> list[str]:
    """The article's chunks as readers see them; every stored chunk of it must be one."""
    stored = index.chunks.get(where={"article_id": article_id}, include=[])["ids"]
    visible = sorted(c.id for c in index.iter_chunks() if c.article_id == article_id)
    assert len(stored) == len(visible), "no chunk stored that readers do not see"
    return visible


@pytest.fixture(params=["embedded", "server"])
def settings(request, settings_factory):
    if request.param == "server":
        return settings_factory(chroma_url=request.getfixturevalue("chroma_server"))
    return settings_factory()


def test_reingest_is_a_no_op_and_edits_replace_only_their_chunks(
    settings, embedder, multihop_articles
):
    articles = multihop_articles[:6]
    ingestor = build_ingestor(settings, embedder=embedder)
    first = ingestor.ingest_articles(articles)
    assert (first.new, first.failed) == (6, 0)
    counts = ingestor.index.counts()
    assert counts["articles"] == 6
    assert counts["chunks"] == first.chunks_written

    again = ingestor.ingest_articles(articles)
    assert (again.new, again.updated, again.unchanged, again.chunks_written) == (0, 0, 6, 0)
    assert ingestor.index.counts() == counts

    edited = articles[2].model_copy(update={"body": articles[2].body[: len(articles[2].body) // 3]})
    edited = Article(**edited.model_dump())
    others_before = {a.id: chunk_ids(ingestor.index, a.id) for a in articles if a.id != edited.id}
    report = ingestor.ingest_articles([edited])
    assert (report.updated, report.new) == (1, 0)
    stored = ingestor.index.get_article(edited.id)
    assert stored.body == edited.body
    new_ids = chunk_ids(ingestor.index, edited.id)
    assert len(new_ids) == report.chunks_written, "no orphan chunks of the longer version"
    for chunk in ingestor.index.get_chunks(new_ids).values():
        assert edited.body[chunk.start : chunk.end] == chunk.text
    assert {a: chunk_ids(ingestor.index, a) for a in others_before} == others_before


def test_delete_by_url_removes_every_chunk(settings, embedder, multihop_articles):
    ingestor = build_ingestor(settings, embedder=embedder)
    ingestor.ingest_articles(multihop_articles[:3])
    target = multihop_articles[1]
    assert chunk_ids(ingestor.index, target.id)
    removed = ingestor.index.delete_article(target.url)
    assert removed is not None and removed.id == target.id
    assert chunk_ids(ingestor.index, target.id) == []
    assert ingestor.index.get_article(target.id) is None
    assert ingestor.index.counts()["articles"] == 2
    assert ingestor.index.delete_article(target.url) is None


def test_a_new_article_is_found_by_keyword_in_another_process_view(
    settings, embedder, multihop_articles
):
    """Two services on one index: a write through one is visible to the other's BM25."""
    reader = AnswerService(
        settings, NewsIndex(settings, embedder.fingerprint, embedder.dimension), embedder
    )
    writer = build_ingestor(settings, embedder=embedder)
    writer.ingest_articles(multihop_articles[:2])
    assert reader.retriever.keywords.search("Zyxwvutronic", 5) == []
    fresh = Article(
        title="Zyxwvutronic unveils a battery",
        body="The start-up Zyxwvutronic said its new battery charges in four minutes.",
        url="https://example.org/zyx",
    )
    writer.ingest_articles([fresh])
    hits = reader.retriever.keywords.search("Zyxwvutronic battery", 5)
    assert hits and hits[0][0].article_id == fresh.id


def test_opening_with_another_model_is_a_clear_error(settings_factory, embedder, sample_article):
    settings = settings_factory()
    build_ingestor(settings, embedder=embedder).ingest_articles([sample_article])
    with pytest.raises(ModelMismatch) as excinfo:
        NewsIndex(settings, "other-model|dim=768|abc", 768)
    message = str(excinfo.value)
    assert embedder.fingerprint in message and "other-model" in message
    assert "Re-index" in message and "NEWSDESK_EMBEDDING_MODEL" in message


def test_a_failed_write_leaves_none_of_the_article(settings_factory, embedder, sample_article):
    settings = settings_factory()
    ingestor = build_ingestor(settings, embedder=embedder)

    class BrokenArticles:
        def __init__(self, real):
            self.real = real

        def __getattr__(self, name):
            return getattr(self.real, name)

        def upsert(self, **kwargs):
            raise RuntimeError("disk full")

    ingestor.index.articles = BrokenArticles(ingestor.index.articles)
    report = ingestor.ingest_articles([sample_article])
    assert report.failed == 1 and "disk full" in report.errors[0].reason
    assert chunk_ids(ingestor.index, sample_article.id) == []


def test_embedder_fingerprint_names_the_model(embedder: Embedder):
    assert embedder.fingerprint.startswith("all-MiniLM-L6-v2|dim=384|")


def test_search_respects_source_and_dates(news_index):
    service = AnswerService.from_settings(news_index)
    passages, _ = service.search(
        AskRequest(question="technology news", source="the verge", top_k=10)
    )
    assert passages and {p.chunk.source for p in passages} == {"The Verge"}
    passages, _ = service.search(
        AskRequest(
            question="news", published_after="2023-10-01", published_before="2023-10-31", top_k=10
        )
    )
    assert passages
    for p in passages:
        assert p.chunk.published.year == 2023 and p.chunk.published.month == 10
