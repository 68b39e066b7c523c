"""The typed data that flows between the pipeline's stages.

Every stage takes and returns these frozen dataclasses; nothing passes dicts of dicts.
`to_json()` gives the documented machine-readable shape (the field names are a
contract that users' scripts rely on: add to them, never rename).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from resolver.expander.verdicts import Verdict, Via


def _fast_reduce(self: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle as (class, field values): frozen slots dataclasses otherwise unpickle field by
    field through object.__setattr__, which made moving results between worker processes
    cost more than scanning them (measured: 2 workers slower than 1)."""
    cls = type(self)
    fields_of = _FIELD_GETTERS.get(cls)
    if fields_of is None:
        fields_of = _FIELD_GETTERS[cls] = _field_getter(cls.__slots__)
    return (cls, fields_of(self))


#: A C-level getter of each class's field values: a generator over `__slots__` made pickling
#: a scan's ~200 links cost 0.36 ms a page, the getter 0.23 ms (same bytes).
_FIELD_GETTERS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _field_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:  # attrgetter of one name gives the value, not a 1-tuple
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return operator.attrgetter(*names)


class LinkKind(StrEnum):
    """What a link points at, as far as can be told without the network."""

    SHORTENED = "shortened"  #: a URL shortener (t.co, bit.ly, ...): its target is unknown until expanded
    TWEET = "tweet"  #: a status URL (twitter.com/USER/status/ID in any of its forms)
    TWITTER_MEDIA = "twitter-media"  #: pic.twitter.com (a t.co link in disguise) or a twimg media file
    TWITTER_PROFILE = "twitter-profile"  #: twitter.com/USER
    OTHER = "other"  #: anything else

    def __str__(self) -> str:
        return self.value


class ArticleFormat(StrEnum):
    HTML = "html"
    TEXT = "text"
    MARKDOWN = "markdown"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Where:
    """Where something was found in an article.

    Text inputs give `line` and `column` (both 1-based, column counted in characters).
    HTML inputs give the `element` and `attribute` (attribute is None for text content)
    and the source `line` of the element as the parser saw it.
    """

    __reduce__ = _fast_reduce

    line: int | None = None
    column: int | None = None
    element: str | None = None
    attribute: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.element is not None:
            out["element"] = self.element
            out["attribute"] = self.attribute
        out["line"] = self.line
        if self.column is not None or self.element is None:
            out["column"] = self.column
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Where:
        """The inverse of `to_json()` (absent keys are None, as `to_json()` leaves them out)."""
        return cls(data.get("line"), data.get("column"), data.get("element"), data.get("attribute"))

    def __str__(self) -> str:
        parts = []
        if self.element:
            parts.append(f"<{self.element}{' ' + self.attribute if self.attribute else ''}>")
        if self.line is not None:
            parts.append(f"line {self.line}" + (f":{self.column}" if self.column is not None else ""))
        return " ".join(parts) or "?"


@dataclass(frozen=True, slots=True)
class StatusRef:
    """The parts of a status URL: `twitter.com/HANDLE/status/ID[/photo|video/N]`."""

    __reduce__ = _fast_reduce

    id: str
    handle: str | None = None
    media_kind: str | None = None  #: "photo" or "video" when the URL points at one medium
    media_index: int | None = None

    @property
    def url(self) -> str:
        """The canonical form, as the tool writes status URLs everywhere."""
        return f"https://twitter.com/{self.handle or 'i/web'}/status/{self.id}"


@dataclass(frozen=True, slots=True)
class Link:
    """One link occurrence in an article."""

    __reduce__ = _fast_reduce

    url: str  #: absolute URL (a scheme-less `pic.twitter.com/X` becomes `https://pic.twitter.com/X`)
    raw: str  #: exactly as written in the article
    kind: LinkKind
    host: str  #: lower-case host, without `www.`
    where: Where
    tweet: int | None = None  #: index into ArticleScan.tweets of the tweet the link sits in
    text: str | None = None  #: anchor text, when the link is an HTML anchor
    status: StatusRef | None = None  #: for links of kind `tweet`

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "raw": self.raw,
            "kind": self.kind.value,
            "host": self.host,
            "tweet": self.tweet,
            "where": self.where.to_json(),
            "text": self.text,
            "tweet_id": self.status.id if self.status else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Link:
        """The inverse of `to_json()`. The JSON keeps only the status's ID (`tweet_id`); the rest
        of it (handle, photo/video) is read back from the URL, where the scan found it."""
        from resolver.rules import parse_status_url

        url = data["url"]
        kind = LinkKind(data["kind"])
        return cls(
            url=url,
            raw=data.get("raw", url),
            kind=kind,
            host=data["host"],
            where=Where.from_json(data.get("where") or {}),
            tweet=data.get("tweet"),
            text=data.get("text"),
            status=parse_status_url(url) if data.get("tweet_id") else None,
        )


