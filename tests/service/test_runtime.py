"""The answer service of a running process: loaded once, retried after a failure, and the
follow-up rewriter that goes with the configured answerer."""

from __future__ import annotations

import pytest

from service.conversations.llm_rewriter import LLMFollowupRewriter
from service.runtime import ServiceHolder, ServiceUnavailable

pytestmark = pytest.mark.integration


def test_loading_the_service_reads_the_keyword_index_before_the_first_question(news_index):
    holder = ServiceHolder(news_index)
    holder.load()
    keywords = holder.get().retriever.keywords
    assert keywords._snapshot is not None and keywords._snapshot.chunks


def test_an_index_that_cannot_open_says_why_and_is_retried(settings_factory):
    holder = ServiceHolder(settings_factory(chroma_url="http://127.0.0.1:9"))
    with pytest.raises(ServiceUnavailable) as first:
        holder.get()
    assert first.value.detail == holder.error and "Chroma" in holder.error
    with pytest.raises(ServiceUnavailable):
        holder.get()
    assert holder.service is None and holder.rewriter is None


def test_follow_ups_are_rewritten_offline_for_the_extractive_answerer(news_index):
    holder = ServiceHolder(news_index)
    holder.load()
    assert holder.rewriter is None


def test_an_llm_answerer_rewrites_follow_ups_with_the_same_model(news_index):
    settings = news_index.model_copy(
        update={"answerer": "openai:fake-model", "llm_base_url": "http://127.0.0.1:9/v1"}
    )
    holder = ServiceHolder(settings)
    holder.load()
    assert isinstance(holder.rewriter, LLMFollowupRewriter)


def test_an_llm_that_cannot_be_set_up_leaves_the_offline_rewriter(news_index):
    holder = ServiceHolder(news_index.model_copy(update={"answerer": "nosuchprovider:model"}))
    holder.load()
    assert holder.service is not None and holder.rewriter is None
