"""Finding a tweet that an article kept only as text: handle, calendar date, and the quote.

The signature `— Name (@handle) 21 outubro 2015` gives the handle and the *local* calendar
date the embed was rendered on. Tweet IDs are snowflakes (`snowflake.py`), so a UTC day is
an ID range; the reader's day may be the UTC day before or after, so the range covers three
days. The Wayback Machine's CDX index is asked for the captured status URLs of that handle
whose IDs start with the decimal prefixes covering the range (`wayback.decimal_prefixes`:
few prefixes, few requests; the rows are filtered by the exact range here). Each candidate's
text is fetched (through the same sources as any tweet, so the winner is fetched once) and
scored against the quote (`textmatch.similarity`). A candidate is chosen only with a score
of at least `min_confidence` and a lead of `min_margin` over the runner-up; otherwise the
best candidates are reported and nothing is guessed. Never by date alone: a candidate
without text scores 0.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from resolver.fetch import Fetcher
from resolver.models import Tweet, TweetCandidate
from resolver.rules import parse_status_url
from resolver.snowflake import id_range_for_day
from resolver.twitter.sources import TweetKey
from resolver.twitter.textmatch import similarity
from resolver.wayback import Capture, cdx, cdx_query_url, decimal_prefixes

#: The hosts whose status pages are searched, in order; the next is asked only when the
#: previous gave no candidate good enough. x.com first for tweets from after the rename.
SEARCH_HOSTS = ("twitter.com", "mobile.twitter.com", "x.com")
X_RENAME = dt.date(2023, 7, 23)
#: At most this many prefixes (CDX requests) per host: coarser prefixes give more rows to
#: filter, which costs far less than a CDX request (about a second each, one at a time).
MAX_PREFIXES = 4
#: Rows per CDX request: a prolific account posts a few hundred tweets in the ten days a
#: three-digit prefix covers.
CDX_LIMIT = 5000
#: How many candidates shown when none is chosen.
SHOWN_CANDIDATES = 5


@dataclass(frozen=True, slots=True)
class SearchResult:
    chosen: TweetCandidate | None
    candidates: tuple[TweetCandidate, ...]  #: the best first
    reason: str
    capture: Capture | None = None  #: the chosen one's capture
    tweet: Tweet | None = None  #: the chosen one's record, as fetched for scoring
    complete: bool = True  #: False when a CDX request failed: the answer may change on a retry

    def to_json(self) -> dict[str, object]:
        return {
            "chosen": self.chosen.to_json() if self.chosen else None,
            "candidates": [c.to_json() for c in self.candidates],
            "reason": self.reason,
            "capture": [self.capture.timestamp, self.capture.original] if self.capture else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SearchResult:
        chosen = data.get("chosen")
        capture = data.get("capture")
        return cls(
            TweetCandidate.from_json(chosen) if isinstance(chosen, dict) else None,
            tuple(TweetCandidate.from_json(c) for c in data.get("candidates") or () if isinstance(c, dict)),  # type: ignore[union-attr]
            str(data.get("reason", "")),
            Capture(str(capture[0]), str(capture[1]))
            if isinstance(capture, list) and len(capture) == 2
            else None,
        )


def search_window(day: dt.date) -> tuple[int, int]:
    """The IDs a tweet shown with local date `day` can have: the UTC days around it."""
    low, _ = id_range_for_day(day - dt.timedelta(days=1))
    _, high = id_range_for_day(day + dt.timedelta(days=1))
    return low, high


async def find_by_text(
    handle: str,
    day: dt.date,
    quote: str,
    *,
    fetcher: Fetcher,
    fetch: Callable[[TweetKey], Awaitable[Tweet]],
    min_confidence: float = 0.8,
    min_margin: float = 0.1,
    max_candidates: int = 40,
) -> SearchResult:
    low, high = search_window(day)
    hosts = SEARCH_HOSTS if day < X_RENAME else ("x.com", "twitter.com", "mobile.twitter.com")
    seen: dict[str, Capture] = {}
    problems: list[str] = []
    scored: list[tuple[TweetCandidate, Capture, Tweet]] = []
    for host in hosts:
        fresh: dict[str, Capture] = {}
        for prefix in decimal_prefixes(low, high, max_prefixes=MAX_PREFIXES):
            answer = await cdx(
                fetcher,
                cdx_query_url(
                    # As written: the CDX matches keys case-insensitively (SURT), and a copy of
                    # it that compares the captured URLs themselves finds them as they were.
                    f"{host}/{handle}/status/{prefix}",
                    match_type="prefix",
                    limit=CDX_LIMIT,
                    fields=("timestamp", "original", "statuscode"),
                ),
            )
            if not answer.ok:
                problems.append(f"CDX {host} {prefix}*: {answer.reply.describe()}")
                continue
            for capture in answer.captures:
                status = parse_status_url(capture.original)
                if status is None or not (low <= int(status.id) <= high):
                    continue
                if status.handle and status.handle.lower() != handle.lower():
                    continue
                if status.id not in seen and status.id not in fresh:
                    fresh[status.id] = capture
        seen.update(fresh)
        if fresh:
            scored += await _score(fresh, day, handle, quote, fetch, max_candidates - len(scored))
            best = _decide(scored, min_confidence, min_margin)
            if best is not None:
                break
        if len(scored) >= max_candidates:
            break
    ranked = sorted(scored, key=lambda item: -item[0].score)
    candidates = tuple(item[0] for item in ranked)
    if not ranked:
        why = "no captured status of @" + handle + f" between {_day(low)} and {_day(high)}"
        if problems:
            why += " (" + "; ".join(problems[:3]) + ")"
        return SearchResult(None, (), why, complete=not problems)
    best = _decide(scored, min_confidence, min_margin)
    if best is None:
        top = ranked[0][0]
        runner = ranked[1][0].score if len(ranked) > 1 else 0.0
        why = (
            f"no candidate is sure enough: the best of {len(ranked)} scores {top.score:.2f} "
            f"(at least {min_confidence:.2f} needed, {min_margin:.2f} ahead of the next, {runner:.2f})"
        )
        return SearchResult(None, candidates[:SHOWN_CANDIDATES], why, complete=not problems)
    candidate, capture, tweet = best
    why = f"matched the quote among {len(ranked)} captured tweets of @{handle} (score {candidate.score:.2f})"
    return SearchResult(candidate, candidates[:SHOWN_CANDIDATES], why, capture, tweet)


async def _score(
    captures: dict[str, Capture],
    day: dt.date,
    handle: str,
    quote: str,
    fetch: Callable[[TweetKey], Awaitable[Tweet]],
    room: int,
) -> list[tuple[TweetCandidate, Capture, Tweet]]:
    # The most likely first, when there are more candidates than room: nearest the middle of
    # the window (the UTC day of the date shown), so a prolific account's busy days around it
    # do not crowd out the tweet itself.
    middle = sum(search_window(day)) // 2
    chosen = sorted(captures.items(), key=lambda item: abs(int(item[0]) - middle))[: max(0, room)]

    async def one(tweet_id: str, capture: Capture) -> tuple[TweetCandidate, Capture, Tweet]:
        tweet = await fetch(TweetKey(tweet_id, handle, capture))
        text = tweet.text_original or tweet.text or ""
        score = similarity(quote, text) if text else 0.0
        return (
            TweetCandidate(tweet_id, score, capture.original, text or None, capture.timestamp),
            capture,
            tweet,
        )

    return list(await asyncio.gather(*(one(i, c) for i, c in chosen)))


def _decide(
    scored: list[tuple[TweetCandidate, Capture, Tweet]], min_confidence: float, min_margin: float
) -> tuple[TweetCandidate, Capture, Tweet] | None:
    if not scored:
        return None
    ranked = sorted(scored, key=lambda item: -item[0].score)
    best = ranked[0]
    runner = ranked[1][0].score if len(ranked) > 1 else 0.0
    if best[0].score >= min_confidence and best[0].score - runner >= min_margin:
        return best
    return None


def _day(tweet_id: int) -> str:
    from resolver.snowflake import snowflake_time

    when = snowflake_time(tweet_id)
    return when.date().isoformat() if when else str(tweet_id)


__all__ = ["MAX_PREFIXES", "SEARCH_HOSTS", "SearchResult", "find_by_text", "search_window"]
