"""Headers every response carries, and the Content-Security-Policy of the chat page."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from service.api.asgi import HttpMiddleware

NOSNIFF = (b"x-content-type-options", b"nosniff")

CHAT_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The page loads its own script and stylesheet and talks only to this server: an article's
markup that slipped past escaping could neither run inline script nor send data elsewhere."""


class NoSniff(HttpMiddleware):
    """``X-Content-Type-Options: nosniff`` on every response, the refusals of the middleware
    included: a browser never runs an answer's JSON or an article's text as script or HTML."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != NOSNIFF[0]]
                message = {**message, "headers": [*headers, NOSNIFF]}
            await send(message)

        await self.app(scope, receive, with_header)
