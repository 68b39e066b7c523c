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


def _cli(*args: str) -> str:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "resolver", "scan", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=EXAMPLE.parent.parent,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return proc.stdout


def test_example_article_in_every_output_format() -> None:
    import csv
    import io
    import json

    expected = resolver.scan(EXAMPLE)
    _check_two_tweets(expected)
    obj = json.loads(_cli(str(EXAMPLE), "-f", "json"))
    assert resolver.ArticleScan.from_json(obj) == expected
    (line,) = _cli(str(EXAMPLE), "-f", "jsonl").splitlines()
    assert resolver.ArticleScan.from_json(json.loads(line)) == expected

    rows = list(csv.DictReader(io.StringIO(_cli(str(EXAMPLE), "-f", "csv"))))
    tweets = [r for r in rows if r["item"] == "tweet"]
    links = [r for r in rows if r["item"] == "link"]
    assert [(t["handle"], t["author"], t["date"], t["id"], t["url"]) for t in tweets] == [
        ("mod_russia", "Минобороны России", "2015-10-21", "", "")
    ] * 2
    assert [(t["text"], t["line"], t["column"], t["form"]) for t in tweets] == [
        (FIRST_TEXT, "5", "1", "text-signature"),
        (SECOND_TEXT, "18", "1", "text-signature"),
    ]
    assert [(lk["url"], lk["kind"], lk["host"], lk["tweet"], lk["line"], lk["column"]) for lk in links] == [
        ("https://t.co/eKInDZJCbH", "shortened", "t.co", "0", "5", "70"),
        ("https://pic.twitter.com/PXh7c6aziZ", "twitter-media", "pic.twitter.com", "0", "5", "94"),
    ]

    table = _cli(str(EXAMPLE), "-f", "table").splitlines()
    heads = [line for line in table if line.lstrip().startswith("tweet ")]
    assert heads == [
        "  tweet 0  @mod_russia (Минобороны России)  2015-10-21  text-signature  line 5:1",
        "  tweet 1  @mod_russia (Минобороны России)  2015-10-21  text-signature  line 18:1",
    ]
    first = table.index(heads[0])
    assert table[first + 2 : first + 4] == [
        "    -> https://t.co/eKInDZJCbH",
        "    -> https://pic.twitter.com/PXh7c6aziZ",
    ]
    assert table[table.index(heads[1]) + 2].lstrip().startswith("kind")  # tweet 1: its text, no link


def _oembed(text_html: str, status_id: str) -> str:
    """A tweet as Twitter's oEmbed endpoint gave it for a Portuguese page (data-lang="pt")."""
    return (
        '<blockquote class="twitter-tweet" data-lang="pt"><p lang="en" dir="ltr">'
        f"{text_html}</p>&mdash; Минобороны России (@mod_russia) "
        f'<a href="https://twitter.com/mod_russia/status/{status_id}?ref_src=twsrc%5Etfw">21 outubro 2015</a>'
        "</blockquote>\n"
        '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'
    )


def _hashtag(tag: str) -> str:
    return f'<a href="https://twitter.com/hashtag/{tag}?src=hash&amp;ref_src=twsrc%5Etfw">#{tag}</a>'


def _as_oembed_page() -> str:
    first = _oembed(
        f"{_hashtag('FOOTAGE')} Elimination of a militants&#39; strong point ({_hashtag('Aleppo')} province) "
        '<a href="https://t.co/eKInDZJCbH">https://t.co/eKInDZJCbH</a> '
        '<a href="https://t.co/PXh7c6aziZ">pic.twitter.com/PXh7c6aziZ</a>',
        "656722946431664128",
    )
    second = _oembed(
        "Radio recon intercepted data about start of talks between "
        f"{_hashtag('ISIS')} &amp; Jabhat an-Nusra commanders on alliance against {_hashtag('SYRIA')} "
        "government troops",
        "656740000000000000",
    )
    body = []
    for line in EXAMPLE.read_text(encoding="utf-8").split("\n"):
        if line.startswith("#FOOTAGE"):
            body.append(first)
        elif line.startswith("Radio recon"):
            body.append(second)
        elif line.strip() and not line.startswith("—"):
            body.append(f"<p>{line}</p>")
    return (
        "<!DOCTYPE html><html lang='pt-BR'><head><meta charset='utf-8'><title>Síria</title></head>"
        "<body><article>\n" + "\n".join(body) + "\n</article></body></html>"
    )


