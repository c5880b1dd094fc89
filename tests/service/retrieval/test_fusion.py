"""Ranked lists fused into one ranking and spread over articles."""

import pytest

from ingest.models import Chunk
from service.contract import Filters
from service.retrieval.fusion import Fused, View, diversify, fuse
from service.settings import RetrievalSettings

pytestmark = pytest.mark.unit


def chunk(article: int, index: int = 0) -> Chunk:
    article_id = f"https://example.org/{article}"
    return Chunk(
        id=Chunk.make_id(article_id, index),
        article_id=article_id,
        index=index,
        text=f"Passage {index} of article {article}.",
        start=0,
        end=10,
        title=f"Article {article}",
    )


def test_zscore_fusion_keeps_a_clear_keyword_winner_ahead():
    """BM25 puts one passage far ahead of the rest; the dense list ranks it fifth. It stays
    first, where RRF's rank-only arithmetic lets the passage both lists rank high overtake it."""
    weights = {"dense_weight": 0.5, "keyword_weight": 0.5}
    zscore = RetrievalSettings(_env_file=None, **weights)
    rrf = RetrievalSettings(_env_file=None, fusion="rrf", **weights)
    chunks = [chunk(n) for n in range(10)]
    winner, runner_up, others = chunks[0], chunks[1], chunks[2:]
    dense_order = [runner_up, *others[:3], winner, *others[3:]]
    dense = [(c, 0.62 - 0.01 * rank) for rank, c in enumerate(dense_order)]
    keyword = [(winner, 30.0)] + [(c, 4.0 - 0.1 * i) for i, c in enumerate([runner_up, *others])]
    views = [View(Filters(), 1.0)]
    assert fuse(zscore, views, [dense], [keyword])[0].chunk.id == winner.id
    assert fuse(rrf, views, [dense], [keyword])[0].chunk.id == runner_up.id


def test_the_only_passage_holding_a_rare_word_is_lifted_by_it():
    """A keyword list of one (a name only one article holds) lifts its passage over passages
    the dense list ranks higher; scored as if missing, it used to lift nothing."""
    settings = RetrievalSettings(_env_file=None)
    chunks = [chunk(n) for n in range(6)]
    holder = chunks[3]
    dense = [(c, 0.40 - 0.01 * rank) for rank, c in enumerate(chunks)]
    views = [View(Filters(), 1.0)]
    assert fuse(settings, views, [dense], [[(holder, 7.5)]])[0].chunk.id == holder.id


def test_a_sub_query_adds_its_weight_and_each_list_keeps_its_first_score():
    settings = RetrievalSettings(_env_file=None, fusion="rrf", rrf_k=1)
    a, b = chunk(1), chunk(2)
    views = [View(Filters(), 1.0), View(Filters(sources=["X"]), 2.0)]
    fused = fuse(settings, views, [[(a, 0.9), (b, 0.8)], [(b, 0.7)]], [[], []])
    assert [e.chunk.id for e in fused] == [b.id, a.id]
    assert fused[0].dense == 0.8 and fused[0].keyword is None


def test_each_article_gives_at_most_its_share_and_later_passages_are_discounted():
    first, second, third = chunk(1, 0), chunk(1, 1), chunk(1, 2)
    other = chunk(2)
    ordered = [Fused(first, 1.0), Fused(second, 0.9), Fused(third, 0.85), Fused(other, 0.8)]
    spread = diversify(ordered, 3, decay=0.8, cap=2)
    assert [e.chunk.id for e in spread] == [first.id, other.id, second.id]
    plain = diversify(ordered, 3, decay=1.0, cap=3)
    assert [e.chunk.id for e in plain] == [first.id, second.id, third.id]
