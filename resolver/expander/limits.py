"""Politeness: a global concurrency limit, and per host a limit, an interval and a backoff.

The per-host gate is keyed on the host of the current hop, not of the link: a chain from
bit.ly to a newspaper takes a bit.ly slot, then a newspaper slot. A request waits for its
host's gate first and for a global slot second, so that a busy host never holds global
slots it cannot use.

Backoff is adaptive and per host: a 429 or 503 with `Retry-After` closes the host's gate
until then; without one, the host's pause doubles from BACKOFF_START up to BACKOFF_MAX, and
halves again with each success.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from resolver.rules import for_domain

BACKOFF_START = 1.0
BACKOFF_MAX = 60.0


class Slots:
    """A counting semaphore whose size can change while it is in use (FIFO, like asyncio's).

    `Limits.reserve` lends part of the run's concurrency to a worker process: the size
    shrinks at once, the requests in flight finish, and no new one starts until fewer than
    the new size are in flight. (Taking asyncio.Semaphore permits one by one instead queues
    behind every waiting request: measured, the lent share reached the worker seconds late.)
    """

    __slots__ = ("_drained", "_waiters", "size", "used")

    def __init__(self, size: int) -> None:
        self.size = size
        self.used = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._drained: list[asyncio.Future[None]] = []

    async def acquire(self) -> None:
        if self.used < self.size and not self._waiters:
            self.used += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # granted: `used` already counts this request
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # granted, then cancelled before it could run
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        self.used -= 1
        self._wake()

    def resize(self, size: int) -> None:
        self.size = max(0, size)
        self._wake()

    async def drained(self) -> None:
        """Return once no more than `size` are in use."""
        if self.used > self.size:
            waiter = asyncio.get_running_loop().create_future()
            self._drained.append(waiter)
            await waiter

    def _wake(self) -> None:
        waiters = self._waiters
        while waiters and self.used < self.size:
            waiter = waiters.popleft()
            if not waiter.done():
                self.used += 1
                waiter.set_result(None)
        if self._drained and self.used <= self.size:
            drained, self._drained = self._drained, []
            for waiter in drained:
                if not waiter.done():
                    waiter.set_result(None)


@dataclass(slots=True)
class HostGate:
    slots: asyncio.Semaphore
    users: int = 0  #: requests holding or waiting for this gate (the gate is dropped at 0)
    next_start: float = 0.0  #: monotonic time before which no request may start (interval, backoff)
    backoff: float = 0.0  #: the current adaptive pause (0: none)
    interval: float = 0.0  #: seconds between the starts of two requests through this gate
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Limits:
    """The run's concurrency: `async with limits.slot(host): ...` around each request."""

    def __init__(
        self,
        concurrency: int = 64,
        per_host: int = 4,
        host_interval: float = 0.0,
        *,
        gate_limits: Mapping[str, int] | None = None,
        host_limits: Mapping[str, int] | None = None,
        host_intervals: Mapping[str, float] | None = None,
    ) -> None:
        if concurrency < 1 or per_host < 1:
            raise ValueError("concurrency and per-host limits must be at least 1")
        self.concurrency = concurrency
        self.per_host = per_host
        self.host_interval = max(0.0, host_interval)
        #: Gates with a limit of their own: a service that asks for fewer parallel requests
        #: than the run's per-host limit (the Wayback CDX API: one at a time). A gate is any
        #: name: usually a host, or a host and a path ("web.archive.org/cdx").
        self.gate_limits = dict(gate_limits or {})
        #: The user's own rules for hosts (the configuration's `[hosts."example.com"]`): they
        #: apply to the host and its subdomains, and win over the run's per-host settings.
        self.host_limits = {host.lower(): limit for host, limit in (host_limits or {}).items()}
        self.host_intervals = {host.lower(): max(0.0, s) for host, s in (host_intervals or {}).items()}
        if any(limit < 1 for limit in (*self.gate_limits.values(), *self.host_limits.values())):
            raise ValueError("gate limits must be at least 1")
        self._global = Slots(concurrency)  #: its size less than `concurrency`: slots lent (`reserve`)
        self._gates: dict[str, HostGate] = {}

    async def reserve(self, slots: int) -> None:
        """Take `slots` global slots out of this process's use at once, and return when the
        requests in flight here fit in what is left.

        How a parent hands part of the run's concurrency to a worker process only once the
        worker can use it, without ever exceeding the total: it runs with all of it meanwhile.
        """
        self._global.resize(self._global.size - min(slots, self._global.size))
        await self._global.drained()

    def free_size(self) -> int:
        """The global slots this process may use now (its concurrency less what it lent)."""
        return self._global.size

    def unreserve(self, slots: int) -> None:
        """Give back `slots` reserved slots (a worker finished: its share comes back here)."""
        lent = self.concurrency - self._global.size
        self._global.resize(self._global.size + min(slots, lent))

    def _gate(self, host: str) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            limit = self.gate_limits.get(host) or for_domain(self.host_limits, host) or self.per_host
            interval = for_domain(self.host_intervals, host)
            gate = self._gates[host] = HostGate(
                asyncio.Semaphore(limit), interval=self.host_interval if interval is None else interval
            )
        return gate

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        gate = self._gate(host)
        gate.users += 1
        try:
            async with gate.slots:
                if gate.next_start or gate.interval:
                    await self._wait_turn(gate)
                await self._global.acquire()
                try:
                    yield
                finally:
                    self._global.release()
        finally:
            gate.users -= 1
            if gate.users == 0 and gate.next_start <= time.monotonic() and not gate.backoff:
                # Forget idle hosts: a run over 100,000 links must not keep 100,000 gates.
                self._gates.pop(host, None)

    async def _wait_turn(self, gate: HostGate) -> None:
        # The lock makes requests to one host take their turns in order, `host_interval` apart.
        async with gate.lock:
            delay = gate.next_start - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            gate.next_start = max(gate.next_start, time.monotonic()) + gate.interval if gate.interval else 0.0

    def pause_host(self, host: str, seconds: float | None) -> float:
        """The host asked us to wait (429/503): close its gate for `seconds`, or back off
        adaptively when it did not say; returns the pause applied."""
        gate = self._gate(host)
        if seconds is None:
            gate.backoff = min(BACKOFF_MAX, gate.backoff * 2 if gate.backoff else BACKOFF_START)
            seconds = gate.backoff
        gate.next_start = max(gate.next_start, time.monotonic() + seconds)
        return seconds

    def host_succeeded(self, host: str) -> None:
        gate = self._gates.get(host)
        if gate is not None and gate.backoff:
            gate.backoff = gate.backoff / 2 if gate.backoff > BACKOFF_START else 0.0

    def pending_pause(self, host: str) -> float:
        """Seconds until `host` may be asked again (0: now)."""
        gate = self._gates.get(host)
        return max(0.0, gate.next_start - time.monotonic()) if gate else 0.0


__all__ = ["BACKOFF_MAX", "BACKOFF_START", "HostGate", "Limits", "Slots"]
