"""Fetching one URL safely: checked addresses only, bounded in size, time and redirects.

Every hop (the URL, each redirect) goes through the ``AddressGuard``, and the connection is made
to the address the guard checked, the name kept for the Host header and TLS (SNI and the
certificate check), so DNS is never asked twice. Proxies from the environment are ignored: they
would decide where the request goes. robots.txt is read once per site and honoured.
"""

from __future__ import annotations

import ipaddress
import ssl
import time
import urllib.robotparser
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from pydantic import BaseModel

from ingest.web.guard import AddressGuard, FetchRefused, Target
from ingest.web.settings import FetchSettings

REDIRECTS = (301, 302, 303, 307, 308)
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)


class FetchFailed(RuntimeError):
    """The URL could not be fetched; ``reason`` says why in words a user can act on."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status = url, reason, status


FetchError = (FetchFailed, FetchRefused)
"""Everything ``Fetcher.get`` raises about a URL."""


class Fetched(BaseModel):
    """What one fetch got: ``status`` 304 means not modified (no content)."""

    url: str
    final_url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """One fetcher for many URLs: kept-alive connections, one robots.txt read per site.

    Connections are kept per host name, never shared between two names on one address: a
    connection is made to the address, so a pool keyed by address would send one site's
    request over a TLS session opened (and its certificate checked) for another."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        guard: AddressGuard | None = None,
    ):
        self.settings = settings or FetchSettings()
        self.guard = guard or AddressGuard(
            self.settings.fetch_allow_hosts, only_hosts=self.settings.fetch_only_hosts
        )
        self._clients: dict[str, httpx.Client] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def _client(self, host: str) -> httpx.Client:
        if host not in self._clients:
            ca = self.settings.fetch_ca_bundle
            self._clients[host] = httpx.Client(
                follow_redirects=False,
                trust_env=False,
                verify=ssl.create_default_context(cafile=str(ca)) if ca else True,
                timeout=httpx.Timeout(self.settings.fetch_timeout),
                headers={"User-Agent": self.settings.fetch_user_agent},
            )
        return self._clients[host]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        accept: tuple[str, ...] = HTML_TYPES,
        headers: Mapping[str, str] | None = None,
    ) -> Fetched:
        """The URL's content, of one of the ``accept`` content types; raises FetchRefused or
        FetchFailed (one message per URL) otherwise."""
        return self._get(url, accept, headers or {}, robots=self.settings.fetch_robots)

    def _get(
        self,
        url: str,
        accept: tuple[str, ...] | None,
        headers: Mapping[str, str],
        robots: bool,
    ) -> Fetched:
        """Each hop checked by the guard, then (``robots``) against its site's robots.txt."""
        deadline = time.monotonic() + self.settings.fetch_timeout
        current = url
        for hop in range(self.settings.fetch_max_redirects + 1):
            try:
                target = self.guard.check(current)
                if robots:
                    self._check_robots(current)
            except FetchRefused as exc:
                if hop == 0:
                    raise
                raise FetchRefused(
                    url, exc.rule, f"it redirects to {current}: {exc.detail}"
                ) from None
            response = self._send(url, target, headers, deadline)
            try:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                return self._read(url, current, response, accept, deadline)
            finally:
                response.close()
        raise FetchFailed(
            url,
            f"too many redirects (more than {self.settings.fetch_max_redirects}, "
            "NEWSDESK_FETCH_MAX_REDIRECTS)",
        )

    def _send(
        self, url: str, target: Target, headers: Mapping[str, str], deadline: float
    ) -> httpx.Response:
        """The request sent to the checked address, with the name as Host and for TLS."""
        parts = urlsplit(target.url)
        address = ipaddress.ip_address(target.addresses[0])
        literal = f"[{address}]" if address.version == 6 else str(address)
        default = 443 if target.scheme == "https" else 80
        netloc = literal if target.port == default else f"{literal}:{target.port}"
        host = target.host if target.port == default else f"{target.host}:{target.port}"
        if ":" in target.host and not target.host.startswith("["):
            host = f"[{target.host}]" + ("" if target.port == default else f":{target.port}")
        pinned = urlunsplit((target.scheme, netloc, parts.path or "/", parts.query, ""))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchFailed(url, self._too_slow())
        client = self._client(target.host)
        request = client.build_request(
            "GET",
            pinned,
            headers={**headers, "Host": host},
            timeout=httpx.Timeout(remaining),
            extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
        try:
            return client.send(request, stream=True)
        except httpx.TimeoutException:
            raise FetchFailed(url, self._too_slow()) from None
        except httpx.HTTPError as exc:
            raise FetchFailed(url, f"could not connect to {target.host}: {exc}") from None

    def _read(
        self,
        url: str,
        final_url: str,
        response: httpx.Response,
        accept: tuple[str, ...] | None,
        deadline: float,
    ) -> Fetched:
        status = response.status_code
        meta = {
            "url": url,
            "final_url": final_url,
            "status": status,
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
        }
        if status == 304:
            return Fetched(**meta)
        if status >= 300:
            phrase = response.reason_phrase or "error"
            raise FetchFailed(url, f"the server answered {status} {phrase}", status)
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if accept is not None and content_type not in accept:
            raise FetchFailed(
                url,
                f"content type {content_type or '(none)'} is not one newsdesk reads here "
                f"(expected {', '.join(accept)})",
            )
        limit = self.settings.fetch_max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchFailed(url, self._too_big(int(declared)))
        body = bytearray()
        try:
            for piece in response.iter_bytes():
                body += piece
                if len(body) > limit:
                    raise FetchFailed(url, self._too_big(None))
                if time.monotonic() > deadline:
                    raise FetchFailed(url, self._too_slow())
        except httpx.TimeoutException:
            raise FetchFailed(url, self._too_slow()) from None
        except httpx.HTTPError as exc:
            raise FetchFailed(url, f"the download broke off: {exc}") from None
        return Fetched(**meta, content=bytes(body), content_type=content_type)

    def _too_big(self, size: int | None) -> str:
        limit = self.settings.fetch_max_bytes
        said = f"{size:,} bytes" if size is not None else "more than the limit"
        return f"too large: {said}, over {limit:,} bytes (NEWSDESK_FETCH_MAX_BYTES)"

    def _too_slow(self) -> str:
        return f"timed out after {self.settings.fetch_timeout:g} s (NEWSDESK_FETCH_TIMEOUT)"

    def _check_robots(self, url: str) -> None:
        """RFC 9309: no robots.txt (any 4xx) allows everything; one the server fails to give
        (5xx) allows nothing; a site that cannot be reached fails with why."""
        parts = urlsplit(url)
        site = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(url, site)
        rules = self._robots[site]
        if rules is None:
            raise FetchRefused(url, "robots.txt", f"{site}/robots.txt could not be read")
        if not rules.can_fetch(self.settings.fetch_user_agent, url):
            raise FetchRefused(url, "robots.txt", f"{site}/robots.txt disallows it")

    def _read_robots(self, url: str, site: str) -> urllib.robotparser.RobotFileParser | None:
        rules = urllib.robotparser.RobotFileParser(f"{site}/robots.txt")
        try:
            fetched = self._get(f"{site}/robots.txt", None, {}, robots=False)
        except FetchFailed as exc:
            if exc.status is None:  # the site cannot be reached at all: say so, not robots.txt
                raise FetchFailed(url, f"{exc.reason} (reading {site}/robots.txt)") from None
            if 400 <= exc.status < 500:
                rules.parse([])
                return rules
            return None
        except FetchRefused:
            return None  # the page itself is refused by the same rule, with its own message
        rules.parse(fetched.content.decode("utf-8", errors="replace").splitlines())
        return rules
