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


ANY = ["413", "500"]
INPUT = [*ANY, "422"]
INDEX = [*INPUT, "503"]
OPERATIONS = {
    ("GET", "/health"): ("health_health_get", ["200", *ANY]),
    ("POST", "/ask"): ("ask_ask_post", ["200", *INDEX]),
    ("POST", "/ask/stream"): ("ask_stream_ask_stream_post", ["200", *INDEX]),
    ("POST", "/chat"): ("chat_chat_post", ["200", "404", *INDEX]),
    ("POST", "/chat/stream"): ("chat_stream_chat_stream_post", ["200", "404", *INDEX]),
    ("GET", "/conversations/{conversation_id}"): (
        "get_conversation_conversations__conversation_id__get",
        ["200", "404", *INPUT],
    ),
    ("GET", "/answers/{answer_id}"): ("get_answer_answers__answer_id__get", ["200", "404", *INPUT]),
    ("POST", "/feedback"): ("feedback_feedback_post", ["201", "404", *INPUT]),
    ("GET", "/search"): ("search_search_get", ["200", *INDEX]),
    ("POST", "/articles"): ("add_articles_articles_post", ["200", "201", *INDEX]),
    ("GET", "/articles"): ("list_articles_articles_get", ["200", *INDEX]),
    ("GET", "/articles/{article_id}"): (
        "get_article_articles__article_id__get",
        ["200", "404", *INDEX],
    ),
    ("DELETE", "/articles/{article_id}"): (
        "delete_article_articles__article_id__delete",
        ["204", "404", *INDEX],
    ),
    ("GET", "/stories/{story_id}"): ("get_story_stories__story_id__get", ["200", "404", *INDEX]),
    ("GET", "/articles/{article_id}/versions"): (
        "list_versions_articles__article_id__versions_get",
        ["200", "404", *INDEX],
    ),
    ("GET", "/articles/{article_id}/versions/{number}"): (
        "get_version_articles__article_id__versions__number__get",
        ["200", "404", *INDEX],
    ),
    ("POST", "/feeds"): ("watch_feed_feeds_post", ["200", "201", *INDEX]),
    ("GET", "/feeds"): ("list_feeds_feeds_get", ["200", *ANY]),
    ("GET", "/metrics"): ("metrics_text_metrics_get", ["200", *ANY]),
    ("GET", "/v1/models"): ("list_models_v1_models_get", ["200", *ANY]),
    ("GET", "/v1/models/{model_id}"): (
        "get_model_v1_models__model_id__get",
        ["200", "404", *INPUT],
    ),
    ("POST", "/v1/chat/completions"): (
        "chat_completions_v1_chat_completions_post",
        ["200", "404", *INDEX],
    ),
}


def operations(spec: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): op
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    }


def test_every_operation_is_documented_under_its_stable_id_with_every_status(client):
    """Client generators name their methods after operation ids: they must not move. Each
    operation lists every status it can answer; with no API keys set, no security."""
    spec = client.get("/openapi.json").json()
    found = {
        key: (op["operationId"], sorted(op["responses"])) for key, op in operations(spec).items()
    }
    assert found == {key: (op_id, sorted(codes)) for key, (op_id, codes) in OPERATIONS.items()}
    assert "securitySchemes" not in spec["components"]
    assert not any("security" in op for op in operations(spec).values())


def test_with_api_keys_every_guarded_operation_declares_bearer_security_and_401(fresh):
    with fresh(api_keys="key1") as keyed:
        spec = keyed.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for key, op in operations(spec).items():
        if key == ("GET", "/health"):
            assert "security" not in op and "401" not in op["responses"]
            continue
        assert op["security"] == [{"HTTPBearer": []}], key
        assert sorted(op["responses"]) == sorted([*OPERATIONS[key][1], "401"]), key
        assert "WWW-Authenticate" in op["responses"]["401"]["headers"]


PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
ENVELOPE_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def test_errors_are_documented_as_sent_problem_details_or_under_v1_openais_envelope(fresh):
    """As each error is sent: OpenAI's error envelope (plain JSON) under /v1, which OpenAI
    clients read; an RFC 9457 problem document everywhere else. With keys set, the 401s too."""
    for keys in ({}, {"api_keys": "key1"}):
        with fresh(**keys) as client:
            spec = client.get("/openapi.json").json()
        for (method, path), op in operations(spec).items():
            expected = ENVELOPE_CONTENT if path.startswith("/v1/") else PROBLEM_CONTENT
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    assert response["content"] == expected, (method, path, code)
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"message", "type", "param", "code"}
    assert detail["required"] == ["message", "type"]


def test_v1_speaks_openai_even_where_no_route_answers(client):
    """A path or method /v1 does not serve is OpenAI's envelope too: an OpenAI client calling
    an endpoint newsdesk lacks raises its typed error with newsdesk's message."""
    nowhere = client.get("/v1/embeddings")
    assert nowhere.status_code == 404 and nowhere.headers["content-type"] == "application/json"
    assert nowhere.json()["error"]["type"] == "invalid_request_error"
    wrong_method = client.delete("/v1/models")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert client.get("/nowhere").headers["content-type"] == "application/problem+json"


def test_streams_are_documented_as_event_streams_of_typed_events(client):
    spec = client.get("/openapi.json").json()
    for path in ("/ask/stream", "/chat/stream"):
        content = spec["paths"][path]["post"]["responses"]["200"]["content"]
        assert list(content) == ["text/event-stream"]
        events = content["text/event-stream"]["itemSchema"]["oneOf"]
        names = [e["properties"]["event"]["const"] for e in events]
        assert names == ["passages", "direct", "delta", "citation", "answer", "error", "heartbeat"]
        for event in events[:-1]:
            data = event["properties"]["data"]
            assert data["contentMediaType"] == "application/json"
            name = data["contentSchema"]["$ref"].rsplit("/", 1)[1]
            assert name in spec["components"]["schemas"]


def test_the_schema_of_posted_articles_refuses_what_the_route_refuses(client):
    schema = client.get("/openapi.json").json()["paths"]["/articles"]["post"]["requestBody"]
    one, many = schema["content"]["application/json"]["schema"]["anyOf"]
    assert one == {"$ref": "#/components/schemas/ArticleIn"}
    assert (many["minItems"], many["maxItems"]) == (1, 500)
    assert client.post("/articles", json=[]).status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/articles", "GET, POST"),
        ("PUT", "/articles", "GET, POST"),
        ("OPTIONS", "/articles/some-id", "DELETE, GET"),
        ("GET", "/ask", "POST"),
        ("OPTIONS", "/health", "GET"),
        ("POST", "/static/app.js", "GET, HEAD"),
    ],
)
def test_a_405_names_every_method_the_path_serves(client, method, path, allowed):
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"] == "application/problem+json"


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
