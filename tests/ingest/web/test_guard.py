"""The address guard with a stubbed DNS answer: nothing here connects anywhere."""

from __future__ import annotations

import ipaddress

import pytest

from ingest.web.guard import AddressGuard, FetchRefused

pytestmark = pytest.mark.unit


def resolving_to(*addresses: str):
    """A resolver that answers every name with ``addresses`` and records what it was asked."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return list(addresses)

    resolve.asked = asked
    return resolve


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("10.1.2.3", "private address"),
        ("172.16.0.1", "private address"),
        ("172.31.255.254", "private address"),
        ("192.168.1.20", "private address"),
        ("169.254.10.1", "link-local address"),
        ("169.254.169.254", "metadata address"),
        ("127.0.0.2", "loopback address"),
        ("::1", "loopback address"),
        ("fc00::5", "private address (unique local, fc00::/7)"),
        ("fd12:3456::1", "private address (unique local, fc00::/7)"),
        ("fe80::1", "link-local address"),
        ("::ffff:10.0.0.1", "private address"),
        ("100.64.0.7", "private address (shared address space, 100.64.0.0/10)"),
    ],
)
def test_a_name_resolving_to_an_inner_address_is_refused_naming_the_rule(address, rule):
    guard = AddressGuard(resolver=resolving_to(address))
    with pytest.raises(FetchRefused) as refused:
        guard.check("https://news.example/story")
    assert refused.value.rule == rule
    shown = ipaddress.ip_address(address)
    assert f"news.example resolves to {shown}" in str(refused.value)
    assert "NEWSDESK_FETCH_ALLOW_HOSTS" in str(refused.value)


def test_a_public_address_is_allowed_and_is_the_one_to_connect_to():
    target = AddressGuard(resolver=resolving_to("93.184.215.14")).check(
        "https://News.Example:8443/a?b=1"
    )
    assert (target.host, target.port, target.scheme) == ("news.example", 8443, "https")
    assert target.addresses == ["93.184.215.14"]


def test_only_the_public_addresses_of_a_mixed_answer_are_kept():
    target = AddressGuard(resolver=resolving_to("10.0.0.9", "93.184.215.14")).check(
        "http://news.example/"
    )
    assert target.addresses == ["93.184.215.14"]


def test_an_address_literal_is_checked_without_asking_dns():
    resolver = resolving_to("93.184.215.14")
    with pytest.raises(FetchRefused) as refused:
        AddressGuard(resolver=resolver).check("http://[::1]:8080/")
    assert refused.value.rule == "loopback address"
    assert resolver.asked == []


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("file:///etc/passwd", "http(s) only"),
        ("ftp://news.example/feed.xml", "http(s) only"),
        ("news.example/story", "http(s) only"),
        ("http://user:secret@news.example/", "no credentials"),
        ("http:///nohost", "valid URL"),
        ("http://[::1/feed.xml", "valid URL"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata address"),
    ],
)
def test_urls_that_are_not_plain_public_http_are_refused(url, rule):
    with pytest.raises(FetchRefused) as refused:
        AddressGuard(resolver=resolving_to("93.184.215.14")).check(url)
    assert refused.value.rule == rule


def test_a_name_that_does_not_resolve_is_refused_as_such():
    def fails(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(FetchRefused) as refused:
        AddressGuard(resolver=fails).check("https://nowhere.example/")
    assert refused.value.rule == "resolvable host"
    assert "does not resolve" in refused.value.detail


def test_the_allow_list_exempts_a_host_by_name_or_by_address():
    by_name = AddressGuard(["intranet.example"], resolver=resolving_to("10.0.0.5"))
    assert by_name.check("http://intranet.example/").addresses == ["10.0.0.5"]
    by_address = AddressGuard(["127.0.0.1"], resolver=resolving_to("127.0.0.1"))
    assert by_address.check("http://localhost:8000/").addresses == ["127.0.0.1"]
    with pytest.raises(FetchRefused) as refused:
        AddressGuard(["127.0.0.1"], resolver=resolving_to()).check("http://127.0.0.2/")
    assert refused.value.rule == "loopback address"


def test_with_only_hosts_set_any_other_host_is_refused_before_dns():
    resolver = resolving_to("93.184.215.14")
    guard = AddressGuard(resolver=resolver, only_hosts=["gazette.example"])
    assert guard.check("https://gazette.example/feed.xml").addresses == ["93.184.215.14"]
    with pytest.raises(FetchRefused) as refused:
        guard.check("https://elsewhere.example/feed.xml")
    assert refused.value.rule == "listed hosts only"
    assert "NEWSDESK_FETCH_ONLY_HOSTS" in str(refused.value)
    assert resolver.asked == ["gazette.example"]
