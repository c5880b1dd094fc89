"""Story membership lives in the article records: it survives reopening the index, a copy
ingested before the original is re-pointed, and deleting a member leaves the rest grouped."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.index.store import NewsIndex
from ingest.models import Article
from tests.support.crash_writer import CHUNKER
from tests.support.syndication import COURIER, GAZETTE, LEDGER, WIRE

pytestmark = pytest.mark.integration

DIMENSION = 8
FINGERPRINT = f"stories|dim={DIMENSION}"


def open_index(settings) -> NewsIndex:
    return NewsIndex(settings, FINGERPRINT, DIMENSION)


def write(index: NewsIndex, *articles: Article) -> None:
    rng = np.random.default_rng(7)
    for article in articles:
        chunks = CHUNKER.split(article)
        index.write_article(article, chunks, rng.random((len(chunks), DIMENSION), "float32"))


def outlets(index: NewsIndex, story_id: str) -> list[str | None]:
    found = index.story_members(story_id)
    assert found is not None and found[0] == story_id, "named after its first member"
    return [a.source for a in found[1]]


def test_the_story_is_named_after_the_original_whatever_the_ingest_order(settings_factory):
    settings = settings_factory()
    write(open_index(settings), COURIER, LEDGER, GAZETTE, WIRE)

    reopened = open_index(settings)
    assert outlets(reopened, WIRE.id) == ["Wire Service", "Harbour Gazette", "Valley Courier"]
    assert outlets(reopened, LEDGER.id) == ["Estoria Ledger"]
    assert reopened.story_members(COURIER.id) == reopened.story_members(WIRE.id)
    assert reopened.committed().stories[GAZETTE.id] == WIRE.id


def test_deleting_the_original_keeps_its_copies_together(settings_factory):
    settings = settings_factory()
    write(open_index(settings), WIRE, GAZETTE)
    open_index(settings).delete_article(WIRE.id)

    index = open_index(settings)
    write(index, COURIER)
    assert outlets(index, GAZETTE.id) == ["Harbour Gazette", "Valley Courier"]
    assert index.story_members(WIRE.id) is None


def test_a_second_process_sees_copies_the_first_wrote(settings_factory):
    settings = settings_factory()
    first, second = open_index(settings), open_index(settings)
    write(second, LEDGER)  # second builds its book before first writes
    write(first, WIRE)
    write(second, GAZETTE)
    assert outlets(first, WIRE.id) == ["Wire Service", "Harbour Gazette"]


def test_a_copy_of_an_article_indexed_before_stories_joins_it(settings_factory):
    settings = settings_factory()
    write(open_index(settings), WIRE)
    older = open_index(settings)
    older.articles.update(ids=[WIRE.id], metadatas=[{"story": None, "minhash": None}])
    assert {"story", "minhash"}.isdisjoint(older.articles.get(ids=[WIRE.id])["metadatas"][0])

    index = open_index(settings)
    write(index, GAZETTE)
    assert outlets(index, WIRE.id) == ["Wire Service", "Harbour Gazette"]
    assert index.committed().stories == {WIRE.id: WIRE.id, GAZETTE.id: WIRE.id}


def test_two_threads_writing_copies_of_one_story_at_once_group_them(settings_factory, monkeypatch):
    """Each copy's look-up for its story is held open long enough for the other thread to make
    the same look-up: unless writes take turns, neither finds the other and both start one."""
    import threading
    import time

    from ingest.stories import StoryBook

    looked_up = StoryBook.copies_of

    def slow_copies_of(self, minhash, excluding=""):
        found = looked_up(self, minhash, excluding)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(StoryBook, "copies_of", slow_copies_of)
    settings = settings_factory()
    index = open_index(settings)
    start = threading.Barrier(2)

    def writer(article: Article) -> None:
        start.wait()
        write(index, article)

    threads = [threading.Thread(target=writer, args=(a,)) for a in (GAZETTE, COURIER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stories = open_index(settings).committed().stories
    assert stories[GAZETTE.id] == stories[COURIER.id]
