"""Expansion over several processes: one event loop per CPU core.

httpx spends ~0.7 ms of CPU per request here, so one process tops out near 1,400 requests a
second whatever the network allows; a run over tens of thousands of links is CPU-bound. The
parent reads the input, answers what the cache knows, and deals the other links to worker
processes by the host of their first hop (so that a host's links, and duplicates of one URL,
all go to the same worker, whose per-host limit therefore holds for the whole run); each
worker runs its own `Expander` with a share of the global concurrency, and sends its results
back in batches. The parent writes the cache (one writer) and yields results as they come.

A worker takes ~0.3 s to start (a new interpreter importing httpx). The parent does not wait
for it: it expands its own shard with the whole concurrency meanwhile, and lends a worker
its share only when the worker says it is ready (`Limits.reserve`: the parent stops using
those slots, then tells the worker to go), so the run never has more requests in flight
than the limit. A worker that finishes gives its share back to the parent.

Workers are spawned, not forked: a fork would inherit the parent's running event loop, its
sockets and its SQLite connection.
"""

from __future__ import annotations

import asyncio
import collections
import multiprocessing
import os
import queue as queue_module
import time
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from typing import Any

from resolver.errors import ResolverError
from resolver.expander.engine import Expander, ExpandOptions, Miss, _alias, _start_url
from resolver.expander.limits import Limits
from resolver.models import Expansion
from resolver.net import NetConfig, run_async
from resolver.procs import die_with_parent
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
    adaptive: bool = False,
) -> AsyncIterator[Expansion]:
    """Like `Expander.stream_indexed`, the misses expanded by up to `workers` processes.

    `parent` supplies the cache, the memo and the options, and expands shards itself. With
    `adaptive`, the run starts in this process alone and spawns the other `workers - 1` only
    once this process's CPU is the limit (see `_Dealer._watch`): a run waiting on the network
    never pays for processes it cannot use. Otherwise they are spawned at once.
    """
    dealer = _Dealer(parent, workers)
    for item in parent._triage(items, batch):
        if isinstance(item, Expansion):
            yield item
        else:
            dealer.add(item)
    async for result in dealer.run(adaptive=adaptive):
        yield result


#: Adaptive runs: this process is "CPU-bound" when its CPU time over a probe of
#: PROBE_SECONDS is at least BUSY_FRACTION of the wall time, PROBES_HOT probes in a row
#: (measured on the expansion benchmark: 0.65-0.75 waiting on 50 ms responses, 0.97-1.0
#: with none); workers are spawned then if at least MIN_HANDOFF links are left for them.
PROBE_SECONDS = 0.5
BUSY_FRACTION = 0.9
PROBES_HOT = 2
MIN_HANDOFF = 1_000


