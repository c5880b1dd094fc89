"""Requests refused at the door: bodies over the size limit (413) and missing API keys (401)."""

from __future__ import annotations

import hmac

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.asgi import HttpMiddleware
from service.api.errors import KEY_REQUIRED, error_response


class BodyTooLarge(HTTPException):
    """An HTTPException so FastAPI's body parsing passes it through instead of a 400."""

    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


class BodySizeLimit(HttpMiddleware):
    """Refuses bodies over ``limit`` bytes: at once from Content-Length, else while reading."""

    def __init__(self, app: ASGIApp, limit: int):
        super().__init__(app)
        self.limit = limit

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The 413, closing the connection: the unread body cannot be skipped."""
        response = error_response(
            scope["path"],
            413,
            "Request body too large",
            f"the request body is larger than the limit of {self.limit} bytes",
        )
        response.headers["connection"] = "close"
        await response(scope, receive, send)


_bearer = HTTPBearer(auto_error=False, description="One of the keys in NEWSDESK_API_KEYS.")


def key_matches(given: str, keys: list[SecretStr]) -> bool:
    """Compares against every key in constant time, so timing reveals neither key nor match."""
    given_bytes = given.encode()
    found = False
    for key in keys:
        found |= hmac.compare_digest(given_bytes, key.get_secret_value().encode())
    return found


def presents_key(authorization: str | None, keys: list[SecretStr]) -> bool:
    """Whether an ``Authorization`` header carries one of the keys (any request, with none)."""
    if not keys:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and key_matches(given.strip(), keys)


async def _open() -> None:
    """No API keys are configured: every request is let in, and no security is advertised."""


def api_key_guard(keys: list[SecretStr]):
    """A dependency that lets a request through only with a configured bearer key; with no keys
    configured one that lets everything through, so the OpenAPI document declares no security."""
    if not keys:
        return _open

    async def require_key(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> None:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                401,
                KEY_REQUIRED,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not key_matches(credentials.credentials, keys):
            raise HTTPException(
                401, "the API key is not valid", headers={"WWW-Authenticate": "Bearer"}
            )

    return require_key
