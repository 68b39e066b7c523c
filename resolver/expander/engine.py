"""The expansion engine: whole redirect chains, one hop at a time, politely and in parallel.

For each link: rewrite `pic.twitter.com/X` to `t.co/X`; then GET each hop without following
redirects, choose the user agent for that hop's host, read the Location header, else a
`Refresh` header, else the first KBs of an HTML body (meta refresh, script relocation), and
stop at the first of: a final answer, a tweet's status URL (the login wall behind it says
nothing about the link), a loop, `max_hops`, a non-HTTP target, or a failure.

Around that: the limits of `limits.Limits`, retries with exponential backoff and jitter for
transient failures only, per-request and whole-link deadlines, the private-address guard on
every hop, in-flight deduplication (concurrent requests for one URL share one chain) and the
persistent cache (`cache/`), read in batches before any request and written in batches.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import socket
import time
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from cache import NullStore, Store
from cache.keys import normalize_url
from cache.policy import ttl_for
from resolver.bodies import content_length as _content_length
from resolver.bodies import decoder_for as _decoder
from resolver.bodies import retry_after as _retry_after
from resolver.expander import guard
from resolver.expander.failures import CONNECT_VERDICTS, RETRYABLE, classify_exception, proxy_error_verdict
from resolver.expander.limits import Limits
from resolver.expander.relocation import find_relocation, refresh_target
from resolver.expander.verdicts import VERDICTS, Verdict, Via, verdict_for_status
from resolver.models import Expansion, Hop, StatusRef
from resolver.net import DEFAULT_USER_AGENT, ClientFactory, NetConfig, url_problem
from resolver.rules import TWITTER_HOSTS, host_of, is_shortener_host, parse_status_url

#: Cache namespaces. "expand": a shortener's hops up to its target, kept for good (codes are
#: immutable). "liveness": the chain from a non-shortener URL on, with the verdict's TTL.
NS_EXPANSION = "expand"
NS_LIVENESS = "liveness"

#: Hosts that must get a non-browser user agent whatever the user set: t.co answers browsers
#: with a 200 page and a script instead of a 301.
NON_BROWSER_HOSTS = frozenset({"t.co"})
#: pic.twitter.com/CODE is t.co/CODE.
MEDIA_ALIAS_HOSTS = frozenset({"pic.twitter.com", "pic.x.com"})

#: A link to expand: its index in the input, the URL as given, the URL to fetch (None: not
#: one) and its cache key.
Miss = tuple[int | None, str, str | None, str]

_UNKNOWN: Any = object()
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "")


@dataclass(frozen=True, slots=True)
class ExpandOptions:
    """How a run expands links. The defaults are the CLI's."""

    concurrency: int = 64  #: requests in flight, all hosts together
    per_host: int = 4  #: requests in flight to one host (the host of the current hop)
    host_interval: float = 0.0  #: seconds between the starts of two requests to one host
    max_hops: int = 20  #: requests per chain before `too-many-redirects`
    timeout: float = 10.0  #: seconds per request: connecting, the headers and the first KBs
    connect_timeout: float = 10.0
    link_timeout: float = 60.0  #: seconds per link, all hops and retry waits together
    retries: int = 2  #: extra tries of a hop after a transient failure
    retry_base: float = 0.5  #: the first retry waits about this long (doubling, with jitter)
    max_retry_wait: float = 60.0  #: the longest Retry-After honoured; longer gives `rate-limited`
    max_body: int = 10 * 1024 * 1024  #: a page to be read must not declare more bytes than this
    sniff_bytes: int = 16 * 1024  #: how much of an HTML body is read to find a relocation
    allow_private: bool = False  #: fetch loopback, private, link-local and multicast targets
    stop_at_tweets: bool = True  #: stop at (twitter|x).com/USER/status/ID
    max_age: float | None = None  #: cache: liveness results older than this are misses
    memo_size: int = 10_000  #: recent results kept in memory: a URL met again is not fetched again

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.per_host < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        if self.max_hops < 1:
            raise ValueError("max_hops must be at least 1")
        if self.timeout <= 0 or self.link_timeout <= 0:
            raise ValueError("timeouts must be positive")


@dataclass(slots=True)
class _Answer:
    """What one request gave: where it leads next, or why the chain ends here."""

    status: int | None
    elapsed_ms: float
    next_url: str | None = None
    via: Via = Via.FINAL
    failure: Verdict | None = None
    reason: str = ""
    retry_after: float | None = None


