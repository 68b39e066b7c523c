"""Whole (bounded) GETs for the stages that read what a service answers: APIs, captures, pages.

The expansion engine reads only the first KBs of a body and follows nothing on its own;
the tweet sources and the Wayback client need the body itself (a JSON document, a captured
page). `Fetcher.get` is that request, with the same manners as the engine: the run's client
factory (proxy, CA bundle, user agent), its `Limits` (a gate per host, or per service, e.g.
one CDX request at a time), retries with backoff for transient failures only, `Retry-After`
honoured, a deadline per request, and a cap on the body it will hold in memory (bodies are
decoded here, a bounded window at a time: a gzip bomb cannot inflate).

A failure is data: every call returns a `Reply`, with a verdict slug of the expansion
vocabulary (`timeout`, `http-5xx`, `rate-limited`, ...) when no usable answer came.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from resolver.bodies import content_length, decode_text, read_bounded, retry_after
from resolver.expander.engine import Recorder, record_exchange
from resolver.expander.failures import CONNECT_VERDICTS, RETRYABLE, classify_exception, proxy_error_verdict
from resolver.expander.limits import Limits
from resolver.expander.verdicts import Verdict
from resolver.net import ClientFactory, url_problem

#: Redirects followed by `get(follow=N)` are only those a service uses to point at the answer
#: (the Wayback's replay redirects to the nearest capture); chains are the engine's job.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Reply:
    """What one GET gave: the answer (status, headers, body) or why there is none."""

    url: str  #: the URL asked for first
    final_url: str  #: the URL that answered (after the redirects `follow` allowed)
    status: int | None  #: None when no answer came
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    complete: bool = True  #: False when the body was cut at `max_bytes`
    failure: Verdict | None = None  #: why there is no usable answer (a transport error, 429, 5xx)
    reason: str = ""
    elapsed_ms: float = 0.0
    requests: int = 0  #: requests this call sent (retries and redirects included)

    @property
    def ok(self) -> bool:
        return self.failure is None and self.status is not None and 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        return decode_text(self.body, self.headers.get("content-type"))

    def json(self) -> Any:
        """The body as JSON; None when it is empty or not JSON (services answer errors in HTML)."""
        if not self.body.strip() or not self.complete:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None

    def describe(self) -> str:
        """One line for people: the status, or the failure's reason."""
        if self.failure is not None:
            return self.reason or self.failure.value
        return f"HTTP {self.status}"