class _Dealer:
    """Deals a run's links between this process and worker processes, by shard.

    A shard is the links whose first hop is on the hosts hashed to it. This process expands
    the shards it feeds; a worker gets a whole shard once it is ready, and only after this
    process has no chain of that shard left in flight, so that a host is never asked by two
    processes at once. The worker's share of the concurrency is taken from this process
    (`Limits.reserve`) before the worker starts and given back when it finishes.
    """

    def __init__(self, parent: Expander, workers: int) -> None:
        self.parent = parent
        self.options = parent.options
        self.count = workers
        self.shards: list[collections.deque[Miss]] = [collections.deque() for _ in range(workers)]
        self.feeding: list[int] = []  #: the shards this process starts links from
        self.in_flight = [0] * workers
        self.drained = [asyncio.Event() for _ in range(workers)]
        self.limits = Limits(self.options.concurrency, self.options.per_host, self.options.host_interval)
        self.keys: dict[int, str] = {}  #: cache keys of the links workers expand, by index
        self.shares: dict[int, int] = {}
        self.merged: asyncio.Queue[Any] = asyncio.Queue(maxsize=4096)
        self.producers = 1  #: streams into `merged` that have not ended yet
        self.processes: dict[int, Any] = {}
        self.inboxes: dict[int, Any] = {}
        self.results: Any = None
        self.tasks: set[asyncio.Task[None]] = set()
        self._turn = 0

    def add(self, miss: Miss) -> None:
        self.shards[_shard(miss[2], self.count)].append(miss)

    async def run(self, *, adaptive: bool) -> AsyncIterator[Expansion]:
        self.parent.limits = self.limits
        if self.limits.concurrency < 2:  # one request at a time: nothing to share out
            self.feeding, adaptive = list(range(self.count)), False
        elif adaptive:
            self.feeding = list(range(self.count))
        else:
            self.feeding = [0]
            self._spawn()
        local = self._start(self._run_local())
        if adaptive:
            self._start(self._watch(local))
        try:
            ended = 0
            while ended < self.producers:
                item = await self.merged.get()
                if item is _DONE:
                    ended += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield item
            self.parent.flush()
        finally:
            await self._close()

    def _start(self, coroutine: Any) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # --- this process ----------------------------------------------------------------------

    def _take(self) -> tuple[int, Miss] | None:
        """The next link to start here: the fed shards in turn (their hosts mixed)."""
        feeding = self.feeding
        for _ in range(len(feeding)):
            self._turn = (self._turn + 1) % len(feeding)
            shard = feeding[self._turn]
            if self.shards[shard]:
                return shard, self.shards[shard].popleft()
        return None

    async def _run_local(self) -> None:
        """Expand the fed shards here, through the engine's own window (`Expander.run`)."""
        shard_of: dict[int | None, int] = {}

        def feed() -> Iterator[Miss]:
            # Drawn as the window has room; a shard handed to a worker never comes back, so
            # once nothing is left to take here, nothing will be.
            while (picked := self._take()) is not None:
                shard, miss = picked
                self.in_flight[shard] += 1
                shard_of[miss[0]] = shard
                yield miss

        try:
            async for result in self.parent.run(feed()):
                shard = shard_of.pop(result.index)
                self.in_flight[shard] -= 1
                if not self.in_flight[shard]:
                    self.drained[shard].set()
                await self.merged.put(result)
        except Exception as exc:  # handed to the consumer, which raises it
            await self.merged.put(exc)
        finally:
            await self.merged.put(_DONE)

    async def _watch(self, local: asyncio.Task[None]) -> None:
        """Spawn the workers once this process is CPU-bound with enough links left."""
        hot = 0
        wall, cpu = time.monotonic(), time.process_time()
        while not local.done():
            await asyncio.sleep(PROBE_SECONDS)
            now, used = time.monotonic(), time.process_time()
            busy = (used - cpu) / max(now - wall, 1e-6)
            wall, cpu = now, used
            hot = hot + 1 if busy >= BUSY_FRACTION else 0
            left = sum(len(self.shards[n]) for n in range(1, self.count))
            if hot >= PROBES_HOT and left >= MIN_HANDOFF and not local.done():
                self._spawn()
                return

    # --- the workers -----------------------------------------------------------------------

    def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.results = context.Queue()
        for n in range(1, self.count):
            if not self.shards[n]:
                continue
            inbox = self.inboxes[n] = context.Queue()
            process = self.processes[n] = context.Process(
                target=_work,
                args=(self.options, self.parent.config, self.results, n, inbox, os.getpid()),
                name=f"resolver-expand-{n}",
                daemon=True,
            )
            process.start()
        if self.processes:
            self.producers += 1  # before any await: the consumer must wait for this stream too
            self._start(self._run_remote())

    async def _hand_over(self, n: int) -> None:
        """Give shard `n` to its worker, now ready: once no chain of it runs here."""
        try:
            if n in self.feeding:
                self.feeding.remove(n)
            if self.in_flight[n]:
                self.drained[n].clear()
                await self.drained[n].wait()
            links = list(self.shards[n])
            self.shards[n].clear()
            for index, _url, _start, key in links:
                if index is not None:
                    self.keys[index] = key
            # Its share of the concurrency: in proportion to the links left (here, in flight
            # here, and in the shards not handed over yet), never all that this process has.
            others = sum(len(shard) for shard in self.shards) + sum(self.in_flight)
            share = self.limits.concurrency * len(links) // max(1, len(links) + others)
            share = max(1, min(share, self.limits.free_size() - 1)) if links else 0
            self.shares[n] = share
            if share:
                await self.limits.reserve(share)
            self.inboxes[n].put((links, max(1, share)))
        except Exception as exc:
            await self.merged.put(exc)

    async def _run_remote(self) -> None:
        loop = asyncio.get_running_loop()
        running = len(self.processes)
        try:
            while running:
                try:
                    message = await loop.run_in_executor(None, _get, self.results)
                except queue_module.Empty:
                    if not any(p.is_alive() for p in self.processes.values()):
                        raise ResolverError("an expansion worker process died before finishing") from None
                    continue
                if isinstance(message, tuple):
                    event, n = message
                    if event == "ready":
                        self._start(self._hand_over(n))
                    else:  # "done": its share of the concurrency comes back here
                        running -= 1
                        self.limits.unreserve(self.shares.get(n, 0))
                    continue
                if isinstance(message, str):
                    raise ResolverError(f"an expansion worker failed: {message}")
                for result in message:
                    key = self.keys.pop(result.index, None)
                    if key is not None:
                        self.parent._remember(key, result)
                        self.parent._save(key, result)
                    await self.merged.put(result)
        except Exception as exc:
            await self.merged.put(exc)
        finally:
            await self.merged.put(_DONE)

    async def _close(self) -> None:
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for process in self.processes.values():
            if process.is_alive():
                process.terminate()
        for process in self.processes.values():
            process.join(timeout=5)
        for channel in (self.results, *self.inboxes.values()):
            if channel is not None:
                channel.close()


#: The end of one of the streams `_Dealer.run` merges.
_DONE: Any = object()


def _get(results: Any) -> Any:
    return results.get(timeout=1.0)


def _work(
    options: ExpandOptions,
    config: NetConfig,
    results: Any,
    number: int,
    inbox: Any,
    parent_pid: int,
) -> None:
    """A worker process: say it is ready, wait for its links and its share, expand them."""
    die_with_parent(parent_pid)
    try:
        results.put(("ready", number))
        while True:
            try:
                items, concurrency = inbox.get(timeout=1.0)
                break
            except queue_module.Empty:
                if os.getppid() != parent_pid:  # the parent is gone: nobody to report to
                    return
        if items:
            run_async(_work_async(items, replace(options, concurrency=concurrency), config, results))
    except BaseException as exc:  # reported to the parent, which raises it as one line
        results.put(f"{type(exc).__name__}: {exc}")
        raise SystemExit(1) from None
    results.put(("done", number))


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