class Expander:
    """One run's engine: clients, limits, in-flight requests, memo and cache.

    async with Expander(options, config=net_config, store=store) as expander:
        async for result in expander.stream(urls):
            ...
    """

    def __init__(
        self,
        options: ExpandOptions | None = None,
        *,
        config: NetConfig | None = None,
        store: Store | None = None,
        factory: ClientFactory | None = None,
        recorder: Recorder | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.options = options or ExpandOptions()
        #: Sees every exchange (the archive's WARC writer); None: nothing is recorded.
        self.recorder = recorder
        config = config or NetConfig(
            timeout=self.options.timeout, connect_timeout=self.options.connect_timeout
        )
        self.config = config
        self.store: Store = store if store is not None else NullStore()
        self.factory = factory or ClientFactory(config, per_host=self.options.per_host)
        self._own_factory = factory is None
        #: The run's limits when a caller shares its own (the archive's, the audit's, the tweet
        #: recovery's: one set for every request of the run); made on entry otherwise.
        self.limits: Limits | None = limits
        self._inflight: dict[str, asyncio.Future[Expansion]] = {}
        self._memo: OrderedDict[str, Expansion] = OrderedDict()
        self._pending_writes: dict[str, list[tuple[str, dict[str, Any], float | None]]] = {
            NS_EXPANSION: [],
            NS_LIVENESS: [],
        }
        self._resolved: dict[str, str | None] = {}  #: guard verdicts of directly resolved hosts
        self.dns_canaries: tuple[str, ...] = guard.DNS_CANARIES
        self._dns_check: asyncio.Future[bool] | None = None
        self._name_problems: dict[str, Any] = {}  #: guard verdicts on names, by host
        self._diagnosed: dict[str, tuple[Verdict, str] | None] = {}  #: why tunnels to host:port failed
        self._prefixes: dict[str, dict[str, Any]] = {}  #: cached shortener hops whose target must be re-asked
        self.requests = 0  #: requests sent in this run

    async def __aenter__(self) -> Expander:
        self.factory.prepare()
        if self.limits is None:
            self.limits = Limits(self.options.concurrency, self.options.per_host, self.options.host_interval)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self.flush()
        if self._dns_check is not None and not self._dns_check.done():
            self._dns_check.cancel()
        if self._own_factory:
            await self.factory.aclose()

    # --- The public calls ---------------------------------------------------------------------

    async def expand(self, url: str, *, index: int | None = None) -> Expansion:
        """Expand one link (the cache first, then the network), sharing concurrent duplicates."""
        known = next(self._triage([(index, url)], 1))
        return known if isinstance(known, Expansion) else await self._expand_miss(*known)

    async def _expand_miss(self, index: int | None, url: str, start: str | None, key: str) -> Expansion:
        result = self._memo.get(key)
        if result is None:
            future = self._inflight.get(key)
            if future is not None:
                result = await asyncio.shield(future)
            else:
                result = await self._expand_fresh(url, start, key)
        if result.url == url and result.index == index and "#" not in url:
            return result
        return _relabel(result, url, index)

    async def stream(self, urls: Iterable[str], *, batch: int = 512) -> AsyncIterator[Expansion]:
        """Expand every link of `urls`, yielding results as they complete (each has `index`).

        Memory stays bounded however long the input: links are read in batches, looked up
        in the cache in one query per batch, and at most `4 x concurrency` chains are in
        flight at once.
        """
        async for result in self.stream_indexed(enumerate(urls), batch=batch):
            yield result

    async def stream_indexed(
        self, items: Iterable[tuple[int, str]], *, batch: int = 512
    ) -> AsyncIterator[Expansion]:
        """`stream` for (index, url) pairs: the indices are the caller's."""
        async for result in self.run(self._triage(items, batch)):
            yield result

    def _triage(self, items: Iterable[tuple[int | None, str]], batch: int) -> Iterator[Expansion | Miss]:
        """Each link as what is known of it already (this run's memo, else the cache), or as
        the `Miss` to expand; the cache is asked a batch of links at a time, as they are read."""
        iterator = iter(items)
        while chunk := _take(iterator, batch):
            misses: list[Miss] = []
            for index, url in chunk:
                start = _start_url(url)
                if start is not None and "#" in start:
                    # Fetched and cached without its fragment (servers never see one); the
                    # link's own is put back on where it leads (`_relabel`).
                    start = start.partition("#")[0]
                # Keyed as fetched: pic.twitter.com/X is t.co/X, one request and one entry.
                misses.append((index, url, start, normalize_url(_alias(start)) if start else url))
            asked = {key: start or url for _, url, start, key in misses if key not in self._memo}
            hits = self._lookup_many(asked)
            for miss in misses:
                index, url, _start, key = miss
                known = self._memo.get(key) or hits.get(key)
                yield miss if known is None else _relabel(known, url, index)

    async def run(self, work: Iterable[Expansion | Miss]) -> AsyncIterator[Expansion]:
        """Yield the known results of `work` at once and expand its misses, `4 x concurrency`
        chains in flight at most, yielding each result as it completes."""
        window = max(64, 4 * self.options.concurrency)
        pending: set[asyncio.Task[Expansion]] = set()
        iterator = iter(work)
        exhausted = False
        try:
            while not exhausted or pending:
                while not exhausted and len(pending) < window:
                    item = next(iterator, None)
                    if item is None:
                        exhausted = True
                    elif isinstance(item, Expansion):
                        yield item
                    else:
                        pending.add(asyncio.ensure_future(self._expand_miss(*item)))
                if pending:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        yield task.result()
        finally:
            # Stopped early (Ctrl-C, an error, a consumer that broke off): the chains still
            # in flight are cancelled, not left running against closing pools, and what was
            # found so far reaches the cache.
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            self.flush()

    # --- The cache ------------------------------------------------------------------------------

    def _lookup_many(self, keys: dict[str, str]) -> dict[str, Expansion]:
        """Cached results for {key: url}; a shortener's expansion is joined to its target's liveness."""
        if isinstance(self.store, NullStore) or not keys:
            return {}
        found: dict[str, Expansion] = {}
        expansions = self.store.get_many(NS_EXPANSION, list(keys))
        targets: dict[str, tuple[str, dict[str, Any]]] = {}
        for key, entry in expansions.items():
            value = entry.value
            if value.get("target") is None:
                found[key] = _from_cache(Expansion.from_json(value["result"]))
            else:
                targets[key] = (normalize_url(value["target"]), value)
        wanted = [k for k in keys if k not in found and k not in targets] + [t for t, _ in targets.values()]
        lives = self.store.get_many(NS_LIVENESS, wanted, max_age=self.options.max_age) if wanted else {}
        for key in keys:
            if key in found:
                continue
            if key in targets:
                target_key, value = targets[key]
                live = lives.get(target_key)
                if live is not None:
                    rest = Expansion.from_json(live.value)
                    hops = tuple(Hop.from_json(h) for h in value["hops"]) + rest.hops
                    found[key] = _from_cache(replace(rest, url=keys[key], hops=hops))
                else:
                    # The shortener's part is known for good; only its target is asked again.
                    self._prefixes[key] = value
            elif key in lives:
                found[key] = _from_cache(Expansion.from_json(lives[key].value))
        return found

    def _save(self, key: str, result: Expansion) -> None:
        """Cache what may be cached: a shortener's hops for good, a verdict for its TTL.

        A chain from a shortener is stored in two parts: the shortener's hops up to the
        first other URL (namespace `expand`, kept for good, even when what follows failed
        transiently) and that URL's own result (namespace `liveness`, stored by its own
        expansion, which every chain reaching it shares).
        """
        if isinstance(self.store, NullStore):
            return
        hops = result.hops
        prefix = _shortener_prefix(hops)
        if result.tweet is not None and result.verdict is Verdict.OK:
            # Wholly determined by immutable shortener hops: kept for good.
            value = {"target": None, "result": _cacheable(result)}
            self._queue(NS_EXPANSION, key, value, ttl_for("shortener-expansion"))
            return
        kind = VERDICTS[result.verdict].cache_kind
        ttl = ttl_for(kind, max_age=self.options.max_age)
        if 0 < prefix < len(hops):
            target = hops[prefix].url
            value = {"target": target, "hops": [h.to_json() for h in hops[:prefix]]}
            self._queue(NS_EXPANSION, key, value, ttl_for("shortener-expansion"))
            # The target's result is in the memo when its own expansion (which stored it) ran
            # in this process; not when a worker process made it and only this came back.
            target_key = normalize_url(target)
            if target_key not in self._memo:
                rest = replace(result, url=target, hops=hops[prefix:])
                self._queue(NS_LIVENESS, target_key, _cacheable(rest), ttl)
            return
        self._queue(NS_LIVENESS, key, _cacheable(result), ttl)

    def _queue(self, namespace: str, key: str, value: dict[str, Any], ttl: float | None) -> None:
        if ttl == 0:
            return
        writes = self._pending_writes[namespace]
        writes.append((key, value, ttl))
        if len(writes) >= 500:
            self.flush()

    def flush(self) -> None:
        """Write the results waiting for the cache (one transaction per namespace)."""
        for namespace, writes in self._pending_writes.items():
            if writes:
                items, writes[:] = list(writes), []
                self.store.put_many(namespace, items)

    # --- One link --------------------------------------------------------------------------------

    async def _expand_fresh(
        self, url: str, start: str | None, key: str, *, delegate: bool = True
    ) -> Expansion:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Expansion] = loop.create_future()
        self._inflight[key] = future
        try:
            prefix = self._prefixes.pop(key, None)
            if prefix is not None:
                result = await self._from_prefix(url, prefix)
            else:
                result = await self._chain(url, start, delegate=delegate)
        except Exception as exc:  # a bug must cost one link, not the run
            reason = f"internal error: {type(exc).__name__}: {exc}"
            result = _ended(url, start, Verdict.INTERNAL_ERROR, reason, ())
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here: duplicates that wait will see it too
            raise
        finally:
            self._inflight.pop(key, None)
        future.set_result(result)
        self._remember(key, result)
        self._save(key, result)
        return result

    async def _shared(self, url: str) -> Expansion:
        """The result for a URL a chain reached: memo, cache, in-flight, or a new chain.

        This is how a page cited both directly and behind a short link (or behind several)
        is fetched once per run, and how its liveness is cached once for all of them.
        """
        key = normalize_url(url)
        result = self._memo.get(key) or self._lookup_many({key: url}).get(key)
        if result is not None:
            return result
        future = self._inflight.get(key)
        if future is not None:
            return await asyncio.shield(future)
        return await self._expand_fresh(url, url, key, delegate=False)

    async def _from_prefix(self, url: str, prefix: dict[str, Any]) -> Expansion:
        rest = await self._shared(prefix["target"])
        hops = tuple(Hop.from_json(h) for h in prefix["hops"])
        return replace(rest, url=url, hops=hops + rest.hops, from_cache=False, index=None)

    def _remember(self, key: str, result: Expansion) -> None:
        memo = self._memo
        memo[key] = result
        if len(memo) > self.options.memo_size:
            memo.popitem(last=False)

    async def _chain(self, url: str, start: str | None, *, delegate: bool = True) -> Expansion:
        options = self.options
        if start is None:
            return _ended(url, None, Verdict.INVALID_URL, "not a URL", ())
        scheme = _scheme(start)
        if scheme not in ("http", "https"):
            return _ended(url, start, Verdict.NON_HTTP_TARGET, f"a {scheme}: URL is not fetched", ())
        current = _alias(start)
        hops: list[Hop] = []
        cookies = _ChainCookies()
        # A URL visited again is a loop only if nothing changed: a site that sets a cookie and
        # redirects to itself (a consent or session check) answers differently the second time.
        visited = {(normalize_url(current), 0)}
        spent = 0.0
        attempts = 1
        status_ref = _tweet_stop(current) if options.stop_at_tweets else None
        if status_ref is not None:
            hop = Hop(current, None, Via.FINAL)
            return Expansion(url, current, Verdict.OK, None, (hop,), "a tweet's status URL", tweet=status_ref)
        while True:
            if len(hops) >= options.max_hops:
                return _ended(
                    url,
                    current,
                    Verdict.TOO_MANY_REDIRECTS,
                    f"more than {options.max_hops} hops",
                    hops,
                    attempts,
                )
            answer, tries, spent = await self._hop(current, spent, cookies)
            attempts = max(attempts, tries)
            if answer.failure is not None:
                hops.append(Hop(current, answer.status, Via.FINAL, answer.elapsed_ms, answer.failure.value))
                return Expansion(
                    url, current, answer.failure, answer.status, tuple(hops), answer.reason, attempts=attempts
                )
            if answer.next_url is None:
                hops.append(Hop(current, answer.status, Via.FINAL, answer.elapsed_ms))
                status = answer.status or 0
                verdict = verdict_for_status(status)
                reason = f"HTTP {status}" + (f" after {len(hops) - 1} redirects" if len(hops) > 1 else "")
                return Expansion(url, current, verdict, answer.status, tuple(hops), reason, attempts=attempts)
            hops.append(Hop(current, answer.status, answer.via, answer.elapsed_ms))
            target = answer.next_url
            target_scheme = _scheme(target)
            if target_scheme and target_scheme not in ("http", "https"):
                hops.append(Hop(target, None, Via.FINAL))
                return Expansion(
                    url,
                    target,
                    Verdict.NON_HTTP_TARGET,
                    answer.status,
                    tuple(hops),
                    f"led to a {target_scheme}: URL",
                    attempts=attempts,
                )
            try:
                joined = _join(current, target)
            except (httpx.InvalidURL, ValueError) as exc:
                blocked = None if options.allow_private else _blocked_unparsable(target)
                verdict = Verdict.INVALID_URL if blocked is None else Verdict.BLOCKED_PRIVATE_ADDRESS
                hops.append(Hop(target, None, Via.FINAL, error=verdict.value))
                return Expansion(
                    url, target, verdict, answer.status, tuple(hops),
                    blocked.reason if blocked else f"led to an invalid URL: {exc}", attempts=attempts,
                )  # fmt: skip
            nxt = _alias(joined)
            status_ref = _tweet_stop(nxt) if options.stop_at_tweets else None
            if status_ref is not None:
                hops.append(Hop(nxt, None, Via.FINAL))
                return Expansion(
                    url, nxt, Verdict.OK, None, tuple(hops), "reached a tweet's status URL",
                    tweet=status_ref, attempts=attempts,
                )  # fmt: skip
            key = (normalize_url(nxt), cookies.version)
            if (
                delegate
                and key not in visited
                and not _is_shortener_url(nxt)
                and _shortener_prefix(hops) == len(hops)
            ):
                # Past the shortener(s): the rest of the chain is the target's own expansion,
                # shared with every other chain (and input) that reaches it.
                rest = await self._shared(nxt.partition("#")[0])
                return replace(
                    rest,
                    url=url,
                    final_url=_with_fragment(rest.final_url, nxt),
                    hops=tuple(hops) + rest.hops,
                    from_cache=False,
                    index=None,
                    attempts=max(attempts, rest.attempts),
                )
            if key in visited:
                hops.append(Hop(nxt, None, Via.FINAL, error=Verdict.REDIRECT_LOOP.value))
                return Expansion(
                    url, nxt, Verdict.REDIRECT_LOOP, answer.status, tuple(hops),
                    f"came back to {nxt}", attempts=attempts,
                )  # fmt: skip
            visited.add(key)
            current = nxt

    # --- One hop ---------------------------------------------------------------------------------

    async def _hop(self, url: str, spent: float, cookies: _ChainCookies) -> tuple[_Answer, int, float]:
        """Fetch one hop with its retries; returns the answer, the tries made, the time spent."""
        options = self.options
        assert self.limits is not None, "use Expander as an async context manager"
        try:
            parsed = httpx.URL(url)
            host = parsed.host
        except (httpx.InvalidURL, ValueError) as exc:
            blocked = None if options.allow_private else _blocked_unparsable(url)
            return (
                blocked or _Answer(None, 0.0, failure=Verdict.INVALID_URL, reason=f"invalid URL: {exc}"),
                1,
                spent,
            )
        if not host:
            return _Answer(None, 0.0, failure=Verdict.INVALID_URL, reason="the URL has no host"), 1, spent
        problem = url_problem(parsed)
        if problem is not None:
            return _Answer(None, 0.0, failure=Verdict.INVALID_URL, reason=f"invalid URL: {problem}"), 1, spent
        if not options.allow_private:
            problem = await self._guard(parsed.scheme, host, parsed.port)
            if problem is not None:
                return problem, 1, spent
        answer = _Answer(None, 0.0, failure=Verdict.TIMEOUT, reason="no time left for this link")
        tries = 0
        for attempt in range(options.retries + 1):
            budget = options.link_timeout - spent
            if budget <= 0:
                answer = _Answer(None, 0.0, failure=Verdict.TIMEOUT, reason=_link_timeout_reason(options))
                break
            tries += 1
            async with self.limits.slot(host):
                started = time.perf_counter()
                answer = await self._request(url, parsed, host, min(options.timeout, budget), cookies)
                spent += time.perf_counter() - started
            if answer.failure is None or answer.failure not in RETRYABLE:
                if answer.failure is None:
                    self.limits.host_succeeded(host)
                break
            if answer.failure is Verdict.RATE_LIMITED or (
                answer.status == 503 and answer.retry_after is not None
            ):
                if answer.retry_after is not None and answer.retry_after > options.max_retry_wait:
                    answer.reason += f" (Retry-After {answer.retry_after:g} s is over --max-retry-wait)"
                    break
                if attempt == options.retries:
                    break
                pause = self.limits.pause_host(host, answer.retry_after)
                if spent + pause > options.link_timeout:
                    break
                spent += pause  # the wait happens at the host's gate, before the next try
                continue
            if attempt == options.retries:
                break
            wait = min(options.max_retry_wait, options.retry_base * 2**attempt) * random.uniform(0.5, 1.5)
            if spent + wait > options.link_timeout:
                break
            await asyncio.sleep(wait)
            spent += wait
        return answer, max(tries, 1), spent

    async def _guard(self, scheme: str, host: str, port: int | None) -> _Answer | None:
        problem = self._name_problems.get(host, _UNKNOWN)
        if problem is _UNKNOWN:
            problem = self._name_problems[host] = guard.name_problem(host)
        if problem is None and not self.factory.proxied(scheme, host) and not guard.is_ip_literal(host):
            if host in self._resolved:
                problem = self._resolved[host]
            else:
                try:
                    problem = await guard.resolved_problem(host, port or (443 if scheme == "https" else 80))
                except (socket.gaierror, UnicodeError) as exc:
                    if not await self._names_resolve():
                        # Offline, every name "does not resolve": not the link's fault, and
                        # not to be cached as if it were.
                        return _Answer(
                            None,
                            0.0,
                            failure=Verdict.CONNECT_FAILED,
                            reason=f"cannot resolve {host}: {exc} (well-known names do not resolve "
                            "either: the network or its DNS is down)",
                        )
                    return _Answer(
                        None, 0.0, failure=Verdict.DNS_FAILURE, reason=f"{host} does not resolve: {exc}"
                    )
                except OSError as exc:
                    return _Answer(
                        None, 0.0, failure=Verdict.CONNECT_FAILED, reason=f"cannot resolve {host}: {exc}"
                    )
                self._resolved[host] = problem
        if problem is None:
            return None
        return _Answer(
            None,
            0.0,
            failure=Verdict.BLOCKED_PRIVATE_ADDRESS,
            reason=f"{problem} (--allow-private to fetch it)",
        )

    async def _names_resolve(self) -> bool:
        """Whether this machine resolves names at all (`guard.DNS_CANARIES`, asked once)."""
        if self._dns_check is None:
            self._dns_check = asyncio.ensure_future(guard.any_resolves(self.dns_canaries))
        return await asyncio.shield(self._dns_check)

    def _user_agent(self, host: str) -> str:
        agent = self.config.user_agent
        if host in NON_BROWSER_HOSTS and "mozilla/" in agent.lower():
            return DEFAULT_USER_AGENT
        return agent

    async def _request(
        self, url: str, parsed: httpx.URL, host: str, deadline: float, cookies: _ChainCookies
    ) -> _Answer:
        started = time.perf_counter()
        self.requests += 1
        pool, lease = self.factory.checkout(parsed.scheme, host)
        try:
            async with asyncio.timeout(deadline):
                request = self.factory.request(
                    parsed, user_agent=self._user_agent(host), cookie=cookies.header_for(host)
                )
                sent_at = _utc_now() if self.recorder is not None else None
                response = await pool.handle_async_request(request)
                response.request = request
                if self.recorder is not None and sent_at is not None:
                    response = await record_exchange(self.recorder, url, request, response, sent_at)
                try:
                    cookies.absorb(host, response.headers)
                    return await self._read_answer(url, host, response, started)
                finally:
                    await response.aclose()
        except TimeoutError:
            return _Answer(
                None, _ms(started), failure=Verdict.TIMEOUT, reason=f"no answer within {deadline:g} s"
            )
        except (httpx.HTTPError, OSError, ValueError) as exc:
            verdict, reason = classify_exception(exc)
            connecting = isinstance(exc, httpx.ConnectError) and verdict in CONNECT_VERDICTS
            route = self.factory.proxy_for(parsed.scheme, host) if connecting else None
            if route is not None:
                # Through a proxy the only connection made is to the proxy: its name not
                # resolving (HTTPS_PROXY=garbage) or its port refusing says nothing about the
                # link, which a dns-failure would call dead (and `audit` would report so). A
                # TLS error is the origin's (through the tunnel), and stays one.
                verdict, reason = Verdict.PROXY_ERROR, f"cannot reach the proxy {route}: {reason}"
            if isinstance(exc, httpx.ProxyError) and verdict is Verdict.PROXY_ERROR:
                diagnosed = await self._diagnose_tunnel(parsed, host, deadline)
                if diagnosed is not None:
                    verdict, reason = diagnosed
            return _Answer(None, _ms(started), failure=verdict, reason=reason)
        finally:
            self.factory.checkin(lease)

    async def _diagnose_tunnel(
        self, parsed: httpx.URL, host: str, deadline: float
    ) -> tuple[Verdict, str] | None:
        """Why a proxy refused a CONNECT tunnel, asked the only way a client can.

        httpx reports a refused tunnel by its status line alone ("502 Bad Gateway"): the
        proxy's explanation is in a body nobody reads. A plain-HTTP request for the same
        host and port through the proxy makes it try again and explain itself in a page
        (mitmproxy: "Cannot connect to HOST:443: [Errno -2] Name or service not known"; squid:
        X-Squid-Error), which `proxy_error_verdict` reads. One request, only for hosts that
        already failed, remembered for the run.
        """
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        memo_key = f"{host}:{port}"
        if memo_key in self._diagnosed:
            return self._diagnosed[memo_key]
        answer: tuple[Verdict, str] | None = None
        if self.factory.proxied("http", host):
            pool, lease = self.factory.checkout("http", host)
            self.requests += 1
            try:
                async with asyncio.timeout(deadline):
                    request = self.factory.request(
                        httpx.URL(f"http://{host}:{port}/"), user_agent=self._user_agent(host)
                    )
                    response = await pool.handle_async_request(request)
                    try:
                        body = await _read_text(response, 8192)
                        verdict = proxy_error_verdict(response.status_code, response.headers, body, host)
                    finally:
                        await response.aclose()
                if verdict is not None:
                    answer = verdict, f"the proxy could not reach {host}:{port}: {_one_line(body)}"
            except (TimeoutError, httpx.HTTPError, OSError, ValueError):
                answer = None
            finally:
                self.factory.checkin(lease)
        self._diagnosed[memo_key] = answer
        return answer

    async def _read_answer(self, url: str, host: str, response: httpx.Response, started: float) -> _Answer:
        status = response.status_code
        headers = response.headers
        location = headers.get("location")
        if location is not None and not location.isascii():
            location = _utf8_header(location)
        if 300 <= status < 400 and location is not None and location.strip():
            await _drain_small(response, self.options.sniff_bytes)
            return _Answer(status, _ms(started), next_url=location.strip(), via=Via.LOCATION)
        if status in (502, 503, 504):
            body = await _read_text(response, 8192)
            verdict = proxy_error_verdict(status, headers, body, host)
            if verdict is not None:
                return _Answer(
                    None,
                    _ms(started),
                    failure=verdict,
                    reason=f"the proxy could not reach {host}: {_one_line(body)}",
                )
        if status == 429 or status >= 500:
            retry_after = _retry_after(headers.get("retry-after"))
            verdict = Verdict.RATE_LIMITED if status == 429 else Verdict.HTTP_5XX
            reason = f"HTTP {status}" + (
                f", Retry-After {retry_after:g} s" if retry_after is not None else ""
            )
            return _Answer(status, _ms(started), failure=verdict, reason=reason, retry_after=retry_after)
        refresh = headers.get("refresh")
        if refresh:
            target = refresh_target(refresh)
            if target and not _same_page(url, target):
                return _Answer(status, _ms(started), next_url=target, via=Via.REFRESH_HEADER)
        if status < 300 and _is_html(headers.get("content-type", "")):
            declared = _content_length(headers)
            if declared is not None and declared > self.options.max_body:
                return _Answer(
                    status,
                    _ms(started),
                    failure=Verdict.BODY_TOO_LARGE,
                    reason=f"the page declares {declared:,} bytes, over --max-body "
                    f"({self.options.max_body:,})",
                )
            page, whole, size = await _sniff(response, self.options.sniff_bytes)
            if page:
                relocation = find_relocation(page, whole_body=whole, body_size=size)
                if relocation is not None and not _same_page(url, relocation.target):
                    return _Answer(status, _ms(started), next_url=relocation.target, via=relocation.via)
        return _Answer(status, _ms(started))


