"""/chat, /chat/stream and /conversations/{id}: follow-ups rewritten, turns kept."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.scripted_http import Reply
from tests.service.api.bodies import QUESTION
from tests.service.api.reading import assert_problem, parse_sse

pytestmark = pytest.mark.integration


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


REWRITTEN = "Which outlets reported the North Korean casualties in the Kursk region?"


def test_a_configured_llm_rewrites_follow_ups(news_index):
    """With an LLM answerer, /chat rewrites a follow-up with the model, and falls back offline."""
    with FakeOpenAI() as llm:

        def reply(body: dict) -> str:
            system = body["messages"][0]["content"]
            return REWRITTEN if "rewrite the last question" in system else "No answer here."

        llm.script(Reply(reply))
        settings = news_index.model_copy(
            update={"answerer": "openai:fake-model", "llm_base_url": llm.url, "llm_timeout": 5}
        )
        with TestClient(create_app(settings, preload=False)) as client:
            first = client.post("/chat", json={"question": QUESTION}).json()
            assert first["answer"]["standalone_question"] is None
            body = {
                "question": "and who reported that?",
                "conversation_id": first["conversation_id"],
            }
            follow = client.post("/chat", json=body).json()
            assert follow["answer"]["question"] == "and who reported that?"
            assert follow["answer"]["standalone_question"] == REWRITTEN
            (condense,) = [
                r for r in llm.requests if "<conversation>" in r.body["messages"][-1]["content"]
            ]
            assert f"User: {QUESTION}" in condense.body["messages"][-1]["content"]

            llm.script(Reply(status=500))
            body["question"] = "and when?"
            offline = client.post("/chat", json=body).json()["answer"]
            assert "Kursk" in offline["standalone_question"]
