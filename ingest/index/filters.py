"""The one filter rule of the index, an outlet and a publication window, in every form it runs.

A ``Filters`` restricts a search to articles from some outlets and published inside a window:
either side may be open, both are inclusive. An undated chunk never passes a date bound, a
chunk without an outlet never passes an outlet restriction, and an outlet the index lacks
matches nothing. Dates compare in whole epoch seconds, the precision the index stores
(``published_ts``): a chunk passes a bound when its second is inside it, so a bound with a
fraction of a second admits exactly the whole seconds on its side.

Three searches apply the rule, each through its form here, and the contract tests
(``tests/ingest/index/test_filters.py``) hold them to the same answers:

- ``Filters.where``: a Chroma ``where`` clause, for the dense search (embedded or server);
- ``Filters.allows``: one chunk, for a ranked list already in memory;
- ``Filters.mask``: a mask over the keyword index's arrays of outlet codes and seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from ingest.models import Chunk


def stored_second(moment: datetime) -> int:
    """The epoch second the index stores for a publication time (as ``published_ts``)."""
    return int(moment.timestamp())


def _first_second(after: datetime) -> int:
    """The earliest whole second not before ``after``."""
    return math.ceil(after.timestamp())


def _last_second(before: datetime) -> int:
    """The latest whole second not after ``before``."""
    return math.floor(before.timestamp())


class Filters(BaseModel):
    """What the retrieval was restricted to, whether asked for or read from the question."""

    published_after: datetime | None = None
    published_before: datetime | None = None
    sources: list[str] = Field(default_factory=list)

    def where(self) -> dict[str, Any] | None:
        """The Chroma form (None: no restriction)."""
        return build_where(self.sources, self.published_after, self.published_before)

    def allows(self, chunk: Chunk) -> bool:
        """The in-memory form: whether ``chunk`` passes."""
        if self.sources and chunk.source not in self.sources:
            return False
        after, before = self.published_after, self.published_before
        if after is None and before is None:
            return True
        if chunk.published is None:
            return False
        second = stored_second(chunk.published)
        return (after is None or second >= _first_second(after)) and (
            before is None or second <= _last_second(before)
        )

    def mask(
        self, source_codes: np.ndarray, source_ids: Mapping[str, int], seconds: np.ndarray
    ) -> np.ndarray | None:
        """The array form: which chunks pass, given each chunk's outlet code (``source_ids``
        maps outlets to codes) and stored second (NaN: undated); None when all pass."""
        if not (self.sources or self.published_after or self.published_before):
            return None
        mask = np.ones(len(source_codes), dtype=bool)
        if self.sources:
            codes = [source_ids[s] for s in self.sources if s in source_ids]
            mask &= np.isin(source_codes, codes)
        with np.errstate(invalid="ignore"):
            if self.published_after:
                mask &= seconds >= _first_second(self.published_after)
            if self.published_before:
                mask &= seconds <= _last_second(self.published_before)
        return mask


def build_where(
    source: str | list[str] | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
) -> dict[str, Any] | None:
    """A Chroma filter on outlet and publication time; ``Filters.where`` and the article
    listing (one outlet) both use it."""
    clauses: list[dict[str, Any]] = []
    if source:
        sources = [source] if isinstance(source, str) else list(source)
        clauses.append({"source": {"$in": sources}} if len(sources) > 1 else {"source": sources[0]})
    if after:
        clauses.append({"published_ts": {"$gte": _first_second(after)}})
    if before:
        clauses.append({"published_ts": {"$lte": _last_second(before)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
