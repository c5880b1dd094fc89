"""Article pages and RSS feeds as a news site serves them, for the local test server."""

from __future__ import annotations

from tests.support.web_server import Route, Site


def article_page(title: str | None, *paragraphs: str, published: str | None = None) -> Route:
    """An article page stating its headline and publication time in its metadata, if given."""
    head = f'<meta property="og:title" content="{title}">' if title else ""
    if published:
        head += f'<meta property="article:published_time" content="{published}">'
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return Route(f"<html><head>{head}</head><body><article>{body}</article></body></html>")


def rss(site: Site, items: list[tuple[str, str]], etag: str = '"v1"') -> Route:
    """An RSS 2.0 feed of (path, title) items on ``site``, with an ETag."""
    entries = "".join(
        f"<item><title>{title}</title><link>{site.url(path)}</link><guid>{path}</guid></item>"
        for path, title in items
    )
    channel = f"<channel><title>Riverton Gazette</title>{entries}</channel>"
    body = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
    return Route(body, content_type="application/rss+xml", etag=etag)


TRAM = article_page(
    "Riverton approves its east tram line",
    "The city council of Riverton voted 31 to 12 on Tuesday to build a tram line east.",
    "Construction is due to start in spring 2025 and will cost 410 million euros.",
    published="2024-03-05T09:00:00+00:00",
)
UNTITLED = article_page(
    None,
    "Librarians in Riverton counted 18,000 visitors in the first week of the new library.",
    "The building, a former tram depot, holds 120,000 books.",
)
