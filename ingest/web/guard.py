"""Which addresses newsdesk may fetch: public http(s) only, decided after DNS resolution.

A URL someone gives newsdesk (a page, a feed, a feed's item, a redirect) must not make it reach
into the network it runs in: the cloud metadata service, the loopback interface, private or
link-local ranges. Every name is resolved here and each address checked, and the fetcher then
connects to a checked address (never resolving again), so a name that resolves differently the
second time cannot slip past. Hosts and addresses the operator lists are exempt.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from pydantic import BaseModel

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
"""host, port → the addresses it resolves to (strings); raises OSError when it does not."""

SCHEMES = ("http", "https")
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
"""Cloud instance-metadata endpoints (AWS, ECS, Alibaba, AWS over IPv6): credentials live there."""
METADATA_NAMES = frozenset(("metadata.google.internal", "metadata", "instance-data"))
SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")


class FetchRefused(ValueError):
    """The URL may not be fetched; ``rule`` names the rule that refused it."""

    def __init__(self, url: str, rule: str, detail: str):
        super().__init__(f"refused {url}: {detail} (rule: {rule})")
        self.url, self.rule, self.detail = url, rule, detail


class Target(BaseModel):
    """A URL checked for fetching, and the addresses it may be fetched from."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: list[str]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refused_rule(address: Address) -> str | None:
    """The rule an address breaks (None: a public address, fine to fetch)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return refused_rule(address.ipv4_mapped)
    if address in METADATA:
        return "metadata address"
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        return "link-local address"
    if address.is_unspecified:
        return "unspecified address"
    if address.is_multicast:
        return "multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address in UNIQUE_LOCAL:
        return "private address (unique local, fc00::/7)"
    if isinstance(address, ipaddress.IPv4Address) and address in SHARED_SPACE:
        return "private address (shared address space, 100.64.0.0/10)"
    if address.is_private:
        return "private address"
    if address.is_reserved or not address.is_global:
        return "reserved address"
    return None


class AddressGuard:
    """Checks URLs against the rules; ``allow_hosts`` exempts hosts (as written in the URL)
    and addresses (whatever name resolved to them); ``only_hosts``, when given, are the only
    hosts that may be fetched at all (checked before any DNS lookup)."""

    def __init__(
        self,
        allow_hosts: Iterable[str] = (),
        resolver: Resolver = system_resolver,
        only_hosts: Iterable[str] = (),
    ):
        self.allow = _hosts(allow_hosts)
        self.only = _hosts(only_hosts)
        self.resolver = resolver

    def check(self, url: str) -> Target:
        """The URL's target, or FetchRefused naming the rule it breaks."""
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise FetchRefused(url, "valid URL", f"the URL cannot be read ({exc})") from None
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            shown = f"'{scheme}:'" if scheme else "no scheme"
            raise FetchRefused(url, "http(s) only", f"{shown} is not http:// or https://")
        try:
            host, port = parts.hostname, parts.port
        except ValueError as exc:
            raise FetchRefused(url, "valid URL", f"the URL's port is not valid ({exc})") from None
        if not host:
            raise FetchRefused(url, "valid URL", "the URL names no host")
        if parts.username or parts.password:
            raise FetchRefused(url, "no credentials", "the URL carries a user name or password")
        host = host.lower().rstrip(".")
        if self.only and host not in self.only:
            raise FetchRefused(
                url, "listed hosts only", f"{host} is not in NEWSDESK_FETCH_ONLY_HOSTS"
            )
        port = port or (443 if scheme == "https" else 80)
        addresses = self._addresses(url, host, port)
        return Target(url=url, scheme=scheme, host=host, port=port, addresses=addresses)

    def _addresses(self, url: str, host: str, port: int) -> list[str]:
        exempt = host in self.allow
        if not exempt and host in METADATA_NAMES:
            raise FetchRefused(url, "metadata address", f"{host} is a cloud metadata service")
        try:
            resolved = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                resolved = [
                    ipaddress.ip_address(a.split("%")[0]) for a in self.resolver(host, port)
                ]
            except (OSError, UnicodeError, ValueError) as exc:
                raise FetchRefused(
                    url, "resolvable host", f"{host} does not resolve ({exc})"
                ) from None
        if not resolved:
            raise FetchRefused(url, "resolvable host", f"{host} resolves to no address")
        allowed, refusals = [], []
        for address in resolved:
            rule = None if exempt or str(address) in self.allow else refused_rule(address)
            if rule is None:
                allowed.append(str(address))
            else:
                refusals.append((address, rule))
        if not allowed:
            address, rule = refusals[0]
            named = str(address) if str(address) == host else f"{host} resolves to {address}"
            raise FetchRefused(
                url,
                rule,
                f"{named}, a {rule}; list the host in NEWSDESK_FETCH_ALLOW_HOSTS to fetch it",
            )
        return allowed


def _hosts(hosts: Iterable[str]) -> set[str]:
    return {h.strip().strip("[]").lower().rstrip(".") for h in hosts if h.strip()}
