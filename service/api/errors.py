"""Every error as an RFC 9457 problem-details body with the right status (under /v1, OpenAI's
error envelope, which OpenAI clients turn into their typed exceptions); no stack trace ever
reaches a client. A lost Chroma server is a 503 wherever it shows up, in a route or a stream."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from ingest.index.store import IndexUnavailable, ModelMismatch
from service.api.asgi import HttpMiddleware
from service.openai_compat.schemas import ErrorBody, ErrorDetail
from service.runtime import ServiceUnavailable
from service.stores.answer_log import UnknownAnswer

log = logging.getLogger("newsdesk.api")
PROBLEM = "application/problem+json"
RECORD_INVALID = "record_invalid"
NOT_JSON = "the request body is not valid JSON"
UNION_TAGS = frozenset({"datetime", "date", "str", "int", "float", "bool"})
T = TypeVar("T")
OPENAI_PREFIX = "/v1"
OPENAI_CODES = {
    401: "invalid_api_key",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    422: "invalid_request",
    500: "internal_error",
    503: "index_unavailable",
}


class OpenAIError(StarletteHTTPException):
    """A refusal under /v1 with OpenAI's ``code`` and ``param`` (e.g. 'model_not_found' on
    'model'), which a problem document would not carry."""

    def __init__(self, status: int, detail: str, code: str, param: str | None = None):
        super().__init__(status, detail)
        self.code, self.param = code, param


def speaks_openai(path: str) -> bool:
    """Whether the path is under /v1, whose clients read OpenAI's error envelope."""
    return path == OPENAI_PREFIX or path.startswith(OPENAI_PREFIX + "/")


def openai_error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> ErrorDetail:
    """OpenAI's error object: its ``type`` is 'server_error' for a 5xx, as OpenAI's is."""
    return ErrorDetail(
        message=message,
        type="server_error" if status >= 500 else "invalid_request_error",
        param=param,
        code=code or OPENAI_CODES.get(status),
    )


def error_response(
    path: str,
    status: int,
    title: str,
    detail: Any = None,
    param: str | None = None,
    code: str | None = None,
    **extra: Any,
) -> JSONResponse:
    """The error as the path's clients read it: OpenAI's envelope under /v1 (the detail as its
    message), a problem document elsewhere."""
    if speaks_openai(path):
        message = detail if isinstance(detail, str) and detail else title
        body = ErrorBody(error=openai_error(status, message, param, code))
        return JSONResponse(body.model_dump(), status_code=status)
    return problem(status, title, detail, **extra)


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
    with store_errors():
        return await run_in_threadpool(fn, *args)


@contextmanager
def store_errors() -> Iterator[None]:
    """A lost Chroma server, whatever its client raised, as ``IndexUnavailable`` (a 503)."""
    try:
        yield
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


def invalid_request(path: str, errors: list[dict[str, str]]) -> JSONResponse:
    """The 422 for fields (``body`` for a body that is not JSON), each with why; under /v1 the
    first field is the envelope's ``param``."""
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    param = errors[0]["field"] if errors else None
    return error_response(
        path, 422, "Invalid request", f"invalid field(s): {detail}", param=param, errors=errors
    )


def invalid_records(errors: list[dict[str, Any]]) -> RequestValidationError:
    """A 422 for records of a body, each error's ``loc`` the path to the field as sent (taken
    as it is: a record's field may be called 'date', which is also a union tag of pydantic)."""
    return RequestValidationError([{"type": RECORD_INVALID, **error} for error in errors])


def _error_entry(error: dict[str, Any]) -> dict[str, str]:
    if error.get("type") == RECORD_INVALID:
        return {"field": ".".join(str(p) for p in error["loc"][1:]), "message": error["msg"]}
    if error.get("type") == "json_invalid":
        reason = error.get("ctx", {}).get("error", "it does not parse")
        position = error["loc"][1] if len(error["loc"]) > 1 else 0
        message = f"{NOT_JSON}: {reason} at character {position}"
        return {"field": "body", "message": message}
    return {"field": _field_name(error["loc"]), "message": error["msg"]}


def _unreadable_body(path: str, cause: BaseException | None) -> JSONResponse:
    """FastAPI's 400 for a JSON body it could not decode (not UTF-8, nested too deeply), made
    the same 422 as one with a syntax error: a malformed body always gets one answer."""
    if isinstance(cause, UnicodeDecodeError):
        reason = "it is not UTF-8"
    elif isinstance(cause, RecursionError):
        reason = "it is nested too deeply"
    else:
        reason = "it could not be decoded"
    return invalid_request(path, [{"field": "body", "message": f"{NOT_JSON}: {reason}"}])


class UnexpectedErrors(HttpMiddleware):
    """Any exception no handler took becomes a logged 500 (``error_response``), sent from here.

    Starlette's last-resort handler answers and then re-raises, and uvicorn closes the
    connection on an exception: the client's next request on that keep-alive connection would
    be reset. Only a response already under way (a stream) is left to fail that way, since
    it cannot be taken back.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = finished = False

        async def tracking_send(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if finished:
                return
            if started:
                raise
            response = error_response(
                scope["path"],
                500,
                "Internal error",
                "the request failed; the error has been logged",
            )
            await response(scope, receive, send)


KEY_REQUIRED = "an API key is required: send 'Authorization: Bearer <key>'"


def install_error_handlers(
    app: FastAPI, unkeyed: Callable[[Request], bool] = lambda request: False
) -> None:
    """The error bodies for errors the routes raise; ``UnexpectedErrors`` for the rest. A
    path no route takes is a 401 to a caller ``unkeyed`` refuses, as every guarded route is:
    without a key the service tells nothing, not even which paths exist (an article id with a
    newline in it matched no route, and answered 404 where its route says 401)."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_request(request.scope["path"], [_error_entry(e) for e in exc.errors()])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = request.scope["path"]
        if exc.status_code == 404 and exc.detail == "Not Found" and unkeyed(request):
            exc = StarletteHTTPException(401, KEY_REQUIRED, {"WWW-Authenticate": "Bearer"})
        if exc.status_code == 400:
            return _unreadable_body(path, exc.__cause__)
        param, code = (exc.param, exc.code) if isinstance(exc, OpenAIError) else (None, None)
        phrase = HTTPStatus(exc.status_code).phrase
        response = error_response(path, exc.status_code, phrase, exc.detail, param, code)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:
            allowed = allowed_methods(request)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.exception_handler(UnknownAnswer)
    async def _unknown_answer(request: Request, exc: UnknownAnswer) -> JSONResponse:
        return error_response(request.scope["path"], 404, HTTPStatus.NOT_FOUND.phrase, str(exc))

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(request: Request, exc: ServiceUnavailable) -> JSONResponse:
        return error_response(request.scope["path"], 503, "Index unavailable", exc.detail)

    @app.exception_handler(IndexUnavailable)
    async def _store_down(request: Request, exc: IndexUnavailable) -> JSONResponse:
        return error_response(request.scope["path"], 503, "Index unavailable", str(exc))


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path: Starlette's 405 names only those
    of the first route there (``/articles`` has one route for GET and another for POST)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


def _field_name(loc: tuple[Any, ...]) -> str:
    """'published_after' or '1.title': without where it came from or pydantic's union tags."""
    parts = [
        str(p)
        for p in loc[1:]
        if not (isinstance(p, str) and (p in UNION_TAGS or "[" in p or p[:1].isupper()))
    ]
    return ".".join(parts) or str(loc[0])
