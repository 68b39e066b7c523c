"""The Twitter and Wayback parts of the local web (tests/web/twitter.py) answer like the real services.

Every request goes through the proxy with a plain httpx client, as the product's would. The tests
pin down the response shapes each state of a tweet produces on each endpoint, the CDX server's
query language, replay and availability, the failure switches, and the example article's tweets.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import lxml.html
import pytest

import resolver
from tests.web.scenarios import SCENARIOS, Web, install_demo
from tests.web.twitter import (
    EXAMPLE_FOOTAGE_ID,
    EXAMPLE_FOOTAGE_TEXT,
    EXAMPLE_NEIGHBOURS,
    EXAMPLE_PHOTO_KEY,
    EXAMPLE_RADIO_RECON_ID,
    EXAMPLE_RADIO_RECON_TEXT,
    EXAMPLE_YOUTUBE_URL,
    JPEG_BYTES,
    MP4_BYTES,
    PNG_BYTES,
    TOMBSTONE_TEXTS,
    VX_FAILED_TO_SCAN,
    FakeMedia,
    FakeTweet,
    TwitterWeb,
    cdx_key,
    embed_date,
    install_example,
    install_twitter,
    snowflake_id,
)

WHEN = dt.datetime(2015, 10, 21, 6, 45, 26, tzinfo=dt.UTC)
PHOTO_ID = snowflake_id(WHEN, 7)
VIDEO_ID = snowflake_id(WHEN + dt.timedelta(minutes=1), 7)
GIF_ID = snowflake_id(WHEN + dt.timedelta(minutes=2), 7)
QUOTE_ID = snowflake_id(WHEN + dt.timedelta(minutes=3), 7)
REPLY_ID = snowflake_id(WHEN + dt.timedelta(minutes=4), 7)

PHOTO = FakeTweet(
    PHOTO_ID,
    "mod_russia",
    "Минобороны России",
    "Strikes & results <today> https://t.co/aaaaaaaaaa #SYRIA",
    urls=(("https://t.co/aaaaaaaaaa", "https://www.example.org/a/very/long/path/to/a/report.html"),),
    media=(
        FakeMedia("photo", "CRphotoKEY00001", 1024, 512, alt_text="a map", tco="https://t.co/PPPPPPPPPP"),
    ),
    likes=5,
)
VIDEO = FakeTweet(
    VIDEO_ID,
    "mod_russia",
    "Минобороны России",
    "#FOOTAGE strike",
    media=(FakeMedia("video", "VIDkey", 1280, 720),),
)
GIF = FakeTweet(
    GIF_ID, "mod_russia", "Минобороны России", "loop", media=(FakeMedia("animated_gif", "GIFkey", 480, 270),)
)
QUOTE = FakeTweet(QUOTE_ID, "someone", "Some One", "Look at this @mod_russia", quoted_id=PHOTO_ID)
REPLY = FakeTweet(
    REPLY_ID, "someone", "Some One", "@mod_russia source?", in_reply_to=(PHOTO_ID, "mod_russia")
)


def gone(state: str, offset: int, **kw: Any) -> FakeTweet:
    """A tweet in `state`, captured once by the Wayback."""
    tweet_id = snowflake_id(WHEN + dt.timedelta(hours=1, minutes=offset))
    return FakeTweet(tweet_id, "gone_user", "Gone", f"{state} tweet", state=state, **kw)


STATE_TWEETS = {
    state: gone(state, i)
    for i, state in enumerate(["deleted", "suspended", "protected", "withheld", "age-restricted"])
}
MISSING_ID = snowflake_id(WHEN + dt.timedelta(hours=5))


@pytest.fixture
def twitter_web(local_web: Web) -> TwitterWeb:
    tw = install_twitter(local_web)
    tw.add(PHOTO, VIDEO, GIF, QUOTE, REPLY, *STATE_TWEETS.values())
    return tw


@pytest.fixture(scope="module")
def http(web: Web) -> Iterator[httpx.Client]:
    # One client for the module: tunnels stay open across tests (routes are looked up per request).
    with httpx.Client(**web.client_options()) as client:
        yield client


def syndication(http: httpx.Client, tweet_id: int, token: str = "4c2mmul6mnh") -> httpx.Response:
    return http.get(TwitterWeb.syndication_url(tweet_id, token))


# -- installing ------------------------------------------------------------------------------------


def test_install_is_idempotent_per_layer_and_fresh_per_test(local_web: Web) -> None:
    first = install_twitter(local_web)
    assert install_twitter(local_web) is first
    with local_web.scope():
        inner = install_twitter(local_web)
        assert inner is not first and install_twitter(local_web) is inner
    assert install_twitter(local_web) is first


def test_scenarios_tweets_and_demo_install_the_twitter_web(local_web: Web, http: httpx.Client) -> None:
    assert "tweets" in SCENARIOS
    with local_web.scope():
        SCENARIOS["tweets"](local_web)
        assert syndication(http, EXAMPLE_FOOTAGE_ID).json()["id_str"] == str(EXAMPLE_FOOTAGE_ID)
        assert http.get("https://s3.example/x").headers["location"] == "https://o3.example/page/x"  # bench
    with local_web.scope():
        install_demo(local_web)
        assert syndication(http, EXAMPLE_RADIO_RECON_ID).status_code == 200
        assert http.get("https://t.co/eKInDZJCbH").headers["location"] == EXAMPLE_YOUTUBE_URL


# -- syndication ---------------------------------------------------------------------------------


def test_syndication_photo_tweet_has_the_recorded_shape(
    twitter_web: TwitterWeb, http: httpx.Client, local_web: Web
) -> None:
    r = syndication(http, PHOTO_ID)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert data["__typename"] == "Tweet" and data["id_str"] == str(PHOTO_ID) and data["lang"] == "en"
    assert data["created_at"] == "2015-10-21T06:45:26.000Z"
    typed = "Strikes & results <today> https://t.co/aaaaaaaaaa #SYRIA https://t.co/PPPPPPPPPP"
    assert data["text"] == typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert data["display_text_range"] == [0, len(typed)]
    [url] = data["entities"]["urls"]
    assert url == {
        "display_url": "example.org/a/very/long/pa…",
        "expanded_url": "https://www.example.org/a/very/long/path/to/a/report.html",
        "indices": [26, 49],
        "url": "https://t.co/aaaaaaaaaa",
    }
    assert typed[slice(*url["indices"])] == url["url"]  # indices count the unescaped text
    assert data["entities"]["hashtags"] == [{"indices": [50, 56], "text": "SYRIA"}]
    [media] = data["entities"]["media"]
    assert (
        media["display_url"] == "pic.twitter.com/PPPPPPPPPP"
        and typed[slice(*media["indices"])] == media["url"]
    )
    assert media["expanded_url"] == f"https://twitter.com/mod_russia/status/{PHOTO_ID}/photo/1"
    [detail] = data["mediaDetails"]
    assert (
        detail["type"] == "photo"
        and detail["media_url_https"] == "https://pbs.twimg.com/media/CRphotoKEY00001.jpg"
    )
    assert detail["ext_alt_text"] == "a map" and detail["original_info"]["width"] == 1024
    assert set(detail["sizes"]) == {"large", "medium", "small", "thumb"} and "video_info" not in detail
    assert data["photos"][0]["url"] == detail["media_url_https"] and "backgroundColor" in data["photos"][0]
    assert "video" not in data and "quoted_tweet" not in data
    user = data["user"]
    assert (user["screen_name"], user["name"]) == ("mod_russia", "Минобороны России")
    assert user["profile_image_url_https"].startswith("https://pbs.twimg.com/profile_images/")
    assert {"favorite_count", "conversation_count", "edit_control", "isEdited", "isStaleEdit"} <= set(data)
    assert "token=4c2mmul6mnh" in local_web.requests[-1].query  # any token is accepted, and logged


def test_syndication_video_and_gif_variants(twitter_web: TwitterWeb, http: httpx.Client) -> None:
    video = syndication(http, VIDEO_ID).json()
    info = video["mediaDetails"][0]["video_info"]
    assert info["aspect_ratio"] == [16, 9] and info["duration_millis"] == 30_000
    types = [(v["content_type"], v.get("bitrate")) for v in info["variants"]]
    assert types == [
        ("application/x-mpegURL", None),
        ("video/mp4", 256000),
        ("video/mp4", 832000),
        ("video/mp4", 2176000),
    ]
    assert all(v["url"].startswith("https://video.twimg.com/") for v in info["variants"])
    assert video["video"]["variants"][1] == {"type": "video/mp4", "src": info["variants"][1]["url"]}
    assert video["video"]["videoId"] == {"type": "tweet", "id": str(VIDEO_ID)} and video["photos"] == []
    gif = syndication(http, GIF_ID).json()["mediaDetails"][0]
    assert gif["type"] == "animated_gif" and "duration_millis" not in gif["video_info"]
    assert gif["video_info"]["variants"] == [
        {"bitrate": 0, "content_type": "video/mp4", "url": "https://video.twimg.com/tweet_video/GIFkey.mp4"}
    ]


def test_syndication_quote_and_reply(twitter_web: TwitterWeb, http: httpx.Client) -> None:
    quote = syndication(http, QUOTE_ID).json()
    assert quote["quoted_tweet"]["id_str"] == str(PHOTO_ID) and quote["quoted_tweet"]["__typename"] == "Tweet"
    [mention] = quote["entities"]["user_mentions"]
    assert mention["screen_name"] == "mod_russia" and mention["name"] == "Минобороны России"
    reply = syndication(http, REPLY_ID).json()
    assert (
        reply["in_reply_to_status_id_str"] == str(PHOTO_ID)
        and reply["in_reply_to_screen_name"] == "mod_russia"
    )
    assert reply["in_reply_to_user_id_str"] == str(PHOTO.uid)
    twitter_web.add(FakeTweet(PHOTO_ID, "mod_russia", "Минобороны России", "gone", state="deleted"))
    assert "quoted_tweet" not in syndication(http, QUOTE_ID).json()  # a quote of a deleted tweet


@pytest.mark.parametrize(
    ("state", "text"),
    [(s, TOMBSTONE_TEXTS[s]) for s in ("suspended", "protected", "withheld", "age-restricted")],
)
def test_syndication_tombstones(twitter_web: TwitterWeb, http: httpx.Client, state: str, text: str) -> None:
    r = syndication(http, STATE_TWEETS[state].id)
    assert r.status_code == 200
    data = r.json()
    assert data["__typename"] == "TweetTombstone" and data["tombstone"]["text"]["text"] == text
    [link] = data["tombstone"]["text"]["entities"]
    assert (
        text[link["from_index"] : link["to_index"]] == "Learn more"
        and link["ref"]["url_type"] == "ExternalUrl"
    )


@pytest.mark.parametrize(
    ("form", "status", "body"),
    [("404", 404, b""), ("empty", 200, b""), ("{}", 200, b"{}"), ("tombstone", 200, None)],
)
@pytest.mark.parametrize("state", ["deleted", "missing"])
def test_syndication_gone_forms(
    twitter_web: TwitterWeb, http: httpx.Client, state: str, form: str, status: int, body: bytes | None
) -> None:
    twitter_web.syndication_unavailable_form = form
    r = syndication(http, STATE_TWEETS["deleted"].id if state == "deleted" else MISSING_ID)
    assert r.status_code == status
    if body is not None:
        assert r.content == body
    else:
        assert r.json()["tombstone"]["text"]["text"] == TOMBSTONE_TEXTS[state]


def test_syndication_per_tweet_form_and_token(twitter_web: TwitterWeb, http: httpx.Client) -> None:
    twitter_web.add(gone("deleted", 30, unavailable_form="{}"))
    assert syndication(http, gone("deleted", 30).id).json() == {}
    assert syndication(http, STATE_TWEETS["deleted"].id).status_code == 404  # the default form
    no_token = f"https://cdn.syndication.twimg.com/tweet-result?id={PHOTO_ID}&lang=en"
    assert http.get(no_token).json() == {}
    twitter_web.syndication_require_token = False
    assert http.get(no_token).json()["id_str"] == str(PHOTO_ID)
    assert http.get("https://cdn.syndication.twimg.com/tweet-result?id=abc&token=1").status_code == 400


# -- oEmbed -----------------------------------------------------------------------------------------


def test_oembed_of_the_example_tweet(local_web: Web, http: httpx.Client) -> None:
    install_example(install_twitter(local_web))
    r = http.get(TwitterWeb.oembed_url(f"https://x.com/anyone/status/{EXAMPLE_FOOTAGE_ID}"))
    assert r.status_code == 200
    data = r.json()
    assert {k: v for k, v in data.items() if k != "html"} == {
        "url": f"https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}",
        "author_name": "Минобороны России",
        "author_url": "https://twitter.com/mod_russia",
        "width": 550,
        "height": None,
        "type": "rich",
        "cache_age": "3153600000",
        "provider_name": "Twitter",
        "provider_url": "https://twitter.com",
        "version": "1.0",
    }
    assert data["html"] == (
        '<blockquote class="twitter-tweet" data-dnt="true"><p lang="en" dir="ltr">'
        '<a href="https://twitter.com/hashtag/FOOTAGE?src=hash&amp;ref_src=twsrc%5Etfw">#FOOTAGE</a> Elimination '
        "of a militants&#39; strong point "
        '(<a href="https://twitter.com/hashtag/Aleppo?src=hash&amp;ref_src=twsrc%5Etfw">#Aleppo</a> province) '
        '<a href="https://t.co/eKInDZJCbH">https://t.co/eKInDZJCbH</a> '
        '<a href="https://t.co/PXh7c6aziZ">pic.twitter.com/PXh7c6aziZ</a></p>&mdash; Минобороны России '
        f'(@mod_russia) <a href="https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}?ref_src=twsrc%5Etfw">'
        "October 21, 2015</a></blockquote>\n"
    )
    pt = http.get(
        TwitterWeb.oembed_url(f"https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}", "pt")
    ).json()
    assert 'data-lang="pt"' in pt["html"] and ">21 de outubro de 2015</a>" in pt["html"]
    # The product's own detector reads the blockquote back: ID, handle, author, date.
    [tweet] = resolver.scan_bytes(pt["html"].encode(), "embed.html").tweets
    assert (tweet.id, tweet.handle, tweet.date) == (
        str(EXAMPLE_FOOTAGE_ID),
        "mod_russia",
        dt.date(2015, 10, 21),
    )
    script = http.get(
        f"https://publish.twitter.com/oembed?url=https://twitter.com/x/status/{EXAMPLE_FOOTAGE_ID}&omit_script=0"
    ).json()["html"]
    assert script.endswith(
        '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>\n'
    )


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "October 21, 2015"),
        ("pt", "21 de outubro de 2015"),
        ("fr", "21 octobre 2015"),
        ("de", "21. Oktober 2015"),
        ("ru", "21 октября 2015 г."),
        ("ja", "2015年10月21日"),
        ("ko", "2015년 10월 21일"),
        ("ar", "٢١ أكتوبر ٢٠١٥"),
        ("xx", "October 21, 2015"),
    ],
)
def test_embed_dates_are_localized(lang: str, shown: str) -> None:
    assert embed_date(dt.date(2015, 10, 21), lang) == shown


@pytest.mark.parametrize(
    ("state", "status"),
    [("deleted", 404), ("suspended", 404), ("withheld", 404), ("age-restricted", 404), ("protected", 403)],
)
def test_oembed_errors(twitter_web: TwitterWeb, http: httpx.Client, state: str, status: int) -> None:
    tweet = STATE_TWEETS[state]
    r = http.get(TwitterWeb.oembed_url(tweet.url))
    assert r.status_code == status
    if status == 403:
        assert r.text.startswith(
            '{"error":"Sorry, you are not authorized to see this status.","request":"\\/oembed?url='
        )
    else:
        assert r.content == b""
    assert http.get(TwitterWeb.oembed_url(f"https://twitter.com/x/status/{MISSING_ID}")).status_code == 404
    assert http.get(TwitterWeb.oembed_url("https://example.com/not-a-tweet")).status_code == 404


# -- FxTwitter and vxTwitter ------------------------------------------------------------------------


def test_fxtwitter_status(twitter_web: TwitterWeb, http: httpx.Client) -> None:
    r = http.get(f"https://api.fxtwitter.com/whatever/status/{PHOTO_ID}")
    assert r.status_code == 200
    body = r.json()
    assert (body["code"], body["message"]) == (200, "OK")
    tweet = body["tweet"]
    # Unescaped; the link expanded, the media link gone.
    assert (
        tweet["text"]
        == "Strikes & results <today> https://www.example.org/a/very/long/path/to/a/report.html #SYRIA"
    )
    assert tweet["raw_text"]["text"].startswith("Strikes &amp; results &lt;today&gt; https://t.co/aaaaaaaaaa")
    assert {f["type"] for f in tweet["raw_text"]["facets"]} == {"url", "hashtag", "media"}
    assert (
        tweet["created_at"] == "Wed Oct 21 06:45:26 +0000 2015" and tweet["created_timestamp"] == 1445409926
    )
    assert tweet["author"]["screen_name"] == "mod_russia" and tweet["author"]["avatar_url"].endswith(
        "_200x200.jpg"
    )
    [photo] = tweet["media"]["photos"]
    assert photo == {
        "type": "photo",
        "id": photo["id"],
        "url": "https://pbs.twimg.com/media/CRphotoKEY00001.jpg?name=orig",
        "width": 1024,
        "height": 512,
        "altText": "a map",
    }
    assert tweet["media"]["all"] == [photo] and "videos" not in tweet["media"]
    assert tweet["twitter_card"] == "summary_large_image" and tweet["replying_to"] is None
    video = http.get(f"https://api.fxtwitter.com/i/status/{VIDEO_ID}").json()["tweet"]["media"]["videos"][0]
    assert video["type"] == "video" and video["url"].endswith("/1280x720/VIDkey.mp4?tag=12")
    assert (
        video["duration"] == 30.0
        and video["format"] == "video/mp4"
        and video["thumbnail_url"].startswith("https://pbs")
    )
    quote = http.get(f"https://api.fxtwitter.com/status/{QUOTE_ID}").json()["tweet"]
    assert quote["quote"]["id"] == str(PHOTO_ID)
    reply = http.get(f"https://api.fxtwitter.com/someone/status/{REPLY_ID}/en").json()["tweet"]
    assert (reply["replying_to"], reply["replying_to_status"]) == ("mod_russia", str(PHOTO_ID))


@pytest.mark.parametrize(
    ("state", "status", "message"),
    [
        ("protected", 401, "PRIVATE_TWEET"),
        ("deleted", 404, "NOT_FOUND"),
        ("suspended", 404, "NOT_FOUND"),
        ("withheld", 404, "NOT_FOUND"),
        ("missing", 404, "NOT_FOUND"),
        ("age-restricted", 200, "OK"),
    ],
)
def test_fxtwitter_states(
    twitter_web: TwitterWeb, http: httpx.Client, state: str, status: int, message: str
) -> None:
    tweet_id = MISSING_ID if state == "missing" else STATE_TWEETS[state].id
    r = http.get(f"https://api.fxtwitter.com/u/status/{tweet_id}")
    body = r.json()
    assert (r.status_code, body["code"], body["message"]) == (status, status, message)
    if status == 200:
        assert body["tweet"]["possibly_sensitive"] is True
    else:
        assert body["tweet"] is None


def test_vxtwitter_status(twitter_web: TwitterWeb, http: httpx.Client) -> None:
    data = http.get(f"https://api.vxtwitter.com/Twitter/status/{PHOTO_ID}").json()
    assert (
        data["text"]
        == "Strikes & results <today> https://www.example.org/a/very/long/path/to/a/report.html #SYRIA"
    )
    assert data["date"] == "Wed Oct 21 06:45:26 +0000 2015" and data["date_epoch"] == 1445409926
    assert (data["tweetID"], data["user_screen_name"], data["user_name"]) == (
        str(PHOTO_ID),
        "mod_russia",
        "Минобороны России",
    )
    assert data["mediaURLs"] == ["https://pbs.twimg.com/media/CRphotoKEY00001.jpg"]
    [media] = data["media_extended"]
    assert (
        media["type"] == "image"
        and media["size"] == {"width": 1024, "height": 512}
        and media["altText"] == "a map"
    )
    assert data["hasMedia"] and data["allSameType"] and data["combinedMediaUrl"] is None
    assert data["hashtags"] == ["SYRIA"] and data["qrtURL"] is None and data["qrt"] is None
    video = http.get(f"https://api.vxtwitter.com/x/status/{VIDEO_ID}").json()["media_extended"][0]
    assert video["type"] == "video" and video["url"].endswith("/1280x720/VIDkey.mp4")  # ?tag= stripped
    quote = http.get(f"https://api.vxtwitter.com/someone/status/{QUOTE_ID}").json()
    assert quote["qrtURL"] == f"https://twitter.com/i/status/{PHOTO_ID}" and quote["qrt"]["tweetID"] == str(
        PHOTO_ID
    )
    assert quote["hashtags"] == []  # vxTwitter reads hashtags only for tweets with media


@pytest.mark.parametrize(
    "state", ["deleted", "suspended", "protected", "withheld", "age-restricted", "missing"]
)
def test_vxtwitter_cannot_scan_unavailable_posts(
    twitter_web: TwitterWeb, http: httpx.Client, state: str
) -> None:
    tweet_id = MISSING_ID if state == "missing" else STATE_TWEETS[state].id
    r = http.get(f"https://api.vxtwitter.com/x/status/{tweet_id}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Failed to scan your link!" in r.text and VX_FAILED_TO_SCAN.replace("'", "&#39;") in r.text


# -- the Wayback Machine: CDX -----------------------------------------------------------------------


@pytest.fixture
def archive(local_web: Web) -> TwitterWeb:
    """The example's captures plus a few others of every status."""
    tw = install_twitter(local_web)
    install_example(tw)
    tw.capture(
        "https://twitter.com/mod_russia/status/656722946431664128",
        "20160101000000",
        "<p>gone</p>",
        status=404,
    )
    tw.capture("http://www.news.example/story", "20151021120000", "<p>v1</p>")
    tw.capture("https://news.example/story", "20151021130000", "<p>v1</p>")
    tw.capture("https://news.example/story", "20151101000000", "<p>v2</p>")
    tw.capture("https://news.example/story?b=2&a=1", "20151101000000", "<p>q</p>")
    tw.capture("https://news.example/moved", "20151102000000", "", status=301, mimetype="text/html")
    return tw


