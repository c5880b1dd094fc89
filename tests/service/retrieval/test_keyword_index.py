"""The keyword index: an index whose chunks hold no keyword token is a valid state."""

from __future__ import annotations

import pytest

from ingest.index.store import NewsIndex
from ingest.models import Article
from ingest.pipeline import build_ingestor
from service.retrieval.keyword_index import KeywordIndex
from service.retrieval.retriever import Retriever

pytestmark = pytest.mark.integration


def test_chunks_without_a_keyword_token_are_dense_searchable_only(settings_factory, embedder):
    """'a' is a stopword and 'b' too short to be a word: BM25 has nothing to index."""
    settings = settings_factory()
    report = build_ingestor(settings, embedder=embedder).ingest_articles(
        [Article(title="a", body="b")]
    )
    assert report.ok, report.errors
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    keywords = KeywordIndex(index)
    assert keywords.search("b", 5) == []
    assert not keywords.mentions(keywords.refresh(), "Mara Quint")

    passages = Retriever(settings, index, embedder).retrieve("b", 5).passages
    assert [p.chunk.text for p in passages] == ["b"]
    assert passages[0].keyword_score is None
