"""One record (a JSON object, a parsed file) made into an Article, or a reason it cannot be.

Every problem is reported as a ``LoadError`` naming where the record came from and why; a bad
record never stops the good ones next to it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from ingest.cleaning import clean_text
from ingest.models import Article

FIELD_ALIASES = {
    "body": ("body", "text", "content"),
    "published": ("published", "published_at", "date", "pubDate"),
    "source": ("source", "outlet", "publisher"),
}


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
    """A record that cannot become an article; the message is shown to the user."""


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
                    "2023-11-27T08:45:00+00:00"
                ) from None
    else:
        raise RecordError(f"{field} must be a date string, not {type(value).__name__}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_rfc2822(text: str) -> datetime | None:
    """RSS and e-mail style dates ('Mon, 27 Nov 2023 08:45:00 GMT')."""
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _pick(record: dict[str, Any], field: str) -> Any:
    for name in FIELD_ALIASES.get(field, (field,)):
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def article_from_record(record: Any) -> Article:
    """A JSON object with title, body/text, url, source, author, published → Article."""
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    body = _pick(record, "body")
    if not isinstance(body, str) or not body.strip():
        raise RecordError("the article has no body (field 'body' or 'text')")
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RecordError("the article has no title (field 'title')")
    fields = {
        "title": clean_text(title).replace("\n", " "),
        "body": clean_text(body),
        "url": _str_or_none(record.get("url")),
        "source": _str_or_none(_pick(record, "source")),
        "author": _author(record.get("author")),
        "published": parse_date(_pick(record, "published"), "published"),
        "updated": parse_date(record.get("updated"), "updated"),
        "language": _str_or_none(record.get("language")),
    }
    if record.get("id"):
        fields["id"] = str(record["id"])
    try:
        return Article(**fields)
    except ValidationError as exc:
        raise RecordError("; ".join(err["msg"] for err in exc.errors())) from None


def _str_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v) or None
    return _str_or_none(value)
