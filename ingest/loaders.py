"""Reading articles from files: text/Markdown, HTML, JSON and JSONL.

Every problem is reported as a ``LoadError`` naming the file (and line) and the reason; a bad
record never stops the good ones next to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ingest.cleaning import clean_text
from ingest.models import Article

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

HEADER_LINE = re.compile(r"^(URL|Source|Published|Author|Updated|Language)\s*:\s*(.*)$", re.I)
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


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise RecordError("binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise RecordError("empty file")
    return text


def load_text_file(path: Path) -> Article:
    """First line: title; then optional 'Key: value' header lines, a blank line, the body."""
    lines = _read_text(path).splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    title = lines[0].lstrip("# ").strip()
    record: dict[str, Any] = {"title": title}
    rest = lines[1:]
    header_end = 0
    while header_end < len(rest) and not rest[header_end].strip():
        header_end += 1
    while header_end < len(rest) and (match := HEADER_LINE.match(rest[header_end].strip())):
        record[match.group(1).lower()] = match.group(2).strip()
        header_end += 1
    record["body"] = "\n".join(rest[header_end:])
    return article_from_record(record)


def load_html_file(path: Path) -> Article:
    import trafilatura

    html = _read_text(path)
    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if doc is None or not (doc.text or "").strip():
        raise RecordError("no article text found in the HTML")
    return article_from_record(
        {
            "title": doc.title or path.stem.replace("-", " "),
            "body": doc.text,
            "url": doc.url,
            "source": doc.sitename,
            "author": doc.author,
            "published": doc.date,
            "language": doc.language,
        }
    )


def iter_records(path: Path) -> Iterator[tuple[int | None, Any]]:
    """(line, record) pairs of a JSON or JSONL file; a line that does not parse raises."""
    text = _read_text(path)
    if path.suffix.lower() in JSONL_SUFFIXES:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, RecordError(f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if isinstance(data, list):
        for number, record in enumerate(data, start=1):
            yield number, record
    else:
        yield None, data


def expand_paths(paths: Iterable[Path]) -> Iterator[Path | LoadError]:
    """Files as given, folders walked recursively for supported files, in a stable order."""
    for path in paths:
        if not path.exists():
            yield LoadError(path=str(path), reason="no such file or folder")
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED:
                    yield child
        elif path.suffix.lower() in SUPPORTED:
            yield path
        else:
            yield LoadError(
                path=str(path),
                reason=f"unsupported file type {path.suffix or '(none)'}; "
                f"use one of {', '.join(sorted(SUPPORTED))}",
            )


def load_paths(paths: Iterable[Path]) -> Iterator[LoadedArticle | LoadError]:
    for item in expand_paths(paths):
        if isinstance(item, LoadError):
            yield item
        else:
            yield from load_file(item)


def load_file(path: Path) -> Iterator[LoadedArticle | LoadError]:
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            yield LoadedArticle(article=load_text_file(path), path=str(path))
        elif suffix in HTML_SUFFIXES:
            yield LoadedArticle(article=load_html_file(path), path=str(path))
        else:
            for line, record in iter_records(path):
                try:
                    if isinstance(record, RecordError):
                        raise record
                    yield LoadedArticle(
                        article=article_from_record(record), path=str(path), line=line
                    )
                except RecordError as exc:
                    yield LoadError(path=str(path), line=line, reason=str(exc))
    except RecordError as exc:
        yield LoadError(path=str(path), reason=str(exc))
    except OSError as exc:
        yield LoadError(path=str(path), reason=f"cannot read: {exc.strerror or exc}")
