"""The local web's server: an HTTP/1.1 forward proxy on loopback that *is* the internet.

Clients reach it the way a user behind a proxy reaches the web (HTTP_PROXY / HTTPS_PROXY),
so the code under test takes its production path: httpx's proxy support, CONNECT tunnels,
certificate verification against SSL_CERT_FILE. No name is ever looked up in DNS.

- `GET http://host/path HTTP/1.1` (absolute form): answered at once from the `Web` registry.
- `CONNECT host:443`: `200 Connection established`, then TLS with a certificate for `host`
  minted on demand by the test CA, then HTTP/1.1 requests inside the tunnel, keep-alive.
  The proxy acts as a blind tunnel (squid without ssl-bump): TLS is between the client and
  the played origin, so certificate faults reach the client as they would from a real site.
- Hosts the registry does not know fail like a real proxy's upstream: see `ProxyFlavour`.

The parser is small on purpose: request line, header fields, Content-Length or chunked
request bodies, keep-alive (RFC 9112). It serves HTTP/1.1 only (ALPN says so).

Measured on the 2-core development machine: loopback, keep-alive, small HTML pages of the
`bench` scenario, the server alone in its process (`python -m tests.web --scenario bench`) and
the raw asyncio load generator (`python -m tests.web.loadgen`) in another, sharing the 2 cores:

- plain HTTP forwarding (absolute form):  22,000 requests/s (16 connections), 28,000 (64)
- HTTPS inside CONNECT tunnels:           14,600 requests/s (16 tunnels), 20,000 (64)
- a new tunnel per request (CONNECT, TLS handshake, one request): 700-900 requests/s

An httpx client is far slower than that load generator: the server is not what a benchmark of
the product measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import socket
import ssl
import struct
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from tests.web.model import Fault, Headers, ProxyFlavour, Request, Response, Stream, Upstream
from tests.web.scenarios import Web
from tests.web.tls import CertStore

#: Largest request head and body accepted (a real proxy has limits too).
MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024
#: How long a reset waits after its last bytes so the client reads them before the RST.
RESET_GRACE = 0.05
#: Mid-body faults strike after this many bytes when the body length gives no half.
DEFAULT_FAULT_AFTER = 1024

CONNECTION_ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"


class BadRequest(Exception):
    pass


def upstream_error(flavour: ProxyFlavour, state: Upstream, host: str, port: int, forwarded: bool) -> Response:
    """What a proxy answers when it cannot reach `host:port` (DNS failure or refused).

    mitmproxy (connection_strategy=eager): `502 Bad Gateway`, message
    `Cannot connect to host:port: <OSError>`, plain for CONNECT, an HTML page for forwarded
    requests. squid: `503 Service Unavailable` + `X-Squid-Error` + an HTML error page.
    """
    dns = state is Upstream.DNS_FAILURE
    if flavour is ProxyFlavour.SQUID:
        code = "ERR_DNS_FAIL 0" if dns else "ERR_CONNECT_FAIL 111"
        detail = (
            f"Unable to determine IP address from host name <q>{html.escape(host)}</q>. "
            "The DNS server returned: Name Error: The domain name does not exist."
            if dns
            else f"The system returned: <i>(111) Connection refused</i> connecting to {html.escape(host)}."
        )
        page = (
            "<html><head><title>ERROR: The requested URL could not be retrieved</title></head><body>"
            f"<h1>ERROR</h1><h2>The requested URL could not be retrieved</h2><p>{detail}</p></body></html>"
        )
        headers = (
            ("Server", "squid"),
            ("Mime-Version", "1.0"),
            ("Content-Type", "text/html;charset=utf-8"),
            ("X-Squid-Error", code),
        )
        return Response(503, headers, page.encode(), close=True)
    error = "[Errno -2] Name or service not known" if dns else "[Errno 111] Connection refused"
    message = f"Cannot connect to {host}:{port}: {error}"
    if not forwarded:
        return Response(502, (), message.encode(), close=True)
    page = (
        "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
        f"<p>{html.escape(message)}</p></body></html>"
    )
    return Response(502, (("Content-Type", "text/html"),), page.encode(), close=True)


class ProxyServer:
    """The asyncio server. Create, `await start()`, `await stop()`, all on one event loop."""

    def __init__(self, web: Web, certs: CertStore, host: str = "127.0.0.1", port: int = 0) -> None:
        self.web = web
        self.certs = certs
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._on_client, self.host, self.port, limit=MAX_HEAD, backlog=1024, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in list(self._writers):
            writer.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        await asyncio.sleep(0)  # let the aborted transports run connection_lost

    # -- a client connection ---------------------------------------------------------------

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer = writer.get_extra_info("peername")
        client = f"{peer[0]}:{peer[1]}" if peer else ""
        try:
            await self._serve(reader, writer, client, None)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError):
            pass  # the client went away or broke TLS: a real server just drops the connection
        except asyncio.CancelledError:
            pass  # the server is stopping
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _serve(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        client: str,
        tunnel: tuple[str, int] | None,
    ) -> None:
        """Serve requests on one connection (or one tunnel) until either side closes it."""
        web = self.web
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # clean end of a keep-alive connection (or a head cut short)
            except asyncio.LimitOverrunError:
                writer.write(Response.text("request head too large", 431, close=True).wire(True))
                return
            try:
                method, target, version, headers = parse_head(head)
            except BadRequest as exc:
                writer.write(Response.text(str(exc), 400, close=True).wire(True))
                return
            if method == "CONNECT" and tunnel is None:
                try:
                    host, port = split_authority(target, 443)
                except BadRequest as exc:
                    writer.write(Response.text(str(exc), 400, close=True).wire(True))
                    return
                await self._connect(reader, writer, client, host, port)
                return
            try:
                scheme, host, port, path = locate(target, headers, tunnel)
                body = await read_body(reader, headers)
            except BadRequest as exc:
                writer.write(Response.text(str(exc), 400, close=True).wire(True))
                return
            connection = (headers.get("connection") or "").lower()
            close = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
            if host is None or (tunnel is None and self._is_me(host, port)):
                writer.write(self._about(path).wire(close))
                await writer.drain()
                if close:
                    return
                continue
            request = Request(method, scheme, host, port, path, headers, body, web.clock(), client)
            web.record(request)
            if tunnel is None:
                state = web.upstream(host)
                if state is Upstream.TIMEOUT:
                    await wait_for_eof(reader)
                    return
                if state is not Upstream.OK:
                    error = upstream_error(web.flavour, state, host, port, forwarded=True)
                    await self._send(reader, writer, request, error, True)
                    return
            response = web.respond(request)
            if not await self._send(reader, writer, request, response, close):
                return

    async def _connect(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, client: str, host: str, port: int
    ) -> None:
        web = self.web
        web.record_connect(host, port)
        if web.connect_latency > 0:
            await asyncio.sleep(web.connect_latency)
        state = web.upstream(host)
        if state is Upstream.TIMEOUT:
            await wait_for_eof(reader)
            return
        if state is not Upstream.OK:
            writer.write(upstream_error(web.flavour, state, host, port, forwarded=False).wire(True))
            await writer.drain()
            return
        writer.write(CONNECTION_ESTABLISHED)
        context = self.certs.server_context(host, web.tls_fault(host))
        # The client rejects a bad certificate by aborting the handshake: start_tls raises
        # SSLError or ConnectionError, and the connection ends here.
        await writer.start_tls(context, ssl_handshake_timeout=10)
        await self._serve(reader, writer, client, (host, port))

    def _is_me(self, host: str, port: int) -> bool:
        return port == self.port and host in (self.host, "localhost", "127.0.0.1")

    def _about(self, target: str) -> Response:
        """The proxy's own pages, asked of it directly (not through it), like mitm.it:
        `/ca.pem`, `/_web/stats[?host=H]` (request counts as JSON), `/_web/reset` (clears them)."""
        path, _, query = target.partition("?")
        if path == "/ca.pem":
            return Response(
                200, (("Content-Type", "application/x-pem-file"),), self.certs.ca_path.read_bytes()
            )
        if path == "/_web/stats":
            host = query[len("host=") :] if query.startswith("host=") else None
            return Response.json(self.web.stats(host))
        if path == "/_web/reset":
            self.web.reset_log()
            return Response.json({"reset": True})
        return Response.text(
            f"resolver test web: an HTTP proxy at {self.url}\n"
            f"CA certificate: {self.certs.ca_path} (also at {self.url}/ca.pem)\n"
            f"request counts: {self.url}/_web/stats[?host=HOST]; clear them: {self.url}/_web/reset\n"
        )

    # -- writing a response ----------------------------------------------------------------

    async def _send(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: Request,
        response: Response,
        close: bool,
    ) -> bool:
        """Write `response`, playing its timing and faults. True when the connection stays open."""
        latency = response.latency if response.latency is not None else self.web.latency
        if latency > 0:
            await asyncio.sleep(latency)
        close = close or response.close
        head_only = request.method == "HEAD"
        if response.is_simple:
            writer.write(response.head_wire(close) if head_only else response.wire(close))
            await writer.drain()
            return not close
        fault = response.fault
        if fault is Fault.STALL:
            await wait_for_eof(reader)
            return False
        if fault is Fault.CLOSE_BEFORE_RESPONSE:
            return False
        lines = response.head_lines(close)
        if fault is Fault.RESET_MID_HEADERS:
            head = b"".join(lines)
            writer.write(head[: max(1, len(head) // 2)])
            await reset(writer)
            return False
        if response.header_delay:
            for line in lines:
                writer.write(line)
                await writer.drain()
                await asyncio.sleep(response.header_delay)
            writer.write(b"\r\n")
        else:
            writer.write(b"".join(lines) + b"\r\n")
        if head_only:
            await writer.drain()
            return not close
        declared = response.declared_length
        chunked = declared is None and "transfer-encoding" not in {n.lower() for n, _ in response.headers}
        limit: int | None = None
        if fault in (Fault.RESET_MID_BODY, Fault.CLOSE_MID_BODY):
            limit = (
                response.fault_after
                if response.fault_after is not None
                else (declared // 2 if declared else DEFAULT_FAULT_AFTER)
            )
        sent = 0
        for piece in body_pieces(response):
            if writer.transport.is_closing():
                # The client hung up (it stopped reading a huge body, say): stop making bytes.
                raise ConnectionResetError("client closed the connection")
            if limit is not None and sent + len(piece) >= limit:
                piece = piece[: limit - sent]
                if piece:
                    writer.write(frame(piece) if chunked else piece)
                if fault is Fault.RESET_MID_BODY:
                    await reset(writer)
                else:
                    await writer.drain()
                return False
            writer.write(frame(piece) if chunked else piece)
            sent += len(piece)
            await writer.drain()
            # Yield on every piece: when the client is gone, a TLS transport does not say so
            # (is_closing() stays False and drain() returns at once) until connection_lost
            # has run, which needs the loop; without this a 2 GB body would spin to its end.
            await asyncio.sleep(response.drip)
        if chunked:
            writer.write(b"0\r\n\r\n")
        await writer.drain()
        if declared is not None and declared != sent:
            return False  # the head lied about the length: the connection cannot be reused
        return not close


# -- the wire format, small and strict where it matters -------------------------------------


def parse_head(head: bytes) -> tuple[str, str, str, Headers]:
    """Request line and header fields of one request head (ending in CRLF CRLF)."""
    text = head.decode("latin-1").lstrip("\r\n")  # RFC 9112 §2.2: ignore leading empty lines
    lines = text[:-4].split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(f"bad request line {lines[0]!r}")
    fields = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(f"bad header field {line!r}")
        fields.append((name, value.strip()))
    return parts[0], parts[1], parts[2], Headers(fields)


def split_authority(authority: str, default_port: int) -> tuple[str, int]:
    """`host:port` (or `[v6]:port`, or a bare host) -> (lower-case host, port)."""
    if authority.startswith("["):
        end = authority.find("]")
        host, rest = authority[1:end], authority[end + 1 :]
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = authority.partition(":")
    if not host:
        raise BadRequest(f"bad authority {authority!r}")
    try:
        return host.lower(), int(port) if port else default_port
    except ValueError:
        raise BadRequest(f"bad port in {authority!r}") from None


def locate(target: str, headers: Headers, tunnel: tuple[str, int] | None) -> tuple[str, str | None, int, str]:
    """(scheme, host, port, path-with-query) of a request; host None: for the proxy itself."""
    if tunnel is not None:
        # Inside a tunnel the origin is the CONNECT's host, whatever the Host field says.
        path = target if target.startswith("/") else "/" + target.split("://", 1)[-1].partition("/")[2]
        return "https", tunnel[0], tunnel[1], path
    if target.startswith(("http://", "https://")):
        scheme, _, rest = target.partition("://")
        cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
        authority, path = rest[:cut], rest[cut:]
        host, port = split_authority(authority, 443 if scheme == "https" else 80)
        return scheme, host, port, path if path.startswith("/") else "/" + path
    if not target.startswith("/"):
        raise BadRequest(f"unsupported request target {target!r}")
    host_field = headers.get("host")
    if not host_field:
        return "http", None, 0, target
    host, port = split_authority(host_field, 80)
    return "http", host, port, target


async def read_body(reader: asyncio.StreamReader, headers: Headers) -> bytes:
    if "chunked" in (headers.get("transfer-encoding") or "").lower():
        chunks = []
        total = 0
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest("bad chunk size") from None
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailer fields, ignored
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise BadRequest("request body too large")
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = headers.get("content-length")
    if not length:
        return b""
    try:
        size = int(length)
    except ValueError:
        raise BadRequest("bad Content-Length") from None
    if size < 0 or size > MAX_BODY:
        raise BadRequest("bad Content-Length")
    return await reader.readexactly(size) if size else b""


def body_pieces(response: Response) -> Iterator[bytes]:
    body = response.body
    pieces: Iterable[bytes]
    if isinstance(body, Stream):
        pieces = body.chunks()
    elif response.drip:
        size = max(1, response.drip_size)
        pieces = (body[i : i + size] for i in range(0, len(body), size))
    else:
        pieces = (body,) if body else ()
    for piece in pieces:
        if piece:
            yield piece


def frame(piece: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(piece), piece)


async def reset(writer: asyncio.StreamWriter) -> None:
    """End the connection with a TCP RST (SO_LINGER 0), after the bytes already written."""
    await writer.drain()
    await asyncio.sleep(RESET_GRACE)
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def wait_for_eof(reader: asyncio.StreamReader) -> None:
    """Hold the connection, reading and dropping, until the client closes it."""
    while await reader.read(65536):
        pass


# -- running it beside the tests -------------------------------------------------------------


class WebServer:
    """The proxy in a background thread with its own event loop, for tests and the CLI.

    `start()` returns once it listens; then `web.proxy_url`, `web.ca_path` and
    `web.ssl_context()` tell clients how to reach it. `stop()` closes every connection,
    stops the loop and joins the thread. Usable as a context manager.
    """

    def __init__(self, web: Web, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.web = web
        self.certs = CertStore(directory)
        self.server = ProxyServer(web, self.certs, host, port)
        self.loop_errors: list[dict[str, object]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def proxy_url(self) -> str:
        return self.server.url

    @property
    def ca_path(self) -> Path:
        return self.certs.ca_path

    def env(self) -> dict[str, str]:
        """The environment a client behind this proxy has (both cases: urllib prefers lower)."""
        values = {
            "HTTP_PROXY": self.proxy_url,
            "HTTPS_PROXY": self.proxy_url,
            "SSL_CERT_FILE": str(self.ca_path),
        }
        values.update({k.lower(): v for k, v in values.items() if k.endswith("_PROXY")})
        return values

    def start(self) -> WebServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.set_exception_handler(self._on_loop_error)
            try:
                loop.run_until_complete(self.server.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()

        self._thread = threading.Thread(target=run, name="resolver-test-web", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            raise failure[0]
        self.web.served_by(self.proxy_url, self.ca_path)
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        if thread.is_alive():
            raise RuntimeError("the local web's thread did not stop within 10 s")
        self._loop = self._thread = None
        self.web.served_by(None, None)

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        exc = context.get("exception")
        if isinstance(exc, ConnectionError | ssl.SSLError | TimeoutError):
            return  # clients that hang up or refuse a certificate: expected here
        self.loop_errors.append(context)
        loop.default_exception_handler(context)

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
