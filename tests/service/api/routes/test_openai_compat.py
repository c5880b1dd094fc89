"""/v1/chat/completions and /v1/models, driven by the official openai client and LangChain's
ChatOpenAI against a real uvicorn serving the examples index, behind an API key."""

from __future__ import annotations

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from service.api.app import create_app
from tests.service.api.serving import served

pytestmark = pytest.mark.integration

KEY = "test-key"
QUESTION = "How much revenue did Kestrel report?"
WHO = "Who is the mayor of Valmora?"
FOLLOW_UP = "What did he ask employers?"


@pytest.fixture(scope="module")
def base_url(examples_index):
    settings = examples_index.model_copy(update={"api_keys": [SecretStr(KEY)]})
    with served(create_app(settings, preload=False)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url):
    with openai.OpenAI(base_url=f"{base_url}/v1", api_key=KEY, max_retries=0) as client:
        yield client


@pytest.fixture(scope="module")
def http(base_url):
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60
    ) as http:
        yield http


def ask(client, *messages: str | tuple[str, str], **options):
    """A completion for the messages; a plain string is the user's."""
    turns = [
        {"role": "user", "content": m} if isinstance(m, str) else {"role": m[0], "content": m[1]}
        for m in messages
    ]
    return client.chat.completions.create(model="newsdesk", messages=turns, **options)


def test_the_model_is_listed(client):
    assert [m.id for m in client.models.list()] == ["newsdesk"]
    assert client.models.retrieve("newsdesk").owned_by == "newsdesk"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_the_answer_is_the_message_with_its_citations_and_numbered_sources(client, http):
    completion = ask(client, QUESTION)
    (choice,) = completion.choices
    assert choice.message.role == "assistant" and choice.finish_reason == "stop"
    text = choice.message.content
    assert text.startswith("**3.84 billion dollars** [1]")
    extra = completion.model_extra
    citations = extra["citations"]
    assert citations and citations[0]["quote"] == "3.84 billion dollars"
    head, sources = text.split("\n\nSources:\n")
    for citation in citations:
        assert f"[{citation['n']}]" in head and f"[{citation['n']}]" in sources
        assert citation["url"] in sources
    assert "Kestrel Semiconductor beats forecasts" in sources and "Market Wire" in sources

    same = http.post("/ask", json={"question": QUESTION}).json()
    assert [(c["quote"], c["start"]) for c in citations] == [
        (c["quote"], c["start"]) for c in same["citations"]
    ], "the same citations as POST /ask"
    on_record = http.get(f"/answers/{extra['answer_id']}").json()
    assert on_record["citations"] == citations and extra["status"] == "answered"