# --- Helpers -----------------------------------------------------------------------------------


class Recorder(Protocol):
    """Something that keeps every exchange (the archive's recorder, `resolver.archive.recorder`).

    `exchange` is given each response as it arrives, reads its raw body (bounded, to disk),
    and returns a response that replays those bytes, which the caller then reads as usual.
    """

    async def exchange(
        self, url: str, request: httpx.Request, response: httpx.Response, sent_at: dt.datetime
    ) -> httpx.Response: ...


async def record_exchange(
    recorder: Recorder, url: str, request: httpx.Request, response: httpx.Response, sent_at: dt.datetime
) -> httpx.Response:
    replay = None
    try:
        replay = await recorder.exchange(url, request, response, sent_at)
        return replay
    finally:
        if replay is not response:  # a recorder may hand the response back untouched
            await response.aclose()  # the replay stands in for it from here on


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _ChainCookies:
    """The cookies of one chain: what a hop sets, later hops to that host (or domain) send.

    Some sites redirect to themselves once a cookie is set (a consent or session check);
    without sending it back the chain would loop. Nothing outlives the chain: no tracking
    across links, no cookie jar on disk.
    """

    __slots__ = ("_cookies", "version")

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str], tuple[bool, str]] = {}  # (domain, name) -> (host only, value)
        self.version = 0  #: bumped whenever a cookie is set or changed

    def absorb(self, host: str, headers: httpx.Headers) -> None:
        if "set-cookie" not in headers:
            return
        for line in headers.get_list("set-cookie"):
            pair, _, attributes = line.partition(";")
            name, eq, value = pair.partition("=")
            if not eq or not name.strip():
                continue
            domain, host_only = host, True
            for attribute in attributes.split(";"):
                key, _, val = attribute.strip().partition("=")
                if key.lower() == "domain" and val.strip(". "):
                    candidate = val.strip(". ").lower()
                    if host == candidate or host.endswith("." + candidate):
                        domain, host_only = candidate, False
            entry = (host_only, value.strip())
            if self._cookies.get((domain, name.strip())) != entry:
                self._cookies[(domain, name.strip())] = entry
                self.version += 1

    def header_for(self, host: str) -> str | None:
        if not self._cookies:
            return None
        pairs = [
            f"{name}={value}"
            for (domain, name), (host_only, value) in self._cookies.items()
            if host == domain or (not host_only and host.endswith("." + domain))
        ]
        return "; ".join(pairs) or None


