"""NewsdeskRetriever in a small LangChain chain, over a running newsdesk (real HTTP, an API
key) and in-process, on the examples index."""

from __future__ import annotations

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import ParrotFakeChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from pydantic import SecretStr

from service.answering.service import AnswerService
from service.api.app import create_app
from service.clients.langchain_retriever import NewsdeskRetriever
from tests.service.api.serving import served
from tests.support.event_loop import run_async

pytestmark = pytest.mark.integration

KEY = "retriever-key"
QUERY = "Valmora temperature record"
PROMPT = ChatPromptTemplate.from_messages(
    [("human", "Answer from these passages only.\n\n{context}\n\nQuestion: {question}")]
)


@pytest.fixture(scope="module")
def base_url(examples_index):
    settings = examples_index.model_copy(update={"api_keys": [SecretStr(KEY)]})
    with served(create_app(settings, preload=False)) as url:
        yield url


@pytest.fixture(scope="module")
def remote(base_url):
    return NewsdeskRetriever(base_url=base_url, api_key=KEY, k=3)


def format_docs(docs) -> str:
    return "\n\n".join(
        f"[{i}] {d.metadata['title']} ({d.metadata['outlet']}): {d.page_content}"
        for i, d in enumerate(docs, 1)
    )


def test_a_chain_gets_the_passages_with_where_they_come_from(remote):
    docs = remote.invoke(QUERY)
    assert 1 <= len(docs) <= 3
    top = docs[0]
    assert "41.3 degrees Celsius" in top.page_content
    assert top.id == top.metadata["chunk_id"] and top.metadata["rank"] == 1
    assert top.metadata["source"] == "https://southernherald.example/weather/valmora-heat-record"
    assert top.metadata["outlet"] == "Southern Herald"
    assert top.metadata["published"].startswith("2024-07-19")
    assert top.metadata["end"] > top.metadata["start"] >= 0

    chain = (
        {"context": remote | format_docs, "question": RunnablePassthrough()}
        | PROMPT
        | ParrotFakeChatModel()
        | StrOutputParser()
    )
    said = chain.invoke(QUERY)
    assert f"Question: {QUERY}" in said
    assert "[1] Valmora breaks its temperature record" in said and "41.3 degrees" in said


def test_in_process_and_async_retrieval_find_the_same_passages(remote, examples_index):
    local = NewsdeskRetriever(service=AnswerService.from_settings(examples_index), k=3)
    ids = [d.id for d in remote.invoke(QUERY)]
    assert [d.id for d in local.invoke(QUERY)] == ids
    assert [d.id for d in run_async(lambda: remote.ainvoke(QUERY))] == ids
    assert [d.id for d in run_async(lambda: local.ainvoke(QUERY))] == ids


def test_filters_reach_the_search(base_url):
    outlet = NewsdeskRetriever(base_url=base_url, api_key=KEY, source="Nordic Business Daily")
    docs = outlet.invoke("fourth-quarter revenue")
    assert docs and {d.metadata["outlet"] for d in docs} == {"Nordic Business Daily"}
    later = NewsdeskRetriever(base_url=base_url, api_key=KEY, published_after="2024-07-01")
    assert all(d.metadata["published"] >= "2024-07-01" for d in later.invoke("record"))


def test_refusals_raise_with_the_servers_reason(base_url):
    with pytest.raises(httpx.HTTPStatusError, match="401"):
        NewsdeskRetriever(base_url=base_url, api_key="wrong").invoke(QUERY)
    with pytest.raises(ValueError, match="either base_url"):
        NewsdeskRetriever()
