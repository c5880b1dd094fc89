"""/search: scored passages, date filters, and its query parameters checked."""

from __future__ import annotations

import pytest

from tests.service.api.reading import assert_problem

pytestmark = pytest.mark.integration


def test_search_returns_scored_passages(client):
    body = client.get("/search", params={"q": "North Korean troops Kursk", "k": 3}).json()
    passages = body["passages"]
    assert 1 <= len(passages) <= 3
    assert [p["rank"] for p in passages] == list(range(1, len(passages) + 1))
    assert "Kursk" in passages[0]["chunk"]["text"]
    assert all(p["fused_score"] > 0 for p in passages)
    assert body["timings"]["total_ms"] >= 0


def test_search_filters_by_date(client):
    found = client.get(
        "/search", params={"q": "troops", "k": 50, "published_after": "2024-01-01"}
    ).json()["passages"]
    assert all(p["chunk"]["published"] >= "2024-01-01" for p in found if p["chunk"]["published"])
    assert (
        client.get("/search", params={"q": "troops", "published_after": "2099-01-01"}).json()[
            "passages"
        ]
        == []
    )


def test_search_rejects_bad_parameters(client):
    assert_problem(client.get("/search"), 422, "q")
    assert_problem(client.get("/search", params={"q": "x", "k": 0}), 422, "k")
    reversed_dates = {"q": "x", "published_after": "2024-02-01", "published_before": "2024-01-01"}
    assert_problem(client.get("/search", params=reversed_dates), 422, "published_after")


def test_an_article_without_keywords_leaves_every_route_working(fresh):
    """No keyword token in the whole index: dense search still finds it, nothing is a 500."""
    with fresh() as client:
        assert client.post("/articles", json={"title": "a", "body": "b"}).status_code == 201
        passages = client.get("/search", params={"q": "b"}).json()["passages"]
        assert [p["chunk"]["text"] for p in passages] == ["b"]
        assert client.post("/ask", json={"question": "What is b?"}).status_code == 200
        assert client.post("/chat", json={"question": "What is b?"}).status_code == 200
        assert client.get("/health").json()["status"] == "ok"
