"""`resolver.aio.in_order`: a bounded sliding window whose output keeps the input's order."""

from __future__ import annotations

import asyncio

import pytest

from resolver.aio import in_order


async def test_results_keep_input_order_and_a_slow_item_does_not_hold_back_the_work() -> None:
    running = peak = 0
    finished: list[int] = []

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.3 if n == 0 else 0.01)
        running -= 1
        finished.append(n)
        return n * 10

    seen_when_head_came: list[int] = []
    results = []
    async for value in in_order(range(40), work, 4, ahead=32):
        if value == 0:
            seen_when_head_came = list(finished)
        results.append(value)
    assert results == [n * 10 for n in range(40)]
    assert peak == 4
    # While item 0 slept, the other slots went on through the next items, up to `ahead`.
    assert len(seen_when_head_came) == 32 and 0 in seen_when_head_came


async def test_without_ahead_the_window_bounds_what_is_started() -> None:
    started: list[int] = []

    async def work(n: int) -> int:
        started.append(n)
        await asyncio.sleep(0.05 if n == 0 else 0)
        return n

    out = in_order(range(100), work, 3)
    assert await out.__anext__() == 0
    assert max(started) <= 3  # 0 held back the rest: at most 3 started and unyielded, then one more
    await out.aclose()


async def test_stopping_early_cancels_what_runs_and_errors_propagate() -> None:
    cancelled: list[int] = []

    async def work(n: int) -> int:
        try:
            await asyncio.sleep(10 if n else 0)
        except asyncio.CancelledError:
            cancelled.append(n)
            raise
        return n

    out = in_order(range(10), work, 3)
    assert await out.__anext__() == 0
    await out.aclose()
    assert sorted(cancelled) == [1, 2]  # the two still running when 0 was yielded

    async def fail(n: int) -> int:
        if n == 2:
            raise ValueError("item 2")
        return n

    got = []
    with pytest.raises(ValueError, match="item 2"):
        async for value in in_order(range(5), fail, 2):
            got.append(value)
    assert got == [0, 1]


def test_blocking_library_calls_inside_an_event_loop_name_their_async_twin() -> None:
    import warnings

    import resolver
    from resolver.errors import UsageError

    async def inside() -> None:
        calls = [
            (lambda: resolver.audit_links([]), "resolver.aaudit_links"),
            (lambda: resolver.tweet([]), "resolver.atweet"),
            (lambda: resolver.tweets([]), "resolver.atweets"),
            (lambda: resolver.archive([]), "resolver.aarchive"),
        ]
        for call, twin in calls:
            with pytest.raises(UsageError, match=f"await {twin}"):
                call()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "coroutine was never awaited" either
        asyncio.run(inside())


def test_resolver_archive_stays_callable_once_its_package_is_imported() -> None:
    """Importing a module of the package makes the package `resolver.archive`: it still archives."""
    import subprocess
    import sys

    script = (
        "import resolver.archive.verify, resolver, asyncio\n"
        "from resolver.errors import UsageError\n"
        "assert callable(resolver.archive)\n"
        "async def inside():\n"
        "    try:\n"
        "        resolver.archive([])\n"
        "    except UsageError as exc:\n"
        "        print(exc)\n"
        "asyncio.run(inside())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "await resolver.aarchive" in done.stdout
