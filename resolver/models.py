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