def _take(iterator: Iterator[tuple[int | None, str]], n: int) -> list[tuple[int | None, str]]:
    out = []
    for item in iterator:
        out.append(item)
        if len(out) >= n:
            break
    return out


def _start_url(url: str) -> str | None:
    """The URL to fetch for a link as given: scheme-less forms get https; junk gives None."""
    text = url.strip()
    if _PLAIN_HTTP_RE.fullmatch(text):  # the common case, checked without building a URL
        return text
    # Read as browsers read a link (the URL Standard): a tab or newline inside is dropped (a
    # link wrapped in the markup), and a space after the host is sent percent-encoded
    # (href="/files/annual report.pdf" works in every browser). A space in the host, or any
    # other blank or control character, is not a URL.
    text = _TAB_NEWLINE_RE.sub("", text)
    if not text or not text.isprintable():
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif not _SCHEME_RE.match(text) or _HOST_PORT_RE.match(text):
        text = "https://" + text
    spaced = " " in text
    if _scheme(text) in ("http", "https"):
        if spaced and " " in _authority(text):
            return None
        try:
            parsed = httpx.URL(text)
            if not parsed.host:  # decoding an IDNA host raises too: "https://xn--/"
                return None
            # httpx percent-encodes what cannot be in a host ("<https://x>" gives the host
            # "%3chttps"); a browser refuses such a URL, and so do we.
            if b"%" in parsed.raw_host:
                return None
        except (httpx.InvalidURL, ValueError):
            return None
        return str(parsed) if spaced else text
    return None if spaced else text


