"""The Wayback Machine: its CDX index and its replay, as the tool uses them.

- CDX (`web.archive.org/cdx/search/cdx`): the captures of a URL or of a URL prefix. With
  `output=json` the answer is an array of arrays whose first row names the fields; an empty
  result is `[]` (or an empty body). Keys are SURT-normalised (scheme and `www.` dropped,
  lower case), but the `original` field keeps the form that was captured (http or https,
  twitter.com or mobile.twitter.com, `#!`). It rate-limits hard: every CDX request of a run
  goes through one gate of its own, one at a time (`CDX_GATE`), and a 429 closes the gate for
  as long as `Retry-After` says.
- Replay: `web.archive.org/web/TIMESTAMPid_/URL` gives the captured bytes as they were
  (`id_`: no toolbar, no rewritten links); a timestamp that is not a capture's redirects to
  the nearest capture, which `Fetcher.get(follow=...)` follows.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

from resolver.fetch import Fetcher, Reply

CDX_URL = "https://web.archive.org/cdx/search/cdx"
REPLAY_BASE = "https://web.archive.org/web/"
#: The limits gate of CDX requests, apart from replay requests to the same host.
CDX_GATE = "web.archive.org/cdx"
#: The CDX API asks for one request at a time; more earn 429s and then a ban.
CDX_CONCURRENCY = 1
#: How many replay requests run at once (the host's gate).
REPLAY_CONCURRENCY = 2
CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


@dataclass(frozen=True, slots=True)
class Capture:
    """One CDX row: a capture of `original` at `timestamp` (YYYYMMDDhhmmss, UTC)."""

    timestamp: str
    original: str
    statuscode: str | None = None
    mimetype: str | None = None
    digest: str | None = None
    urlkey: str | None = None

    @property
    def replay_url(self) -> str:
        """The captured bytes, untouched (`id_`)."""
        return replay_url(self.original, self.timestamp, raw=True)

    @property
    def when(self) -> dt.datetime | None:
        return parse_timestamp(self.timestamp)


@dataclass(frozen=True, slots=True)
class CdxAnswer:
    captures: tuple[Capture, ...]
    reply: Reply

    @property
    def ok(self) -> bool:
        return self.reply.ok


def replay_url(url: str, timestamp: str, *, raw: bool = True) -> str:
    """`web.archive.org/web/TIMESTAMP[id_]/URL`; a partial timestamp asks for the nearest."""
    return f"{REPLAY_BASE}{timestamp}{'id_' if raw else ''}/{url}"


def parse_timestamp(value: str) -> dt.datetime | None:
    digits = (value + "0" * 14)[:14]
    try:
        return dt.datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def format_timestamp(when: dt.datetime | dt.date) -> str:
    if isinstance(when, dt.datetime):
        return when.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")
    return when.strftime("%Y%m%d")


def cdx_query_url(
    url: str,
    *,
    match_type: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    filters: Sequence[str] = ("statuscode:200",),
    collapse: str | None = "urlkey",
    limit: int | None = 500,
    fields: Sequence[str] = ("timestamp", "original", "statuscode", "mimetype", "digest"),
    closest: str | None = None,
) -> str:
    params: list[tuple[str, str]] = [("url", url)]
    if match_type:
        params.append(("matchType", match_type))
    if from_:
        params.append(("from", from_))
    if to:
        params.append(("to", to))
    params.append(("output", "json"))
    params.append(("fl", ",".join(fields)))
    params.extend(("filter", f) for f in filters)
    if collapse:
        params.append(("collapse", collapse))
    if closest:
        params.extend((("sort", "closest"), ("closest", closest)))
    if limit is not None:
        params.append(("limit", str(limit)))
    return f"{CDX_URL}?{urllib.parse.urlencode(params)}"


def parse_cdx_json(data: object) -> tuple[Capture, ...]:
    """Rows of a CDX `output=json` answer; anything malformed is skipped, not fatal."""
    if not isinstance(data, list) or not data or not isinstance(data[0], list):
        return ()
    header = [str(name) for name in data[0]]
    out = []
    for row in data[1:]:
        if not isinstance(row, list) or len(row) != len(header):
            continue
        fields = dict(zip(header, (str(v) for v in row), strict=True))
        if "timestamp" not in fields or "original" not in fields:
            continue
        out.append(
            Capture(
                timestamp=fields["timestamp"],
                original=fields["original"],
                statuscode=fields.get("statuscode"),
                mimetype=fields.get("mimetype"),
                digest=fields.get("digest"),
                urlkey=fields.get("urlkey"),
            )
        )
    return tuple(out)


async def cdx(fetcher: Fetcher, query_url: str) -> CdxAnswer:
    """Ask the CDX API (one request, through the CDX gate) a query made by `cdx_query_url`."""
    reply = await fetcher.get(query_url, gate=CDX_GATE, accept="application/json")
    if not reply.ok:
        return CdxAnswer((), reply)
    return CdxAnswer(parse_cdx_json(reply.json()), reply)


async def fetch_capture(
    fetcher: Fetcher, url: str, timestamp: str = "2", *, max_bytes: int = 4 << 20
) -> Reply:
    """The captured bytes of `url` nearest `timestamp` (default "2": any), following the
    replay's redirect to the nearest capture."""
    return await fetcher.get(replay_url(url, timestamp), follow=3, max_bytes=max_bytes)


