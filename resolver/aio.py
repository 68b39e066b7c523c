"""Small pieces of asyncio the stages share."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def in_order(
    items: Iterable[T], start: Callable[[T], Awaitable[R]], window: int, *, ahead: int | None = None
) -> AsyncIterator[R]:
    """`start(item)` for each item, at most `window` running at once, results yielded in input order.

    A sliding window: a new item starts as soon as a running one is done, even while an
    earlier item is still running, so a slow item holds back the output but not the work on
    the items after it, up to `ahead` items started and not yet yielded (default: `window`;
    the results of the items done out of turn wait in memory, so `ahead` bounds it). Items
    are drawn from `items` only as they start. Stopping early (or an error) cancels what is
    running.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    limit = max(window, ahead or window)
    started: deque[asyncio.Future[R]] = deque()  #: in input order, until yielded
    running: set[asyncio.Future[R]] = set()
    pending = iter(items)
    exhausted = False
    try:
        while True:
            while not exhausted and len(running) < window and len(started) < limit:
                item = next(pending, _END)
                if item is _END:
                    exhausted = True
                    break
                task = asyncio.ensure_future(start(item))  # type: ignore[arg-type]
                started.append(task)
                running.add(task)
            if not started:
                return
            head = started[0]
            if head.done():
                started.popleft()
                running.discard(head)
                yield head.result()
                continue
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            running -= done
    finally:
        for task in started:
            task.cancel()
        if started:
            await asyncio.gather(*started, return_exceptions=True)


_END = object()

__all__ = ["in_order"]
