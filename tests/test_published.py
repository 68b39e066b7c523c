"""An article's publication date: the markup shapes real CMSes write, their order, the fallbacks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.detect.published import (
    ARTICLE_TYPES,
    EARLIEST,
    META_DATE_KEYS,
    PAGE_TYPES,
    parse_date,
    published_date,
)

OCT21 = dt.date(2015, 10, 21)
TODAY = dt.date(2024, 6, 1)  # pinned: "the future" must not move under the tests


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


WORDPRESS = page(
    '<meta property="og:type" content="article">'
    '<meta property="article:published_time" content="2015-10-21T23:30:00-03:00">'
    '<meta property="article:modified_time" content="2016-01-02T10:00:00+00:00">',
    '<article><header><time class="entry-date published" datetime="2015-10-21T23:30:00-03:00">21/10/2015</time>'
    '<time class="updated" datetime="2016-01-02T10:00:00+00:00">2/1/2016</time></header><p>x</p></article>',
)
ARC_XP = page(
    '<meta name="article:published_time" content="2015-10-21T14:02:11.123Z">'
    '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
    '"datePublished":"2015-10-21T14:02:11.123Z","dateModified":"2015-10-22T08:00:00Z"}</script>'
)
YOAST = page(
    '<script type="application/ld+json" class="yoast-schema-graph">{"@context":"https://schema.org","@graph":['
    '{"@type":"Organization","@id":"https://ex.com/#org","name":"Ex"},'
    '{"@type":"WebPage","@id":"https://ex.com/story/","datePublished":"2015-10-20T10:00:00+00:00"},'
    '{"@type":["Article","NewsArticle"],"@id":"https://ex.com/story/#article","isPartOf":{"@id":"https://ex.com/story/"},'
    '"datePublished":"2015-10-21T09:15:00+00:00","dateModified":"2015-10-22T09:15:00+00:00"}]}</script>'
)
SPUTNIK = page(
    '<meta itemprop="datePublished" content="20151021T1530+0300">'
    '<meta itemprop="dateModified" content="20151022T1000+0300">',
    "<article><p>x</p></article>",
)

# (name, html, expected (date, source))
CASES: list[tuple[str, str, tuple[dt.date | None, str | None]]] = [
    ("wordpress og", WORDPRESS, (OCT21, "meta")),
    ("arc xp meta name=", ARC_XP, (OCT21, "meta")),
    ("yoast graph: article wins over webpage", YOAST, (OCT21, "json-ld")),
    ("sputnik itemprop basic iso", SPUTNIK, (OCT21, "meta")),
    (
        "time pubdate",
        page(body='<article><time datetime="2015-10-21" pubdate>Oct 21</time></article>'),
        (OCT21, "time"),
    ),
    (
        "time itemprop before an earlier plain time",
        page(
            body='<time datetime="2024-05-30">today</time><article><time datetime="2014-01-01">ref</time>'
            '<time itemprop="datePublished" datetime="2015-10-21T08:00">x</time></article>'
        ),
        (OCT21, "time"),
    ),
    (
        "first time in the article, not the header's today",
        page(
            body='<header><time datetime="2024-05-30">Thursday</time></header>'
            '<article><time class="updated" datetime="2016-01-01">u</time><time datetime="2015-10-21">x</time></article>'
        ),
        (OCT21, "time"),
    ),
    (
        "time without article",
        page(body='<p>Posted <time datetime="2015-10-21T10:00Z">then</time></p>'),
        (OCT21, "time"),
    ),
    # the zone of the timestamp decides the calendar date: 23:30 in São Paulo is still the 21st
    (
        "local calendar date",
        page('<meta property="article:published_time" content="2015-10-21T23:30-03:00">'),
        (OCT21, "meta"),
    ),
    (
        "local calendar date east",
        page('<meta property="article:published_time" content="2015-10-21T00:30+09:00">'),
        (OCT21, "meta"),
    ),
    # vendors and standards
    ("dublin core", page('<meta name="DC.date.issued" content="2015-10-21">'), (OCT21, "meta")),
    ("dcterms", page('<meta name="dcterms.created" content="2015-10-21">'), (OCT21, "meta")),
    ("parsely", page('<meta name="parsely-pub-date" content="2015-10-21T12:00:00Z">'), (OCT21, "meta")),
    ("sailthru", page('<meta name="sailthru.date" content="2015-10-21 12:00:00">'), (OCT21, "meta")),
    ("citation", page('<meta name="citation_publication_date" content="2015/10/21">'), (OCT21, "meta")),
    ("pubdate basic", page('<meta name="pubdate" content="20151021">'), (OCT21, "meta")),
    (
        "publish-date rfc 2822",
        page('<meta name="publish-date" content="Wed, 21 Oct 2015 23:30:00 -0300">'),
        (OCT21, "meta"),
    ),
    ("date epoch", page('<meta name="date" content="1445440800">'), (OCT21, "meta")),
    (
        "microdata span",
        page(body='<span itemprop="datePublished" content="2015-10-21">21 Oct</span>'),
        (OCT21, "meta"),
    ),
    # priority among meta tags: og before the generic `date`
    (
        "og before date",
        page(
            '<meta name="date" content="2016-01-01"><meta property="article:published_time" content="2015-10-21">'
        ),
        (OCT21, "meta"),
    ),
    # conflicting sources: meta wins over JSON-LD and <time>
    (
        "meta over json-ld and time",
        page(
            '<meta property="article:published_time" content="2015-10-21">'
            '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2014-01-01"}</script>',
            '<article><time pubdate datetime="2013-01-01">x</time></article>',
        ),
        (OCT21, "meta"),
    ),
    (
        "json-ld over time",
        page(
            '<script type="application/ld+json">{"@type":"BlogPosting","datePublished":"2015-10-21"}</script>',
            '<time pubdate datetime="2013-01-01">x</time>',
        ),
        (OCT21, "json-ld"),
    ),
    # implausible dates are skipped, and the next source is asked
    (
        "placeholder meta, real time",
        page(
            '<meta property="article:published_time" content="0001-01-01T00:00:00Z"><meta name="date" content="2105-10-21">',
            '<time pubdate datetime="2015-10-21">x</time>',
        ),
        (OCT21, "time"),
    ),
    ("1970", page('<meta name="date" content="1970-01-01">'), (None, None)),
    (
        "two days ahead is fine",
        page('<meta name="date" content="2024-06-03">'),
        (dt.date(2024, 6, 3), "meta"),
    ),
    ("three days ahead is not", page('<meta name="date" content="2024-06-04">'), (None, None)),
    # JSON-LD shapes
    (
        "json-ld list",
        page(
            '<script type="application/ld+json">[{"@type":"Person"},{"@type":"ReportageNewsArticle","datePublished":"2015-10-21"}]</script>'
        ),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld iri type",
        page(
            '<script type="application/ld+json">{"@type":"http://schema.org/NewsArticle","datePublished":"2015-10-21"}</script>'
        ),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld nested",
        page(
            '<script type="application/ld+json">{"@type":"WebPage","mainEntity":{"@type":"Article","datePublished":"2015-10-21"}}</script>'
        ),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld @value",
        page(
            '<script type="application/ld+json">{"@type":"Article","datePublished":{"@value":"2015-10-21","@type":"Date"}}</script>'
        ),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld webpage only",
        page('<script type="application/ld+json">{"@type":"WebPage","datePublished":"2015-10-21"}</script>'),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld other type ignored",
        page(
            '<script type="application/ld+json">{"@type":"ImageObject","datePublished":"2015-10-21"}</script>'
        ),
        (None, None),
    ),
    (
        "json-ld type case",
        page(
            '<script type="Application/LD+JSON ">{"@type":"newsarticle","datePublished":"2015-10-21"}</script>'
        ),
        (OCT21, "json-ld"),
    ),
    # broken JSON-LD, as shipped
    (
        "json-ld trailing comma",
        page(
            '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2015-10-21",}</script>'
        ),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld raw newline in string",
        page(
            '<script type="application/ld+json">{"@type":"NewsArticle","headline":"a\nb","datePublished":"2015-10-21"}</script>'
        ),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld cdata",
        page(
            '<script type="application/ld+json">//<![CDATA[\n{"@type":"NewsArticle","datePublished":"2015-10-21"}\n//]]></script>'
        ),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld two objects",
        page(
            '<script type="application/ld+json">{"@type":"Organization"}\n{"@type":"NewsArticle","datePublished":"2015-10-21"}</script>'
        ),
        (OCT21, "json-ld"),
    ),
    (
        "json-ld past repair",
        page(
            '<script type="application/ld+json">{"@type":"NewsArticle", "headline": "unclosed, "datePublished":"2015-10-21"</script>'
        ),
        (OCT21, "json-ld"),
    ),
    ("json-ld garbage", page('<script type="application/ld+json">{{{{ not json</script>'), (None, None)),
    (
        "json-ld deep",
        page('<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"),
        (None, None),
    ),
    # nothing
    ("nothing", page(body="<p>No date here.</p>"), (None, None)),
    ("modified only", page('<meta property="article:modified_time" content="2015-10-21">'), (None, None)),
    (
        "garbage dates",
        page('<meta name="date" content="soon">', '<time datetime="yesterday">x</time>'),
        (None, None),
    ),
    ("empty", "", (None, None)),
    ("not html", "\x00\x01 just bytes \ud800", (None, None)),
]


@pytest.mark.parametrize(("name", "html", "expected"), CASES, ids=[c[0] for c in CASES])
def test_published_date(name: str, html: str, expected: tuple[dt.date | None, str | None]) -> None:
    assert published_date(html, today=TODAY) == expected


def _touch(path: Path, when: dt.datetime) -> None:
    path.write_text("<p>no date</p>", encoding="utf-8")
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def test_file_date_when_the_markup_says_nothing(tmp_path: Path) -> None:
    article = tmp_path / "story.html"
    _touch(article, dt.datetime(2015, 10, 21, 23, 30, tzinfo=dt.UTC))
    assert published_date("<p>no date</p>", path=str(article), today=TODAY) == (OCT21, "file-date")
    assert published_date(None, path=str(article), today=TODAY) == (OCT21, "file-date")
    # the markup wins when it has a date
    assert published_date(WORDPRESS, path=str(article), today=TODAY) == (OCT21, "meta")


def test_file_date_is_the_utc_date(tmp_path: Path) -> None:
    article = tmp_path / "story.txt"
    _touch(article, dt.datetime(2015, 10, 21, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3))))
    assert published_date(None, path=str(article), today=TODAY) == (dt.date(2015, 10, 22), "file-date")


def test_file_date_must_be_plausible(tmp_path: Path) -> None:
    article = tmp_path / "nix-store.html"
    _touch(article, dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=dt.UTC))  # reproducible builds set mtime 1
    assert published_date(None, path=str(article), today=TODAY) == (None, None)


def test_no_file_no_date(tmp_path: Path) -> None:
    assert published_date(None, path=str(tmp_path / "missing.html"), today=TODAY) == (None, None)
    assert published_date(None, path=str(tmp_path), today=TODAY) == (None, None)  # a folder
    assert published_date(None) == (None, None)


def test_today_defaults_to_the_real_today() -> None:
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    html = page(f'<meta name="date" content="{tomorrow.isoformat()}">')
    assert published_date(html) == (tomorrow, "meta")


# (text, date)
DATE_CASES: list[tuple[str, dt.date | None]] = [
    ("2015-10-21", OCT21),
    ("  2015-10-21  ", OCT21),
    ("2015-10-21T23:30:00-03:00", OCT21),
    ("2015-10-21T23:30-03:00", OCT21),
    ("2015-10-21T02:30:00Z", OCT21),
    ("2015-10-21 23:30:00", OCT21),
    ("2015-10-21T14:02:11.123+05:30", OCT21),
    ("20151021", OCT21),
    ("20151021T233000Z", OCT21),
    ("20151021T2330-0300", OCT21),
    ("2015/10/21", OCT21),
    ("2015.10.21", OCT21),
    ("2015-1-2", dt.date(2015, 1, 2)),
    ("Wed, 21 Oct 2015 07:28:00 GMT", OCT21),
    ("Wed, 21 Oct 2015 23:30:00 -0300", OCT21),
    ("Wed, 21 Oct 2015", OCT21),
    ("21 October 2015", OCT21),
    ("October 21, 2015", OCT21),
    ("Oct. 21st, 2015", OCT21),
    ("1445440800", OCT21),
    ("1445440800000", OCT21),
    # not dates
    ("2015-10", None),
    ("2015", None),
    ("2015-13-01", None),
    ("2015-02-30", None),
    ("2015-10-21-storm-hits-coast", None),
    ("21 Foo 2015", None),
    ("20151321", None),
    ("yesterday", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), DATE_CASES)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_parse_date_never_raises(text: str) -> None:
    result = parse_date(text)
    assert result is None or isinstance(result, dt.date)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="<>/=\"' abcdeimnprstTt0123456789-:", max_size=200))
def test_published_date_never_raises(html: str) -> None:
    date, source = published_date(html, today=TODAY)
    assert (date is None) == (source is None)
    assert date is None or EARLIEST <= date <= TODAY + dt.timedelta(days=2)


def test_tables() -> None:
    assert len(set(META_DATE_KEYS)) == len(META_DATE_KEYS)
    assert all(k == k.lower().strip() for k in META_DATE_KEYS)
    assert not any("modified" in k or "updated" in k for k in META_DATE_KEYS)
    assert META_DATE_KEYS.index("article:published_time") < META_DATE_KEYS.index("date")
    assert META_DATE_KEYS[-1] == "date"  # the vaguest last
    assert all(t == t.lower() for t in ARTICLE_TYPES | PAGE_TYPES)
    assert not ARTICLE_TYPES & PAGE_TYPES
