"""When an article was published, from its markup (or, failing that, its file).

The date names the archive of an article and tells the Wayback Machine which capture of a
dead link to prefer: the one nearest the day the article cited it. Pages state the date in
many places; they are tried in order of how deliberately a publisher writes them:

1. "meta": `<meta>` tags, by `META_DATE_KEYS` in priority order (Open Graph's
   `article:published_time` first, then Dublin Core, then the generic `date`/`pubdate` and
   vendors' tags: Parse.ly, Sailthru, Google Scholar's `citation_publication_date`).
2. "json-ld": `datePublished` of an article-like schema.org node (`ARTICLE_TYPES`), in
   `@graph`s and lists, from JSON-LD as broken as pages ship it.
3. "time": `<time datetime>` marked as the publication (`pubdate`, `itemprop=datePublished`,
   class `published`), else the first one in the article that is not marked as an update.
4. "file-date": the modification time of the article's file, as a UTC date.

A date is the calendar date *as written*, in the zone it was written in: an article stamped
`2015-10-21T23:30-03:00` is a 21 October article, though it was already the 22nd in UTC. That is
the date its readers saw on the page and the one its URL and print edition carry. Dates before
`EARLIEST` or more than `FUTURE_SLACK` past today are ignored as placeholders and typos
(`0001-01-01`, `1970-01-01`, `2105-10-21`).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

__all__ = [
    "ARTICLE_TYPES",
    "EARLIEST",
    "FUTURE_SLACK",
    "META_DATE_KEYS",
    "PAGE_TYPES",
    "parse_date",
    "published_date",
]

#: Nothing on the web we archive predates it (the first web page is from 1990-12-20).
EARLIEST = dt.date(1990, 1, 1)

#: How far past today a date may be: a page stamped in a zone ahead of ours, or scheduled
#: at midnight, is a day ahead at most; two days leaves room for clock skew.
FUTURE_SLACK = dt.timedelta(days=2)

#: Meta tags that carry the publication date, lower-cased, in priority order. Matched against
#: `property`, `name` and `itemprop` alike: publishers mix them up (`<meta name=
#: "article:published_time">` is common), and which attribute it is says nothing about the date.
META_DATE_KEYS: tuple[str, ...] = (
    "article:published_time",  # Open Graph article (WordPress/Yoast, Arc XP, most CMSes)
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",  # schema.org microdata: <meta itemprop="datePublished"> (Sputnik, RIA)
    "dc.date.issued",  # Dublin Core
    "dcterms.issued",
    "dcterms.created",
    "dc.date.created",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",  # Google Scholar (journals, preprints)
    "citation_date",
    "prism.publicationdate",
    "parsely-pub-date",  # Parse.ly
    "sailthru.date",  # Sailthru
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "date",  # generic, sometimes the modification date: last of the meta tags
)

#: schema.org types whose `datePublished` is the article's (Article and its subtypes).
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "satiricalarticle",
        "advertisercontentarticle",
    }
)

#: Types whose `datePublished` is used only when no article-like node has one: Yoast puts the
#: same date on the WebPage node, and some themes only there.
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage"})

#: `<time>` classes that mark the publication date (WordPress themes: `entry-date published`,
#: microformats2: `dt-published`) or an update, which is skipped.
_PUBLISHED_CLASSES = frozenset({"published", "pubdate", "dt-published", "publish-date", "date-published"})
_UPDATED_CLASSES = frozenset({"updated", "modified", "dt-updated", "date-modified", "update"})

#: JSON-LD nested deeper than this is not an article's metadata.
_MAX_JSON_DEPTH = 40


def published_date(
    html: str | None, *, path: str | None = None, today: dt.date | None = None
) -> tuple[dt.date | None, str | None]:
    """(date, source) of an article's publication; (None, None) if nothing says.

    `source` is "meta", "json-ld", "time" or "file-date" (see the module docstring for what
    each means and their order). `html` may be None (a text article); `path` is the article's
    file, if it has one. `today` is injectable for tests (default: today in UTC). Never raises.
    """
    latest = (today or dt.datetime.now(dt.UTC).date()) + FUTURE_SLACK
    if html:
        root = _parse(html)
        if root is not None:
            for source, finder in (("meta", _from_meta), ("json-ld", _from_json_ld), ("time", _from_time)):
                for text in finder(root):
                    date = parse_date(text)
                    if date is not None and EARLIEST <= date <= latest:
                        return date, source
    if path:
        try:
            mtime = os.stat(path).st_mtime if os.path.isfile(path) else None
            date = dt.datetime.fromtimestamp(mtime, dt.UTC).date() if mtime is not None else None
        except (OSError, ValueError, OverflowError):  # unreadable, or a timestamp past year 9999
            date = None
        # 1970 mtimes are common (Nix store, some unzip tools): not a publication date.
        if date is not None and EARLIEST <= date <= latest:
            return date, "file-date"
    return None, None


# --- where dates are written --------------------------------------------------------------


def _parse(html: str) -> etree._Element | None:
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8", no_network=True)
    try:
        data = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "", html).encode("utf-8")
        return etree.fromstring(data, parser) if data.strip() else None
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):  # nothing libxml2 could read
        return None


def _from_meta(root: etree._Element) -> Iterator[str]:
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        content = el.get("content")
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = (el.get(attribute) or "").strip().lower()
            if key and key not in found:
                found[key] = content
    # Microdata on other elements: <span itemprop="datePublished" content="2015-10-21">.
    for el in root.xpath("//*[@itemprop and @content][not(self::meta)]"):
        key = (el.get("itemprop") or "").strip().lower()
        if key == "datepublished":
            found.setdefault(key, el.get("content") or "")
    for key in META_DATE_KEYS:
        if key in found:
            yield found[key]


def _from_json_ld(root: etree._Element) -> Iterator[str]:
    articles: list[str] = []
    pages: list[str] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        documents = _load_json_ld(script.text)
        if documents is None:
            # Past repair: the first datePublished written in it, if any.
            m = re.search(r'"datePublished"\s*:\s*"([^"]{4,80})"', script.text)
            if m:
                articles.append(m.group(1))
            continue
        for document in documents:
            for node in _nodes(document, 0):
                date = _json_date(node.get("datePublished"))
                if date is None:
                    continue
                types = _types(node.get("@type"))
                if types & ARTICLE_TYPES:
                    articles.append(date)
                elif types & PAGE_TYPES:
                    pages.append(date)
    yield from articles
    yield from pages


def _load_json_ld(text: str) -> list[Any] | None:
    """The JSON documents in a JSON-LD script, repaired the ways pages break them; None if
    past repair.

    Seen in the wild: HTML comments or CDATA markers around the JSON, raw newlines and tabs
    inside strings (`strict=False`), trailing commas, and two objects one after the other.
    """
    text = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$", "", text.strip())
    for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        documents: list[Any] = []
        decoder = json.JSONDecoder(strict=False)
        pos = 0
        try:
            while pos < len(attempt):
                while pos < len(attempt) and attempt[pos] in " \t\r\n;,":
                    pos += 1
                if pos >= len(attempt):
                    break
                document, pos = decoder.raw_decode(attempt, pos)
                documents.append(document)
        except (ValueError, RecursionError):
            continue
        return documents
    return None


def _nodes(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Every JSON object in `value`, depth first, in document order (`@graph`, lists, nesting)."""
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _nodes(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child, depth + 1)


