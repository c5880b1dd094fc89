"""The HTTP API and the chat page: FastAPI over the AnswerService.

Every error is an RFC 9457 problem-details body with the right status, and no stack trace ever
reaches a client. Blocking work (embedding, Chroma, SQLite) runs in the thread pool so the event
loop keeps serving /health, streams and heartbeats.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.index.store import IndexUnavailable, ModelMismatch
from ingest.models import Article
from ingest.sources.records import RecordError, article_from_record
from service.answering.service import AnswerService
from service.api.guards import BodySizeLimit, api_key_guard
from service.api.prometheus import CONTENT_TYPE, Metrics, MetricsMiddleware
from service.api.schemas import (
    MAX_ARTICLES_PER_REQUEST,
    ArticleIn,
    ArticlePage,
    ArticleSummary,
    ChatRequest,
    ChatResponse,
    FeedbackIn,
    IngestResult,
    Problem,
    SearchResponse,
)
from service.api.sse import error_event, heartbeat, pull_in_thread, to_sse
from service.contract import (
    MAX_QUESTION_CHARS,
    Answer,
    AnswerEvent,
    AskRequest,
    StreamEvent,
    as_utc,
)
from service.conversations.followups import Rewriter, rewrite_followup
from service.conversations.store import Conversation, ConversationStore, Turn
from service.settings import Settings, get_settings
from service.stores.answer_log import Feedback, FeedbackStore, UnknownAnswer

log = logging.getLogger("newsdesk.api")
PROBLEM = "application/problem+json"
STATIC = Path(__file__).parent / "static"
HEARTBEAT_SECONDS = 15.0


class ServiceUnavailable(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class Health(BaseModel):
    status: str
    model_ready: bool
    index_ready: bool
    articles: int | None = None
    chunks: int | None = None
    embedding_model: str
    detail: str | None = None


class ServiceHolder:
    """Loads the model and opens the index in the background so /health answers at once.

    A failed load (Chroma server down, model mismatch) is retried on the next request, so the
    service recovers without a restart once the index is back.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.service: AnswerService | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self.service is not None:
                return
            try:
                service = AnswerService.from_settings(self.settings)
            except (IndexUnavailable, ModelMismatch) as exc:
                self.error = str(exc)
                log.error("index unavailable: %s", exc)
                return
            service.warm()
            self.service, self.error = service, None

    def get(self) -> AnswerService:
        """The service, loading it first if needed (blocking: call from a worker thread)."""
        if self.service is None:
            self.load()
        if self.service is None:
            raise ServiceUnavailable(self.error or "the index is still loading")
        return self.service


async def _service(request: Request) -> AnswerService:
    return await run_in_threadpool(request.app.state.holder.get)


Service = Annotated[AnswerService, Depends(_service)]
ArticleId = Annotated[str, PathParam(description="The article id or its URL (percent-encoded).")]


