"""The article the project started from, as text and in the HTML such articles come in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import resolver
from resolver.models import LinkKind

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sputnik-pt-2015-syria.txt"
FIRST_TEXT = (
    "#FOOTAGE Elimination of a militants' strong point (#Aleppo province) "
    "https://t.co/eKInDZJCbH pic.twitter.com/PXh7c6aziZ"
)
SECOND_TEXT = (
    "Radio recon intercepted data about start of talks between #ISIS & Jabhat an-Nusra commanders "
    "on alliance against #SYRIA government troops"
)


def _check_two_tweets(result: resolver.ArticleScan) -> None:
    assert len(result.tweets) == 2
    for tweet in result.tweets:
        assert tweet.handle == "mod_russia"
        assert tweet.author == "Минобороны России"
        assert tweet.date == dt.date(2015, 10, 21)
        assert tweet.id is None and tweet.url is None
    first, second = result.tweets
    assert first.links == ("https://t.co/eKInDZJCbH", "https://pic.twitter.com/PXh7c6aziZ")
    assert second.links == ()
    assert first.text == FIRST_TEXT
    assert second.text == SECOND_TEXT
    by_url = {link.url: link for link in result.links}
    assert by_url["https://t.co/eKInDZJCbH"].kind is LinkKind.SHORTENED
    assert by_url["https://t.co/eKInDZJCbH"].tweet == 0
    assert by_url["https://pic.twitter.com/PXh7c6aziZ"].kind is LinkKind.TWITTER_MEDIA
    assert by_url["https://pic.twitter.com/PXh7c6aziZ"].tweet == 0
    assert by_url["https://pic.twitter.com/PXh7c6aziZ"].raw == "pic.twitter.com/PXh7c6aziZ"


def test_example_article_as_text() -> None:
    result = resolver.scan(EXAMPLE)
    assert result.format is resolver.ArticleFormat.TEXT
    _check_two_tweets(result)
    assert len(result.links) == 2
    first_link = result.links[0]
    assert first_link.where.line == 5
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    assert lines[4][first_link.where.column - 1 :].startswith("https://t.co/eKInDZJCbH")
    # A tweet sits where its text starts; its signature is on the next line.
    assert result.tweets[0].where.line == 5
    assert result.tweets[1].where.line == 18
    assert result.tweets[0].date_lang == "pt"


def _as_html(paragraph_wrap: bool) -> str:
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    body = []
    for line in lines:
        if not line.strip():
            continue
        if "https://t.co/eKInDZJCbH" in line:
            line = line.replace(
                "https://t.co/eKInDZJCbH", '<a href="https://t.co/eKInDZJCbH">https://t.co/eKInDZJCbH</a>'
            )
        body.append(f"<p>{line}</p>" if paragraph_wrap else f"{line}<br>")
    return (
        "<!DOCTYPE html><html lang='pt-BR'><head><meta charset='utf-8'><title>Síria</title>"
        "<script>var x = '(@mod_russia) 21 outubro 2015 https://t.co/script';</script>"
        "<style>.a::after{content:'@mod_russia'}</style></head><body><article>"
        + "\n".join(body)
        + "</article></body></html>"
    )


@pytest.mark.parametrize("paragraph_wrap", [True, False], ids=["paragraphs", "br-lines"])
def test_example_article_as_html(paragraph_wrap: bool) -> None:
    result = resolver.scan_bytes(_as_html(paragraph_wrap).encode(), "sputnik.html")
    assert result.format is resolver.ArticleFormat.HTML
    _check_two_tweets(result)
    assert [link.url for link in result.links] == [
        "https://t.co/eKInDZJCbH",
        "https://pic.twitter.com/PXh7c6aziZ",
    ]
    anchor = result.links[0]
    assert anchor.where.element == "a" and anchor.where.attribute == "href"


def test_example_article_json_shape() -> None:
    data = resolver.scan(EXAMPLE).to_json()
    assert set(data) >= {"article", "tweets", "links"}
    for tweet in data["tweets"]:
        assert set(tweet) >= {"id", "url", "handle", "author", "date", "text", "lang", "links"}
        assert tweet["date"] == "2015-10-21"
    for link in data["links"]:
        assert set(link) >= {"url", "kind", "host", "tweet", "where"}
    assert data["links"][0]["where"] == {"line": 5, "column": 70}
    assert data["tweets"][0]["links"] == ["https://t.co/eKInDZJCbH", "https://pic.twitter.com/PXh7c6aziZ"]
