"""/ask, /ask/stream, /answers/{id} and /feedback: one question, its answer, what users thought."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from service.api.deps import Answers, AppMetrics, Record, Service, Streams
from service.api.errors import found, on_index
from service.api.openapi import ASK_EXAMPLES, STREAM_RESPONSES, problem_responses
from service.api.schemas import FeedbackIn
from service.contract import Answer, AskRequest
from service.stores.answer_log import Feedback

router = APIRouter()
Question = Annotated[AskRequest, Body(openapi_examples=ASK_EXAMPLES)]


@router.post("/ask", response_model=Answer, tags=["answers"])
async def ask(service: Service, record: Record, request: Question) -> Answer:
    """One question in, one cited answer (or a reasoned decline) out."""
    answer = await on_index(service.ask, request)
    await run_in_threadpool(record, answer)
    return answer


@router.post("/ask/stream", tags=["answers"], responses=STREAM_RESPONSES, response_class=Response)
async def ask_stream(
    service: Service, record: Record, streams: Streams, request: Question
) -> EventSourceResponse:
    """The answer as it is built; closing the connection stops the work."""

    async def finish(answer: Answer) -> Answer:
        await run_in_threadpool(record, answer)
        return answer

    return streams.respond(lambda: service.stream(request), finish)


@router.get(
    "/answers/{answer_id}",
    response_model=Answer,
    tags=["answers"],
    responses=problem_responses(404),
)
async def get_answer(answers: Answers, answer_id: str) -> Answer:
    """An answer exactly as given, with what was retrieved and cited for it."""
    return found(await run_in_threadpool(answers.get_answer, answer_id), "answer", answer_id)


@router.post(
    "/feedback",
    response_model=Feedback,
    status_code=201,
    tags=["answers"],
    responses=problem_responses(404),
)
async def feedback(answers: Answers, metrics: AppMetrics, body: FeedbackIn) -> Feedback:
    """A thumbs up or down (and an optional comment) on an answer."""
    saved = await run_in_threadpool(
        answers.record_feedback, body.answer_id, body.rating, body.comment, body.channel
    )
    metrics.feedback.labels(body.rating).inc()
    return saved
