"""Recovering tweets end to end: the commands and the library, through the test proxy.

The local web (tests/web/twitter.py) plays the syndication endpoint, oEmbed, FxTwitter,
vxTwitter and the Wayback Machine with the shapes the real services send.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import cache
import resolver
from resolver.models import TweetState
from resolver.twitter.recover import NS_TWEET, TweetOptions
from resolver.twitter.token import syndication_token
from tests.web.twitter import (
    EXAMPLE_FOOTAGE_ID,
    EXAMPLE_PHOTO_KEY,
    EXAMPLE_RADIO_RECON_ID,
    EXAMPLE_YOUTUBE_URL,
    FakeMedia,
    FakeTweet,
    TwitterWeb,
    install_example,
    snowflake_id,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sputnik-pt-2015-syria.txt"

pytestmark = pytest.mark.usefixtures("proxy_env")

FAST = TweetOptions(retries=1, timeout=5.0)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def one(ref: str, options: TweetOptions = FAST) -> resolver.TweetLookup:
    [lookup] = resolver.tweet([ref], options=options)
    return lookup


# --- The example article ---------------------------------------------------------------------


def test_the_example_article_comes_back_whole(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    done = run("tweets", "--no-cache", "-f", "json", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    article = json.loads(done.stdout)
    assert article["article"] == str(EXAMPLE)
    first, second = article["tweets"]
    # The first from its pic.twitter.com link: ID, full text, and the photo at original size.
    assert first["id_source"] == "pic.twitter.com" and first["confidence"] == 1.0
    assert first["id"] == str(EXAMPLE_FOOTAGE_ID) and first["state"] == "available"
    assert first["media_index"] == 1 and first["handle"] == "mod_russia"
    record = first["record"]
    assert record["author"] == "Минобороны России" and record["created_at"] == "2015-10-21T06:45:26Z"
    assert record["text"].startswith("#FOOTAGE Elimination of a militants' strong point (#Aleppo province)")
    assert EXAMPLE_YOUTUBE_URL in record["text"] and "https://t.co/eKInDZJCbH" in record["text_original"]
    assert record["links"] == [EXAMPLE_YOUTUBE_URL]
    [photo] = record["media"]
    assert (
        photo["type"] == "photo"
        and photo["url"] == f"https://pbs.twimg.com/media/{EXAMPLE_PHOTO_KEY}.jpg?name=orig"
    )
    assert photo["size"] == {"width": 1200, "height": 675}
    assert record["source"] == "syndication"
    # The second by search: no link at all, found by handle, date and text.
    assert second["id_source"] == "search" and second["id"] == str(EXAMPLE_RADIO_RECON_ID)
    assert second["confidence"] >= 0.95 and second["state"] == "available"
    assert second["record"]["text"] == (
        "Radio recon intercepted data about start of talks between #ISIS & Jabhat an-Nusra commanders on "
        "alliance against #SYRIA government troops"
    )
    assert second["candidates"][0]["id"] == str(EXAMPLE_RADIO_RECON_ID)
    assert all(c["score"] < 0.8 for c in second["candidates"][1:])
    # The scan's own fields are all there.
    for field in ("handle", "author", "date", "text", "lang", "links", "where", "form"):
        assert field in second
    assert second["date"] == "2015-10-21" and second["links"] == []
    assert "recovered, in 1 article(s), 2 tweets" in done.stderr


def test_the_search_asks_cdx_one_at_a_time_and_never_by_date_alone(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    twitter_web.cdx_concurrency = 1  # more than one CDX request in flight would earn a 429
    [article] = resolver.tweets([str(EXAMPLE)], options=FAST)
    assert isinstance(article, resolver.ArticleTweets)
    second = article.tweets[1].lookup
    assert second.id_source is resolver.IdSource.SEARCH and second.tweet is not None
    assert second.tweet.id == str(EXAMPLE_RADIO_RECON_ID)
    assert twitter_web.hits["cdx"] <= 4  # a few prefixes, not one request per ID or per day
    assert "429" not in " ".join(second.tweet.tried)


def test_a_quote_no_candidate_matches_gets_candidates_not_a_guess(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    install_example(twitter_web)
    article = tmp_path / "a.txt"
    article.write_text(
        "Texto.\nNothing like any tweet of that day was ever posted by this account, surely\n"
        "— Минобороны России (@mod_russia) 21 outubro 2015\n",
        encoding="utf-8",
    )
    done = run("tweets", "--no-cache", "-f", "jsonl", str(article))
    assert done.returncode == 1, done.stderr  # an unidentified tweet
    [row] = jsonl(done.stdout)
    assert row["state"] == "unidentified" and row["id"] is None and row["record"] is None
    assert row["candidates"] and "no candidate is sure enough" in row["reason"]


def test_two_candidates_with_the_same_text_are_not_decided_by_date(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    base = at("2015-10-21 10:00:00")
    twins = [
        FakeTweet(snowflake_id(base + dt.timedelta(hours=h), 7), "twins", "Twins", "Same words again today",
                  captures=("20151022000000",))
        for h in (1, 5)
    ]  # fmt: skip
    twitter_web.add(*twins)
    article = tmp_path / "a.txt"
    article.write_text("Same words again today\n— Twins (@twins) October 21, 2015\n", encoding="utf-8")
    [result] = resolver.tweets([str(article)], options=FAST)
    lookup = result.tweets[0].lookup
    assert lookup.tweet is None and {c.id for c in lookup.candidates} == {str(t.id) for t in twins}


def test_the_search_looks_at_the_neighbouring_utc_day(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    # Posted 23:30 UTC on the 20th: a reader in Moscow saw "21 October".
    late = FakeTweet(snowflake_id(at("2015-10-20 23:30:00"), 1), "night", "Night", "Posted late at night UTC",
                     captures=("20151021080000",))  # fmt: skip
    twitter_web.add(late)
    article = tmp_path / "a.txt"
    article.write_text("Posted late at night UTC\n— Night (@night) 21 октября 2015 г.\n", encoding="utf-8")
    [result] = resolver.tweets([str(article)], options=FAST)
    lookup = result.tweets[0].lookup
    assert lookup.tweet is not None and lookup.tweet.id == str(late.id) and not lookup.warnings


# --- References ---------------------------------------------------------------------------------


def test_every_reference_form(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    refs = [
        str(EXAMPLE_FOOTAGE_ID),
        f"https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}?s=20",
        f"https://x.com/i/web/status/{EXAMPLE_FOOTAGE_ID}",
        f"https://twitter.com/#!/mod_russia/status/{EXAMPLE_FOOTAGE_ID}",
        f"https://platform.twitter.com/embed/Tweet.html?id={EXAMPLE_FOOTAGE_ID}",
        "https://pic.twitter.com/PXh7c6aziZ",
        "pic.twitter.com/PXh7c6aziZ",
        "https://t.co/PXh7c6aziZ",
    ]
    done = run("tweet", "--no-cache", "-f", "jsonl", "-", stdin="\n".join(refs) + "\n")
    assert done.returncode == 0, done.stderr
    rows = jsonl(done.stdout)
    assert [r["ref"] for r in rows] == refs
    assert {r["id"] for r in rows} == {str(EXAMPLE_FOOTAGE_ID)}
    assert [r["id_source"] for r in rows] == [
        "id", "status-url", "status-url", "status-url", "embed-id", "pic.twitter.com", "pic.twitter.com", "t.co",
    ]  # fmt: skip
    assert all(r["state"] == "available" and r["author"] == "Минобороны России" for r in rows)
    # Fetched once: the other references shared it.
    assert twitter_web.hits["syndication"] == 1


def test_references_that_are_not_tweets(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    done = run(
        "tweet", "--no-cache", "-f", "json", "https://t.co/eKInDZJCbH", "https://news.example/", "hello"
    )
    assert done.returncode == 1
    rows = json.loads(done.stdout)
    assert [r["state"] for r in rows] == ["unidentified"] * 3
    assert EXAMPLE_YOUTUBE_URL in rows[0]["reason"] and "not to a tweet" in rows[0]["reason"]
    assert "not a tweet reference" in rows[2]["reason"]


def test_an_available_tweet_costs_one_request_with_the_widget_token(twitter_web: TwitterWeb) -> None:
    tweet = FakeTweet(1628832338187636740, "someone", "Some One", "Hello & welcome")
    twitter_web.add(tweet)
    lookup = one(str(tweet.id))
    assert lookup.tweet is not None and lookup.tweet.text == "Hello & welcome"
    assert twitter_web.web.count() == 1
    [request] = twitter_web.web.requests
    query = parse_qs(urlsplit(request.url).query)
    assert query["token"] == ["3y54libozsy"] == [syndication_token(tweet.id)]


# --- Fates ----------------------------------------------------------------------------------------

FATES = [
    ("suspended", "suspended", "syndication"),
    ("protected", "protected", "syndication"),
    ("withheld", "withheld", "syndication"),
    ("age-restricted", "age-restricted", "syndication"),
    ("deleted", "deleted", "oembed"),
    ("missing", "deleted", "oembed"),
]


@pytest.mark.parametrize(("played", "state", "told_by"), FATES)
def test_fates(twitter_web: TwitterWeb, played: str, state: str, told_by: str) -> None:
    tweet = FakeTweet(656722946431664200, "gone", "Gone", "Was here", state=played)
    twitter_web.add(tweet)
    lookup = one(str(tweet.id))
    assert lookup.tweet is not None and lookup.state.value == state
    assert lookup.tweet.reason.startswith(told_by), lookup.tweet.reason
    assert lookup.tweet.text is None  # no capture: the content is gone


@pytest.mark.parametrize("form", ["404", "empty", "{}", "tombstone"])
def test_every_shape_of_not_found(twitter_web: TwitterWeb, form: str) -> None:
    twitter_web.syndication_unavailable_form = form
    tweet = FakeTweet(656722946431664300, "gone", "Gone", "Was here", state="deleted")
    twitter_web.add(tweet)
    assert one(str(tweet.id)).state is TweetState.DELETED


@pytest.mark.parametrize(
    ("text", "state", "played"),
    [
        ("This Post is unavailable. Learn more", TweetState.DELETED, "missing"),  # never existed
        ("This Post violated the X Rules. Learn more", TweetState.DELETED, "deleted"),  # removed
    ],
)
def test_a_tombstone_that_does_not_say_why_asks_the_next_source(
    twitter_web: TwitterWeb, text: str, state: TweetState, played: str
) -> None:
    """The widget's "This Post is unavailable" states no fate: not "unavailable" (a transient
    failure, exit 1, never cached), but whatever the next source says (oEmbed's 404 here)."""
    tweet = FakeTweet(
        656722946431664350, "gone", "Gone", "Was here", state=played,
        unavailable_form="tombstone", tombstone_text=text,
    )  # fmt: skip
    twitter_web.add(tweet)
    lookup = one(str(tweet.id))
    assert lookup.state is state, lookup.tweet and lookup.tweet.reason
    assert lookup.tweet is not None and lookup.tweet.reason.startswith("oembed: HTTP 404")
    assert [entry.split(":")[0] for entry in lookup.tweet.tried][:2] == ["syndication", "oembed"]


def test_a_deleted_tweet_keeps_its_text_from_the_wayback(twitter_web: TwitterWeb) -> None:
    tweet = FakeTweet(656722946431664400, "gone", "Gone Author", "What was said, #then",
                      state="deleted", captures=("20151021120000",))  # fmt: skip
    twitter_web.add(tweet)
    lookup = one(f"https://twitter.com/gone/status/{tweet.id}")
    assert lookup.tweet is not None and lookup.state is TweetState.DELETED
    assert lookup.tweet.text == "What was said, #then" and lookup.tweet.source == "wayback"
    assert lookup.tweet.capture_url and "20151021120000" in lookup.tweet.capture_url
    assert lookup.tweet.author == "Gone Author"


def test_a_deleted_tweet_captured_only_on_mobile_keeps_its_text(twitter_web: TwitterWeb) -> None:
    """The Wayback keys mobile.twitter.com apart from twitter.com; many 2010s tweets were
    captured only there. Asked after the twitter.com capture is found missing."""
    tweet = FakeTweet(656722946431664500, "gone", "Gone Author", "Said from a phone #then",
                      state="deleted", captures=("20151021120000",), capture_host="mobile.twitter.com")  # fmt: skip
    twitter_web.add(tweet)
    lookup = one(f"https://twitter.com/gone/status/{tweet.id}")
    assert lookup.tweet is not None and lookup.state is TweetState.DELETED
    assert lookup.tweet.source == "wayback" and lookup.tweet.text == "Said from a phone #then"
    assert lookup.tweet.capture_url and "mobile.twitter.com" in lookup.tweet.capture_url


def test_sources_in_order_when_the_first_ones_fail(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    twitter_web.down("syndication")
    lookup = one(str(EXAMPLE_FOOTAGE_ID))
    assert lookup.tweet is not None and lookup.tweet.source == "oembed"
    assert lookup.state is TweetState.AVAILABLE
    # oEmbed leaves t.co links: the tool expanded them.
    assert EXAMPLE_YOUTUBE_URL in (lookup.tweet.text or "")
    assert lookup.tweet.tried[0].startswith("syndication: failed")
    twitter_web.down("oembed")
    lookup = one(str(EXAMPLE_FOOTAGE_ID))
    assert lookup.tweet is not None and lookup.tweet.source == "api.fxtwitter.com"
    assert lookup.tweet.media and lookup.tweet.media[0].url.endswith("?name=orig")
    twitter_web.down("fxtwitter")
    assert one(str(EXAMPLE_FOOTAGE_ID)).tweet.source == "api.vxtwitter.com"  # type: ignore[union-attr]
    twitter_web.down("vxtwitter")
    # The Wayback names captures by URL: a bare ID cannot be looked up there, a status URL can.
    assert one(str(EXAMPLE_FOOTAGE_ID)).tweet.text is None  # type: ignore[union-attr]
    last = one(f"https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}")
    # Nobody live answered: unavailable, with the Wayback's copy of the content.
    assert last.state is TweetState.UNAVAILABLE and last.tweet is not None
    assert last.tweet.source == "wayback" and last.tweet.text and "#FOOTAGE" in last.tweet.text
    assert len(last.tweet.tried) == 5


def test_no_mirrors_and_no_wayback(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    twitter_web.down("syndication")
    twitter_web.down("oembed")
    lookup = one(str(EXAMPLE_FOOTAGE_ID), TweetOptions(retries=0, mirrors=(), wayback=False))
    assert lookup.state is TweetState.UNAVAILABLE and lookup.tweet is not None and lookup.tweet.text is None
    assert twitter_web.hits["fxtwitter"] == twitter_web.hits["vxtwitter"] == twitter_web.hits["wayback"] == 0


def test_rate_limits_are_waited_out(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    twitter_web.rate_limit("syndication", 1, retry_after=1)
    lookup = one(str(EXAMPLE_FOOTAGE_ID))
    assert lookup.tweet is not None and lookup.tweet.source == "syndication"
    assert twitter_web.hits["syndication"] == 2


def test_video_quoted_and_reply(twitter_web: TwitterWeb) -> None:
    parent = FakeTweet(656722946431660000, "parent", "Parent", "The question")
    quoted = FakeTweet(656722946431661000, "quoted", "Quoted", "The quoted one")
    tweet = FakeTweet(
        656722946431665000,
        "video",
        "Video",
        "Look at this https://t.co/vid1",
        media=(FakeMedia("video", "vidkey", 1280, 720, tco="https://t.co/vid1"),),
        quoted_id=quoted.id,
        in_reply_to=(parent.id, "parent"),
    )
    twitter_web.add(parent, quoted, tweet)
    lookup = one(str(tweet.id))
    assert lookup.tweet is not None
    [video] = lookup.tweet.media
    assert video.type == "video" and video.content_type == "video/mp4"
    assert urlsplit(video.url).path.endswith("/1280x720/vidkey.mp4")
    assert video.bitrate == 2176000  # the best of the three MP4s the web plays by default
    assert lookup.tweet.quoted is not None and lookup.tweet.quoted.text == "The quoted one"
    assert lookup.tweet.in_reply_to is not None and lookup.tweet.in_reply_to.text == "The question"
    assert lookup.tweet.in_reply_to.quoted is None  # one level deep


def test_the_cache_keeps_tweets_a_month_and_fates_a_day(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    install_example(twitter_web)
    gone = FakeTweet(656722946431664500, "gone", "Gone", "x", state="suspended")
    twitter_web.add(gone)
    path = tmp_path / "cache.sqlite3"
    with cache.open_store(path) as store:
        first = resolver.tweet([str(EXAMPLE_FOOTAGE_ID), str(gone.id)], options=FAST, store=store)
        assert [x.from_cache for x in first] == [False, False]
        available = store.get(NS_TWEET, str(EXAMPLE_FOOTAGE_ID))
        suspended = store.get(NS_TWEET, str(gone.id))
        assert available is not None and suspended is not None
        assert available.expires_at is not None and suspended.expires_at is not None
        assert round((available.expires_at - available.stored_at) / 86400) == 30
        assert round((suspended.expires_at - suspended.stored_at) / 86400) == 1
    twitter_web.web.reset_log()
    done = run("tweet", "--cache", str(path), "-f", "jsonl", str(EXAMPLE_FOOTAGE_ID), str(gone.id))
    assert done.returncode == 0, done.stderr
    assert [r["from_cache"] for r in jsonl(done.stdout)] == [True, True]
    assert twitter_web.web.count() == 0


def test_failures_are_not_cached(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    install_example(twitter_web)
    for endpoint in ("syndication", "oembed", "fxtwitter", "vxtwitter", "wayback"):
        twitter_web.down(endpoint)
    with cache.open_store(tmp_path / "c.sqlite3") as store:
        [lookup] = resolver.tweet([str(EXAMPLE_FOOTAGE_ID)], options=TweetOptions(retries=0), store=store)
        assert lookup.state is TweetState.UNAVAILABLE
        assert store.get(NS_TWEET, str(EXAMPLE_FOOTAGE_ID)) is None


# --- Articles in HTML, output formats --------------------------------------------------------------


def test_html_embeds_and_the_date_cross_check(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    install_example(twitter_web)
    page = tmp_path / "story.html"
    page.write_text(
        "<html><body><p>Story</p>"
        '<blockquote class="twitter-tweet"><p lang="en">#FOOTAGE Elimination</p>&mdash; Минобороны России '
        f'(@mod_russia) <a href="https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}">October 25, 2015</a>'
        "</blockquote>"
        f'<amp-twitter data-tweetid="{EXAMPLE_RADIO_RECON_ID}" width="375" height="472"></amp-twitter>'
        "</body></html>",
        encoding="utf-8",
    )
    done = run("tweets", "--no-cache", "-f", "csv", str(page))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["id"], r["id_source"], r["state"]) for r in rows] == [
        (str(EXAMPLE_FOOTAGE_ID), "status-url", "available"),
        (str(EXAMPLE_RADIO_RECON_ID), "embed-id", "available"),
    ]
    # The signature says the 25th; the ID says the 21st: reported, not hidden.
    assert "2015-10-21" in rows[0]["warnings"] and "4 days apart" in rows[0]["warnings"]
    assert rows[1]["warnings"] == ""


def test_several_articles_jsonl_and_a_bad_input(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    install_example(twitter_web)
    (tmp_path / "bin.html").write_bytes(b"\x00\x01\x02" * 100)
    done = run("tweets", "--no-cache", "-f", "jsonl", str(EXAMPLE), str(tmp_path / "bin.html"))
    assert done.returncode == 1
    rows = jsonl(done.stdout)
    assert [r["article"] for r in rows] == [str(EXAMPLE)] * 2 and [r["index"] for r in rows] == [0, 1]
    assert "bin.html" in done.stderr and "Traceback" not in done.stderr


def test_table_output_and_strict(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    gone = FakeTweet(656722946431664600, "gone", "Gone", "x", state="protected")
    twitter_web.add(gone)
    done = run("tweet", "--no-cache", "-f", "table", str(EXAMPLE_FOOTAGE_ID), str(gone.id))
    assert done.returncode == 0, done.stderr
    assert "available" in done.stdout and "protected" in done.stdout and "Минобороны России" in done.stdout
    strict = run("tweet", "--no-cache", "--strict", "-f", "json", str(gone.id))
    assert strict.returncode == 1 and json.loads(strict.stdout)[0]["state"] == "protected"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tweet", "--mirror", "https://m.example/{handle}"), "needs {id}"),
        (("tweet", "--proxy", "not a proxy", "1"), "not a proxy URL"),
        (("tweet",), "Missing argument"),
    ],
)
def test_usage_errors(args: tuple[str, ...], message: str) -> None:
    done = run(*args, "1") if args == ("tweet", "--mirror", "https://m.example/{handle}") else run(*args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_a_prolific_account_the_nearest_candidates_are_scored_first(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    # 120 captured tweets over the three days around the date shown, more than --max-candidates.
    start = snowflake_id(at("2015-10-20 00:00:00"))
    step = (snowflake_id(at("2015-10-23 00:00:00")) - start) // 120
    twitter_web.bulk(120, start, "busy", {"available": 1}, step=step, captured=True)
    target = FakeTweet(snowflake_id(at("2015-10-21 14:00:00"), 5), "busy", "Busy", "The one the article quoted",
                       captures=("20151021150000",))  # fmt: skip
    twitter_web.add(target)
    article = tmp_path / "a.txt"
    article.write_text("The one the article quoted\n— Busy (@busy) October 21, 2015\n", encoding="utf-8")
    [result] = resolver.tweets([str(article)], options=TweetOptions(max_candidates=20))
    lookup = result.tweets[0].lookup
    assert lookup.tweet is not None and lookup.tweet.id == str(target.id)
    assert twitter_web.hits["syndication"] <= 20


def test_a_search_is_done_once_and_cached(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    install_example(twitter_web)
    path = tmp_path / "cache.sqlite3"
    copy = tmp_path / "copy.txt"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    first = run("tweets", "--cache", str(path), "-f", "jsonl", str(EXAMPLE), str(copy))
    assert first.returncode == 0, first.stderr
    assert twitter_web.hits["cdx"] == 2  # the second article's quote shared the first one's search
    twitter_web.web.reset_log()
    second = run("tweets", "--cache", str(path), "-f", "jsonl", str(EXAMPLE))
    assert second.returncode == 0, second.stderr
    rows = jsonl(second.stdout)
    assert rows[1]["id"] == str(EXAMPLE_RADIO_RECON_ID) and rows[1]["id_source"] == "search"
    assert rows[1]["confidence"] >= 0.95
    assert twitter_web.web.count() == 0  # tweets and the search, all from the cache
