"""Fetching from a real HTTP server on 127.0.0.1, within limits; no other address is contacted."""

from __future__ import annotations

import pytest

from ingest.web.fetching import FEED_TYPES, Fetcher, FetchFailed
from ingest.web.guard import AddressGuard, FetchRefused
from ingest.web.settings import FetchSettings
from tests.support.tls import LocalAuthority
from tests.support.web_server import Route, local_site

pytestmark = pytest.mark.unit

PAGE = "<html><head><title>Tram</title></head><body><p>The tram is late.</p></body></html>"


def intranet_resolver(host: str, port: int) -> list[str]:
    """A stubbed DNS answer: ``intranet.test`` is a private address, nothing else resolves."""
    if host == "intranet.test":
        return ["10.0.0.5"]
    raise OSError(f"{host}: no such name")


@pytest.fixture
def site():
    with local_site() as site:
        yield site


def fetcher(**overrides) -> Fetcher:
    settings = FetchSettings(_env_file=None, fetch_allow_hosts="127.0.0.1", **overrides)
    return Fetcher(settings, AddressGuard(settings.fetch_allow_hosts, intranet_resolver))


def test_a_page_is_fetched_through_its_redirects(site):
    site.routes["/old"] = Route(status=301, headers={"Location": "/news/tram"})
    site.routes["/news/tram"] = Route(PAGE, etag='"v1"')
    with fetcher() as f:
        page = f.get(site.url("/old"))
    assert page.status == 200 and page.content == PAGE.encode()
    assert page.final_url == site.url("/news/tram")
    assert page.etag == '"v1"'


def test_an_unchanged_page_answers_not_modified(site):
    site.routes["/feed.xml"] = Route("<rss/>", content_type="application/rss+xml", etag='"v1"')
    with fetcher() as f:
        first = f.get(site.url("/feed.xml"), FEED_TYPES)
        again = f.get(site.url("/feed.xml"), FEED_TYPES, {"If-None-Match": first.etag})
    assert not first.not_modified and again.not_modified and again.content == b""


def test_a_redirect_to_another_loopback_address_is_refused_without_connecting(site):
    site.routes["/away"] = Route(status=302, headers={"Location": "http://127.0.0.2:9/x"})
    with fetcher() as f, pytest.raises(FetchRefused) as refused:
        f.get(site.url("/away"))
    assert refused.value.rule == "loopback address"
    assert "redirects to http://127.0.0.2:9/x" in str(refused.value)


def test_a_redirect_to_a_name_resolving_to_a_private_address_is_refused(site):
    site.routes["/inside"] = Route(status=307, headers={"Location": "http://intranet.test/"})
    with fetcher() as f, pytest.raises(FetchRefused) as refused:
        f.get(site.url("/inside"))
    assert refused.value.rule == "private address"
    assert "intranet.test resolves to 10.0.0.5" in str(refused.value)


def test_loopback_is_refused_unless_allowed(site):
    site.routes["/news/tram"] = Route(PAGE)
    with Fetcher(FetchSettings(_env_file=None)) as f, pytest.raises(FetchRefused) as refused:
        f.get(site.url("/news/tram"))
    assert refused.value.rule == "loopback address"
    assert site.requests == []


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route("x" * 5000), "too large: 5,000 bytes, over 2,048 bytes (NEWSDESK_FETCH_MAX_BYTES)"),
        (Route("%PDF-1.7", content_type="application/pdf"), "content type application/pdf"),
        (Route("gone", 404, "text/plain"), "the server answered 404 Not Found"),
        (Route("oops", 500, "text/plain"), "the server answered 500 Internal Server Error"),
    ],
)
def test_a_page_outside_the_limits_fails_with_its_reason(site, route, reason):
    site.routes["/page"] = route
    with fetcher(fetch_max_bytes=2048) as f, pytest.raises(FetchFailed) as failed:
        f.get(site.url("/page"))
    assert reason in failed.value.reason


