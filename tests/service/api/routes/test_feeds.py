"""/feeds over a real app and index, the feed and its pages served from 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.service.api.reading import assert_problem
from tests.support.web_pages import TRAM, UNTITLED, rss
from tests.support.web_server import local_site

pytestmark = pytest.mark.integration

ITEMS = [("/news/tram", ""), ("/news/library", ""), ("/news/gone", "Gone")]


@pytest.fixture
def site():
    with local_site() as site:
        site.routes.update({"/news/tram": TRAM, "/news/library": UNTITLED})
        site.routes["/feed.xml"] = rss(site, ITEMS)
        yield site


def test_a_posted_feed_is_ingested_watched_and_listed(fresh, site):
    with fresh(fetch_allow_hosts=["127.0.0.1"]) as client:
        assert client.get("/feeds").json() == []
        created = client.post("/feeds", json={"url": site.url("/feed.xml")})
        assert created.status_code == 201, created.text
        feed = created.json()
        assert feed["etag"] == '"v1"' and feed["items_seen"] == 2
        assert (feed["last"]["new"], len(feed["last"]["failed"])) == (2, 1)
        (failed,) = feed["last"]["failed"]
        assert failed["url"] == site.url("/news/gone") and "404" in failed["reason"]
        (assumed,) = feed["last"]["assumed"]
        assert "no title: assumed the first sentence" in assumed

        library = client.get("/articles", params={"source": "Riverton Gazette"}).json()
        titles = {a["title"]: a["published"] for a in library["items"]}
        assert titles["Riverton approves its east tram line"].startswith("2024-03-05")
        untitled = next(t for t in titles if t.startswith("Librarians in Riverton"))
        assert titles[untitled] is None, "an undated page stays undated"
        dated = client.get("/articles", params={"published_after": "2000-01-01"}).json()
        assert [a["title"] for a in dated["items"]] == ["Riverton approves its east tram line"]

        again = client.post("/feeds", json={"url": site.url("/feed.xml")})
        assert again.status_code == 200 and again.json()["last"]["not_modified"] is True
        (listed,) = client.get("/feeds").json()
        assert listed["url"] == site.url("/feed.xml") and listed["items_seen"] == 2


def test_a_feed_on_an_address_not_allowed_is_refused_naming_the_rule(fresh, site):
    with fresh() as client:
        refused = client.post("/feeds", json={"url": site.url("/feed.xml")})
        assert_problem(refused, 422)
        assert "loopback address" in refused.json()["detail"]
        assert "NEWSDESK_FETCH_ALLOW_HOSTS" in refused.json()["detail"]
        assert client.get("/feeds").json() == []
    assert site.requests == []


def test_an_article_posted_without_title_says_what_was_assumed(fresh):
    body = "Riverton's council voted 31 to 12 for the tram. Work starts in 2025."
    with fresh() as client:
        created = client.post("/articles", json={"body": body})
        assert created.status_code == 201, created.text
        (assumed,) = created.json()["assumed"]
        assert "no title: assumed the first sentence" in assumed