_TAB_NEWLINE_RE = re.compile(r"[\t\n\r]")


def _authority(url: str) -> str:
    """The `user@host:port` part of an absolute URL."""
    rest = url.partition("://")[2] if "://" in url else url.removeprefix("//")
    return re.split(r"[/?#]", rest, maxsplit=1)[0]


#: An absolute http(s) URL with a plain ASCII host, an optional port, and no space, control
#: or non-ASCII character anywhere: nothing for httpx to reject or re-encode.
_PLAIN_HTTP_RE = re.compile(
    r"https?://[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?(?::\d{1,5})?(?:[/?#][!-~]*)?"
)
_HOST_PORT_RE = re.compile(r"^[^:/?#]+:\d+(?:[/?#]|$)")


def _scheme(url: str) -> str:
    match = _SCHEME_RE.match(url)
    return match.group(1).lower() if match else ""


def _alias(url: str) -> str:
    """pic.twitter.com/CODE -> https://t.co/CODE (the same code on t.co)."""
    if "pic." not in url[:16].lower():  # the cheap test first: this runs on every hop
        return url
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return url
    if parsed.host in MEDIA_ALIAS_HOSTS and parsed.path.strip("/"):
        return f"https://t.co{parsed.raw_path.decode('ascii')}"
    return url


