"""Small pieces of asyncio the stages share."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def in_order(items: Iterable[T], start: Callable[[T], Awaitable[R]], window: int) -> AsyncIterator[R]:
    """`start(item)` for each item, at most `window` at once, results yielded in input order.

    A sliding window: a new item starts as soon as one is done, so a slow item holds back the
    output, never the work on the others. Stopping early (or an error) cancels what is running.
    """
    running: deque[asyncio.Future[R]] = deque()
    pending = iter(items)
    try:
        while True:
            while len(running) < window and (item := next(pending, _END)) is not _END:
                running.append(asyncio.ensure_future(start(item)))  # type: ignore[arg-type]
            if not running:
                return
            yield await running.popleft()
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)


_END = object()

__all__ = ["in_order"]
