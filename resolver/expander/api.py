"""The library's entry points: `expand(urls)` and its async twin `aexpand(urls)`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

from cache import Store
from resolver.errors import UsageError
from resolver.expander.engine import Expander, ExpandOptions
from resolver.expander.workers import stream_parallel, worker_count_for
from resolver.models import Expansion
from resolver.net import NetConfig, run_async


async def aexpand_iter(
    urls: Iterable[str],
    *,
    options: ExpandOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    workers: int | None = 1,
) -> AsyncIterator[Expansion]:
    """Expand `urls`, yielding each result as it completes (`result.index` is its position).

    `workers`: processes to spread the requests over (None or 0: automatic, up to one per
    core for 2,000 links or more, spawned only once this process's CPU is what limits the
    run). Each host's links stay in one process, so the per-host limit holds; the global
    concurrency is shared between them.
    """
    async with Expander(options, config=config, store=store) as expander:
        if workers == 1:
            async for result in expander.stream(urls):
                yield result
            return
        items = list(enumerate(urls))
        count = worker_count_for(len(items), workers)
        # Left to itself (0 or None), a run spawns its workers only once it is CPU-bound.
        stream = (
            expander.stream_indexed(items)
            if count == 1
            else stream_parallel(expander, items, count, adaptive=not workers)
        )
        async for result in stream:
            yield result


async def aexpand(
    urls: Iterable[str] | str,
    *,
    options: ExpandOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    workers: int | None = 1,
) -> list[Expansion]:
    """Expand `urls` inside a running event loop; results in input order, one per URL.

    `store` is a `cache.Store` (`cache.open_store(...)`); without one nothing is cached.
    Each distinct URL is fetched once, however many times it appears.
    """
    items = [urls] if isinstance(urls, str) else list(urls)
    results: list[Expansion | None] = [None] * len(items)
    async for result in aexpand_iter(items, options=options, config=config, store=store, workers=workers):
        assert result.index is not None
        results[result.index] = result
    return [r for r in results if r is not None]


def expand(
    urls: Iterable[str] | str,
    *,
    options: ExpandOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    workers: int | None = 1,
) -> list[Expansion]:
    """Expand `urls`: the whole redirect chain of each, with a verdict. Blocking.

        >>> [r.final_url for r in resolver.expand(["https://t.co/eKInDZJCbH"])]

    Inside a running event loop use `await resolver.aexpand(urls)` instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_async(aexpand(urls, options=options, config=config, store=store, workers=workers))
    raise UsageError("resolver.expand() cannot run inside an event loop: use `await resolver.aexpand(urls)`")


__all__ = ["ExpandOptions", "aexpand", "aexpand_iter", "expand"]