def _tweet_stop(url: str) -> StatusRef | None:
    status = parse_status_url(url)
    if status is None:
        return None
    return status if host_of(url) in TWITTER_HOSTS else None


def _blocked_unparsable(url: str) -> _Answer | None:
    """The guard's answer for a URL httpx cannot parse but a browser or a resolver reads as a
    private address: httpx refuses "0177.0.0.1" (an IPv4 spelling with a leading zero) as an
    invalid URL, while browsers and inet_aton read 127.0.0.1; say so, not "invalid URL"."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    problem = guard.name_problem(host) if host else None
    if problem is None:
        return None
    return _Answer(
        None, 0.0, failure=Verdict.BLOCKED_PRIVATE_ADDRESS, reason=f"{problem} (--allow-private to fetch it)"
    )


def _shortener_prefix(hops: Iterable[Hop]) -> int:
    """How many leading hops are shortener redirects (the immutable part of a chain)."""
    count = 0
    for hop in hops:
        if hop.via is Via.FINAL or not _is_shortener_url(hop.url):
            break
        count += 1
    return count


def _is_shortener_url(url: str) -> bool:
    host = host_of(url)  # lower case, no www., memoized
    return bool(host) and (is_shortener_host(host) or host in MEDIA_ALIAS_HOSTS)


def _join(base: str, target: str) -> str:
    """`target` (a Location, a refresh URL) made absolute against `base`, as RFC 3986 says."""
    if "\t" in target or "\n" in target or "\r" in target:
        target = _TAB_NEWLINE_RE.sub("", target)  # dropped, as the URL Standard does
    absolute = target.startswith("//") or _SCHEME_RE.match(target)
    if " " in target and absolute and " " in _authority(target):  # httpx would encode it into the host
        raise httpx.InvalidURL(f"a space in the host of {target!r}")
    if _ABSOLUTE_HTTP_RE.match(target):
        parsed = httpx.URL(target)  # validates (raises InvalidURL) without a join
        # An IRI, a space in the path or an upper-case scheme become the URI as it is sent.
        return target if _PLAIN_HTTP_RE.fullmatch(target) else str(parsed)
    return str(httpx.URL(base).join(target))


_ABSOLUTE_HTTP_RE = re.compile(r"^https?://[^/?#\s]+(?:[/?#]|$)", re.IGNORECASE)


def _same_page(url: str, target: str) -> bool:
    try:
        joined = _join(url, target)
    except (httpx.InvalidURL, ValueError):
        return False
    return normalize_url(joined) == normalize_url(url)


def _is_html(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in _HTML_TYPES or (media.endswith("+xml") and "html" in media)


def _utf8_header(value: str) -> str:
    """A header httpx decoded as Latin-1, as the UTF-8 the server most likely sent.

    Servers put raw UTF-8 in Location (a path with accents, an IDN); browsers read it as
    UTF-8, so do we. Genuine Latin-1 that is not valid UTF-8 stays as it was.
    """
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _one_line(text: str) -> str:
    plain = re.sub(r"<[^>]+>", " ", text)
    return " ".join(plain.split())[:200]


def _link_timeout_reason(options: ExpandOptions) -> str:
    return f"the link took more than --link-timeout ({options.link_timeout:g} s)"


async def _drain_small(response: httpx.Response, limit: int) -> None:
    """Read a redirect's small body so the connection can be reused; leave big ones unread."""
    declared = _content_length(response.headers)
    if declared is not None and declared <= limit:
        async for _ in response.aiter_raw():
            pass