def cdx(http: httpx.Client, **params: str) -> httpx.Response:
    return http.get("https://web.archive.org/cdx/search/cdx", params=params)


def cdx_json(http: httpx.Client, **params: str) -> list[list[str]]:
    r = cdx(http, output="json", **params)
    assert r.status_code == 200
    return json.loads(r.text)


def test_cdx_key_is_surt_like() -> None:
    assert cdx_key("https://www.Twitter.com/Mod_Russia/status/1") == "com,twitter)/mod_russia/status/1"
    assert cdx_key("http://twitter.com:80/a?b=2&a=1#frag") == "com,twitter)/a?a=1&b=2"
    assert cdx_key("mobile.twitter.com/a") == "com,twitter,mobile)/a"
    assert cdx_key("twitter.com") == "com,twitter)/"


def test_cdx_exact_json_and_text_output(archive: TwitterWeb, http: httpx.Client) -> None:
    url = f"twitter.com/mod_russia/status/{EXAMPLE_RADIO_RECON_ID}"
    rows = cdx_json(http, url=url)
    assert rows[0] == ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    assert [r[1] for r in rows[1:]] == ["20151021140233", "20151023102455"]
    key, _, original, mimetype, status, digest, length = rows[1]
    assert (key, original, mimetype, status) == (cdx_key(url), f"https://{url}", "text/html", "200")
    assert re.fullmatch(r"[A-Z2-7]{32}", digest) and int(length) > 1000
    # Scheme, www. and case do not matter; the `original` column keeps the captured form.
    assert cdx_json(http, url=f"HTTP://WWW.Twitter.com/MOD_RUSSIA/status/{EXAMPLE_RADIO_RECON_ID}") == rows
    text = cdx(http, url=url, fl="timestamp,statuscode")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == "20151021140233 200\n20151023102455 200\n"
    assert cdx(http, url="nothing.example/", output="json").text == "[]"
    assert cdx(http, url="nothing.example/").text == ""
    assert cdx(http).status_code == 400


