"""/chat, /chat/stream and /conversations/{id}: questions asked in a conversation.

A follow-up is rewritten to stand alone first (``service.conversations.turns``, as in Slack);
the conversation is created by the first question asked without an id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from service.api.deps import ChatTurns, Conversations, Holder, Service, Streams
from service.api.errors import found, on_index
from service.api.openapi import CHAT_EXAMPLES, STREAM_RESPONSES, problem_responses
from service.api.schemas import ChatRequest, ChatResponse
from service.contract import Answer
from service.conversations.store import Conversation
from service.conversations.turns import PendingTurn

router = APIRouter()
Chat = Annotated[ChatRequest, Body(openapi_examples=CHAT_EXAMPLES)]


async def start_turn(
    body: ChatRequest, conversations: Conversations, turns: ChatTurns, holder: Holder
) -> tuple[Conversation, PendingTurn]:
    """The conversation (created when absent; 404 when unknown) and the request to answer."""
    if body.conversation_id:
        conversation = found(
            await run_in_threadpool(conversations.get, body.conversation_id),
            "conversation",
            body.conversation_id,
        )
    else:
        conversation = await run_in_threadpool(conversations.create, "api")
    history = await run_in_threadpool(conversations.history, conversation.id)
    pending = await run_in_threadpool(turns.begin, body, history, holder.rewriter)
    return conversation, pending


@router.post(
    "/chat",
    response_model=ChatResponse,
    tags=["conversations"],
    responses=problem_responses(404),
)
async def chat(
    service: Service,
    conversations: Conversations,
    turns: ChatTurns,
    holder: Holder,
    body: Chat,
) -> ChatResponse:
    """A question in a conversation: follow-ups are rewritten to stand alone first."""
    conversation, pending = await start_turn(body, conversations, turns, holder)
    answer = await on_index(service.ask, pending.request)
    answer, turn = await run_in_threadpool(turns.finish, pending, answer, conversation.id)
    return ChatResponse(conversation_id=conversation.id, turn=turn.index, answer=answer)


@router.post(
    "/chat/stream",
    tags=["conversations"],
    responses={**STREAM_RESPONSES, **problem_responses(404)},
    response_class=Response,
)
async def chat_stream(
    service: Service,
    conversations: Conversations,
    turns: ChatTurns,
    holder: Holder,
    streams: Streams,
    body: Chat,
) -> EventSourceResponse:
    """/chat as server-sent events; the conversation id is in the X-Conversation-Id header."""
    conversation, pending = await start_turn(body, conversations, turns, holder)

    async def finish(answer: Answer) -> Answer:
        answer, _ = await run_in_threadpool(turns.finish, pending, answer, conversation.id)
        return answer

    return streams.respond(
        lambda: service.stream(pending.request),
        finish,
        headers={"X-Conversation-Id": conversation.id},
    )


@router.get(
    "/conversations/{conversation_id}",
    response_model=Conversation,
    tags=["conversations"],
    responses=problem_responses(404),
)
async def get_conversation(conversations: Conversations, conversation_id: str) -> Conversation:
    conversation = await run_in_threadpool(conversations.get, conversation_id)
    return found(conversation, "conversation", conversation_id)
