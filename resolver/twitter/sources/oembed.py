"""Source 2: oEmbed, the publish endpoint that gives sites the embed markup (no key).

Why second: it is a different service from syndication, so it often answers when that one
is down or rate-limited, and its errors separate fates that syndication's 404 leaves open.

    GET https://publish.twitter.com/oembed?url=https://twitter.com/USER/status/ID&omit_script=1&dnt=true

The JSON's `html` is the `blockquote.twitter-tweet`: the text (links as t.co hrefs with
their display text), then `— Name (@handle) <a href=".../status/ID">date</a>` with a date
localized to `lang`. No media URLs, no expanded links (the caller expands the t.co links),
and the date is a calendar date: the time comes from the snowflake ID instead.

Known failure modes: `404` for a deleted or never-existing tweet (and for suspended
accounts); `403` for a protected account's tweet (the exact body is not documented);
rate limiting (429) and 5xx are transient.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from resolver.fetch import Fetcher
from resolver.models import Tweet, TweetLink, TweetState
from resolver.snowflake import snowflake_time
from resolver.twitter.sources import Outcome, SourceAnswer, TweetKey, as_str, failed

ENDPOINT = "https://publish.twitter.com/oembed"
_HANDLE_RE = re.compile(r"(?:twitter|x)\.com/(?P<handle>[A-Za-z0-9_]{1,20})/?$", re.IGNORECASE)
_TCO_RE = re.compile(r"^https?://t\.co/\w+$", re.IGNORECASE)


def request_url(key: TweetKey, lang: str = "en") -> str:
    query = urllib.parse.urlencode({"url": key.url, "omit_script": "1", "dnt": "true", "lang": lang})
    return f"{ENDPOINT}?{query}"


class OEmbedSource:
    name = "oembed"
    archival = False

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    async def fetch(self, key: TweetKey, fetcher: Fetcher) -> SourceAnswer:
        reply = await fetcher.get(request_url(key, self.lang), accept="application/json")
        if reply.failure is not None or reply.status is None:
            return failed(reply)
        if reply.status == 404:
            return SourceAnswer(
                Outcome.GONE, state=TweetState.DELETED, reason="HTTP 404 (deleted or never existed)",
                requests=reply.requests,
            )  # fmt: skip
        if reply.status == 403:
            return SourceAnswer(
                Outcome.GONE, state=TweetState.PROTECTED, reason="HTTP 403 (a protected account)",
                requests=reply.requests,
            )  # fmt: skip
        if reply.status != 200:
            return failed(reply, "unexpected status")
        data = reply.json()
        if not isinstance(data, dict) or not isinstance(data.get("html"), str):
            return failed(reply, "no embed markup in the answer")
        tweet = parse(data, key)
        if tweet is None:
            return failed(reply, "the embed markup holds no tweet text")
        return SourceAnswer(Outcome.FOUND, tweet=tweet, requests=reply.requests)


def parse(data: dict[str, Any], key: TweetKey) -> Tweet | None:
    """A `Tweet` from an oEmbed answer (pure: tested on recorded shapes)."""
    soup = BeautifulSoup(data["html"], "lxml")
    paragraph = soup.find("p")
    if not isinstance(paragraph, Tag):
        return None
    original, links = _text_and_links(paragraph)
    handle = key.handle
    author_url = as_str(data.get("author_url"))
    if author_url:
        m = _HANDLE_RE.search(author_url)
        if m:
            handle = m["handle"]
    return Tweet(
        id=key.id,
        state=TweetState.AVAILABLE,
        handle=handle,
        author=as_str(data.get("author_name")),
        created_at=snowflake_time(key.id),
        text=original,  # the caller replaces t.co links once it has expanded them
        text_original=original,
        lang=as_str(paragraph.get("lang")),
        urls=tuple(links),
        hashtags=tuple(
            a.get_text().lstrip("#＃")
            for a in paragraph.find_all("a")
            if isinstance(a, Tag) and "/hashtag/" in str(a.get("href", ""))
        ),
        source="oembed",
    )


def _text_and_links(paragraph: Tag) -> tuple[str, list[TweetLink]]:
    """The tweet's text as typed: a t.co anchor is its href (the display text is truncated),
    any other anchor its text (#hashtags, @mentions), `<br>` a line break."""
    parts: list[str] = []
    links: list[TweetLink] = []
    for node in paragraph.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
            elif node.name == "a":
                href = str(node.get("href", ""))
                if _TCO_RE.match(href):
                    parts.append(href)
                    links.append(TweetLink(href, None, node.get_text().strip() or None))
            continue
        if isinstance(node, NavigableString):
            parent = node.parent
            inside_tco = False
            while parent is not None and parent is not paragraph:
                if parent.name == "a" and _TCO_RE.match(str(parent.get("href", ""))):
                    inside_tco = True
                    break
                parent = parent.parent
            if not inside_tco:
                parts.append(str(node))
    text = "".join(parts)
    text = re.sub(r"[ \t]+\n", "\n", text).strip()
    return text, links


__all__ = ["ENDPOINT", "OEmbedSource", "parse", "request_url"]