def capture_timestamp(replay: str) -> str | None:
    """The timestamp of a replay URL (`.../web/20151021120000id_/...`), or None."""
    if not replay.startswith(REPLAY_BASE):
        return None
    stamp = replay[len(REPLAY_BASE) :].split("/", 1)[0]
    stamp = stamp.removesuffix("id_")
    return stamp if stamp.isdigit() else None


def decimal_prefixes(low: int, high: int, *, max_prefixes: int = 12) -> list[str]:
    """Decimal prefixes whose numbers cover every integer in [low, high] of the same length.

    The CDX API matches URL prefixes, not number ranges; a status URL's ID is a number, so an
    ID range becomes the prefixes that cover it ("6566", "6567", ... for three days of 2015).
    The cover is as fine as `max_prefixes` allows: finer prefixes mean fewer rows to read,
    more requests; the caller filters the rows by the exact range anyway.
    """
    if low > high:
        return []
    lo, hi = str(low), str(high)
    if len(lo) != len(hi):
        # A range across a power of ten: cover each length apart.
        boundary = 10 ** len(lo)
        parts = decimal_prefixes(low, boundary - 1, max_prefixes=max_prefixes)
        parts += decimal_prefixes(boundary, high, max_prefixes=max_prefixes)
        return list(dict.fromkeys(parts))
    width = len(lo)
    best = [_common_prefix(lo, hi)]
    for digits in range(len(best[0]) + 1, width + 1):
        start, end = int(lo[:digits]), int(hi[:digits])
        if end - start + 1 > max_prefixes:
            break
        best = [str(n).zfill(digits) for n in range(start, end + 1)]
    return best


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


__all__ = [
    "AVAILABILITY_URL",
    "CAPTURE_LIST_LIMIT",
    "CDX_CONCURRENCY",
    "CDX_GATE",
    "CDX_URL",
    "REPLAY_CONCURRENCY",
    "Capture",
    "CaptureList",
    "CdxAnswer",
    "Memento",
    "capture_list",
    "capture_timestamp",
    "cdx",
    "cdx_query_url",
    "decimal_prefixes",
    "fetch_capture",
    "format_timestamp",
    "memento_of",
    "nearest",
    "nearest_cdx",
    "parse_cdx_json",
    "parse_timestamp",
    "replay_url",
]


# --- The availability API: the capture nearest a date ---------------------------------------------

AVAILABILITY_URL = "https://archive.org/wayback/available"
#: Availability requests at once (archive.org's own gate, apart from web.archive.org's).
AVAILABILITY_CONCURRENCY = 2


@dataclass(frozen=True, slots=True)
class Memento:
    """An archived copy of a URL: where to replay it and when it was captured."""

    url: str
    timestamp: str  #: YYYYMMDDhhmmss
    status: str | None = None

    @property
    def datetime(self) -> dt.datetime | None:
        return parse_timestamp(self.timestamp)

    def to_json(self) -> dict[str, object]:
        when = self.datetime
        return {
            "url": self.url,
            "datetime": when.isoformat().replace("+00:00", "Z") if when else None,
            "timestamp": self.timestamp,
            "source": "wayback",
        }


