"""/v1/chat/completions and /v1/models: newsdesk as an OpenAI-compatible chat model.

Any tool that speaks OpenAI's API (the openai client, LangChain's ChatOpenAI, chat front ends)
can ask newsdesk: the answer is the assistant message, its citations an extra field. Follow-ups
are read against the earlier messages (``service.openai_compat.conversation``); the answer is
on record like any other (``GET /answers/{id}``). A stream sends the finished answer's text, so
it never shows a sentence the citation check would remove.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from service.answering.service import AnswerService
from service.api.deps import ChatTurns, Holder, Service, Streams
from service.api.errors import OPENAI_PREFIX, OpenAIError, classify, invalid, on_index, openai_error
from service.api.openapi import openai_error_responses
from service.api.sse import AnswerStreams, pull_in_thread
from service.contract import AnswerEvent, AskRequest
from service.conversations.turns import PendingTurn, Turns
from service.openai_compat.completions import ChunkStream, completion
from service.openai_compat.conversation import NoQuestion, read_conversation
from service.openai_compat.schemas import (
    MODEL_ID,
    ChatCompletion,
    ChatCompletionRequest,
    ErrorBody,
    ModelCard,
    ModelList,
)
from service.runtime import ServiceHolder

router = APIRouter(prefix=OPENAI_PREFIX, tags=["openai"])
FILTERS = ("top_k", "published_after", "published_before", "source", "as_of")


def _data(data: dict[str, Any]) -> dict[str, Any]:
    """One unnamed server-sent event, as OpenAI streams them: only a ``data`` line."""
    return {"type": "object", "required": ["data"], "properties": {"data": data}}


STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "A chat completion; with `stream: true`, server-sent `chat.completion.chunk` "
            "events (`data: {...}`), the last with `finish_reason` and the answer's "
            "`citations`, `answer_id` and `status`, then `data: [DONE]`. The text ends with "
            "the numbered sources."
        ),
        "content": {
            "text/event-stream": {
                "itemSchema": {
                    "anyOf": [
                        _data({"type": "string", "contentMediaType": "application/json"}),
                        _data({"const": "[DONE]"}),
                    ]
                }
            }
        },
    }
}


@router.get("/models", response_model=ModelList)
async def list_models() -> ModelList:
    """The one model: `newsdesk`."""
    return ModelList()


@router.get("/models/{model_id}", response_model=ModelCard, responses=openai_error_responses(404))
async def get_model(model_id: str) -> ModelCard:
    _known(model_id)
    return ModelCard()


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={**STREAM_DOC, **openai_error_responses(404)},
)
async def chat_completions(
    service: Service,
    turns: ChatTurns,
    holder: Holder,
    streams: Streams,
    body: ChatCompletionRequest,
) -> Any:
    """The conversation's last message answered, with citations, as OpenAI's API would."""
    _known(body.model)
    pending = await run_in_threadpool(_begin, body, turns, holder)
    if not body.stream:
        answer = await on_index(service.ask, pending.request)
        answer, _ = await run_in_threadpool(turns.finish, pending, answer, None)
        return completion(answer)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    return EventSourceResponse(
        _stream(service, turns, streams, pending, include_usage),
        ping=streams.heartbeat_seconds,
    )


def _known(model: str) -> None:
    if model != MODEL_ID:
        raise OpenAIError(
            404,
            f"the model '{model}' does not exist: newsdesk serves one, '{MODEL_ID}'",
            code="model_not_found",
            param="model",
        )


def _begin(body: ChatCompletionRequest, turns: Turns, holder: ServiceHolder) -> PendingTurn:
    """The question in its conversation, rewritten to stand alone; a 422 naming the field
    when it cannot be asked."""
    try:
        conversation = read_conversation(body.messages)
    except NoQuestion as exc:
        raise invalid([{"loc": ("body", "messages", exc.index), "msg": str(exc)}]) from None
    last = len(body.messages) - 1
    try:
        asked = AskRequest(
            question=conversation.question,
            **{name: getattr(body, name) for name in FILTERS if getattr(body, name) is not None},
        )
    except ValidationError as exc:
        raise invalid(
            [
                {
                    "loc": _location(err["loc"], last),
                    "msg": err["msg"],
                }
                for err in exc.errors()
            ]
        ) from None
    return turns.begin(asked, conversation.history, holder.rewriter)


def _location(loc: tuple[Any, ...], last: int) -> tuple[Any, ...]:
    """Where in the body an AskRequest error lies: the question is the last message's content,
    a cross-field error (reversed dates) is on ``published_after``."""
    if loc == ("question",):
        return ("body", "messages", last, "content")
    return ("body", *(loc or ("published_after",)))


async def _stream(
    service: AnswerService,
    turns: Turns,
    streams: AnswerStreams,
    pending: PendingTurn,
    include_usage: bool,
) -> AsyncIterator[ServerSentEvent]:
    """The opening chunk at once, the answer's chunks when it is complete, then [DONE]; an
    error is OpenAI's error object in the stream. Leaving early stops the work."""
    chunks = ChunkStream(int(time.time()))
    yield _event(chunks.opening().to_json())
    done = False
    try:
        async for event in pull_in_thread(lambda: service.stream(pending.request)):
            if isinstance(event, AnswerEvent):
                answer, _ = await run_in_threadpool(turns.finish, pending, event.answer, None)
                for chunk in chunks.answer(answer, include_usage):
                    yield _event(chunk.to_json())
                done = True
    except Exception as exc:
        done = True
        status, _, detail = classify(exc)
        yield _event(ErrorBody(error=openai_error(status, detail)).model_dump_json())
    finally:
        if not done:
            streams.metrics.streams_abandoned.inc()
    yield _event("[DONE]")


def _event(data: str) -> ServerSentEvent:
    return ServerSentEvent(data=data)
