"""The behaviour of the played internet, as data: which host answers what.

`Web` is the registry the server consults. Routes are `(host, path) -> Handler`, where a
handler is a `Response` or a function of the `Request`; a host-level handler answers every
path of a host (or of a host pattern such as `bench-origin-*.test`). Hosts the web does not
know do not resolve: the proxy answers for them the way a real proxy answers a DNS failure.

Routes live in layers: the `local_web` fixture pushes a layer before each test and pops it
after, so a test's routes (and their counters) vanish with it while session routes stay.

The helpers below (`redirect`, `tco`, `rate_limited`, `gzip_bomb`, ...) each play one
real-world behaviour; the reason they exist is written beside each.
"""

from __future__ import annotations

import email.utils
import functools
import html as _html
import itertools
import re
import ssl
import struct
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.web.model import (
    Fault,
    Handler,
    Headers,
    ProxyFlavour,
    Request,
    Response,
    Stream,
    TlsFault,
    Upstream,
)

NOT_FOUND = Response.html("<html><head><title>404 Not Found</title></head><body>Not Found</body></html>", 404)


def split_url(url: str) -> tuple[str, str]:
    """`https://Host/p?q` -> ("host", "/p?q"); the scheme is not part of a route."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"not an absolute URL: {url!r}")
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return parts.hostname.lower(), target


@dataclass(frozen=True, slots=True)
class Connect:
    """One CONNECT the proxy received (a tunnel the client opened)."""

    host: str
    port: int
    time: float


class _Layer:
    __slots__ = ("globs", "hosts", "known", "routes", "tls", "upstream")

    def __init__(self) -> None:
        self.routes: dict[tuple[str | None, str, str], Handler] = {}
        self.hosts: dict[tuple[str | None, str], Handler] = {}
        self.globs: list[tuple[re.Pattern[str], str | None, Handler]] = []
        self.known: set[str] = set()
        self.upstream: dict[str, Upstream] = {}
        self.tls: dict[str, TlsFault] = {}


class HeadPolicy(Enum):
    """How a shortener answers HEAD. Some answer it like GET; some do not (WEB-FACTS.md:
    "Use GET; HEAD is not reliable on every shortener")."""

    SAME = "same"  #: the GET head without the body
    METHOD_NOT_ALLOWED = "405"  #: 405 with `Allow: GET`
    NO_LOCATION = "no-location"  #: 200 and no Location at all


class Scripted:
    """Answers from a script, one response per request, then `then` forever.

    Counters are per `key(request)` (default: one counter for everyone), so a test can give
    each client its own sequence, e.g. `key=lambda r: r.user_agent`.
    """

    def __init__(
        self,
        responses: Sequence[Response],
        then: Response | None = None,
        key: Callable[[Request], Hashable] | None = None,
    ) -> None:
        if not responses and then is None:
            raise ValueError("a script needs at least one response")
        self.responses = tuple(responses)
        self.then = then if then is not None else self.responses[-1]
        self.key = key
        self.counts: Counter[Hashable] = Counter()
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        key = self.key(request) if self.key else None
        with self._lock:
            turn = self.counts[key]
            self.counts[key] = turn + 1
        return self.responses[turn] if turn < len(self.responses) else self.then


class Web:
    """The registry of the played internet, plus the log of every request made to it."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        clock: Callable[[], float] = time.time,
        flavour: ProxyFlavour = ProxyFlavour.MITMPROXY,
        log_limit: int | None = None,
    ) -> None:
        #: Default seconds before each response (a route's `Response.latency` overrides it).
        self.latency = latency
        #: Seconds before the proxy answers a CONNECT (one round trip to the origin).
        self.connect_latency = 0.0
        self.clock = clock
        self.flavour = flavour
        self._layers: list[_Layer] = [_Layer()]
        self._lock = threading.Lock()
        # With `log_limit` only the newest requests are kept (long benchmark runs); the
        # counters behind `count(host)` and `count(host, path)` stay exact.
        self._requests: deque[Request] = deque(maxlen=log_limit)
        self._connects: list[Connect] = []
        self._by_host: Counter[str] = Counter()
        self._by_path: Counter[tuple[str, str]] = Counter()
        #: Exceptions raised by handlers (the server answered 500); tests should see none.
        self.errors: list[BaseException] = []
        #: Where clients find the server that serves this web (set while one does).
        self.proxy_url: str | None = None
        self.ca_path: Path | None = None

    def served_by(self, proxy_url: str | None, ca_path: Path | None) -> None:
        self.proxy_url, self.ca_path = proxy_url, ca_path

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the test CA (httpx: `verify=web.ssl_context()`)."""
        if self.ca_path is None:
            raise RuntimeError("this web is not being served")
        return ssl.create_default_context(cafile=str(self.ca_path))

    def client_options(self) -> dict[str, Any]:
        """`httpx.Client(**web.client_options())`: through the proxy, trusting the test CA."""
        return {"proxy": self.proxy_url, "verify": self.ssl_context()}

    # -- registering routes ------------------------------------------------------------------

    def add(self, host: str, path: str, handler: Handler, *, scheme: str | None = None) -> None:
        """Route `path` (with its query, if any: `/p?q=1` is matched before `/p`) on `host`."""
        host = host.lower()
        layer = self._layers[-1]
        layer.routes[(scheme, host, path)] = handler
        layer.known.add(host)

    def add_host(self, host: str | re.Pattern[str], handler: Handler, *, scheme: str | None = None) -> None:
        """Answer every path of `host` that has no route of its own. `host` may be a compiled
        regular expression (matched in full) or a name where `*` stands for any run of
        characters (`bench-origin-*.test`); such hosts resolve too."""
        layer = self._layers[-1]
        if isinstance(host, re.Pattern) or "*" in host:
            if isinstance(host, str):
                host = re.compile(".+".join(re.escape(part) for part in host.lower().split("*")))
            layer.globs.append((host, scheme, handler))
        else:
            host = host.lower()
            layer.hosts[(scheme, host)] = handler
            layer.known.add(host)

    def route(self, url: str, handler: Handler) -> None:
        """`add` with a URL: `web.route("https://bit.ly/x", Response(...))`."""
        host, target = split_url(url)
        self.add(host, target, handler)

    def set_upstream(self, host: str, state: Upstream) -> None:
        """Make the proxy fail to reach `host` (DNS_FAILURE, REFUSED, TIMEOUT) or succeed."""
        host = host.lower()
        layer = self._layers[-1]
        layer.upstream[host] = state
        layer.known.add(host)

    def set_tls(self, host: str, fault: TlsFault) -> None:
        """Make `host` present a bad certificate inside the tunnel."""
        host = host.lower()
        layer = self._layers[-1]
        layer.tls[host] = fault
        layer.known.add(host)

    # -- layers ----------------------------------------------------------------------------

    def push(self) -> None:
        """Start a layer of routes that `pop` removes (what `local_web` does per test)."""
        self._layers = [*self._layers, _Layer()]

    def pop(self) -> None:
        if len(self._layers) == 1:
            raise RuntimeError("the base layer cannot be popped")
        self._layers = self._layers[:-1]

    @contextmanager
    def scope(self) -> Iterator[Web]:
        self.push()
        try:
            yield self
        finally:
            self.pop()

    # -- what the server asks --------------------------------------------------------------

    def knows(self, host: str) -> bool:
        for layer in self._layers:
            if host in layer.known:
                return True
            for pattern, _scheme, _handler in layer.globs:
                if pattern.fullmatch(host):
                    return True
        return False

    def upstream(self, host: str) -> Upstream:
        for layer in reversed(self._layers):
            state = layer.upstream.get(host)
            if state is not None:
                return state
        return Upstream.OK if self.knows(host) else Upstream.DNS_FAILURE

    def tls_fault(self, host: str) -> TlsFault | None:
        for layer in reversed(self._layers):
            fault = layer.tls.get(host)
            if fault is not None:
                return fault
        return None

    def respond(self, request: Request) -> Response:
        """The response for a request: the most specific route wins, then the newest layer."""
        try:
            response = self._dispatch(request)
        except Exception as exc:  # a broken handler is a test bug: answer 500 and keep it
            self.errors.append(exc)
            return Response.text(f"handler raised {exc!r}", 500)
        return response if response is not None else NOT_FOUND

    def _dispatch(self, request: Request) -> Response | None:
        scheme, host, target = request.scheme, request.host, request.target
        layers = self._layers[::-1]
        path = target.partition("?")[0]
        keys = [(scheme, host, target), (None, host, target)]
        if path != target:
            keys += [(scheme, host, path), (None, host, path)]
        for key in keys:
            for layer in layers:
                handler = layer.routes.get(key)
                if handler is not None:
                    response = handler if isinstance(handler, Response) else handler(request)
                    if response is not None:
                        return response
        for host_key in ((scheme, host), (None, host)):
            for layer in layers:
                handler = layer.hosts.get(host_key)
                if handler is not None:
                    response = handler if isinstance(handler, Response) else handler(request)
                    if response is not None:
                        return response
        for layer in layers:
            for pattern, only, handler in reversed(layer.globs):
                if (only is None or only == scheme) and pattern.fullmatch(host):
                    response = handler if isinstance(handler, Response) else handler(request)
                    if response is not None:
                        return response
        return None

    # -- the request log ---------------------------------------------------------------------

    def record(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)
            self._by_host[request.host] += 1
            self._by_path[(request.host, request.path)] += 1

    def record_connect(self, host: str, port: int) -> None:
        with self._lock:
            self._connects.append(Connect(host, port, self.clock()))

    @property
    def requests(self) -> list[Request]:
        """Every HTTP request received (forwarded or inside a tunnel), oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def connects(self) -> list[Connect]:
        """Every CONNECT received (tunnels are counted apart from the requests inside them)."""
        with self._lock:
            return list(self._connects)

    def count(self, host: str | None = None, path: str | None = None, method: str | None = None) -> int:
        """How many requests matched. `path` without `?` matches any query; with `?`, exactly."""
        with self._lock:
            if method is None and (path is None or "?" not in path):
                if host is None and path is None:
                    return sum(self._by_host.values())
                if path is None:
                    return self._by_host[host.lower()] if host else 0
                if host is not None:
                    return self._by_path[(host.lower(), path)]
            return sum(
                1
                for r in self._requests
                if (host is None or r.host == host.lower())
                and (path is None or (r.target if "?" in path else r.path) == path)
                and (method is None or r.method == method.upper())
            )

    def stats(self, host: str | None = None) -> dict[str, Any]:
        """Counts as JSON-able data (served at `/_web/stats` for out-of-process benchmarks)."""
        with self._lock:
            data: dict[str, Any] = {
                "requests": sum(self._by_host.values()),
                "connects": len(self._connects),
                "hosts": dict(self._by_host),
            }
            if host is not None:
                data["paths"] = {p: n for (h, p), n in self._by_path.items() if h == host.lower()}
            return data

    def count_connects(self, host: str | None = None) -> int:
        with self._lock:
            return sum(1 for c in self._connects if host is None or c.host == host.lower())

    def reset_log(self) -> None:
        with self._lock:
            self._requests.clear()
            self._connects.clear()
            self._by_host.clear()
            self._by_path.clear()

    # =========================================================================================
    # Helpers: each plays one behaviour of the real web. URLs are absolute; the scheme is not
    # part of the route (http://t.co/x and https://t.co/x answer the same) unless said.
    # =========================================================================================

    def page(self, url: str, html: str, status: int = 200, **kw: Any) -> None:
        self.route(url, Response.html(html, status, **kw))

    def status(
        self,
        url: str,
        status: int,
        *,
        retry_after: str | int | None = None,
        headers: Iterable[tuple[str, str]] = (),
        body: str | None = None,
    ) -> None:
        """A bare status: 404, 410, 500, 502, 503 (with Retry-After)..."""
        self.route(url, error_response(status, retry_after=retry_after, headers=headers, body=body))

    def redirect(self, url: str, location: str, status: int = 301, *, header_name: str = "Location") -> None:
        """One hop: `location` is sent as given (absolute, relative, `ftp:`, `javascript:`...)."""
        self.route(url, Response.redirect(location, status, header_name=header_name))

    def chain(self, *urls: str, status: int | Sequence[int] = 301) -> None:
        """`urls[0]` -> `urls[1]` -> ... ; the last URL is left for the test to define."""
        statuses = [status] * (len(urls) - 1) if isinstance(status, int) else list(status)
        if len(statuses) != len(urls) - 1:
            raise ValueError("one status per hop")
        for (source, target), code in zip(itertools.pairwise(urls), statuses, strict=True):
            self.redirect(source, target, code)

    def loop(self, a: str, b: str, status: int = 302) -> None:
        """A -> B -> A -> ... (clients must stop; httpx raises TooManyRedirects)."""
        self.redirect(a, b, status)
        self.redirect(b, a, status)

    def self_redirect(self, url: str, status: int = 301) -> None:
        self.redirect(url, url, status)

    def refresh_header(self, url: str, target: str, delay: int = 0) -> None:
        """200 with `Refresh: 0; url=...` (the header form of meta refresh, honoured by browsers)."""
        self.route(
            url, Response.html("<html><body></body></html>", headers=[("Refresh", f"{delay}; url={target}")])
        )

    def meta_refresh(self, url: str, target: str, delay: int = 0) -> None:
        """200 with `<meta http-equiv="refresh" content="0;URL=...">`, as link shims serve."""
        page = (
            f'<html><head><meta http-equiv="refresh" content="{delay};URL={_html.escape(target)}">'
            f"</head><body>Redirecting...</body></html>"
        )
        self.page(url, page)

    def js_redirect(self, url: str, target: str, style: str = "replace") -> None:
        """200 with a script that relocates: `replace` -> `location.replace("https:\\/\\/...")`
        (JSON-escaped slashes, as t.co writes it), `href` -> `window.location.href = '...'`."""
        if style == "replace":
            script = f'location.replace("{js_escape(target)}")'
        elif style == "href":
            script = f"window.location.href = '{target}';"
        else:
            raise ValueError(f"unknown style {style!r}")
        self.page(url, f"<html><head><script>{script}</script></head><body></body></html>")

    def shortener(
        self, url: str, target: str, status: int = 301, *, head: HeadPolicy = HeadPolicy.SAME
    ) -> None:
        """A generic shortener link (bit.ly, ow.ly, ...): GET redirects; HEAD per `head`."""
        redirect = Response.redirect(target, status)

        def answer(request: Request) -> Response:
            if request.method == "HEAD":
                if head is HeadPolicy.METHOD_NOT_ALLOWED:
                    return Response.text("Method Not Allowed", 405, headers=[("Allow", "GET")])
                if head is HeadPolicy.NO_LOCATION:
                    return Response.html("<html><body></body></html>")
            return redirect

        self.route(url, answer)

    def tco(self, code: str, target: str) -> None:
        """t.co as it is (WEB-FACTS.md): a 301 with Location for a non-browser user agent;
        for `Mozilla/...` a 200 page with a noscript meta refresh and `location.replace`."""
        self.add("t.co", f"/{code}", tco_handler(target))

    def tweet_media(self, code: str, user: str, status_id: int, kind: str = "photo") -> str:
        """`pic.twitter.com/CODE` is `t.co/CODE` (WEB-FACTS.md): both lead to the status's media
        page `https://twitter.com/USER/status/ID/photo/1`. Returns that URL. Also installs the
        twitter.com -> x.com redirect and the x.com login wall."""
        target = f"https://twitter.com/{user}/status/{status_id}/{kind}/1"
        self.tco(code, target)
        self.add("pic.twitter.com", f"/{code}", Response.redirect(target, 301))
        self.twitter()
        return target

    def twitter(self) -> None:
        """twitter.com (and mobile.) redirect every path to x.com; every x.com page is a 200
        login wall that says nothing about the tweet, deleted or not (WEB-FACTS.md)."""
        for host in ("twitter.com", "www.twitter.com", "mobile.twitter.com"):
            self.add_host(host, lambda r: Response.redirect(f"https://x.com{r.target}", 301))
        self.add_host("x.com", Response.html(LOGIN_WALL))
        # Tracking pixels, not links (WEB-FACTS.md).
        self.add("t.co", "/i/adsct", Response(200, (("Content-Type", "image/gif"),), TRANSPARENT_GIF))

    def sequence(
        self,
        url: str,
        responses: Sequence[Response],
        then: Response | None = None,
        key: Callable[[Request], Hashable] | None = None,
    ) -> Scripted:
        """Answer `responses` in turn, then `then` forever (see `Scripted`)."""
        script = Scripted(responses, then, key)
        self.route(url, script)
        return script

    def rate_limited(
        self,
        url: str,
        times: int,
        then: Response,
        *,
        retry_after: str | int = 1,
        key: Callable[[Request], Hashable] | None = None,
    ) -> Scripted:
        """`429 Too Many Requests` with Retry-After `times` times, then `then` (as CDX does)."""
        limited = error_response(429, retry_after=retry_after)
        return self.sequence(url, [limited] * times, then, key)

    def fault(self, url: str, fault: Fault, response: Response | None = None, **kw: Any) -> None:
        """Break `response` (default: a 1 KiB page) with `fault`; see `Fault`."""
        base = response or Response.html("<html><body>" + "x" * 1000 + "</body></html>")
        self.route(url, replace(base, fault=fault, **kw))

    def stall(self, url: str) -> None:
        """Accept the request and never answer."""
        self.fault(url, Fault.STALL)

    def slow_headers(self, url: str, delay: float, response: Response | None = None) -> None:
        """Send the head one line every `delay` seconds."""
        self.route(url, replace(response or Response.html("<html></html>"), header_delay=delay))

    def drip(self, url: str, body: bytes, interval: float = 1.0, size: int = 1) -> None:
        """Send the body `size` bytes every `interval` seconds (one byte a second by default)."""
        self.route(url, Response(200, (("Content-Type", "text/html"),), body, drip=interval, drip_size=size))

    def huge(self, url: str, size: int = 2 << 30, *, chunked: bool = False) -> None:
        """A body of `size` bytes (2 GiB by default) made on the fly, never held in memory."""
        stream = Stream(functools.partial(repeat_bytes, size), None if chunked else size)
        self.route(url, Response(200, (("Content-Type", "application/octet-stream"),), stream))

    def gzip_bomb(self, url: str, size: int = 1 << 30) -> int:
        """`Content-Encoding: gzip` whose body inflates to `size` bytes of zeros (1 GiB by
        default, about 1 MB on the wire). Returns the wire size."""
        body = gzip_bomb(size)
        headers = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"))
        self.route(url, Response(200, headers, body))
        return len(body)

    def wrong_length(self, url: str, body: bytes, declared: int) -> None:
        """Announce `declared` bytes, send `body`; the server closes after it (it must)."""
        self.route(
            url, Response(200, (("Content-Type", "text/html"),), body, content_length=declared, close=True)
        )