async def nearest_cdx(
    fetcher: Fetcher, url: str, when: dt.date | dt.datetime | None = None
) -> Memento | None:
    """The capture of `url` nearest `when`, from the CDX API (`sort=closest`, one row), or None.

    Returns None too when the CDX API does not answer: `nearest` then asks the availability
    API, a different service that often answers when the CDX one is rate-limiting.
    """
    query = cdx_query_url(
        url,
        closest=format_timestamp(when) if when is not None else None,
        limit=1,
        collapse=None,
        fields=("timestamp", "original", "statuscode"),
    )
    answer = await cdx(fetcher, query)
    return memento_of(answer.captures[0]) if answer.captures else None


#: Rows asked for when a URL's captures are listed whole (one a day): a list this long may be
#: cut, and the capture nearest a date is then asked for with `sort=closest` instead.
CAPTURE_LIST_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class CaptureList:
    """A URL's captures that answered 200, the first of each day, oldest first."""

    captures: tuple[Capture, ...]
    complete: bool  #: False when the list reached its limit (later days may be missing)

    def closest(self, when: dt.date | dt.datetime | None) -> Capture | None:
        """The capture nearest `when` (the earlier of two as near; the latest when None)."""
        if not self.captures:
            return None
        if when is None:
            return self.captures[-1]
        target = parse_timestamp(format_timestamp(when))
        assert target is not None
        best: tuple[float, Capture] | None = None
        for capture in self.captures:
            moment = capture.when
            if moment is None:
                continue
            distance = abs((moment - target).total_seconds())
            if best is None or distance < best[0]:
                best = (distance, capture)
        return best[1] if best else None


async def capture_list(fetcher: Fetcher, url: str, *, limit: int = CAPTURE_LIST_LIMIT) -> CaptureList | None:
    """Every day `url` was captured with a 200, from the CDX API, or None when it did not answer.

    One request answers the nearest capture for any number of dates: the audit asks it once
    per URL however many articles (of as many dates) cite it, where `sort=closest` would take
    one request per date through a gate that lets one request pass at a time.
    """
    query = cdx_query_url(
        url, collapse="timestamp:8", limit=limit, fields=("timestamp", "original", "statuscode")
    )
    answer = await cdx(fetcher, query)
    if not answer.ok:
        return None
    captures = tuple(sorted(answer.captures, key=lambda capture: capture.timestamp))
    return CaptureList(captures, complete=len(captures) < limit)


def memento_of(capture: Capture) -> Memento:
    """The replay (with the Wayback's banner, for people) of a CDX row."""
    return Memento(
        replay_url(capture.original, capture.timestamp, raw=False), capture.timestamp, capture.statuscode
    )


async def nearest(fetcher: Fetcher, url: str, when: dt.date | dt.datetime | None = None) -> Memento | None:
    """The Wayback capture of `url` nearest `when` (any when None), or None (none, or no answer).

    `archive.org/wayback/available?url=URL&timestamp=TS` answers
    `{"archived_snapshots": {"closest": {"available": true, "status": "200", "url": ..., "timestamp": ...}}}`
    or `{"archived_snapshots": {}}`. Replay URLs come back as http://; they are given as https.
    """
    params = {"url": url}
    if when is not None:
        params["timestamp"] = format_timestamp(when)
    reply = await fetcher.get(
        f"{AVAILABILITY_URL}?{urllib.parse.urlencode(params)}", gate="archive.org", accept="application/json"
    )
    data = reply.json() if reply.ok else None
    snapshots = data.get("archived_snapshots") if isinstance(data, dict) else None
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or not closest.get("available") or not closest.get("url"):
        return None
    replay = str(closest["url"])
    if replay.startswith("http://web.archive.org/"):
        replay = "https://" + replay.removeprefix("http://")
    return Memento(
        replay, str(closest.get("timestamp") or capture_timestamp(replay) or ""), closest.get("status")
    )