@dataclass(frozen=True, slots=True)
class TweetEmbed:
    """A tweet as the article shows it: an embed, or a quote flattened to text."""

    __reduce__ = _fast_reduce

    id: str | None
    url: str | None
    handle: str | None
    author: str | None
    date: dt.date | None  #: the calendar date the embed shows (local to the reader it was rendered for)
    text: str | None
    lang: str | None  #: the tweet's language when the embed says it (`<p lang>`, data-lang)
    links: tuple[str, ...]  #: absolute URLs of the links inside the tweet, in order
    where: Where
    form: str  #: how it was embedded: see `resolver.detect.html.EMBED_FORMS` and "text-signature"
    date_text: str | None = None  #: the date exactly as written
    date_lang: str | None = None  #: the language the date is written in
    date_source: str | None = None  #: "signature" or "snowflake" (from the ID, UTC)
    quoted_in: int | None = None  #: index of the tweet that quotes this one (nested blockquote)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "handle": self.handle,
            "author": self.author,
            "date": self.date.isoformat() if self.date else None,
            "text": self.text,
            "lang": self.lang,
            "links": list(self.links),
            "where": self.where.to_json(),
            "form": self.form,
            "date_text": self.date_text,
            "date_lang": self.date_lang,
            "date_source": self.date_source,
            "quoted_in": self.quoted_in,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TweetEmbed:
        """The inverse of `to_json()`."""
        date = data.get("date")
        return cls(
            id=data.get("id"),
            url=data.get("url"),
            handle=data.get("handle"),
            author=data.get("author"),
            date=dt.date.fromisoformat(date) if date else None,
            text=data.get("text"),
            lang=data.get("lang"),
            links=tuple(data.get("links") or ()),
            where=Where.from_json(data.get("where") or {}),
            form=data.get("form", ""),
            date_text=data.get("date_text"),
            date_lang=data.get("date_lang"),
            date_source=data.get("date_source"),
            quoted_in=data.get("quoted_in"),
        )


@dataclass(frozen=True, slots=True)
class ArticleScan:
    """Everything the detector found in one article."""

    __reduce__ = _fast_reduce

    article: str  #: the path, URL or `-` it was read from
    format: ArticleFormat
    tweets: tuple[TweetEmbed, ...]
    links: tuple[Link, ...]
    encoding: str | None = None
    size: int = 0
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "format": self.format.value,
            "encoding": self.encoding,
            "size": self.size,
            "tweets": [t.to_json() for t in self.tweets],
            "links": [lk.to_json() for lk in self.links],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleScan:
        """The inverse of `to_json()`: a saved `resolver scan --format json|jsonl` article
        read back into the library's types (`ArticleScan.from_json(s.to_json()) == s`)."""
        return cls(
            article=data["article"],
            format=ArticleFormat(data["format"]),
            tweets=tuple(TweetEmbed.from_json(t) for t in data.get("tweets") or ()),
            links=tuple(Link.from_json(lk) for lk in data.get("links") or ()),
            encoding=data.get("encoding"),
            size=data.get("size", 0),
            warnings=tuple(data.get("warnings") or ()),
        )


@dataclass(frozen=True, slots=True)
class ScanFailure:
    """An input that could not be scanned: bad input is data, not a crash."""

    __reduce__ = _fast_reduce

    article: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "error": self.reason}


# --- Expansion ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hop:
    """One request of a chain: the URL asked, its answer, and how it led on (`via`)."""

    __reduce__ = _fast_reduce

    url: str
    status: int | None  #: the HTTP status, None when no answer came (or the hop was not fetched)
    via: Via  #: how this hop led to the next one; `final` for the last
    elapsed_ms: float | None = None  #: time to the answer's headers (and the body's first KBs if read)
    error: str | None = None  #: why the chain stopped here, when it failed on this hop

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "url": self.url,
            "status": self.status,
            "via": self.via.value,
            "elapsed_ms": self.elapsed_ms,
        }
        if self.error is not None:
            out["error"] = self.error
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Hop:
        via = data["via"]
        return cls(
            data["url"],
            data.get("status"),
            _VIAS.get(via) or Via(via),
            data.get("elapsed_ms"),
            data.get("error"),
        )


