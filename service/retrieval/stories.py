"""Syndicated copies in the results: one copy of each story, naming the other outlets.

Copies of one story (``ingest.index.stories``) would otherwise fill the top-k with the same
text under several outlets, crowding out the other articles a multi-hop question needs. Only
the best-scoring copy keeps its passages; the others are named on them (``also_carried_by``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from ingest.models import Chunk
from service.retrieval.fusion import Fused


def one_copy_per_story(
    ordered: list[Fused], stories: Mapping[str, str], preferred: Collection[str] = ()
) -> list[Fused]:
    """``ordered`` (best first) without the passages of any copy but each story's best, or
    its best from an outlet in ``preferred`` (those the question names): "what did the Valley
    Courier report" is answered from the Courier's copy."""

    def story(entry: Fused) -> str:
        return stories.get(entry.chunk.article_id, entry.chunk.article_id)

    copy_of: dict[str, str] = {}
    for entry in ordered:
        if entry.chunk.source in preferred:
            copy_of.setdefault(story(entry), entry.chunk.article_id)
    for entry in ordered:
        copy_of.setdefault(story(entry), entry.chunk.article_id)
    return [entry for entry in ordered if copy_of[story(entry)] == entry.chunk.article_id]


def outlets_by_story(chunks: Iterable[Chunk], stories: Mapping[str, str]) -> dict[str, list[str]]:
    """Each story of more than one article: its members' outlets, earliest published first."""
    firsts: dict[str, Chunk] = {}
    for chunk in chunks:
        firsts.setdefault(chunk.article_id, chunk)
    members: dict[str, list[Chunk]] = defaultdict(list)
    for article_id, chunk in firsts.items():
        members[stories.get(article_id, article_id)].append(chunk)
    return {
        story: [c.source or "" for c in sorted(group, key=_published_order)]
        for story, group in members.items()
        if len(group) > 1
    }


def also_carried_by(
    chunk: Chunk, stories: Mapping[str, str], outlets: Mapping[str, list[str]]
) -> list[str]:
    """The other outlets that carried the chunk's story, each once, earliest first."""
    story = stories.get(chunk.article_id, chunk.article_id)
    others = (o for o in outlets.get(story, ()) if o and o != chunk.source)
    return list(dict.fromkeys(others))


def _published_order(chunk: Chunk) -> tuple:
    published = chunk.published.timestamp() if chunk.published else 0.0
    return (chunk.published is None, published, chunk.article_id)
