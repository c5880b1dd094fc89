"""Every route through the real app (FastAPI TestClient over real Chroma and the real model)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from service.api.app import ServiceHolder, create_app

pytestmark = pytest.mark.integration

QUESTION = "How many North Korean troops were killed or wounded in the Kursk region?"
PROBLEM = "application/problem+json"


def parse_sse(text: str) -> list[tuple[str, dict]]:
    """(event, data) pairs from a text/event-stream body."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def assert_problem(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"]
    text = json.dumps(body)
    assert "Traceback" not in text
    for word in words:
        assert word in text, (word, body)
    return body


@pytest.fixture(scope="module")
def client(news_index, embedder):
    with TestClient(create_app(news_index, preload=False)) as client:
        yield client


def test_loading_the_service_reads_the_keyword_index_before_the_first_question(news_index):
    holder = ServiceHolder(news_index)
    holder.load()
    keywords = holder.get().retriever.keywords
    assert keywords._snapshot is not None and keywords._snapshot.chunks


@pytest.fixture
def fresh(settings_factory, embedder):
    """An app over an empty index of its own, for routes that write."""

    def make(**overrides):
        return TestClient(create_app(settings_factory(**overrides), preload=False))

    return make


# --- answers -------------------------------------------------------------------------


def test_ask_answers_with_citations_kept_by_id(client):
    response = client.post("/ask", json={"question": QUESTION})
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "answered"
    assert "30" in answer["text"]
    markers = {c["n"] for c in answer["citations"]}
    assert markers and all(f"[{n}]" in answer["text"] for n in markers)
    logged = client.get(f"/answers/{answer['id']}").json()
    assert logged["citations"] == answer["citations"]
    assert [p["chunk"]["id"] for p in logged["passages"]] == [
        p["chunk"]["id"] for p in answer["passages"]
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "   "}, "question"),
        ({"question": QUESTION, "top_k": 0}, "top_k"),
        ({"question": "x" * 2001}, "question"),
        ({"question": QUESTION, "published_after": "yesterday"}, "published_after"),
        ({}, "question"),
    ],
)
def test_ask_rejects_bad_input_naming_the_field(client, body, field):
    problem = assert_problem(client.post("/ask", json=body), 422, field)
    assert any(e["field"] == field for e in problem["errors"])


