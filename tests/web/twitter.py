"""The Twitter and Wayback Machine parts of the local web.

`TwitterWeb` plays, from one registry of fake tweets (`FakeTweet`), every public service that
resolver asks about a tweet, with the response shapes those services really send:

- `cdn.syndication.twimg.com/tweet-result` (what the embed widget reads): a `Tweet` JSON, a
  `TweetTombstone`, or a 404 / empty body / `{}` for tweets that are gone;
- `publish.twitter.com/oembed`: the `blockquote.twitter-tweet` oEmbed JSON, 404, or 403;
- `api.fxtwitter.com/*/status/ID` (FxTwitter's status API) and `api.vxtwitter.com/*/status/ID`
  (vxTwitter's API);
- the Wayback Machine: the CDX server (`web.archive.org/cdx/search/cdx`), replay
  (`web.archive.org/web/TS[id_]/URL`) and the availability API (`archive.org/wayback/available`),
  over the captures of tweet status pages (2015-era twitter.com HTML) and any other URL;
- media: `pbs.twimg.com` photos, video thumbnails and avatars, `video.twimg.com` MP4s and playlists.

Where each fact comes from is written beside the code that plays it: /work/shared/WEB-FACTS.md,
recorded responses in public code (react-tweet's fixtures, FxTwitter's and vxTwitter's own
source, the openwayback CDX server README), and issue threads quoting real answers.

Every endpoint has failure switches (`down`, `rate_limit`, `latency`, CDX concurrency), and
look-ups are by index (tweet ID, CDX key, media path), never a scan of the registry, so that
`bulk()` can register tens of thousands of tweets for benchmarks.

Use `install_twitter(web)` (idempotent within a layer of routes: `local_web` pushes a fresh layer
per test, so each test gets a fresh registry) and `install_example(tw)` for the example article's
tweets (examples/sputnik-pt-2015-syria.txt).
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import email.utils
import hashlib
import json
import math
import re
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Final
from urllib.parse import parse_qs, quote, urlsplit

from resolver.snowflake import TWITTER_EPOCH_MS, snowflake_time
from tests.web.model import Request, Response
from tests.web.scenarios import Web, error_response, install_bench

# =============================================================================================
# Names
# =============================================================================================

SYNDICATION_HOST: Final = "cdn.syndication.twimg.com"
OEMBED_HOST: Final = "publish.twitter.com"
FXTWITTER_HOST: Final = "api.fxtwitter.com"
VXTWITTER_HOST: Final = "api.vxtwitter.com"
WAYBACK_HOST: Final = "web.archive.org"
ARCHIVE_HOST: Final = "archive.org"
PBS_HOST: Final = "pbs.twimg.com"
VIDEO_HOST: Final = "video.twimg.com"

#: The endpoints the failure switches (`down`, `rate_limit`, `latency`) take by name.
ENDPOINTS: Final = (
    "syndication",
    "oembed",
    "fxtwitter",
    "vxtwitter",
    "cdx",
    "wayback",
    "availability",
    "media",
)
#: What can have become of a tweet. `missing` never existed (an unregistered ID is the same).
STATES: Final = ("available", "deleted", "suspended", "protected", "withheld", "age-restricted", "missing")
#: How the syndication endpoint says "gone" for deleted and missing tweets (WEB-FACTS.md:
#: "Not available: 404, an empty body or {}, or a TweetTombstone").
UNAVAILABLE_FORMS: Final = ("404", "empty", "{}", "tombstone")
MEDIA_KINDS: Final = ("photo", "video", "animated_gif")

#: Tombstone texts of the syndication endpoint, word for word as clients match them (e.g. the
#: tombstone table in a Go scraper's source, and tests that assert on the age-restriction text).
TOMBSTONE_TEXTS: Final[Mapping[str, str]] = {
    "deleted": "This Post was deleted by the Post author. Learn more",
    "missing": "This Post is unavailable. Learn more",
    "suspended": "This Post is from a suspended account. Learn more",
    "protected": "You’re unable to view this Post because this account owner limits who can view their Posts. "
    "Learn more",
    "withheld": "This Post has been withheld in response to a report from the copyright holder. Learn more",
    "age-restricted": "Age-restricted adult content. This content might not be appropriate for people under 18 "
    "years old. To view this media, you’ll need to log in to X. Learn more",
}
#: Where the tombstone's "Learn more" points.
NOTICES_URL: Final = "https://help.twitter.com/rules-and-policies/notices-on-twitter"

#: vxTwitter's answer for any post it cannot read (BetterTwitFix msgs.py `failedToScan`). It is
#: served as an HTML page with status 200, also on the api. host: observed by two independent
#: clients ("for a deleted/private/suspended post vxtwitter answers 200 with an HTML page").
VX_FAILED_TO_SCAN: Final = (
    "Failed to scan your link! This may be due to an incorrect link, private/suspended account, deleted "
    "tweet, or recent changes to Twitter's API (Thanks, Elon!)."
)

_CDX_FIELDS: Final = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


# =============================================================================================
# The data: tweets, their media, captures
# =============================================================================================


@dataclass(frozen=True)
class FakeMedia:
    """A photo, video or GIF attached to a tweet.

    `key` names the file: a photo is `https://pbs.twimg.com/media/{key}.jpg`. `tco` is the media
    link in the tweet's text (generated from the key when None). `variants` are
    `(content_type, bitrate or None, url)`; when empty, a video gets an HLS playlist and three MP4s
    (256/832/2176 kbit/s) and a GIF the single MP4 that Twitter gives GIFs (bitrate 0).
    """

    kind: str
    key: str
    width: int = 1200
    height: int = 675
    alt_text: str | None = None
    tco: str | None = None
    variants: tuple[tuple[str, int | None, str], ...] = ()
    #: Video length (videos only; GIFs have no duration in the APIs).
    duration_ms: int = 30_000

    def __post_init__(self) -> None:
        if self.kind not in MEDIA_KINDS:
            raise ValueError(f"media kind must be one of {MEDIA_KINDS}, not {self.kind!r}")


@dataclass(frozen=True)
class FakeTweet:
    """One tweet of the played Twitter, in whatever state it is now.

    `text` is what the author typed, with its t.co links and plain `&`, `<`, `>` (the JSON
    endpoints escape them as Twitter does). `created_at` defaults to the snowflake time of `id`.
    `captures` are Wayback capture timestamps of the status page at
    `https://{capture_host}/{handle}/status/{id}`; a deleted tweet can live on there.
    """

    id: int
    handle: str
    name: str
    text: str
    lang: str = "en"
    created_at: dt.datetime | None = None
    urls: tuple[tuple[str, str], ...] = ()
    media: tuple[FakeMedia, ...] = ()
    quoted_id: int | None = None
    in_reply_to: tuple[int, str] | None = None
    state: str = "available"
    captures: tuple[str, ...] = ()
    capture_host: str = "twitter.com"
    # -- beyond the brief, all optional ---------------------------------------------------------
    likes: int = 0
    retweets: int = 0
    replies: int = 0
    #: The author's numeric ID (default: derived from the handle, stable across runs).
    user_id: int | None = None
    #: Overrides `TwitterWeb.syndication_unavailable_form` for this tweet (deleted/missing only).
    unavailable_form: str | None = None
    #: Overrides the state's tombstone text (e.g. a country-withheld wording).
    tombstone_text: str | None = None
    source: str = "Twitter Web Client"

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"state must be one of {STATES}, not {self.state!r}")
        if self.unavailable_form is not None and self.unavailable_form not in UNAVAILABLE_FORMS:
            raise ValueError(f"unavailable_form must be one of {UNAVAILABLE_FORMS}")
        for stamp in self.captures:
            if not re.fullmatch(r"\d{14}", stamp):
                raise ValueError(f"capture timestamps are YYYYMMDDhhmmss, not {stamp!r}")

    @property
    def created(self) -> dt.datetime:
        """Creation time (UTC, whole seconds, as Twitter reports it)."""
        when = self.created_at or snowflake_time(self.id) or dt.datetime(2010, 1, 1, tzinfo=dt.UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return when.astimezone(dt.UTC).replace(microsecond=0)

    @property
    def uid(self) -> int:
        return self.user_id if self.user_id is not None else user_id_for(self.handle)

    @property
    def url(self) -> str:
        return f"https://twitter.com/{self.handle}/status/{self.id}"

    @property
    def capture_url(self) -> str:
        """The status page URL as the Wayback captured it (the CDX `original` column)."""
        return f"https://{self.capture_host}/{self.handle}/status/{self.id}"


@dataclass(frozen=True, slots=True)
class Capture:
    """One Wayback capture: a CDX row plus the bytes the capture holds (made on demand)."""

    urlkey: str
    timestamp: str
    original: str
    status: int
    mimetype: str
    body: Callable[[], bytes]


def user_id_for(handle: str) -> int:
    """A stable numeric user ID for a handle (real IDs are opaque numbers too)."""
    return 100_000_000 + zlib.crc32(handle.lower().encode())


def snowflake_id(when: dt.datetime, low_bits: int = 0) -> int:
    """The tweet ID minted at `when` (resolver/snowflake.py: `(ms - epoch) << 22 | low bits`)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    ms = round(when.timestamp() * 1000)
    return ((ms - TWITTER_EPOCH_MS) << 22) | (low_bits & 0x3FFFFF)


# =============================================================================================
# Text and entities: where in the text each link, hashtag and mention is
# =============================================================================================


@dataclass(frozen=True, slots=True)
class _Entity:
    start: int  # code-point offsets into the unescaped full text, as Twitter's `indices`
    end: int
    kind: str  # "hashtag" | "mention" | "url" | "media"
    text: str  # the span as typed: "#ISIS", "@x", "https://t.co/..."
    value: str  # hashtag text, mentioned handle, expanded URL, media expanded URL
    display: str = ""


_HASHTAG = re.compile(r"(?<![\w&/])#(\w+)")
_MENTION = re.compile(r"(?<![\w/])@(\w{1,15})")
_TRAILING_TCO = re.compile(r"\s*https://t\.co/\w+\s*$")


def _tco_code(tco: str) -> str:
    return tco.rstrip("/").rsplit("/", 1)[-1]


def media_tco(tweet: FakeTweet, media: FakeMedia) -> str:
    """The media's t.co link: given, or derived from its key (every media has one on Twitter)."""
    if media.tco:
        return media.tco
    digest = hashlib.sha1(f"{tweet.id}/{media.key}".encode()).digest()
    return "https://t.co/" + base64.b64encode(digest, b"Xz").decode()[:10]


def media_expanded_url(tweet: FakeTweet, media: FakeMedia) -> str:
    """`https://twitter.com/USER/status/ID/photo/1` (video: `/video/1`). Twitter gives every media
    of a tweet the `/1` URL and GIFs the `/photo/1` one."""
    kind = "video" if media.kind == "video" else "photo"
    return f"https://twitter.com/{tweet.handle}/status/{tweet.id}/{kind}/1"


