"""The typed data that flows between the pipeline's stages.

Every stage takes and returns these frozen dataclasses; nothing passes dicts of dicts.
`to_json()` gives the documented machine-readable shape (the field names are a
contract that users' scripts rely on: add to them, never rename).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from resolver.expander.verdicts import Verdict, Via


def _fast_reduce(self: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle as (class, field values): frozen slots dataclasses otherwise unpickle field by
    field through object.__setattr__, which made moving results between worker processes
    cost more than scanning them (measured: 2 workers slower than 1)."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))


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
        return cls(
            data["url"], data.get("status"), Via(data["via"]), data.get("elapsed_ms"), data.get("error")
        )


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
            verdict=Verdict(data["verdict"]),
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
