"""The HTTP API and the chat page: FastAPI over the AnswerService.

Every error is an RFC 9457 problem-details body with the right status, and no stack trace ever
reaches a client. Blocking work (embedding, Chroma, SQLite) runs in the thread pool so the event
loop keeps serving /health, streams and heartbeats.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from service.api.deps import AnswerRecord
from service.api.errors import UnexpectedErrors, install_error_handlers
from service.api.guards import BodySizeLimit, api_key_guard, presents_key
from service.api.headers import NoSniff
from service.api.openapi import install_openapi
from service.api.prometheus import Metrics, MetricsMiddleware
from service.api.routes import (
    answers,
    articles,
    conversations,
    feeds,
    openai_compat,
    pages,
    search,
    stories,
    versions,
)
from service.api.routes import service as service_routes
from service.api.sse import HEARTBEAT_SECONDS, AnswerStreams
from service.conversations.store import ConversationStore
from service.conversations.turns import Turns
from service.runtime import ServiceHolder
from service.settings import Settings, get_settings
from service.stores.answer_log import AnswerLog
from service.stores.feeds import FeedStore

DESCRIPTION = (
    "Every answer cites quoted spans of named articles. Errors are RFC 9457 problem "
    "details; a body that is not valid JSON, like any invalid field, is a 422 naming the "
    "field (`body`). When `NEWSDESK_API_KEYS` is set, send `Authorization: Bearer <key>` to "
    "every route except `/health` and the chat page."
)


def create_app(
    settings: Settings | None = None,
    preload: bool = True,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> FastAPI:
    settings = settings or get_settings()
    holder = ServiceHolder(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if preload:
            holder.load_in_background()
        yield

    app = FastAPI(
        title="newsdesk",
        version="0.1.0",
        summary="Questions about news articles, answered with quoted, verifiable citations.",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs" if settings.api_docs else None,
        redoc_url="/redoc" if settings.api_docs else None,
    )
    state = app.state
    state.settings, state.holder, state.metrics = settings, holder, Metrics()
    state.answers = AnswerLog.from_settings(settings)
    state.conversations = ConversationStore.from_settings(settings)
    state.feeds = FeedStore.from_settings(settings)
    state.record = AnswerRecord(state.answers, state.metrics)
    state.turns = Turns(state.conversations, state.record)
    state.streams = AnswerStreams(state.metrics, heartbeat_seconds)

    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(NoSniff)
    install_error_handlers(
        app,
        lambda request: not presents_key(request.headers.get("authorization"), settings.api_keys),
    )

    app.include_router(service_routes.health_router)
    guard = [Depends(api_key_guard(settings.api_keys))]
    for router in (
        answers.router,
        conversations.router,
        search.router,
        versions.router,
        articles.router,
        stories.router,
        feeds.router,
        service_routes.metrics_router,
        openai_compat.router,
    ):
        app.include_router(router, dependencies=guard)
    pages.add_chat_page(app)

    if settings.slack_enabled:
        from service.slack.serving import mount_slack

        mount_slack(app, holder, state.answers, state.conversations)
    install_openapi(app)
    return app
