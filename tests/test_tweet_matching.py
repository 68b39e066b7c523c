"""Text matching for the search, the Wayback helpers it uses, and the ID window (pure)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolver.snowflake import snowflake_time
from resolver.twitter.search import search_window
from resolver.twitter.textmatch import normalize, similarity
from resolver.wayback import capture_timestamp, cdx_query_url, decimal_prefixes, parse_cdx_json, replay_url

TWEET = (
    "Radio recon intercepted data about start of talks between #ISIS &amp; Jabhat an-Nusra "
    "commanders on alliance against #SYRIA government troops"
)

# (what the article kept, a candidate tweet's text, the lowest / highest acceptable score)
CASES = [
    # the example article's second tweet: & unescaped
    (
        "Radio recon intercepted data about start of talks between #ISIS & Jabhat an-Nusra commanders "
        "on alliance against #SYRIA government troops",
        TWEET, 0.99, 1.0,
    ),
    # hashtags without '#', curly quotes, folded line breaks, links in display form
    ("“Radio recon” intercepted data\nabout start of talks", "\"Radio recon\" intercepted data about start of talks "
     "https://t.co/abc", 0.99, 1.0),
    ("#FOOTAGE Elimination of a militants' strong point (#Aleppo province) https://t.co/eKInDZJCbH "
     "pic.twitter.com/PXh7c6aziZ",
     "#FOOTAGE Elimination of a militants’ strong point (#Aleppo province) https://t.co/eKInDZJCbH "
     "https://t.co/PXh7c6aziZ", 0.99, 1.0),
    # a near miss: shares hashtags and words, not the sentence
    ("Radio recon intercepted data about start of talks between #ISIS & Jabhat an-Nusra commanders",
     "#ISIS terrorists lost 300 fighters near the #SYRIA border, according to radio recon data", 0.0, 0.6),
    # a hashtag alone must not match a whole tweet
    ("#ISIS", TWEET, 0.0, 0.2),
    # a quote cut short with an ellipsis still matches well
    ("Radio recon intercepted data about start of talks between #ISIS & Jabhat an-Nusra commanders…",
     TWEET, 0.75, 1.0),
    ("", TWEET, 0.0, 0.0),
]  # fmt: skip


@pytest.mark.parametrize(("quote", "text", "low", "high"), CASES)
def test_similarity(quote: str, text: str, low: float, high: float) -> None:
    assert low <= similarity(quote, text) <= high


def test_normalize_folds_what_quotes_change() -> None:
    assert (
        normalize("“Hello”  #World &amp; @Friend https://t.co/x pic.twitter.com/y…")
        == 'hello" world & friend'
    )


@given(st.text(max_size=200))
def test_similarity_is_a_score(text: str) -> None:
    score = similarity(text, TWEET)
    assert 0.0 <= score <= 1.0
    if normalize(text):
        assert similarity(text, text) == 1.0


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (656258526213046272, 657345689809846271),
        (999_999_000_000_000_000, 1_000_000_500_000_000_000),  # across a power of ten (mid 2018)
        (5, 123),
        (1_463_000_000_000_000_000, 1_463_000_000_000_000_000),
    ],
)
def test_decimal_prefixes_cover_the_range(low: int, high: int) -> None:
    prefixes = decimal_prefixes(low, high, max_prefixes=4)
    assert 1 <= len(prefixes) <= 8 and len(set(prefixes)) == len(prefixes)
    for n in (low, high, (low + high) // 2):
        assert any(str(n).startswith(p) for p in prefixes), n


def test_decimal_prefixes_are_as_fine_as_allowed() -> None:
    low, high = 656258526213046272, 657345689809846271
    assert decimal_prefixes(low, high, max_prefixes=4) == ["656", "657"]
    fine = decimal_prefixes(low, high, max_prefixes=16)
    assert fine[0] == "6562" and fine[-1] == "6573" and len(fine) == 12


def test_search_window_covers_the_local_days_around() -> None:
    low, high = search_window(dt.date(2015, 10, 21))
    assert snowflake_time(low) == dt.datetime(2015, 10, 20, tzinfo=dt.UTC)
    latest = snowflake_time(high)
    assert latest is not None and latest.date() == dt.date(2015, 10, 22)


def test_cdx_query_and_answer() -> None:
    url = cdx_query_url("twitter.com/mod_russia/status/656", match_type="prefix", limit=5000)
    assert url.startswith(
        "https://web.archive.org/cdx/search/cdx?url=twitter.com%2Fmod_russia%2Fstatus%2F656"
    )
    assert "matchType=prefix" in url and "output=json" in url and "filter=statuscode%3A200" in url
    assert "collapse=urlkey" in url and url.endswith("limit=5000")
    rows = parse_cdx_json(
        [
            ["timestamp", "original", "statuscode"],
            ["20151021120000", "https://twitter.com/mod_russia/status/656722946431664128", "200"],
            ["bad row"],
            ["20151022000000", "http://mobile.twitter.com/mod_russia/status/656722946431664129", "200"],
        ]
    )
    assert [r.timestamp for r in rows] == ["20151021120000", "20151022000000"]
    assert rows[0].replay_url == (
        "https://web.archive.org/web/20151021120000id_/https://twitter.com/mod_russia/status/656722946431664128"
    )
    assert parse_cdx_json([]) == () and parse_cdx_json({"error": 1}) == () and parse_cdx_json(None) == ()


def test_replay_urls() -> None:
    url = replay_url("https://twitter.com/a/status/1", "2015")
    assert url == "https://web.archive.org/web/2015id_/https://twitter.com/a/status/1"
    assert capture_timestamp("https://web.archive.org/web/20151021120000id_/https://x") == "20151021120000"
    assert capture_timestamp("https://example.org/") is None