def test_cdx_prefix_dates_filter_collapse_limit(archive: TwitterWeb, http: httpx.Client) -> None:
    day = {"from": "20151021", "to": "20151021", "fl": "original,timestamp", "filter": "statuscode:200"}
    by_star = cdx_json(http, url="twitter.com/mod_russia/status/656*", **day)
    by_type = cdx_json(http, url="twitter.com/mod_russia/status/656", matchType="prefix", **day)
    assert by_star == by_type and by_star[0] == ["original", "timestamp"]
    stamps = [r[1] for r in by_star[1:]]
    assert stamps and all(s.startswith("20151021") for s in stamps)
    # Sorted by key then time: the 22 October capture of 656857565287750663 is outside `to`.
    assert "20151022081500" not in stamps and len(stamps) == 6
    # mobile.twitter.com is another host: not under twitter.com's prefix, found by matchType=domain.
    assert not any("mobile." in r[0] for r in cdx_json(http, url="twitter.com/mod_russia/*")[1:])
    domain = cdx_json(http, url="twitter.com", matchType="domain", fl="original")
    assert any(r[0].startswith("https://mobile.twitter.com/mod_russia/status/") for r in domain[1:])
    assert domain == cdx_json(http, url="*.twitter.com", fl="original")
    host = cdx_json(http, url="twitter.com/anything", matchType="host", fl="original")
    assert len(host) == len(domain) - 1  # all but the mobile capture
    collapsed = cdx_json(http, url="twitter.com/mod_russia/*", collapse="urlkey", fl="urlkey")
    assert len(collapsed) - 1 == len({r[0] for r in collapsed[1:]}) == 7
    first = cdx_json(http, url="twitter.com/mod_russia/*", fl="timestamp", limit="2")
    last = cdx_json(http, url="twitter.com/mod_russia/*", fl="timestamp", limit="-2")
    every = cdx_json(http, url="twitter.com/mod_russia/*", fl="timestamp")
    assert first == every[:3] and last == [every[0], *every[-2:]]
    assert cdx_json(http, url="twitter.com/mod_russia/*", fl="timestamp", offset="1", limit="1") == [
        every[0],
        every[2],
    ]
    # filter: regex, negation, several filters are all applied
    not_ok = cdx_json(http, url="twitter.com/mod_russia/*", fl="statuscode", filter="!statuscode:200")
    assert not_ok == [["statuscode"], ["404"]]
    news = http.get(
        "https://web.archive.org/cdx/search/cdx?url=news.example/*&fl=original,statuscode&output=json"
        "&filter=statuscode:2..&filter=!original:.*%5C?.*"
    ).json()
    assert news[1:] == [
        ["http://www.news.example/story", "200"],
        ["https://news.example/story", "200"],
        ["https://news.example/story", "200"],
    ]
    by_hour = cdx_json(http, url="news.example/story", collapse="timestamp:8", fl="timestamp")
    assert by_hour == [["timestamp"], ["20151021120000"], ["20151101000000"]]
    by_digest = cdx_json(http, url="news.example/story", collapse="digest", fl="timestamp")
    assert by_digest == [["timestamp"], ["20151021120000"], ["20151101000000"]]


