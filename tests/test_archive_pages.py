"""The HTML views of an archive folder: safe with hostile input, self-contained, faithful.

Every page is parsed back with lxml and checked for what must never be there: a script, an
event handler attribute, a javascript: href, a remote src. robust_html is checked to change
nothing but the anchors' start tags, robust_text to show the text to the byte.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import etree
from lxml import html as lxml_html

from resolver.archive.pages import (
    CSP,
    RobustLink,
    local_href,
    render_index,
    render_tweet_card,
    robust_html,
    robust_text,
    verdict_tone,
    web_href,
)

RUN = "20261129T120000Z"
XSS = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(2)>'

MANIFEST: dict[str, Any] = {
    "manifest_version": 1,
    "tool": {"name": "resolver", "version": "0.1.0"},
    "article": {
        "source": "https://news.example/2015/10/21/story.html",
        "file": "story.html",
        "sha256": "ab" * 32,
        "size": 48213,
        "format": "html",
        "published": "2015-10-21",
        "published_source": "meta",
        "url": "https://news.example/2015/10/21/story.html",
        "title": f"Hoverboards are here {XSS}",
    },
    "runs": [
        {
            "id": RUN,
            "started_at": "2026-11-29T12:00:00Z",
            "finished_at": "2026-11-29T12:03:10Z",
            "complete": True,
            "resumes": None,
            "warc": [f"runs/{RUN}/capture.warc.gz"],
            "cdxj": f"runs/{RUN}/capture.cdxj",
            "wacz": f"runs/{RUN}/archive.wacz",
            "sha256sums": f"runs/{RUN}/SHA256SUMS",
            "counts": {"links": 4, "archived": 2, "failed": 2, "tweets": 3, "bytes": 1_234_567},
        }
    ],
    "links": [
        {  # an ok short link with a readable copy
            "url": "https://bit.ly/3hover",
            "raw": "https://bit.ly/3hover",
            "kind": "shortened",
            "host": "bit.ly",
            "where": {"element": "a", "attribute": "href", "line": 42},
            "tweet": None,
            "text": f"the maker's page {BREAKOUT}",
            "run": RUN,
            "archived_at": "2026-11-29T12:00:05Z",
            "final_url": "https://maker.example/hoverboard?ref=a&b=c",
            "verdict": "ok",
            "http_status": 200,
            "reason": "200 OK",
            "chain": [
                {"url": "https://bit.ly/3hover", "status": 301, "via": "location", "elapsed_ms": 40.1},
                {"url": "https://maker.example/hoverboard?ref=a&b=c", "status": 200, "via": "final"},
            ],
            "content_type": "text/html; charset=utf-8",
            "truncated": False,
            "copy": {
                "html": f"runs/{RUN}/links/0001 maker.example/page.html",
                "text": f"runs/{RUN}/links/0001 maker.example/page.txt",
                "file": f"runs/{RUN}/links/0001 maker.example/original.html",
                "resources": [f"runs/{RUN}/links/0001 maker.example/r/1.css"],
            },
            "tweet_id": None,
            "memento": None,
        },
        {  # a dead link, saved by the Wayback Machine
            "url": "http://old.example/gone",
            "raw": "http://old.example/gone",
            "kind": "other",
            "host": "old.example",
            "where": {"element": "a", "attribute": "href", "line": 57},
            "tweet": None,
            "text": "the old site",
            "run": RUN,
            "archived_at": "2026-11-29T12:00:07Z",
            "final_url": "http://old.example/gone",
            "verdict": "http-404",
            "http_status": 404,
            "reason": f"the final answer was 404 Not Found {XSS}",
            "chain": [{"url": "http://old.example/gone", "status": 404, "via": "final"}],
            "content_type": "text/html",
            "truncated": False,
            "copy": None,
            "tweet_id": None,
            "memento": {
                "url": "https://web.archive.org/web/20151021000000/http://old.example/gone",
                "datetime": "2015-10-21T00:00:00Z",
                "source": "wayback",
            },
        },
        {  # a link inside an embedded tweet, that timed out; its data is hostile
            "url": "javascript:alert(3)",
            "raw": f"javascript:alert(3)//{BREAKOUT}",
            "kind": "other",
            "host": "",
            "where": {"line": 80, "column": 12},
            "tweet": 0,
            "text": None,
            "run": RUN,
            "archived_at": "2026-11-29T12:00:09Z",
            "final_url": "javascript:alert(4)",
            "verdict": "timeout",
            "http_status": None,
            "reason": "no answer in 10 s",
            "chain": [{"url": "javascript:alert(5)", "status": None, "via": "final"}],
            "content_type": None,
            "truncated": False,
            "copy": {
                "html": "javascript:alert(6)",
                "text": "//evil.example/x",
                "file": None,
                "resources": [],
            },
            "tweet_id": None,
            "memento": {
                "url": "javascript:alert(7)",
                "datetime": "2015-10-21T00:00:00Z",
                "source": "wayback",
            },
        },
        {  # a tweet's status link, ok
            "url": "https://twitter.com/docbrown/status/656481137394978816",
            "raw": "https://twitter.com/docbrown/status/656481137394978816",
            "kind": "tweet",
            "host": "twitter.com",
            "where": {"element": "a", "attribute": "href", "line": 81},
            "tweet": 0,
            "text": "October 21, 2015",
            "run": RUN,
            "archived_at": "2026-11-29T12:00:10Z",
            "final_url": "https://twitter.com/docbrown/status/656481137394978816",
            "verdict": "ok",
            "http_status": None,
            "reason": "a tweet's status URL",
            "chain": [],
            "content_type": None,
            "truncated": False,
            "copy": None,
            "tweet_id": "656481137394978816",
            "memento": None,
        },
    ],
    "tweets": [
        {
            "index": 0,
            "id": "656481137394978816",
            "id_source": "status-url",
            "confidence": 1.0,
            "state": "available",
            "handle": "docbrown",
            "author": f"Doc Brown {XSS}",
            "created_at": "2015-10-21T16:29:00Z",
            "text": f"Where we're going we don't need roads {BREAKOUT}",
            "url": "https://twitter.com/docbrown/status/656481137394978816",
            "reason": "served by syndication",
            "json": f"runs/{RUN}/tweets/656481137394978816.json",
            "card": f"runs/{RUN}/tweets/656481137394978816.html",
            "media": [
                {
                    "url": "https://pbs.twimg.com/media/CRx1.jpg?name=orig",
                    "type": "photo",
                    "file": f"runs/{RUN}/media/656481137394978816-1.jpg",
                    "sha256": "cd" * 32,
                    "size": 81234,
                    "alt_text": f"a DeLorean {BREAKOUT}",
                },
                {
                    "url": "https://video.twimg.com/v/1.mp4",
                    "type": "video",
                    "file": f"runs/{RUN}/media/656481137394978816-2.mp4",
                    "sha256": "ef" * 32,
                    "size": 2_048_000,
                    "alt_text": None,
                },
                {
                    "url": "https://pbs.twimg.com/media/lost.jpg",
                    "type": "photo",
                    "file": None,
                    "sha256": None,
                    "size": None,
                    "alt_text": None,
                },
            ],
            "run": RUN,
        },
        {
            "index": 1,
            "id": "656000000000000001",
            "id_source": "search",
            "confidence": 0.93,
            "state": "deleted",
            "handle": "marty",
            "author": "Marty McFly",
            "created_at": "2015-10-21T10:00:00Z",
            "text": "Great Scott!",
            "url": "https://twitter.com/marty/status/656000000000000001",
            "reason": "deleted; content from the Wayback capture of 2015-10-22",
            "json": f"runs/{RUN}/tweets/656000000000000001.json",
            "card": f"runs/{RUN}/tweets/656000000000000001.html",
            "media": [],
            "run": RUN,
        },
        {
            "index": 2,
            "id": None,
            "id_source": None,
            "confidence": None,
            "state": "unidentified",
            "handle": "biff",
            "author": "Biff",
            "created_at": None,
            "text": "Make like a tree",
            "url": None,
            "reason": "no ID: the quote matched no capture",
            "json": None,
            "card": None,
            "media": [],
            "run": RUN,
        },
    ],
    "files": {
        f"runs/{RUN}/capture.warc.gz": {"sha256": "01" * 32, "size": 1_000_000, "run": RUN},
        f"runs/{RUN}/media/656481137394978816-1.jpg": {"sha256": "cd" * 32, "size": 81234, "run": RUN},
        "story.html": {"sha256": "ab" * 32, "size": 48300, "run": None},
    },
}

TWEET: dict[str, Any] = {
    "id": "656481137394978816",
    "url": "https://twitter.com/docbrown/status/656481137394978816",
    "handle": "docbrown",
    "author": f"Doc Brown {XSS}",
    "created_at": "2015-10-21T16:29:00Z",
    "text": f"Roads? https://maker.example/hoverboard #future @marty {BREAKOUT} https://pic.twitter.com/abc",
    "text_original": f"Roads? https://t.co/AAA #future @marty {BREAKOUT} https://t.co/BBB https://t.co/EVIL",
    "lang": "en",
    "links": ["https://maker.example/hoverboard"],
    "urls": [
        {
            "url": "https://t.co/AAA",
            "expanded_url": "https://maker.example/hoverboard",
            "display_url": "maker.example/hoverbo…",
        },
        {
            "url": "https://t.co/BBB",
            "expanded_url": "https://twitter.com/docbrown/status/656481137394978816/photo/1",
            "display_url": "pic.twitter.com/abc",
        },
        {
            "url": "https://t.co/EVIL",
            "expanded_url": "javascript:alert(8)",
            "display_url": "harmless.example",
        },
    ],
    "media": [
        {
            "type": "photo",
            "url": "https://pbs.twimg.com/media/CRx1.jpg?name=orig",
            "width": 1200,
            "height": 800,
            "alt_text": f"a DeLorean {BREAKOUT}",
            "preview_url": None,
            "tco": "https://t.co/BBB",
        },
        {
            "type": "video",
            "url": "https://video.twimg.com/v/1.mp4",
            "width": 640,
            "height": 360,
            "alt_text": None,
            "preview_url": "https://pbs.twimg.com/v/1.jpg",
            "tco": None,
        },
        {
            "type": "animated_gif",
            "url": "https://video.twimg.com/g/2.mp4",
            "width": 320,
            "height": 240,
            "alt_text": None,
            "preview_url": None,
            "tco": None,
        },
    ],
    "hashtags": ["future"],
    "quoted": {
        "id": "655000000000000000",
        "url": "https://twitter.com/marty/status/655000000000000000",
        "handle": "marty",
        "author": "Marty",
        "created_at": "2015-10-20T09:00:00+00:00",
        "text": f"Doc, {XSS}",
        "media": [{"type": "photo", "url": "https://pbs.twimg.com/media/Q.jpg", "alt_text": "quoted photo"}],
        "urls": [],
        "state": "available",
    },
    "in_reply_to": None,
    "in_reply_to_handle": None,
    "state": "available",
    "source": "syndication",
    "reason": "served by syndication",
    "fetched_at": "2026-11-29T12:00:11Z",
    "capture_url": None,
}

DELETED: dict[str, Any] = {
    "id": "656000000000000001",
    "url": "https://twitter.com/marty/status/656000000000000001",
    "handle": "marty",
    "author": "Marty McFly",
    "created_at": "2015-10-21T10:00:00Z",
    "text": f"Great Scott! {XSS}",
    "text_original": None,
    "urls": [],
    "media": [{"type": "photo", "url": "https://pbs.twimg.com/media/gone.jpg", "alt_text": None}],
    "quoted": None,
    "in_reply_to": None,
    "state": "deleted",
    "source": "wayback",
    "reason": "the sources say not found",
    "fetched_at": "2026-11-29T12:00:12Z",
    "capture_url": "https://web.archive.org/web/20151022000000/https://twitter.com/marty/status/656000000000000001",
}

CARD_FILES = [
    (dict(TWEET["media"][0]), "../media/656481137394978816-1.jpg"),
    (dict(TWEET["media"][1]), "../media/656481137394978816-2.mp4"),
    (dict(TWEET["media"][2]), None),
    ({"type": "photo", "url": "https://pbs.twimg.com/media/Q.jpg"}, "../media/655000000000000000-1.jpg"),
]

ARTICLE_TEXT = (
    f"Hoverboards {XSS}\r\nsee https://bit.ly/3hover and\n\n  http://old.example/gone\t(dead)\n"
    f"and javascript:alert(9) {BREAKOUT} & done"
)
TEXT_SPANS = [
    (ARTICLE_TEXT.index("https://bit.ly"), ARTICLE_TEXT.index(" and\n"), "https://bit.ly/3hover"),
    (ARTICLE_TEXT.index("http://old"), ARTICLE_TEXT.index("\t(dead)"), "http://old.example/gone"),
    (ARTICLE_TEXT.index("javascript:"), ARTICLE_TEXT.index(" " + BREAKOUT), "javascript:alert(9)"),
]

ROBUST = {
    "https://bit.ly/3hover": RobustLink(
        "https://bit.ly/3hover", f"runs/{RUN}/links/0001 maker.example/page.html", "2026-11-29"
    ),
    "http://old.example/gone": RobustLink(
        "http://old.example/gone",
        "https://web.archive.org/web/20151021000000/http://old.example/gone",
        "2015-10-21",
    ),
}


def _views() -> dict[str, str]:
    return {
        "index": render_index(MANIFEST),
        "story": robust_text(ARTICLE_TEXT, TEXT_SPANS, ROBUST, title=f"Story {XSS}"),
        "card": render_tweet_card(TWEET, media_files=CARD_FILES, captured_at="2026-11-29T12:00:13Z"),
        "deleted card": render_tweet_card(DELETED, media_files=[], captured_at="2026-11-29T12:00:14Z"),
    }


VIEWS = _views()

# Where a document may point: a web link is http(s) only; a src is a file of the folder.
LINK_ATTRIBUTES = {("a", "href"), ("area", "href")}
RESOURCE_ATTRIBUTES = {
    ("img", "src"),
    ("img", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("source", "src"),
    ("link", "href"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
}


def _parse(page: str) -> Any:
    return lxml_html.document_fromstring(page)


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_is_a_safe_self_contained_document(name: str) -> None:
    page = VIEWS[name]
    assert page.startswith("<!DOCTYPE html>\n")
    page.encode("utf-8")
    doc = _parse(page)
    head = doc.find("head")
    first = head[0]
    assert first.tag == "meta" and first.get("http-equiv") == "Content-Security-Policy"
    assert first.get("content") == CSP
    assert head.find("meta[@charset='utf-8']") is not None
    assert doc.find(".//title").text
    assert "<script" not in page.lower()
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("script", "iframe", "object", "embed", "base", "form")
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), (element.tag, attribute)
            assert "javascript:" not in value.lower() or attribute in ("title", "alt"), (
                element.tag,
                attribute,
            )
            if (element.tag, attribute) in LINK_ATTRIBUTES:
                parts = urlsplit(value)
                assert parts.scheme in ("", "http", "https"), value
                assert parts.scheme or not value.startswith("/"), value
            if (element.tag, attribute) in RESOURCE_ATTRIBUTES:
                parts = urlsplit(value)
                assert not parts.scheme and not value.startswith("/"), value


@pytest.mark.parametrize("name", list(VIEWS))
def test_hostile_text_is_shown_as_text(name: str) -> None:
    page = VIEWS[name]
    text = _parse(page).text_content()
    assert XSS in text or BREAKOUT in text
    assert "<img src=x" not in page
    assert "alert(1)</script>" not in page


def test_index_lists_every_link_with_its_fate_and_copies() -> None:
    doc = _parse(VIEWS["index"])
    rows = doc.xpath("//section[@id='links']//tbody/tr")
    assert [row.get("id") for row in rows] == ["link-1", "link-2", "link-3", "link-4"]
    ok, dead, timeout, tweet = rows
    assert ok.xpath(".//span[contains(@class,'badge')]/@class") == ["badge ok"]
    assert dead.xpath(".//span[contains(@class,'badge')]/@class") == ["badge dead"]
    assert timeout.xpath(".//span[contains(@class,'badge')]/@class") == ["badge retry"]
    copies = {a.text: a.get("href") for a in ok.xpath(".//a[@href]") if not a.get("href").startswith("http")}
    base = f"runs/{RUN}/links/0001%20maker.example/"
    assert copies == {
        "readable copy": base + "page.html",
        "original file": base + "original.html",
        "text": base + "page.txt",
    }
    assert "+1 resource(s)" in ok.text_content()
    assert [li.text_content().split()[:2] for li in ok.xpath(".//ol[@class='chain']/li")] == [
        ["301", "location"],
        ["200", "final"],
    ]
    wayback = dead.xpath(".//a[starts-with(@href,'https://web.archive.org/')]")
    assert [a.text for a in wayback] == ["Wayback Machine (2015-10-21)"]
    assert "404 Not Found" in dead.text_content() and "HTTP 404" in dead.text_content()
    # The hostile row: no link from any of its javascript: values; its local paths stay local.
    assert [a.get("href") for a in timeout.xpath(".//a")] == ["#tweet-0", "javascript%3Aalert%286%29"]
    assert "javascript:alert(7)" not in timeout.text_content()  # the memento is left out
    assert tweet.xpath(".//a[@href='#tweet-0']")


def test_index_header_summary_and_tweets() -> None:
    doc = _parse(VIEWS["index"])
    hrefs = doc.xpath("//section[@id='runs']//a/@href")
    assert hrefs == [
        f"runs/{RUN}/capture.warc.gz",
        f"runs/{RUN}/capture.cdxj",
        f"runs/{RUN}/archive.wacz",
        f"runs/{RUN}/SHA256SUMS",
    ]
    runs = doc.xpath("//section[@id='runs']")[0].text_content()
    assert "2026-11-29 12:00:00 UTC" in runs and "1.2 MB" in runs
    header = doc.find(".//header").text_content()
    assert XSS in header and "2015-10-21" in header and "ab" * 32 in header
    assert doc.xpath("//header//a[@href='story.html']")
    summary = doc.xpath("//section[@id='summary']")[0].text_content()
    assert "4 link occurrence(s)" in summary and "3 tweet(s)" in summary
    assert "✓ available 1" in summary and "✗ deleted 1" in summary and "? unidentified 1" in summary
    tweets = doc.xpath("//section[@id='tweets']/article")
    assert [t.get("id") for t in tweets] == ["tweet-0", "tweet-1", "tweet-2"]
    available = tweets[0]
    assert available.xpath(".//img/@src") == [f"runs/{RUN}/media/656481137394978816-1.jpg"]
    assert available.xpath(".//img/@alt") == [f"a DeLorean {BREAKOUT}"]
    assert f"runs/{RUN}/media/656481137394978816-2.mp4" in available.xpath(".//a/@href")
    assert "photo not saved" in available.text_content()
    assert {a.text: a.get("href") for a in available.xpath(".//a") if a.text in ("card", "JSON")} == {
        "card": f"runs/{RUN}/tweets/656481137394978816.html",
        "JSON": f"runs/{RUN}/tweets/656481137394978816.json",
    }
    assert "from status-url, confidence 1.00" in available.text_content()
    assert "from search, confidence 0.93" in tweets[1].text_content()
    assert "no ID: the quote matched no capture" in tweets[2].text_content()
    files = doc.xpath("//section[@id='files']//tbody/tr")
    assert len(files) == 3


def test_index_of_an_empty_manifest() -> None:
    doc = _parse(render_index({"manifest_version": 1, "article": {"source": "-"}, "runs": [], "links": []}))
    assert "cites no link" in doc.text_content()


# --- Tweet cards -------------------------------------------------------------------------------


def test_card_shows_the_tweet_from_local_files() -> None:
    doc = _parse(VIEWS["card"])
    text = doc.xpath("//article/p[contains(@class,'text')]")[0]
    assert text.get("lang") == "en"
    assert [(a.text, a.get("href")) for a in text.xpath(".//a")] == [
        ("maker.example/hoverbo…", "https://maker.example/hoverboard"),
        ("pic.twitter.com/abc", "https://twitter.com/docbrown/status/656481137394978816/photo/1"),
    ]
    shown = text.text_content()
    assert "#future @marty" in shown and BREAKOUT in shown and "harmless.example" in shown
    article = doc.find(".//article")
    photo, video, gif = article.xpath("./div[@class='media']/*")
    assert photo.xpath("./img/@src") == ["../media/656481137394978816-1.jpg"]
    assert photo.xpath("./img/@alt") == [f"a DeLorean {BREAKOUT}"]
    assert (video.tag, video.get("src"), video.get("controls")) == (
        "video",
        "../media/656481137394978816-2.mp4",
        "",
    )
    assert video.get("poster") is None  # the remote preview is never loaded
    assert (
        gif.tag == "p"
        and "The GIF was not saved" in gif.text_content()
        and "https://video.twimg.com/g/2.mp4" in gif.text_content()
    )
    quoted = doc.xpath("//blockquote[@class='quoted']")[0]
    assert "@marty" in quoted.text_content() and XSS in quoted.text_content()
    assert quoted.xpath(".//img/@src") == ["../media/655000000000000000-1.jpg"]
    footer = doc.find(".//footer").text_content()
    assert "Source: syndication" in footer and "2026-11-29 12:00:11 UTC" in footer and "12:00:13" in footer
    assert doc.xpath("//footer//a/@href") == ["https://twitter.com/docbrown/status/656481137394978816"]


def test_card_of_a_deleted_tweet_says_where_its_content_came_from() -> None:
    doc = _parse(VIEWS["deleted card"])
    state = doc.xpath("//p[contains(@class,'state')]")[0]
    assert state.text_content().startswith(
        "deleted — content from the Wayback capture https://web.archive.org/"
    )
    assert "Great Scott!" in doc.text_content()
    assert (
        "was not saved" in doc.text_content() and "https://pbs.twimg.com/media/gone.jpg" in doc.text_content()
    )


def test_card_of_a_tweet_known_only_by_its_id() -> None:
    record = {"id": "1", "state": "unavailable", "reason": "no source answered", "text": None}
    doc = _parse(render_tweet_card(record, media_files=[], captured_at="2026-11-29T12:00:00Z"))
    assert "unavailable — no source answered" in doc.text_content()


# --- Robust Links -------------------------------------------------------------------------------

LINKS = {
    "https://t.co/abc": RobustLink("https://t.co/abc", f"runs/{RUN}/links/0001/page.html", "2026-11-29"),
    "https://news.example/rel?a=1&b=2": RobustLink(
        "https://news.example/rel?a=1&b=2",
        "https://web.archive.org/web/2015/https://news.example/rel",
        "2015-10-21",
    ),
    "https://é.example/x": RobustLink("https://é.example/x", "runs/é/page.html", "2026-11-29"),
}
T_CO = f'data-originalurl="https://t.co/abc" data-versionurl="runs/{RUN}/links/0001/page.html" data-versiondate="2026-11-29"'
ADDED = re.compile(r' data-originalurl="[^"]*" data-versionurl="[^"]*" data-versiondate="[^"]*"')

# (markup, hrefs that get the attributes, the markup with stale attributes removed when there are some)
ANCHORS: list[tuple[str, list[str]]] = [
    ('<a href="https://t.co/abc">x</a>', ["https://t.co/abc"]),
    ("<A HREF='https://t.co/abc'>x</A>", ["https://t.co/abc"]),
    ("<a href=https://t.co/abc>x</a>", ["https://t.co/abc"]),
    ('<a\n  class="x"\n  href="https://t.co/abc"\n  >x</a>', ["https://t.co/abc"]),
    ('<a href="  https://t.co/abc\n">x</a>', ["  https://t.co/abc\n"]),
    ('<a title="a > b" href="https://t.co/abc" download>x</a>', ["https://t.co/abc"]),
    ('<a href="https://t.co/abc"/>', ["https://t.co/abc"]),
    ("<a/href=https://t.co/abc>x</a>", ["https://t.co/abc"]),
    ('<a href="/rel?a=1&amp;b=2">x</a>', ["/rel?a=1&b=2"]),
    ('<a href="https://news.example/rel?a=1&b=2">x</a>', ["https://news.example/rel?a=1&b=2"]),
    ('<a href="https://t.co/abc" href="https://other.example/">x</a>', ["https://t.co/abc"]),
    ('<a href="https://é.example/x">x</a>', ["https://é.example/x"]),
    ('<a href="https://other.example/">x</a>', []),
    ('<a href="https://t.co/abcd">x</a>', []),
    ("<a name=top>x</a>", []),
    ('<abbr href="https://t.co/abc">x</abbr><area href="https://t.co/abc">', []),
    ('<!-- <a href="https://t.co/abc"> --><p>x</p>', []),
    ("<!--><a href=https://t.co/abc>x</a>", ["https://t.co/abc"]),
    ("<script>document.write('<a href=\"https://t.co/abc\">')</script>", []),
    ('<textarea><a href="https://t.co/abc"></textarea>', []),
    ('<img alt="<a href=https://t.co/abc>"><a href="https://t.co/abc">y</a>', ["https://t.co/abc"]),
    ('<a href="https://t.co/abc', []),  # cut off: browsers drop the tag
]


@pytest.mark.parametrize(("markup", "expected"), ANCHORS)
def test_robust_html_marks_exactly_the_cited_anchors(markup: str, expected: list[str]) -> None:
    doc = (
        f'<html><head><base href="https://news.example/"></head><body>\n{markup}\n<p>after</p></body></html>'
    )
    out = robust_html(doc, LINKS)
    assert ADDED.sub("", out) == doc
    assert len(ADDED.findall(out)) == len(expected)
    marked = _parse(out).xpath("//a[@data-versionurl]")
    assert [a.get("href") for a in marked] == expected
    for a in marked:
        assert sorted(k for k in a.attrib if k.startswith("data-")) == [
            "data-originalurl",
            "data-versiondate",
            "data-versionurl",
        ]


def test_robust_html_values_are_escaped_and_ascii() -> None:
    out = robust_html(
        '<a href="https://é.example/x">é</a><a href="/rel?a=1&b=2">r</a>',
        LINKS,
        base_url="https://news.example/",
    )
    added = "".join(ADDED.findall(out))
    assert added.isascii()
    assert 'data-originalurl="https://&#233;.example/x" data-versionurl="runs/%C3%A9/page.html"' in added
    assert 'data-originalurl="https://news.example/rel?a=1&amp;b=2"' in added
    a = _parse(out).xpath("//a")[0]
    assert a.get("data-originalurl") == "https://é.example/x"


@pytest.mark.parametrize(
    ("markup", "without_stale"),
    [
        (
            '<a data-versionurl="https://web.archive.org/web/2001/x" href="https://t.co/abc">x</a>',
            '<a href="https://t.co/abc">x</a>',
        ),
        (
            '<a href="https://t.co/abc"\n DATA-VERSIONURL=old data-versiondate="2001-01-01" class=k>x</a>',
            '<a href="https://t.co/abc" class=k>x</a>',
        ),
        (
            "<a href=https://t.co/abc data-originalurl='https://t.co/old'>x</a>",
            "<a href=https://t.co/abc>x</a>",
        ),
    ],
)
def test_robust_html_replaces_stale_attributes(markup: str, without_stale: str) -> None:
    out = robust_html(markup, LINKS)
    assert ADDED.sub("", out) == without_stale
    a = _parse(out).xpath("//a")[0]
    assert a.get("data-versionurl") == f"runs/{RUN}/links/0001/page.html"
    assert a.get("data-versiondate") == "2026-11-29"
    assert T_CO in out


def test_robust_html_resolves_relative_hrefs_against_the_given_base() -> None:
    doc = '<p><a href="rel?a=1&amp;b=2">x</a></p>'
    assert robust_html(doc, LINKS) == doc  # no base: a relative href cannot match an absolute key
    assert len(ADDED.findall(robust_html(doc, LINKS, base_url="https://news.example/story"))) == 1


def test_robust_html_leaves_a_whole_article_as_it_was() -> None:
    article = (
        '<!DOCTYPE html>\n<HTML lang="en"><head><meta charset="windows-1252">\r\n'
        "<title>a <a href=https://t.co/abc> title</title>\n"
        "<script>var s = '<a href=\"https://t.co/abc\">';</script>\n"
        '<style>a[href="https://t.co/abc"]{color:red}</style>\n'
        '</head><body onload="x()">\n<!-- comment <a href="https://t.co/abc"> -->\n'
        '<p>One <a href="https://t.co/abc" onclick="track()">link</a>, '
        "<A\tHREF = 'https://t.co/abc'\tdata-versionurl=stale>again</A>,\n"
        '<a href="https://unrelated.example/">other</a> and <a href="#top">top</a>.</p>\n'
        "<svg><a href='https://t.co/abc'><text>svg</text></a></svg>\n</body></HTML>\n"
    )
    out = robust_html(article, LINKS)
    assert ADDED.sub("", out) == article.replace("\tdata-versionurl=stale", "")
    assert len(ADDED.findall(out)) == 3
    assert out.count("data-versionurl") == 3
    assert "<script>" in out and 'onclick="track()"' in out  # the article's own markup is untouched
    assert robust_html(article, {}) is article


def test_robust_html_drops_unsafe_version_urls() -> None:
    links = {"https://t.co/abc": RobustLink("https://t.co/abc", "javascript:alert(1)", "2026-11-29")}
    doc = '<a href="https://t.co/abc">x</a>'
    assert robust_html(doc, links) == doc


def test_robust_text_shows_the_text_to_the_byte() -> None:
    page = VIEWS["story"]
    doc = _parse(page)
    body = doc.xpath("//div[contains(@class,'article')]")[0]
    assert body.text_content() == ARTICLE_TEXT
    anchors = body.xpath(".//a")
    assert [
        (a.text, a.get("href"), a.get("data-versionurl"), a.get("data-versiondate")) for a in anchors
    ] == [
        (
            "https://bit.ly/3hover",
            "https://bit.ly/3hover",
            f"runs/{RUN}/links/0001%20maker.example/page.html",
            "2026-11-29",
        ),
        (
            "http://old.example/gone",
            "http://old.example/gone",
            "https://web.archive.org/web/20151021000000/http://old.example/gone",
            "2015-10-21",
        ),
    ]
    assert anchors[0].get("data-originalurl") == "https://bit.ly/3hover"
    assert doc.find(".//h1").text == f"Story {XSS}"


def test_robust_text_links_without_a_copy_and_skips_bad_spans() -> None:
    text = "a https://x.example/1 b https://y.example/2"
    spans = [
        (2, 21, "https://x.example/1"),
        (10, 30, "https://z.example/"),
        (24, 43, "https://y.example/2"),
        (40, 99, "x"),
    ]
    body = _parse(robust_text(text, spans, {}, "t")).xpath("//div[contains(@class,'article')]")[0]
    assert body.text_content() == text
    assert [(a.get("href"), a.get("data-versionurl")) for a in body.xpath(".//a")] == [
        ("https://x.example/1", None),
        ("https://y.example/2", None),
    ]


# --- Helpers ------------------------------------------------------------------------------------

WEB_HREFS = [
    ('https://example.com/a b?q="x"&r=<y>', "https://example.com/a%20b?q=%22x%22&r=%3Cy%3E"),
    ("  HTTP://example.com/é  ", "HTTP://example.com/%C3%A9"),
    ("https://example.com/%20ok", "https://example.com/%20ok"),
    ("javascript:alert(1)", None),
    ("java\tscript:alert(1)", None),
    (" javascript:alert(1)", None),
    ("data:text/html,x", None),
    ("//evil.example/x", None),
    ("/local", None),
    (None, None),
    (42, None),
]


@pytest.mark.parametrize(("url", "expected"), WEB_HREFS)
def test_web_href(url: object, expected: str | None) -> None:
    assert web_href(url) == expected


LOCAL_HREFS = [
    ("runs/R/links/0001/page.html", "runs/R/links/0001/page.html"),
    ("runs/R/a b/c#d?.html", "runs/R/a%20b/c%23d%3F.html"),
    ("../media/1-1.jpg", "../media/1-1.jpg"),
    ("javascript:alert(1)", "javascript%3Aalert%281%29"),
    ("C:\\x", "C%3A%5Cx"),
    ("/etc/passwd", None),
    ("//evil.example/x", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("path", "expected"), LOCAL_HREFS)
def test_local_href(path: object, expected: str | None) -> None:
    assert local_href(path) == expected


TONES = [
    ("ok", "ok"),
    ("http-404", "dead"),
    ("http-401", "dead"),
    ("dns-failure", "dead"),
    ("blocked-private-address", "dead"),
    ("timeout", "retry"),
    ("http-5xx", "retry"),
    ("connect-refused", "retry"),
    ("http-418", "dead"),  # a slug from a newer version: its HTTP class decides
    ("http-599", "retry"),
    ("something-new", "other"),
    (None, "other"),
]


@pytest.mark.parametrize(("verdict", "css"), TONES)
def test_verdict_tone(verdict: object, css: str) -> None:
    assert verdict_tone(verdict).css == css


def test_fixture_is_not_mutated() -> None:
    before = copy.deepcopy(MANIFEST)
    render_index(MANIFEST)
    assert before == MANIFEST
    assert etree.tostring(_parse(VIEWS["index"]))  # serialisable: lxml understood the whole tree
