"""The network edge: every HTTP request the tool makes is built here.

One factory makes the clients, so proxies (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`,
`--proxy`), the CA bundle (`SSL_CERT_FILE`, `--ca-bundle`), the user agent and the
timeouts are decided in one place, and the tests reach the same code path through a
proxy on loopback that plays the web.
"""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import stat
import sys
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpcore
import httpx
import sniffio

from resolver import __version__
from resolver.errors import FetchError, UsageError
from resolver.netio import LOOP_BACKEND
from resolver.rules import for_domain

T = TypeVar("T")

PROJECT_URL = "https://pypi.org/project/resolver/"
#: Honest by default: say who we are and where to read about us. Overridable.
DEFAULT_USER_AGENT = f"resolver/{__version__} (+{PROJECT_URL})"


@dataclass(frozen=True, slots=True)
class NetConfig:
    """How to reach the web. `None` fields defer to the environment, as curl does."""

    proxy: str | None = None
    ca_bundle: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    connect_timeout: float = 10.0
    #: Headers sent to a host and its subdomains (`[hosts."example.com".headers]` in the
    #: configuration: a cookie for a paywall the user subscribes to, an API key, another
    #: user agent); they replace the run's header of the same name.
    host_headers: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


def ssl_context(config: NetConfig) -> ssl.SSLContext:
    """The TLS context for `config`: --ca-bundle, else $SSL_CERT_FILE, else certifi's roots.

    Built once per factory and shared by every client: loading a CA bundle costs ~17 ms here,
    which sharded pools would otherwise pay once per shard (measured: 1.7 s of a 6 s run).
    """
    bundle = config.ca_bundle or os.environ.get("SSL_CERT_FILE")
    if bundle:
        try:
            # A named pipe would block the load for good (nobody writes a CA bundle into one).
            if stat.S_ISFIFO(os.stat(bundle).st_mode):
                raise UsageError(f"cannot use the CA bundle {bundle}: a named pipe, not a file")
            return ssl.create_default_context(cafile=bundle)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"cannot use the CA bundle {bundle}: {exc}") from None
    return httpx.create_ssl_context()


def make_client(config: NetConfig | None = None) -> httpx.Client:
    """A synchronous client configured for the user's network (proxy, CA, agent, timeouts)."""
    config = config or NetConfig()
    return httpx.Client(
        proxy=config.proxy,
        verify=ssl_context(config),
        trust_env=True,
        follow_redirects=True,
        max_redirects=20,
        headers={"User-Agent": config.user_agent},
        timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
    )


def url_problem(url: httpx.URL) -> str | None:
    """Why httpx's parse of `url` still cannot be fetched, or None.

    httpx accepts any integer port (`:65536`, `:-1`) and percent-encodes a space in a host
    (`http://a b/` has host `a%20b`); a request then fails at the socket or the proxy, which
    reads as a DNS failure or a 502 when the URL itself is what is wrong.
    """
    port = url.port
    if port is not None and not 0 < port < 65536:
        return f"port {port} is out of range (1-65535)"
    host = url.host
    # An IPv6 literal may carry a zone ID ("fe80::1%eth0"); any other host with "%" held a
    # character no host name can (a space, a control character).
    if "%" in host and ":" not in host:
        return f"the host {host!r} is not a host name"
    return None


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  #: the final URL after redirects
    status: int
    content_type: str | None
    body: bytes