def problem(status: int, title: str, detail: Any = None, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {
            "model": Problem,
            "description": HTTPStatus(code).phrase,
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


ASK_EXAMPLES = {
    "plain": {
        "summary": "A question",
        "value": {"question": "How many North Korean troops were killed or wounded in Kursk?"},
    },
    "filtered": {
        "summary": "Restricted to an outlet and a date range",
        "value": {
            "question": "What did Apple announce?",
            "source": "The Verge",
            "published_after": "2023-11-01",
            "published_before": "2023-12-31",
            "top_k": 5,
        },
    },
}
CHAT_EXAMPLES = {
    "first": {
        "summary": "Start a conversation",
        "value": {"question": "Who did Zelensky say was fighting in Kursk?"},
    },
    "follow-up": {
        "summary": "A follow-up in the same conversation",
        "value": {"question": "and how many were wounded?", "conversation_id": "9b2f…"},
    },
}

ARTICLE_EXAMPLES = {
    "one": {"summary": "One article", "value": ArticleIn.model_json_schema()["examples"][0]},
    "many": {
        "summary": "Several at once",
        "value": [
            ArticleIn.model_json_schema()["examples"][0],
            {
                "title": "Estoria central bank holds rates",
                "text": "The central bank kept its main rate at 4.25 percent…",
                "source": "Estoria Ledger",
                "published": "2024-02-01",
            },
        ],
    },
}


def create_app(
    settings: Settings | None = None,
    preload: bool = True,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> FastAPI:
    settings = settings or get_settings()
    holder = ServiceHolder(settings)
    answers = FeedbackStore.from_settings(settings)
    conversations = ConversationStore.from_settings(settings)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if preload:
            threading.Thread(target=holder.load, name="newsdesk-load", daemon=True).start()
        yield

    app = FastAPI(
        title="newsdesk",
        version="0.1.0",
        summary="Questions about news articles, answered with quoted, verifiable citations.",
        description=(
            "Every answer cites quoted spans of named articles. Errors are RFC 9457 problem "
            "details. When `NEWSDESK_API_KEYS` is set, send `Authorization: Bearer <key>` to "
            "every route except `/health` and the chat page."
        ),
        lifespan=lifespan,
    )
    app.state.holder = holder
    app.state.settings = settings
    app.state.answers = answers
    app.state.conversations = conversations
    app.state.metrics = metrics
    # An LLM-backed follow-up rewriter may be plugged in here; None means the offline one.
    app.state.followup_rewriter: Rewriter | None = None

    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    _install_error_handlers(app)

    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        """Blocking service work in the thread pool; a lost Chroma server becomes a 503."""
        try:
            return await run_in_threadpool(fn, *args)
        except IndexUnavailable:
            raise
        except Exception as exc:
            if _is_store_error(exc):
                raise IndexUnavailable(f"the index cannot be reached: {exc}") from exc
            raise

    async def remember(answer: Answer, channel: str) -> None:
        await run_in_threadpool(answers.record_answer, answer, channel)
        metrics.answers.labels(answer.status, answer.answerer).inc()
        metrics.observe_timings(answer.timings)

    api = APIRouter(
        dependencies=[Depends(api_key_guard(settings.api_keys))],
        responses=_problem_responses(401, 413, 422, 500, 503),
    )

    @app.get("/health", response_model=Health, tags=["service"])
    async def health() -> Health:
        """Open without an API key: whether the model is loaded and the index reachable."""
        service = holder.service
        if service is None:
            return Health(
                status="loading" if holder.error is None else "unavailable",
                model_ready=False,
                index_ready=False,
                embedding_model=settings.embedding_model,
                detail=holder.error,
            )
        try:
            counts = await run_in_threadpool(service.index.counts)
        except Exception as exc:
            return Health(
                status="unavailable",
                model_ready=True,
                index_ready=False,
                embedding_model=settings.embedding_model,
                detail=f"index unreachable: {exc}",
            )
        return Health(
            status="ok",
            model_ready=True,
            index_ready=True,
            embedding_model=settings.embedding_model,
            **counts,
        )

    # --- answering -------------------------------------------------------------------

    @api.post("/ask", response_model=Answer, tags=["answers"])
    async def ask(
        service: Service, request: Annotated[AskRequest, Body(openapi_examples=ASK_EXAMPLES)]
    ) -> Answer:
        """One question in, one cited answer (or a reasoned decline) out."""
        answer = await call(service.ask, request)
        await remember(answer, "api")
        return answer

    def stream_answer(
        make: Callable[[], Iterator[StreamEvent]],
        finish: Callable[[Answer], Awaitable[Answer]],
        headers: dict[str, str] | None = None,
    ) -> EventSourceResponse:
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
                status, title, detail = _classify(exc)
                yield error_event(status, title, detail)
            finally:
                if not done:
                    metrics.streams_abandoned.inc()

        return EventSourceResponse(
            events(), ping=heartbeat_seconds, ping_message_factory=heartbeat, headers=headers
        )

    stream_doc = {
        200: {
            "description": (
                "Server-sent events, in order: `passages`, then `delta` (answer text) with a "
                "`citation` after each new marker, then one `answer` (the full Answer); or an "
                "`error` (problem details). A `heartbeat` event comes every 15 s."
            ),
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    }

    @api.post("/ask/stream", tags=["answers"], responses=stream_doc, response_class=Response)
    async def ask_stream(
        service: Service, request: Annotated[AskRequest, Body(openapi_examples=ASK_EXAMPLES)]
    ) -> EventSourceResponse:
        """The answer as it is built; closing the connection stops the work."""

        async def finish(answer: Answer) -> Answer:
            await remember(answer, "api")
            return answer

        return stream_answer(lambda: service.stream(request), finish)

    async def start_turn(body: ChatRequest) -> tuple[Conversation, AskRequest]:
        """The conversation (created when absent) and the standalone question to answer."""
        if body.conversation_id:
            conversation = await run_in_threadpool(conversations.get, body.conversation_id)
            if conversation is None:
                raise StarletteHTTPException(
                    404, f"no conversation with id '{body.conversation_id}'"
                )
        else:
            conversation = await run_in_threadpool(conversations.create, "api")
        history = await run_in_threadpool(conversations.history, conversation.id)
        standalone = await run_in_threadpool(
            rewrite_followup, body.question, history, app.state.followup_rewriter
        )
        if len(standalone) > MAX_QUESTION_CHARS:
            standalone = body.question
        fields = body.model_dump(exclude={"conversation_id", "question"})
        return conversation, AskRequest(question=standalone, **fields)

    async def end_turn(
        conversation: Conversation, question: str, answer: Answer
    ) -> tuple[Answer, Turn]:
        """The answer under the user's own wording, logged and added to the conversation."""
        if answer.question != question:
            answer = answer.model_copy(
                update={"question": question, "standalone_question": answer.question}
            )
        await remember(answer, "api")
        turn = await run_in_threadpool(conversations.add_turn, conversation.id, question, answer)
        return answer, turn

    @api.post("/chat", response_model=ChatResponse, tags=["conversations"])
    async def chat(
        service: Service, body: Annotated[ChatRequest, Body(openapi_examples=CHAT_EXAMPLES)]
    ) -> ChatResponse:
        """A question in a conversation: follow-ups are rewritten to stand alone first."""
        conversation, request = await start_turn(body)
        answer = await call(service.ask, request)
        answer, turn = await end_turn(conversation, body.question, answer)
        return ChatResponse(conversation_id=conversation.id, turn=turn.index, answer=answer)

    @api.post("/chat/stream", tags=["conversations"], responses=stream_doc, response_class=Response)
    async def chat_stream(
        service: Service, body: Annotated[ChatRequest, Body(openapi_examples=CHAT_EXAMPLES)]
    ) -> EventSourceResponse:
        """/chat as server-sent events; the conversation id is in the X-Conversation-Id header."""
        conversation, request = await start_turn(body)

        async def finish(answer: Answer) -> Answer:
            answer, _ = await end_turn(conversation, body.question, answer)
            return answer

        return stream_answer(
            lambda: service.stream(request),
            finish,
            headers={"X-Conversation-Id": conversation.id},
        )

    @api.get(
        "/conversations/{conversation_id}",
        response_model=Conversation,
        tags=["conversations"],
        responses=_problem_responses(404),
    )
    async def get_conversation(conversation_id: str) -> Conversation:
        conversation = await run_in_threadpool(conversations.get, conversation_id)
        if conversation is None:
            raise StarletteHTTPException(404, f"no conversation with id '{conversation_id}'")
        return conversation

    @api.get(
        "/answers/{answer_id}",
        response_model=Answer,
        tags=["answers"],
        responses=_problem_responses(404),
    )
    async def get_answer(answer_id: str) -> Answer:
        """An answer exactly as given, with what was retrieved and cited for it."""
        answer = await run_in_threadpool(answers.get_answer, answer_id)
        if answer is None:
            raise StarletteHTTPException(404, f"no answer with id '{answer_id}'")
        return answer

    @api.post(
        "/feedback",
        response_model=Feedback,
        status_code=201,
        tags=["answers"],
        responses=_problem_responses(404),
    )
    async def feedback(body: FeedbackIn) -> Feedback:
        """A thumbs up or down (and an optional comment) on an answer."""
        try:
            saved = await run_in_threadpool(
                answers.record_feedback, body.answer_id, body.rating, body.comment, body.channel
            )
        except UnknownAnswer as exc:
            raise StarletteHTTPException(404, str(exc)) from None
        metrics.feedback.labels(body.rating).inc()
        return saved

    # --- search and articles ---------------------------------------------------------

    @api.get("/search", response_model=SearchResponse, tags=["search"])
    async def search(
        service: Service,
        q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, examples=["Kursk"])],
        k: Annotated[int | None, Query(ge=1, le=50, description="Passages to return.")] = None,
        published_after: Annotated[datetime | date | None, Query()] = None,
        published_before: Annotated[datetime | date | None, Query()] = None,
        source: Annotated[str | None, Query(max_length=200)] = None,
    ) -> SearchResponse:
        """Passages ranked by fused keyword and semantic relevance, with their scores."""
        try:
            request = AskRequest(
                question=q,
                top_k=k,
                published_after=published_after,
                published_before=published_before,
                source=source,
            )
        except ValidationError as exc:
            raise _as_query_error(exc, {"question": "q", "top_k": "k"}) from None
        passages, timings = await call(service.search, request)
        metrics.observe_timings(timings)
        return SearchResponse(
            query=request.question,
            filters=service.filters_for(request),
            passages=passages,
            timings=timings,
        )

    @api.post(
        "/articles",
        response_model=IngestResult,
        tags=["articles"],
        responses={201: {"description": "At least one article was new."}},
    )
    async def add_articles(
        service: Service,
        response: Response,
        body: Annotated[ArticleIn | list[ArticleIn], Body(openapi_examples=ARTICLE_EXAMPLES)],
    ) -> IngestResult:
        """Index one article or a list (the same ingest as the CLI); re-posting is a no-op."""
        items = body if isinstance(body, list) else [body]
        articles = _validate_articles(items)
        from ingest.pipeline import build_ingestor

        ingestor = build_ingestor(settings, index=service.index, embedder=service.embedder)
        report = await call(ingestor.ingest_articles, articles, "POST /articles")
        errors = [str(e) for e in report.errors]
        if report.failed and report.failed == len(articles):
            if all("index write failed" in e for e in errors):
                raise IndexUnavailable("; ".join(errors))
            raise StarletteHTTPException(422, "; ".join(errors))
        response.status_code = 201 if report.new else 200
        return IngestResult(
            new=report.new,
            updated=report.updated,
            unchanged=report.unchanged,
            failed=report.failed,
            chunks_written=report.chunks_written,
            article_ids=report.article_ids,
            errors=errors,
        )

    @api.get("/articles", response_model=ArticlePage, tags=["articles"])
    async def list_articles(
        service: Service,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        source: Annotated[str | None, Query(max_length=200)] = None,
        published_after: Annotated[datetime | date | None, Query()] = None,
        published_before: Annotated[datetime | date | None, Query()] = None,
    ) -> ArticlePage:
        """Indexed articles, newest first, optionally by outlet and publication date."""
        sources = service.retriever.resolve_sources([source]) if source else []
        found, total = await call(
            lambda: service.index.list_articles(
                offset=offset,
                limit=limit,
                source=sources[0] if sources else None,
                published_after=as_utc(published_after),
                published_before=as_utc(published_before, end_of_day=True),
            )
        )
        return ArticlePage(
            total=total,
            offset=offset,
            limit=limit,
            items=[ArticleSummary.of(a) for a in found],
        )

    @api.get(
        "/articles/{article_id:path}",
        response_model=Article,
        tags=["articles"],
        responses=_problem_responses(404),
    )
    async def get_article(service: Service, article_id: ArticleId) -> Article:
        article = await call(service.index.get_article, article_id)
        if article is None:
            raise StarletteHTTPException(404, f"no article with id '{article_id}'")
        return article

    @api.delete(
        "/articles/{article_id:path}",
        status_code=204,
        tags=["articles"],
        responses=_problem_responses(404),
    )
    async def delete_article(service: Service, article_id: ArticleId) -> Response:
        """Removes the article and every passage of it from the index."""
        removed = await call(service.index.delete_article, article_id)
        if removed is None:
            raise StarletteHTTPException(404, f"no article with id '{article_id}'")
        return Response(status_code=204)

    @api.get(
        "/metrics",
        tags=["service"],
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text."}},
    )
    async def metrics_text() -> Response:
        """Requests and latency per route, per-stage timings and the index size."""
        counts = None
        if holder.service is not None:
            try:
                counts = await run_in_threadpool(holder.service.index.counts)
            except Exception:
                counts = None
        return Response(metrics.render(counts), media_type=CONTENT_TYPE)

    app.include_router(api)

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    if settings.slack_enabled:
        from service.slack.bot import mount_slack

        mount_slack(app, holder)

    return app


def _validate_articles(items: list[ArticleIn]) -> list[Article]:
    """Every article checked before any is indexed, so a bad one costs nothing."""
    if not items:
        raise RequestValidationError(
            [{"loc": ("body",), "msg": "no articles in the request", "type": "value_error"}]
        )
    if len(items) > MAX_ARTICLES_PER_REQUEST:
        raise RequestValidationError(
            [
                {
                    "loc": ("body",),
                    "msg": f"at most {MAX_ARTICLES_PER_REQUEST} articles per request",
                    "type": "value_error",
                }
            ]
        )
    articles, errors = [], []
    for i, item in enumerate(items):
        try:
            articles.append(article_from_record(item.model_dump(mode="json", exclude_none=True)))
        except RecordError as exc:
            loc = ("body", i) if len(items) > 1 else ("body",)
            errors.append({"loc": loc, "msg": str(exc), "type": "value_error"})
    if errors:
        raise RequestValidationError(errors)
    return articles


def _as_query_error(exc: ValidationError, names: dict[str, str]) -> RequestValidationError:
    errors = []
    for err in exc.errors():
        loc = tuple(names.get(str(p), p) for p in err["loc"]) or ("published_after",)
        errors.append({"loc": ("query", *loc), "msg": err["msg"], "type": err["type"]})
    return RequestValidationError(errors)


def _classify(exc: Exception) -> tuple[int, str, str]:
    """Status, title and a client-safe detail for an error inside a stream."""
    if isinstance(exc, ServiceUnavailable):
        return 503, "Index unavailable", exc.detail
    if isinstance(exc, IndexUnavailable | ModelMismatch) or _is_store_error(exc):
        return 503, "Index unavailable", f"the index cannot be reached: {exc}"
    log.exception("stream failed", exc_info=exc)
    return 500, "Internal error", "the answer failed; the error has been logged"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field_name(err["loc"]), "message": err["msg"]} for err in exc.errors()]
        fields = ", ".join(e["field"] for e in errors)
        return problem(422, "Invalid request", f"invalid field(s): {fields}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, HTTPStatus(exc.status_code).phrase, exc.detail)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(request: Request, exc: ServiceUnavailable) -> JSONResponse:
        return problem(503, "Index unavailable", exc.detail)

    @app.exception_handler(IndexUnavailable)
    async def _store_down(request: Request, exc: IndexUnavailable) -> JSONResponse:
        return problem(503, "Index unavailable", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "the request failed; the error has been logged")


UNION_TAGS = frozenset({"datetime", "date", "str", "int", "float", "bool"})


def _field_name(loc: tuple[Any, ...]) -> str:
    """'published_after' or '1.title': without where it came from or pydantic's union tags."""
    parts = [
        str(p)
        for p in loc[1:]
        if not (isinstance(p, str) and (p in UNION_TAGS or "[" in p or p[:1].isupper()))
    ]
    return ".".join(parts) or str(loc[0])


def _is_store_error(exc: Exception) -> bool:
    """Chroma surfaces a lost server as assorted httpx/connection errors."""
    import httpx

    return isinstance(exc, httpx.HTTPError | ConnectionError)
