from datetime import UTC, date, datetime, timedelta

import pytest

from ingest.index.store import NewsIndex
from ingest.pipeline import build_ingestor
from service.answering.service import AnswerService
from service.contract import AskRequest, Filters
from service.retrieval.retriever import Retriever

pytestmark = pytest.mark.integration

INDEPENDENT = "The Independent - Life and Style"


def retriever_for(settings, embedder, **overrides) -> Retriever:
    settings = settings.model_copy(update=overrides)
    return Retriever(
        settings, NewsIndex(settings, embedder.fingerprint, embedder.dimension), embedder
    )


def sources_of(result) -> list[str]:
    return [p.chunk.source for p in result.passages]


def test_a_comparison_of_two_outlets_gets_passages_from_both(news_index, embedder):
    question = "Did The Age and TechCrunch both report that Google pays to stay the default search?"
    with_subqueries = retriever_for(news_index, embedder).retrieve(question, 4)
    assert {"The Age", "TechCrunch"} <= set(sources_of(with_subqueries))
    assert [m.sources for m in with_subqueries.parsed.outlets] == [("The Age",), ("TechCrunch",)]
    # sub-queries only add candidates: nothing is filtered out
    assert with_subqueries.filters == Filters()


def test_each_named_outlet_reports_how_close_its_closest_chunk_is(news_index, embedder):
    retriever = retriever_for(news_index, embedder)
    question = "Did The Roar and TechCrunch both report that the Springboks beat the All Blacks?"
    result = retriever.retrieve(question, 4)
    assert set(result.outlet_support) == {"The Roar", "TechCrunch"}
    # The Roar covered the final; TechCrunch's closest chunk is about something else.
    assert result.outlet_support["The Roar"] > result.outlet_support["TechCrunch"] + 0.1
    # An outlet whose chunks are all far from the question is still measured exactly.
    shallow = retriever_for(news_index, embedder, dense_depth=5).retrieve(question, 4)
    assert shallow.outlet_support["TechCrunch"] == pytest.approx(
        result.outlet_support["TechCrunch"], abs=1e-6
    )
    assert retriever.retrieve("Did the Springboks beat the All Blacks?", 4).outlet_support == {}


def test_a_day_named_in_the_question_brings_that_days_articles_up(news_index, embedder):
    question = "What was the live score reported by Sporting News on December 3, 2023?"
    result = retriever_for(news_index, embedder).retrieve(question, 3)
    assert result.passages[0].chunk.published.date() == date(2023, 12, 3)


def test_filter_mode_restricts_to_the_outlet_named(news_index, embedder):
    question = "What did The Independent report about Travis Kelce?"
    retriever = retriever_for(news_index, embedder, question_metadata="filter")
    result = retriever.retrieve(question, 5)
    assert result.filters.sources == [INDEPENDENT]
    assert result.passages and set(sources_of(result)) == {INDEPENDENT}


def test_an_outlet_not_in_the_index_leaves_the_question_unfiltered(news_index, embedder):
    retriever = retriever_for(news_index, embedder, question_metadata="filter")
    result = retriever.retrieve("What did The Times of India report about Travis Kelce?", 5)
    assert result.filters == Filters()
    assert any("Kelce" in p.chunk.text for p in result.passages)


def test_relative_dates_are_read_against_as_of_through_the_service(news_index, embedder):
    settings = news_index.model_copy(update={"question_metadata": "filter"})
    service = AnswerService(
        settings, NewsIndex(settings, embedder.fingerprint, embedder.dimension), embedder
    )
    answer = service.ask(
        AskRequest(question="How did the ASX open last week?", as_of=date(2023, 12, 12))
    )
    after, before = answer.filters.published_after, answer.filters.published_before
    pad = timedelta(hours=settings.date_padding_hours)
    assert after == datetime(2023, 12, 4, tzinfo=UTC) - pad
    assert before.date() == date(2023, 12, 10) + pad
    assert answer.passages
    assert all(after <= p.chunk.published <= before for p in answer.passages)


def test_explicit_filters_win_over_what_the_question_says(news_index, embedder):
    retriever = retriever_for(news_index, embedder, question_metadata="filter")
    result = retriever.retrieve(
        "What did The Independent report about Taylor Swift?", 5, Filters(sources=["The Age"])
    )
    assert result.filters.sources == ["The Age"]
    assert set(sources_of(result)) == {"The Age"}


