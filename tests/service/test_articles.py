"""The article service, as the API and the CLI use it: real index, real model."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.index.store import NewsIndex
from service.articles import ArticleService, InvalidArticles

pytestmark = pytest.mark.integration

TRAM = {
    "title": "Harrowgate council approves Eastline tram",
    "body": "Harrowgate city council voted 7 to 4 on Monday night to build the Eastline tram.",
    "url": "https://example.org/news/harrowgate-tram?utm_source=feed",
    "source": "Harrowgate Courier",
    "published": "2024-03-05T09:30:00+00:00",
}
RATES = {
    "title": "Estoria central bank holds rates",
    "text": "The Estoria central bank kept its main rate at 4.25 percent on Thursday.",
    "outlet": "Estoria Ledger",
    "published": "2023-02-01",
}


@pytest.fixture
def articles(settings_factory, embedder) -> ArticleService:
    settings = settings_factory()
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    return ArticleService(settings, index, embedder, lambda names: [n.title() for n in names])


def test_added_articles_are_listed_read_and_deleted(articles):
    report = articles.add([TRAM, RATES], "test")
    assert (report.new, report.failed) == (2, 0)
    tram_id = "https://example.org/news/harrowgate-tram"
    assert tram_id in report.article_ids
    assert articles.add([TRAM], "test").unchanged == 1

    page, total = articles.page(limit=1)
    assert total == 2 and [a.title for a in page] == [TRAM["title"]], "newest first"
    by_outlet, _ = articles.page(source="estoria ledger")
    assert [a.source for a in by_outlet] == ["Estoria Ledger"], "the outlet name is resolved"
    before, _ = articles.page(published_before=date(2023, 2, 1))
    assert [a.title for a in before] == [RATES["title"]], "a bare date counts the whole day"

    assert articles.get(TRAM["url"]).id == tram_id, "found by URL as well as by id"
    assert articles.delete(tram_id).title == TRAM["title"]
    assert articles.get(tram_id) is None and articles.delete(tram_id) is None
    assert articles.page()[1] == 1


def test_one_bad_record_stops_the_whole_batch_before_indexing(articles):
    with pytest.raises(InvalidArticles) as refused:
        articles.add([TRAM, {"title": "No body"}, {**RATES, "published": "someday"}], "test")
    problems = refused.value.problems
    assert [(p.position, p.field) for p in problems] == [(1, "body"), (2, "published")]
    assert "body" in problems[0].message and "someday" in str(refused.value)
    assert articles.page()[1] == 0


def test_the_cli_opens_the_configured_index_without_an_answer_service(settings_factory, embedder):
    settings = settings_factory()
    ArticleService(
        settings, NewsIndex(settings, embedder.fingerprint, embedder.dimension), embedder, list
    ).add([RATES], "test")
    opened = ArticleService.open(settings)
    page, total = opened.page(source="ESTORIA LEDGER")
    assert total == 1 and page[0].title == RATES["title"]
