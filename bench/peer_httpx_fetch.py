"""The least a link checker built on httpx can do: GET each URL once, and nothing else.

    python bench/peer_httpx_fetch.py --concurrency 64 --per-host 4 < urls.txt

A peer for `bench_audit.py --peer`: it reads URLs (one per line) and fetches each with one
shared `httpx.AsyncClient` (the proxy and CA from the environment, redirects followed, the
body read to the end and thrown away), at most `--concurrency` requests in flight and
`--per-host` per host, on uvloop when it is installed (the cheapest loop httpx runs on).
It does not scan articles, read pages, probe siblings, keep a journal or write results: the
CPU it spends is what the HTTP stack alone costs for these requests on this machine, a floor
under any audit that fetches them with httpx. Prints one JSON line: URLs, statuses, errors.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import ssl
import sys
import urllib.parse

import httpx


async def fetch_all(urls: list[str], concurrency: int, per_host: int) -> dict[str, int]:
    cafile = os.environ.get("SSL_CERT_FILE")
    verify = ssl.create_default_context(cafile=cafile) if cafile else True
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    outcomes: collections.Counter[str] = collections.Counter()
    slots = asyncio.Semaphore(concurrency)
    hosts: collections.defaultdict[str, asyncio.Semaphore] = collections.defaultdict(
        lambda: asyncio.Semaphore(per_host)
    )
    async with httpx.AsyncClient(
        verify=verify, trust_env=True, follow_redirects=True, limits=limits, timeout=30.0
    ) as client:

        async def one(url: str) -> None:
            async with hosts[urllib.parse.urlsplit(url).hostname or ""], slots:
                try:
                    async with client.stream("GET", url) as response:
                        async for _ in response.aiter_raw():
                            pass
                    outcomes[str(response.status_code)] += 1
                except httpx.HTTPError as exc:
                    outcomes[type(exc).__name__] += 1

        await asyncio.gather(*(one(url) for url in urls))
    return dict(outcomes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=4)
    args = parser.parse_args()
    urls = [line.strip() for line in sys.stdin if line.strip()]
    run = fetch_all(urls, args.concurrency, args.per_host)
    try:
        import uvloop
    except ImportError:
        outcomes = asyncio.run(run)
    else:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            outcomes = runner.run(run)
    print(json.dumps({"urls": len(urls), "outcomes": outcomes}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