#: Slug to member, for reading cached results back (a warm rerun reads ~3 hops per link):
#: `Via(slug)` goes through the enum's metaclass, ~0.7 us a call here. An unknown slug still
#: raises ValueError, through the enum itself.
_VIAS: dict[str, Via] = {member.value: member for member in Via}
_VERDICTS: dict[str, Verdict] = {member.value: member for member in Verdict}


@dataclass(frozen=True, slots=True)
class Expansion:
    """Where one link leads: the whole chain, the final URL, and a verdict with a stable slug."""

    __reduce__ = _fast_reduce

    url: str  #: the link exactly as given
    final_url: str | None  #: where the chain ended (None when the URL itself is unusable)
    verdict: Verdict
    http_status: int | None  #: the status of the last answer received (None: none, or a tweet stop)
    hops: tuple[Hop, ...]
    reason: str  #: one line for people: why this verdict
    from_cache: bool = False
    tweet: StatusRef | None = None  #: the chain reached a tweet's status URL and stopped there
    index: int | None = None  #: the link's position in the input (output is in completion order)
    attempts: int = 1  #: requests made for the hardest hop (1 + retries)

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK

    def to_json(self) -> dict[str, Any]:
        tweet = self.tweet
        return {
            "url": self.url,
            "final_url": self.final_url,
            "verdict": self.verdict.value,
            "http_status": self.http_status,
            "reason": self.reason,
            "hops": [hop.to_json() for hop in self.hops],
            "from_cache": self.from_cache,
            "tweet": None
            if tweet is None
            else {
                "id": tweet.id,
                "handle": tweet.handle,
                "url": tweet.url,
                "media_kind": tweet.media_kind,
                "media_index": tweet.media_index,
            },
            "index": self.index,
            "attempts": self.attempts,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Expansion:
        tweet = data.get("tweet")
        return cls(
            url=data["url"],
            final_url=data.get("final_url"),
            verdict=_VERDICTS.get(data["verdict"]) or Verdict(data["verdict"]),
            http_status=data.get("http_status"),
            hops=tuple(Hop.from_json(hop) for hop in data.get("hops", ())),
            reason=data.get("reason", ""),
            from_cache=bool(data.get("from_cache", False)),
            tweet=_status_from_json(tweet) if tweet else None,
            index=data.get("index"),
            attempts=data.get("attempts", 1),
        )


def _status_from_json(data: dict[str, Any]) -> StatusRef:
    return StatusRef(data["id"], data.get("handle"), data.get("media_kind"), data.get("media_index"))


# --- Tweets --------------------------------------------------------------------------------------


class TweetState(StrEnum):
    """The fate of a tweet: a stable slug (a contract: add members, never rename them)."""

    AVAILABLE = "available"  #: a source served it
    DELETED = "deleted"  #: gone (by its author, or it never existed): the sources say "not found"
    SUSPENDED = "suspended"  #: its account is suspended
    PROTECTED = "protected"  #: its account shows its tweets to followers only
    WITHHELD = "withheld"  #: withheld (in a country, or after a copyright report)
    AGE_RESTRICTED = "age-restricted"  #: visible only to logged-in adults
    UNAVAILABLE = "unavailable"  #: no source answered usefully (transient failures): try again later
    UNIDENTIFIED = "unidentified"  #: no tweet ID could be found for the reference

    def __str__(self) -> str:
        return self.value


class IdSource(StrEnum):
    """How a tweet's ID was found (a contract, like TweetState)."""

    ID = "id"  #: given as a number
    STATUS_URL = "status-url"  #: a status URL (twitter.com/USER/status/ID in any form)
    EMBED_ID = "embed-id"  #: an embed's own ID attribute (data-tweetid, Tweet.html?id=, ...)
    TCO = "t.co"  #: a t.co link that leads to the status
    PIC = "pic.twitter.com"  #: a pic.twitter.com link that leads to the status's medium
    SHORT_LINK = "short-link"  #: another shortener's link that leads to the status
    SEARCH = "search"  #: found by handle, date and text in the Wayback Machine's captures

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class TweetMedia:
    """A photo, video or GIF of a tweet, at the best quality the source names."""

    __reduce__ = _fast_reduce

    type: str  #: "photo", "video" or "animated_gif"
    url: str  #: photos at original size (`?name=orig`); videos and GIFs: the best MP4 variant
    width: int | None = None
    height: int | None = None
    alt_text: str | None = None
    content_type: str | None = None  #: "image/jpeg", "video/mp4", ...
    bitrate: int | None = None  #: of the chosen MP4 variant, bits per second
    duration_ms: int | None = None
    preview_url: str | None = None  #: a video's poster image
    tco: str | None = None  #: the t.co link that stands for the medium in the text

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "url": self.url,
            "width": self.width,
            "height": self.height,
            "size": {"width": self.width, "height": self.height}
            if self.width is not None and self.height is not None
            else None,
            "alt_text": self.alt_text,
            "content_type": self.content_type,
            "bitrate": self.bitrate,
            "duration_ms": self.duration_ms,
            "preview_url": self.preview_url,
            "tco": self.tco,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TweetMedia:
        return cls(
            type=data["type"],
            url=data["url"],
            width=data.get("width"),
            height=data.get("height"),
            alt_text=data.get("alt_text"),
            content_type=data.get("content_type"),
            bitrate=data.get("bitrate"),
            duration_ms=data.get("duration_ms"),
            preview_url=data.get("preview_url"),
            tco=data.get("tco"),
        )


@dataclass(frozen=True, slots=True)
class TweetLink:
    """A link in a tweet's text: the t.co form the text holds, and where it leads."""

    __reduce__ = _fast_reduce

    url: str  #: as in the text (usually https://t.co/CODE)
    expanded_url: str | None  #: where it leads (None when no source and no expansion said)
    display_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "expanded_url": self.expanded_url, "display_url": self.display_url}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TweetLink:
        return cls(data["url"], data.get("expanded_url"), data.get("display_url"))


