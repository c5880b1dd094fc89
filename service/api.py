"""The HTTP API: FastAPI over the AnswerService, errors as RFC 9457 problem details."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.index import IndexUnavailable, ModelMismatch
from ingest.settings import Settings, get_settings
from service.answering import AnswerService
from service.models import Answer
from service.schemas import AskRequest

log = logging.getLogger("newsdesk.api")
PROBLEM = "application/problem+json"


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
    """Loads the model and opens the index in the background so /health answers at once."""

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
                self.service = AnswerService.from_settings(self.settings)
                self.error = None
            except (IndexUnavailable, ModelMismatch) as exc:
                self.error = str(exc)
                log.error("index unavailable: %s", exc)

    def get(self) -> AnswerService:
        if self.service is None:
            self.load()
        if self.service is None:
            raise ServiceUnavailable(self.error or "the index is still loading")
        return self.service


def problem(status: int, title: str, detail: Any = None, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def create_app(settings: Settings | None = None, preload: bool = True) -> FastAPI:
    settings = settings or get_settings()
    holder = ServiceHolder(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if preload:
            threading.Thread(target=holder.load, name="newsdesk-load", daemon=True).start()
        yield

    app = FastAPI(
        title="newsdesk",
        version="0.1.0",
        summary="Questions about news articles, answered with quoted, verifiable citations.",
        lifespan=lifespan,
    )
    app.state.holder = holder
    app.state.settings = settings

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in err["loc"] if p != "body"),
                "message": err["msg"],
            }
            for err in exc.errors()
        ]
        fields = ", ".join(e["field"] or "body" for e in errors)
        return problem(422, "Invalid request", f"invalid field(s): {fields}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail))

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

    @app.get("/health", response_model=Health)
    async def health() -> Health:
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

    @app.post("/ask", response_model=Answer)
    async def ask(request: AskRequest) -> Answer:
        service = holder.get()
        try:
            return await run_in_threadpool(service.ask, request)
        except IndexUnavailable:
            raise
        except Exception as exc:
            if _is_store_error(exc):
                raise IndexUnavailable(f"the index cannot be reached: {exc}") from exc
            raise

    return app


def _is_store_error(exc: Exception) -> bool:
    """Chroma surfaces a lost server as assorted httpx/connection errors."""
    import httpx

    return isinstance(exc, httpx.HTTPError | ConnectionError)