async def _sniff(response: httpx.Response, limit: int) -> tuple[str, bool, int]:
    """The first `limit` decoded bytes of a body as text, whether that was all of it, its size.

    Decoding is done here, a bounded window at a time, so a gzip bomb inflates to at most
    `limit` bytes; the rest of the body is never read.
    """
    decoder = _decoder(response)
    if decoder is False:
        return "", False, 0
    buffer = bytearray()
    whole = True
    try:
        async for chunk in response.aiter_raw():
            room = limit - len(buffer)
            data = decoder.decompress(chunk, room) if decoder is not None else chunk[:room]
            buffer += data
            if len(buffer) >= limit or (decoder is None and len(chunk) > room):
                whole = False
                break
            if decoder is not None and getattr(decoder, "unconsumed_tail", b""):
                whole = False
                break
    except zlib.error:
        return "", False, 0
    charset = response.charset_encoding or "utf-8"
    try:
        text = bytes(buffer).decode(charset, errors="replace")
    except LookupError:
        text = bytes(buffer).decode("utf-8", errors="replace")
    return text, whole, len(buffer)


async def _read_text(response: httpx.Response, limit: int) -> str:
    text, _whole, _size = await _sniff(response, limit)
    return text


def _ended(
    url: str, final: str | None, verdict: Verdict, reason: str, hops: Iterable[Hop], attempts: int = 1
) -> Expansion:
    hops = tuple(hops)
    status = hops[-1].status if hops else None
    return Expansion(url, final, verdict, status, hops, reason, attempts=attempts)


