"""A raw asyncio load generator for the local web (how the figures in server.py were taken).

    python -m tests.web --scenario bench --port 8899 &
    python -m tests.web.loadgen --proxy 127.0.0.1:8899 --mode http --connections 64 --seconds 5
    python -m tests.web.loadgen --proxy 127.0.0.1:8899 --mode https --ca /tmp/.../ca.pem

Modes: `http` sends absolute-form GETs over keep-alive connections; `https` opens one CONNECT
tunnel per connection and sends keep-alive requests inside it; `https-new` opens a new tunnel
(CONNECT + TLS handshake) for every request. It only ever talks to a loopback address, and
every run is bounded by both a duration and a request count.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import ssl
import time
from dataclasses import dataclass


@dataclass
class Stats:
    done: int = 0
    failed: int = 0


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def open_tunnel(
    proxy: tuple[str, int], host: str, context: ssl.SSLContext
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(*proxy)
    writer.write(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if head[9:12] != b"200":
        raise ConnectionError(head.decode("latin-1"))
    await writer.start_tls(context, server_hostname=host)
    return reader, writer


async def worker(
    n: int,
    args: argparse.Namespace,
    proxy: tuple[str, int],
    context: ssl.SSLContext | None,
    stats: Stats,
    deadline: float,
) -> None:
    host = f"bench-origin-{n}.test"
    i = 0

    def more() -> bool:
        return time.perf_counter() < deadline and stats.done + stats.failed < args.max_requests

    if args.mode == "https-new":
        assert context is not None
        while more():
            try:
                reader, writer = await open_tunnel(proxy, host, context)
                writer.write(f"GET /p{i} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                await read_response(reader)
                writer.close()
                stats.done += 1
            except (OSError, asyncio.IncompleteReadError):
                stats.failed += 1
            i += 1
        return
    if args.mode == "https":
        assert context is not None
        reader, writer = await open_tunnel(proxy, host, context)
        prefix = ""
    else:
        reader, writer = await asyncio.open_connection(*proxy)
        prefix = f"http://{host}"
    try:
        while more():
            writer.write(
                f"GET {prefix}/p{i} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: loadgen\r\n\r\n".encode()
            )
            status = await read_response(reader)
            if status == 200:
                stats.done += 1
            else:
                stats.failed += 1
            i += 1
    finally:
        writer.close()


async def run(args: argparse.Namespace) -> Stats:
    host, _, port = args.proxy.rpartition(":")
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit("loadgen only targets loopback addresses")
    context = ssl.create_default_context(cafile=args.ca) if args.mode != "http" else None
    stats = Stats()
    start = time.perf_counter()
    deadline = start + args.seconds
    await asyncio.gather(
        *(worker(n, args, (host, int(port)), context, stats, deadline) for n in range(args.connections))
    )
    elapsed = time.perf_counter() - start
    rate = stats.done / elapsed
    print(f"{args.mode}: {stats.done} ok, {stats.failed} failed in {elapsed:.2f} s = {rate:,.0f} requests/s")
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--proxy", default="127.0.0.1:8899")
    parser.add_argument("--mode", choices=["http", "https", "https-new"], default="http")
    parser.add_argument("--ca", help="the CA file the server printed (https modes)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.mode != "http" and not args.ca:
        parser.error("--ca is needed for https modes")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