def test_example_article_as_oembed_blockquotes() -> None:
    """The same two tweets when the page kept Twitter's embed markup. Differences, as documented:
    the IDs and URLs are known (the date links to the status); `lang` is the tweet's own (`en`,
    the `<p lang>`), not the page's or the date's (`pt`); a link is the anchor's real href, so
    the photo is `https://t.co/PXh7c6aziZ`, the link `pic.twitter.com/PXh7c6aziZ` displays. The
    embed's hashtag links are Twitter's, not the author's: the tweets' links leave them out, as
    the flattened text has none (the page's links keep them, each with its tweet)."""
    result = resolver.scan_bytes(_as_oembed_page().encode(), "sputnik.html")
    assert result.format is resolver.ArticleFormat.HTML
    assert len(result.tweets) == 2
    for tweet in result.tweets:
        assert (tweet.handle, tweet.author, tweet.date) == (
            "mod_russia",
            "Минобороны России",
            dt.date(2015, 10, 21),
        )
        assert (tweet.form, tweet.lang, tweet.date_lang, tweet.date_text) == (
            "blockquote",
            "en",
            "pt",
            "21 outubro 2015",
        )
    first, second = result.tweets
    assert first.id == "656722946431664128"
    assert first.url == "https://twitter.com/mod_russia/status/656722946431664128"
    assert first.text == FIRST_TEXT and second.text == SECOND_TEXT

    assert first.links == ("https://t.co/eKInDZJCbH", "https://t.co/PXh7c6aziZ")
    assert second.links == ()
    by_url = {link.url: link for link in result.links}
    photo = by_url["https://t.co/PXh7c6aziZ"]
    assert (photo.tweet, photo.text, photo.where.element, photo.where.attribute) == (
        0,
        "pic.twitter.com/PXh7c6aziZ",
        "a",
        "href",
    )
    assert by_url["https://t.co/eKInDZJCbH"].tweet == 0
    # Every link of the page sits in one of the two tweets: the prose cites nothing.
    assert {link.tweet for link in result.links} == {0, 1}


def test_readme_json_example_is_what_scan_prints() -> None:
    # The README's "JSON of one article" is the example's own output (one tweet and one link
    # shown, a tweet's text elided with "..."): a README that drifts from the code fails here.
    import json
    import re

    readme = (EXAMPLE.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The JSON of one article", 1)[1]
    shown = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    actual = resolver.scan(EXAMPLE).to_json()
    actual["article"] = f"examples/{EXAMPLE.name}"
    assert set(shown) == set(actual)
    for key in ("article", "format", "encoding", "size", "warnings"):
        assert shown[key] == actual[key], key
    for name in ("tweets", "links"):
        for i, item in enumerate(shown[name]):
            real = actual[name][i]
            assert set(item) == set(real), (name, i)
            for field, value in item.items():
                if isinstance(value, str) and "..." in value:
                    pattern = ".*".join(re.escape(part) for part in value.split("..."))
                    assert re.fullmatch(pattern, real[field], re.S), (name, i, field)
                else:
                    assert value == real[field], (name, i, field)


def test_readme_library_snippets_name_the_real_api() -> None:
    # Every Python block of the README compiles (top-level await allowed: the blocks show calls
    # made inside an event loop), and every `resolver.NAME` and `cache.NAME` it uses exists.
    import ast
    import importlib
    import re

    readme = (EXAMPLE.parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks
    for block in blocks:
        compile(block, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and node.module:
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{node.module}.{alias.name}"
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("resolver", "cache")
            ):
                module = importlib.import_module(node.value.id)
                assert hasattr(module, node.attr), f"{node.value.id}.{node.attr}"