def display_url(url: str) -> str:
    """Twitter's display form: no scheme, no `www.`, cut to 26 characters plus `…`."""
    shown = re.sub(r"^https?://(www\.)?", "", url)
    return shown if len(shown) <= 26 else shown[:26] + "…"


@lru_cache(maxsize=16384)
def _layout(tweet: FakeTweet) -> tuple[str, tuple[_Entity, ...]]:
    """The full text (typed text plus any media link not typed, at the end, as the JSON
    endpoints show it) and its entities, in text order."""
    text = tweet.text
    for tco in dict.fromkeys(media_tco(tweet, m) for m in tweet.media):
        if tco not in text:
            text = f"{text} {tco}" if text else tco
    entities: list[_Entity] = []
    for tco, expanded in tweet.urls:
        at = text.find(tco)
        if at >= 0:
            entities.append(_Entity(at, at + len(tco), "url", tco, expanded, display_url(expanded)))
    for tco in dict.fromkeys(media_tco(tweet, m) for m in tweet.media):
        at = text.find(tco)
        first = next(m for m in tweet.media if media_tco(tweet, m) == tco)
        shown = f"pic.twitter.com/{_tco_code(tco)}"
        entities.append(_Entity(at, at + len(tco), "media", tco, media_expanded_url(tweet, first), shown))
    links = [(e.start, e.end) for e in entities]

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in links)

    for match in _HASHTAG.finditer(text):
        if free(*match.span()):
            entities.append(_Entity(match.start(), match.end(), "hashtag", match.group(), match.group(1)))
    for match in _MENTION.finditer(text):
        if free(*match.span()):
            entities.append(_Entity(match.start(), match.end(), "mention", match.group(), match.group(1)))
    entities.sort(key=lambda e: e.start)
    return text, tuple(entities)


def twitter_escape(text: str) -> str:
    """How Twitter's JSON escapes tweet text: `&`, `<`, `>` only (`&amp;`), quotes stay."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc(text: str) -> str:
    """HTML text and attribute escaping as Twitter's HTML writes it (`'` as `&#39;`)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


# -- localized embed dates (WEB-FACTS.md, "Localized embed dates") ------------------------------


def _words(names: str) -> tuple[str, ...]:
    return tuple(names.split())


_MONTHS: Final[Mapping[str, tuple[str, ...]]] = {
    "en": _words("January February March April May June July August September October November December"),
    "pt": _words("janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro"),
    "es": _words("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"),
    "fr": _words("janvier février mars avril mai juin juillet août septembre octobre novembre décembre"),
    "de": _words("Januar Februar März April Mai Juni Juli August September Oktober November Dezember"),
    "ru": _words("января февраля марта апреля мая июня июля августа сентября октября ноября декабря"),
    "ar": _words("يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر"),
}
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def embed_date(day: dt.date, lang: str | None) -> str:
    """The embed signature's date in the page's language: `October 21, 2015`,
    `21 de outubro de 2015`, `21. Oktober 2015`, `2015年10月21日` ... (English otherwise)."""
    code = (lang or "en").lower()[:2]
    d, m, y = day.day, day.month, day.year
    if code in ("pt", "es"):
        return f"{d} de {_MONTHS[code][m - 1]} de {y}"
    if code == "fr":
        return f"{d} {_MONTHS['fr'][m - 1]} {y}"
    if code == "de":
        return f"{d}. {_MONTHS['de'][m - 1]} {y}"
    if code == "ru":
        return f"{d} {_MONTHS['ru'][m - 1]} {y} г."
    if code == "ja":
        return f"{y}年{m}月{d}日"
    if code == "ko":
        return f"{y}년 {m}월 {d}일"
    if code == "ar":
        return f"{d} {_MONTHS['ar'][m - 1]} {y}".translate(_ARABIC_DIGITS)
    return f"{_MONTHS['en'][m - 1]} {d}, {y}"


# =============================================================================================
# Wayback helpers: CDX keys and timestamps
# =============================================================================================


def cdx_key(url: str) -> str:
    """The CDX `urlkey` (SURT form) of a URL, as the Wayback indexes and matches it: scheme,
    `www.`, default ports and fragment dropped, host reversed with commas, everything lower case,
    query parameters sorted. `https://www.Twitter.com/Mod_Russia/status/1` -> `com,twitter)/mod_russia/status/1`.

    The host stays the host: `mobile.twitter.com` is `com,twitter,mobile)/...`, a different key,
    so a prefix query on `twitter.com/...` does not see mobile captures (use matchType=domain)."""
    rest = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", url.strip())
    rest = rest.split("#", 1)[0]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, path = rest[:cut], rest[cut:]
    host = authority.rsplit("@", 1)[-1].lower()
    host = re.sub(r":(80|443)$", "", host)
    host = re.sub(r"^www\d*\.", "", host)
    path, _, query = path.partition("?")
    if not path:
        path = "/"
    key = ",".join(reversed(host.split("."))) + ")" + path
    if query:
        key += "?" + "&".join(sorted(query.split("&")))
    return key.lower()


def _pad_ts(stamp: str, upper: bool = False) -> str:
    """A 1-14 digit Wayback timestamp as 14 digits: the start of the period it names, or its
    end with `upper` (the CDX `from`/`to` bounds are inclusive, WEB-FACTS.md / CDX README)."""
    stamp = re.sub(r"\D", "", stamp)[:14]
    return stamp.ljust(14, "9" if upper else "0")