def test_a_stream_sends_the_same_text_then_done(client, base_url):
    plain = ask(client, QUESTION).choices[0].message.content
    chunks = list(ask(client, QUESTION, stream=True, stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain
    closing = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(closing) == 1 and closing[0].model_extra["citations"][0]["n"] == 1
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert len({c.id for c in chunks}) == 1

    body = {"model": "newsdesk", "stream": True, "messages": [{"role": "user", "content": "x"}]}
    raw = httpx.post(
        f"{base_url}/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=60,
    )
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert raw.text.replace("\r\n", "\n").rstrip().endswith("data: [DONE]")


def test_earlier_messages_are_the_follow_ups_context(client, http):
    first = ask(client, WHO)
    assert first.choices[0].message.content.startswith("**Mayor Aurelio Pask**")
    follow = ask(client, WHO, ("assistant", first.choices[0].message.content), FOLLOW_UP)
    standalone = follow.model_extra["standalone_question"]
    assert "Aurelio Pask" in standalone
    assert "outdoor work" in follow.choices[0].message.content

    chat = http.post("/chat", json={"question": WHO}).json()
    again = http.post(
        "/chat", json={"question": FOLLOW_UP, "conversation_id": chat["conversation_id"]}
    ).json()
    assert again["answer"]["standalone_question"] == standalone, "read as POST /chat reads it"


def test_system_messages_are_ignored_and_filters_ride_along(client):
    question = "What was fourth-quarter revenue?"
    plain = ask(client, question)
    instructed = ask(client, ("system", "Answer in French."), question)
    assert instructed.choices[0].message.content == plain.choices[0].message.content
    assert {c["source"] for c in plain.model_extra["citations"]} > {"Nordic Business Daily"}
    only = ask(client, question, extra_body={"source": "Nordic Business Daily"})
    assert {c["source"] for c in only.model_extra["citations"]} == {"Nordic Business Daily"}


def test_a_decline_is_a_message_without_sources(client):
    declined = ask(client, "Who won the Eurovision song contest?")
    assert declined.model_extra["status"] == "declined"
    assert "Sources:" not in declined.choices[0].message.content
    assert declined.model_extra["citations"] == []


def test_refusals_are_the_errors_openai_clients_expect(base_url, client):
    """OpenAI's error envelope: the openai client raises its typed exception with newsdesk's
    message, the field at fault as ``param`` and a ``code`` to branch on."""
    with openai.OpenAI(base_url=f"{base_url}/v1", api_key="wrong", max_retries=0) as stranger:
        with pytest.raises(openai.AuthenticationError) as wrong_key:
            ask(stranger, QUESTION)
        with pytest.raises(openai.AuthenticationError):
            stranger.models.list()
    assert wrong_key.value.body["message"] == "the API key is not valid"
    assert str(wrong_key.value) == "Error code: 401 - the API key is not valid"
    assert (wrong_key.value.type, wrong_key.value.code) == (
        "invalid_request_error",
        "invalid_api_key",
    )
    keyless = httpx.post(f"{base_url}/v1/chat/completions", json={"model": "newsdesk"})
    assert keyless.status_code == 401 and keyless.headers["www-authenticate"] == "Bearer"
    assert keyless.json()["error"]["message"].startswith("an API key is required")

    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}]
        )
    assert unknown.value.body["message"] == (
        "the model 'gpt-4o' does not exist: newsdesk serves one, 'newsdesk'"
    )
    assert (unknown.value.code, unknown.value.param) == ("model_not_found", "model")
    with pytest.raises(openai.NotFoundError) as unknown_card:
        client.models.retrieve("gpt-4o")
    assert unknown_card.value.code == "model_not_found"

    with pytest.raises(openai.UnprocessableEntityError) as last:
        ask(client, QUESTION, ("assistant", "an answer"))
    assert last.value.body["message"] == (
        "invalid field(s): messages.1: the last message must be the user's question"
    )
    assert (last.value.param, last.value.type) == ("messages.1", "invalid_request_error")
    for extra, field in [
        ({"top_k": 0}, "top_k"),
        ({"top_k": True}, "top_k"),
        ({"published_after": "someday"}, "published_after"),
        ({"as_of": 0}, "as_of"),
        ({"published_after": "2024-05-01", "published_before": "2024-01-01"}, "published_after"),
    ]:
        with pytest.raises(openai.UnprocessableEntityError) as refused:
            ask(client, QUESTION, extra_body=extra)
        assert refused.value.param == field, extra
        assert refused.value.body["message"].startswith(f"invalid field(s): {field}: "), extra
    for question in ("\u200b", "x" * 2001):
        with pytest.raises(openai.UnprocessableEntityError) as unaskable:
            ask(client, QUESTION, ("assistant", "an answer"), question)
        assert unaskable.value.param == "messages.2.content"
    with pytest.raises(openai.UnprocessableEntityError) as two:
        ask(client, QUESTION, n=2)
    assert two.value.param == "n"


def test_a_body_over_the_limit_is_refused_in_the_envelope(examples_index):
    settings = examples_index.model_copy(update={"max_body_bytes": 1024})
    with (
        served(create_app(settings, preload=False)) as url,
        openai.OpenAI(base_url=f"{url}/v1", api_key="any", max_retries=0) as client,
        pytest.raises(openai.APIStatusError) as too_large,
    ):
        ask(client, "x" * 1500)
    assert too_large.value.status_code == 413
    assert (
        too_large.value.body["message"] == "the request body is larger than the limit of 1024 bytes"
    )


def test_an_unreachable_index_is_a_503_before_a_stream_begins(settings_factory):
    settings = settings_factory(chroma_url="http://127.0.0.1:9")
    with (
        served(create_app(settings, preload=False)) as url,
        openai.OpenAI(base_url=f"{url}/v1", api_key="any", max_retries=0) as client,
    ):
        for stream in (False, True):
            with pytest.raises(openai.InternalServerError) as down:
                ask(client, QUESTION, stream=stream)
            assert down.value.status_code == 503 and "Chroma" in down.value.body["message"]
            assert (down.value.type, down.value.code) == ("server_error", "index_unavailable")


def test_errors_elsewhere_stay_problem_documents(http):
    """Only /v1 speaks OpenAI: the rest of the API keeps its RFC 9457 bodies."""
    refused = http.post("/ask", json={"question": "\u200b"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "question"


def test_langchain_chat_openai_invokes_and_streams(base_url):
    model = ChatOpenAI(model="newsdesk", base_url=f"{base_url}/v1", api_key=KEY, max_retries=0)
    reply = model.invoke([HumanMessage(QUESTION)])
    assert isinstance(reply, AIMessage)
    assert reply.content.startswith("**3.84 billion dollars** [1]")
    assert "Sources:" in reply.content
    streamed = "".join(chunk.content for chunk in model.stream(QUESTION))
    assert streamed == reply.content
    follow = model.invoke(
        [HumanMessage(WHO), AIMessage(model.invoke(WHO).content), HumanMessage(FOLLOW_UP)]
    )
    assert "outdoor work" in follow.content