def test_a_redirect_loop_stops_at_the_limit(site):
    site.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    site.routes["/b"] = Route(status=302, headers={"Location": "/a"})
    with fetcher(fetch_max_redirects=3) as f, pytest.raises(FetchFailed) as failed:
        f.get(site.url("/a"))
    assert "too many redirects (more than 3" in failed.value.reason
    assert site.fetched("/a") + site.fetched("/b") == 4


def test_robots_txt_is_read_once_and_honoured(site):
    robots = "User-agent: *\nDisallow: /private/\n"
    site.routes["/robots.txt"] = Route(robots, content_type="text/plain")
    site.routes["/private/memo"] = Route(PAGE)
    site.routes["/news/tram"] = Route(PAGE)
    site.routes["/hop"] = Route(status=302, headers={"Location": "/private/memo"})
    with fetcher() as f:
        assert f.get(site.url("/news/tram")).status == 200
        for path in ("/private/memo", "/hop"):
            with pytest.raises(FetchRefused) as refused:
                f.get(site.url(path))
            assert refused.value.rule == "robots.txt"
    assert site.fetched("/robots.txt") == 1
    assert site.fetched("/private/memo") == 0


def test_a_site_without_robots_txt_may_be_fetched(site):
    site.routes["/news/tram"] = Route(PAGE)
    with fetcher() as f:
        assert f.get(site.url("/news/tram")).status == 200
    assert site.fetched("/robots.txt") == 1


def test_a_body_without_declared_length_is_cut_at_the_limit(site):
    site.routes["/page"] = Route("x" * 50_000, declare_length=False)
    with fetcher(fetch_max_bytes=2048) as f, pytest.raises(FetchFailed) as failed:
        f.get(site.url("/page"))
    assert "too large: more than the limit, over 2,048 bytes" in failed.value.reason


def https_fetcher(authority: LocalAuthority) -> Fetcher:
    """Trusts the test CA; ``news.test`` resolves to 127.0.0.1, which the allow-list names."""
    settings = FetchSettings(
        _env_file=None, fetch_allow_hosts="127.0.0.1", fetch_ca_bundle=authority.ca_file
    )
    return Fetcher(settings, AddressGuard(settings.fetch_allow_hosts, news_test_resolver))


def news_test_resolver(host: str, port: int) -> list[str]:
    if host == "news.test":
        return ["127.0.0.1"]
    raise OSError(f"{host}: no such name")


def test_https_to_the_checked_address_verifies_the_certificate_for_the_name(tmp_path):
    authority = LocalAuthority(tmp_path)
    with local_site(authority.server_context("news.test"), name="news.test") as site:
        site.routes["/news/tram"] = Route(PAGE)
        with https_fetcher(authority) as f:
            page = f.get(site.url("/news/tram"))
    assert page.status == 200 and page.content == PAGE.encode()
    assert site.requests[-1][1]["Host"] == site.base.removeprefix("https://")


def test_https_with_a_certificate_for_another_name_fails(tmp_path):
    authority = LocalAuthority(tmp_path)
    with local_site(authority.server_context("other.test"), name="news.test") as site:
        site.routes["/news/tram"] = Route(PAGE)
        with https_fetcher(authority) as f, pytest.raises(FetchFailed) as failed:
            f.get(site.url("/news/tram"))
    assert "could not connect to news.test" in failed.value.reason
    assert "certificate" in failed.value.reason.lower()
    assert site.requests == []


def test_a_robots_txt_the_server_fails_to_give_allows_nothing(site):
    site.routes["/robots.txt"] = Route("down", 503, "text/plain")
    site.routes["/news/tram"] = Route(PAGE)
    with fetcher() as f, pytest.raises(FetchRefused) as refused:
        f.get(site.url("/news/tram"))
    assert refused.value.rule == "robots.txt" and "could not be read" in refused.value.detail
    assert site.fetched("/news/tram") == 0


def test_a_server_that_hangs_fails_with_the_time_limit(site):
    site.routes["/slow"] = Route(PAGE, stall=3.0)
    with fetcher(fetch_timeout=0.5) as f, pytest.raises(FetchFailed) as failed:
        f.get(site.url("/slow"))
    assert failed.value.reason == "timed out after 0.5 s (NEWSDESK_FETCH_TIMEOUT)"