def ts_seconds(stamp: str) -> float:
    """Seconds since the epoch of a (possibly partial) Wayback timestamp, for "closest"."""
    digits = re.sub(r"\D", "", stamp)[:14]
    full = digits + "20000101000000"[len(digits) :]
    try:
        return dt.datetime.strptime(full, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:  # e.g. month 13: order such stamps by their digits
        return float(int(full))


def wayback_stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")


def _http_date(stamp: str) -> str:
    return email.utils.formatdate(ts_seconds(stamp), usegmt=True)


def _sha1_base32(body: bytes) -> str:
    """The CDX `digest` column: base32 SHA-1 of the payload."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode()


# =============================================================================================
# Media bytes
# =============================================================================================


def _tiny_jpeg() -> bytes:
    """A valid 8x8 grey baseline JPEG (JFIF): one DC-only block, Huffman tables of one code each."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\x00" + bytes([1] * 64)
    sof0 = b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"  # 8-bit, 8x8, one component, table 0
    one_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1 for symbol 0
    dht = b"\x00" + one_code + b"\x10" + one_code  # DC table 0, AC table 0
    sos = b"\x01\x01\x00\x00\x3f\x00"
    # DC difference 0 (code "0", no bits) then end-of-block (code "0"), padded with ones.
    scan = b"\x3f"
    return (
        b"\xff\xd8"
        + segment(0xE0, jfif)
        + segment(0xDB, dqt)
        + segment(0xC0, sof0)
        + segment(0xC4, dht)
        + segment(0xDA, sos)
        + scan
        + b"\xff\xd9"
    )


def _tiny_png() -> bytes:
    """A valid 1x1 grey PNG (for `?format=png`)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def _tiny_mp4() -> bytes:
    """The start of an MP4 (`ftyp` box) and an empty `mdat`: enough for type sniffing."""
    ftyp = b"ftyp" + b"mp42" + struct.pack(">I", 0) + b"mp42isomavc1"
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", 8) + b"mdat"


JPEG_BYTES: Final = _tiny_jpeg()
PNG_BYTES: Final = _tiny_png()
MP4_BYTES: Final = _tiny_mp4()


# =============================================================================================
# The played services
# =============================================================================================


class TwitterWeb:
    """Twitter's public endpoints, two mirrors and the Wayback Machine, over one tweet registry.

    Create with `install_twitter(web)` (or `TwitterWeb(web)`, which installs unconditionally).
    The handlers are host handlers, so a test can still override one URL with `web.route(...)`.
    State lives here, not in the `Web`: the registry, the captures, the switches, and `hits`
    (requests per endpoint; `web.count(host, path)` counts too).
    """

    def __init__(self, web: Web) -> None:
        self.web = web
        self.tweets: dict[int, FakeTweet] = {}
        #: How deleted and missing tweets look on the syndication endpoint by default.
        self.syndication_unavailable_form: str = "404"
        #: Answer `{}` (200) to a tweet-result request without a `token` parameter, as reported
        #: by a client's tests ("An absent `token` returns `{}` with a 200"); any token is accepted.
        self.syndication_require_token: bool = True
        #: Hours from UTC of the calendar date in oEmbed signatures (the reader's local date,
        #: WEB-FACTS.md; which zone the oEmbed server uses is not documented: UTC by default).
        self.oembed_utc_offset_hours: float = 0.0
        #: At most this many CDX requests in flight; more are answered 429 (None: no limit).
        #: A request is in flight for its latency (`latency("cdx", s)` or the web's default).
        self.cdx_concurrency: int | None = None
        #: Requests received per endpoint (including those a switch answered).
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._down: dict[str, int] = {}
        self._limited: dict[str, tuple[int, str]] = {}
        self._latency: dict[str, float] = {}
        self._cdx_busy: list[float] = []
        self._users: dict[str, tuple[str, int]] = {}
        self._user_ids: set[int] = set()
        self._photo_keys: set[str] = set()
        self._media_paths: dict[tuple[str, str], str] = {}
        self._cdx: dict[str, list[Capture]] = {}
        self._cdx_keys: list[str] | None = []
        self._tweet_captures: dict[int, list[tuple[str, str]]] = {}
        self._bodies: dict[tuple[str, str], tuple[bytes, str]] = {}
        web.add_host(SYNDICATION_HOST, self._syndication_host)
        web.add_host(OEMBED_HOST, self._oembed_host)
        web.add_host(FXTWITTER_HOST, self._fxtwitter_host)
        web.add_host(VXTWITTER_HOST, self._vxtwitter_host)
        web.add_host(WAYBACK_HOST, self._wayback_host)
        web.add_host(ARCHIVE_HOST, self._archive_host)
        web.add_host(PBS_HOST, self._pbs_host)
        web.add_host(VIDEO_HOST, self._video_host)

    # -- the registry ----------------------------------------------------------------------------

    def add(self, *tweets: FakeTweet) -> None:
        """Register tweets (a tweet with a known ID replaces the old one, captures included)."""
        for tweet in tweets:
            self._forget_captures(tweet.id)
            self.tweets[tweet.id] = tweet
            self._users.setdefault(tweet.handle.lower(), (tweet.name, tweet.uid))
            self._user_ids.add(tweet.uid)
            for media in tweet.media:
                self._index_media(tweet, media)
            stamps = []
            for stamp in tweet.captures:
                key = cdx_key(tweet.capture_url)
                self._index_capture(
                    Capture(key, stamp, tweet.capture_url, 200, "text/html", self._page_maker(tweet))
                )
                stamps.append((key, stamp))
            if stamps:
                self._tweet_captures[tweet.id] = stamps

    def get(self, tweet_id: int) -> FakeTweet | None:
        return self.tweets.get(tweet_id)

    def capture(
        self,
        url: str,
        timestamp: str,
        body_html: str | bytes,
        *,
        status: int = 200,
        mimetype: str = "text/html",
    ) -> Capture:
        """Add a Wayback capture of any URL (an article, a profile page, a redirect...)."""
        if not re.fullmatch(r"\d{14}", timestamp):
            raise ValueError(f"capture timestamps are YYYYMMDDhhmmss, not {timestamp!r}")
        body = body_html.encode() if isinstance(body_html, str) else body_html
        capture = Capture(cdx_key(url), timestamp, url, status, mimetype, lambda: body)
        self._index_capture(capture)
        return capture

    def bulk(
        self,
        n: int,
        start_id: int,
        handle: str = "bench",
        state_mix: Mapping[str, int] | None = None,
        *,
        step: int = 1 << 22,
        captured: bool = False,
    ) -> list[FakeTweet]:
        """Register `n` synthetic tweets `start_id, start_id + step, ...` (1 ms apart by default).

        States follow `state_mix` (weights; default: 90 % available, the rest deleted, missing,
        protected, suspended), spread deterministically over the IDs. With `captured` each tweet
        gets one Wayback capture an hour after it was posted. Returns the tweets."""
        mix = dict(state_mix) if state_mix is not None else dict(BULK_MIX)
        for state in mix:
            if state not in STATES:
                raise ValueError(f"unknown state {state!r}")
        total = sum(mix.values())
        bounds = []
        running = 0
        for state, weight in mix.items():
            running += weight
            bounds.append((running, state))
        made = []
        name = handle.title()
        for i in range(n):
            tweet_id = start_id + i * step
            slot = (i * 7919) % total  # 7919 is prime: neighbouring IDs get different states
            state = next(s for bound, s in bounds if slot < bound)
            captures: tuple[str, ...] = ()
            if captured:
                when = snowflake_time(tweet_id) or dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
                captures = (wayback_stamp(when + dt.timedelta(hours=1)),)
            made.append(
                FakeTweet(tweet_id, handle, name, f"Bench tweet {i} #bench", state=state, captures=captures)
            )
        self.add(*made)
        return made

    # -- failure switches --------------------------------------------------------------------------

    def down(self, endpoint: str, status: int | None = None) -> None:
        """Every answer of `endpoint` becomes an error: 503 by default, 500 for FxTwitter (whose
        failure is `{"code": 500, "message": "API_FAIL"}`)."""
        self._check(endpoint)
        self._down[endpoint] = status if status is not None else (500 if endpoint == "fxtwitter" else 503)

    def up(self, endpoint: str) -> None:
        """Undo `down`."""
        self._check(endpoint)
        self._down.pop(endpoint, None)

    def rate_limit(self, endpoint: str, times: int, retry_after: int | str = 1) -> None:
        """The next `times` requests to `endpoint` get `429 Too Many Requests` with Retry-After."""
        self._check(endpoint)
        with self._lock:
            self._limited[endpoint] = (times, str(retry_after))

    def latency(self, endpoint: str, seconds: float | None) -> None:
        """Seconds before each answer of `endpoint` (None: the web's default)."""
        self._check(endpoint)
        if seconds is None:
            self._latency.pop(endpoint, None)
        else:
            self._latency[endpoint] = seconds

    # -- URLs ----------------------------------------------------------------------------------------

    @staticmethod
    def syndication_url(tweet_id: int, token: str = "x", lang: str = "en") -> str:
        return f"https://{SYNDICATION_HOST}/tweet-result?id={tweet_id}&lang={lang}&token={token}"

    @staticmethod
    def oembed_url(status_url: str, lang: str | None = None) -> str:
        url = f"https://{OEMBED_HOST}/oembed?url={quote(status_url, safe='')}&omit_script=1&dnt=true"
        return f"{url}&lang={lang}" if lang else url

    @staticmethod
    def wayback_url(timestamp: str, url: str, flag: str = "id_") -> str:
        return f"https://{WAYBACK_HOST}/web/{timestamp}{flag}/{url}"

    # =============================================================================================
    # Internals: indexes
    # =============================================================================================

    @staticmethod
    def _check(endpoint: str) -> None:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, not {endpoint!r}")

    def _index_media(self, tweet: FakeTweet, media: FakeMedia) -> None:
        if media.kind == "photo":
            self._photo_keys.add(media.key)
            return
        for url in (_thumbnail_url(tweet, media), *(u for _, _, u in _variants(tweet, media))):
            parts = urlsplit(url)
            kind = "playlist" if parts.path.endswith(".m3u8") else "video"
            if parts.hostname == PBS_HOST:
                kind = "image"
            self._media_paths[(parts.hostname or "", parts.path)] = kind

    def _index_capture(self, capture: Capture) -> None:
        bucket = self._cdx.get(capture.urlkey)
        if bucket is None:
            bucket = self._cdx[capture.urlkey] = []
            self._cdx_keys = None  # re-sorted on the next prefix query
        stamps = [c.timestamp for c in bucket]
        at = bisect.bisect_left(stamps, capture.timestamp)
        if at < len(bucket) and bucket[at].timestamp == capture.timestamp:
            bucket[at] = capture  # one capture per URL and second
        else:
            bucket.insert(at, capture)
        self._bodies.pop((capture.urlkey, capture.timestamp), None)

    def _forget_captures(self, tweet_id: int) -> None:
        for key, stamp in self._tweet_captures.pop(tweet_id, ()):
            bucket = self._cdx.get(key, [])
            bucket[:] = [c for c in bucket if c.timestamp != stamp]
            self._bodies.pop((key, stamp), None)

    def _sorted_keys(self) -> list[str]:
        if self._cdx_keys is None:
            self._cdx_keys = sorted(self._cdx)
        return self._cdx_keys

    def _body(self, capture: Capture) -> tuple[bytes, str]:
        """The capture's bytes and digest, made once."""
        cache_key = (capture.urlkey, capture.timestamp)
        made = self._bodies.get(cache_key)
        if made is None:
            body = capture.body()
            made = self._bodies[cache_key] = (body, _sha1_base32(body))
        return made

    def _page_maker(self, tweet: FakeTweet) -> Callable[[], bytes]:
        if tweet.capture_host.lower().startswith("mobile."):
            return lambda: mobile_status_page(tweet, self._quoted(tweet)).encode()
        return lambda: status_page_2015(tweet).encode()

    def _quoted(self, tweet: FakeTweet) -> FakeTweet | None:
        quoted = self.tweets.get(tweet.quoted_id) if tweet.quoted_id is not None else None
        return quoted if quoted is not None and quoted.state == "available" else None

    # =============================================================================================
    # Internals: dispatch and switches
    # =============================================================================================

    def _serve(self, endpoint: str, request: Request, answer: Callable[[Request], Response]) -> Response:
        """Count, apply the switches, answer, apply the latency."""
        self.hits[endpoint] += 1
        response = self._gate(endpoint) or answer(request)
        seconds = self._latency.get(endpoint)
        return replace(response, latency=seconds) if seconds is not None else response

    def _gate(self, endpoint: str) -> Response | None:
        status = self._down.get(endpoint)
        if status is not None:
            if endpoint == "fxtwitter":
                return _json_response({"code": status, "message": "API_FAIL", "tweet": None}, status)
            return error_response(status)
        with self._lock:
            left = self._limited.get(endpoint)
            if left is not None:
                times, retry_after = left
                if times <= 1:
                    del self._limited[endpoint]
                else:
                    self._limited[endpoint] = (times - 1, retry_after)
                if times >= 1:
                    return error_response(429, retry_after=retry_after, body=TOO_MANY_REQUESTS)
            if endpoint == "cdx" and self.cdx_concurrency is not None:
                now = self.web.clock()
                self._cdx_busy = [t for t in self._cdx_busy if t > now]
                if len(self._cdx_busy) >= self.cdx_concurrency:
                    return error_response(429, retry_after=1, body=TOO_MANY_REQUESTS)
                held = self._latency.get("cdx", self.web.latency)
                if held > 0:
                    self._cdx_busy.append(now + held)
        return None

    def _syndication_host(self, request: Request) -> Response | None:
        if request.path != "/tweet-result":
            return None
        return self._serve("syndication", request, self._syndication)

    def _oembed_host(self, request: Request) -> Response | None:
        if request.path not in ("/oembed", "/oembed.json"):
            return None
        return self._serve("oembed", request, self._oembed)

    def _fxtwitter_host(self, request: Request) -> Response | None:
        match = _FX_PATH.fullmatch(request.path)
        if match is None:
            return None
        return self._serve("fxtwitter", request, lambda r: self._fxtwitter(int(match.group(1))))

    def _vxtwitter_host(self, request: Request) -> Response | None:
        match = _VX_PATH.fullmatch(request.path)
        if match is None:
            return None
        return self._serve("vxtwitter", request, lambda r: self._vxtwitter(int(match.group(1))))

    def _wayback_host(self, request: Request) -> Response | None:
        if request.path in ("/cdx/search/cdx", "/cdx/search"):
            return self._serve("cdx", request, self._cdx_search)
        if request.path.startswith("/web/"):
            return self._serve("wayback", request, self._replay)
        return None

    def _archive_host(self, request: Request) -> Response | None:
        if request.path != "/wayback/available":
            return None
        return self._serve("availability", request, self._availability)

    def _pbs_host(self, request: Request) -> Response | None:
        return self._serve("media", request, self._pbs)

    def _video_host(self, request: Request) -> Response | None:
        return self._serve("media", request, self._video)

    # =============================================================================================
    # Syndication: cdn.syndication.twimg.com/tweet-result
    # =============================================================================================

    def _syndication(self, request: Request) -> Response:
        """The embed widget's JSON (WEB-FACTS.md "Syndication endpoint"; field set and nesting from
        a recorded tweet-result in react-tweet's fixtures and its `Tweet` types).

        Any `token` is accepted (it is in the request log); a missing one gets `{}`. Unavailable
        tweets: `TweetTombstone` with the reason for suspended, protected, withheld and
        age-restricted; deleted and missing per `syndication_unavailable_form` (404 empty by
        default, or an empty 200, `{}`, or a tombstone)."""
        params = parse_qs(request.query, keep_blank_values=True)
        raw_id = (params.get("id") or [""])[-1]
        if not raw_id.isdigit():
            return Response(400, (("Content-Type", "text/plain"),), b"")
        if self.syndication_require_token and "token" not in params:
            return _json_response({})
        tweet = self.tweets.get(int(raw_id))
        state = tweet.state if tweet is not None else "missing"
        if tweet is not None and state == "available":
            return _json_response(self._syndication_tweet(tweet))
        if state in ("deleted", "missing"):
            form = (tweet.unavailable_form if tweet else None) or self.syndication_unavailable_form
            if form == "404":
                return Response(404, (("Content-Type", "application/json; charset=utf-8"),), b"")
            if form == "empty":
                return Response(200, (("Content-Type", "application/json; charset=utf-8"),), b"")
            if form == "{}":
                return _json_response({})
        text = (tweet.tombstone_text if tweet else None) or TOMBSTONE_TEXTS[state]
        return _json_response(tombstone(text))

    def _syndication_tweet(self, tweet: FakeTweet, *, nested: bool = False) -> dict[str, Any]:
        text, entities = _layout(tweet)
        created = tweet.created
        data: dict[str, Any] = {
            "__typename": "Tweet",
            "lang": tweet.lang,
            "favorite_count": tweet.likes,
            "possibly_sensitive": False,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "display_text_range": [0, len(text)],
            "entities": {
                "hashtags": [
                    {"indices": [e.start, e.end], "text": e.value} for e in entities if e.kind == "hashtag"
                ],
                "urls": [
                    {
                        "display_url": e.display,
                        "expanded_url": e.value,
                        "indices": [e.start, e.end],
                        "url": e.text,
                    }
                    for e in entities
                    if e.kind == "url"
                ],
                "user_mentions": [self._mention(e) for e in entities if e.kind == "mention"],
                "symbols": [],
            },
            "id_str": str(tweet.id),
            "text": twitter_escape(text),
            "user": {
                "id_str": str(tweet.uid),
                "name": tweet.name,
                "profile_image_url_https": avatar_url(tweet, "normal"),
                "screen_name": tweet.handle,
                "verified": False,
                "is_blue_verified": False,
                "profile_image_shape": "Circle",
            },
            "edit_control": {
                "edit_tweet_ids": [str(tweet.id)],
                "editable_until_msecs": str(int(created.timestamp() * 1000) + 3_600_000),
                "is_edit_eligible": False,
                "edits_remaining": "5",
            },
        }
        if tweet.media:
            media_entities = [e for e in entities if e.kind == "media"]
            data["entities"]["media"] = [
                {
                    "display_url": e.display,
                    "expanded_url": e.value,
                    "indices": [e.start, e.end],
                    "url": e.text,
                }
                for e in media_entities
            ]
            data["mediaDetails"] = [_media_details(tweet, m, text) for m in tweet.media]
            # A recorded video tweet has `"photos": []`: the key is there whenever there is media.
            data["photos"] = [_photo(tweet, m) for m in tweet.media if m.kind == "photo"]
            moving = next((m for m in tweet.media if m.kind != "photo"), None)
            if moving is not None:
                data["video"] = _video(tweet, moving)
        data["conversation_count"] = tweet.replies
        data["news_action_type"] = "conversation"
        if tweet.in_reply_to is not None:
            reply_id, reply_handle = tweet.in_reply_to
            data["in_reply_to_screen_name"] = reply_handle
            data["in_reply_to_status_id_str"] = str(reply_id)
            data["in_reply_to_user_id_str"] = str(self._user_id(reply_handle))
        quoted = self._quoted(tweet)
        if quoted is not None and not nested:
            data["quoted_tweet"] = self._syndication_tweet(quoted, nested=True)
        data["isEdited"] = False
        data["isStaleEdit"] = False
        return data

    def _user_id(self, handle: str) -> int:
        known = self._users.get(handle.lower())
        return known[1] if known else user_id_for(handle)

    def _mention(self, entity: _Entity) -> dict[str, Any]:
        name, uid = self._users.get(entity.value.lower(), (entity.value, user_id_for(entity.value)))
        return {
            "id_str": str(uid),
            "indices": [entity.start, entity.end],
            "name": name,
            "screen_name": entity.value,
        }

    # =============================================================================================
    # oEmbed: publish.twitter.com/oembed
    # =============================================================================================

    def _oembed(self, request: Request) -> Response:
        """The oEmbed JSON (WEB-FACTS.md "oEmbed"; fields as in clients' `TweetOembed` types).

        Errors as clients quote them: a deleted or nonexistent tweet is `404` with an empty body
        (Hugo logs "Failed to retrieve remote file: Not Found" and no body); protected is `403`
        `{"error":"Sorry, you are not authorized to see this status.","request":"\\/oembed?..."}`
        (Hugo issue #9105, twitteroauth #472). Suspended, withheld and age-restricted: 404."""
        params = parse_qs(request.query, keep_blank_values=True)
        url = (params.get("url") or [""])[-1]
        match = _STATUS_URL.match(url)
        if match is None:
            return Response(404, (("Content-Type", "application/json; charset=utf-8"),), b"")
        tweet = self.tweets.get(int(match.group(2)))
        state = tweet.state if tweet is not None else "missing"
        if state == "protected":
            body = json.dumps(
                {"error": "Sorry, you are not authorized to see this status.", "request": request.target},
                ensure_ascii=False,
                separators=(",", ":"),
            ).replace("/", "\\/")  # Twitter's JSON escapes slashes
            return Response(403, (("Content-Type", "application/json; charset=utf-8"),), body.encode())
        if state != "available" or tweet is None:
            return Response(404, (("Content-Type", "application/json; charset=utf-8"),), b"")
        lang = (params.get("lang") or [None])[-1] or None
        dnt = (params.get("dnt") or [""])[-1].lower() in ("1", "true")
        omit_script = (params.get("omit_script") or [""])[-1].lower() in ("1", "true")
        offset = dt.timedelta(hours=self.oembed_utc_offset_hours)
        html = oembed_html(
            tweet, lang=lang, dnt=dnt, omit_script=omit_script, day=(tweet.created + offset).date()
        )
        return _json_response(
            {
                "url": tweet.url,
                "author_name": tweet.name,
                "author_url": f"https://twitter.com/{tweet.handle}",
                "html": html,
                "width": 550,
                "height": None,
                "type": "rich",
                "cache_age": "3153600000",
                "provider_name": "Twitter",
                "provider_url": "https://twitter.com",
                "version": "1.0",
            }
        )

    # =============================================================================================
    # FxTwitter: api.fxtwitter.com/:screen_name?/status/:id
    # =============================================================================================

    def _fxtwitter(self, tweet_id: int) -> Response:
        """FxTwitter's status API (its docs/api/status.rst and its source: `statusAPI`,
        `buildAPITwitterStatus`, `processMedia`, `linkFixer`). The HTTP status mirrors `code`.

        `text` is unescaped with t.co links replaced by their targets and any other t.co link
        (the media one) removed. Protected: 401 `PRIVATE_TWEET`; deleted, missing, suspended,
        withheld: 404 `NOT_FOUND` (the source maps every `TweetUnavailable` but `Protected` to
        404); age-restricted tweets are served (FxTwitter fetches NSFW posts logged in) with
        `possibly_sensitive: true`. 404 bodies carry `"tweet": null` as observed live."""
        tweet = self.tweets.get(tweet_id)
        state = tweet.state if tweet is not None else "missing"
        if state == "protected":
            return _json_response({"code": 401, "message": "PRIVATE_TWEET", "tweet": None}, 401)
        if tweet is None or state not in ("available", "age-restricted"):
            return _json_response({"code": 404, "message": "NOT_FOUND", "tweet": None}, 404)
        return _json_response({"code": 200, "message": "OK", "tweet": self._fx_status(tweet)})

    def _fx_status(self, tweet: FakeTweet, *, nested: bool = False) -> dict[str, Any]:
        text, entities = _layout(tweet)
        created = tweet.created
        shown = text
        for e in entities:
            if e.kind == "url":
                shown = shown.replace(e.text, e.value)
        shown = re.sub(r" ?https://t\.co/\w{10}", "", shown)  # linkFixer drops the rest
        facets: list[dict[str, Any]] = []
        for e in entities:
            if e.kind == "hashtag":
                facets.append({"type": "hashtag", "indices": [e.start, e.end], "original": e.value})
            elif e.kind == "url":
                facets.append(
                    {
                        "type": "url",
                        "indices": [e.start, e.end],
                        "original": e.text,
                        "replacement": e.value,
                        "display": e.display,
                    }
                )
            elif e.kind == "mention":
                facets.append(
                    {
                        "type": "mention",
                        "indices": [e.start, e.end],
                        "original": e.value,
                        "id": str(self._user_id(e.value)),
                    }
                )
        for i, media in enumerate(tweet.media):
            e = next(x for x in entities if x.kind == "media" and x.text == media_tco(tweet, media))
            facets.append(
                {
                    "type": "media",
                    "indices": [e.start, e.end],
                    "id": str(_media_id(tweet, i)),
                    "display": e.display,
                    "original": e.text,
                    "replacement": e.value,
                }
            )
        media_all: list[dict[str, Any]] = []
        photos: list[dict[str, Any]] = []
        videos: list[dict[str, Any]] = []
        for i, media in enumerate(tweet.media):
            if media.kind == "photo":
                item: dict[str, Any] = {
                    "type": "photo",
                    "id": str(_media_id(tweet, i)),
                    "url": f"{photo_url(media)}?name=orig",
                    "width": media.width,
                    "height": media.height,
                }
                if media.alt_text:
                    item["altText"] = media.alt_text
                photos.append(item)
            else:
                variants = _variants(tweet, media)
                best = max((v for v in variants if v[0] == "video/mp4"), key=lambda v: v[1] or 0)
                item = {
                    "type": "gif" if media.kind == "animated_gif" else "video",
                    "id": str(_media_id(tweet, i)),
                    "url": best[2],
                    "thumbnail_url": _thumbnail_url(tweet, media),
                    "width": media.width,
                    "height": media.height,
                    "duration": (media.duration_ms if media.kind == "video" else 0) / 1000,
                    "format": "video/mp4",
                    "variants": [_variant_json(v) for v in variants],
                }
                videos.append(item)
            media_all.append(item)
        card = "tweet"
        if photos:
            card = "summary_large_image"
        if videos:
            card = "player"
        data: dict[str, Any] = {
            "url": tweet.url,
            "id": str(tweet.id),
            "text": shown,
            "raw_text": {"text": twitter_escape(text), "facets": facets},
            "author": {
                "id": str(tweet.uid),
                "name": tweet.name,
                "screen_name": tweet.handle,
                "avatar_url": avatar_url(tweet, "200x200"),
                "avatar_color": None,
                "banner_url": f"https://{PBS_HOST}/profile_banners/{tweet.uid}/1444000000",
                "description": "",
                "location": "",
                "url": f"https://x.com/{tweet.handle}",
                "followers": 0,
                "following": 0,
                "joined": "Mon Jan 01 00:00:00 +0000 2013",
                "likes": 0,
                "protected": False,
                "tweets": 0,
            },
            "replies": tweet.replies,
            "retweets": tweet.retweets,
            "likes": tweet.likes,
            "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "created_timestamp": int(created.timestamp()),
            "possibly_sensitive": tweet.state == "age-restricted",
            "views": None,  # no view counts for old tweets
            "is_note_tweet": False,
            "community_note": None,
            "lang": tweet.lang,
            "replying_to": tweet.in_reply_to[1] if tweet.in_reply_to else None,
            "replying_to_status": str(tweet.in_reply_to[0]) if tweet.in_reply_to else None,
            "media": {"all": media_all, "photos": photos, "videos": videos} if media_all else {},
            "source": tweet.source,
            "twitter_card": card,
            "color": None,
        }
        if not photos and media_all:
            del data["media"]["photos"]
        if not videos and media_all:
            del data["media"]["videos"]
        quoted = self._quoted(tweet)
        if quoted is not None and not nested:
            data["quote"] = self._fx_status(quoted, nested=True)
        return data

    # =============================================================================================
    # vxTwitter: api.vxtwitter.com/:anything/status/:id
    # =============================================================================================

    def _vxtwitter(self, tweet_id: int) -> Response:
        """vxTwitter's API object (BetterTwitFix vxApi.py `getApiResponse` and api.md).

        Unreadable posts (deleted, missing, suspended, protected, withheld, and age-restricted:
        its guest access cannot see NSFW posts) get the 200 HTML "Failed to scan your link!"
        page, not JSON: twitfix.py returns `message(msgs.failedToScan)` for API requests too."""
        tweet = self.tweets.get(tweet_id)
        if tweet is None or tweet.state != "available":
            page = (
                "<!DOCTYPE html><html><head>"
                '<meta content="text/html; charset=UTF-8" http-equiv="Content-Type" />'
                '<meta content="#7FFFD4" name="theme-color" />'
                '<meta property="og:site_name" content="vxTwitter">'
                f'<meta content="{_esc(VX_FAILED_TO_SCAN)}" property="og:description" />'
                f"</head><body>{_esc(VX_FAILED_TO_SCAN)}</body></html>"
            )
            headers = [("Cache-Tag", "message"), ("Cache-Control", "max-age=1760, public")]
            return Response.html(page, headers=headers)
        data = self._vx_object(tweet)
        quoted = self._quoted(tweet)
        data["qrt"] = self._vx_object(quoted) if quoted is not None else None
        data["retweet"] = None
        return _json_response(data)

    def _vx_object(self, tweet: FakeTweet) -> dict[str, Any]:
        text, entities = _layout(tweet)
        created = tweet.created
        shown = text
        for e in entities:
            if e.kind != "url":
                continue
            # Links to a status (a quote) are dropped from the text, others expanded.
            if "/status/" in e.value and e.value.startswith("https://twitter.com/"):
                shown = shown.replace(e.text, "")
            else:
                shown = shown.replace(e.text, e.value)
        shown = _TRAILING_TCO.sub("", shown)  # stripEndTCO: the media link at the end
        media_urls: list[str] = []
        extended: list[dict[str, Any]] = []
        for i, media in enumerate(tweet.media):
            size = {"width": media.width, "height": media.height}
            if media.kind == "photo":
                item: dict[str, Any] = {
                    "url": photo_url(media),
                    "type": "image",
                    "size": size,
                    "thumbnail_url": photo_url(media),
                    "altText": media.alt_text,
                    "id_str": str(_media_id(tweet, i)),
                }
            else:
                mp4s = [v for v in _variants(tweet, media) if v[0] == "video/mp4"]
                best = max(mp4s, key=lambda v: v[1] or 0)[2].split("?tag=")[0]
                item = {
                    "url": best,
                    "type": "gif" if media.kind == "animated_gif" else "video",
                    "size": size,
                    "duration_millis": media.duration_ms if media.kind == "video" else 0,
                    "thumbnail_url": _thumbnail_url(tweet, media),
                    "altText": media.alt_text,
                    "id_str": str(_media_id(tweet, i)),
                }
            media_urls.append(item["url"])
            extended.append(item)
        same = all(m["type"] == extended[0]["type"] for m in extended) if extended else True
        combined = None
        if extended and same and extended[0]["type"] == "image" and len(media_urls) > 1:
            combined = "https://vxtwitter.com/rendercombined.jpg?imgs=" + ",".join(media_urls)
        # vxApi.py collects hashtags only inside its `extended_entities` branch: tweets without
        # media report none. Played as is.
        hashtags = [e.value for e in entities if e.kind == "hashtag"] if tweet.media else []
        reply = tweet.in_reply_to
        return {
            "text": shown,
            "likes": tweet.likes,
            "retweets": tweet.retweets,
            "replies": tweet.replies,
            "date": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "user_screen_name": tweet.handle,
            "user_name": tweet.name,
            "user_profile_image_url": avatar_url(tweet, "normal"),
            "tweetURL": tweet.url,
            "tweetID": str(tweet.id),
            "conversationID": str(reply[0] if reply else tweet.id),
            "mediaURLs": media_urls,
            "media_extended": extended,
            "possibly_sensitive": False,
            "hashtags": hashtags,
            "qrtURL": f"https://twitter.com/i/status/{tweet.quoted_id}" if tweet.quoted_id else None,
            "communityNote": None,
            "allSameType": same,
            "hasMedia": bool(media_urls),
            "combinedMediaUrl": combined,
            "pollData": None,
            "article": None,
            "lang": tweet.lang,
            "replyingTo": reply[1] if reply else None,
            "replyingToID": str(reply[0]) if reply else None,
            "fetched_on": int(self.web.clock()),
            "retweetURL": None,
            "translation": None,
            "date_epoch": int(created.timestamp()),
        }

    # =============================================================================================
    # Wayback: CDX, replay, availability
    # =============================================================================================

    def _cdx_search(self, request: Request) -> Response:
        """The CDX server (openwayback wayback-cdx-server README; WEB-FACTS.md "Wayback Machine").

        `url` with `matchType` exact (default), prefix (also a trailing `*`), host or domain (also
        a leading `*.`); `from`/`to` inclusive 1-14 digit bounds; any number of
        `filter=[!]field:regex` (whole-value match); `collapse=field[:N]` on adjacent rows;
        `sort=closest&closest=TS`; `offset`; `limit` (negative: the last N); `fl`; `output=json`
        (an array of arrays, header first, `[]` when empty) or space-separated lines."""
        params = parse_qs(request.query, keep_blank_values=True)

        def one(name: str, default: str | None = None) -> str | None:
            values = params.get(name)
            return values[-1] if values else default

        url = one("url") or ""
        if not url:
            return Response.text("Request must contain a url= parameter", 400)
        match_type = (one("matchType") or "exact").lower()
        if url.endswith("*"):
            url, match_type = url.rstrip("*"), "prefix"
        if url.startswith("*."):
            url, match_type = url[2:], "domain"
        key = cdx_key(url)
        if match_type == "exact":
            captures: Iterable[Capture] = self._cdx.get(key, ())
        elif match_type in ("prefix", "host", "domain"):
            host = key.split(")", 1)[0]
            if match_type == "prefix":
                prefixes: tuple[str, ...] = (key,)
            elif match_type == "host":
                prefixes = (host + ")",)
            else:
                prefixes = (host + ")", host + ",")
            captures = self._captures_under(prefixes)
        else:
            return Response.text(f"Invalid matchType {match_type}", 400)
        low = _pad_ts(one("from") or "0")
        high = _pad_ts(one("to") or "99999999999999", upper=True)
        rows = [c for c in captures if low <= c.timestamp <= high]
        for spec in params.get("filter", ()):
            invert = spec.startswith("!")
            name, _, pattern = spec.lstrip("!").partition(":")
            try:
                regex = re.compile(pattern)
            except re.error:
                return Response.text(f"Invalid filter regex {pattern!r}", 400)
            rows = [c for c in rows if bool(regex.fullmatch(self._field(c, name))) != invert]
        closest = one("closest")
        if (one("sort") or "") == "closest" and closest:
            target = ts_seconds(closest)
            rows.sort(key=lambda c: abs(ts_seconds(c.timestamp) - target))
        for spec in params.get("collapse", ()):
            name, _, width = spec.partition(":")
            size = int(width) if width.isdigit() else None
            kept: list[Capture] = []
            last: str | None = None
            for c in rows:
                value = self._field(c, name)
                value = value[:size] if size is not None else value
                if value != last:
                    kept.append(c)
                last = value
            rows = kept
        offset = one("offset")
        if offset and offset.isdigit():
            rows = rows[int(offset) :]
        limit = one("limit")
        if limit and re.fullmatch(r"-?\d+", limit):
            n = int(limit)
            rows = rows[n:] if n < 0 else rows[:n]
        fields = [f for f in (one("fl") or ",".join(_CDX_FIELDS)).split(",") if f]
        table = [[self._field(c, f) for f in fields] for c in rows]
        if (one("output") or "").lower() == "json":
            if not table:
                return Response(200, (("Content-Type", "application/json"),), b"[]")
            lines = [json.dumps(row, separators=(",", ":"), ensure_ascii=False) for row in [fields, *table]]
            body = "[" + ",\n".join(lines) + "]\n"
            return Response(200, (("Content-Type", "application/json"),), body.encode())
        text = "".join(" ".join(row) + "\n" for row in table)
        return Response(200, (("Content-Type", "text/plain; charset=utf-8"),), text.encode())

    def _captures_under(self, prefixes: Sequence[str]) -> Iterator[Capture]:
        keys = self._sorted_keys()
        for prefix in prefixes:
            at = bisect.bisect_left(keys, prefix)
            while at < len(keys) and keys[at].startswith(prefix):
                yield from self._cdx[keys[at]]
                at += 1

    def _field(self, capture: Capture, name: str) -> str:
        if name == "urlkey":
            return capture.urlkey
        if name == "timestamp":
            return capture.timestamp
        if name == "original":
            return capture.original
        if name == "mimetype":
            return capture.mimetype
        if name == "statuscode":
            return str(capture.status)
        if name == "digest":
            return self._body(capture)[1]
        if name == "length":
            return str(len(self._body(capture)[0]))
        return "-"

    def _closest(self, key: str, stamp: str | None, *, ok_only: bool = False) -> Capture | None:
        captures = self._cdx.get(key) or []
        if ok_only:
            captures = [c for c in captures if c.status == 200]
        if not captures:
            return None
        if stamp is None:
            return captures[-1]
        target = ts_seconds(stamp)
        return min(captures, key=lambda c: abs(ts_seconds(c.timestamp) - target))

    def _replay(self, request: Request) -> Response:
        """Replay (WEB-FACTS.md): `/web/TS[flag]/URL` serves the capture taken at exactly TS
        (`id_`: the original bytes; otherwise the page with a Wayback toolbar block); any other
        TS is a 302 to the nearest capture, same flag; `/web/URL` goes to the latest (or the one
        nearest `Accept-Datetime`, RFC 7089). A URL never captured is the 404 "Hrm." page."""
        target = request.target
        match = _REPLAY.fullmatch(target)
        if match is not None:
            stamp, flag, url = match.group(1), match.group(2) or "", match.group(3)
        else:
            stamp, flag, url = None, "", target[len("/web/") :]
            accept = request.headers.get("accept-datetime")
            if accept:
                try:
                    stamp = wayback_stamp(email.utils.parsedate_to_datetime(accept))
                except (TypeError, ValueError):
                    stamp = None
        url = re.sub(r"^(https?):/+", r"\1://", url)
        key = cdx_key(url)
        capture = self._closest(key, stamp)
        if capture is None:
            return Response.html(
                NOT_ARCHIVED,
                404,
                headers=[
                    ("X-Archive-Wayback-Runtime-Error", f"ResourceNotInArchiveException: {url} was not found")
                ],
            )
        if stamp != capture.timestamp:
            return Response.redirect(
                f"https://{WAYBACK_HOST}/web/{capture.timestamp}{flag}/{capture.original}", 302
            )
        body, _ = self._body(capture)
        if flag != "id_" and capture.mimetype.startswith("text/html"):
            body = _with_toolbar(body, capture)
        content_type = capture.mimetype + ("; charset=utf-8" if capture.mimetype.startswith("text/") else "")
        links = (
            f'<{capture.original}>; rel="original", '
            f'<https://{WAYBACK_HOST}/web/timemap/link/{capture.original}>; rel="timemap"; '
            'type="application/link-format"'
        )
        headers = (
            ("Content-Type", content_type),
            ("Memento-Datetime", _http_date(capture.timestamp)),
            ("Link", links),
        )
        return Response(capture.status, headers, body)

    def _availability(self, request: Request) -> Response:
        """`archive.org/wayback/available` (WEB-FACTS.md; shape of live answers quoted in code:
        `{"url": <as given>, "archived_snapshots": {"closest": {"status": "200", "available":
        true, "url": "http://web.archive.org/web/TS/ORIGINAL", "timestamp": TS}}}`, with the
        given `timestamp` echoed at the end, `archived_snapshots` `{}` when nothing)."""
        params = parse_qs(request.query, keep_blank_values=True)
        url = (params.get("url") or [None])[-1]
        stamp = (params.get("timestamp") or [None])[-1]
        body: dict[str, Any] = {"url": url, "archived_snapshots": {}}
        capture = self._closest(cdx_key(url), stamp or None, ok_only=True) if url else None
        if capture is not None:
            body["archived_snapshots"] = {
                "closest": {
                    "status": str(capture.status),
                    "available": True,
                    "url": f"http://{WAYBACK_HOST}/web/{capture.timestamp}/{capture.original}",
                    "timestamp": capture.timestamp,
                }
            }
        if stamp is not None:
            body["timestamp"] = stamp
        return Response.json(body)

    # =============================================================================================
    # Media: pbs.twimg.com, video.twimg.com
    # =============================================================================================

    def _pbs(self, request: Request) -> Response:
        """Photos (`/media/KEY.jpg`, `?name=orig`, `/media/KEY?format=jpg&name=orig`, `png`),
        video thumbnails, avatars and banners of registered tweets; anything else 404."""
        path = request.path
        params = parse_qs(request.query)
        match = _PBS_MEDIA.fullmatch(path)
        if match is not None and match.group(1) in self._photo_keys:
            fmt = (params.get("format") or [match.group(2) or "jpg"])[-1].lower()
            if fmt == "png":
                return _image(PNG_BYTES, "image/png")
            return _image(JPEG_BYTES, "image/webp" if fmt == "webp" else "image/jpeg")
        profile = _PBS_PROFILE.fullmatch(path)
        if profile is not None and int(profile.group(1)) in self._user_ids:
            return _image(JPEG_BYTES, "image/jpeg")
        if self._media_paths.get((PBS_HOST, path)) == "image":
            return _image(JPEG_BYTES, "image/jpeg")
        return _media_not_found()

    def _video(self, request: Request) -> Response:
        """MP4s (`video/mp4`) and HLS playlists (`application/x-mpegURL`) of registered videos."""
        kind = self._media_paths.get((VIDEO_HOST, request.path))
        if kind == "video":
            return Response(200, (("Content-Type", "video/mp4"), ("Accept-Ranges", "bytes")), MP4_BYTES)
        if kind == "playlist":
            playlist = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            return Response(200, (("Content-Type", "application/x-mpegURL"),), playlist.encode())
        return _media_not_found()


# =============================================================================================
# Response pieces
# =============================================================================================

TOO_MANY_REQUESTS: Final = (
    "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>"
)

#: The Wayback's page for a URL it never captured (its 404 "Hrm." page, shortened).
NOT_ARCHIVED: Final = (
    '<!DOCTYPE html><html lang="en"><head><title>Wayback Machine</title></head><body>'
    '<div id="positionHome"><section><div id="error"><h2 class="blue">Hrm.</h2>'
    "<p>The Wayback Machine has not archived that URL.</p></div></section></div></body></html>"
)

BULK_MIX: Final = (("available", 90), ("deleted", 4), ("missing", 2), ("protected", 2), ("suspended", 2))

_FX_PATH = re.compile(r"/(?:[^/]+/)?status(?:es)?/(\d+)(?:/[A-Za-z-]{2,5})?/?")
_VX_PATH = re.compile(r"/(?:[^/]+/)?status(?:es)?/(\d+)(?:/.*)?")
_STATUS_URL = re.compile(
    r"(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?(i/web|i|[A-Za-z0-9_]+)/status(?:es)?/(\d+)",
    re.IGNORECASE,
)
_REPLAY = re.compile(r"/web/(\d{1,14})([a-z]{2}_)?/(.+)", re.DOTALL)
_PBS_MEDIA = re.compile(r"/media/([A-Za-z0-9_-]+)(?:\.(jpg|jpeg|png|webp))?(?::\w+)?")
_PBS_PROFILE = re.compile(r"/profile_(?:images|banners)/(\d+)/.*")


def _json_response(data: Any, status: int = 200) -> Response:
    """Compact JSON, as Twitter's and FxTwitter's servers write it."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, (("Content-Type", "application/json;charset=utf-8"),), body)


def _image(body: bytes, content_type: str) -> Response:
    return Response(200, (("Content-Type", content_type), ("Cache-Control", "max-age=604800")), body)


def _media_not_found() -> Response:
    return Response(404, (("Content-Type", "text/plain"),), b"")


def tombstone(text: str) -> dict[str, Any]:
    """A syndication `TweetTombstone` whose text says why; "Learn more" is a link entity (the
    shape clients decode: `text`, `entities[{from_index, to_index, ref{__typename, url,
    url_type}}]`, `rtl`)."""
    at = text.rfind("Learn more")
    entities = []
    if at >= 0:
        ref = {"__typename": "TimelineUrl", "url": NOTICES_URL, "url_type": "ExternalUrl"}
        entities.append({"from_index": at, "to_index": at + len("Learn more"), "ref": ref})
    return {
        "__typename": "TweetTombstone",
        "tombstone": {"text": {"text": text, "entities": entities, "rtl": False}},
    }


def photo_url(media: FakeMedia) -> str:
    return f"https://{PBS_HOST}/media/{media.key}.jpg"


def avatar_url(tweet: FakeTweet, size: str = "normal") -> str:
    return f"https://{PBS_HOST}/profile_images/{tweet.uid}/{tweet.handle}_{size}.jpg"


def _media_id(tweet: FakeTweet, index: int) -> int:
    """Media IDs are snowflakes minted just before the tweet."""
    return max(1, tweet.id - (index + 1) * (1 << 22) * 1000)


def _thumbnail_url(tweet: FakeTweet, media: FakeMedia) -> str:
    if media.kind == "photo":
        return photo_url(media)
    if media.kind == "animated_gif":
        return f"https://{PBS_HOST}/tweet_video_thumb/{media.key}.jpg"
    index = tweet.media.index(media)
    return f"https://{PBS_HOST}/ext_tw_video_thumb/{_media_id(tweet, index)}/pu/img/{media.key}.jpg"


def _variants(tweet: FakeTweet, media: FakeMedia) -> tuple[tuple[str, int | None, str], ...]:
    """The media's variants, or Twitter's usual set (see `FakeMedia`)."""
    if media.variants or media.kind == "photo":
        return media.variants
    if media.kind == "animated_gif":
        return (("video/mp4", 0, f"https://{VIDEO_HOST}/tweet_video/{media.key}.mp4"),)
    base = f"https://{VIDEO_HOST}/ext_tw_video/{_media_id(tweet, tweet.media.index(media))}/pu"
    out: list[tuple[str, int | None, str]] = [
        ("application/x-mpegURL", None, f"{base}/pl/{media.key}.m3u8?tag=12&container=fmp4")
    ]
    for bitrate, height in ((256_000, 270), (832_000, 360), (2_176_000, 720)):
        width = round(height * media.width / media.height) if media.height else height
        out.append(("video/mp4", bitrate, f"{base}/vid/{width}x{height}/{media.key}.mp4?tag=12"))
    return tuple(out)


def _variant_json(variant: tuple[str, int | None, str]) -> dict[str, Any]:
    content_type, bitrate, url = variant
    if bitrate is None:
        return {"content_type": content_type, "url": url}
    return {"bitrate": bitrate, "content_type": content_type, "url": url}


def _aspect(width: int, height: int) -> list[int]:
    g = math.gcd(width, height) or 1
    return [width // g, height // g]


def _sizes(width: int, height: int) -> dict[str, dict[str, Any]]:
    def fit(limit: int) -> dict[str, Any]:
        scale = min(1.0, limit / max(width, height, 1))
        return {"h": round(height * scale), "resize": "fit", "w": round(width * scale)}

    return {
        "large": fit(2048),
        "medium": fit(1200),
        "small": fit(680),
        "thumb": {"h": 150, "resize": "crop", "w": 150},
    }


def _media_details(tweet: FakeTweet, media: FakeMedia, text: str) -> dict[str, Any]:
    """One `mediaDetails` entry (field set of a recorded video tweet-result)."""
    tco = media_tco(tweet, media)
    at = text.find(tco)
    data: dict[str, Any] = {
        "display_url": f"pic.twitter.com/{_tco_code(tco)}",
        "expanded_url": media_expanded_url(tweet, media),
        "ext_media_availability": {"status": "Available"},
        "indices": [at, at + len(tco)],
        "media_url_https": _thumbnail_url(tweet, media),
        "original_info": {"height": media.height, "width": media.width, "focus_rects": []},
        "sizes": _sizes(media.width, media.height),
        "type": media.kind,
        "url": tco,
    }
    if media.alt_text:
        data["ext_alt_text"] = media.alt_text
    if media.kind != "photo":
        info: dict[str, Any] = {"aspect_ratio": _aspect(media.width, media.height)}
        if media.kind == "video":
            info["duration_millis"] = media.duration_ms
        info["variants"] = [_variant_json(v) for v in _variants(tweet, media)]
        data["video_info"] = info
    return data


def _photo(tweet: FakeTweet, media: FakeMedia) -> dict[str, Any]:
    return {
        "backgroundColor": {"red": 204, "green": 214, "blue": 221},
        "cropCandidates": [{"x": 0, "y": 0, "w": media.width, "h": media.height}],
        "expandedUrl": media_expanded_url(tweet, media),
        "url": photo_url(media),
        "width": media.width,
        "height": media.height,
    }


def _video(tweet: FakeTweet, media: FakeMedia) -> dict[str, Any]:
    return {
        "aspectRatio": _aspect(media.width, media.height),
        "contentType": "gif" if media.kind == "animated_gif" else "media_entity",
        "durationMs": media.duration_ms if media.kind == "video" else 0,
        "mediaAvailability": {"status": "available"},
        "poster": _thumbnail_url(tweet, media),
        "variants": [{"type": t, "src": u} for t, _, u in _variants(tweet, media)],
        "videoId": {"type": "tweet", "id": str(tweet.id)},
        "viewCount": 0,
    }


def oembed_html(
    tweet: FakeTweet,
    *,
    lang: str | None = None,
    dnt: bool = True,
    omit_script: bool = True,
    day: dt.date | None = None,
) -> str:
    """The oEmbed `html`: `<blockquote class="twitter-tweet">` with the text (hashtags and
    mentions linked with `ref_src=twsrc%5Etfw`, links shown as their t.co URL, the media link as
    `pic.twitter.com/...`) and the `&mdash; Name (@handle) <a>date</a>` signature."""
    text, entities = _layout(tweet)
    parts: list[str] = []
    pos = 0
    for e in entities:
        parts.append(_esc(text[pos : e.start]))
        if e.kind == "hashtag":
            href = f"https://twitter.com/hashtag/{quote(e.value)}?src=hash&amp;ref_src=twsrc%5Etfw"
            parts.append(f'<a href="{href}">#{_esc(e.value)}</a>')
        elif e.kind == "mention":
            parts.append(f'<a href="https://twitter.com/{e.value}?ref_src=twsrc%5Etfw">@{e.value}</a>')
        elif e.kind == "url":
            parts.append(f'<a href="{e.text}">{e.text}</a>')
        else:
            parts.append(f'<a href="{e.text}">{e.display}</a>')
        pos = e.end
    parts.append(_esc(text[pos:]))
    body = "".join(parts).replace("\n", "<br>")
    attrs = ' class="twitter-tweet"'
    if lang:
        attrs += f' data-lang="{_esc(lang)}"'
    if dnt:
        attrs += ' data-dnt="true"'
    shown = embed_date(day or tweet.created.date(), lang)
    html = (
        f'<blockquote{attrs}><p lang="{tweet.lang}" dir="ltr">{body}</p>&mdash; {_esc(tweet.name)} '
        f'(@{tweet.handle}) <a href="{tweet.url}?ref_src=twsrc%5Etfw">{shown}</a></blockquote>\n'
    )
    if not omit_script:
        html += '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>\n'
    return html


# =============================================================================================
# Captured pages: twitter.com and mobile.twitter.com as they were in 2015
# =============================================================================================


def _clock_text(when: dt.datetime) -> str:
    """`6:45 AM - 21 Oct 2015` (the permalink's metadata line; UTC here)."""
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'} - {when.day} {when:%b %Y}"


def _text_html_2015(tweet: FakeTweet) -> str:
    """The tweet text as the 2015 permalink's `p.tweet-text` holds it."""
    text, entities = _layout(tweet)
    parts: list[str] = []
    pos = 0
    for e in entities:
        parts.append(_esc(text[pos : e.start]))
        if e.kind == "hashtag":
            parts.append(
                f'<a href="/hashtag/{quote(e.value)}?src=hash" data-query-source="hashtag_click" '
                f'class="twitter-hashtag pretty-link js-nav" dir="ltr" ><s>#</s><b>{_esc(e.value)}</b></a>'
            )
        elif e.kind == "mention":
            parts.append(
                f'<a href="/{e.value}" class="twitter-atreply pretty-link js-nav" dir="ltr" ><s>@</s>'
                f"<b>{e.value}</b></a>"
            )
        elif e.kind == "url":
            scheme = re.match(r"https?://(www\.)?", e.value)
            prefix = scheme.group() if scheme else ""
            shown = e.display.rstrip("…")
            rest = e.value[len(prefix) + len(shown) :]
            ellipsis = (
                '<span class="tco-ellipsis"><span class="invisible">&nbsp;</span>…</span>' if rest else ""
            )
            parts.append(
                f'<a href="{e.text}" rel="nofollow" dir="ltr" data-expanded-url="{_esc(e.value)}" '
                f'class="twitter-timeline-link" target="_blank" title="{_esc(e.value)}" >'
                f'<span class="tco-ellipsis"></span><span class="invisible">{_esc(prefix)}</span>'
                f'<span class="js-display-url">{_esc(shown)}</span><span class="invisible">{_esc(rest)}</span>'
                f"{ellipsis}</a>"
            )
        else:
            parts.append(
                f'<a href="{e.text}" class="twitter-timeline-link u-hidden" data-pre-embedded="true" '
                f'dir="ltr" >{e.display}</a>'
            )
        pos = e.end
    parts.append(_esc(text[pos:]))
    return "".join(parts)


def status_page_2015(tweet: FakeTweet) -> str:
    """A twitter.com status page as the Wayback captured it in 2015 (WEB-FACTS.md: text in
    `p.tweet-text` and in `og:description` as `“...”`): title, Open Graph tags, the
    `div.permalink-tweet` with `data-tweet-id`, `data-screen-name`, `data-name`, `data-user-id`,
    the `_timestamp` span with `data-time` / `data-time-ms`, and AdaptiveMedia photo containers."""
    text, _ = _layout(tweet)
    created = tweet.created
    epoch = int(created.timestamp())
    photos = [m for m in tweet.media if m.kind == "photo"]
    image = f"{photo_url(photos[0])}:large" if photos else avatar_url(tweet, "400x400")
    media_html = ""
    if photos:
        media_html = (
            '<div class="AdaptiveMedia is-square"><div class="AdaptiveMedia-container">'
            + "".join(
                f'<div class="AdaptiveMedia-photoContainer js-adaptive-photo" data-image-url="{photo_url(m)}" '
                f'data-element-context="platform_photo_card"><img data-aria-label-part src="{photo_url(m)}" '
                f'alt="{_esc(m.alt_text or "")}"></div>'
                for m in photos
            )
            + "</div></div>"
        )
    videos = [m for m in tweet.media if m.kind != "photo"]
    if videos:
        media_html += (
            '<div class="AdaptiveMedia-video"><div class="AdaptiveMedia-videoContainer">'
            f'<div class="PlayableMedia PlayableMedia--{"gif" if videos[0].kind == "animated_gif" else "video"}">'
            f'<div class="PlayableMedia-player" style="background-image:url(\'{_thumbnail_url(tweet, videos[0])}\')">'
            "</div></div></div></div>"
        )
    name, handle = _esc(tweet.name), tweet.handle
    return f"""<!DOCTYPE html>
<html lang="en" data-scribe-reduced-action-queue="true">
<head>
<meta charset="utf-8">
<title>{name} on Twitter: &quot;{_esc(text)}&quot;</title>
<meta name="description" content="{_esc(text)}">
<link rel="canonical" href="https://twitter.com/{handle}/status/{tweet.id}">
<meta property="og:type" content="article">
<meta property="og:url" content="https://twitter.com/{handle}/status/{tweet.id}">
<meta property="og:title" content="{name} on Twitter">
<meta property="og:image" content="{image}">
<meta property="og:description" content="“{_esc(text)}”">
<meta property="og:site_name" content="Twitter">
<meta property="al:ios:url" content="twitter://status?id={tweet.id}">
</head>
<body class="three-col logged-out ms-windows PermalinkPage" data-fouc-class-names="swift-loading" dir="ltr">
<div id="doc" class="route-permalink">
<div id="page-container" class="wrapper wrapper-permalink white">
<div class="permalink-container permalink-container--withArrows">
<div role="main" class="permalink light-inline-actions stream-uncapped original-permalink-page">
<div class="permalink-inner permalink-tweet-container">
<div class="tweet permalink-tweet js-actionable-user js-actionable-tweet js-original-tweet has-content" \
data-associated-tweet-id="{tweet.id}" data-tweet-id="{tweet.id}" data-item-id="{tweet.id}" \
data-permalink-path="/{handle}/status/{tweet.id}" data-screen-name="{handle}" data-name="{name}" \
data-user-id="{tweet.uid}" data-you-follow="false" data-follows-you="false" data-you-block="false" tabindex="0">
<div class="content clearfix">
<div class="permalink-header">
<a class="account-group js-account-group js-action-profile js-user-profile-link js-nav" href="/{handle}" \
data-user-id="{tweet.uid}">
<img class="avatar js-action-profile-avatar" src="{avatar_url(tweet, "bigger")}" alt="">
<strong class="fullname js-action-profile-name show-popup-with-id" data-aria-label-part>{name}</strong>
<span>&rlm;</span><span class="username js-action-profile-name" data-aria-label-part><s>@</s><b>{handle}</b></span>
</a>
<small class="time">
<a href="/{handle}/status/{tweet.id}" class="tweet-timestamp js-permalink js-nav js-tooltip" \
title="{_clock_text(created)}"><span class="_timestamp js-short-timestamp" data-aria-label-part="last" \
data-time="{epoch}" data-time-ms="{epoch * 1000}" data-long-form="true">{created:%b} {created.day}</span></a>
</small>
</div>
</div>
<div class="js-tweet-text-container">
<p class="TweetTextSize TweetTextSize--26px js-tweet-text tweet-text" lang="{tweet.lang}" \
data-aria-label-part="0">{_text_html_2015(tweet)}</p>
</div>
{media_html}
<div class="js-tweet-details-fixer tweet-details-fixer">
<div class="client-and-actions"><span class="metadata"><span>{_clock_text(created)}</span></span></div>
</div>
</div>
</div>
</div>
</div>
</div>
</div>
</body>
</html>
"""


def mobile_status_page(tweet: FakeTweet, quoted: FakeTweet | None = None) -> str:
    """A mobile.twitter.com status page of 2015 (the no-script `table.main-tweet` layout, text
    in `div.tweet-text[data-id]`). `quoted` is accepted for symmetry and not shown."""
    text, entities = _layout(tweet)
    parts: list[str] = []
    pos = 0
    for e in entities:
        parts.append(_esc(text[pos : e.start]))
        if e.kind == "hashtag":
            parts.append(
                f'<a href="/hashtag/{quote(e.value)}?src=hash" class="twitter-hashtag dir-ltr" dir="ltr">'
                f"#{_esc(e.value)}</a>"
            )
        elif e.kind == "mention":
            parts.append(f'<a href="/{e.value}" class="twitter-atreply dir-ltr" dir="ltr">@{e.value}</a>')
        elif e.kind == "url":
            parts.append(
                f'<a href="{e.text}" data-url="{_esc(e.value)}" class="twitter_external_link dir-ltr tco-link" '
                f'dir="ltr" rel="nofollow" target="_blank" title="{_esc(e.value)}">{_esc(e.display)}</a>'
            )
        else:
            parts.append(
                f'<a href="{e.text}" class="twitter_external_link dir-ltr tco-link" dir="ltr">{e.display}</a>'
            )
        pos = e.end
    parts.append(_esc(text[pos:]))
    photos = "".join(
        f'<div class="media"><img src="{photo_url(m)}:small" alt=""></div>'
        for m in tweet.media
        if m.kind == "photo"
    )
    name = _esc(tweet.name)
    return f"""<html><head><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{name} on Twitter: "{_esc(text)}"</title></head>
<body><div id="container"><div id="main_content"><div class="timeline">
<table class="main-tweet" summary="This is the focus tweet">
<tr><td class="avatar" rowspan="3"><a href="/{tweet.handle}"><img alt="{name}" src="{avatar_url(tweet)}"></a></td>
<td class="user-info"><a href="/{tweet.handle}"><div class="fullname"><strong>{name}</strong></div>
<span class="username"><span>@</span>{tweet.handle}</span></a></td></tr>
<tr><td colspan="2" class="tweet-content"><div class="tweet-text" data-id="{tweet.id}">
<div class="dir-ltr" dir="ltr">{"".join(parts)}</div></div>{photos}</td></tr>
<tr><td colspan="2" class="meta-and-actions"><span class="metadata">
<a href="/{tweet.handle}/status/{tweet.id}">{_clock_text(tweet.created)}</a></span></td></tr>
</table></div></div></div></body></html>
"""


def _with_toolbar(body: bytes, capture: Capture) -> bytes:
    """A non-`id_` replay: the page with the Wayback's toolbar block and archive note (links are
    not rewritten here; use `id_` for the original bytes)."""
    toolbar = b'<!-- BEGIN WAYBACK TOOLBAR INSERT -->\n<div id="wm-ipp-base"></div>\n<!-- END WAYBACK TOOLBAR INSERT -->\n'
    match = re.search(rb"<body[^>]*>", body, re.IGNORECASE)
    at = match.end() if match else 0
    when = dt.datetime.strptime(capture.timestamp, "%Y%m%d%H%M%S")
    note = f"\n<!--\n     FILE ARCHIVED ON {when:%H:%M:%S %b %d, %Y} AND RETRIEVED FROM THE\n     INTERNET ARCHIVE.\n-->\n"
    return body[:at] + toolbar + body[at:] + note.encode()


# =============================================================================================
# Installing
# =============================================================================================


def install_twitter(web: Web) -> TwitterWeb:
    """The Twitter and Wayback parts of the web, once per layer of routes: a second call in the
    same layer (the same test, with `local_web`) returns the instance already installed."""
    # Web has no public look-up of its newest layer, and scenarios.py is not this module's to
    # change: read the layer's host table to find an installed TwitterWeb.
    layer = web._layers[-1]
    owner = getattr(layer.hosts.get((None, SYNDICATION_HOST)), "__self__", None)
    if isinstance(owner, TwitterWeb) and owner.web is web:
        return owner
    return TwitterWeb(web)


def _at(stamp: str) -> dt.datetime:
    return dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.UTC)


MOD_RUSSIA: Final = ("mod_russia", "Минобороны России")
#: The example article's first embedded tweet (its ID is the real one).
EXAMPLE_FOOTAGE_ID: Final = 656722946431664128
EXAMPLE_FOOTAGE_TEXT: Final = (
    "#FOOTAGE Elimination of a militants' strong point (#Aleppo province) https://t.co/eKInDZJCbH "
    "https://t.co/PXh7c6aziZ"
)
EXAMPLE_YOUTUBE_URL: Final = "https://www.youtube.com/watch?v=Mx4zh3R1j0Y"
EXAMPLE_PHOTO_KEY: Final = "CR2bXyzWcAAf3kP"
#: The second embedded tweet: quoted in the article only as text with its signature date.
EXAMPLE_RADIO_RECON_ID: Final = snowflake_id(_at("2015-10-21 13:02:41.317"), 0x1A2B3)
EXAMPLE_RADIO_RECON_TEXT: Final = (
    "Radio recon intercepted data about start of talks between #ISIS & Jabhat an-Nusra commanders on "
    "alliance against #SYRIA government troops"
)
#: Other @mod_russia tweets of 20-22 October 2015 in the Wayback: near misses for a search by
#: date and words. (id, text, state, capture timestamps, capture host)
EXAMPLE_NEIGHBOURS: Final[tuple[tuple[int, str, str, tuple[str, ...], str], ...]] = (
    (
        snowflake_id(_at("2015-10-20 11:03:44.120"), 0x0C411),
        "#Su34 bombers eliminated a command post of militants in #Idlib province",
        "available",
        ("20151020140311",),
        "twitter.com",
    ),
    (
        snowflake_id(_at("2015-10-21 09:12:05.873"), 0x2F001),
        "#ISIS terrorists are transferring their fighters from #Iraq to #SYRIA, intelligence data show",
        "available",
        ("20151021101530",),
        "twitter.com",
    ),
    (
        snowflake_id(_at("2015-10-21 15:40:22.045"), 0x11C07),
        "Russian #AirForce aircraft hit 46 terrorist targets in #SYRIA over the last 24 hours",
        "available",
        ("20151021174402", "20151022081500"),
        "twitter.com",
    ),
    (
        snowflake_id(_at("2015-10-21 18:20:10.662"), 0x20A0F),
        "Radio recon intercepted data: Jabhat an-Nusra commanders are leaving their positions near #Latakia",
        "deleted",
        ("20151021191122",),
        "twitter.com",
    ),
    (
        snowflake_id(_at("2015-10-21 20:14:59.310"), 0x05D13),
        "#SYRIA government troops continue the offensive in #Aleppo province with Russian air support",
        "available",
        ("20151021223005",),
        "twitter.com",
    ),
    (
        snowflake_id(_at("2015-10-22 07:55:31.904"), 0x3E102),
        "Talks between #ISIS and Jabhat an-Nusra commanders on joint actions against #SYRIA troops confirmed "
        "by radio intercepts",
        "available",
        ("20151022093017",),
        "mobile.twitter.com",
    ),
)


def example_tweets() -> list[FakeTweet]:
    """The example article's tweets and their neighbours (see `install_example`)."""
    handle, name = MOD_RUSSIA
    footage = FakeTweet(
        EXAMPLE_FOOTAGE_ID,
        handle,
        name,
        EXAMPLE_FOOTAGE_TEXT,
        urls=(("https://t.co/eKInDZJCbH", EXAMPLE_YOUTUBE_URL),),
        media=(FakeMedia("photo", EXAMPLE_PHOTO_KEY, 1200, 675, tco="https://t.co/PXh7c6aziZ"),),
        captures=("20151021081512",),
        likes=112,
        retweets=241,
    )
    radio = FakeTweet(
        EXAMPLE_RADIO_RECON_ID,
        handle,
        name,
        EXAMPLE_RADIO_RECON_TEXT,
        captures=("20151021140233", "20151023102455"),
        likes=87,
        retweets=190,
    )
    others = [
        FakeTweet(tweet_id, handle, name, text, state=state, captures=stamps, capture_host=host)
        for tweet_id, text, state, stamps, host in EXAMPLE_NEIGHBOURS
    ]
    return [footage, radio, *others]


def install_example(tw: TwitterWeb) -> None:
    """The example article (examples/sputnik-pt-2015-syria.txt) as the web saw it.

    @mod_russia's two embedded tweets: #FOOTAGE (656722946431664128, with a photo and a link to a
    YouTube video) and "Radio recon intercepted data ..." (2015-10-21 UTC), both available and
    captured by the Wayback in 2015; six more @mod_russia tweets of 20-22 October 2015 captured
    too, sharing hashtags or words with the second (one deleted since, one captured as
    mobile.twitter.com). The article's links lead where they did: t.co/eKInDZJCbH to the
    YouTube video, t.co/PXh7c6aziZ and pic.twitter.com/PXh7c6aziZ to the tweet's photo page."""
    tw.add(*example_tweets())
    web = tw.web
    web.tco("eKInDZJCbH", EXAMPLE_YOUTUBE_URL)
    web.page(
        EXAMPLE_YOUTUBE_URL,
        "<!DOCTYPE html><html><head><title>Elimination of a militants' strong point - YouTube</title>"
        f'<link rel="canonical" href="{EXAMPLE_YOUTUBE_URL}"></head><body></body></html>',
    )
    web.tweet_media("PXh7c6aziZ", MOD_RUSSIA[0], EXAMPLE_FOOTAGE_ID)


def install_tweets(web: Web) -> TwitterWeb:
    """The `tweets` scenario: the `bench` sites plus Twitter, the Wayback and the example."""
    install_bench(web)
    tw = install_twitter(web)
    install_example(tw)
    return tw


__all__ = [
    "BULK_MIX",
    "ENDPOINTS",
    "EXAMPLE_FOOTAGE_ID",
    "EXAMPLE_FOOTAGE_TEXT",
    "EXAMPLE_NEIGHBOURS",
    "EXAMPLE_PHOTO_KEY",
    "EXAMPLE_RADIO_RECON_ID",
    "EXAMPLE_RADIO_RECON_TEXT",
    "EXAMPLE_YOUTUBE_URL",
    "JPEG_BYTES",
    "MP4_BYTES",
    "PNG_BYTES",
    "STATES",
    "TOMBSTONE_TEXTS",
    "UNAVAILABLE_FORMS",
    "VX_FAILED_TO_SCAN",
    "Capture",
    "FakeMedia",
    "FakeTweet",
    "TwitterWeb",
    "cdx_key",
    "display_url",
    "embed_date",
    "example_tweets",
    "install_example",
    "install_tweets",
    "install_twitter",
    "media_tco",
    "mobile_status_page",
    "oembed_html",
    "snowflake_id",
    "status_page_2015",
    "tombstone",
    "twitter_escape",
    "user_id_for",
    "wayback_stamp",
]
