"""Versions in the index (embedded Chroma, no model): an edit keeps the text it replaced, and
nothing else makes a version."""

from __future__ import annotations

import pytest

from ingest.index.store import NewsIndex
from service.settings import Settings
from tests.support.crash_writer import HARBOUR, HARBOUR_V2, write

pytestmark = pytest.mark.integration


@pytest.fixture
def index(tmp_path) -> NewsIndex:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", collection_prefix="versions")
    return NewsIndex(settings, "versions|dim=8", 8)


def test_an_edit_keeps_the_replaced_text_and_serves_only_the_new(index: NewsIndex):
    write(index, HARBOUR)
    write(index, HARBOUR_V2)
    first, second = index.list_versions(HARBOUR.id)
    assert (first.number, first.body, first.current) == (1, HARBOUR.body, False)
    assert (second.number, second.body, second.current) == (2, HARBOUR_V2.body, True)
    assert first.content_hash == HARBOUR.text_hash and first.replaced_at is not None
    served = list(index.iter_chunks())
    assert served and all(c.text in HARBOUR_V2.body for c in served)
    assert {(c.article_version, c.content_hash) for c in served} == {(2, HARBOUR_V2.text_hash)}
    assert index.get_version(HARBOUR.url, 1) == first, "by URL as by id"
    assert index.get_version(HARBOUR.id, 3) is None


def test_rewriting_the_same_text_or_other_fields_keeps_the_version(index: NewsIndex):
    write(index, HARBOUR)
    write(index, HARBOUR)
    write(index, HARBOUR.model_copy(update={"author": "R. Ortiz"}))
    (only,) = index.list_versions(HARBOUR.id)
    assert only.number == 1 and index.versions.count() == 0


def test_deleting_an_article_deletes_its_versions(index: NewsIndex):
    write(index, HARBOUR)
    write(index, HARBOUR_V2)
    index.delete_article(HARBOUR.id)
    assert index.list_versions(HARBOUR.id) is None and index.versions.count() == 0
