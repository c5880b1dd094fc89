"""/articles: add, list, read and delete, over an empty index of each test's own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from tests.service.api.bodies import ARTICLE, OTHER
from tests.service.api.reading import assert_problem

pytestmark = pytest.mark.integration

UNDATED = {key: value for key, value in OTHER.items() if key != "published"}


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
        that_day = client.get("/articles", params={"published_before": "2024-03-05"}).json()
        assert that_day["total"] == 2, "a bare date is the whole day, as in /ask"
        as_seconds = client.get("/articles", params={"published_after": "1700000000"})
        assert_problem(as_seconds, 422, "published_after", "not as a number")

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
        assert {e["field"] for e in problem["errors"]} == {"1.body", "2.published"}
        assert client.get("/articles").json()["total"] == 0
        assert_problem(client.post("/articles", json=[]), 422, "no articles")
        assert_problem(client.post("/articles", json="just text"), 422)


@pytest.mark.parametrize(
    ("record", "field", "words"),
    [
        ({**OTHER, "published": "someday"}, "published", ("someday",)),
        ({**UNDATED, "published_at": "31/12/2023"}, "published_at", ("31/12/2023",)),
        ({**UNDATED, "date": "soon"}, "date", ("soon",)),
        ({**OTHER, "updated": "later"}, "updated", ("later",)),
        ({**ARTICLE, "url": "javascript:alert(1)"}, "url", ("not a web address",)),
        ({**ARTICLE, "url": "data:text/html,<b>x</b>"}, "url", ("http",)),
        ({**ARTICLE, "url": "//example.org/no-scheme"}, "url", ("http",)),
        ({"title": "Only a title", "text": "  "}, "text", ("no body",)),
    ],
)
def test_a_bad_field_is_reported_under_its_own_name(fresh, record, field, words):
    with fresh() as client:
        problem = assert_problem(client.post("/articles", json=record), 422, *words)
        assert [e["field"] for e in problem["errors"]] == [field]
        assert client.get("/articles").json()["total"] == 0


def test_an_id_cannot_take_another_articles_url(fresh):
    with fresh() as client:
        (tram_id,) = client.post("/articles", json=ARTICLE).json()["article_ids"]
        taking = {**OTHER, "id": tram_id}
        problem = assert_problem(client.post("/articles", json=taking), 422, "id", "URL")
        assert [e["field"] for e in problem["errors"]] == ["id"]
        kept = client.get("/articles/" + quote(tram_id, safe="")).json()
        assert kept["title"] == ARTICLE["title"]

        own = client.post("/articles", json={**ARTICLE, "id": ARTICLE["url"]})
        assert own.status_code == 200 and own.json()["unchanged"] == 1
        chosen = client.post("/articles", json={**OTHER, "id": "ledger-2023-02-01"})
        assert chosen.json()["article_ids"] == ["ledger-2023-02-01"]
        hashed = client.post("/articles", json={**OTHER, "id": "sha256:" + "0" * 32})
        assert_problem(hashed, 422, "content hash")
        assert client.get("/articles").json()["total"] == 2


def test_concurrent_posts_are_all_indexed(settings_factory, embedder):
    """Eight clients posting at once over real HTTP: every article indexed, none a 500.

    Small chunks of different lengths, many articles: the chunker's token counting and the
    padded batches of the embedding run side by side in the server's threads, again and again.
    """
    import httpx

    from service.api.app import create_app
    from tests.service.api.serving import served

    sentence = "Member {n} of Harrowgate council spoke for {m} minutes about the tram. "
    articles = [
        {
            "title": f"Harrowgate council session {n}",
            "body": "".join(sentence.format(n=n, m=m) for m in range(2 + n % 5)),
            "url": f"https://example.org/news/session-{n}",
        }
        for n in range(160)
    ]

    def post(batch: list[dict]) -> list[int]:
        with httpx.Client(base_url=url, timeout=300) as client:
            return [client.post("/articles", json=article).status_code for article in batch]

    settings = settings_factory(chunk_tokens=32, chunk_overlap_tokens=0)
    with served(create_app(settings, preload=False)) as url:
        with ThreadPoolExecutor(max_workers=8) as pool:
            batches = pool.map(post, [articles[i::8] for i in range(8)])
            statuses = [status for batch in batches for status in batch]
        listed = httpx.get(f"{url}/articles", params={"limit": 1}).json()
    assert statuses == [201] * len(articles)
    assert listed["total"] == len(articles)