def test_cdx_sort_closest(archive: TwitterWeb, http: httpx.Client) -> None:
    rows = cdx_json(http, url="news.example/story", sort="closest", closest="20151031", fl="timestamp")
    assert [r[0] for r in rows[1:]] == ["20151101000000", "20151021130000", "20151021120000"]
    assert cdx_json(
        http, url="news.example/story", sort="closest", closest="2015102112", fl="timestamp", limit="1"
    ) == [
        ["timestamp"],
        ["20151021120000"],
    ]


def test_cdx_digest_is_the_sha1_of_the_replayed_bytes(archive: TwitterWeb, http: httpx.Client) -> None:
    [_, (stamp, original, digest, length)] = cdx_json(
        http,
        url=f"twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}",
        fl="timestamp,original,digest,length",
        limit="1",
    )
    raw = http.get(f"https://web.archive.org/web/{stamp}id_/{original}")
    assert raw.status_code == 200
    assert base64.b32encode(hashlib.sha1(raw.content).digest()).decode() == digest and len(
        raw.content
    ) == int(length)


# -- the Wayback Machine: replay and availability ----------------------------------------------------


def test_replay_redirects_to_the_nearest_capture_and_id_gives_original_bytes(
    archive: TwitterWeb, http: httpx.Client
) -> None:
    url = f"https://twitter.com/mod_russia/status/{EXAMPLE_RADIO_RECON_ID}"
    near = http.get(f"https://web.archive.org/web/20151022id_/{url}")
    assert near.status_code == 302
    assert near.headers["location"] == f"https://web.archive.org/web/20151021140233id_/{url}"
    later = http.get(f"https://web.archive.org/web/20151023/{url}")
    assert later.headers["location"] == f"https://web.archive.org/web/20151023102455/{url}"
    raw = http.get(near.headers["location"])
    assert raw.status_code == 200 and raw.headers["memento-datetime"] == "Wed, 21 Oct 2015 14:02:33 GMT"
    assert f'<{url}>; rel="original"' in raw.headers["link"]
    assert b"WAYBACK TOOLBAR" not in raw.content and raw.text.startswith("<!DOCTYPE html>")
    page = http.get(f"https://web.archive.org/web/20151021140233/{url}")
    assert (
        b"<!-- BEGIN WAYBACK TOOLBAR INSERT -->" in page.content
        and b"FILE ARCHIVED ON 14:02:33 Oct 21, 2015" in page.content
    )
    followed = http.get(f"https://web.archive.org/web/2015id_/{url}", follow_redirects=True)
    assert followed.content == raw.content
    # No timestamp: the latest capture, or the one nearest Accept-Datetime (Memento TimeGate).
    assert (
        http.get(f"https://web.archive.org/web/{url}")
        .headers["location"]
        .startswith("https://web.archive.org/web/20151023102455/")
    )
    gate = http.get(
        f"https://web.archive.org/web/{url}", headers={"Accept-Datetime": "Wed, 21 Oct 2015 00:00:00 GMT"}
    )
    assert "/web/20151021140233/" in gate.headers["location"]
    missing = http.get("https://web.archive.org/web/2015/https://twitter.com/nobody/status/1")
    assert missing.status_code == 404 and "The Wayback Machine has not archived that URL." in missing.text
    moved = http.get("https://web.archive.org/web/20151102000000id_/https://news.example/moved")
    assert moved.status_code == 301


