"""What routes are given: the answer service, the stores and the metrics of this app.

Everything lives on ``app.state``, set once by ``create_app``, so several apps in one process
(tests, workers) never share a store or a metrics registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from service.answering.service import AnswerService
from service.api.prometheus import Metrics
from service.api.sse import AnswerStreams
from service.articles import ArticleService
from service.contract import Answer
from service.conversations.store import ConversationStore
from service.conversations.turns import Turns
from service.runtime import ServiceHolder
from service.settings import Settings
from service.stores.answer_log import AnswerLog
from service.stores.feeds import FeedStore

CHANNEL = "api"


@dataclass(frozen=True)
class AnswerRecord:
    """An API answer on record (for ``GET /answers/{id}`` and feedback) and counted."""

    answers: AnswerLog
    metrics: Metrics

    def __call__(self, answer: Answer) -> None:
        self.answers.record_answer(answer, CHANNEL)
        self.metrics.count_answer(answer)


def _state(name: str) -> Any:
    def from_state(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(from_state)


async def _service(request: Request) -> AnswerService:
    """Waits in a worker thread while the service loads; 503 when the index cannot open."""
    return await run_in_threadpool(request.app.state.holder.get)


Service = Annotated[AnswerService, Depends(_service)]
Holder = Annotated[ServiceHolder, _state("holder")]
AppSettings = Annotated[Settings, _state("settings")]
Answers = Annotated[AnswerLog, _state("answers")]
Conversations = Annotated[ConversationStore, _state("conversations")]
Feeds = Annotated[FeedStore, _state("feeds")]
AppMetrics = Annotated[Metrics, _state("metrics")]
Record = Annotated[AnswerRecord, _state("record")]
ChatTurns = Annotated[Turns, _state("turns")]
Streams = Annotated[AnswerStreams, _state("streams")]


def _articles(service: Service, settings: AppSettings) -> ArticleService:
    return ArticleService.of(service, settings)


Articles = Annotated[ArticleService, Depends(_articles)]
