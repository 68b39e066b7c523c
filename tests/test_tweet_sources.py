"""The tweet sources' parsers, on answers of the shapes the real services give (pure, no network).

The shapes follow recorded answers of each service (WEB-FACTS.md); the local web plays the
same shapes end to end (tests/web/twitter.py, test_tweets.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from resolver.models import TweetState
from resolver.twitter.sources import (
    Outcome,
    TweetKey,
    fate_from_text,
    mirrors,
    oembed,
    orig_photo_url,
    syndication,
    utc_from_text,
    wayback,
)

TWEET_ID = "656722946431664128"
KEY = TweetKey(TWEET_ID, "mod_russia")


def syndication_tweet(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "__typename": "Tweet",
        "lang": "en",
        "favorite_count": 120,
        "created_at": "2015-10-21T06:45:26.000Z",
        "display_text_range": [0, 92],
        "entities": {
            "hashtags": [{"indices": [0, 8], "text": "FOOTAGE"}, {"indices": [47, 54], "text": "Aleppo"}],
            "urls": [
                {
                    "display_url": "youtube.com/watch?v=Mx4zh3…",
                    "expanded_url": "https://www.youtube.com/watch?v=Mx4zh3R1j0Y",
                    "indices": [69, 92],
                    "url": "https://t.co/eKInDZJCbH",
                }
            ],
            "user_mentions": [],
            "symbols": [],
            "media": [
                {
                    "display_url": "pic.twitter.com/PXh7c6aziZ",
                    "expanded_url": f"https://twitter.com/mod_russia/status/{TWEET_ID}/photo/1",
                    "indices": [93, 116],
                    "url": "https://t.co/PXh7c6aziZ",
                }
            ],
        },
        "id_str": TWEET_ID,
        "text": "#FOOTAGE Elimination of a militants&#39; strong point (#Aleppo province) &amp; more "
        "https://t.co/eKInDZJCbH https://t.co/PXh7c6aziZ",
        "user": {
            "id_str": "3317734785",
            "name": "Минобороны России",
            "profile_image_url_https": "https://pbs.twimg.com/profile_images/1/x_normal.jpg",
            "screen_name": "mod_russia",
            "verified": False,
            "is_blue_verified": False,
        },
        "edit_control": {"edit_tweet_ids": [TWEET_ID], "editable_until_msecs": "1445411726000"},
        "mediaDetails": [
            {
                "display_url": "pic.twitter.com/PXh7c6aziZ",
                "expanded_url": f"https://twitter.com/mod_russia/status/{TWEET_ID}/photo/1",
                "ext_media_availability": {"status": "Available"},
                "indices": [93, 116],
                "media_url_https": "https://pbs.twimg.com/media/CR2bXyzWcAAf3kP.jpg",
                "original_info": {"height": 675, "width": 1200},
                "type": "photo",
                "url": "https://t.co/PXh7c6aziZ",
                "ext_alt_text": "Smoke over a hill",
            }
        ],
        "photos": [{"url": "https://pbs.twimg.com/media/CR2bXyzWcAAf3kP.jpg", "width": 1200, "height": 675}],
        "conversation_count": 3,
        "isEdited": False,
        "isStaleEdit": False,
    }
    data.update(changes)
    return data


VIDEO = {
    "type": "video",
    "media_url_https": "https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/abc.jpg",
    "original_info": {"height": 720, "width": 1280},
    "url": "https://t.co/VIDEO",
    "video_info": {
        "aspect_ratio": [16, 9],
        "duration_millis": 30033,
        "variants": [
            {
                "content_type": "application/x-mpegURL",
                "url": "https://video.twimg.com/ext_tw_video/1/pu/pl/x.m3u8",
            },
            {
                "bitrate": 832000,
                "content_type": "video/mp4",
                "url": "https://video.twimg.com/ext_tw_video/1/pu/vid/640x360/b.mp4",
            },
            {
                "bitrate": 2176000,
                "content_type": "video/mp4",
                "url": "https://video.twimg.com/ext_tw_video/1/pu/vid/1280x720/c.mp4",
            },
            {
                "bitrate": 256000,
                "content_type": "video/mp4",
                "url": "https://video.twimg.com/ext_tw_video/1/pu/vid/480x270/a.mp4",
            },
        ],
    },
}


def test_syndication_reads_the_whole_record() -> None:
    answer = syndication.parse(syndication_tweet(), KEY)
    assert answer.outcome is Outcome.FOUND and answer.tweet is not None
    tweet = answer.tweet
    assert (tweet.id, tweet.handle, tweet.author, tweet.lang) == (
        TWEET_ID,
        "mod_russia",
        "Минобороны России",
        "en",
    )
    assert tweet.created_at == dt.datetime(2015, 10, 21, 6, 45, 26, tzinfo=dt.UTC)
    # Unescaped, and each t.co link replaced by where it leads; the original kept.
    assert tweet.text_original.startswith(
        "#FOOTAGE Elimination of a militants' strong point (#Aleppo province) & more"
    )
    assert "https://t.co/eKInDZJCbH" in tweet.text_original
    assert "https://www.youtube.com/watch?v=Mx4zh3R1j0Y" in tweet.text and "t.co/" not in tweet.text
    assert tweet.links == ("https://www.youtube.com/watch?v=Mx4zh3R1j0Y",)  # the medium is in `media`
    assert [m.to_json()["url"] for m in tweet.media] == [
        "https://pbs.twimg.com/media/CR2bXyzWcAAf3kP.jpg?name=orig"
    ]
    photo = tweet.media[0]
    assert (photo.type, photo.width, photo.height, photo.alt_text, photo.content_type) == (
        "photo",
        1200,
        675,
        "Smoke over a hill",
        "image/jpeg",
    )
    assert tweet.hashtags == ("FOOTAGE", "Aleppo") and tweet.source == "syndication"


def test_syndication_takes_the_best_mp4_variant_of_a_video() -> None:
    answer = syndication.parse(syndication_tweet(mediaDetails=[VIDEO]), KEY)
    assert answer.tweet is not None
    video = answer.tweet.media[0]
    assert video.type == "video" and video.url.endswith("/1280x720/c.mp4")
    assert (video.bitrate, video.duration_ms, video.content_type) == (2176000, 30033, "video/mp4")
    assert video.preview_url == "https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/abc.jpg?name=orig"


def test_syndication_reads_the_quoted_tweet_one_level_and_the_reply() -> None:
    inner = syndication_tweet(id_str="2", text="inner", quoted_tweet=syndication_tweet(id_str="3"))
    data = syndication_tweet(
        quoted_tweet=inner, in_reply_to_status_id_str="555", in_reply_to_screen_name="someone"
    )
    tweet = syndication.parse(data, KEY).tweet
    assert tweet is not None and tweet.quoted_id == "2" and tweet.quoted is not None
    assert tweet.quoted.text == "inner" and tweet.quoted.quoted is None  # one level deep
    assert (tweet.in_reply_to_id, tweet.in_reply_to_handle) == ("555", "someone")


TOMBSTONES = [
    ("This Post is from a suspended account. Learn more", TweetState.SUSPENDED),
    ("This Post was deleted by the Post author. Learn more", TweetState.DELETED),
    ("You’re unable to view this Post because this account owner limits who can view their Posts. Learn more",
     TweetState.PROTECTED),
    ("This Post has been withheld in response to a report from the copyright holder. Learn more",
     TweetState.WITHHELD),
    ("This Post has been withheld in Germany in response to a legal demand.", TweetState.WITHHELD),
    ("Age-restricted adult content. This content might not be appropriate for people under 18 years old.",
     TweetState.AGE_RESTRICTED),
    ("This Tweet is from a suspended account.", TweetState.SUSPENDED),
    # No fate stated: the next sources are asked (oEmbed's 404 or 403 says which).
    ("This Post is unavailable. Learn more", None),
    ("Something nobody has seen before", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "state"), TOMBSTONES)
def test_syndication_tombstones_state_the_fate(text: str, state: TweetState | None) -> None:
    data = {
        "__typename": "TweetTombstone",
        "tombstone": {"text": {"text": text, "entities": [], "rtl": False}},
    }
    answer = syndication.parse(data, KEY)
    assert answer.outcome is (Outcome.GONE if state else Outcome.NOT_FOUND)
    assert answer.state is state and text[:20] in answer.reason


def test_a_tombstone_without_text_states_no_fate() -> None:
    # react-tweet and astro-tweet report a bare {"__typename": "TweetTombstone"} for some
    # sensitive-media tweets that are live when logged in.
    answer = syndication.parse({"__typename": "TweetTombstone"}, KEY)
    assert answer.outcome is Outcome.NOT_FOUND and answer.state is None


@pytest.mark.parametrize(
    ("data", "outcome"),
    [
        ({}, Outcome.NOT_FOUND),
        ({"__typename": "TweetUnavailable"}, Outcome.NOT_FOUND),  # says no more than a 404
        ({"__typename": "TweetUnavailable", "reason": "Suspended"}, Outcome.GONE),
        ({"__typename": "TweetUnavailable", "reason": "NsfwLoggedOut"}, Outcome.GONE),
        ({"errors": [{"message": "x"}]}, Outcome.FAILED),
        (syndication_tweet(id_str="1"), Outcome.FAILED),  # about another tweet
    ],
)
def test_syndication_odd_answers(data: dict[str, Any], outcome: Outcome) -> None:
    assert syndication.parse(data, KEY).outcome is outcome


def test_syndication_request_carries_the_widget_token() -> None:
    url = syndication.request_url("1346889436626259968")
    assert url.startswith("https://cdn.syndication.twimg.com/tweet-result?id=1346889436626259968&lang=en&")
    assert url.endswith("token=39jdlu2hpym")


OEMBED_HTML = (
    '<blockquote class="twitter-tweet"><p lang="en" dir="ltr"><a href="https://twitter.com/hashtag/FOOTAGE'
    '?src=hash&amp;ref_src=twsrc%5Etfw">#FOOTAGE</a> Elimination of a militants&#39; strong point (<a '
    'href="https://twitter.com/hashtag/Aleppo?src=hash&amp;ref_src=twsrc%5Etfw">#Aleppo</a> province) '
    '<a href="https://t.co/eKInDZJCbH">https://t.co/eKInDZJCbH</a> <a href="https://t.co/PXh7c6aziZ">'
    "pic.twitter.com/PXh7c6aziZ</a></p>&mdash; Минобороны России (@mod_russia) <a href="
    '"https://twitter.com/mod_russia/status/656722946431664128?ref_src=twsrc%5Etfw">October 21, 2015</a>'
    "</blockquote>\n"
)


def test_oembed_reads_text_author_and_links() -> None:
    data = {
        "url": f"https://twitter.com/mod_russia/status/{TWEET_ID}",
        "author_name": "Минобороны России",
        "author_url": "https://twitter.com/mod_russia",
        "html": OEMBED_HTML,
        "width": 550,
        "height": None,
        "type": "rich",
        "cache_age": "3153600000",
        "provider_name": "Twitter",
        "provider_url": "https://twitter.com",
        "version": "1.0",
    }
    tweet = oembed.parse(data, TweetKey(TWEET_ID))
    assert tweet is not None
    assert tweet.text_original == (
        "#FOOTAGE Elimination of a militants' strong point (#Aleppo province) "
        "https://t.co/eKInDZJCbH https://t.co/PXh7c6aziZ"
    )
    assert [link.url for link in tweet.urls] == ["https://t.co/eKInDZJCbH", "https://t.co/PXh7c6aziZ"]
    assert all(link.expanded_url is None for link in tweet.urls)  # the caller expands them
    assert (tweet.handle, tweet.author, tweet.lang) == ("mod_russia", "Минобороны России", "en")
    # The embed's date is a calendar date; the time comes from the ID.
    assert tweet.created_at == dt.datetime(2015, 10, 21, 6, 45, 26, 408000, tzinfo=dt.UTC)
    assert tweet.hashtags == ("FOOTAGE", "Aleppo")


FX_TWEET = {
    "code": 200,
    "message": "OK",
    "tweet": {
        "url": f"https://x.com/mod_russia/status/{TWEET_ID}",
        "id": TWEET_ID,
        "text": "#FOOTAGE Elimination (#Aleppo province) https://www.youtube.com/watch?v=Mx4zh3R1j0Y",
        "raw_text": {
            "text": "#FOOTAGE Elimination (#Aleppo province) https://t.co/eKInDZJCbH https://t.co/PXh7c6aziZ",
            "facets": [
                {"type": "hashtag", "indices": [0, 8], "original": "FOOTAGE"},
                {"type": "url", "indices": [40, 63], "original": "https://t.co/eKInDZJCbH",
                 "replacement": "https://www.youtube.com/watch?v=Mx4zh3R1j0Y", "display": "youtube.com/watch?v=Mx4z…"},
            ],
        },
        "author": {"id": "3317734785", "name": "Минобороны России", "screen_name": "mod_russia"},
        "created_at": "Wed Oct 21 06:45:26 +0000 2015",
        "created_timestamp": 1445409926,
        "lang": "en",
        "replying_to": None,
        "replying_to_status": None,
        "media": {
            "all": [],
            "photos": [{"type": "photo", "url": "https://pbs.twimg.com/media/CR2bXyzWcAAf3kP.jpg?name=orig",
                        "width": 1200, "height": 675, "altText": "Smoke"}],
            "videos": [{"type": "gif", "url": "https://video.twimg.com/tweet_video/G.mp4",
                        "thumbnail_url": "https://pbs.twimg.com/tweet_video_thumb/G.jpg", "width": 480,
                        "height": 270, "duration": 0, "format": "video/mp4"}],
        },
        "quote": {"id": "42", "text": "quoted", "author": {"name": "Q", "screen_name": "q"},
                  "created_timestamp": 1445400000},
    },
}  # fmt: skip


def test_fxtwitter_shape() -> None:
    tweet = mirrors.parse(FX_TWEET, KEY, source="api.fxtwitter.com")
    assert tweet is not None and tweet.source == "api.fxtwitter.com"
    assert tweet.text.endswith("youtube.com/watch?v=Mx4zh3R1j0Y")
    assert "https://t.co/eKInDZJCbH" in tweet.text_original
    assert tweet.links == ("https://www.youtube.com/watch?v=Mx4zh3R1j0Y",)
    assert [(m.type, m.url) for m in tweet.media] == [
        ("photo", "https://pbs.twimg.com/media/CR2bXyzWcAAf3kP.jpg?name=orig"),
        ("animated_gif", "https://video.twimg.com/tweet_video/G.mp4"),
    ]
    assert tweet.created_at == dt.datetime(2015, 10, 21, 6, 45, 26, tzinfo=dt.UTC)
    assert tweet.quoted_id == "42" and tweet.quoted is not None and tweet.quoted.handle == "q"


VX_TWEET = {
    "text": "Radio recon intercepted data",
    "date": "Wed Oct 21 12:00:00 +0000 2015",
    "date_epoch": 1445428800,
    "tweetID": TWEET_ID,
    "tweetURL": f"https://twitter.com/mod_russia/status/{TWEET_ID}",
    "user_name": "Минобороны России",
    "user_screen_name": "mod_russia",
    "lang": "en",
    "hashtags": ["ISIS"],
    "mediaURLs": ["https://pbs.twimg.com/media/X.jpg"],
    "media_extended": [
        {"type": "image", "url": "https://pbs.twimg.com/media/X.jpg", "size": {"width": 800, "height": 600},
         "altText": None, "thumbnail_url": "https://pbs.twimg.com/media/X.jpg"},
        {"type": "video", "url": "https://video.twimg.com/v.mp4", "size": {"width": 1280, "height": 720},
         "duration_millis": 1000, "thumbnail_url": "https://pbs.twimg.com/t.jpg"},
    ],
    "qrt": None,
    "replyingTo": "someone",
    "replyingToID": "77",
}  # fmt: skip


def test_vxtwitter_shape() -> None:
    tweet = mirrors.parse(VX_TWEET, KEY, source="api.vxtwitter.com")
    assert tweet is not None and tweet.author == "Минобороны России"
    assert tweet.created_at == dt.datetime(2015, 10, 21, 12, 0, tzinfo=dt.UTC)
    assert [(m.type, m.url, m.width) for m in tweet.media] == [
        ("photo", "https://pbs.twimg.com/media/X.jpg?name=orig", 800),
        ("video", "https://video.twimg.com/v.mp4", 1280),
    ]
    assert (tweet.in_reply_to_id, tweet.in_reply_to_handle) == ("77", "someone")


def test_unknown_mirror_shape() -> None:
    assert mirrors.parse({"hello": "world"}, KEY) is None


@pytest.mark.parametrize(
    ("template", "ok"),
    [
        ("https://api.fxtwitter.com/{handle}/status/{id}", True),
        ("https://mirror.example/{id}", True),
        ("https://mirror.example/{handle}", False),
        ("ftp://mirror.example/{id}", False),
        ("not a url {id}", False),
    ],
)
def test_mirror_templates(template: str, ok: bool) -> None:
    assert (mirrors.check_template(template) is None) is ok


CAPTURED_2015 = f"""<!DOCTYPE html><html><head>
<title>Минобороны России on Twitter: "Radio recon intercepted data"</title>
<meta property="og:title" content="Минобороны России on Twitter">
<meta property="og:description" content="“Radio recon intercepted data about start of talks between #ISIS &amp; Jabhat an-Nusra”">
</head><body>
<div class="permalink-tweet-container"><div class="tweet permalink-tweet js-actionable-user" data-tweet-id="{TWEET_ID}"
 data-screen-name="mod_russia" data-name="Минобороны России" data-user-id="3317734785">