def test_captured_status_pages_look_like_2015_twitter(archive: TwitterWeb, http: httpx.Client) -> None:
    raw = http.get(
        f"https://web.archive.org/web/20151021081512id_/https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}"
    )
    doc = lxml.html.fromstring(raw.content)
    assert doc.findtext(".//title") == f'Минобороны России on Twitter: "{EXAMPLE_FOOTAGE_TEXT}"'
    meta = {m.get("property"): m.get("content") for m in doc.iter("meta") if m.get("property")}
    assert (
        meta["og:title"] == "Минобороны России on Twitter"
        and meta["og:description"] == f"“{EXAMPLE_FOOTAGE_TEXT}”"
    )
    assert meta["og:image"] == f"https://pbs.twimg.com/media/{EXAMPLE_PHOTO_KEY}.jpg:large"
    [tweet] = doc.find_class("permalink-tweet")
    assert (tweet.get("data-tweet-id"), tweet.get("data-screen-name"), tweet.get("data-name")) == (
        str(EXAMPLE_FOOTAGE_ID),
        "mod_russia",
        "Минобороны России",
    )
    [text] = doc.find_class("tweet-text")
    assert (
        text.get("class") == "TweetTextSize TweetTextSize--26px js-tweet-text tweet-text"
        and text.get("lang") == "en"
    )
    assert text.text_content() == (
        "#FOOTAGE Elimination of a militants' strong point (#Aleppo province) "
        f"{EXAMPLE_YOUTUBE_URL}\xa0… pic.twitter.com/PXh7c6aziZ"
    )
    [link] = [a for a in text.iter("a") if a.get("data-expanded-url")]
    assert (link.get("href"), link.get("data-expanded-url"), link.get("class")) == (
        "https://t.co/eKInDZJCbH",
        EXAMPLE_YOUTUBE_URL,
        "twitter-timeline-link",
    )
    hashtags = [a.text_content() for a in text.find_class("twitter-hashtag")]
    assert hashtags == ["#FOOTAGE", "#Aleppo"]
    [stamp] = doc.find_class("_timestamp")
    assert stamp.get("data-time") == "1445409926" and stamp.get("data-time-ms") == "1445409926000"
    [photo] = doc.find_class("AdaptiveMedia-photoContainer")
    assert photo.get("data-image-url") == f"https://pbs.twimg.com/media/{EXAMPLE_PHOTO_KEY}.jpg"
    mobile_id = next(i for i, _, _, _, host in EXAMPLE_NEIGHBOURS if host.startswith("mobile."))
    page = http.get(
        f"https://web.archive.org/web/20151022093017id_/https://mobile.twitter.com/mod_russia/status/{mobile_id}"
    )
    [mobile_text] = lxml.html.fromstring(page.content).find_class("tweet-text")
    assert (
        mobile_text.get("data-id") == str(mobile_id) and "Talks between #ISIS" in mobile_text.text_content()
    )


