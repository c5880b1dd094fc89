"""`newsdesk ingest --workers 2`: two real processes writing to one real Chroma server."""

import json

import pytest
from typer.testing import CliRunner

from ingest.chunking import Chunker
from ingest.index.store import NewsIndex
from ingest.workers import share_of
from newsdesk_cli import app
from service.retrieval.keyword_index import KeywordIndex
from service.settings import Settings

pytestmark = pytest.mark.integration


def _jsonl(path, articles) -> None:
    rows = [{"title": a.title, "body": a.body, "url": a.url, "source": a.source} for a in articles]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_two_workers_write_each_article_once_and_keyword_search_finds_all(
    tmp_path, chroma_server, embedder, multihop_articles
):
    articles = multihop_articles[:12]
    assert {share_of(a.id, 2) for a in articles} == {0, 1}, "both workers get articles"
    _jsonl(tmp_path / "first.jsonl", articles[:8])
    _jsonl(tmp_path / "second.jsonl", articles[6:])  # two articles in both files
    env = {
        "NEWSDESK_DATA_DIR": str(tmp_path / "data"),
        "NEWSDESK_CHROMA_URL": chroma_server,
        "NEWSDESK_COLLECTION_PREFIX": "workers",
    }
    result = CliRunner().invoke(
        app,
        ["ingest", "--workers", "2", str(tmp_path / "first.jsonl"), str(tmp_path / "second.jsonl")],
        env=env,
    )
    assert result.exit_code == 0, result.output
    settings = Settings(_env_file=None, chroma_url=chroma_server, collection_prefix="workers")
    chunker = Chunker.for_model(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    expected = {c.id: c.text for a in articles for c in chunker.split(a)}
    assert "│ new               │ 12 " in result.output
    assert f"│ chunks written    │ {len(expected)} " in result.output

    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    assert not index.repaired.changed and index.repaired.pending == 0
    visible = {c.id: c.text for c in index.iter_chunks()}
    assert visible == expected
    assert index.counts() == {"articles": 12, "chunks": len(expected)}, "nothing stored twice"

    keyword = KeywordIndex(index)
    assert {c.id for c in keyword.refresh().chunks} == set(expected)
    for article in articles:
        hits = keyword.search(article.title, k=10)
        assert article.id in {chunk.article_id for chunk, _ in hits}, article.title


def test_several_workers_need_a_chroma_server(tmp_path, sample_article):
    _jsonl(tmp_path / "one.jsonl", [sample_article])
    result = CliRunner().invoke(
        app,
        ["ingest", "--workers", "2", str(tmp_path / "one.jsonl")],
        env={"NEWSDESK_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.exit_code == 2
    assert "NEWSDESK_CHROMA_URL" in result.output
