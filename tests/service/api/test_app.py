"""The app as a whole: its OpenAPI document, the same routes and operations as ever."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_openapi_has_examples_and_problem_details(client):
    spec = client.get("/openapi.json").json()
    ask = spec["paths"]["/ask"]["post"]
    examples = ask["requestBody"]["content"]["application/json"]["examples"]
    assert {"plain", "filtered"} <= set(examples)
    assert "422" in ask["responses"] and "Problem" in spec["components"]["schemas"]
    assert (
        "examples"
        in spec["paths"]["/articles"]["post"]["requestBody"]["content"]["application/json"]
    )
    assert (
        "text/event-stream" in spec["paths"]["/ask/stream"]["post"]["responses"]["200"]["content"]
    )


GUARDED = ["200", "401", "413", "422", "500", "503"]
OPERATIONS = {
    ("GET", "/health"): ("health_health_get", ["200"]),
    ("POST", "/ask"): ("ask_ask_post", GUARDED),
    ("POST", "/ask/stream"): ("ask_stream_ask_stream_post", GUARDED),
    ("POST", "/chat"): ("chat_chat_post", GUARDED),
    ("POST", "/chat/stream"): ("chat_stream_chat_stream_post", GUARDED),
    ("GET", "/conversations/{conversation_id}"): (
        "get_conversation_conversations__conversation_id__get",
        [*GUARDED, "404"],
    ),
    ("GET", "/answers/{answer_id}"): ("get_answer_answers__answer_id__get", [*GUARDED, "404"]),
    ("POST", "/feedback"): ("feedback_feedback_post", ["201", *GUARDED[1:], "404"]),
    ("GET", "/search"): ("search_search_get", GUARDED),
    ("POST", "/articles"): ("add_articles_articles_post", [*GUARDED, "201"]),
    ("GET", "/articles"): ("list_articles_articles_get", GUARDED),
    ("GET", "/articles/{article_id}"): ("get_article_articles__article_id__get", [*GUARDED, "404"]),
    ("DELETE", "/articles/{article_id}"): (
        "delete_article_articles__article_id__delete",
        ["204", *GUARDED[1:], "404"],
    ),
    ("GET", "/metrics"): ("metrics_text_metrics_get", GUARDED),
}


def test_every_operation_is_documented_under_its_stable_id(client):
    """Client generators name their methods after operation ids: they must not move."""
    paths = client.get("/openapi.json").json()["paths"]
    found = {
        (method.upper(), path): (op["operationId"], sorted(op["responses"]))
        for path, ops in paths.items()
        for method, op in ops.items()
    }
    assert found == {key: (op_id, sorted(codes)) for key, (op_id, codes) in OPERATIONS.items()}
    assert "security" not in paths["/health"]["get"]
    assert all(
        "security" in op for path, ops in paths.items() if path != "/health" for op in ops.values()
    )


def test_the_interactive_docs_are_off_unless_asked_for(fresh):
    """They load their scripts from a CDN: off by default; the OpenAPI document stays."""
    with fresh() as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
        assert client.get("/openapi.json").status_code == 200
    with fresh(api_docs=True) as client:
        assert "swagger-ui" in client.get("/docs").text


def test_the_openapi_document_says_a_malformed_body_is_a_422(client):
    ask = client.get("/openapi.json").json()["paths"]["/ask"]["post"]
    assert "not valid JSON" in ask["responses"]["422"]["description"]
