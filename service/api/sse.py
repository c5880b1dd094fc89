"""Answer events from a blocking generator, delivered as server-sent events.

The AnswerService streams from a plain generator that embeds and queries (blocking work). Each
event is pulled in a worker thread; when the client goes away the SSE response cancels us, the
pull in flight finishes, no further one starts, and the generator is closed so its own cleanup
runs. Stopping pulling is what stops the work.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from service.api.errors import classify
from service.api.prometheus import Metrics
from service.contract import Answer, AnswerEvent, ErrorEvent, StreamEvent

T = TypeVar("T")
_DONE = object()
HEARTBEAT_SECONDS = 15.0


@dataclass(frozen=True)
class AnswerStreams:
    """Streams answers with heartbeats, counting those the client left before the end."""

    metrics: Metrics
    heartbeat_seconds: float = HEARTBEAT_SECONDS

    def respond(
        self,
        make: Callable[[], Iterator[StreamEvent]],
        finish: Callable[[Answer], Awaitable[Answer]],
        headers: dict[str, str] | None = None,
    ) -> EventSourceResponse:
        """The events of ``make()``; the final answer is sent as ``finish`` returns it."""

        async def events() -> AsyncIterator[Any]:
            done = False
            try:
                async for event in pull_in_thread(make):
                    if isinstance(event, AnswerEvent):
                        event = AnswerEvent(answer=await finish(event.answer))
                        done = True
                    yield to_sse(event)
            except Exception as exc:
                done = True
                status, title, detail = classify(exc)
                yield error_event(status, title, detail)
            finally:
                if not done:
                    self.metrics.streams_abandoned.inc()

        return EventSourceResponse(
            events(), ping=self.heartbeat_seconds, ping_message_factory=heartbeat, headers=headers
        )


async def pull_in_thread(make: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
    """Iterate a blocking generator without blocking the event loop, one thread hop per item."""
    iterator = await run_in_threadpool(make)
    try:
        while True:
            item = await run_in_threadpool(next, iterator, _DONE)
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            await run_in_threadpool(close)


def to_sse(event: StreamEvent) -> ServerSentEvent:
    """``event:`` names the type; ``data:`` is the event as one line of JSON."""
    return ServerSentEvent(data=event.model_dump_json(), event=event.event)


def heartbeat() -> ServerSentEvent:
    return ServerSentEvent(event="heartbeat", data=json.dumps({}))


def error_event(status: int, title: str, detail: str | None = None) -> ServerSentEvent:
    return to_sse(ErrorEvent(status=status, title=title, detail=detail))