# =============================================================================================
# The pages and bodies the helpers serve.
# =============================================================================================

LOGIN_WALL = (
    '<!DOCTYPE html><html dir="ltr" lang="en"><head><meta charset="utf-8"><title>X</title>'
    '<meta property="og:site_name" content="X (formerly Twitter)"></head><body>'
    '<noscript><form action="https://x.com/x/migrate" method="post"></form>'
    "<div>JavaScript is not available.</div>"
    "<p>We’ve detected that JavaScript is disabled in this browser. Please enable JavaScript or "
    "switch to a supported browser to continue using x.com.</p></noscript>"
    '<div id="react-root"></div></body></html>'
)

TRANSPARENT_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def js_escape(url: str) -> str:
    """A URL as t.co writes it into a JavaScript string: `/` escaped as `\\/`."""
    return url.replace("\\", "\\\\").replace('"', '\\"').replace("/", "\\/")


def tco_page(target: str) -> str:
    """The page t.co gives a browser user agent (WEB-FACTS.md)."""
    return (
        f'<head><noscript><META http-equiv="refresh" content="0;URL={target}"></noscript>'
        f'<title>{target}</title></head><script>window.opener = null; location.replace("{js_escape(target)}")'
        "</script>"
    )


def tco_handler(target: str) -> Callable[[Request], Response]:
    redirect = Response.redirect(
        target, 301, headers=[("Cache-Control", "private,max-age=300")], header_name="location"
    )
    page = Response.html(tco_page(target), headers=[("Cache-Control", "private,max-age=300")])

    def answer(request: Request) -> Response:
        return page if request.is_browser else redirect

    return answer