@dataclass
class Fetcher:
    """GETs through one factory and one set of limits.

    `retries` extra tries after a transient failure (timeouts, resets, 5xx, 429), waiting
    `retry_base` seconds doubled each time (with jitter), or what `Retry-After` says when the
    service says it, up to `max_retry_wait`; a longer wait gives up with `rate-limited`.
    """

    factory: ClientFactory
    limits: Limits
    timeout: float = 15.0
    retries: int = 2
    retry_base: float = 0.5
    max_retry_wait: float = 60.0
    max_bytes: int = 8 * 1024 * 1024
    requests: int = 0  #: requests sent through this fetcher
    #: Sees every exchange (the archive's WARC writer); None: nothing is recorded.
    recorder: Recorder | None = None

    async def get(
        self,
        url: str,
        *,
        gate: str | None = None,
        accept: str = "*/*",
        headers: Sequence[tuple[str, str]] = (),
        max_bytes: int | None = None,
        follow: int = 0,
        user_agent: str | None = None,
    ) -> Reply:
        """GET `url`; `gate` names the limit it waits for (default: its host); `follow` is how
        many redirects to follow (0: a redirect is the answer)."""
        started = time.perf_counter()
        first = url
        sent = 0
        for _ in range(follow + 1):
            reply = await self._get_with_retries(url, gate, accept, headers, max_bytes, user_agent)
            sent += reply.requests
            location = reply.headers.get("location") if reply.status in REDIRECT_STATUSES else None
            if not location or reply.failure is not None:
                break
            try:
                url = str(httpx.URL(url).join(location.strip()))
            except (httpx.InvalidURL, ValueError):
                break
        return _with(reply, url=first, requests=sent, elapsed_ms=_ms(started))

    async def _get_with_retries(
        self,
        url: str,
        gate: str | None,
        accept: str,
        headers: Sequence[tuple[str, str]],
        max_bytes: int | None,
        user_agent: str | None,
    ) -> Reply:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as exc:
            return Reply(url, url, None, failure=Verdict.INVALID_URL, reason=f"invalid URL: {exc}")
        if parsed.scheme not in ("http", "https") or not parsed.host:
            return Reply(url, url, None, failure=Verdict.INVALID_URL, reason="not an http(s) URL")
        problem = url_problem(parsed)
        if problem is not None:
            return Reply(url, url, None, failure=Verdict.INVALID_URL, reason=f"invalid URL: {problem}")
        gate = gate or parsed.host
        sent = 0
        reply = Reply(url, url, None, failure=Verdict.TIMEOUT, reason="not tried")
        for attempt in range(self.retries + 1):
            async with self.limits.slot(gate):
                reply = await self._once(url, parsed, accept, headers, max_bytes, user_agent)
            sent += 1
            if reply.failure is None or reply.failure not in RETRYABLE | {Verdict.RATE_LIMITED}:
                if reply.failure is None:
                    self.limits.host_succeeded(gate)
                break
            if attempt == self.retries:
                break
            wait_hint = retry_after(reply.headers.get("retry-after")) if reply.status else None
            if wait_hint is not None and wait_hint > self.max_retry_wait:
                reply = _with(
                    reply, reason=f"{reply.reason} (Retry-After {wait_hint:g} s is over the longest wait)"
                )
                break
            if reply.failure is Verdict.RATE_LIMITED or wait_hint is not None:
                self.limits.pause_host(gate, wait_hint)  # the next try waits at the gate
                continue
            await asyncio.sleep(
                min(self.max_retry_wait, self.retry_base * 2**attempt) * random.uniform(0.5, 1.5)
            )
        return _with(reply, requests=sent)

    async def _once(
        self,
        url: str,
        parsed: httpx.URL,
        accept: str,
        headers: Sequence[tuple[str, str]],
        max_bytes: int | None,
        user_agent: str | None,
    ) -> Reply:
        started = time.perf_counter()
        self.requests += 1
        limit = self.max_bytes if max_bytes is None else max_bytes
        pool, lease = self.factory.checkout(parsed.scheme, parsed.host)
        try:
            async with asyncio.timeout(self.timeout):
                request = self.factory.request(
                    parsed,
                    user_agent=user_agent,
                    accept=accept.encode("ascii"),
                    extra=tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers),
                )
                sent_at = dt.datetime.now(dt.UTC)
                response = await pool.handle_async_request(request)
                response.request = request
                if self.recorder is not None:
                    response = await record_exchange(self.recorder, url, request, response, sent_at)
                try:
                    status = response.status_code
                    declared = content_length(response.headers)
                    if declared is not None and declared > limit and status < 300 and limit:
                        return Reply(
                            url,
                            url,
                            status,
                            response.headers,
                            failure=Verdict.BODY_TOO_LARGE,
                            reason=f"the answer declares {declared:,} bytes, over the {limit:,} read",
                            elapsed_ms=_ms(started),
                        )
                    if limit == 0:  # only the recorder wants the body (it has read it already)
                        body, whole = b"", True
                    else:
                        body, whole = await read_bounded(response, limit)
                finally:
                    await response.aclose()
        except TimeoutError:
            return Reply(
                url,
                url,
                None,
                failure=Verdict.TIMEOUT,
                reason=f"no answer within {self.timeout:g} s",
                elapsed_ms=_ms(started),
            )
        except (httpx.HTTPError, OSError, ValueError) as exc:
            verdict, reason = classify_exception(exc)
            if isinstance(exc, httpx.ConnectError) and verdict in CONNECT_VERDICTS:
                route = self.factory.proxy_for(parsed.scheme, parsed.host)
                if route is not None:  # the connection that failed was to the proxy (see engine)
                    verdict, reason = Verdict.PROXY_ERROR, f"cannot reach the proxy {route}: {reason}"
            return Reply(url, url, None, failure=verdict, reason=reason, elapsed_ms=_ms(started))
        finally:
            self.factory.checkin(lease)
        failure: Verdict | None = None
        reason = ""
        if status in (502, 503, 504):
            failure = proxy_error_verdict(
                status, response.headers, body.decode("utf-8", "replace"), parsed.host
            )
            if failure is not None:
                reason = f"the proxy could not reach {parsed.host}"
        if failure is None and status == 429:
            failure, reason = Verdict.RATE_LIMITED, "HTTP 429 Too Many Requests"
        elif failure is None and status >= 500:
            failure, reason = Verdict.HTTP_5XX, f"HTTP {status}"
        return Reply(
            url,
            url,
            status,
            response.headers,
            body,
            complete=whole,
            failure=failure,
            reason=reason,
            elapsed_ms=_ms(started),
        )


def _with(reply: Reply, **changes: Any) -> Reply:
    return replace(reply, **changes)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


__all__ = ["REDIRECT_STATUSES", "Fetcher", "Reply"]
