"""A feed and its pages from a real server on 127.0.0.1 into a real index: each failing page is
one error naming its URL and reason, the rest of the feed is ingested, a re-poll costs a 304."""

from __future__ import annotations

import pytest

from ingest.pipeline import build_ingestor
from ingest.web.feeds import FeedState
from ingest.web.fetching import Fetcher
from ingest.web.harvest import ingest_pages, poll_feed
from ingest.web.settings import FetchSettings
from tests.support.web_pages import TRAM, UNTITLED, article_page, rss
from tests.support.web_server import Route, local_site

pytestmark = pytest.mark.integration

MAX_BYTES = 20_000


BRIDGE = article_page(
    "Harbour bridge to close for repairs",
    "The harbour bridge will close for six weeks from May while its cables are replaced.",
    "Ferries will run every ten minutes during the closure, the port authority said.",
    published="2024-04-01T08:00:00+00:00",
)
ITEMS = [
    ("/news/tram", ""),
    ("/old/bridge", "Harbour bridge to close"),
    ("/news/library", ""),
    ("/news/huge", "Huge"),
    ("/news/report.pdf", "A PDF"),
    ("/news/gone", "Gone"),
    ("/news/elsewhere", "Elsewhere"),
]


@pytest.fixture
def site():
    with local_site() as site:
        site.routes.update(
            {
                "/news/tram": TRAM,
                "/old/bridge": Route(status=301, headers={"Location": "/news/bridge"}),
                "/news/bridge": BRIDGE,
                "/news/library": UNTITLED,
                "/news/huge": article_page("Huge", "x " * MAX_BYTES),
                "/news/report.pdf": Route(b"%PDF-1.7", content_type="application/pdf"),
                "/news/elsewhere": Route(status=302, headers={"Location": "http://127.0.0.2/"}),
            }
        )
        site.routes["/feed.xml"] = rss(site, ITEMS)
        yield site


@pytest.fixture
def ingestor(settings_factory, embedder):
    return build_ingestor(settings_factory(), embedder=embedder)


@pytest.fixture
def fetcher():
    settings = FetchSettings(
        _env_file=None, fetch_allow_hosts="127.0.0.1", fetch_max_bytes=MAX_BYTES
    )
    with Fetcher(settings) as fetcher:
        yield fetcher


def test_a_feed_is_ingested_except_the_pages_that_fail_each_with_its_reason(
    site, ingestor, fetcher
):
    summary, state = poll_feed(site.url("/feed.xml"), FeedState(), fetcher, ingestor)
    assert (summary.new, summary.updated) == (3, 0)
    reasons = {f.url.removeprefix(site.base): (f.reason, f.rule) for f in summary.failed}
    assert set(reasons) == {"/news/huge", "/news/report.pdf", "/news/gone", "/news/elsewhere"}
    assert "too large" in reasons["/news/huge"][0]
    assert "content type application/pdf" in reasons["/news/report.pdf"][0]
    assert "404" in reasons["/news/gone"][0]
    assert reasons["/news/elsewhere"][1] == "loopback address"
    assert "redirects to http://127.0.0.2/" in reasons["/news/elsewhere"][0]

    index = ingestor.index
    tram = index.get_article(site.url("/news/tram"))
    assert tram.title == "Riverton approves its east tram line"
    assert tram.source == "Riverton Gazette" and tram.published.isoformat().startswith("2024-03-05")
    bridge = index.get_article(site.url("/news/bridge"))
    assert bridge.title == "Harbour bridge to close for repairs"
    library = index.get_article(site.url("/news/library"))
    assert library.published is None
    assert library.title.startswith("Librarians in Riverton counted 18,000 visitors")
    (note,) = summary.assumed
    assert note.startswith(site.url("/news/library") + ": no title: assumed the first sentence")
    assert state.etag == '"v1"' and len(state.seen) == 3


def test_a_repoll_of_an_unchanged_feed_fetches_nothing_else(site, ingestor, fetcher):
    _, state = poll_feed(site.url("/feed.xml"), FeedState(), fetcher, ingestor)
    fetched = len(site.requests)
    summary, again = poll_feed(site.url("/feed.xml"), state, fetcher, ingestor)
    assert summary.not_modified and summary.ingested == 0 and again == state
    assert site.requests[fetched:][0][1]["If-None-Match"] == '"v1"'
    assert len(site.requests) == fetched + 1


def test_a_changed_feed_fetches_only_its_new_or_edited_items(site, ingestor, fetcher):
    _, state = poll_feed(site.url("/feed.xml"), FeedState(), fetcher, ingestor)
    site.routes["/news/tram"] = article_page(
        "Riverton approves its east tram line",
        "The city council of Riverton voted 32 to 11 on Tuesday to build a tram line east.",
        published="2024-03-05T09:00:00+00:00",
    )
    edited = [(p, "Tram vote corrected" if p == "/news/tram" else t) for p, t in ITEMS]
    site.routes["/feed.xml"] = rss(site, edited, etag='"v2"')
    before = {path: site.fetched(path) for path, _ in ITEMS}
    summary, state = poll_feed(site.url("/feed.xml"), state, fetcher, ingestor)
    assert (summary.new, summary.updated) == (0, 1)
    refetched = {path for path, _ in ITEMS if site.fetched(path) > before[path]}
    assert refetched == {
        "/news/tram",
        "/news/huge",
        "/news/report.pdf",
        "/news/gone",
        "/news/elsewhere",
    }, "failed items are retried, unchanged ones are not"
    assert "32 to 11" in ingestor.index.get_article(site.url("/news/tram")).body
    assert state.etag == '"v2"'


def test_pages_given_one_by_one_succeed_or_fail_on_their_own(site, ingestor, fetcher):
    urls = [site.url("/news/tram"), "ftp://example.org/x", site.url("/news/gone")]
    summary = ingest_pages(urls, fetcher, ingestor)
    assert summary.new == 1
    assert [(f.url, f.rule) for f in summary.failed] == [
        ("ftp://example.org/x", "http(s) only"),
        (site.url("/news/gone"), None),
    ]