def fetch_article(
    url: str, *, max_size: int, timeout: float = 30.0, config: NetConfig | None = None
) -> Fetched:
    """GET an article page, streaming it and refusing bodies over `max_size`.

    `timeout` bounds the whole fetch, not only each read: a server that drips a byte at a
    time would otherwise keep every read under the limit for as long as it likes.
    """
    config = config or NetConfig(timeout=timeout)
    deadline = time.monotonic() + timeout
    try:
        problem = url_problem(httpx.URL(url))
        if problem is not None:
            raise FetchError(url, f"invalid URL: {problem}")
        with make_client(config) as client, client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_bytes():
                if time.monotonic() > deadline:
                    raise FetchError(url, f"timed out after {timeout:g} s (--timeout)")
                total += len(chunk)
                if total > max_size:
                    raise FetchError(
                        url, f"body is over the {max_size // (1024 * 1024)} MB limit (--max-size)"
                    )
                chunks.append(chunk)
            return Fetched(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                body=b"".join(chunks),
            )
    except FetchError:
        raise
    except httpx.TimeoutException:
        raise FetchError(url, f"timed out after {config.timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError(url, "too many redirects") from None
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(url, f"cannot fetch: {exc or type(exc).__name__}") from None
    except ValueError as exc:  # malformed URLs that httpx rejects before any request
        raise FetchError(url, f"invalid URL: {exc}") from None


# --- Async clients for the network stages -----------------------------------------------------

#: How long an idle kept-alive connection is kept for its host (see ClientFactory._make).
KEEPALIVE_SECONDS = 60.0

#: Bodies are decoded by the tool itself, a bounded window at a time (a gzip bomb must not
#: inflate in memory), so only the encodings zlib reads are offered.
ACCEPT_ENCODING = b"gzip, deflate"


@dataclass
class ClientFactory:
    """Every async HTTP connection pool of a run, one per host, behind one factory.

    One pool slows down as it grows: httpcore scans every connection of a pool for each
    request it queues and each response it closes (measured here: one client with 64
    connections served ~300 requests/s on loopback, one pool per host with a few
    connections each ~1,400/s; a pool shared by hosts hashed into 64 shards spent a fifth of
    the run scanning). So each host gets a transport of its own whose pool holds at most
    `per_host` (+1) connections, kept alive between the hops of chains. At most
    `max_clients` are kept: the least recently used idle ones are closed, which bounds open
    sockets on a run over many hosts. The bound is generous because a pool closed too soon
    costs a new connection (and TLS handshake) when its host comes back: an audit of 10,000
    articles over 1,504 hosts opened 9,976 connections with 256 pools and 3,702 with 2,048,
    and spent 18% less CPU (bench/RESULTS.md). `prepare()` fits it to the open-file limit,
    raising the soft limit towards the hard one when it is low, as servers do.

    The engine sends one request at a time and follows nothing itself, so it talks to
    `httpx.AsyncHTTPTransport` directly: `AsyncClient.send` would add redirect bookkeeping
    (which also refuses a `mailto:` Location before the engine can record it), auth flows
    and cookie-jar copies, a quarter of the CPU of a request. What the client would have
    decided is decided here: the proxy for each URL (`--proxy`, else `HTTPS_PROXY`,
    `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`, as curl reads them), one TLS context for all,
    the default headers and the timeouts.
    """

    config: NetConfig = field(default_factory=NetConfig)
    per_host: int = 4
    max_clients: int = 2048
    _pools: OrderedDict[tuple[str, str | None], httpx.AsyncHTTPTransport] = field(
        default_factory=OrderedDict, init=False
    )
    _leases: dict[tuple[str, str | None], int] = field(default_factory=dict, init=False)
    _closing: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    _ssl: ssl.SSLContext | None = field(default=None, init=False)
    _routes: dict[tuple[str, str], str | None] = field(default_factory=dict, init=False)
    _timeouts: dict[str, float | None] | None = field(default=None, init=False)
    _host_headers: dict[str, tuple[tuple[bytes, bytes], ...]] = field(default_factory=dict, init=False)
    _header_table: dict[str, tuple[tuple[str, str], ...]] | None = field(default=None, init=False)
    #: The environment's proxies, read once: urllib reads all of os.environ for each look-up
    #: (measured: 0.3 ms a host, 0.6 s of an audit of 1,500 hosts under the profiler).
    _env_proxies: dict[str, str] | None = field(default=None, init=False)

    def prepare(self) -> None:
        """Check the network settings before the first request: one clear error, not one per link.

        Raises UsageError for a CA bundle that cannot be loaded, a proxy URL that is not one,
        or a SOCKS proxy without the package httpx needs for it.
        """
        uncontended_locks_do_not_yield()
        if self._ssl is None:
            self._ssl = ssl_context(self.config)
        # Each pool may hold per_host + 1 sockets; keep room for files, pipes and the cache.
        files = open_file_limit(wanted=self.max_clients * (self.per_host + 1) + FILES_RESERVED)
        self.max_clients = max(8, min(self.max_clients, (files - FILES_RESERVED) // (self.per_host + 1)))
        proxies = (
            {"--proxy": self.config.proxy}
            if self.config.proxy
            else {
                f"${name.upper()}_PROXY": url
                for name, url in urllib.request.getproxies().items()
                if name != "no"
            }
        )
        for where, url in proxies.items():
            check_proxy_url(url, where)

    def proxy_for(self, scheme: str, host: str) -> str | None:
        """The proxy URL a request to `scheme://host` goes through, or None (direct)."""
        key = (scheme, host)
        if key in self._routes:
            return self._routes[key]
        if self.config.proxy:
            route: str | None = self.config.proxy
        else:
            proxies = self._env_proxies
            if proxies is None:
                proxies = self._env_proxies = urllib.request.getproxies()
            route = proxies.get(scheme) or proxies.get("all") or None
            if route and _bypassed(host, proxies):
                route = None
        if route and "://" not in route:
            route = f"http://{route}"  # HTTP_PROXY=host:3128, as curl accepts it
        self._routes[key] = route
        return route

    def proxied(self, scheme: str, host: str) -> bool:
        """Whether a request to `scheme://host` goes through a proxy (which resolves names)."""
        return self.proxy_for(scheme, host) is not None

    def checkout(self, scheme: str, host: str) -> tuple[httpx.AsyncHTTPTransport, tuple[str, str | None]]:
        """The pool for `scheme://host`, leased until `checkin(lease)` (a leased pool stays open)."""
        key = (host, self.proxy_for(scheme, host))
        pools = self._pools
        pool = pools.get(key)
        if pool is None:
            pool = pools[key] = self._make(key[1])
            if len(pools) > self.max_clients:
                self._evict()
        else:
            pools.move_to_end(key)
        self._leases[key] = self._leases.get(key, 0) + 1
        return pool, key

    def checkin(self, lease: tuple[str, str | None]) -> None:
        left = self._leases.get(lease, 0) - 1
        if left > 0:
            self._leases[lease] = left
        else:
            self._leases.pop(lease, None)

    def _evict(self) -> None:
        excess = len(self._pools) - self.max_clients
        for key in list(self._pools):
            if excess <= 0:
                break
            if key in self._leases:
                continue
            task = asyncio.ensure_future(self._pools.pop(key).aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
            excess -= 1

    def _make(self, proxy: str | None) -> httpx.AsyncHTTPTransport:
        if self._ssl is None:
            self._ssl = ssl_context(self.config)
        transport = httpx.AsyncHTTPTransport(
            verify=self._ssl,
            proxy=proxy,
            limits=httpx.Limits(
                max_connections=self.per_host + 1,  # +1: a tunnel diagnosis never waits behind a full pool
                max_keepalive_connections=self.per_host,
                # A host comes back later in a long run (an audit cites it from articles far
                # apart): a connection kept a minute spares a new TCP and TLS handshake. At 1 s
                # per response, 3,000 articles: 2,469 tunnels with 15 s, 1,757 with 60 s, and
                # 23% less CPU. A server that closes sooner is seen doing it (is_readable).
                keepalive_expiry=KEEPALIVE_SECONDS,
            ),
        )
        _use_backend(transport, LOOP_BACKEND)
        return transport

    def request(
        self,
        url: httpx.URL,
        *,
        user_agent: str | None = None,
        cookie: str | None = None,
        accept: bytes = b"*/*",
        extra: tuple[tuple[bytes, bytes], ...] = (),
    ) -> httpx.Request:
        """A GET for `url` with the run's default headers; `user_agent` replaces the run's."""
        if self._timeouts is None:
            config = self.config
            self._timeouts = httpx.Timeout(
                config.timeout, connect=config.connect_timeout, pool=None
            ).as_dict()
        fields = [
            (b"Host", url.netloc),
            (b"Accept", accept),
            (b"Accept-Encoding", ACCEPT_ENCODING),
            (b"User-Agent", (user_agent or self.config.user_agent).encode("utf-8")),
        ]
        if cookie:
            fields.append((b"Cookie", cookie.encode("utf-8")))
        fields.extend(extra)
        if self.config.host_headers:
            chosen = self._headers_for(url.host)
            if chosen:
                names = {name.lower() for name, _ in chosen}
                fields = [pair for pair in fields if pair[0].lower() not in names or pair[0] == b"Host"]
                fields.extend(chosen)
        # Raw byte pairs: httpx.Headers takes them as they are, without normalizing each.
        return httpx.Request("GET", url, headers=fields, extensions={"timeout": self._timeouts})

    def _headers_for(self, host: str) -> tuple[tuple[bytes, bytes], ...]:
        """The configured headers of `host`: its own entry, else its nearest parent domain's."""
        known = self._host_headers.get(host)
        if known is None:
            if self._header_table is None:
                self._header_table = dict(self.config.host_headers)
            found = for_domain(self._header_table, host) or ()
            known = tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in found)
            if len(self._host_headers) < 4096:  # a run over many hosts keeps a bounded table
                self._host_headers[host] = known
        return known

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)


def uncontended_locks_do_not_yield() -> bool:
    """Make httpcore's locks on asyncio skip the event-loop turn when nobody holds them.

    httpcore guards each connection with anyio locks made the default way, which yield to
    the event loop on every acquire, even a free one (anyio's "checkpoint"). A request takes
    such locks several times, and each turn sends the task to the back of the ready queue,
    behind every other response of the same wave. anyio offers `Lock(fast_acquire=True)`
    for exactly this: the same lock, without the turn when it is free. Measured on the
    expansion benchmark (5,000 links, 64 in flight, 50 ms per response): a request held its
    slot 54.3 ms at the median instead of 51.4 ms, and the run took 13.25 s instead of 12.32 s
    (floor 11.55 s).

    httpcore has no option for it, so its lock's `setup` is wrapped, once; if a future
    httpcore or anyio no longer has what this relies on, nothing is changed (slower, never
    wrong). Returns whether the locks are fast.
    """
    try:
        import anyio
        from httpcore import _synchronization

        anyio.Lock(fast_acquire=True)
    except (ImportError, TypeError, AttributeError):
        return False
    lock_class: Any = getattr(_synchronization, "AsyncLock", None)
    if lock_class is None or not callable(getattr(lock_class, "setup", None)):
        return False
    if getattr(lock_class, "_resolver_fast_acquire", False):
        return True
    original = lock_class.setup

    def setup(self: Any) -> None:
        original(self)
        if getattr(self, "_backend", None) == "asyncio" and hasattr(self, "_anyio_lock"):
            self._anyio_lock = anyio.Lock(fast_acquire=True)

    lock_class.setup = setup
    lock_class._resolver_fast_acquire = True
    return True


def _use_backend(transport: httpx.AsyncHTTPTransport, backend: httpcore.AsyncNetworkBackend) -> None:
    # httpx does not take a network backend; its pool keeps one in `_network_backend`. If a
    # future httpcore renames it, the default backend stays: slower, never wrong.
    pool = getattr(transport, "_pool", None)
    if pool is not None and hasattr(pool, "_network_backend"):
        pool._network_backend = backend


#: Open files kept free of connection pools (articles, the cache, WARC spools, pipes).
FILES_RESERVED = 256


def open_file_limit(*, wanted: int) -> int:
    """The process's open-file limit, raised towards `wanted` (up to the hard limit) if lower.

    Many systems start processes with a soft limit of 1,024 (macOS: 256) under a much higher
    hard one; a run over thousands of hosts needs more sockets than that.
    """
    try:
        import resource
    except ImportError:  # Windows: no such limit on sockets
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return wanted
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def check_proxy_url(url: str, where: str) -> None:
    """UsageError unless `url` is a proxy httpx can use (http, https, socks5 with socksio)."""
    candidate = url if "://" in url else f"http://{url}"
    try:
        parsed = httpx.URL(candidate)
    except (httpx.InvalidURL, ValueError) as exc:
        raise UsageError(f"{where}: {url!r} is not a proxy URL ({exc})") from None
    if parsed.scheme not in ("http", "https", "socks5", "socks5h") or not parsed.host or " " in url:
        raise UsageError(f"{where}: {url!r} is not a proxy URL (http://HOST:PORT, https:// or socks5://)")
    problem = url_problem(parsed)
    if problem is not None:  # `:99999`: every link would fail on the proxy, one by one
        raise UsageError(f"{where}: {url!r} is not a proxy URL ({problem})")
    if parsed.scheme.startswith("socks"):
        try:
            import socksio  # noqa: F401
        except ImportError:
            raise UsageError(
                f"{where}: a SOCKS proxy needs the socksio package: pip install 'httpx[socks]'"
            ) from None


def _bypassed(host: str, proxies: dict[str, str]) -> bool:
    try:
        if sys.platform in ("darwin", "win32"):  # also asks the system's proxy settings
            return bool(urllib.request.proxy_bypass(host))
        return bool(urllib.request.proxy_bypass_environment(host, proxies))
    except Exception:  # platform lookups (macOS, Windows registry) can fail oddly: no bypass
        return False


def run_async(main: Coroutine[Any, Any, T], *, twin: str | None = None) -> T:
    """`asyncio.run(main)` on the fastest event loop installed: uvloop when it is there.

    uvloop (libuv) schedules callbacks and handles sockets in C; every request of a run
    costs less CPU with it, which shortens the queue each response waits in.

    A blocking call made inside a running event loop (a notebook, an async program) raises
    UsageError naming its async `twin`, instead of asyncio's RuntimeError from deep inside.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        main.close()  # never awaited: no "coroutine was never awaited" warning
        use = f"`await {twin}(...)`" if twin else "its async twin"
        raise UsageError(f"this call blocks, and cannot run inside a running event loop: use {use}")
    guarded = _stop_on_sigterm(main)
    try:
        import uvloop
    except ImportError:
        return asyncio.run(guarded)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(guarded)


async def _stop_on_sigterm(main: Coroutine[Any, Any, T]) -> T:
    """Run `main`; SIGTERM (a job scheduler's timeout, `kill`) stops it the way Ctrl-C does.

    The default SIGTERM kills the process on the spot, losing the results not yet written
    to the cache. Here it cancels `main`, whose clean-up writes them, then exits with the
    conventional status 143 (128 + SIGTERM).
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    stopped: list[bool] = []
    # Say which async library runs here, the way sniffio asks libraries to: httpcore and anyio
    # ask sniffio several times per request, and without this each answer is found by
    # looking up the current task (measured: 6% of the CPU of a request).
    sniffio.current_async_library_cvar.set("asyncio")

    def terminate() -> None:
        stopped.append(True)
        if task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, terminate)
        installed = True
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        installed = False
    try:
        return await main
    except asyncio.CancelledError:
        if stopped:
            raise SystemExit(128 + signal.SIGTERM) from None
        raise
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGTERM)
