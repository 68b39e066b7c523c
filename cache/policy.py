"""What the network stages keep, and for how long: the default policy, as data.

A TTL is in seconds from the moment of storing:

- `None`: kept for good;
- `0`: do not store at all (`Store.put` skips it, so such results are never served from the
  cache);
- anything else: the entry is a miss once that many seconds have passed.

The store knows nothing of this table; the caller asks `ttl_for(kind)` and passes the answer
to `put`. A caller with other needs passes its own table (`policy=`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeAlias

__all__ = [
    "DAY",
    "DEFAULT_POLICY",
    "DEFINITIVE_ERROR",
    "HOUR",
    "LIVENESS",
    "SHORTENER_EXPANSION",
    "TRANSIENT_ERROR",
    "TWEET",
    "TWEET_TOMBSTONE",
    "Rule",
    "Ttl",
    "ttl_for",
]

#: Seconds to keep an entry: None = forever, 0 = "do not store", otherwise a lifetime.
Ttl: TypeAlias = float | Literal[0] | None

HOUR = 3600.0
DAY = 24 * HOUR

#: A shortener's expansion (the hops from the short link to the first URL that is not a
#: shortener). Kept for good: a t.co code is immutable, so an expansion once seen stays true.
#: Other shorteners let an owner re-point a link (Bitly's paid plans), but what an archive needs
#: is where the link led when the article cited it, which is what was seen.
SHORTENER_EXPANSION: Ttl = None
#: Whether a final URL answers (2xx/3xx). A week: a page that answered last week very likely
#: answers now, and a weekly audit still re-checks every page. `--max-age` replaces it (and the
#: caller passes it to `Store.get(max_age=)` too, so entries stored under a longer TTL are misses).
LIVENESS: Ttl = 7 * DAY
#: A definitive failure: 404, 410, NXDOMAIN, a refused TLS name. Usually permanent, but not
#: always: a site migration gets fixed, a lapsed domain is renewed, a DNS outage can look like
#: NXDOMAIN. One day: re-running an audit the same day (after fixing a flag, or on the next
#: batch of articles) does not hammer dead hosts again, and tomorrow's run sees a recovery.
#: Shorter than LIVENESS on purpose: "dead" is the verdict people act on (replacing a link,
#: citing an archive copy), so it must be the fresher one. `--max-age` caps it.
DEFINITIVE_ERROR: Ttl = DAY
#: A transient failure: timeout, connection reset, 5xx, 429, a proxy error. Never stored: the
#: next try may succeed, and a cached failure would report a live page dead until it expired
#: (lychee keeps errors out of its cache for the same reason).
TRANSIENT_ERROR: Ttl = 0
#: A recovered tweet (text, author, media). Its content does not change (an edit is a new
#: version with its own ID), but it may be deleted or its account protected: re-check monthly.
TWEET: Ttl = 30 * DAY
#: A tweet that could not be recovered (deleted, suspended, protected, withheld). A day: a
#: suspended account can be reinstated and a protected one made public again.
TWEET_TOMBSTONE: Ttl = DAY


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of a policy: the kind of result, its TTL, and why."""

    kind: str
    ttl: Ttl
    reason: str
    #: How `--max-age` applies: "replace" (it is the TTL), "cap" (the TTL is at most max_age) or None.
    max_age: Literal["replace", "cap"] | None = None


#: The default policy, by kind. The reasons are the short forms of the comments above.
DEFAULT_POLICY: Mapping[str, Rule] = MappingProxyType(
    {
        rule.kind: rule
        for rule in (
            Rule(
                "shortener-expansion",
                SHORTENER_EXPANSION,
                "t.co codes are immutable: an expansion stays true",
            ),
            Rule("liveness", LIVENESS, "a page that answered last week very likely answers now", "replace"),
            Rule(
                "definitive-error",
                DEFINITIVE_ERROR,
                "404 and NXDOMAIN are usually, not always, for good",
                "cap",
            ),
            Rule("transient-error", TRANSIENT_ERROR, "timeouts, 5xx and 429 may succeed on the next try"),
            Rule("tweet", TWEET, "a tweet's content does not change; it may be deleted"),
            Rule("tweet-tombstone", TWEET_TOMBSTONE, "a suspended or protected account can come back"),
        )
    }
)


def ttl_for(kind: str, *, max_age: float | None = None, policy: Mapping[str, Rule] = DEFAULT_POLICY) -> Ttl:
    """The TTL (seconds, None = forever, 0 = do not store) for a result of `kind`.

    `max_age` is the user's `--max-age`: it replaces the liveness TTL and caps the definitive-error
    one (a failure must not outlive the window the user asked for); other kinds ignore it.
    Raises ValueError for an unknown kind or a negative max_age.
    """
    try:
        rule = policy[kind]
    except KeyError:
        raise ValueError(f"no cache policy for {kind!r}; known kinds: {', '.join(sorted(policy))}") from None
    if max_age is None or rule.max_age is None:
        return rule.ttl
    if max_age < 0:
        raise ValueError(f"max_age must be 0 or more seconds, not {max_age!r}")
    if rule.max_age == "replace" or rule.ttl is None:
        return max_age
    return min(rule.ttl, max_age)
