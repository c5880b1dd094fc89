"""The one filter rule of the index: an outlet and a publication window.

A ``Filters`` restricts a search to articles from some outlets and published inside a window
(either side may be open); an undated article never passes a date bound.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class Filters(BaseModel):
    """What the retrieval was restricted to, whether asked for or read from the question."""

    published_after: datetime | None = None
    published_before: datetime | None = None
    sources: list[str] = Field(default_factory=list)


def build_where(
    source: str | list[str] | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
) -> dict[str, Any] | None:
    """A Chroma filter on outlet and publication time (dates compare as epoch seconds)."""
    clauses: list[dict[str, Any]] = []
    if source:
        sources = [source] if isinstance(source, str) else list(source)
        clauses.append({"source": {"$in": sources}} if len(sources) > 1 else {"source": sources[0]})
    if after:
        clauses.append({"published_ts": {"$gte": int(after.timestamp())}})
    if before:
        clauses.append({"published_ts": {"$lte": int(before.timestamp())}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
