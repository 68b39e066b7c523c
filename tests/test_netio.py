"""The network backend under httpcore (`resolver.netio`): real sockets on loopback, on both
the standard event loop and uvloop, as the tool runs on either."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpcore
import pytest
import trustme

from resolver import netio
from resolver.netio import LoopBackend, LoopStream

LOOPS = ["asyncio", "uvloop"]


def run(loop_name: str, main: Callable[[], Awaitable[Any]]) -> Any:
    if loop_name == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(main())
    return asyncio.run(main())


async def serve(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]], **kw: Any
) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, **kw)
    return server, server.sockets[0].getsockname()[1]


@pytest.fixture(params=LOOPS)
def loop_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_reads_at_most_max_bytes_then_empty_at_the_end(loop_name: str) -> None:
    payload = bytes(range(256)) * 400  # 100 KB

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(5)
        writer.write(payload)
        await writer.drain()
        writer.close()

    async def main() -> tuple[bytes, int]:
        server, port = await serve(handler)
        async with server:
            stream = await LoopBackend().connect_tcp("127.0.0.1", port, timeout=5)
            await stream.write(b"hello", timeout=5)
            got, largest = b"", 0
            while chunk := await stream.read(1000, timeout=5):
                largest = max(largest, len(chunk))
                got += chunk
            assert await stream.read(1000, timeout=5) == b""  # and again: still the end
            await stream.aclose()
            return got, largest

    got, largest = run(loop_name, main)
    assert got == payload
    assert largest == 1000


def test_a_stalled_server_gives_read_timeout(loop_name: str) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    async def main() -> float:
        server, port = await serve(handler)
        async with server:
            stream = await LoopBackend().connect_tcp("127.0.0.1", port, timeout=5)
            started = time.monotonic()
            with pytest.raises(httpcore.ReadTimeout):
                await stream.read(100, timeout=0.2)
            waited = time.monotonic() - started
            await stream.aclose()
            server.close()
            return waited

    assert 0.15 < run(loop_name, main) < 2


def test_refused_connection_keeps_its_errno(loop_name: str) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def main() -> BaseException:
        with pytest.raises(httpcore.ConnectError) as info:
            await LoopBackend().connect_tcp("127.0.0.1", port, timeout=5)
        return info.value

    exc = run(loop_name, main)
    cause = exc.__cause__
    assert isinstance(cause, ConnectionRefusedError) and cause.errno == errno.ECONNREFUSED
    assert "111" in str(exc) or "refused" in str(exc).lower()


def test_reset_by_the_server_is_a_read_error(loop_name: str) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        await reader.readexactly(1)
        writer.transport.abort()  # RST, not FIN

    async def main() -> BaseException | bytes:
        server, port = await serve(handler)
        async with server:
            stream = await LoopBackend().connect_tcp("127.0.0.1", port, timeout=5)
            await stream.write(b"x", timeout=5)
            try:
                return await stream.read(100, timeout=5)
            except httpcore.ReadError as exc:
                return exc
            finally:
                await stream.aclose()

    outcome = run(loop_name, main)
    # A reset reaches the client as a reset (ReadError chained to ECONNRESET) or, when the
    # kernel reports it as the end of the stream, as b"": never as data, never as a hang.
    if isinstance(outcome, BaseException):
        assert isinstance(outcome.__cause__, ConnectionError)
    else:
        assert outcome == b""


def test_an_idle_connection_closed_by_the_server_is_readable(loop_name: str) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async def main() -> tuple[bool, bool]:
        server, port = await serve(handler)
        async with server:
            stream = await LoopBackend().connect_tcp("127.0.0.1", port, timeout=5)
            before = bool(stream.get_extra_info("is_readable"))
            for _ in range(100):  # the loop sees the FIN within a few turns
                await asyncio.sleep(0.01)
                if stream.get_extra_info("is_readable"):
                    break
            after = bool(stream.get_extra_info("is_readable"))
            await stream.aclose()
            return before, after

    assert run(loop_name, main) == (False, True)


def test_a_slow_reader_pauses_the_socket(loop_name: str) -> None:
    """The buffer stays bounded while the server sends far more than the reader takes."""
    total = 8 * 1024 * 1024

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        block = b"x" * 65536
        for _ in range(total // len(block)):
            writer.write(block)
            await writer.drain()
        writer.close()

    async def main() -> tuple[int, int]:
        server, port = await serve(handler)
        async with server:
            stream = await LoopBackend().connect_tcp("127.0.0.1", port, timeout=5)
            assert isinstance(stream, LoopStream)
            got = peak = 0
            await asyncio.sleep(0.3)  # the server writes while nobody reads
            while chunk := await stream.read(65536, timeout=5):
                got += len(chunk)
                peak = max(peak, stream._protocol._size)
            await stream.aclose()
            return got, peak

    got, peak = run(loop_name, main)
    assert got == total
    # Paused above PAUSE_ABOVE: what was in flight may still land, but not megabytes.
    assert peak < netio.PAUSE_ABOVE + 1024 * 1024


@pytest.fixture(scope="module")
def tls_pair() -> Iterator[tuple[ssl.SSLContext, ssl.SSLContext]]:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("good.test").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    yield server_context, client_context


def test_tls_over_the_loop_and_a_wrong_name(
    loop_name: str, tls_pair: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server_context, client_context = tls_pair

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            writer.write(b"echo " + line)
            await writer.drain()
        except (ssl.SSLError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main() -> tuple[bytes, BaseException]:
        server, port = await serve(handler, ssl=server_context)
        async with server:
            backend = LoopBackend()
            plain = await backend.connect_tcp("127.0.0.1", port, timeout=5)
            secure = await plain.start_tls(client_context, server_hostname="good.test", timeout=5)
            assert secure.get_extra_info("ssl_object") is not None
            await secure.write(b"ping\n", timeout=5)
            answer = b""
            while chunk := await secure.read(100, timeout=5):
                answer += chunk
            await secure.aclose()

            plain = await backend.connect_tcp("127.0.0.1", port, timeout=5)
            with pytest.raises(httpcore.ConnectError) as info:
                await plain.start_tls(client_context, server_hostname="other.test", timeout=5)
            return answer, info.value

    answer, error = run(loop_name, main)
    assert answer == b"echo ping\n"
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)


def test_addresses_alternate_families() -> None:
    v4a, v4b = (socket.AF_INET, ("192.0.2.1", 80)), (socket.AF_INET, ("192.0.2.2", 80))
    v6a, v6b = (socket.AF_INET6, ("2001:db8::1", 80, 0, 0)), (socket.AF_INET6, ("2001:db8::2", 80, 0, 0))
    assert netio._interleaved([v6a, v6b, v4a, v4b, v4a]) == [v6a, v4a, v6b, v4b]


def test_a_silent_address_does_not_hold_back_the_next(
    loop_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Happy Eyeballs: the second address is tried 250 ms in, and wins."""
    opened: list[str] = []

    async def fake_open(loop: Any, address: str, port: int, local: Any, family: int = 0) -> Any:
        opened.append(address)
        if address == "2001:db8::1":
            await asyncio.sleep(30)  # a black-holed route
        return ("transport-for-" + address, None)

    monkeypatch.setattr(netio, "_open", fake_open)
    addresses = [(socket.AF_INET6, ("2001:db8::1", 80, 0, 0)), (socket.AF_INET, ("127.0.0.1", 80))]

    async def main() -> tuple[Any, float]:
        started = time.monotonic()
        won = await netio._race(asyncio.get_running_loop(), addresses, 80, None)
        return won, time.monotonic() - started

    won, took = run(loop_name, main)
    assert won[0] == "transport-for-127.0.0.1"
    assert netio.NEXT_ADDRESS_DELAY <= took < 2
    assert opened == ["2001:db8::1", "127.0.0.1"]