def _from_cache(result: Expansion) -> Expansion:
    return _relabel(result, result.url, result.index, from_cache=True)


def _relabel(result: Expansion, url: str, index: int | None, *, from_cache: bool | None = None) -> Expansion:
    """`result` for another spelling or position of its URL (dataclasses.replace is 5x slower,
    and a warm run over 100,000 cached links does this for every one)."""
    return Expansion(
        url,
        _with_fragment(result.final_url, url) if "#" in url else result.final_url,
        result.verdict,
        result.http_status,
        result.hops,
        result.reason,
        result.from_cache if from_cache is None else from_cache,
        result.tweet,
        index,
        result.attempts,
    )


def _cacheable(result: Expansion) -> dict[str, Any]:
    data = result.to_json()
    data.pop("index", None)
    data.pop("from_cache", None)
    return data


def _with_fragment(final_url: str | None, url: str) -> str | None:
    """Where `url` leads, with its fragment: a redirect whose Location has no fragment keeps
    the link's (RFC 9110, section 10.2.2), so `bit.ly/x#section-2` leads to `story#section-2`.
    The chain is fetched and cached without it (servers never see a fragment)."""
    fragment = url.partition("#")[2]
    if final_url is None or not fragment or "#" in final_url:
        return final_url
    return f"{final_url}#{fragment}"


__all__ = ["NON_BROWSER_HOSTS", "NS_EXPANSION", "NS_LIVENESS", "ExpandOptions", "Expander"]
