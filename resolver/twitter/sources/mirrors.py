"""Source 3: public mirrors of Twitter's API (FxTwitter, vxTwitter and instances like them).

Why third: they answer from Twitter's own backend, often with media when the first two
cannot (and for some tweets the embed endpoints refuse), but they are third parties that
come and go: configurable (`--mirror TEMPLATE`, repeatable), and off with `--no-mirrors`.

A mirror is a URL template with `{handle}` and `{id}`; the answer's shape says which
parser reads it:
- FxTwitter (`api.fxtwitter.com/USER/status/ID`, any USER works): `{"code": 200, "message":
  "OK", "tweet": {...}}`; errors as `code` 401 (`PRIVATE_TWEET`), 404 (`NOT_FOUND`) and 500
  (`API_FAILURE`), in the HTTP status and in the body. It wants a user agent.
- vxTwitter (`api.vxtwitter.com/USER/status/ID`): a flat object (`text`, `date_epoch`,
  `user_screen_name`, `media_extended`, ...); errors as non-200 answers.
Nitter instances are mostly gone since 2024 and serve HTML: not supported.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from resolver.fetch import Fetcher
from resolver.models import Tweet, TweetLink, TweetMedia, TweetState
from resolver.snowflake import snowflake_time
from resolver.twitter.sources import (
    Outcome,
    SourceAnswer,
    TweetKey,
    as_int,
    as_str,
    failed,
    orig_photo_url,
    photo_type,
    utc_from_epoch,
    utc_from_text,
)

DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://api.fxtwitter.com/{handle}/status/{id}",
    "https://api.vxtwitter.com/{handle}/status/{id}",
)


def check_template(template: str) -> str | None:
    """Why `template` cannot be a mirror (None: it can)."""
    if "{id}" not in template:
        return "a mirror template needs {id} (and may use {handle})"
    try:
        parsed = urllib.parse.urlsplit(template.replace("{handle}", "x").replace("{id}", "1"))
    except ValueError as exc:
        return f"not a URL: {exc}"
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "a mirror template must be an http(s) URL"
    return None


class MirrorSource:
    archival = False

    def __init__(self, template: str) -> None:
        self.template = template
        host = urllib.parse.urlsplit(template.replace("{handle}", "x").replace("{id}", "1")).hostname
        self.name = host or "mirror"

    async def fetch(self, key: TweetKey, fetcher: Fetcher) -> SourceAnswer:
        url = self.template.replace("{handle}", urllib.parse.quote(key.handle or "i")).replace("{id}", key.id)
        reply = await fetcher.get(url, accept="application/json")
        if reply.status is None:
            return failed(reply)
        data = reply.json()
        code = as_int(data.get("code")) if isinstance(data, dict) else None
        status = code if code is not None and code != 200 else reply.status
        if status in (401, 403):
            return SourceAnswer(
                Outcome.GONE, state=TweetState.PROTECTED, reason=_said(reply.status, data),
                requests=reply.requests,
            )  # fmt: skip
        if status in (404, 410):
            return SourceAnswer(Outcome.NOT_FOUND, reason=_said(reply.status, data), requests=reply.requests)
        if reply.failure is not None or status != 200 or not isinstance(data, dict):
            return failed(reply, _said(reply.status, data))
        tweet = parse(data, key, source=self.name)
        if tweet is None:
            return failed(reply, "an answer of an unknown shape")
        if tweet.id != key.id:
            return failed(reply, f"the answer is about tweet {tweet.id}, not {key.id}")
        return SourceAnswer(Outcome.FOUND, tweet=tweet, requests=reply.requests)


def parse(data: dict[str, Any], key: TweetKey, *, source: str = "mirror") -> Tweet | None:
    """A `Tweet` from an FxTwitter- or vxTwitter-shaped answer (pure)."""
    if isinstance(data.get("tweet"), dict):
        return _fx(data["tweet"], key, source)
    if "tweetID" in data or "user_screen_name" in data:
        return _vx(data, key, source)
    return None


def _fx(tweet: dict[str, Any], key: TweetKey, source: str, *, nested: bool = True) -> Tweet:
    author = tweet.get("author") if isinstance(tweet.get("author"), dict) else {}
    raw = tweet.get("raw_text") if isinstance(tweet.get("raw_text"), dict) else {}
    text = as_str(tweet.get("text")) or ""
    original = as_str(raw.get("text")) or text
    links = [
        TweetLink(str(f["original"]), as_str(f.get("replacement")), as_str(f.get("display")))
        for f in _dicts(raw.get("facets"))
        if f.get("type") == "url" and as_str(f.get("original"))
    ]
    media_block = tweet.get("media") if isinstance(tweet.get("media"), dict) else {}
    media: list[TweetMedia] = []
    for photo in _dicts(media_block.get("photos")):
        url = as_str(photo.get("url"))
        if url:
            width, height = as_int(photo.get("width")), as_int(photo.get("height"))
            alt = as_str(photo.get("altText"))
            media.append(TweetMedia("photo", orig_photo_url(url), width, height, alt, photo_type(url)))
    for video in _dicts(media_block.get("videos")):
        url = as_str(video.get("url"))
        if url:
            duration = video.get("duration")
            media.append(
                TweetMedia(
                    "animated_gif" if video.get("type") == "gif" else "video",
                    url,
                    as_int(video.get("width")),
                    as_int(video.get("height")),
                    as_str(video.get("altText")),
                    as_str(video.get("format")) or "video/mp4",
                    duration_ms=int(float(duration) * 1000) if isinstance(duration, (int, float)) else None,
                    preview_url=as_str(video.get("thumbnail_url")),
                )
            )
    quote = tweet.get("quote")
    tweet_id = as_str(tweet.get("id")) or key.id
    return Tweet(
        id=tweet_id,
        state=TweetState.AVAILABLE,
        handle=as_str(author.get("screen_name")) or key.handle,
        author=as_str(author.get("name")),
        created_at=utc_from_epoch(tweet.get("created_timestamp")) or utc_from_text(tweet.get("created_at"))
        or snowflake_time(tweet_id),
        text=text,
        text_original=original,
        lang=as_str(tweet.get("lang")),
        urls=tuple(links),
        media=tuple(media),
        quoted_id=as_str(quote.get("id")) if isinstance(quote, dict) else None,
        in_reply_to_id=as_str(tweet.get("replying_to_status")),
        in_reply_to_handle=as_str(tweet.get("replying_to")),
        quoted=_fx(quote, TweetKey(str(quote.get("id"))), source, nested=False)
        if nested and isinstance(quote, dict) and as_str(quote.get("id"))
        else None,
        source=source,
    )  # fmt: skip


def _vx(data: dict[str, Any], key: TweetKey, source: str) -> Tweet:
    media: list[TweetMedia] = []
    for item in _dicts(data.get("media_extended")):
        url = as_str(item.get("url"))
        if not url:
            continue
        size = item.get("size") if isinstance(item.get("size"), dict) else {}
        kind = {"image": "photo", "gif": "animated_gif"}.get(str(item.get("type")), "video")
        media.append(
            TweetMedia(
                kind,
                orig_photo_url(url) if kind == "photo" else url,
                as_int(size.get("width")),
                as_int(size.get("height")),
                as_str(item.get("altText")),
                photo_type(url) if kind == "photo" else "video/mp4",
                duration_ms=as_int(item.get("duration_millis")),
                preview_url=as_str(item.get("thumbnail_url")) if kind != "photo" else None,
            )
        )
    tweet_id = as_str(data.get("tweetID")) or key.id
    qrt = data.get("qrt")
    text = as_str(data.get("text")) or ""
    return Tweet(
        id=tweet_id,
        state=TweetState.AVAILABLE,
        handle=as_str(data.get("user_screen_name")) or key.handle,
        author=as_str(data.get("user_name")),
        created_at=utc_from_epoch(data.get("date_epoch")) or snowflake_time(tweet_id),
        text=text,
        text_original=text,
        lang=as_str(data.get("lang")),
        media=tuple(media),
        hashtags=tuple(str(h) for h in data.get("hashtags") or () if isinstance(h, str)),
        quoted_id=as_str(qrt.get("tweetID")) if isinstance(qrt, dict) else None,
        in_reply_to_id=as_str(data.get("replyingToID")),
        in_reply_to_handle=as_str(data.get("replyingTo")),
        source=source,
    )


def _said(status: int | None, data: Any) -> str:
    message = as_str(data.get("message")) if isinstance(data, dict) else None
    return f"HTTP {status}" + (f" {message}" if message else "")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


__all__ = ["DEFAULT_MIRRORS", "MirrorSource", "check_template", "parse"]