def test_ask_rejects_reversed_dates_and_broken_json(client):
    body = {"question": QUESTION, "published_after": "2024-02-01", "published_before": "2024-01-01"}
    assert_problem(client.post("/ask", json=body), 422, "published_after is later")
    broken = client.post("/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert_problem(broken, 422)


def test_unknown_ids_are_404(client):
    assert_problem(client.get("/answers/nope"), 404, "nope")
    assert_problem(client.get("/conversations/nope"), 404, "nope")
    assert_problem(client.get("/articles/nope"), 404, "nope")
    assert_problem(client.get("/no-such-route"), 404)


def test_stream_events_come_in_order_and_match_the_answer(client):
    with client.stream("POST", "/ask/stream", json={"question": QUESTION}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.read().decode())
    names = [name for name, _ in events if name != "heartbeat"]
    assert names[0] == "passages" and names[-1] == "answer"
    assert names.count("answer") == 1 and "error" not in names
    assert "delta" in names and "citation" in names
    streamed = ""
    for name, data in events:
        if name == "delta":
            streamed += data["text"]
        elif name == "citation":
            assert f"[{data['citation']['n']}]" in streamed, "a citation precedes its marker"
    answer = events[-1][1]["answer"]
    assert streamed == answer["text"]
    assert client.get(f"/answers/{answer['id']}").json()["text"] == answer["text"]


def test_stream_refuses_bad_input_before_streaming(client):
    assert_problem(client.post("/ask/stream", json={"question": ""}), 422, "question")


# --- conversations -------------------------------------------------------------------


def test_chat_rewrites_follow_ups_and_keeps_the_conversation(client):
    first = client.post("/chat", json={"question": QUESTION}).json()
    conversation_id = first["conversation_id"]
    assert first["turn"] == 0 and first["answer"]["standalone_question"] is None
    follow = client.post(
        "/chat", json={"question": "and who reported that?", "conversation_id": conversation_id}
    ).json()
    assert follow["conversation_id"] == conversation_id and follow["turn"] == 1
    assert follow["answer"]["question"] == "and who reported that?"
    assert "Kursk" in follow["answer"]["standalone_question"]
    assert follow["answer"]["status"] == "answered"
    conversation = client.get(f"/conversations/{conversation_id}").json()
    assert [t["question"] for t in conversation["turns"]] == [QUESTION, "and who reported that?"]
    assert conversation["turns"][1]["answer_id"] == follow["answer"]["id"]


def test_chat_with_unknown_conversation_is_404(client):
    body = {"question": QUESTION, "conversation_id": "does-not-exist"}
    assert_problem(client.post("/chat", json=body), 404, "does-not-exist")


def test_chat_stream_names_the_conversation(client):
    with client.stream("POST", "/chat/stream", json={"question": QUESTION}) as response:
        conversation_id = response.headers["x-conversation-id"]
        events = parse_sse(response.read().decode())
    answer = events[-1][1]["answer"]
    turns = client.get(f"/conversations/{conversation_id}").json()["turns"]
    assert [t["answer_id"] for t in turns] == [answer["id"]]


# --- search --------------------------------------------------------------------------


def test_search_returns_scored_passages(client):
    body = client.get("/search", params={"q": "North Korean troops Kursk", "k": 3}).json()
    passages = body["passages"]
    assert 1 <= len(passages) <= 3
    assert [p["rank"] for p in passages] == list(range(1, len(passages) + 1))
    assert "Kursk" in passages[0]["chunk"]["text"]
    assert all(p["fused_score"] > 0 for p in passages)
    assert body["timings"]["total_ms"] >= 0


def test_search_filters_by_date(client):
    found = client.get(
        "/search", params={"q": "troops", "k": 50, "published_after": "2024-01-01"}
    ).json()["passages"]
    assert all(p["chunk"]["published"] >= "2024-01-01" for p in found if p["chunk"]["published"])
    assert (
        client.get("/search", params={"q": "troops", "published_after": "2099-01-01"}).json()[
            "passages"
        ]
        == []
    )


def test_search_rejects_bad_parameters(client):
    assert_problem(client.get("/search"), 422, "q")
    assert_problem(client.get("/search", params={"q": "x", "k": 0}), 422, "k")
    reversed_dates = {"q": "x", "published_after": "2024-02-01", "published_before": "2024-01-01"}
    assert_problem(client.get("/search", params=reversed_dates), 422, "published_after")


# --- feedback ------------------------------------------------------------------------


def test_feedback_is_stored_against_the_answer(client):
    answer = client.post("/ask", json={"question": QUESTION}).json()
    saved = client.post(
        "/feedback", json={"answer_id": answer["id"], "rating": "down", "comment": "too short"}
    )
    assert saved.status_code == 201
    assert saved.json()["rating"] == "down" and saved.json()["comment"] == "too short"
    rows = client.app.state.answers.list_feedback(answer["id"])
    assert [(r.rating, r.comment) for r in rows] == [("down", "too short")]


def test_feedback_errors(client):
    assert_problem(client.post("/feedback", json={"answer_id": "nope", "rating": "up"}), 404)
    answer = client.post("/ask", json={"question": QUESTION}).json()
    assert_problem(
        client.post("/feedback", json={"answer_id": answer["id"], "rating": "meh"}), 422, "rating"
    )
    assert client.app.state.answers.list_feedback(answer["id"]) == []


# --- articles ------------------------------------------------------------------------

ARTICLE = {
    "title": "Harrowgate council approves Eastline tram",
    "body": (
        "Harrowgate city council voted 7 to 4 on Monday night to build the Eastline tram. "
        "The line will run 9 kilometres from the station to the hospital. "
        "Councillor Mara Quint said the vote ended eleven years of studies."
    ),
    "url": "https://example.org/news/harrowgate-tram?utm_source=feed",
    "source": "Harrowgate Courier",
    "published": "2024-03-05T09:30:00+00:00",
}
OTHER = {
    "title": "Estoria central bank holds rates",
    "text": "The Estoria central bank kept its main rate at 4.25 percent on Thursday.",
    "outlet": "Estoria Ledger",
    "published": "2023-02-01",
}


def test_articles_lifecycle(fresh):
    with fresh() as client:
        created = client.post("/articles", json=ARTICLE)
        assert created.status_code == 201, created.text
        (article_id,) = created.json()["article_ids"]
        assert article_id == "https://example.org/news/harrowgate-tram"
        again = client.post("/articles", json=ARTICLE)
        assert again.status_code == 200 and again.json()["unchanged"] == 1

        assert client.post("/articles", json=[OTHER]).json()["new"] == 1
        page = client.get("/articles", params={"limit": 1}).json()
        assert page["total"] == 2 and len(page["items"]) == 1
        assert page["items"][0]["title"] == ARTICLE["title"], "newest first"
        by_source = client.get("/articles", params={"source": "estoria ledger"}).json()
        assert [a["title"] for a in by_source["items"]] == [OTHER["title"]]
        by_date = client.get("/articles", params={"published_before": "2023-12-31"}).json()
        assert [a["title"] for a in by_date["items"]] == [OTHER["title"]]

        path = "/articles/" + quote(article_id, safe="")
        article = client.get(path).json()
        assert article["body"] == ARTICLE["body"] and article["source"] == ARTICLE["source"]
        hits = client.get("/search", params={"q": "Eastline tram vote"}).json()["passages"]
        assert hits and hits[0]["chunk"]["article_id"] == article_id

        assert client.delete(path).status_code == 204
        assert_problem(client.get(path), 404)
        assert_problem(client.delete(path), 404)
        hits = client.get("/search", params={"q": "Eastline tram vote"}).json()["passages"]
        assert all(p["chunk"]["article_id"] != article_id for p in hits)


def test_bad_articles_are_refused_and_nothing_is_indexed(fresh):
    with fresh() as client:
        bad = [ARTICLE, {"title": "No body here"}, {**OTHER, "published": "someday"}]
        problem = assert_problem(client.post("/articles", json=bad), 422, "body", "someday")
        assert {e["field"] for e in problem["errors"]} == {"1", "2"}
        assert client.get("/articles").json()["total"] == 0
        assert_problem(client.post("/articles", json=[]), 422, "no articles")
        assert_problem(client.post("/articles", json="just text"), 422)


def test_oversized_bodies_are_refused(fresh):
    with fresh(max_body_bytes=2048) as client:
        big = {**ARTICLE, "body": "word " * 1000}
        assert_problem(client.post("/articles", json=big), 413, "2048")

        def chunked():
            yield b'{"question": "'
            for _ in range(100):
                yield b"x" * 100
            yield b'"}'

        response = client.post(
            "/ask", content=chunked(), headers={"content-type": "application/json"}
        )
        assert_problem(response, 413)
        assert client.get("/articles").json()["total"] == 0


# --- service routes ------------------------------------------------------------------


def test_metrics_count_routes_stages_and_index(client):
    client.post("/ask", json={"question": QUESTION})
    client.get("/answers/nope")
    text = client.get("/metrics").text
    assert 'newsdesk_http_requests_total{method="POST",route="/ask",status="200"}' in text
    assert 'route="/answers/{answer_id}",status="404"' in text
    assert 'newsdesk_stage_seconds_count{stage="dense"}' in text
    assert 'newsdesk_answers_total{answerer="extractive",status="answered"}' in text
    index_line = next(x for x in text.splitlines() if x.startswith("newsdesk_index_articles "))
    assert float(index_line.split()[1]) >= 51


def test_api_keys(fresh):
    with fresh(api_keys="key-one,key-two") as client:
        assert client.get("/health").status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/static/app.js").status_code == 200
        for path in ("/metrics", "/articles", "/answers/x"):
            assert_problem(client.get(path), 401, "API key")
        missing = client.post("/ask", json={"question": QUESTION})
        assert_problem(missing, 401, "Bearer")
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.get("/articles", headers={"Authorization": "Bearer key-three"})
        assert_problem(wrong, 401, "not valid")
        basic = client.get("/articles", headers={"Authorization": "Basic a2V5LW9uZQ=="})
        assert_problem(basic, 401)
        for key in ("key-one", "key-two"):
            ok = client.get("/articles", headers={"Authorization": f"Bearer {key}"})
            assert ok.status_code == 200


def test_unreachable_index_is_503(fresh):
    with fresh(chroma_url="http://127.0.0.1:9") as client:
        assert_problem(client.post("/ask", json={"question": QUESTION}), 503, "Chroma")
        assert_problem(client.get("/search", params={"q": "x"}), 503)
        assert_problem(client.post("/articles", json=ARTICLE), 503)
        assert client.get("/health").json()["status"] == "unavailable"


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


def test_chat_page_is_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "newsdesk" in page.text
    assert client.get("/static/style.css").status_code == 200


def test_losing_the_chroma_server_is_503_and_recovers(fresh, tmp_path):
    """A Chroma server that goes away mid-life gives 503s, not 500s; back again, answers resume."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chroma = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(tmp_path / "db")]
    chroma += ["--host", "127.0.0.1", "--port", str(port)]

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(chroma, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat").status_code == 200:
                    return proc
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "chroma did not start"
            time.sleep(0.2)

    proc = start()
    try:
        with fresh(chroma_url=f"http://127.0.0.1:{port}") as client:
            assert client.post("/articles", json=ARTICLE).status_code == 201
            question = {"question": "How did Harrowgate council vote on the Eastline tram?"}
            assert client.post("/ask", json=question).json()["status"] == "answered"
            proc.terminate()
            proc.wait(timeout=15)
            assert_problem(client.post("/ask", json=question), 503, "Index unavailable")
            assert_problem(client.get("/articles"), 503)
            assert client.get("/health").json()["index_ready"] is False
            proc = start()
            assert client.post("/ask", json=question).json()["status"] == "answered"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
