"""One record (a JSON object, a parsed file) made into an Article, or a reason it cannot be.

Every problem is reported as a ``LoadError`` naming where the record came from and why; a bad
record never stops the good ones next to it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ValidationError

from ingest.cleaning import clean_text, strip_boilerplate
from ingest.models import HASH_PREFIX, Article, canonical_url
from ingest.sentences import sentence_spans

FIELD_ALIASES = {
    "body": ("body", "text", "content"),
    "published": ("published", "published_at", "date", "pubDate"),
    "source": ("source", "outlet", "publisher"),
}
TITLE_SENTENCE_CHARS = 160
"""A first sentence longer than this makes a poor title: the URL's slug is preferred, else the
sentence is cut at a word near this length."""
_SLUG_NOISE = re.compile(r"(\.[a-z0-9]{2,5}$)|(^[0-9]+$)|([-_]+)", re.I)


class LoadError(BaseModel):
    path: str
    line: int | None = None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


class LoadedArticle(BaseModel):
    article: Article
    path: str
    line: int | None = None


class RecordError(ValueError):
    """A record that cannot become an article; the message is shown to the user, ``field``
    names the record's field at fault as the record spells it (None: the record itself)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def parse_date(value: Any, field: str = "published") -> datetime | None:
    """ISO 8601 (a bare date, or a naive time taken as UTC); anything else is an error."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = (
            value.strip().replace("Z", "+00:00") if value.strip().endswith("Z") else value.strip()
        )
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = _parse_rfc2822(text)
            if parsed is None:
                raise RecordError(
                    f"{field} date {value!r} does not parse; use ISO 8601 like 2023-11-27 or "
                    "2023-11-27T08:45:00+00:00",
                    field,
                ) from None
    else:
        raise RecordError(f"{field} must be a date string, not {type(value).__name__}", field)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_rfc2822(text: str) -> datetime | None:
    """RSS and e-mail style dates ('Mon, 27 Nov 2023 08:45:00 GMT')."""
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _pick(record: dict[str, Any], field: str) -> tuple[str, Any]:
    """The field's value under the first of its names the record uses, and that name."""
    names = FIELD_ALIASES.get(field, (field,))
    for name in names:
        if record.get(name) not in (None, ""):
            return name, record[name]
    return names[0], None


def article_from_record(record: Any) -> Article:
    """A JSON object with title, body/text, url, source, author, published → Article."""
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    body_name, body = _pick(record, "body")
    if not isinstance(body, str) or not body.strip():
        raise RecordError("the article has no body (field 'body' or 'text')", body_name)
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        raise RecordError(f"title must be a string, not {type(title).__name__}", "title")
    body = strip_boilerplate(clean_text(body))
    if not body:
        raise RecordError("the article has nothing but boilerplate in its body", body_name)
    url = _web_url(record.get("url"))
    title = clean_text(title or "").replace("\n", " ")
    assumed: tuple[str, ...] = ()
    if not title:
        title, note = assume_title(body, url, record.get("page_title"))
        assumed = (note,)
    published_name, published = _pick(record, "published")
    fields = {
        "title": title,
        "body": body,
        "url": url,
        "source": _str_or_none(_pick(record, "source")[1]),
        "author": _author(record.get("author")),
        "published": parse_date(published, published_name),
        "updated": parse_date(record.get("updated"), "updated"),
        "language": _str_or_none(record.get("language")),
    }
    names = {"body": body_name, "published": published_name}
    try:
        article = Article(**fields)
    except ValidationError as exc:
        errors = exc.errors()
        field = str(errors[0]["loc"][0]) if errors[0]["loc"] else None
        message = "; ".join(err["msg"] for err in errors)
        raise RecordError(message, names.get(field, field)) from None
    return _with_given_id(article, record.get("id")).assuming(*assumed)


def assume_title(body: str, url: str | None, page_title: Any = None) -> tuple[str, str]:
    """A title for an article that has none, and a note saying which was assumed: the page's
    own title, else the body's first sentence (when short enough), else the URL's slug, else
    the first sentence cut short."""
    page = clean_text(page_title).replace("\n", " ") if isinstance(page_title, str) else ""
    if page:
        return page, f"no title: assumed the page title {page!r}"
    spans = sentence_spans(body)
    first = body[spans[0][0] : spans[0][1]] if spans else body.strip()
    first = " ".join(first.split())
    if len(first) <= TITLE_SENTENCE_CHARS:
        return first, f"no title: assumed the first sentence {first!r}"
    slug = _slug(url)
    if slug:
        return slug, f"no title: assumed {slug!r} from the URL"
    cut = first[:TITLE_SENTENCE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return cut, f"no title: assumed the start of the first sentence {cut!r}"


def _slug(url: str | None) -> str | None:
    """'https://x.org/news/2024/03/council-approves-tram.html' → 'Council approves tram'."""
    if not url:
        return None
    for segment in reversed(urlsplit(url).path.split("/")):
        words = _SLUG_NOISE.sub(lambda m: " " if m.group(3) else "", unquote(segment)).strip()
        if words and any(c.isalpha() for c in words):
            return words[0].upper() + words[1:]
    return None


def _web_url(value: Any) -> str | None:
    """An http(s) address: the page and Slack link to it, so ``javascript:``, ``data:`` or
    ``file:`` would run or open something other than the article."""
    url = _str_or_none(value)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise RecordError(
            f"url {url[:100]!r} is not a web address: use an absolute http:// or https:// URL",
            "url",
        )
    return url


def _with_given_id(article: Article, given: Any) -> Article:
    """The record's own ``id``, unless it has the shape of an id made from a URL or content
    (a URL, 'sha256:…'): those belong to the article at that URL or with that content, and
    taking one would overwrite that other article. The article's own is accepted."""
    if given in (None, ""):
        return article
    ident = str(given).strip()
    parts = urlsplit(ident)
    if parts.scheme and parts.netloc:
        if canonical_url(ident) == article.id:
            return article
        raise RecordError(
            f"id {ident[:100]!r} is a URL other than the article's own url: an id that is a "
            "URL names the article at that URL; give the article that url, or an id that is "
            "not a URL",
            "id",
        )
    if ident.startswith(HASH_PREFIX) and ident != article.id:
        raise RecordError(
            f"id {ident[:100]!r} has the form of a content hash ('{HASH_PREFIX}…'), which "
            "names the article with that content; choose another id",
            "id",
        )
    return article.model_copy(update={"id": ident})


def _str_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v) or None
    return _str_or_none(value)
