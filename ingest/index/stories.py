"""Story membership kept with the article records: each record's ``story`` and ``minhash``.

A mixin of ``NewsIndex``. The LSH over the stored signatures (``ingest.stories.StoryBook``) is
built from the records when first needed and again whenever another writer changed the index
(the generation moved without this process moving it); this process's own writes keep it
current. A write whose new member predates its story, or a deletion of a story's first member,
re-points the other members' records before the write or deletion is settled, so readers see
the new grouping together with the article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.index.schema import SIGNATURE_KEY, STORY_KEY, article_from, published_ts
from ingest.models import Article
from ingest.stories import Member, StoryBook, decode, encode, order_key, signature

if TYPE_CHECKING:
    from ingest.settings import IndexSettings


class StoryRecords:
    """Uses the index's ``articles`` collection, ``settings`` and ``generation``."""

    settings: IndexSettings
    articles: Any
    _book: StoryBook | None = None

    def _story_book(self) -> StoryBook:
        generation = self.generation()
        book = self._book
        if book is not None and book.generation == generation:
            return book
        book = StoryBook(self.settings.story_similarity, generation)
        found = self.articles.get(include=["metadatas"])
        records = dict(zip(found["ids"], (m or {} for m in found["metadatas"]), strict=True))
        older = [aid for aid, meta in records.items() if SIGNATURE_KEY not in meta]
        bodies = self.articles.get(ids=older, include=["documents"]) if older else None
        signed = dict(zip(bodies["ids"], bodies["documents"], strict=True)) if bodies else {}
        for aid, meta in records.items():
            # Records written before stories carry no signature: one is made from the body.
            stored = meta.get(SIGNATURE_KEY)
            minhash = decode(stored) if stored else signature(signed[aid])
            order = order_key(aid, meta.get("published_ts"), meta.get("indexed_at", ""))
            book.load(aid, Member(minhash, meta.get(STORY_KEY, aid), order))
        book.unsigned = {aid: encode(book.members[aid].signature) for aid in older}
        self._book = book
        return book

    def _story_fields(self, article: Article, indexed_at: str) -> dict[str, str]:
        """The story metadata of an article about to be committed, after re-pointing the
        members whose story it renames."""
        minhash = signature(article.body)
        order = order_key(article.id, published_ts(article.published), indexed_at)
        book = self._story_book()
        story, moves = book.place(article.id, minhash, order)
        # An older record joining a story is given its story and signature, as new ones are.
        joined = [aid for aid, m in book.members.items() if m.story == story]
        moves |= {aid: story for aid in joined if aid in book.unsigned}
        self._repoint({aid: s for aid, s in moves.items() if aid != article.id})
        return {STORY_KEY: story, SIGNATURE_KEY: encode(minhash)}

    def _delete_record(self, article_id: str) -> None:
        """Delete the article's record, then re-point the members of the story it named."""
        moves = self._story_book().remove(article_id)
        try:
            self.articles.delete(ids=[article_id])
        except Exception:
            self._book = None  # it no longer holds the article its record still does
            raise
        self._repoint(moves)

    def _repoint(self, moves: dict[str, str]) -> None:
        if not moves:
            return
        unsigned = self._book.unsigned if self._book is not None else {}
        metadatas = []
        for aid, story in moves.items():
            meta = {STORY_KEY: story}
            if aid in unsigned:
                meta[SIGNATURE_KEY] = unsigned.pop(aid)
            metadatas.append(meta)
        self.articles.update(ids=list(moves), metadatas=metadatas)

    def _follow_generation(self, before: str, after: str) -> None:
        """This process moved the generation: a book current before is current after."""
        if self._book is not None and self._book.generation == before:
            self._book.generation = after

    def story_members(self, story_or_article_id: str) -> tuple[str, list[Article]] | None:
        """The story an id names, or the story of the article it names: its id and its
        articles, earliest published first; None for an unknown id. An article written before
        stories existed is a story of its own."""
        story = story_or_article_id
        found = self.articles.get(where={STORY_KEY: story}, include=["documents", "metadatas"])
        if not found["ids"]:
            found = self.articles.get(ids=[story], include=["documents", "metadatas"])
            if not found["ids"]:
                return None
            story = (found["metadatas"][0] or {}).get(STORY_KEY, story)
            if story != story_or_article_id:
                found = self.articles.get(
                    where={STORY_KEY: story}, include=["documents", "metadatas"]
                )
        rows = zip(found["ids"], found["documents"], found["metadatas"], strict=True)
        ordered = sorted(
            rows,
            key=lambda r: order_key(r[0], r[2].get("published_ts"), r[2].get("indexed_at", "")),
        )
        return story, [article_from(aid, doc, meta) for aid, doc, meta in ordered]