@dataclass(frozen=True, slots=True)
class Tweet:
    """A tweet as recovered: its content when a source had it, and always its state."""

    __reduce__ = _fast_reduce

    id: str
    state: TweetState
    handle: str | None = None
    author: str | None = None  #: the display name
    created_at: dt.datetime | None = None  #: UTC
    text: str | None = None  #: t.co links replaced by where they lead
    text_original: str | None = None  #: as the source gave it (t.co links kept)
    lang: str | None = None
    urls: tuple[TweetLink, ...] = ()
    media: tuple[TweetMedia, ...] = ()
    hashtags: tuple[str, ...] = ()
    quoted_id: str | None = None
    in_reply_to_id: str | None = None
    in_reply_to_handle: str | None = None
    quoted: Tweet | None = None  #: the quoted tweet, fetched one level deep
    in_reply_to: Tweet | None = None  #: the tweet replied to, fetched one level deep
    source: str | None = None  #: the source that gave the content ("syndication", "oembed", ...)
    reason: str = ""  #: one line for people: how the state was learned, or why it is unknown
    fetched_at: dt.datetime | None = None
    tried: tuple[str, ...] = ()  #: "source: outcome" for each source asked, in order
    capture_url: str | None = None  #: the Wayback capture the content came from, if it did

    @property
    def url(self) -> str:
        return f"https://twitter.com/{self.handle or 'i/web'}/status/{self.id}"

    @property
    def links(self) -> tuple[str, ...]:
        """The links of the text, expanded where known (media links are in `media`)."""
        media_links = {m.tco for m in self.media if m.tco}
        return tuple(link.expanded_url or link.url for link in self.urls if link.url not in media_links)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "handle": self.handle,
            "author": self.author,
            "created_at": _iso_utc(self.created_at),
            "text": self.text,
            "text_original": self.text_original,
            "lang": self.lang,
            "links": list(self.links),
            "urls": [link.to_json() for link in self.urls],
            "media": [m.to_json() for m in self.media],
            "hashtags": list(self.hashtags),
            "quoted_id": self.quoted_id,
            "in_reply_to_id": self.in_reply_to_id,
            "in_reply_to_handle": self.in_reply_to_handle,
            "quoted": self.quoted.to_json() if self.quoted else None,
            "in_reply_to": self.in_reply_to.to_json() if self.in_reply_to else None,
            "state": self.state.value,
            "source": self.source,
            "reason": self.reason,
            "fetched_at": _iso_utc(self.fetched_at),
            "tried": list(self.tried),
            "capture_url": self.capture_url,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tweet:
        return cls(
            id=str(data["id"]),
            state=TweetState(data["state"]),
            handle=data.get("handle"),
            author=data.get("author"),
            created_at=_parse_utc(data.get("created_at")),
            text=data.get("text"),
            text_original=data.get("text_original"),
            lang=data.get("lang"),
            urls=tuple(TweetLink.from_json(u) for u in data.get("urls") or ()),
            media=tuple(TweetMedia.from_json(m) for m in data.get("media") or ()),
            hashtags=tuple(data.get("hashtags") or ()),
            quoted_id=data.get("quoted_id"),
            in_reply_to_id=data.get("in_reply_to_id"),
            in_reply_to_handle=data.get("in_reply_to_handle"),
            quoted=cls.from_json(data["quoted"]) if data.get("quoted") else None,
            in_reply_to=cls.from_json(data["in_reply_to"]) if data.get("in_reply_to") else None,
            source=data.get("source"),
            reason=data.get("reason", ""),
            fetched_at=_parse_utc(data.get("fetched_at")),
            tried=tuple(data.get("tried") or ()),
            capture_url=data.get("capture_url"),
        )


