"""Async client code run from a sync test.

The browser tests' session-wide Playwright keeps an event loop running in the main thread, and
``asyncio.run`` refuses to start another there; a worker thread has no loop of its own yet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio

T = TypeVar("T")


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, fn).result()
