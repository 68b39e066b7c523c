"""Source 1: the syndication endpoint Twitter's embed widget reads (no key, no login).

Why first: one request gives the whole record (text, entities with expanded URLs, author,
UTC time, photos, video variants, the quoted tweet) and, for a tweet that is not there, a
tombstone saying why.

    GET https://cdn.syndication.twimg.com/tweet-result?id=ID&lang=en&token=TOKEN

Known failure modes:
- Not available comes in three shapes: `404` (with or without a body), `200` with an empty
  body or `{}`, and `200` with `{"__typename": "TweetTombstone", "tombstone": {"text":
  {"text": "..."}}}`, whose text says why (suspended account, deleted, withheld, age
  restriction, protected). A 404, `{}` and a tombstone whose text says no more than "This
  Post is unavailable" (or has no text) do not say which: `not-found`, and the next source
  is asked.
- The token is computed by the widget from the ID (`token.py`); reports say the service
  accepts any token today, but the right one is sent.
- Text comes HTML-escaped (`&amp;`); the media's t.co link is at the end of it.
- Rate limiting (429) and 5xx are transient: the fetcher retries, then `failed`.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from typing import Any

from resolver.fetch import Fetcher
from resolver.models import Tweet, TweetLink, TweetMedia, TweetState
from resolver.twitter.sources import (
    Outcome,
    SourceAnswer,
    TweetKey,
    as_int,
    as_str,
    failed,
    fate_from_text,
    orig_photo_url,
    photo_type,
    utc_from_text,
)
from resolver.twitter.token import syndication_token

ENDPOINT = "https://cdn.syndication.twimg.com/tweet-result"


def request_url(tweet_id: str, lang: str = "en") -> str:
    query = urllib.parse.urlencode({"id": tweet_id, "lang": lang, "token": syndication_token(tweet_id)})
    return f"{ENDPOINT}?{query}"


class SyndicationSource:
    name = "syndication"
    archival = False

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    async def fetch(self, key: TweetKey, fetcher: Fetcher) -> SourceAnswer:
        reply = await fetcher.get(request_url(key.id, self.lang), accept="application/json")
        if reply.failure is not None or reply.status is None:
            return failed(reply)
        if reply.status == 404:
            return SourceAnswer(Outcome.NOT_FOUND, reason="HTTP 404", requests=reply.requests)
        if reply.status != 200:
            return failed(reply, "unexpected status")
        if not reply.body.strip():
            return SourceAnswer(Outcome.NOT_FOUND, reason="an empty answer", requests=reply.requests)
        data = reply.json()
        if not isinstance(data, dict):
            return failed(reply, "the answer is not a JSON object")
        answer = parse(data, key)
        return SourceAnswer(answer.outcome, answer.tweet, answer.state, answer.reason, reply.requests)


def parse(data: dict[str, Any], key: TweetKey) -> SourceAnswer:
    """The answer a syndication JSON document stands for (pure: tested on recorded shapes)."""
    if not data:
        return SourceAnswer(Outcome.NOT_FOUND, reason="an empty object {}")
    kind = data.get("__typename")
    if kind == "TweetTombstone" or "tombstone" in data:
        text = _tombstone_text(data)
        state = fate_from_text(text)
        if state is None:
            # "This Post is unavailable" (what the widget shows for a tweet that never existed),
            # a bare {"__typename": "TweetTombstone"} (seen for sensitive media), or a wording
            # not in FATE_PHRASES: a tombstone that does not say why states no fate. The next
            # sources are asked; oEmbed's 404 / 403 tell deleted from protected.
            why = f"a tombstone that does not say why: {text}" if text else "a tombstone without text"
            return SourceAnswer(Outcome.NOT_FOUND, reason=why)
        return SourceAnswer(Outcome.GONE, state=state, reason=f"tombstone: {text}")
    if kind == "TweetUnavailable":
        # The GraphQL API's form of the same answer, with a `reason` word ("Suspended",
        # "Protected", "NsfwLoggedOut"...) when it gives one.
        reason = as_str(data.get("reason")) or ""
        fate = fate_from_text(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", reason)) if reason else None
        if fate is None:
            return SourceAnswer(Outcome.NOT_FOUND, reason=f"TweetUnavailable {reason}".strip())
        return SourceAnswer(Outcome.GONE, state=fate, reason=f"TweetUnavailable: {reason}")
    if kind not in (None, "Tweet") or not as_str(data.get("id_str")) or "text" not in data:
        return SourceAnswer(
            Outcome.FAILED, reason=f"an answer of an unknown shape ({kind or 'no __typename'})"
        )
    tweet = to_tweet(data, key.handle)
    if tweet.id != key.id:
        return SourceAnswer(Outcome.FAILED, reason=f"the answer is about tweet {tweet.id}, not {key.id}")
    return SourceAnswer(Outcome.FOUND, tweet=tweet)


def to_tweet(data: dict[str, Any], handle_hint: str | None = None, *, nested: bool = True) -> Tweet:
    """A `Tweet` from a syndication tweet object (the quoted tweet one level deep)."""
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    entities = data.get("entities") if isinstance(data.get("entities"), dict) else {}
    original = html.unescape(str(data.get("text") or ""))
    links: list[TweetLink] = []
    for item in _dicts(entities.get("urls")):
        if as_str(item.get("url")):
            links.append(
                TweetLink(str(item["url"]), as_str(item.get("expanded_url")), as_str(item.get("display_url")))
            )
    media = tuple(_media(item) for item in _dicts(data.get("mediaDetails")))
    media_links = [
        TweetLink(str(item["url"]), as_str(item.get("expanded_url")), as_str(item.get("display_url")))
        for item in _dicts(entities.get("media") or data.get("mediaDetails"))
        if as_str(item.get("url"))
    ]
    for link in media_links:
        if all(link.url != known.url for known in links):
            links.append(link)
    text = original
    for link in links:
        if link.expanded_url:
            text = text.replace(link.url, link.expanded_url)
    quoted = data.get("quoted_tweet")
    quoted_tweet = (
        to_tweet(quoted, nested=False)
        if nested and isinstance(quoted, dict) and quoted.get("id_str")
        else None
    )
    return Tweet(
        id=str(data.get("id_str")),
        state=TweetState.AVAILABLE,
        handle=as_str(user.get("screen_name")) or handle_hint,
        author=as_str(user.get("name")),
        created_at=utc_from_text(data.get("created_at")),
        text=text,
        text_original=original,
        lang=as_str(data.get("lang")),
        urls=tuple(links),
        media=media,
        hashtags=tuple(str(h["text"]) for h in _dicts(entities.get("hashtags")) if as_str(h.get("text"))),
        quoted_id=as_str(data.get("quoted_tweet_id_str"))
        or (as_str(quoted.get("id_str")) if isinstance(quoted, dict) else None),
        in_reply_to_id=as_str(data.get("in_reply_to_status_id_str")),
        in_reply_to_handle=as_str(data.get("in_reply_to_screen_name")),
        quoted=quoted_tweet,
        source="syndication",
    )


def _media(item: dict[str, Any]) -> TweetMedia:
    kind = as_str(item.get("type")) or "photo"
    info = item.get("original_info") if isinstance(item.get("original_info"), dict) else {}
    width, height = as_int(info.get("width")), as_int(info.get("height"))
    image = as_str(item.get("media_url_https")) or as_str(item.get("media_url")) or ""
    alt = as_str(item.get("ext_alt_text"))
    tco = as_str(item.get("url"))
    if kind == "photo":
        return TweetMedia("photo", orig_photo_url(image), width, height, alt, photo_type(image), tco=tco)
    video = item.get("video_info") if isinstance(item.get("video_info"), dict) else {}
    best = best_mp4(_dicts(video.get("variants")))
    return TweetMedia(
        kind,
        (as_str(best.get("url")) or image) if best else image,
        width,
        height,
        alt,
        "video/mp4" if best else photo_type(image),
        bitrate=as_int(best.get("bitrate")) if best else None,
        duration_ms=as_int(video.get("duration_millis")),
        preview_url=orig_photo_url(image) if image else None,
        tco=tco,
    )


def best_mp4(variants: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The MP4 variant with the highest bitrate (HLS playlists are not files to keep)."""
    mp4s = [v for v in variants if str(v.get("content_type", "")).lower() == "video/mp4" and v.get("url")]
    if not mp4s:
        return None
    return max(mp4s, key=lambda v: as_int(v.get("bitrate")) or 0)


def _tombstone_text(data: dict[str, Any]) -> str:
    tombstone = data.get("tombstone")
    if isinstance(tombstone, dict):
        text = tombstone.get("text")
        if isinstance(text, dict):
            return str(text.get("text") or "").strip()
        if isinstance(text, str):
            return text.strip()
    return ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


__all__ = ["ENDPOINT", "SyndicationSource", "best_mp4", "parse", "request_url", "to_tweet"]