def test_availability(archive: TwitterWeb, http: httpx.Client) -> None:
    url = f"twitter.com/mod_russia/status/{EXAMPLE_RADIO_RECON_ID}"
    near = http.get(
        "https://archive.org/wayback/available", params={"url": url, "timestamp": "20151023"}
    ).json()
    assert near == {
        "url": url,
        "archived_snapshots": {
            "closest": {
                "status": "200",
                "available": True,
                "url": f"http://web.archive.org/web/20151023102455/https://{url}",
                "timestamp": "20151023102455",
            }
        },
        "timestamp": "20151023",
    }
    latest = http.get("https://archive.org/wayback/available", params={"url": f"https://{url}"}).json()
    assert (
        latest["archived_snapshots"]["closest"]["timestamp"] == "20151023102455" and "timestamp" not in latest
    )
    # Only 200 captures: the 2016 capture of 656722946431664128 is a 404.
    footage = http.get(
        "https://archive.org/wayback/available",
        params={"url": f"twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}", "timestamp": "2017"},
    ).json()
    assert footage["archived_snapshots"]["closest"]["timestamp"] == "20151021081512"
    none = http.get(
        "https://archive.org/wayback/available", params={"url": "nothing.example", "timestamp": "2015"}
    )
    assert none.json() == {"url": "nothing.example", "archived_snapshots": {}, "timestamp": "2015"}


