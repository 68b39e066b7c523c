"""The outcome vocabulary of expansion: hop types and verdict slugs, as data.

Both enums are a contract (users' scripts and the README rely on the exact strings): add
members, never rename them. Each verdict carries, in one table, what it means and how long
the cache may keep it, so the policy is written where it is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Via(StrEnum):
    """How a hop led to the next one (or that it was the last)."""

    LOCATION = "location"  #: a 3xx response's Location header
    REFRESH_HEADER = "refresh-header"  #: a `Refresh: 0; url=...` header
    META_REFRESH = "meta-refresh"  #: `<meta http-equiv="refresh" content="0;URL=...">` in the body
    JS = "js"  #: a script relocation (`location.replace("...")`, `location.href = "..."`)
    FINAL = "final"  #: the end of the chain: an answer, an error, or a tweet's status URL

    def __str__(self) -> str:
        return self.value


class Verdict(StrEnum):
    """The verdict on one link: a stable slug. See VERDICTS for what each means."""

    OK = "ok"
    HTTP_401 = "http-401"
    HTTP_403 = "http-403"
    HTTP_404 = "http-404"
    HTTP_410 = "http-410"
    HTTP_451 = "http-451"
    HTTP_4XX = "http-4xx"
    HTTP_5XX = "http-5xx"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    REDIRECT_LOOP = "redirect-loop"
    DNS_FAILURE = "dns-failure"
    CONNECT_REFUSED = "connect-refused"
    CONNECT_FAILED = "connect-failed"
    CONNECTION_RESET = "connection-reset"
    TLS_ERROR = "tls-error"
    TIMEOUT = "timeout"
    RATE_LIMITED = "rate-limited"
    BODY_TOO_LARGE = "body-too-large"
    BLOCKED_PRIVATE_ADDRESS = "blocked-private-address"
    NON_HTTP_TARGET = "non-http-target"
    INVALID_URL = "invalid-url"
    PROXY_ERROR = "proxy-error"
    PROTOCOL_ERROR = "protocol-error"
    INTERNAL_ERROR = "internal-error"

    def __str__(self) -> str:
        return self.value


#: How long the cache keeps a result with this verdict (the kinds of `cache.policy`).
LIVENESS = "liveness"
DEFINITIVE = "definitive-error"
TRANSIENT = "transient-error"


@dataclass(frozen=True, slots=True)
class VerdictInfo:
    meaning: str
    cache_kind: str  #: a `cache.policy` kind: liveness, definitive-error or transient-error


VERDICTS = MappingProxyType(
    {
        Verdict.OK: VerdictInfo(
            "the chain ended on a 2xx (or 3xx without Location) answer, or on a tweet's status URL", LIVENESS
        ),
        Verdict.HTTP_401: VerdictInfo("the final answer was 401: the page wants a login", LIVENESS),
        Verdict.HTTP_403: VerdictInfo(
            "the final answer was 403: forbidden (often a bot wall; the page may exist)", DEFINITIVE
        ),
        Verdict.HTTP_404: VerdictInfo("the final answer was 404 Not Found", DEFINITIVE),
        Verdict.HTTP_410: VerdictInfo("the final answer was 410 Gone: removed for good", DEFINITIVE),
        Verdict.HTTP_451: VerdictInfo("the final answer was 451: unavailable for legal reasons", DEFINITIVE),
        Verdict.HTTP_4XX: VerdictInfo("the final answer was another 4xx status", DEFINITIVE),
        Verdict.HTTP_5XX: VerdictInfo("the final answer was a 5xx server error, after retries", TRANSIENT),
        Verdict.TOO_MANY_REDIRECTS: VerdictInfo("the chain was longer than --max-hops", DEFINITIVE),
        Verdict.REDIRECT_LOOP: VerdictInfo("the chain came back to a URL it had already visited", DEFINITIVE),
        Verdict.DNS_FAILURE: VerdictInfo("the host name does not resolve (NXDOMAIN)", DEFINITIVE),
        Verdict.CONNECT_REFUSED: VerdictInfo("the host refused the connection", TRANSIENT),
        Verdict.CONNECT_FAILED: VerdictInfo("the host could not be reached for another reason", TRANSIENT),
        Verdict.CONNECTION_RESET: VerdictInfo("the connection was reset or closed mid-answer", TRANSIENT),
        Verdict.TLS_ERROR: VerdictInfo(
            "the TLS handshake failed: untrusted, expired or wrong-name certificate", DEFINITIVE
        ),
        Verdict.TIMEOUT: VerdictInfo(
            "no answer in time (--timeout per request, --link-timeout per link), after retries", TRANSIENT
        ),
        Verdict.RATE_LIMITED: VerdictInfo(
            "429 Too Many Requests, still after the retries allowed", TRANSIENT
        ),
        Verdict.BODY_TOO_LARGE: VerdictInfo(
            "a page the tool had to read declared a body over --max-body", DEFINITIVE
        ),
        Verdict.BLOCKED_PRIVATE_ADDRESS: VerdictInfo(
            "a hop pointed at a loopback, private, link-local or multicast address (--allow-private)",
            DEFINITIVE,
        ),
        Verdict.NON_HTTP_TARGET: VerdictInfo(
            "the chain led to a non-HTTP URL (mailto:, javascript:, ftp:, an app's scheme)", DEFINITIVE
        ),
        Verdict.INVALID_URL: VerdictInfo("the URL (or a Location it led to) is not a valid URL", DEFINITIVE),
        Verdict.PROXY_ERROR: VerdictInfo(
            "the proxy failed without saying why (it could not reach the host, or refused us)", TRANSIENT
        ),
        Verdict.PROTOCOL_ERROR: VerdictInfo("the server's answer was not valid HTTP", TRANSIENT),
        Verdict.INTERNAL_ERROR: VerdictInfo(
            "the tool failed on this link (a bug: the reason says what; please report it)", TRANSIENT
        ),
    }
)


def verdict_for_status(status: int) -> Verdict:
    """The verdict of a final HTTP answer (one that led nowhere further)."""
    if status < 400:
        return Verdict.OK
    specific = _BY_STATUS.get(status)
    if specific is not None:
        return specific
    return Verdict.HTTP_5XX if status >= 500 else Verdict.HTTP_4XX


_BY_STATUS = {
    401: Verdict.HTTP_401,
    403: Verdict.HTTP_403,
    404: Verdict.HTTP_404,
    410: Verdict.HTTP_410,
    429: Verdict.RATE_LIMITED,
    451: Verdict.HTTP_451,
}

__all__ = ["VERDICTS", "Verdict", "VerdictInfo", "Via", "verdict_for_status"]
