"""The embed fixtures: one realistic page per form, with the tweets and links it must give.

The conventions (what is asserted, what `links` lists) are in tests/fixtures/embeds/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import resolver

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "embeds"
PAGES = sorted(FIXTURES.glob("*.html"))
_LISTED_KINDS = {"tweet", "shortened", "twitter-media", "twitter-profile"}


def test_there_are_fixtures() -> None:
    assert len(PAGES) >= 25


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_fixture(page: Path) -> None:
    expected: dict[str, Any] = json.loads(page.with_name(page.stem + ".expected.json").read_text("utf-8"))
    result = resolver.scan(page).to_json()
    got_tweets = result["tweets"]
    assert len(got_tweets) == len(expected["tweets"]), [(t["form"], t["id"]) for t in got_tweets]
    for i, (got, want) in enumerate(zip(got_tweets, expected["tweets"], strict=True)):
        for key, value in want.items():
            assert got.get(key) == value, f"tweet {i}: {key}"
    got_links = {(lk["url"], lk["kind"], lk["tweet"]) for lk in result["links"] if lk["kind"] in _LISTED_KINDS}
    want_links = {(lk["url"], lk["kind"], lk["tweet"]) for lk in expected.get("links", [])}
    assert got_links == want_links
    urls = {lk["url"] for lk in result["links"]}
    for url in expected.get("not_links", []):
        assert url not in urls
    ids = {t["id"] for t in got_tweets}
    for tweet_id in expected.get("not_tweet_ids", []):
        assert tweet_id not in ids
