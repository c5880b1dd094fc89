"""Every error as an RFC 9457 problem-details body with the right status; no stack trace ever
reaches a client. A lost Chroma server is a 503 wherever it shows up, in a route or a stream."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.index.store import IndexUnavailable, ModelMismatch
from service.runtime import ServiceUnavailable
from service.stores.answer_log import UnknownAnswer

log = logging.getLogger("newsdesk.api")
PROBLEM = "application/problem+json"
UNION_TAGS = frozenset({"datetime", "date", "str", "int", "float", "bool"})
T = TypeVar("T")


def problem(status: int, title: str, detail: Any = None, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def found(value: T | None, what: str, key: str) -> T:
    """The value looked up, or a 404 naming what has no such id."""
    if value is None:
        raise StarletteHTTPException(404, f"no {what} with id '{key}'")
    return value


async def on_index(fn: Callable[..., T], *args: Any) -> T:
    """Blocking service work in the thread pool; a lost Chroma server becomes a 503."""
    try:
        return await run_in_threadpool(fn, *args)
    except IndexUnavailable:
        raise
    except Exception as exc:
        if is_store_error(exc):
            raise IndexUnavailable(f"the index cannot be reached: {exc}") from exc
        raise


def is_store_error(exc: Exception) -> bool:
    """Chroma surfaces a lost server as assorted httpx/connection errors."""
    import httpx

    return isinstance(exc, httpx.HTTPError | ConnectionError)


def classify(exc: Exception) -> tuple[int, str, str]:
    """Status, title and a client-safe detail for an error inside a stream."""
    if isinstance(exc, ServiceUnavailable):
        return 503, "Index unavailable", exc.detail
    if isinstance(exc, IndexUnavailable | ModelMismatch) or is_store_error(exc):
        return 503, "Index unavailable", f"the index cannot be reached: {exc}"
    log.exception("stream failed", exc_info=exc)
    return 500, "Internal error", "the answer failed; the error has been logged"


def invalid(errors: list[dict[str, Any]]) -> RequestValidationError:
    """A 422 naming each field, as if FastAPI had found the errors itself."""
    return RequestValidationError(
        [{"type": "value_error", **error} for error in errors],
    )


def install_error_handlers(app: FastAPI) -> None:
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

    @app.exception_handler(UnknownAnswer)
    async def _unknown_answer(request: Request, exc: UnknownAnswer) -> JSONResponse:
        return problem(404, HTTPStatus.NOT_FOUND.phrase, str(exc))

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


def _field_name(loc: tuple[Any, ...]) -> str:
    """'published_after' or '1.title': without where it came from or pydantic's union tags."""
    parts = [
        str(p)
        for p in loc[1:]
        if not (isinstance(p, str) and (p in UNION_TAGS or "[" in p or p[:1].isupper()))
    ]
    return ".".join(parts) or str(loc[0])
