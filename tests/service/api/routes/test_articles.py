"""/articles: add, list, read and delete, over an empty index of each test's own."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.service.api.bodies import ARTICLE, OTHER
from tests.service.api.reading import assert_problem

pytestmark = pytest.mark.integration


def test_articles_lifecycle(fresh):
    with fresh() as client:
        created = client.post("/articles", json=ARTICLE)
        assert created.status_code == 201, created.text
        (article_id,) = created.json()["article_ids"]
        assert article_id == "https://example.org/news/harrowgate-tram"
        again = client.post("/articles", json=ARTICLE)
        assert again.status_code == 200 and again.json()["unchanged"] == 1

        assert client.post("/articles", json=[OTHER]).json()["new"] == 1
        page = client.get("/articles", params={"limit": 1}).json()
        assert page["total"] == 2 and len(page["items"]) == 1
        assert page["items"][0]["title"] == ARTICLE["title"], "newest first"
        by_source = client.get("/articles", params={"source": "estoria ledger"}).json()
        assert [a["title"] for a in by_source["items"]] == [OTHER["title"]]
        by_date = client.get("/articles", params={"published_before": "2023-12-31"}).json()
        assert [a["title"] for a in by_date["items"]] == [OTHER["title"]]

        path = "/articles/" + quote(article_id, safe="")
        article = client.get(path).json()
        assert article["body"] == ARTICLE["body"] and article["source"] == ARTICLE["source"]
        hits = client.get("/search", params={"q": "Eastline tram vote"}).json()["passages"]
        assert hits and hits[0]["chunk"]["article_id"] == article_id

        assert client.delete(path).status_code == 204
        assert_problem(client.get(path), 404)
        assert_problem(client.delete(path), 404)
        hits = client.get("/search", params={"q": "Eastline tram vote"}).json()["passages"]
        assert all(p["chunk"]["article_id"] != article_id for p in hits)


def test_bad_articles_are_refused_and_nothing_is_indexed(fresh):
    with fresh() as client:
        bad = [ARTICLE, {"title": "No body here"}, {**OTHER, "published": "someday"}]
        problem = assert_problem(client.post("/articles", json=bad), 422, "body", "someday")
        assert {e["field"] for e in problem["errors"]} == {"1", "2"}
        assert client.get("/articles").json()["total"] == 0
        assert_problem(client.post("/articles", json=[]), 422, "no articles")
        assert_problem(client.post("/articles", json="just text"), 422)