def test_when_every_address_fails_the_first_error_is_raised(
    loop_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fake_open(loop: Any, address: str, port: int, local: Any, family: int = 0) -> Any:
        if address == "2001:db8::1":
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(netio, "_open", fake_open)
    addresses = [(socket.AF_INET6, ("2001:db8::1", 80, 0, 0)), (socket.AF_INET, ("192.0.2.1", 80))]

    async def main() -> None:
        await netio._race(asyncio.get_running_loop(), addresses, 80, None)

    with pytest.raises(ConnectionRefusedError):
        run(loop_name, main)


def test_httpcore_locks_take_no_event_loop_turn_when_free(loop_name: str) -> None:
    from httpcore._synchronization import AsyncLock

    from resolver.net import uncontended_locks_do_not_yield

    assert uncontended_locks_do_not_yield()
    assert uncontended_locks_do_not_yield()  # wrapped once, however often asked

    async def main() -> tuple[list[str], list[tuple[str, int]]]:
        lock = AsyncLock()
        ran: list[str] = []

        async def other() -> None:
            ran.append("other")

        waiting = asyncio.ensure_future(other())  # runs at the next turn of the loop
        async with lock:
            seen = list(ran)
        await waiting

        order: list[tuple[str, int]] = []

        async def user(n: int) -> None:
            async with lock:
                order.append(("in", n))
                await asyncio.sleep(0.01)
                order.append(("out", n))

        await asyncio.gather(user(1), user(2))
        return seen, order

    seen, order = run(loop_name, main)
    assert seen == []  # taking the free lock gave the other task no turn
    assert order == [("in", 1), ("out", 1), ("in", 2), ("out", 2)]  # and it still excludes


def test_reads_of_any_size_return_the_stream_in_order(loop_name: str) -> None:
    payload = bytes(i % 251 for i in range(300_000))

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for start in range(0, len(payload), 70_000):  # chunks that do not line up with the reads
            writer.write(payload[start : start + 70_000])
            await writer.drain()
        writer.close()

    async def main() -> bytes:
        server, port = await serve(handler)
        async with server:
            stream = await LoopBackend().connect_tcp("127.0.0.1", port, timeout=5)
            sizes = [1, 7, 1000, 65536, 3]
            got = bytearray()
            turn = 0
            while chunk := await stream.read(sizes[turn % len(sizes)], timeout=5):
                assert len(chunk) <= sizes[turn % len(sizes)]
                got += chunk
                turn += 1
            await stream.aclose()
            return bytes(got)

    assert run(loop_name, main) == payload