def retry_after_date(clock: Callable[[], float], seconds: float) -> str:
    """Retry-After as an HTTP-date (RFC 9110 §10.2.3), `seconds` from the clock's now."""
    return email.utils.formatdate(clock() + seconds, usegmt=True)


def error_response(
    status: int,
    *,
    retry_after: str | int | None = None,
    headers: Iterable[tuple[str, str]] = (),
    body: str | None = None,
) -> Response:
    fields = list(headers)
    if retry_after is not None:
        fields.append(("Retry-After", str(retry_after)))
    response = Response.html(body or f"<html><body><h1>{status}</h1></body></html>", status, fields)
    return response


def repeat_bytes(size: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """`size` bytes of `a`, in chunks; the same chunk object every time (no copies)."""
    block = b"a" * chunk
    full, rest = divmod(size, chunk)
    for _ in range(full):
        yield block
    if rest:
        yield block[:rest]


@functools.cache
def gzip_bomb(size: int = 1 << 30) -> bytes:
    """A gzip member that inflates to `size` zero bytes, made once per size.

    Deflate forgets its history at a full flush (zlib.h, Z_FULL_FLUSH), so the compressed
    form of one 1 MiB block of zeros, full-flushed, is a self-contained segment: repeating it
    n times is a valid stream for n MiB. That takes milliseconds instead of compressing a
    gigabyte; only the CRC-32 must still read every byte (0.4 s per GiB).
    """
    block = bytes(1 << 20)
    full, rest = divmod(size, len(block))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = last.compress(bytes(rest)) + last.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(full):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(bytes(rest), crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, mtime 0
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return header + segment * full + tail + trailer


# =============================================================================================
# Whole scenarios, for `python -m tests.web --scenario NAME` and for benchmarks.
# =============================================================================================

_SHORTENER = re.compile(r"s(\d+)\.example")
_HOPS = re.compile(r"h(\d+)(\.example|-example\.com)")
_HOPS_PATH = re.compile(r"/(\d+)/([^/]+)")
#: The longest redirect chain `hN.example/K/CODE` plays.
MAX_BENCH_HOPS = 20


def _origin_page(request: Request) -> Response:
    title = _html.escape(f"{request.host}{request.path}")
    return Response.html(
        f"<!DOCTYPE html><html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>A page of the benchmark web.</p></body></html>"
    )


def _bench_shortener(request: Request) -> Response | None:
    match = _SHORTENER.fullmatch(request.host)
    if match is None or request.path == "/":
        return None
    return Response.redirect(f"https://o{match.group(1)}.example/page{request.path}", 301)


def _bench_hops(request: Request) -> Response | None:
    host = _HOPS.fullmatch(request.host)
    path = _HOPS_PATH.fullmatch(request.path)
    if host is None or path is None:
        return None
    (n, tail), left, code = host.groups(), int(path.group(1)), path.group(2)
    if not 1 <= left <= MAX_BENCH_HOPS:
        return None
    scheme = request.scheme
    if left == 1:
        return Response.redirect(f"{scheme}://o{n}{tail}/page/{code}", 301)
    return Response.redirect(f"{scheme}://h{n}{tail}/{left - 1}/{code}", 301)


def install_bench(web: Web) -> None:
    """Generated sites for benchmarks, with no per-link route:

    - `sN.example/CODE` -> 301 `https://oN.example/page/CODE` (N any number: a shortener per N)
    - `hN.example/K/CODE` (1 <= K <= `MAX_BENCH_HOPS`): a link exactly K redirects away from
      its page, in the scheme it was asked in (plain `http://` for speed runs, no TLS):
      `hN.example/K/CODE` -> 301 `hN.example/K-1/CODE` -> ... -> `hN.example/1/CODE`
      -> 301 `oN.example/page/CODE` -> 200. K + 1 requests per link; any other path of
      `hN.example` is a 404.
    - `oN.example/ANY` and `bench-origin-N.test/ANY` -> 200, a small HTML page titled by URL
    - `deadN.example/ANY` -> 404; `goneN.example/ANY` -> 410

    The `h`, `o`, `dead` and `gone` families also answer as `hN-example.com` (leading to
    `oN-example.com`), for clients that refuse a host without a real top-level domain
    (minet's `resolve` reports `invalid-url` for `hN.example`) or that count a per-host limit
    per registrable domain (minet's `--domain-parallelism` would put every `hN.example.com`
    in the one domain `example.com`).
    """
    web.add_host(_SHORTENER, _bench_shortener)
    web.add_host(_HOPS, _bench_hops)
    web.add_host(re.compile(r"o\d+(?:\.example|-example\.com)"), _origin_page)
    web.add_host(re.compile(r"bench-origin-\d+\.test"), _origin_page)
    web.add_host(re.compile(r"dead\d+(?:\.example|-example\.com)"), NOT_FOUND)
    web.add_host(re.compile(r"gone\d+(?:\.example|-example\.com)"), error_response(410))


def install_demo(web: Web) -> None:
    """A few of each behaviour under fixed names, for trying the tool by hand."""
    install_bench(web)
    web.twitter()
    web.page("https://news.example/2015/10/21/story", "<html><head><title>A story</title></head></html>")
    web.tco("demo1", "https://news.example/2015/10/21/story")
    web.tweet_media("demopic", "mod_russia", 656722946431664128)
    # The example article's two links (examples/sputnik-pt-2015-syria.txt), as they might
    # have led in 2015: the t.co link to a YouTube video, pic.twitter.com to the tweet's photo
    # (the same routes as tests/web/twitter.py's install_example).
    web.tco("eKInDZJCbH", "https://www.youtube.com/watch?v=Mx4zh3R1j0Y")
    web.tweet_media("PXh7c6aziZ", "mod_russia", 656722946431664128)
    web.shortener(
        "https://bit.ly/demo", "https://news.example/2015/10/21/story", head=HeadPolicy.METHOD_NOT_ALLOWED
    )
    web.chain("https://ow.ly/a", "http://news.example/r1", "https://news.example/2015/10/21/story")
    web.loop("https://loop.example/a", "https://loop.example/b")
    web.status("https://news.example/gone", 410)
    web.status("https://news.example/missing", 404)
    web.rate_limited("https://web.archive.org/limited", 2, Response.json({"ok": True}))
    web.stall("https://slow.example/stall")
    web.set_upstream("refused.example", Upstream.REFUSED)
    web.set_upstream("timeout.example", Upstream.TIMEOUT)
    for fault in TlsFault:
        web.set_tls(f"{fault.value}.tls.example", fault)
        web.page(f"https://{fault.value}.tls.example/", "<html>unreachable with a verifying client</html>")
    # Twitter's endpoints, the mirrors and the Wayback Machine, with the example's tweets.
    from tests.web import twitter  # imported here: twitter.py imports this module

    twitter.install_example(twitter.install_twitter(web))


def _install_tweets(web: Web) -> None:
    from tests.web import twitter  # imported here: twitter.py imports this module

    twitter.install_tweets(web)


SCENARIOS: dict[str, Callable[[Web], None]] = {
    "empty": lambda web: None,
    "bench": install_bench,
    "demo": install_demo,
    # bench plus Twitter, FxTwitter, vxTwitter, the Wayback and the example's tweets (twitter.py)
    "tweets": _install_tweets,
}

__all__ = [
    "MAX_BENCH_HOPS",
    "NOT_FOUND",
    "SCENARIOS",
    "Connect",
    "HeadPolicy",
    "Headers",
    "Scripted",
    "Web",
    "error_response",
    "gzip_bomb",
    "install_bench",
    "install_demo",
    "js_escape",
    "repeat_bytes",
    "retry_after_date",
    "split_url",
    "tco_page",
]