def _types(value: Any) -> set[str]:
    """schema.org type names, lower-case, from `"NewsArticle"`, `["Article", "NewsArticle"]` or
    `"http://schema.org/NewsArticle"`."""
    values = value if isinstance(value, list) else [value]
    return {re.split(r"[/#:]", v)[-1].strip().lower() for v in values if isinstance(v, str)}


def _json_date(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):  # {"@value": "2015-10-21", "@type": "Date"}
        value = value.get("@value")
    return value if isinstance(value, str) else None


def _from_time(root: etree._Element) -> Iterator[str]:
    times = [t for t in root.iter("time") if t.get("datetime")]
    for t in times:
        classes = set((t.get("class") or "").lower().split())
        if (
            t.get("pubdate") is not None
            or (t.get("itemprop") or "").strip().lower() == "datepublished"
            or classes & _PUBLISHED_CLASSES
        ):
            yield t.get("datetime") or ""
    # Else the first in the article: a <time> in the page header is often today's date.
    scope = next(iter(root.xpath("//article[.//time[@datetime]]")), None)
    if scope is None:
        scope = next(iter(root.xpath("//main[.//time[@datetime]]")), root)
    for t in scope.iter("time"):
        classes = set((t.get("class") or "").lower().split())
        if t.get("datetime") and not classes & _UPDATED_CLASSES:
            yield t.get("datetime") or ""
            return


# --- reading a date -----------------------------------------------------------------------

#: ISO 8601 extended (`2015-10-21`, `2015-10-21T23:30:00-03:00`, `2015-10-21 23:30`), and the
#: slashed and dotted forms of citation meta tags (`2015/10/21`). What follows the date must
#: not be another digit or date separator (`2015-10-21-slug` is a URL, not a date).
_ISO_EXTENDED = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/.-])")
#: ISO 8601 basic: `20151021`, `20151021T233000Z`, `20151021T2330-0300`.
_ISO_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T[\d:.,]*(?:Z|[+-]\d{2}:?\d{2})?)?")
#: Seconds (or milliseconds) since 1970, which some CMSes put in `publish-date`.
_EPOCH = re.compile(r"\d{10}(?:\d{3})?")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: The date part of RFC 2822 without the time (`Wed, 21 Oct 2015`), and its US cousin
#: (`Oct 21, 2015`), in English: what `email.utils` refuses.
_DAY_MONTH_YEAR = re.compile(r"(?:[A-Za-z]+,?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


def parse_date(text: str) -> dt.date | None:
    """The calendar date `text` writes, in the zone it is written in; None if it is not one.

    ISO 8601 (extended and basic, with or without time and zone), `2015/10/21`, RFC 2822
    (`Wed, 21 Oct 2015 07:28:00 GMT`, with or without the time), `Oct 21, 2015`, and epoch
    seconds or milliseconds (read as UTC: they have no zone). No plausibility check here.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()[:100]
    if not text:
        return None
    m = _ISO_EXTENDED.match(text)
    if m:
        return _date(m.group(1), m.group(3), m.group(4))
    m = _ISO_BASIC.fullmatch(text)
    if m:
        return _date(m.group(1), m.group(2), m.group(3))
    if _EPOCH.fullmatch(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    m = _DAY_MONTH_YEAR.match(text)
    if m:
        return _date(m.group(3), _month(m.group(2)), m.group(1))
    m = _MONTH_DAY_YEAR.match(text)
    if m:
        return _date(m.group(3), _month(m.group(1)), m.group(2))
    return None


def _month(name: str) -> str | None:
    key = name[:3].lower()
    return str(_MONTHS.index(key) + 1) if key in _MONTHS else None


def _date(year: str, month: str | None, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month or 0), int(day))
    except ValueError:
        return None