def test_explicit_filters_hold_for_every_sub_query(news_index, embedder):
    after = datetime(2023, 11, 1, tzinfo=UTC)
    result = retriever_for(news_index, embedder).retrieve(
        "Did TechCrunch and The Independent report on October 12, 2023 about separations?",
        10,
        Filters(published_after=after),
    )
    assert result.passages
    assert all(p.chunk.published >= after for p in result.passages)


def test_no_article_takes_more_than_its_share_of_the_passages(news_index, embedder):
    retriever = retriever_for(news_index, embedder, max_passages_per_article=1)
    result = retriever.retrieve("Sam Bankman-Fried FTX trial", 8)
    articles = [p.chunk.article_id for p in result.passages]
    assert len(articles) == 8 and len(set(articles)) == 8


def test_passages_are_ranked_and_scored(news_index, embedder):
    result = retriever_for(news_index, embedder).retrieve("Baldur's Gate 3 warlock build", 5)
    assert [p.rank for p in result.passages] == [1, 2, 3, 4, 5]
    assert all(p.fused_score > 0 for p in result.passages)
    assert "Warlock" in result.passages[0].chunk.title


def test_the_same_article_decay_spreads_the_top_k_over_articles(news_index, embedder):
    question = "Sam Bankman-Fried FTX trial"
    spread = retriever_for(news_index, embedder, same_article_decay=0.0).retrieve(question, 8)
    assert len({p.chunk.article_id for p in spread.passages}) == 8
    plain = retriever_for(news_index, embedder, same_article_decay=1.0).retrieve(question, 8)
    scores = [p.fused_score for p in plain.passages]
    assert scores == sorted(scores, reverse=True)


def test_metadata_off_ignores_outlets_and_dates(news_index, embedder):
    retriever = retriever_for(news_index, embedder, question_metadata="off")
    result = retriever.retrieve("What did TechCrunch report on October 13, 2023?", 5)
    assert result.parsed.outlets == [] and result.parsed.dates == []
    assert result.passages


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_an_empty_index_and_a_new_article_in_both_modes(
    mode, request, settings_factory, embedder, multihop_articles
):
    overrides = {"chroma_url": request.getfixturevalue("chroma_server")} if mode == "server" else {}
    settings = settings_factory(**overrides)
    retriever = retriever_for(settings, embedder)
    assert retriever.retrieve("What did TechCrunch report on October 13, 2023?", 5).passages == []
    build_ingestor(settings, embedder=embedder).ingest_articles(multihop_articles[:12])
    result = retriever.retrieve("What did TechCrunch report on October 7, 2023?", 3)
    top = result.passages[0].chunk
    assert top.source == "TechCrunch"
    assert abs(top.published.date() - date(2023, 10, 7)) <= timedelta(days=1)


@pytest.mark.parametrize("fusion", ["zscore", "rrf"])
def test_both_fusions_put_the_article_asked_about_first(fusion, news_index, embedder):
    retriever = retriever_for(news_index, embedder, fusion=fusion)
    result = retriever.retrieve("Baldur's Gate 3 warlock build", 5)
    assert "Warlock" in result.passages[0].chunk.title
    scores = [p.fused_score for p in result.passages]
    assert all(s > 0 for s in scores)


def test_a_chunk_written_after_the_keyword_snapshot_is_found_by_the_next_question(
    settings_factory, embedder, multihop_articles
):
    """The dense and keyword searches of one question read the same writes (the snapshot's),
    so its passages never mix two versions of an article; the next question reads the new."""
    settings = settings_factory()
    ingestor = build_ingestor(settings, embedder=embedder)
    ingestor.ingest_articles(multihop_articles[:3])
    retriever = retriever_for(settings, embedder)
    stale = retriever.keywords.refresh()
    late = multihop_articles[3]
    ingestor.ingest_articles([late])
    vector = embedder.embed_query(late.title)
    found = retriever._dense(stale, vector, Filters())
    assert found and late.id not in {chunk.article_id for chunk, _ in found}
    passages = retriever.retrieve(late.title, 5).passages
    assert late.id in {p.chunk.article_id for p in passages}
    assert all(p.chunk.text for p in passages)
