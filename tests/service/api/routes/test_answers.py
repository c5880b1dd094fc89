"""/ask, /ask/stream, /answers/{id} and /feedback through the real app, model and index."""

from __future__ import annotations

import pytest

from tests.service.api.bodies import QUESTION
from tests.service.api.reading import assert_problem, parse_sse

pytestmark = pytest.mark.integration


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
        ({"question": "\u200b\u200c\u200d\u2060\ufeff"}, "question"),
        ({"question": QUESTION, "top_k": True}, "top_k"),
        ({"question": QUESTION, "top_k": "5"}, "top_k"),
        ({"question": QUESTION, "published_after": 1700000000}, "published_after"),
        ({"question": QUESTION, "published_before": "1700000000"}, "published_before"),
        ({"question": QUESTION, "as_of": 0}, "as_of"),
    ],
)
def test_ask_rejects_bad_input_naming_the_field(client, body, field):
    problem = assert_problem(client.post("/ask", json=body), 422, field)
    assert any(e["field"] == field for e in problem["errors"])


def test_a_question_of_invisible_characters_is_refused_saying_so(client):
    for path in ("/ask", "/chat"):
        refused = client.post(path, json={"question": "\u200b \u200b\u3164"})
        assert_problem(refused, 422, "question", "no visible character")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "Expecting property name"),
        (b'{"question": "x",}', "Expecting property name"),
        (b"", "Field required"),
        (b'{"question": "caf\xe9"}', "not UTF-8"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_a_body_that_is_not_json_is_always_a_422_on_the_body(client, body, reason):
    """Whatever is wrong with it, a malformed JSON body gets one status, naming ``body``."""
    for path in ("/ask", "/chat", "/articles"):
        sent = client.post(path, content=body, headers={"content-type": "application/json"})
        problem = assert_problem(sent, 422, reason)
        assert [e["field"] for e in problem["errors"]] == ["body"]


def test_ask_rejects_reversed_dates_and_broken_json(client):
    body = {"question": QUESTION, "published_after": "2024-02-01", "published_before": "2024-01-01"}
    assert_problem(client.post("/ask", json=body), 422, "published_after is later")
    broken = client.post("/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert_problem(broken, 422)


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


def test_the_direct_answer_is_the_same_on_ask_and_on_the_stream(client):
    question = "Do the North Korean soldiers sent to Kursk have combat experience?"
    asked = client.post("/ask", json={"question": question}).json()
    with client.stream("POST", "/ask/stream", json={"question": question}) as response:
        events = parse_sse(response.read().decode())
    names = [name for name, _ in events if name != "heartbeat"]
    assert names.index("direct") < names.index("delta"), "the direct answer is sent first"
    (direct,) = [data["direct"] for name, data in events if name == "direct"]
    streamed = events[-1][1]["answer"]
    assert asked["direct"]["verdict"] == direct["verdict"] == streamed["direct"]["verdict"] == "no"
    assert direct == streamed["direct"] == asked["direct"]
    assert streamed["text"].startswith(direct["text"])
    assert [c["quote"] for c in streamed["citations"]] == [c["quote"] for c in asked["citations"]]
    contradicted = [c for c in direct["claims"] if c["status"] == "contradicted"]
    quotes = {c["n"]: c["quote"] for c in streamed["citations"]}
    assert any("lack combat experience" in quotes[n] for c in contradicted for n in c["citations"])


def test_stream_refuses_bad_input_before_streaming(client):
    assert_problem(client.post("/ask/stream", json={"question": ""}), 422, "question")


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
