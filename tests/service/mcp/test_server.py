"""`newsdesk mcp` spawned by the MCP SDK's own stdio client, over the examples index: the
tools, their structured output (the API's contract) and their errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from mcp import Client, StdioServerParameters

from ingest.models import Article
from service.api.app import create_app
from service.api.schemas import SearchResponse
from service.contract import Answer
from service.stores.answer_log import AnswerLog
from tests.support.event_loop import run_async

pytestmark = pytest.mark.integration

QUESTION = "How much revenue did Kestrel report?"
NEWSDESK = Path(sys.executable).with_name("newsdesk")


def spawn(settings, cwd: Path) -> StdioServerParameters:
    """`newsdesk mcp` as a host would start it: configured by its environment alone."""
    return StdioServerParameters(
        command=str(NEWSDESK),
        args=["mcp"],
        env={
            "NEWSDESK_DATA_DIR": str(settings.data_dir),
            "NEWSDESK_COLLECTION_PREFIX": settings.collection_prefix,
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
        },
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def session_results(examples_index, tmp_path_factory):
    """One spawned server, every call this module checks made through it."""

    async def run() -> dict:
        params = spawn(examples_index, tmp_path_factory.mktemp("mcp-host"))
        async with Client(params, read_timeout_seconds=300) as client:
            listed = await client.list_tools()
            ask = await client.call_tool("ask", {"question": QUESTION})
            search = await client.call_tool("search", {"query": "Valmora heat record", "k": 3})
            first = search.structured_content["passages"][0]["chunk"]["article_id"]
            return {
                "tools": {tool.name: tool for tool in listed.tools},
                "ask": ask,
                "search": search,
                "article": await client.call_tool("get_article", {"id_or_url": first}),
                "unknown": await client.call_tool("get_article", {"id_or_url": "no-such-id"}),
                "blank": await client.call_tool("ask", {"question": "\u200b"}),
                "too_many": await client.call_tool("search", {"query": "x", "k": 99}),
            }

    return run_async(run)


def test_the_tools_declare_the_contract_they_return(session_results):
    tools = session_results["tools"]
    assert set(tools) == {"ask", "search", "get_article"}
    assert {"citations", "direct", "status"} <= set(tools["ask"].output_schema["properties"])
    assert "passages" in tools["search"].output_schema["properties"]
    assert "body" in tools["get_article"].output_schema["properties"]
    assert all(tool.annotations.read_only_hint for tool in tools.values())
    assert tools["ask"].input_schema["required"] == ["question"]


def test_ask_returns_the_answer_the_api_gives_and_puts_it_on_record(
    session_results, examples_index
):
    result = session_results["ask"]
    assert not result.is_error
    answer = Answer.model_validate(result.structured_content)
    assert answer.status == "answered" and answer.direct.text == "3.84 billion dollars"
    with TestClient(create_app(examples_index, preload=False)) as api:
        same = Answer.model_validate(api.post("/ask", json={"question": QUESTION}).json())
    assert [(c.quote, c.start, c.url) for c in answer.citations] == [
        (c.quote, c.start, c.url) for c in same.citations
    ]
    assert AnswerLog.from_settings(examples_index).get_answer(answer.id) == answer


def test_search_and_get_article(session_results):
    found = SearchResponse.model_validate(session_results["search"].structured_content)
    assert len(found.passages) <= 3 and "Valmora" in found.passages[0].chunk.title
    article = Article.model_validate(session_results["article"].structured_content)
    assert article.id == found.passages[0].chunk.article_id
    assert "41.3 degrees Celsius" in article.body


def test_failures_are_tool_errors_saying_why(session_results):
    unknown = session_results["unknown"]
    assert unknown.is_error and "no article with id or URL 'no-such-id'" in unknown.content[0].text
    blank = session_results["blank"]
    assert blank.is_error and "no visible character" in blank.content[0].text
    too_many = session_results["too_many"]
    assert too_many.is_error and "less than or equal to 50" in too_many.content[0].text
