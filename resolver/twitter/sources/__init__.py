"""Where a tweet's content comes from: small sources behind one interface, asked in order.

Each source module says why it is in the list and how it fails. The order (`DEFAULT_ORDER`)
is the cheapest reliable source first, so that an available tweet costs one request:

1. `syndication`: the JSON the embed widget reads; full record, media variants, tombstones.
2. `oembed`: the publish endpoint's blockquote; text, author, links (t.co), no media URLs.
3. `mirrors`: FxTwitter-style public mirrors (configurable, `--no-mirrors`).
4. `wayback`: the Wayback Machine's capture of the status page; the last resort, and the
   only one that still has a deleted tweet's text.

A source answers with one of four outcomes (`Outcome`): the tweet (`found`), a definitive
fate without content (`gone`: deleted, suspended, protected, withheld, age-restricted), a
"not found" that may mean several things (`not-found`), or no usable answer (`failed`:
transport errors, 5xx, rate limits, a shape it does not know).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from resolver.fetch import Fetcher, Reply
from resolver.models import Tweet, TweetState
from resolver.wayback import Capture


@dataclass(frozen=True, slots=True)
class TweetKey:
    """What a source needs to ask for a tweet."""

    id: str
    handle: str | None = None
    capture: Capture | None = None  #: a known capture of its status page (found by the search)

    @property
    def url(self) -> str:
        return f"https://twitter.com/{self.handle or 'i/web'}/status/{self.id}"


class Outcome(StrEnum):
    FOUND = "found"
    GONE = "gone"
    NOT_FOUND = "not-found"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SourceAnswer:
    outcome: Outcome
    tweet: Tweet | None = None  #: with `found`: the content (its state set by the source)
    state: TweetState | None = None  #: with `gone`: the fate the source stated
    reason: str = ""  #: one line: what the source said
    requests: int = 0

    def summary(self, source: str) -> str:
        return f"{source}: {self.outcome.value}" + (f" ({self.reason})" if self.reason else "")


class Source(Protocol):
    """One place to ask for a tweet."""

    #: The name recorded in a record's `source` and `tried` fields.
    name: str
    #: True for sources of archived copies: they are still asked once a live source said the
    #: tweet is gone, for its content; their "found" says nothing about the tweet's fate today.
    archival: bool

    async def fetch(self, key: TweetKey, fetcher: Fetcher) -> SourceAnswer: ...


# --- Helpers the sources share ------------------------------------------------------------------

#: Tombstone and error wordings, and the fate each states. First match wins; the texts are
#: what the embed shows ("This Post is from a suspended account", "This Post was deleted by
#: the Post author", "...limits who can view their Posts", "...has been withheld in ...",
#: "Age-restricted adult content"), in the "Tweet" and the "Post" eras.
FATE_PHRASES: Sequence[tuple[re.Pattern[str], TweetState]] = tuple(
    (re.compile(pattern, re.IGNORECASE), state)
    for pattern, state in (
        (r"suspended", TweetState.SUSPENDED),
        (r"withheld", TweetState.WITHHELD),
        (r"age[- ]restricted|adult content|under 18|sensitive content|age verification|\bnsfw",
         TweetState.AGE_RESTRICTED),
        (r"limits who can view|protected|private|only (?:approved )?followers", TweetState.PROTECTED),
        (r"deleted|no longer (?:exists|available)|doesn.t exist|does not exist|not found",
         TweetState.DELETED),
    )
)  # fmt: skip


def fate_from_text(text: str) -> TweetState | None:
    for pattern, state in FATE_PHRASES:
        if pattern.search(text):
            return state
    return None


def failed(reply: Reply, what: str = "") -> SourceAnswer:
    reason = reply.describe() + (f": {what}" if what else "")
    return SourceAnswer(Outcome.FAILED, reason=reason, requests=reply.requests)


def utc_from_epoch(value: object) -> dt.datetime | None:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def utc_from_text(value: object) -> dt.datetime | None:
    """ISO 8601 ("2015-10-21T06:45:26.000Z") or Twitter's classic "Wed Oct 21 06:45:26 +0000 2015"."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = dt.datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def as_str(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text or None
    return None


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def orig_photo_url(url: str) -> str:
    """A pbs.twimg.com photo at its original size: `?name=orig` (older `:large` forms too)."""
    base = re.sub(r":(?:large|medium|small|thumb|orig)$", "", url.split("?", 1)[0])
    if "pbs.twimg.com/" not in base:
        return url
    return f"{base}?name=orig"


def photo_type(url: str) -> str | None:
    path = url.split("?", 1)[0].lower()
    for ext, kind in ((".jpg", "image/jpeg"), (".jpeg", "image/jpeg"), (".png", "image/png"),
                      (".gif", "image/gif"), (".webp", "image/webp")):  # fmt: skip
        if path.endswith(ext):
            return kind
    fmt = re.search(r"[?&]format=(\w+)", url)
    if fmt:
        return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(fmt[1].lower())
    return None


__all__ = [
    "FATE_PHRASES",
    "Outcome",
    "Source",
    "SourceAnswer",
    "TweetKey",
    "as_int",
    "as_str",
    "failed",
    "fate_from_text",
    "orig_photo_url",
    "photo_type",
    "utc_from_epoch",
    "utc_from_text",
]
