"""Turning what went wrong into a verdict: transport errors, and proxies' error pages.

Behind a proxy, the client never sees the DNS failure or the refused connection itself: the
proxy answers for the host. mitmproxy says `502 Bad Gateway` with `Cannot connect to
HOST:PORT: [Errno -2] Name or service not known`; squid says `503` with an `X-Squid-Error:
ERR_DNS_FAIL 0` header. The tables below read those answers back into the same verdicts a
direct connection gives, and only when the answer is clearly the proxy's (a squid header, or
a body naming the host the proxy could not reach), so that an origin's own 502 stays a 5xx.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator, Sequence

import httpx

from resolver.expander.verdicts import Verdict

#: squid's error codes (the first word of X-Squid-Error).
SQUID_ERRORS = {
    "ERR_DNS_FAIL": Verdict.DNS_FAILURE,
    "ERR_CONNECT_FAIL": Verdict.CONNECT_REFUSED,
    "ERR_READ_TIMEOUT": Verdict.TIMEOUT,
    "ERR_LIFETIME_EXP": Verdict.TIMEOUT,
    "ERR_CONNECT_TIMEOUT": Verdict.TIMEOUT,
    "ERR_SECURE_CONNECT_FAIL": Verdict.TLS_ERROR,
    "ERR_ZERO_SIZE_OBJECT": Verdict.CONNECTION_RESET,
    "ERR_READ_ERROR": Verdict.CONNECTION_RESET,
    "ERR_INVALID_URL": Verdict.INVALID_URL,
}

#: Phrases of OS and proxy error messages, first match wins. They cover glibc, musl, macOS
#: and Windows wordings, Python's errno text, and what mitmproxy, squid, Privoxy and tinyproxy
#: print.
ERROR_PHRASES: Sequence[tuple[re.Pattern[str], Verdict]] = tuple(
    (re.compile(pattern, re.IGNORECASE), verdict)
    for pattern, verdict in (
        (r"certificate|CERTIFICATE_VERIFY_FAILED|SSL|TLS|handshake", Verdict.TLS_ERROR),
        (
            r"Errno -[235]\b|Errno 1100[14]|Name or service not known|nodename nor servname|"
            r"No address associated|Temporary failure in name resolution|getaddrinfo failed|"
            r"Could not resolve|NXDOMAIN|Unknown host|Name Error|unable to determine IP address|"
            r"Host not found|DNS",
            Verdict.DNS_FAILURE,
        ),
        (r"Errno 111\b|Errno 61\b|Connection refused|actively refused|ECONNREFUSED", Verdict.CONNECT_REFUSED),
        (r"timed out|timeout|Errno 110\b", Verdict.TIMEOUT),
        (r"Errno 104\b|Connection reset|ECONNRESET|reset by peer|Broken pipe", Verdict.CONNECTION_RESET),
        (r"Network is unreachable|No route to host|Errno 10[13]\b|Errno 113\b", Verdict.CONNECT_FAILED),
    )
)


def verdict_from_text(text: str) -> Verdict | None:
    for pattern, verdict in ERROR_PHRASES:
        if pattern.search(text):
            return verdict
    return None


def proxy_error_verdict(status: int, headers: httpx.Headers, body: str, host: str) -> Verdict | None:
    """The verdict a proxy's own error answer stands for; None if the answer is the origin's."""
    if status not in (502, 503, 504):
        return None
    squid = headers.get("x-squid-error")
    if squid:
        code = squid.split()[0].upper()
        if code == "ERR_CONNECT_FAIL" and re.search(r"\b110\b", squid):
            return Verdict.TIMEOUT
        return SQUID_ERRORS.get(code, Verdict.PROXY_ERROR)
    # mitmproxy, tinyproxy, Privoxy: an error page that names the host it could not reach.
    lowered = body.lower()
    if (
        host
        and host.lower() in lowered
        and re.search(
            r"cannot connect|could not connect|unable to connect|failed to connect|can't connect|"
            r"could not resolve|unable to resolve|no such host|connect to|cannot establish|"
            r"establish tls|tls handshake|certificate verify failed",
            lowered,
        )
    ):
        return verdict_from_text(body) or Verdict.CONNECT_FAILED
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what caused it, and so on (each once: chains can loop)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _chain_text(exc: BaseException) -> str:
    return " <- ".join(f"{type(e).__name__}: {e}" for e in _causes(exc))


def _has_cause(exc: BaseException, kind: type[BaseException]) -> bool:
    return any(isinstance(e, kind) for e in _causes(exc))


def classify_exception(exc: BaseException) -> tuple[Verdict, str]:
    """A transport error as (verdict, one-line reason)."""
    text = _chain_text(exc)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        phase = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a connection",
        }.get(type(exc), "waiting")
        return Verdict.TIMEOUT, f"timed out {phase}"
    if isinstance(exc, httpx.ProxyError):
        detail = str(exc) or "no detail"
        verdict = verdict_from_text(detail)
        return verdict or Verdict.PROXY_ERROR, f"the proxy refused the tunnel: {detail}"
    if _has_cause(exc, ssl.SSLError) or isinstance(exc, ssl.SSLError):
        return Verdict.TLS_ERROR, f"TLS failed: {_short(exc)}"
    if isinstance(exc, httpx.ConnectError):
        verdict = verdict_from_text(text) or Verdict.CONNECT_FAILED
        return verdict, f"cannot connect: {_short(exc)}"
    if isinstance(exc, httpx.RemoteProtocolError):
        lowered = text.lower()
        if "without sending" in lowered or "disconnected" in lowered or "peer closed" in lowered:
            return Verdict.CONNECTION_RESET, f"the server closed the connection: {_short(exc)}"
        return Verdict.PROTOCOL_ERROR, f"invalid HTTP from the server: {_short(exc)}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | ConnectionError):
        return Verdict.CONNECTION_RESET, f"the connection broke: {_short(exc)}"
    if isinstance(exc, httpx.DecodingError):
        return Verdict.PROTOCOL_ERROR, f"cannot decode the body: {_short(exc)}"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return Verdict.INVALID_URL, f"invalid URL: {_short(exc)}"
    if isinstance(exc, httpx.TransportError):
        return verdict_from_text(text) or Verdict.CONNECT_FAILED, _short(exc)
    return Verdict.PROTOCOL_ERROR, _short(exc)


def _short(exc: BaseException) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message.splitlines()[0][:300]


#: The verdicts of a connection that could not be made (not of what came through one): behind
#: a proxy, they are the proxy's (see `Expander._request`).
CONNECT_VERDICTS = frozenset({Verdict.DNS_FAILURE, Verdict.CONNECT_REFUSED, Verdict.CONNECT_FAILED})

#: Verdicts worth another try (the cache never keeps them either).
RETRYABLE = frozenset(
    {
        Verdict.TIMEOUT,
        Verdict.CONNECT_REFUSED,
        Verdict.CONNECT_FAILED,
        Verdict.CONNECTION_RESET,
        Verdict.PROXY_ERROR,
        Verdict.PROTOCOL_ERROR,
        Verdict.HTTP_5XX,
        Verdict.RATE_LIMITED,
    }
)

__all__ = [
    "CONNECT_VERDICTS",
    "ERROR_PHRASES",
    "RETRYABLE",
    "SQUID_ERRORS",
    "classify_exception",
    "proxy_error_verdict",
    "verdict_from_text",
]
