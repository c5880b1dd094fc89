"""Syndicated copies are grouped into one story named after its earliest-published member;
another outlet's own report of the same event is not, and removing a member keeps the rest."""

from __future__ import annotations

import pytest

from ingest.index.schema import published_ts
from ingest.models import Article
from ingest.stories import StoryBook, decode, encode, order_key, signature
from tests.support.syndication import COURIER, GAZETTE, LEDGER, WIRE

pytestmark = pytest.mark.unit


def place(book: StoryBook, article: Article, indexed_at: str = "") -> tuple[str, dict[str, str]]:
    order = order_key(article.id, published_ts(article.published), indexed_at)
    return book.place(article.id, signature(article.body), order)


def stories(book: StoryBook) -> dict[str, str]:
    return {aid: member.story for aid, member in book.members.items()}


def test_copies_under_other_outlets_join_the_wire_story_and_a_separate_report_does_not():
    book = StoryBook(threshold=0.7)
    for article in (WIRE, LEDGER, GAZETTE, COURIER):
        place(book, article)
    assert stories(book) == {
        WIRE.id: WIRE.id,
        GAZETTE.id: WIRE.id,
        COURIER.id: WIRE.id,
        LEDGER.id: LEDGER.id,
    }


def test_a_copy_ingested_first_hands_the_story_to_the_earlier_original():
    book = StoryBook(threshold=0.7)
    place(book, COURIER)
    place(book, GAZETTE)
    story, moved = place(book, WIRE)
    assert story == WIRE.id
    assert moved == {COURIER.id: WIRE.id, GAZETTE.id: WIRE.id}


def test_removing_the_first_member_renames_the_story_after_the_next_published():
    book = StoryBook(threshold=0.7)
    for article in (WIRE, GAZETTE, COURIER):
        place(book, article)
    assert book.remove(WIRE.id) == {GAZETTE.id: GAZETTE.id, COURIER.id: GAZETTE.id}
    assert book.remove(COURIER.id) == {}
    assert stories(book) == {GAZETTE.id: GAZETTE.id}


def test_an_article_edited_into_another_text_leaves_its_story():
    book = StoryBook(threshold=0.7)
    for article in (WIRE, GAZETTE):
        place(book, article)
    rewritten = GAZETTE.model_copy(update={"body": LEDGER.body + " Updated with new figures."})
    story, _ = place(book, rewritten)
    assert story == GAZETTE.id
    assert stories(book)[WIRE.id] == WIRE.id


def test_a_signature_read_back_from_its_stored_form_is_the_same():
    minhash = signature(WIRE.body)
    assert decode(encode(minhash)).jaccard(minhash) == 1.0
    assert len(encode(minhash)) < 1000


def test_the_strictest_allowed_similarity_groups_only_an_identical_copy():
    """0.99, the highest setting the LSH can be built for: a lightly edited copy stays apart,
    the same text under another outlet joins (1.0 is refused by the settings, not at ingest)."""
    from pydantic import ValidationError

    from ingest.settings import IndexSettings

    book = StoryBook(threshold=0.99)
    same = Article(
        title=WIRE.title, body=WIRE.body, url="https://mirror.example/wire", source="Mirror"
    )
    assert same.id != WIRE.id
    for article in (WIRE, GAZETTE, same):
        place(book, article)
    assert stories(book)[GAZETTE.id] == GAZETTE.id
    assert stories(book)[same.id] == WIRE.id
    with pytest.raises(ValidationError, match="story_similarity"):
        IndexSettings(_env_file=None, story_similarity=1.0)
