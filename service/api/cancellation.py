"""Blocking work that stops once nobody waits for it: the client left, or the server is stopping.

A worker thread runs to its end whatever happens to the request, and uvicorn's graceful
shutdown waits for it: one large ingest kept a server busy for minutes after its client had
gone, and past SIGTERM. Here the work is handed an event, set when the client disconnects or
the request is cancelled (``NEWSDESK_SHUTDOWN_TIMEOUT`` ran out); it checks the event between
steps and stops, leaving nothing half-written.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio
from fastapi import Request

from service.api.errors import store_errors

T = TypeVar("T")
CLIENT_CLOSED_REQUEST = 499
"""The status of work stopped because its client left (nginx's convention): no one reads it,
but the access log shows why the request ended."""


async def on_index_while_wanted(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args, cancel=event)`` in the thread pool, ``event`` set as soon as the client
    disconnects or the request is cancelled; a lost Chroma server becomes a 503."""
    cancel = threading.Event()

    async def watch_disconnect() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        cancel.set()

    watcher = asyncio.ensure_future(watch_disconnect())
    try:
        with store_errors():
            return await anyio.to_thread.run_sync(
                partial(fn, *args, cancel=cancel), abandon_on_cancel=True
            )
    finally:
        cancel.set()  # over, or cancelled: in either case nobody waits for more
        watcher.cancel()