# -- switches: down, rate limits, latency, CDX concurrency -----------------------------------------


def test_rate_limit_then_normal(twitter_web: TwitterWeb, http: httpx.Client) -> None:
    twitter_web.rate_limit("cdx", 2, retry_after=7)
    statuses = [cdx(http, url="news.example/", output="json") for _ in range(3)]
    assert [r.status_code for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["retry-after"] == "7"
    twitter_web.rate_limit("syndication", 1)
    assert [syndication(http, PHOTO_ID).status_code for _ in range(2)] == [429, 200]
    assert twitter_web.hits["cdx"] == 3 and twitter_web.hits["syndication"] == 2


@pytest.mark.parametrize(
    ("endpoint", "url", "status"),
    [
        ("syndication", TwitterWeb.syndication_url(PHOTO_ID), 503),
        ("oembed", TwitterWeb.oembed_url(PHOTO.url), 503),
        ("fxtwitter", f"https://api.fxtwitter.com/x/status/{PHOTO_ID}", 500),
        ("vxtwitter", f"https://api.vxtwitter.com/x/status/{PHOTO_ID}", 503),
        ("cdx", "https://web.archive.org/cdx/search/cdx?url=twitter.com", 503),
        ("wayback", "https://web.archive.org/web/2015/https://twitter.com/", 503),
        ("availability", "https://archive.org/wayback/available?url=twitter.com", 503),
        ("media", "https://pbs.twimg.com/media/CRphotoKEY00001.jpg", 503),
    ],
)
def test_down_and_up(
    twitter_web: TwitterWeb, http: httpx.Client, endpoint: str, url: str, status: int
) -> None:
    twitter_web.down(endpoint)
    assert [http.get(url).status_code for _ in range(2)] == [status, status]
    if endpoint == "fxtwitter":
        assert http.get(url).json() == {"code": 500, "message": "API_FAIL", "tweet": None}
    twitter_web.up(endpoint)
    assert http.get(url).status_code < 500
    twitter_web.down(endpoint, 502)
    assert http.get(url).status_code == 502


def test_unknown_endpoint_names_are_refused(twitter_web: TwitterWeb) -> None:
    with pytest.raises(ValueError, match="endpoint must be one of"):
        twitter_web.down("twitter")


def test_latency_per_endpoint(twitter_web: TwitterWeb, http: httpx.Client) -> None:
    twitter_web.latency("oembed", 0.2)
    start = time.perf_counter()
    http.get(TwitterWeb.oembed_url(PHOTO.url))
    assert time.perf_counter() - start >= 0.2
    start = time.perf_counter()
    syndication(http, PHOTO_ID)
    assert time.perf_counter() - start < 0.2


async def test_cdx_refuses_concurrent_requests_when_asked(twitter_web: TwitterWeb, local_web: Web) -> None:
    twitter_web.cdx_concurrency = 1
    twitter_web.latency("cdx", 0.3)
    async with httpx.AsyncClient(**local_web.client_options()) as client:
        url = "https://web.archive.org/cdx/search/cdx?url=twitter.com&output=json"
        first = asyncio.create_task(client.get(url))
        await asyncio.sleep(0.1)  # the first is in flight
        second = await client.get(url)
        assert (await first).status_code == 200 and second.status_code == 429
        assert (await client.get(url)).status_code == 200  # one at a time is fine


# -- media --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "content_type", "body"),
    [
        ("https://pbs.twimg.com/media/CRphotoKEY00001.jpg", 200, "image/jpeg", JPEG_BYTES),
        ("https://pbs.twimg.com/media/CRphotoKEY00001.jpg?name=orig", 200, "image/jpeg", JPEG_BYTES),
        ("https://pbs.twimg.com/media/CRphotoKEY00001?format=jpg&name=orig", 200, "image/jpeg", JPEG_BYTES),
        ("https://pbs.twimg.com/media/CRphotoKEY00001?format=png&name=small", 200, "image/png", PNG_BYTES),
        ("https://pbs.twimg.com/media/CRphotoKEY00001.jpg:large", 200, "image/jpeg", JPEG_BYTES),
        ("https://pbs.twimg.com/media/UNKNOWNKEY.jpg", 404, None, b""),
        ("https://pbs.twimg.com/tweet_video_thumb/GIFkey.jpg", 200, "image/jpeg", JPEG_BYTES),
        ("https://video.twimg.com/tweet_video/GIFkey.mp4", 200, "video/mp4", MP4_BYTES),
        ("https://video.twimg.com/tweet_video/OTHER.mp4", 404, None, b""),
    ],
)
def test_media_bytes(
    twitter_web: TwitterWeb, http: httpx.Client, url: str, status: int, content_type: str | None, body: bytes
) -> None:
    r = http.get(url)
    assert r.status_code == status and r.content == body
    if content_type:
        assert r.headers["content-type"] == content_type


