"""/articles/{id}/versions and the version each citation quotes, over an index of each test's
own: an edited article keeps its earlier text, and an old answer still shows what it quoted."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.service.api.reading import assert_problem

pytestmark = pytest.mark.integration

URL = "https://quillon-herald.example/news/tram-order"
FIRST = {
    "title": "Quillon council orders new trams",
    "body": "The Quillon city council ordered 14 new trams from Harwick Rail on Monday. "
    "The trams will run on the river line from next spring. "
    "Councillor Imre Vass said the order was the largest in the city's history.",
    "url": URL,
    "source": "Quillon Herald",
    "published": "2026-03-02T09:00:00+00:00",
}
EDITED = {
    **FIRST,
    "body": "The Quillon city council ordered 11 new trams from Harwick Rail on Monday, "
    "not 14 as first reported. "
    "The trams will run on the river line from next spring.",
    "updated": "2026-03-03T10:00:00+00:00",
}
QUESTION = {"question": "How many new trams did the Quillon city council order?"}


def versions_path(article_id: str, tail: str = "versions") -> str:
    return f"/articles/{quote(article_id, safe='')}/{tail}"


def test_an_edited_article_keeps_its_first_version_and_old_answers_their_quotes(fresh):
    with fresh() as client:
        assert client.post("/articles", json=FIRST).status_code == 201
        asked = client.post("/ask", json=QUESTION).json()
        assert asked["status"] == "answered", asked["text"]
        cited = next(c for c in asked["citations"] if "14 new trams" in c["quote"])
        assert cited["article_version"] == 1 and cited["content_hash"]

        edited = client.post("/articles", json=EDITED).json()
        assert edited["updated"] == 1
        listing = client.get(versions_path(URL)).json()
        assert listing["current"] == 2
        first, second = listing["versions"]
        assert (first["number"], first["current"], second["current"]) == (1, False, True)
        assert first["replaced_at"] and second["replaced_at"] is None
        assert first["content_hash"] == cited["content_hash"] != second["content_hash"]

        old = client.get(versions_path(URL, "versions/1")).json()
        assert old["body"] == FIRST["body"]
        assert old["body"][cited["start"] : cited["end"]] == cited["quote"]
        assert client.get(versions_path(URL, "versions/2")).json()["body"] == EDITED["body"]

        hits = client.get("/search", params={"q": "14 new trams", "k": 10}).json()
        texts = [p["chunk"]["text"] for p in hits["passages"]]
        assert texts and all(text in EDITED["body"] for text in texts), "old text not searched"
        assert {p["chunk"]["article_version"] for p in hits["passages"]} == {2}

        logged = client.get(f"/answers/{asked['id']}").json()
        (kept,) = [c for c in logged["citations"] if c["n"] == cited["n"]]
        assert (kept["quote"], kept["article_version"]) == (cited["quote"], 1)
        again = client.post("/ask", json=QUESTION).json()
        assert {c["article_version"] for c in again["citations"]} == {2}


def test_an_unchanged_article_or_a_metadata_fix_makes_no_new_version(fresh):
    with fresh() as client:
        client.post("/articles", json=FIRST)
        assert client.post("/articles", json=FIRST).json()["unchanged"] == 1
        assert client.post("/articles", json={**FIRST, "author": "L. Moreau"}).json()["updated"]
        (only,) = client.get(versions_path(URL)).json()["versions"]
        assert only["number"] == 1 and only["current"]


def test_unknown_articles_and_versions_are_404_and_deleting_removes_versions(fresh):
    with fresh() as client:
        assert_problem(client.get(versions_path("https://nowhere.example/a")), 404)
        client.post("/articles", json=FIRST)
        client.post("/articles", json=EDITED)
        assert_problem(client.get(versions_path(URL, "versions/3")), 404, "version")
        assert client.get(versions_path(URL, "versions/0")).status_code == 422
        assert client.delete("/articles/" + quote(URL, safe="")).status_code == 204
        assert_problem(client.get(versions_path(URL)), 404)
        assert client.post("/articles", json=EDITED).status_code == 201
        (only,) = client.get(versions_path(URL)).json()["versions"]
        assert only["number"] == 1, "a deleted article's versions went with it"


def test_an_article_whose_url_ends_in_versions_is_still_an_article(fresh):
    url = "https://quillon-herald.example/corrections/versions"
    with fresh() as client:
        client.post("/articles", json={**FIRST, "url": url})
        article = client.get("/articles/" + quote(url, safe=""))
        assert article.status_code == 200 and article.json()["id"] == url
        assert client.get(versions_path(url)).json()["current"] == 1
