"""The filter contract: every form of the one filter rule lets the same chunks through.

The dense search filters in Chroma (embedded, and a `chroma run` server), the keyword index
with a mask over its arrays, and sub-queries over a ranked list in memory. Each form is run
over the same chunks (dated and undated, with and without an outlet, one published a fraction
of a second past a whole second) and the same filters (bounds exactly at a chunk's date, open
sides, several outlets, an outlet the index lacks), and must give the chunks listed here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ingest.index.filters import Filters
from ingest.index.store import NewsIndex
from ingest.models import Article, Chunk
from service.retrieval.keyword_index import KeywordIndex
from service.settings import Settings

pytestmark = pytest.mark.integration

DIMENSION = 3
FINGERPRINT = f"filter-contract|dim={DIMENSION}"
MIDNIGHT = datetime(2023, 10, 5, tzinfo=UTC)
SECOND = timedelta(seconds=1)
HALF = timedelta(milliseconds=500)

# name: (outlet, published)
ROWS = {
    "midnight": ("TechCrunch", MIDNIGHT),
    "last-second": ("TechCrunch", MIDNIGHT + timedelta(days=1) - SECOND),
    "next-day": ("The Verge", MIDNIGHT + timedelta(days=1, hours=12)),
    "undated": ("The Verge", None),
    "no-outlet": (None, MIDNIGHT + timedelta(hours=12)),
    # stored as its whole second, 23:59:59 the day before: that second is what every form compares
    "fraction": ("The Age", MIDNIGHT - SECOND + timedelta(milliseconds=700)),
}
EVERY = set(ROWS)
CASES = {
    "nothing": (Filters(), EVERY),
    "after, at a chunk's instant": (
        Filters(published_after=MIDNIGHT),
        {"midnight", "last-second", "next-day", "no-outlet"},
    ),
    "before, at a chunk's instant": (Filters(published_before=MIDNIGHT), {"midnight", "fraction"}),
    "after, half a second past one": (
        Filters(published_after=MIDNIGHT - SECOND + HALF),
        {"midnight", "last-second", "next-day", "no-outlet"},
    ),
    "before, half a second short of one": (Filters(published_before=MIDNIGHT - HALF), {"fraction"}),
    "one day, both sides": (
        Filters(published_after=MIDNIGHT, published_before=MIDNIGHT + timedelta(days=1) - SECOND),
        {"midnight", "last-second", "no-outlet"},
    ),
    "the day as a question reads it": (
        Filters(
            published_after=MIDNIGHT,
            published_before=MIDNIGHT + timedelta(days=1) - timedelta(microseconds=1),
        ),
        {"midnight", "last-second", "no-outlet"},
    ),
    "after the last day": (Filters(published_after=MIDNIGHT + timedelta(days=3)), set()),
    "sides crossed": (
        Filters(published_after=MIDNIGHT + timedelta(days=1), published_before=MIDNIGHT),
        set(),
    ),
    "one outlet": (Filters(sources=["The Verge"]), {"next-day", "undated"}),
    "several outlets": (
        Filters(sources=["TechCrunch", "The Age"]),
        {"midnight", "last-second", "fraction"},
    ),
    "an outlet the index lacks": (Filters(sources=["Bloomberg"]), set()),
    "a known and an unknown outlet": (
        Filters(sources=["Bloomberg", "The Verge"]),
        {"next-day", "undated"},
    ),
    "outlet and date": (
        Filters(sources=["The Verge", "TechCrunch"], published_after=MIDNIGHT + SECOND),
        {"last-second", "next-day"},
    ),
}


def write(settings: Settings) -> NewsIndex:
    """One single-chunk article per row, all with the same vector, so a nearest-neighbour
    search for it returns exactly the chunks its filter lets through."""
    index = NewsIndex(settings, FINGERPRINT, DIMENSION)
    for name, (source, published) in ROWS.items():
        body = f"The {name} article's only passage."
        article = Article(
            title=name,
            body=body,
            url=f"https://example.org/{name}",
            source=source,
            published=published,
        )
        chunk = Chunk(
            id=Chunk.make_id(article.id, 0),
            article_id=article.id,
            index=0,
            text=body,
            start=0,
            end=len(body),
            title=name,
            url=article.url,
            source=source,
            published=published,
        )
        index.write_article(article, [chunk], np.array([[1.0, 0.0, 0.0]], dtype=np.float32))
    return index


def named(chunks: list[Chunk]) -> set[str]:
    return {chunk.title for chunk in chunks}


def settings_in(folder, **overrides) -> Settings:
    prefix = "f" + uuid.uuid4().hex[:10]
    return Settings(_env_file=None, data_dir=folder, collection_prefix=prefix, **overrides)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> NewsIndex:
    return write(settings_in(tmp_path_factory.mktemp("filters-embedded")))


@pytest.fixture(scope="module")
def served(tmp_path_factory, chroma_server) -> NewsIndex:
    return write(settings_in(tmp_path_factory.mktemp("filters-server"), chroma_url=chroma_server))


def dense_form(index: NewsIndex, filters: Filters) -> set[str]:
    nearest = index.nearest(np.array([1.0, 0.0, 0.0]), len(ROWS), filters.where())
    return named(list(index.get_chunks([cid for cid, _ in nearest]).values()))


def mask_form(index: NewsIndex, filters: Filters) -> set[str]:
    snapshot = KeywordIndex(index).refresh()
    mask = filters.mask(snapshot.source_codes, snapshot.source_ids, snapshot.published_ts)
    return named([c for i, c in enumerate(snapshot.chunks) if mask is None or mask[i]])


def memory_form(index: NewsIndex, filters: Filters) -> set[str]:
    return named([chunk for chunk in index.iter_chunks() if filters.allows(chunk)])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    ("store", "form"),
    [
        ("embedded", dense_form),
        ("served", dense_form),
        ("embedded", mask_form),
        ("embedded", memory_form),
    ],
    ids=["chroma-embedded", "chroma-server", "keyword-mask", "in-memory"],
)
def test_every_form_lets_the_same_chunks_through(request, store, form, case):
    filters, expected = CASES[case]
    assert form(request.getfixturevalue(store), filters) == expected


def test_the_chunks_keep_their_dates_through_the_index(embedded):
    """The in-memory form reads chunks back from the index: their dates must survive, the
    fraction of a second included."""
    dates = {chunk.title: chunk.published for chunk in embedded.iter_chunks()}
    assert dates == {name: published for name, (_, published) in ROWS.items()}
