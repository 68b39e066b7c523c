"""The data the local web is made of: a request as the server read it, a response as data.

A `Response` says everything the server will do on the wire: status, headers in the order and
case given, a body held in memory or produced on demand (`Stream`), and the ways a real server
misbehaves (latency, slow headers, a drip-fed body, a wrong Content-Length, a stall, a reset).
The server (`server.py`) is the only code that turns these into bytes.
"""

from __future__ import annotations

import json as _json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from http import HTTPStatus
from typing import Any, TypeAlias


class Headers:
    """Header fields in wire order and case, with case-insensitive look-up (RFC 9110 §5.1)."""

    __slots__ = ("_index", "raw")

    def __init__(self, raw: Iterable[tuple[str, str]] = ()) -> None:
        self.raw: tuple[tuple[str, str], ...] = tuple(raw)
        self._index: dict[str, str] = {}
        for name, value in self.raw:
            key = name.lower()
            # Repeated fields combine with a comma (RFC 9110 §5.3); Set-Cookie never comes in.
            self._index[key] = f"{self._index[key]}, {value}" if key in self._index else value

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._index.get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return self._index[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __repr__(self) -> str:
        return f"Headers({list(self.raw)!r})"


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the local web received it (also the entry of the request log).

    `scheme` is "https" for requests that came inside a CONNECT tunnel and "http" for requests
    forwarded in absolute form (`GET http://host/path`). `target` is the path with its query.
    """

    method: str
    scheme: str
    host: str
    port: int
    target: str
    headers: Headers
    body: bytes = b""
    time: float = 0.0
    client: str = ""

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]

    @property
    def url(self) -> str:
        default = 443 if self.scheme == "https" else 80
        netloc = self.host if self.port == default else f"{self.host}:{self.port}"
        return f"{self.scheme}://{netloc}{self.target}"

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "") or ""

    @property
    def is_browser(self) -> bool:
        """What shorteners look at: every desktop and mobile browser says `Mozilla/`."""
        return "mozilla" in self.user_agent.lower()


@dataclass(frozen=True, slots=True)
class Stream:
    """A body made on demand, chunk by chunk, so that a 2 GB body never sits in memory.

    `chunks` is called once per response. With `length` the server sends a Content-Length;
    without it the body goes out with chunked transfer coding.
    """

    chunks: Callable[[], Iterable[bytes]]
    length: int | None = None


Body: TypeAlias = bytes | Stream


class Fault(Enum):
    """Ways a server breaks a response, and what httpx makes of each (see README.md)."""

    #: Read the request, never answer; the connection stays open until the client gives up.
    STALL = "stall"
    #: Close the connection (FIN) without a byte of response.
    CLOSE_BEFORE_RESPONSE = "close-before-response"
    #: Send part of the status line and headers, then reset the connection (TCP RST).
    RESET_MID_HEADERS = "reset-mid-headers"
    #: Send the head and `fault_after` body bytes, then reset the connection (TCP RST).
    RESET_MID_BODY = "reset-mid-body"
    #: Send the head and `fault_after` body bytes, then close cleanly (FIN): a truncated body.
    CLOSE_MID_BODY = "close-mid-body"


@dataclass(frozen=True, slots=True)
class Response:
    """What the server answers, as data.

    `headers` are sent as given, in order and in case (a lowercase `location` stays lowercase).
    Content-Length is added from the body unless `content_length` overrides it (a lie the
    server then tells) or the body is a `Stream` of unknown length (chunked coding).
    `latency` (seconds before the first byte; None means the web's default) and the other
    timing fields play slow servers; `fault` plays broken ones.
    """

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: Body = b""
    reason: str | None = None
    latency: float | None = None
    #: Declared Content-Length when it should differ from the body's real length.
    content_length: int | None = None
    fault: Fault | None = None
    #: Body bytes sent before a mid-body fault (None: half the body).
    fault_after: int | None = None
    #: Seconds between the header lines (slow headers).
    header_delay: float = 0.0
    #: Seconds between body pieces of `drip_size` bytes (slow-drip body).
    drip: float = 0.0
    drip_size: int = 1
    #: Close the connection after this response even if the client wants keep-alive.
    close: bool = False
    _wire: dict[bool, bytes] = field(default_factory=dict, init=False, repr=False, compare=False)

    # -- constructors that read like what they are -------------------------------------------

    @classmethod
    def html(
        cls, html: str, status: int = 200, headers: Iterable[tuple[str, str]] = (), **kw: Any
    ) -> Response:
        return cls(status, (("Content-Type", "text/html; charset=utf-8"), *headers), html.encode(), **kw)

    @classmethod
    def text(
        cls, text: str, status: int = 200, headers: Iterable[tuple[str, str]] = (), **kw: Any
    ) -> Response:
        return cls(status, (("Content-Type", "text/plain; charset=utf-8"), *headers), text.encode(), **kw)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: Iterable[tuple[str, str]] = (), **kw: Any
    ) -> Response:
        body = _json.dumps(data, ensure_ascii=False).encode()
        return cls(status, (("Content-Type", "application/json; charset=utf-8"), *headers), body, **kw)

    @classmethod
    def redirect(
        cls,
        location: str,
        status: int = 301,
        headers: Iterable[tuple[str, str]] = (),
        header_name: str = "Location",
        **kw: Any,
    ) -> Response:
        """A redirect; `header_name="location"` sends the field name in lower case."""
        body = f'<html><body>Moved: <a href="{location}">{location}</a></body></html>'.encode()
        fields = ((header_name, location), ("Content-Type", "text/html; charset=utf-8"), *headers)
        return cls(status, fields, body, **kw)

    # -- wire form -----------------------------------------------------------------------------

    @property
    def reason_phrase(self) -> str:
        if self.reason is not None:
            return self.reason
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Unknown"

    @property
    def declared_length(self) -> int | None:
        """The Content-Length the head announces (None: chunked)."""
        if self.content_length is not None:
            return self.content_length
        if isinstance(self.body, bytes):
            return len(self.body)
        return self.body.length

    @property
    def is_simple(self) -> bool:
        """True when head and body can go out in one write and be cached."""
        return (
            isinstance(self.body, bytes)
            and self.fault is None
            and self.content_length is None
            and not self.header_delay
            and not self.drip
        )

    def head_lines(self, close: bool) -> list[bytes]:
        """Status line and header lines, each ending in CRLF, without the blank line."""
        lines = [f"HTTP/1.1 {self.status} {self.reason_phrase}\r\n".encode("latin-1")]
        names = set()
        for name, value in self.headers:
            names.add(name.lower())
            lines.append(f"{name}: {value}\r\n".encode("latin-1"))
        if "content-length" not in names and "transfer-encoding" not in names:
            length = self.declared_length
            if length is None:
                lines.append(b"Transfer-Encoding: chunked\r\n")
            else:
                lines.append(b"Content-Length: %d\r\n" % length)
        if close:
            lines.append(b"Connection: close\r\n")
        return lines

    def wire(self, close: bool) -> bytes:
        """Head and body in one piece, for simple responses; computed once per (response, close)."""
        cached = self._wire.get(close)
        if cached is None:
            assert isinstance(self.body, bytes)
            cached = b"".join(self.head_lines(close)) + b"\r\n" + self.body
            self._wire[close] = cached
        return cached

    def head_wire(self, close: bool) -> bytes:
        return b"".join(self.head_lines(close)) + b"\r\n"


#: A route: a fixed response, or a function of the request. A function may return None to say
#: "not mine": the look-up then goes on to the next, less specific, route.
Handler: TypeAlias = Response | Callable[[Request], "Response | None"]


class Upstream(Enum):
    """What the proxy finds when it tries to reach a host (the proxy's upstream side)."""

    OK = "ok"
    #: The name does not resolve: every host the web does not know, and hosts marked so.
    DNS_FAILURE = "dns-failure"
    #: The name resolves but nothing listens (TCP RST on connect).
    REFUSED = "connect-refused"
    #: The upstream connect hangs: the proxy never answers the CONNECT or the request.
    TIMEOUT = "connect-timeout"


class TlsFault(Enum):
    """Certificates a host can present inside the tunnel instead of a good one."""

    #: Issued by a CA the client does not trust ("unable to get local issuer certificate").
    UNTRUSTED = "untrusted"
    #: Trusted CA, but for another name ("Hostname mismatch").
    WRONG_NAME = "wrong-name"
    #: Trusted CA, right name, expired last year ("certificate has expired").
    EXPIRED = "expired"


class ProxyFlavour(Enum):
    """Whose error pages the proxy plays when it cannot reach a host.

    MITMPROXY (the default): `502 Bad Gateway`, body `Cannot connect to HOST:PORT: [Errno -2]
    Name or service not known` (mitmproxy 7+ with connection_strategy=eager, for CONNECT and
    for forwarded requests alike). SQUID: `503 Service Unavailable` with an
    `X-Squid-Error: ERR_DNS_FAIL 0` or `ERR_CONNECT_FAIL 111` header and an HTML error page
    (squid's peer selection and tunnel code use 503 for both).
    """

    MITMPROXY = "mitmproxy"
    SQUID = "squid"