@dataclass(frozen=True, slots=True)
class TweetCandidate:
    """A tweet the search considered for a quote: its ID and how well its text matched."""

    __reduce__ = _fast_reduce

    id: str
    score: float  #: 0..1, text similarity after normalisation
    url: str | None = None  #: the captured status URL
    text: str | None = None
    capture: str | None = None  #: the Wayback timestamp of the capture it was found in

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TweetCandidate:
        return cls(
            str(data["id"]), float(data["score"]), data.get("url"), data.get("text"), data.get("capture")
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": self.score,
            "url": self.url,
            "text": self.text,
            "capture": self.capture,
        }


@dataclass(frozen=True, slots=True)
class TweetLookup:
    """One reference to a tweet, identified and fetched: what `resolver tweet` prints a line of."""

    __reduce__ = _fast_reduce

    ref: str  #: as given (an ID, a URL, or "handle@date" for a quote found by search)
    tweet: Tweet | None  #: None when no ID was found
    id_source: IdSource | None = None
    confidence: float | None = None  #: 1.0 for an ID read off a URL; the match score for a search
    candidates: tuple[TweetCandidate, ...] = ()  #: a search's best candidates (all when unsure)
    media_index: int | None = None  #: the medium a /photo/N or /video/N link pointed at
    reason: str = ""  #: why there is no tweet, or how it was identified
    warnings: tuple[str, ...] = ()
    from_cache: bool = False
    index: int | None = None  #: the reference's position in the input

    @property
    def state(self) -> TweetState:
        return self.tweet.state if self.tweet is not None else TweetState.UNIDENTIFIED

    def to_json(self) -> dict[str, Any]:
        # Every record key on every line, whatever the fate: a reference that names no tweet
        # has the same keys as a found one, null or empty (scripts read them without a guard).
        record: dict[str, Any] = (
            self.tweet.to_json()
            if self.tweet is not None
            else {
                **_empty_tweet_record(),
                "state": TweetState.UNIDENTIFIED.value,
                "reason": self.reason,
            }
        )
        return {
            "ref": self.ref,
            **record,
            "id_source": self.id_source.value if self.id_source else None,
            "confidence": self.confidence,
            "candidates": [c.to_json() for c in self.candidates],
            "media_index": self.media_index,
            "warnings": list(self.warnings),
            "from_cache": self.from_cache,
            "lookup_reason": self.reason,
        }


@lru_cache(maxsize=1)
def _empty_tweet_record_cached() -> tuple[tuple[str, Any], ...]:
    data = Tweet("0", TweetState.UNIDENTIFIED).to_json()
    data.update({"id": None, "url": None, "fetched_at": None})
    return tuple(data.items())


def _empty_tweet_record() -> dict[str, Any]:
    """A tweet record's keys, each null or empty (fresh lists: callers may change them)."""
    return {k: (list(v) if isinstance(v, list) else v) for k, v in _empty_tweet_record_cached()}


@dataclass(frozen=True, slots=True)
class EmbeddedTweet:
    """A tweet embedded in an article (the scan's view) with what was recovered of it."""

    __reduce__ = _fast_reduce

    embed: TweetEmbed
    lookup: TweetLookup
    index: int  #: its position in the article's `tweets`

    def to_json(self) -> dict[str, Any]:
        data = self.embed.to_json()
        tweet = self.lookup.tweet
        if tweet is not None:
            data["id"] = tweet.id
            data["url"] = data["url"] or tweet.url
        data.update(
            {
                "index": self.index,
                "id_source": self.lookup.id_source.value if self.lookup.id_source else None,
                "confidence": self.lookup.confidence,
                "state": self.lookup.state.value,
                "reason": tweet.reason if tweet is not None else self.lookup.reason,
                "candidates": [c.to_json() for c in self.lookup.candidates],
                "media_index": self.lookup.media_index,
                "warnings": list(self.lookup.warnings),
                "record": tweet.to_json() if tweet is not None else None,
            }
        )
        return data


@dataclass(frozen=True, slots=True)
class ArticleTweets:
    """Every tweet embedded in one article, recovered: what `resolver tweets` prints."""

    __reduce__ = _fast_reduce

    article: str
    tweets: tuple[EmbeddedTweet, ...]

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "tweets": [t.to_json() for t in self.tweets]}


def _iso_utc(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _parse_utc(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
