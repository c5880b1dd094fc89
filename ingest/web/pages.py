"""An article from a fetched HTML page: trafilatura finds the text and the page's metadata.

Only what the page itself states is taken (its headline, site name, author, dates from its
metadata and markup, canonical URL): dates are never guessed from the text or the URL (htmldate
would read '/2024/03/05/' in a link as the publication date). Site furniture the extractor
leaves (cookie banners, "read more", sign-up lines) is stripped. What the page lacks
may come from the feed that linked it (``hints``); what neither has is assumed by
``article_from_record`` and said so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ingest.cleaning import clean_text, strip_boilerplate
from ingest.models import Article
from ingest.sources.records import RecordError, article_from_record

DATE_PARAMS = {
    "url": "",
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
"""htmldate on the page's metadata and markup only (no URL, no text), keeping the time."""


def page_record(html: bytes | str, url: str) -> dict[str, Any]:
    """The page as an article record (see ``article_from_record``); RecordError when it holds
    no article text."""
    import trafilatura
    from htmldate import find_date

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    body = strip_boilerplate(clean_text(doc.text or "")) if doc is not None else ""
    if not body:
        raise RecordError("no article text found on the page")
    canonical = doc.url if _same_site(doc.url, url) else None
    return {
        "title": doc.title,
        "body": body,
        "url": canonical or url,
        "source": _stated_site_name(doc.sitename, url),
        "author": doc.author,
        "published": find_date(html, **DATE_PARAMS),
        "language": doc.language,
    }


def article_from_page(html: bytes | str, url: str, hints: dict[str, Any] | None = None) -> Article:
    """The page's article; ``hints`` (say, from a feed's item) fill what the page lacks."""
    record = page_record(html, url)
    for key, value in (hints or {}).items():
        if record.get(key) in (None, "") and value not in (None, ""):
            record[key] = value
    if not record.get("title"):
        record["page_title"] = _html_title(html)
    record["source"] = record.get("source") or urlsplit(url).netloc
    return article_from_record(record)


def _same_site(canonical: str | None, url: str) -> bool:
    """A canonical URL is believed only for the site that served the page: another site's
    would let a page overwrite that site's article (ids are canonical URLs)."""
    if not canonical:
        return False
    a, b = urlsplit(canonical), urlsplit(url)
    return a.scheme in ("http", "https") and _site(a.hostname) == _site(b.hostname)


def _stated_site_name(name: str | None, url: str) -> str | None:
    """The page's own site name; trafilatura's fallback to the URL's host is left out, so the
    name a feed gives its outlet comes first."""
    parts = urlsplit(url)
    if not name or name.lower() in (parts.netloc.lower(), _site(parts.hostname)):
        return None
    return name


def _site(host: str | None) -> str:
    host = (host or "").lower()
    return host.removeprefix("www.")


def _html_title(html: bytes | str) -> str | None:
    """The document's <title>, when trafilatura found no headline."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None
    title = tree.findtext(".//title")
    return " ".join(title.split()) if title and title.strip() else None
