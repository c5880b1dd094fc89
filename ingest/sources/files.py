"""Reading articles from files: text/Markdown, HTML, JSON and JSONL.

Every problem is reported as a ``LoadError`` naming the file (and line) and the reason; a bad
record never stops the good ones next to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ingest.models import Article
from ingest.sources.records import (
    LoadedArticle,
    LoadError,
    RecordError,
    article_from_record,
)

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

HEADER_LINE = re.compile(r"^(URL|Source|Published|Author|Updated|Language)\s*:\s*(.*)$", re.I)


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
    stem = path.stem.replace("-", " ")
    article = article_from_record(
        {
            "title": doc.title or stem,
            "body": doc.text,
            "url": doc.url,
            "source": doc.sitename,
            "author": doc.author,
            "published": doc.date,
            "language": doc.language,
        }
    )
    return (
        article if doc.title else article.assuming(f"no title: assumed {stem!r} from the file name")
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
