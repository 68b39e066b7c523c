"""Expansion over several processes: one event loop per CPU core.

httpx spends ~0.7 ms of CPU per request here, so one process tops out near 1,400 requests a
second whatever the network allows; a run over tens of thousands of links is CPU-bound. The
parent reads the input, answers what the cache knows, and deals the other links to worker
processes by the host of their first hop (so that a host's links, and duplicates of one URL,
all go to the same worker, whose per-host limit therefore holds for the whole run); each
worker runs its own `Expander` with a share of the global concurrency, and sends its results
back in batches. The parent writes the cache (one writer) and yields results as they come.

Workers are spawned, not forked: a fork would inherit the parent's running event loop, its
sockets and its SQLite connection.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue as queue_module
import time
import zlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any

from resolver.errors import ResolverError
from resolver.expander.engine import Expander, ExpandOptions, Miss, _alias, _start_url
from resolver.expander.limits import Limits
from resolver.models import Expansion
from resolver.net import NetConfig, run_async
from resolver.rules import host_of

#: Results travel back in batches of this many (or every BATCH_SECONDS, whichever first).
BATCH_SIZE = 128
BATCH_SECONDS = 0.05


def worker_count_for(links: int, requested: int | None, cpus: int | None = None) -> int:
    """How many processes to use: `requested` if given (0/None: automatic).

    Automatic is one per core once there are enough links to repay starting them (a
    process costs ~0.3 s to start and import httpx): 1 below 2,000 links.
    """
    if requested:
        return max(1, requested)
    cores = cpus or multiprocessing.cpu_count() or 1
    return 1 if links < 2_000 else max(1, min(cores, 8))


def concurrency_shares(total: int, sizes: list[int]) -> list[int]:
    """The global concurrency split between workers in proportion to their links.

    Hosts hash unevenly (50 hosts rarely split 25/25), and an even split would leave the
    worker with more links finishing last while the other's slots sit idle. Every worker
    with links gets at least 1; the shares add up to `total` (or to the number of workers
    with links, when that is more).
    """
    links = sum(sizes)
    shares = [max(1, total * size // links) if size else 0 for size in sizes]
    left = total - sum(shares)
    # Hand out what rounding left, largest remainder first.
    for i in sorted((i for i, size in enumerate(sizes) if size), key=lambda i: -(total * sizes[i] % links)):
        if left <= 0:
            break
        shares[i] += 1
        left -= 1
    return shares


def shard_of(url: str, workers: int) -> int:
    """The worker a link goes to: by the host of its first hop (`pic.twitter.com` is t.co)."""
    return _shard(_start_url(url), workers)


def _shard(start: str | None, workers: int) -> int:
    host = host_of(_alias(start)) if start else ""
    return zlib.crc32(host.encode("utf-8", "surrogateescape")) % workers


async def stream_parallel(
    parent: Expander,
    items: Iterable[tuple[int, str]],
    workers: int,
    *,
    batch: int = 512,
) -> AsyncIterator[Expansion]:
    """Like `Expander.stream_indexed`, the misses expanded by `workers` processes.

    `parent` supplies the cache, the memo and the options, and expands the first shard
    itself; `workers - 1` spawned processes expand the others.
    """
    shards: list[list[Miss]] = [[] for _ in range(workers)]
    for item in parent._triage(items, batch):
        if isinstance(item, Expansion):
            yield item
        else:
            shards[_shard(item[2], workers)].append(item)
    # The cache keys of the links that other processes expand, for the results they send back.
    keys = {index: key for shard in shards[1:] for index, _url, _start, key in shard}

    context = multiprocessing.get_context("spawn")
    results: Any = context.Queue()
    shares = concurrency_shares(parent.options.concurrency, [len(shard) for shard in shards])
    # The parent expands the first shard itself, in its own event loop, while the others
    # are spawned: it would otherwise sit idle waiting for them, and a spawned process takes
    # ~0.3 s to start (importing httpx) before its first request.
    local, local_share = shards[0], shares[0]
    processes = [
        context.Process(
            target=_work,
            args=(shard, replace(parent.options, concurrency=share), parent.config, results),
            name=f"resolver-expand-{n}",
            daemon=True,
        )
        for n, (shard, share) in enumerate(zip(shards, shares, strict=True))
        if shard and n > 0
    ]
    shards.clear()
    for process in processes:
        process.start()
    merged: asyncio.Queue[Any] = asyncio.Queue(maxsize=4096)

    async def run_local() -> None:
        try:
            if local:
                parent.limits = Limits(local_share, parent.options.per_host, parent.options.host_interval)
                async for result in parent.run(local):
                    await merged.put(result)
        except Exception as exc:  # handed to the consumer, which raises it
            await merged.put(exc)
        finally:
            await merged.put(_DONE)

    async def run_remote() -> None:
        loop = asyncio.get_running_loop()
        running = len(processes)
        try:
            while running:
                try:
                    message = await loop.run_in_executor(None, _get, results)
                except queue_module.Empty:
                    if not any(p.is_alive() for p in processes):
                        raise ResolverError("an expansion worker process died before finishing") from None
                    continue
                if message is None:
                    running -= 1
                    continue
                if isinstance(message, str):
                    raise ResolverError(f"an expansion worker failed: {message}")
                for result in message:
                    key = keys.pop(result.index, None)
                    if key is not None:
                        parent._remember(key, result)
                        parent._save(key, result)
                    await merged.put(result)
        except Exception as exc:
            await merged.put(exc)
        finally:
            await merged.put(_DONE)

    tasks = [asyncio.ensure_future(run_local()), asyncio.ensure_future(run_remote())]
    try:
        finished = 0
        while finished < len(tasks):
            item = await merged.get()
            if item is _DONE:
                finished += 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
        parent.flush()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
        results.close()


#: The end of one of the two streams `stream_parallel` merges.
_DONE: Any = object()


def _get(results: Any) -> Any:
    return results.get(timeout=1.0)


def _work(items: list[Miss], options: ExpandOptions, config: NetConfig, results: Any) -> None:
    try:
        run_async(_work_async(items, options, config, results))
    except BaseException as exc:  # reported to the parent, which raises it as one line
        results.put(f"{type(exc).__name__}: {exc}")
        raise SystemExit(1) from None
    results.put(None)


async def _work_async(items: list[Miss], options: ExpandOptions, config: NetConfig, results: Any) -> None:
    batch: list[Expansion] = []
    last = time.monotonic()
    async with Expander(options, config=config) as expander:
        async for result in expander.run(items):
            batch.append(result)
            now = time.monotonic()
            if len(batch) >= BATCH_SIZE or now - last >= BATCH_SECONDS:
                results.put(batch)
                batch, last = [], now
    if batch:
        results.put(batch)


__all__ = ["stream_parallel", "worker_count_for"]