def test_media_urls_from_the_json_all_resolve(twitter_web: TwitterWeb, http: httpx.Client) -> None:
    data = syndication(http, VIDEO_ID).json()
    detail = data["mediaDetails"][0]
    urls = [detail["media_url_https"], data["user"]["profile_image_url_https"]]
    urls += [v["url"] for v in detail["video_info"]["variants"]]
    fx = http.get(f"https://api.fxtwitter.com/x/status/{PHOTO_ID}").json()["tweet"]
    urls += [fx["media"]["photos"][0]["url"], fx["author"]["avatar_url"], fx["author"]["banner_url"]]
    answers = {url: http.get(url) for url in urls}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(urls, 200)
    assert JPEG_BYTES.startswith(b"\xff\xd8\xff\xe0") and JPEG_BYTES.endswith(b"\xff\xd9")
    assert PNG_BYTES.startswith(b"\x89PNG") and MP4_BYTES[4:8] == b"ftyp"
    playlist = next(r for url, r in answers.items() if ".m3u8" in url)
    assert playlist.headers["content-type"] == "application/x-mpegURL" and playlist.text.startswith("#EXTM3U")
    assert http.get("https://pbs.twimg.com/profile_images/1/unknown_normal.jpg").status_code == 404


# -- the example article -----------------------------------------------------------------------------


def test_example_article_tweets(local_web: Web, http: httpx.Client) -> None:
    tw = install_twitter(local_web)
    install_example(tw)
    radio = syndication(http, EXAMPLE_RADIO_RECON_ID).json()
    assert radio["text"] == EXAMPLE_RADIO_RECON_TEXT.replace("&", "&amp;")
    assert radio["created_at"].startswith("2015-10-21T") and radio["user"]["screen_name"] == "mod_russia"
    footage = syndication(http, EXAMPLE_FOOTAGE_ID).json()
    assert footage["entities"]["urls"][0]["expanded_url"] == EXAMPLE_YOUTUBE_URL
    assert footage["mediaDetails"][0]["url"] == "https://t.co/PXh7c6aziZ"
    # The article's links, as they led.
    assert http.get("https://t.co/eKInDZJCbH").headers["location"] == EXAMPLE_YOUTUBE_URL
    assert http.get(EXAMPLE_YOUTUBE_URL).status_code == 200
    photo_page = f"https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}/photo/1"
    assert http.get("https://pic.twitter.com/PXh7c6aziZ").headers["location"] == photo_page
    assert http.get("https://t.co/PXh7c6aziZ").headers["location"] == photo_page
    # The UTC day's @mod_russia tweets in the Wayback: the two, near misses, the deleted one.
    rows = cdx_json(
        http,
        url="twitter.com/mod_russia/status/*",
        **{"from": "20151020", "to": "20151023"},
        fl="original",
        collapse="urlkey",
        filter="statuscode:200",
    )
    ids = {int(r[0].rsplit("/", 1)[1]) for r in rows[1:]}
    assert {EXAMPLE_FOOTAGE_ID, EXAMPLE_RADIO_RECON_ID} <= ids and len(ids) >= 7
    deleted = next(i for i, _, state, _, _ in EXAMPLE_NEIGHBOURS if state == "deleted")
    assert deleted in ids and syndication(http, deleted).status_code == 404
    near_misses = [text for _, text, _, _, _ in EXAMPLE_NEIGHBOURS if "#ISIS" in text or "#SYRIA" in text]
    assert len(near_misses) >= 3 and EXAMPLE_RADIO_RECON_TEXT not in near_misses


# -- bulk ------------------------------------------------------------------------------------------


def test_bulk_registers_many_tweets_by_a_deterministic_mix(local_web: Web, http: httpx.Client) -> None:
    tw = install_twitter(local_web)
    start = snowflake_id(dt.datetime(2015, 10, 21, tzinfo=dt.UTC))
    begun = time.perf_counter()
    made = tw.bulk(20_000, start, captured=True)
    assert time.perf_counter() - begun < 2.0  # cheap enough for benchmarks
    states = [t.state for t in made]
    assert states == [t.state for t in tw.bulk(20_000, start, captured=True)]  # same again
    assert states.count("available") == 18_000 and states.count("deleted") == 800
    assert len(set(states[:20])) > 1  # spread out, not in blocks
    available = next(t for t in made if t.state == "available")
    deleted = next(t for t in made if t.state == "deleted")
    assert syndication(http, available.id).json()["text"] == available.text
    assert syndication(http, deleted.id).status_code == 404
    rows = cdx_json(http, url=f"twitter.com/bench/status/{deleted.id}", fl="timestamp")
    assert len(rows) == 2
    only_protected = tw.bulk(3, start + 1, handle="locked", state_mix={"protected": 1})
    assert {t.state for t in only_protected} == {"protected"}