<p class="TweetTextSize TweetTextSize--26px js-tweet-text tweet-text" lang="en" data-aria-label-part="0">Radio recon intercepted data about start of talks between <a href="/hashtag/ISIS?src=hash" data-query-source="hashtag_click" class="twitter-hashtag pretty-link js-nav" dir="ltr"><s>#</s><b>ISIS</b></a> &amp; Jabhat an-Nusra <a href="https://t.co/abcDEF" rel="nofollow noopener" dir="ltr" data-expanded-url="https://news.example/story" class="twitter-timeline-link" target="_blank" title="https://news.example/story">news.example/story</a><a href="https://t.co/PXh7c6aziZ" class="twitter-timeline-link u-hidden" data-pre-embedded="true" dir="ltr">pic.twitter.com/PXh7c6aziZ</a></p>
<span class="_timestamp js-short-timestamp" data-aria-hidden="true" data-time="1445428800" data-time-ms="1445428800000">21 Oct 2015</span>
<div class="AdaptiveMedia-photoContainer js-adaptive-photo" data-image-url="https://pbs.twimg.com/media/CR2b.jpg"></div>
</div></div></body></html>"""


def test_wayback_capture_of_a_2015_status_page() -> None:
    tweet = wayback.parse(CAPTURED_2015, KEY)
    assert tweet is not None and tweet.source == "wayback"
    assert tweet.text_original.startswith(
        "Radio recon intercepted data about start of talks between #ISIS & Jabhat"
    )
    assert "https://t.co/abcDEF" in tweet.text_original and "https://news.example/story" in tweet.text
    assert tweet.urls[0].expanded_url == "https://news.example/story"
    assert tweet.created_at == dt.datetime(2015, 10, 21, 12, 0, tzinfo=dt.UTC)
    assert (tweet.author, tweet.handle, tweet.hashtags) == ("Минобороны России", "mod_russia", ("ISIS",))
    assert [m.url for m in tweet.media] == ["https://pbs.twimg.com/media/CR2b.jpg?name=orig"]


def test_wayback_script_only_capture_falls_back_to_meta_tags() -> None:
    page = (
        '<html><head><meta property="og:title" content="Минобороны России on X">'
        '<meta property="og:description" content="“Only the meta tags”"></head><body><script></script></body></html>'
    )
    tweet = wayback.parse(page, KEY)
    assert tweet is not None and tweet.text == "Only the meta tags" and tweet.author == "Минобороны России"
    assert wayback.parse("<html><body>JavaScript is not available.</body></html>", KEY) is None


@pytest.mark.parametrize(
    ("text", "state"),
    [("Account suspended", TweetState.SUSPENDED), ("PRIVATE_TWEET", TweetState.PROTECTED), ("hello", None)],
)
def test_fate_phrases(text: str, state: TweetState | None) -> None:
    assert fate_from_text(text) is state


@pytest.mark.parametrize(
    ("url", "orig"),
    [
        ("https://pbs.twimg.com/media/A.jpg", "https://pbs.twimg.com/media/A.jpg?name=orig"),
        ("https://pbs.twimg.com/media/A.jpg:large", "https://pbs.twimg.com/media/A.jpg?name=orig"),
        ("https://pbs.twimg.com/media/A.jpg?name=small", "https://pbs.twimg.com/media/A.jpg?name=orig"),
        ("https://other.example/A.jpg", "https://other.example/A.jpg"),
    ],
)
def test_original_size_photo_urls(url: str, orig: str) -> None:
    assert orig_photo_url(url) == orig


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2015-10-21T06:45:26.000Z", "2015-10-21T06:45:26+00:00"),
        ("Wed Oct 21 06:45:26 +0000 2015", "2015-10-21T06:45:26+00:00"),
        ("Wed Oct 21 09:45:26 +0300 2015", "2015-10-21T06:45:26+00:00"),
        ("yesterday", None),
    ],
)
def test_source_dates(text: str, iso: str | None) -> None:
    parsed = utc_from_text(text)
    assert (parsed.isoformat() if parsed else None) == iso


def test_wayback_parses_the_pages_the_local_web_captures() -> None:
    # The local web's 2015 desktop and mobile status pages (tests/web/twitter.py), read back.
    from tests.web.twitter import FakeMedia, FakeTweet, mobile_status_page, status_page_2015

    fake = FakeTweet(
        656722946431664128,
        "mod_russia",
        "Минобороны России",
        "Strike on #ISIS & more https://t.co/abc https://t.co/PXh7c6aziZ",
        urls=(("https://t.co/abc", "https://news.example/a"),),
        media=(FakeMedia("photo", "CR2bXyzWcAAf3kP", tco="https://t.co/PXh7c6aziZ"),),
    )
    for page in (status_page_2015(fake), mobile_status_page(fake)):
        tweet = wayback.parse(page, TweetKey(str(fake.id)))
        assert tweet is not None
        assert tweet.text_original.startswith("Strike on #ISIS & more https://t.co/abc")
        assert "https://news.example/a" in tweet.text
        assert (tweet.handle, tweet.author) == ("mod_russia", "Минобороны России")
        assert [m.url for m in tweet.media] == ["https://pbs.twimg.com/media/CR2bXyzWcAAf3kP.jpg?name=orig"]
