"""Source 4: the Wayback Machine's capture of the status page. The last resort.

Why last: it is slow, rate-limited, and says nothing about the tweet's fate today, but it
is the only source that still has a deleted tweet's text (or a suspended account's).

The capture is asked as `web.archive.org/web/TIMESTAMPid_/https://twitter.com/USER/status/ID`
(`id_`: the bytes as captured); a timestamp that is not a capture's redirects to the
nearest one. A search (`search.py`) that found the tweet passes the capture it found.
A twitter.com status page of the 2010s holds the tweet in `div.permalink-tweet`
(`data-tweet-id`, `data-screen-name`, `data-name`), the text in `p.tweet-text` with links
as `a[data-expanded-url]`, the time in `span._timestamp[data-time]`, photos in
`[data-image-url]`, and a copy of the text in `<meta property="og:description"
content="“...”">`. Captures from after 2020 are script-only pages: only their meta tags are
read, and a capture with none of the above is `failed`.

Known failure modes: no capture (`404`, of twitter.com and then of mobile.twitter.com, which
the Wayback keys apart): `not-found`; the handle unknown (an `i/web`
reference): the capture cannot be named, `failed`; 429 and 5xx: transient.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bs4 import BeautifulSoup, NavigableString, Tag

from resolver.fetch import Fetcher
from resolver.models import Tweet, TweetLink, TweetMedia, TweetState
from resolver.snowflake import snowflake_time
from resolver.twitter.sources import (
    Outcome,
    SourceAnswer,
    TweetKey,
    as_str,
    failed,
    orig_photo_url,
    photo_type,
    utc_from_epoch,
)
from resolver.wayback import fetch_capture, format_timestamp

_OG_TITLE_RE = re.compile(
    r"^(?P<name>.+?) (?:on Twitter|on X|no Twitter|en Twitter|sur Twitter|auf Twitter)$"
)
#: `<title>Name on Twitter: "text"</title>`, the title of status pages of the 2010s.
_TITLE_RE = re.compile(r'^(?P<name>.+?) on (?:Twitter|X): [“"](?P<text>.*)[”"]$', re.DOTALL)
_QUOTED_RE = re.compile(r"^[“\"](?P<text>.*)[”\"]$", re.DOTALL)


class WaybackSource:
    name = "wayback"
    archival = True

    async def fetch(self, key: TweetKey, fetcher: Fetcher) -> SourceAnswer:
        if key.capture is not None:
            reply = await fetcher.get(key.capture.replay_url, follow=3, max_bytes=4 << 20)
        elif key.handle:
            # The capture nearest the tweet's own time shows it as it was posted.
            minted = snowflake_time(key.id)
            stamp = format_timestamp(minted) if minted else "2"
            reply = await fetch_capture(fetcher, key.url, stamp)
            if reply.status == 404:
                # The Wayback keys mobile.twitter.com apart from twitter.com, and many tweets
                # of the 2010s were only ever captured there (shared from phones): one more
                # request, only for a tweet no live source has.
                spent = reply.requests
                reply = await fetch_capture(
                    fetcher, key.url.replace("://twitter.com/", "://mobile.twitter.com/", 1), stamp
                )
                reply = replace(reply, requests=reply.requests + spent)
        else:
            return SourceAnswer(Outcome.FAILED, reason="no handle to name the status page's capture by")
        if reply.status == 404:
            return SourceAnswer(
                Outcome.NOT_FOUND, reason="no capture of the status page", requests=reply.requests
            )
        if reply.failure is not None or reply.status != 200:
            return failed(reply)
        tweet = parse(reply.text(), key)
        if tweet is None:
            return failed(reply, "the capture holds no tweet text (a script-only page)")
        return SourceAnswer(
            Outcome.FOUND,
            tweet=replace(tweet, capture_url=reply.final_url),
            requests=reply.requests,
        )


def parse(page: str, key: TweetKey) -> Tweet | None:
    """A `Tweet` from a captured status page (pure). Its state is left AVAILABLE: the caller
    knows the fate from the live sources."""
    soup = BeautifulSoup(page, "lxml")
    container = soup.find(attrs={"data-tweet-id": key.id})
    if not isinstance(container, Tag):
        container = soup.find(class_="permalink-tweet")
    paragraph = container.find("p", class_="tweet-text") if isinstance(container, Tag) else None
    if not isinstance(paragraph, Tag):
        paragraph = soup.find("p", class_="tweet-text")
    if not isinstance(paragraph, Tag):
        # mobile.twitter.com of the 2010s: `div.tweet-text[data-id]` around a `div.dir-ltr`.
        mobile = soup.find("div", class_="tweet-text", attrs={"data-id": key.id}) or soup.find(
            "div", class_="tweet-text"
        )
        if isinstance(mobile, Tag):
            inner = mobile.find("div", class_="dir-ltr")
            paragraph = inner if isinstance(inner, Tag) else mobile
            table = mobile.find_parent("table", class_="main-tweet")
            if isinstance(table, Tag):
                container = table
    handle = key.handle
    author = None
    created = None
    media: list[TweetMedia] = []
    if isinstance(container, Tag):
        handle = as_str(container.get("data-screen-name")) or handle
        author = as_str(container.get("data-name"))
        fullname = container.find(class_="fullname")
        if author is None and isinstance(fullname, Tag):
            author = as_str(fullname.get_text())
        username = container.find(class_="username")
        if isinstance(username, Tag) and not container.get("data-screen-name"):
            handle = as_str(username.get_text().strip().lstrip("@")) or handle
        stamp = container.find(attrs={"data-time": True})
        if isinstance(stamp, Tag):
            created = utc_from_epoch(stamp.get("data-time"))
        images = [str(n["data-image-url"]) for n in container.find_all(attrs={"data-image-url": True})]
        if not images:  # the mobile layout: <div class="media"><img src="...:small">
            images = [str(img["src"]) for img in container.select("div.media img[src]")]
        for url in images:
            media.append(TweetMedia("photo", orig_photo_url(url), content_type=photo_type(url)))
    if isinstance(paragraph, Tag):
        original, text, links = _paragraph(paragraph)
        lang = as_str(paragraph.get("lang"))
    else:
        description = _meta(soup, "og:description")
        title = soup.title.get_text() if soup.title else ""
        titled = _TITLE_RE.match(title.strip())
        if description:
            m = _QUOTED_RE.match(description.strip())
            original = text = m["text"] if m else description.strip()
        elif titled:
            original = text = titled["text"]
        else:
            return None
        if author is None and titled:
            author = titled["name"]
        links, lang = [], None
    if author is None:
        title = _meta(soup, "og:title")
        m = _OG_TITLE_RE.match(title or "")
        author = m["name"] if m else None
    return Tweet(
        id=key.id,
        state=TweetState.AVAILABLE,
        handle=handle,
        author=author,
        created_at=created or snowflake_time(key.id),
        text=text,
        text_original=original,
        lang=lang,
        urls=tuple(links),
        media=tuple(media),
        hashtags=tuple(
            a.get_text().lstrip("#＃")
            for a in (paragraph.find_all("a", class_="twitter-hashtag") if isinstance(paragraph, Tag) else ())
            if isinstance(a, Tag)
        ),
        source="wayback",
    )


def _paragraph(paragraph: Tag) -> tuple[str, str, list[TweetLink]]:
    """(text with t.co links, text with expanded links, the links) of a `p.tweet-text`."""
    original: list[str] = []
    expanded: list[str] = []
    links: list[TweetLink] = []
    for node in paragraph.children:
        if isinstance(node, NavigableString):
            original.append(str(node))
            expanded.append(str(node))
        elif isinstance(node, Tag):
            if node.name == "br":
                original.append("\n")
                expanded.append("\n")
                continue
            href = str(node.get("href", "")) if node.name == "a" else ""
            target = None
            if node.name == "a":  # desktop pages say data-expanded-url, mobile ones data-url
                target = as_str(node.get("data-expanded-url")) or as_str(node.get("data-url"))
            if href.startswith(("https://t.co/", "http://t.co/")):
                links.append(TweetLink(href, target, as_str(node.get_text()) or None))
                original.append(href)
                expanded.append(target or href)
            elif "u-hidden" in (node.get("class") or []):
                continue  # the media's pic.twitter.com link, hidden on the page
            else:
                piece = node.get_text()
                original.append(piece)
                expanded.append(piece)
    return "".join(original).strip(), "".join(expanded).strip(), links


def _meta(soup: BeautifulSoup, prop: str) -> str | None:
    tag = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
    return as_str(tag.get("content")) if isinstance(tag, Tag) else None


__all__ = ["WaybackSource", "parse"]
