"""Finding embedded tweets and links in HTML, offline.

Real news pages embed tweets in a dozen forms (see `EMBED_FORMS`); a page may carry the
same tweet in several of them at once (an AMP placeholder around a blockquote, a lazy
wrapper with the markup in an attribute and again in <noscript>). Each form is found by
a small finder; candidates whose elements nest are merged into one tweet, except a
tweet blockquote nested in another, which is a quoted tweet.

Speed matters (a back catalogue is 100,000 pages): lxml builds the tree in C and the
finders use its C-level iteration; the one Python walk over the tree builds the page's
text (block elements become line breaks) in which bare URLs and tweets flattened to
text are found with the same code as for plain-text articles.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html as htmllib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

import lxml.html
from lxml import etree

from resolver import rules
from resolver.detect.dates import parse_embed_date
from resolver.detect.text import Signature, find_signatures
from resolver.models import Link, LinkKind, StatusRef, TweetEmbed, Where
from resolver.snowflake import snowflake_time

#: The forms a tweet is found in, and what each looks like (the `form` field of a tweet).
EMBED_FORMS: dict[str, str] = {
    "blockquote": "oEmbed <blockquote class=twitter-tweet|twitter-video> with the signature",
    "rendered": "<div class=twitter-tweet-rendered> left by widgets.js, holding an iframe",
    "iframe": "<iframe src=platform.twitter.com|platform.x.com/embed/Tweet.html?id=ID>",
    "amp-twitter": "<amp-twitter data-tweetid=ID>",
    "wordpress": "<figure class=wp-block-embed-twitter|is-provider-twitter> (Gutenberg embed block)",
    "jetpack-shortcode": "[tweet URL-or-ID] shortcode left in the text",
    "ghost": "<figure class=kg-embed-card> (Ghost embed card)",
    "substack": "<div class=tweet data-attrs=JSON> (Substack)",
    "embedly": "<iframe src=cdn.embedly.com/...&url=STATUS&schema=twitter> (Medium)",
    "iframe-proxy": "another embed proxy with the status URL in its query or link (twitframe;"
    " iframely: an iframe, or data-iframely-url)",
    "data-attribute": "newsroom wrapper keyed by ID (data-tweet-id, data-tweetid, data-embed-id) or by"
    " status URL (data-tweet-url; data-url or data-href on a Twitter embed wrapper)",
    "lazy-attribute": "lazy-loading wrapper holding the blockquote markup in an attribute",
    "lazy-template": "blockquote markup inside <script type=text/template> or <template>",
    "text-signature": "a tweet flattened to text: its text, then '— Name (@handle) DATE'",
}

#: Elements whose text is not prose: never scanned for bare URLs or signatures.
_SKIP_TEXT = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "head",
        "title",
        "svg",
        "math",
        "select",
        "textarea",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
    }
)
#: Elements that start a new line in the page's text (signatures sit on their own line).
_BLOCK = frozenset(
    {
        "p",
        "div",
        "blockquote",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "main",
        "figure",
        "figcaption",
        "table",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "pre",
        "address",
        "hr",
        "form",
        "fieldset",
        "details",
        "summary",
        "body",
        "html",
        "center",
        "caption",
        "amp-twitter",
    }
)
_EMBED_CLASSES = frozenset({"twitter-tweet", "twitter-video", "twitter-tweet-rendered"})
_CONTAINER_FORMS = (
    ("wp-block-embed-twitter", "wordpress"),
    ("is-provider-twitter", "wordpress"),
    ("kg-embed-card", "ghost"),
)
_NON_JS_SCRIPT_TYPES = frozenset(
    {"text/template", "text/html", "text/x-template", "text/x-handlebars-template", "text/x-tmpl"}
)
_SIGNATURE_TAIL = re.compile(
    r"(?:—|–|&mdash;|--|-)\s*(?P<author>[^\n]*?)\s*\(@(?P<handle>[A-Za-z0-9_]{1,20})\)\s*(?P<rest>[^\n]*)$",
    re.DOTALL,
)
_SHORTCODE = re.compile(r"\[tweet\s+([^\]\n]{1,500})\]", re.IGNORECASE)
_DIGITS = re.compile(r"(?<![\d])(\d{1,20})(?![\d])")
_WS = re.compile(r"\s+")
_BIDI_MARKS = (
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)

# A plain etree parser: lxml.html's element classes cost a lookup per element proxy.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False)


@dataclass(slots=True)
class _Candidate:
    """A tweet being assembled from one or more nested embed elements."""

    element: etree._Element
    form: str
    where: Where
    id: str | None = None
    handle: str | None = None
    author: str | None = None
    date: dt.date | None = None
    date_text: str | None = None
    date_lang: str | None = None
    text: str | None = None
    lang: str | None = None
    links: list[str] = field(default_factory=list)
    anchors: list[etree._Element] = field(default_factory=list)
    #: (href, anchor text) of markup that is not in the tree (escaped in an attribute)
    detached_anchors: list[tuple[str, str]] = field(default_factory=list)
    position: float = 0.0
    quoted_in: _Candidate | None = None
    is_blockquote: bool = False

    def absorb(self, other: _Candidate) -> None:
        """Fill what this candidate lacks from a nested element of the same tweet."""
        for name in ("id", "handle", "author", "date", "date_text", "date_lang", "text", "lang"):
            if getattr(self, name) is None and getattr(other, name) is not None:
                setattr(self, name, getattr(other, name))
        for link in other.links:
            if link not in self.links:
                self.links.append(link)
        self.anchors.extend(other.anchors)
        self.detached_anchors.extend(other.detached_anchors)
        self.is_blockquote = self.is_blockquote or other.is_blockquote


@dataclass(frozen=True, slots=True)
class HtmlDetection:
    tweets: tuple[TweetEmbed, ...]
    links: tuple[Link, ...]
    warnings: tuple[str, ...]


class HtmlTooDeep(Exception):
    """libxml2 stops at 256 levels of nesting and drops the rest of the document."""


def parse_html(text: str) -> etree._Element:
    parser = _PARSER
    try:
        doc = etree.fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise HtmlTooDeep(str(exc)) from None
    for entry in parser.error_log:
        if "Excessive depth" in entry.message:
            raise HtmlTooDeep("nested deeper than libxml2's limit of 256 elements")
    return doc


def detect_html(text: str, *, base_url: str | None = None) -> HtmlDetection:
    """Find the tweets and links of an HTML page (no network)."""
    doc = parse_html(text)
    nodes = _PageNodes.of(doc)
    base = _base_url(doc, base_url)
    page_lang = _lang_code(doc.get("lang"))
    candidates = _find_embeds(doc, page_lang, text)
    embed_elements = {c.element: c for c in candidates}
    order = _DocumentOrder()
    for cand in candidates:
        cand.position = order.of(cand.element)
    candidates = _merge_nested(candidates)

    # The page's text (a Python walk over every element) is only built when some text
    # outside the embeds could hold a flattened tweet's signature: most pages pay nothing.
    page = (
        _PageText.build(doc, embed_elements) if _may_hold_signature(nodes.at_texts, embed_elements) else None
    )

    items: list[tuple[float, object]] = [(c.position, c) for c in candidates]
    if page is not None:
        # The page's language names the dates' (`21 oct. 2015` is fr on a French page, es
        # otherwise), as an embed's data-lang does for its blockquote.
        for sig in find_signatures(page.text, (page_lang,) if page_lang else ()):
            text_start = sig.text_start
            if sig.text_end > text_start:
                # In HTML a flattened tweet's text is one block (its <br>s are line breaks
                # inside it): the paragraphs above belong to the article, however short.
                text_start = max(text_start, page.block_start_before(sig.text_end - 1))
            owner = page.element_at(text_start if sig.text_end > text_start else sig.start)
            position = order.of(owner) + 0.5 if owner is not None else float(sig.start)
            items.append((position, _FlatTweet(text_start, sig.text_end, sig)))
    for node in nodes.shortcodes:
        owner = node.getparent()
        for match in _SHORTCODE.finditer(str(node)):
            items.append((order.of(owner) + 0.5 if owner is not None else 0.0, (match, owner)))
    items.sort(key=lambda pair: pair[0])

    tweets: list[TweetEmbed] = []
    index_of_candidate: dict[int, int] = {}
    tweet_of_element: dict[etree._Element, int] = {}
    anchor_tweet: dict[etree._Element, int] = {}
    flat_spans: list[tuple[int, int, int]] = []  # (start, end, tweet index) in page.text
    for _, item in items:
        idx = len(tweets)
        if isinstance(item, _Candidate):
            index_of_candidate[id(item)] = idx
            # Every element inside the embed belongs to it; a quoted tweet comes after the
            # tweet that quotes it, so it claims its own elements back (unless it has none: a
            # quote known from the quoting tweet's JSON).
            if item.quoted_in is None or item.quoted_in.element is not item.element:
                for inner in item.element.iter():
                    tweet_of_element[inner] = idx
            for anchor in item.anchors:
                anchor_tweet.setdefault(anchor, idx)
            quoted_in = index_of_candidate.get(id(item.quoted_in)) if item.quoted_in is not None else None
            tweets.append(_candidate_to_tweet(item, quoted_in))
        elif isinstance(item, _FlatTweet) and page is not None:
            tweets.append(_flat_to_tweet(item, page, page.links_in(item.start, item.end, base), base))
            flat_spans.append((item.start, item.end, idx))
            # The signature's links (the date linking to the status, the handle to the profile)
            # are the tweet's too, as they are in a blockquote.
            flat_spans.append((item.signature.start, item.signature.end, idx))
        elif isinstance(item, tuple):
            match, owner = item
            tweet = shortcode_tweet(match, _where(owner, None) if owner is not None else Where())
            if tweet is not None:
                tweets.append(tweet)

    cap = rules.MAX_LINKS
    link_nodes = nodes.links if len(nodes.links) <= cap else nodes.links[:cap]
    links = _collect_links(link_nodes, page, base, anchor_tweet, tweet_of_element, flat_spans)
    links += _detached_links(candidates, index_of_candidate, base)
    _claim_shortcode_links(links, tweets)
    if len(links) > cap or link_nodes is not nodes.links:
        del links[cap:]
        return HtmlDetection(tuple(tweets), tuple(links), (too_many_links_warning(cap),))
    return HtmlDetection(tuple(tweets), tuple(links), ())


def too_many_links_warning(cap: int) -> str:
    return f"more than {cap:,} links: only the first {cap:,} are reported"


def _detached_links(candidates: list[_Candidate], index_of: dict[int, int], base: str | None) -> list[Link]:
    """The links of embed markup held in an attribute, unless the tree has the same embed's
    anchors too (a <noscript> copy beside the lazy one): a link is reported once."""
    out: list[Link] = []
    for cand in candidates:
        if cand.anchors or not cand.detached_anchors:
            continue
        for href, text in cand.detached_anchors:
            info = link_info(href, base) if href else None
            if info is None:
                continue
            url, kind, host, status = info
            out.append(
                Link(
                    url=url,
                    raw=href,
                    kind=kind,
                    host=host,
                    where=cand.where,
                    tweet=index_of.get(id(cand)),
                    text=text[:300] or None,
                    status=status,
                )
            )
    return out


def _claim_shortcode_links(links: list[Link], tweets: list[TweetEmbed]) -> None:
    """The status URL written in a `[tweet URL]` shortcode is that tweet's link."""
    by_id = {t.id: i for i, t in enumerate(tweets) if t.form == "jetpack-shortcode" and t.id}
    if not by_id:
        return
    for i, link in enumerate(links):
        if link.tweet is None and link.status is not None and link.status.id in by_id:
            links[i] = replace(link, tweet=by_id[link.status.id])


class _DocumentOrder:
    """Document order of elements, without a Python walk over the whole tree."""

    _COUNT = etree.XPath("count(preceding::*) + count(ancestor::*)")

    def __init__(self) -> None:
        self._cache: dict[etree._Element, float] = {}

    def of(self, el: etree._Element) -> float:
        found = self._cache.get(el)
        if found is None:
            found = float(self._COUNT(el))
            self._cache[el] = found
        return found


def _may_hold_signature(
    at_texts: list[tuple[str, etree._Element, list[etree._Element], bool]],
    embeds: dict[etree._Element, _Candidate],
) -> bool:
    """Could prose outside the embeds hold a signature: "(@handle)" in prose, or a handle in a
    link ("(<a href=...>@handle</a>)")? Both hold a text node with "@"."""
    anchors: dict[etree._Element, None] = {}
    for node, owner, links, prose in at_texts:
        if ("(@" in node or "（@" in node) and prose and _outside(owner, embeds):
            return True
        anchors.update(dict.fromkeys(links))
    return any(_handle_after_paren(a) and _outside(a, embeds) for a in anchors)


def _handle_after_paren(anchor: etree._Element) -> bool:
    """`(<a href=...>@handle</a>`: the link's text starts with "@" and one of the last two
    characters of the text before it (its nearest preceding text sibling) is "("."""
    if not "".join(anchor.itertext()).lstrip(" \t\r\n").startswith("@"):  # XPath whitespace
        return False
    before = anchor.getprevious()
    while before is not None and before.tail is None:
        before = before.getprevious()
    parent = anchor.getparent()
    text = before.tail if before is not None else parent.text if parent is not None else None
    return text is not None and "(" in text[-2:]


def _outside(el: etree._Element | None, embeds: dict[etree._Element, _Candidate]) -> bool:
    return el is not None and el not in embeds and not any(a in embeds for a in el.iterancestors())


# --- finders -------------------------------------------------------------------------------


# Every element any finder could want. Tag lookups use lxml's C iterator (measured: 0.005 ms
# on a 120 KB page, where one XPath with `self::` tests over every element took 0.8 ms).
# Attributes come from one walk of the attribute axis, and classes are tested in Python:
# `//*[@data-tweet-id or ...]` and `//*[contains(@class, ...)]` cost 0.65 ms a page, as
# libxml2 tests each attribute of each element and copies the class for each contains().
# The lazy-markup test, the dearest, runs only when the page mentions "twitter-tweet" more
# often than its elements, scripts and styles do.
_EMBED_TAGS = ("blockquote", "iframe", "amp-iframe", "amp-twitter", "template", "script")
_EMBED_ATTRS = etree.XPath("//@class | //@data-tweet-id | //@data-tweetid | //@data-embed-id | //@data-attrs")
#: What an embed's class contains (widgets.js classes, then `_CONTAINER_FORMS`).
_EMBED_CLASS_MARKERS = ("twitter-", "wp-block-embed-twitter", "is-provider-twitter", "kg-embed-card")
_LAZY_NODES = etree.XPath(
    "//*[@*[contains(., 'twitter-tweet') and (contains(., '<') or contains(., '%3C') or contains(., '%3c')"
    " or contains(., '\\u003c') or contains(., '\\u003C'))]]"
)
#: How markup is spelled inside an attribute besides HTML-escaped: percent-encoded (a lazy loader
#: that stores `encodeURIComponent(html)`) or as a JSON string (`\u003c`, `\"`: props for a
#: client-side component).
_ENCODED_LT = ("<", "%3C", "%3c", "\\u003c", "\\u003C")
_JSON_ESCAPES = re.compile(r"\\(?:u00(?:3[cCeE]|22|26|27)|[\"/])")
_JSON_UNESCAPED = {"3c": "<", "3e": ">", "22": '"', "26": "&", "27": "'"}


def _holds_markup(value: str) -> bool:
    return "twitter-tweet" in value and any(lt in value for lt in _ENCODED_LT)


def _decoded_markup(markup: str) -> str:
    """Markup as written in an attribute, with percent-encoding and JSON escapes undone."""
    if "<" not in markup and "%3" in markup:
        markup = unquote(markup)
    if "\\" in markup:
        markup = _JSON_ESCAPES.sub(
            lambda m: _JSON_UNESCAPED[m[0][-2:].lower()] if m[0].startswith("\\u") else m[0][1], markup
        )
    return markup


def _embed_nodes(doc: etree._Element, source: str) -> list[etree._Element]:
    # The order does not matter: candidates are sorted by document position before merging.
    nodes: dict[etree._Element, None] = dict.fromkeys(doc.iter(*_EMBED_TAGS))
    class_nodes: list[etree._Element] = []
    a, b, c, d = _EMBED_CLASS_MARKERS
    for value in _EMBED_ATTRS(doc):
        if value.attrname != "class":
            nodes[value.getparent()] = None
        elif a in value or b in value or c in value or d in value:
            class_nodes.append(value.getparent())
    nodes.update(dict.fromkeys(class_nodes))
    if _may_hold_lazy_markup(doc, source, class_nodes):
        nodes.update(dict.fromkeys(_LAZY_NODES(doc)))
    if "ToDOM" in source:  # Substack's nodes, whatever their class (see _SUBSTACK_COMPONENTS)
        nodes.update(dict.fromkeys(_SUBSTACK_NODES(doc)))
    # Wrappers keyed by status URL, and iframely's anchors: looked for only when the source
    # holds such an attribute (with a status URL, for the generic data-url/data-href).
    if "/status" in source and _URL_ATTR_HINT.search(source):
        nodes.update(dict.fromkeys(_URL_ATTR_NODES(doc)))
    if "data-iframely-url" in source:
        nodes.update(dict.fromkeys(_IFRAMELY_NODES(doc)))
    return list(nodes)


def _may_hold_lazy_markup(doc: etree._Element, source: str, class_nodes: list[etree._Element]) -> bool:
    """Does the source name an embed class more often than the tree accounts for?

    Escaped markup in an attribute still spells "twitter-tweet" in the source, but is no
    element of the tree; when every mention is accounted for, the costly search is skipped.
    The mentions are the embed elements' classes, then the text of scripts and styles: the
    embed's stylesheet (`.twitter-tweet{...}`) and JSON holding oEmbed HTML name the class on
    nearly every page (raw text, so each is a mention of its own in the source).
    """
    mentions = source.count("twitter-tweet") + source.count("twitter-video")
    if not mentions:
        return False
    accounted = sum(1 for el in class_nodes if _classes(el) & _EMBED_CLASSES)
    for el in doc.iter("script", "style"):
        if mentions <= accounted:
            break
        text = el.text
        if text:
            accounted += text.count("twitter-tweet") + text.count("twitter-video")
    return mentions > accounted


_CONTAINER_MARKERS = tuple(marker for marker, _ in _CONTAINER_FORMS)


def _find_embeds(doc: etree._Element, page_lang: str | None, source: str) -> list[_Candidate]:
    """Run the finders on each element that may be an embed; the first that claims it wins."""
    found: list[_Candidate] = []
    for el in _embed_nodes(doc, source):
        tag = el.tag
        cand: _Candidate | None = None
        classes = _classes(el)
        if tag == "blockquote":
            if classes & _EMBED_CLASSES:
                cand = _from_blockquote(el, page_lang, form="blockquote")
            elif _own_signature(el) is not None:
                # The embed's markup with its class stripped (a sanitiser, a copy-paste): a
                # tweet flattened into a quote, even when it kept its permalink.
                cand = _from_blockquote(el, page_lang, form="text-signature")
        elif classes & _EMBED_CLASSES:
            # widgets.js output: a div around an iframe, or (2014-2015) an src-less iframe or a
            # <twitterwidget> carrying the ID itself.
            cand = _Candidate(el, "rendered", _where(el, None))
            cand.id = _clean_id(el.get("data-tweet-id") or el.get("data-tweetid") or el.get("data-id"))
            if len(el) and tag != "iframe":
                _fill_from_rendered(cand, el, page_lang)
        elif tag in ("iframe", "amp-iframe"):
            cand = _from_iframe(el)
        elif tag == "amp-twitter":
            tweet_id = _clean_id(el.get("data-tweetid"))
            if tweet_id:
                cand = _Candidate(el, "amp-twitter", _where(el, "data-tweetid"), id=tweet_id)
                # AMP accepts the status URL too, which names the author.
                ref = rules.parse_status_url(el.get("data-tweetid") or "")
                cand.handle = ref.handle if ref is not None else None
        if (
            cand is None
            and tag not in ("amp-twitter", "iframe", "blockquote")
            and (el.get("data-tweet-id") or el.get("data-tweetid") or el.get("data-embed-id"))
        ):
            cand = _from_data_attribute(el)
        if cand is None:
            class_text = el.get("class") or ""
            if any(marker in class_text for marker in _CONTAINER_MARKERS):
                cand = _from_container(el)
        quoted: list[_Candidate] = []
        if cand is None and _is_substack_tweet(el, classes):
            cand, quoted = _from_substack(el)
        if cand is None and tag not in ("amp-twitter", "script", "template"):
            cand = _from_url_attribute(el) or _from_iframely(el)
        if cand is not None:
            found.append(cand)
            found.extend(quoted)
        found.extend(_from_lazy_attribute(el, page_lang))
        if tag == "template" or (tag == "script" and (el.get("type") or "").lower() in _NON_JS_SCRIPT_TYPES):
            # Only these two hold markup as text; executable scripts are never read.
            found.extend(_from_markup_in(el, el.text or _inner_html(el), None, page_lang, "lazy-template"))
    return found


#: The classes of widgets.js's own markup of a tweet (2015-2019), which a copy of the rendered
#: widget keeps (`<twitter-widget class="twitter-tweet-rendered">` pasted into a CMS): the
#: main tweet's parts; a quoted tweet's are `QuoteTweet-*` and are left alone.
_RENDERED_PARTS = frozenset(
    {"Tweet-text", "TweetAuthor-name", "TweetAuthor-screenName", "TweetInfo-timestamp"}
)


def _fill_from_rendered(cand: _Candidate, widget: etree._Element, page_lang: str | None) -> None:
    """Author, handle, text, links and date from the widget's markup, when it was kept."""
    for el in widget.iter():
        classes = _classes(el) if isinstance(el.tag, str) else set()
        if el.tag == "blockquote" and cand.id is None:
            ref = rules.parse_status_url(el.get("cite") or "")
            cand.id = _clean_id(el.get("data-tweet-id")) or (ref.id if ref else None)
        part = classes & _RENDERED_PARTS
        if not part and not (el.tag == "a" and "long-permalink" in classes):
            continue
        if "Tweet-text" in part and cand.text is None:
            cand.text = _text_of(el) or None
            cand.lang = _lang_code(el.get("lang"))
            for anchor in el.iter("a"):
                url = rules.absolutize(anchor.get("href") or "")
                if url and url not in cand.links and not rules.is_ignored_url(url):
                    cand.links.append(url)
        elif "TweetAuthor-name" in part and cand.author is None:
            cand.author = el.get("title") or _squash("".join(el.itertext())) or None
        elif "TweetAuthor-screenName" in part and cand.handle is None:
            cand.handle = _squash("".join(el.itertext())).lstrip("@") or None
        elif cand.date is None:  # the timestamp: `10:01 AM - Sep 2, 2015`
            date_text = _squash("".join(el.itertext()))
            parsed = parse_embed_date(date_text, (page_lang,) if page_lang else ())
            if parsed:
                cand.date_text, (cand.date, cand.date_lang) = date_text, parsed


def _from_blockquote(
    bq: etree._Element, page_lang: str | None, *, form: str, where: Where | None = None
) -> _Candidate:
    cand = _Candidate(bq, form, where or _where(bq, None), is_blockquote=True)
    hint = _lang_code(bq.get("data-lang")) or page_lang
    own = list(_own_elements(bq))
    paragraph = next((e for e in own if e.tag == "p"), None)
    status_anchor = None
    for e in own:
        if e.tag == "a":
            ref = rules.parse_status_url(e.get("href") or "")
            if ref is not None:
                status_anchor = (e, ref)
    if status_anchor is not None:
        anchor, ref = status_anchor
        cand.id, cand.handle = ref.id, ref.handle
        # Bidi marks around an RTL date are no part of it (the text signature drops them too).
        date_text = _squash("".join(anchor.itertext())).strip(_BIDI_MARKS)
        # No digit, no date: the minimal embed's "View this post on Twitter" is no date text.
        if date_text and any(c.isdigit() for c in date_text):
            cand.date_text = date_text
            parsed = parse_embed_date(date_text, (hint,) if hint else ())
            if parsed:
                cand.date, cand.date_lang = parsed
    else:
        for attr in ("data-tweet-id", "data-tweetid", "data-id"):
            cand.id = cand.id or _clean_id(bq.get(attr))
    cite = bq.get("cite")
    if cite and cand.id is None:
        ref = rules.parse_status_url(cite)
        if ref:
            cand.id, cand.handle = ref.id, ref.handle
    signature = _own_signature(bq, in_paragraph=True)
    if signature is not None:
        cand.author = _squash(signature.group("author")) or None
        cand.handle = signature.group("handle") if cand.handle is None else cand.handle
        if cand.date is None and signature.group("rest").strip():
            rest = signature.group("rest").strip()
            parsed = parse_embed_date(rest, (hint,) if hint else ())
            if parsed:
                cand.date, cand.date_lang = parsed
                cand.date_text = rest
    if paragraph is not None:
        cand.text = _text_of(paragraph) or None
        cand.lang = _lang_code(paragraph.get("lang"))
    sig_anchor = status_anchor[0] if status_anchor else None
    for e in own:
        if e.tag == "a":
            cand.anchors.append(e)
            if e is sig_anchor:
                continue
            url = rules.absolutize(e.get("href") or "")
            if url and not rules.is_ignored_url(url):
                cand.links.append(url)
    if paragraph is not None:
        for _, _, raw in rules.find_urls(_text_of(paragraph)):
            url = rules.absolutize(raw)
            # A display URL ("pic.twitter.com/X") of an anchor whose href is already listed.
            if url and url not in cand.links and not _is_display_of(raw, paragraph):
                cand.links.append(url)
    return cand


#: Where an iframe's address is: lazy loaders keep it in a data attribute and put a placeholder
#: (`about:blank`, a spinner) in `src` until the frame scrolls into view.
_IFRAME_SOURCES = ("src", "data-src", "data-lazy-src", "data-url")


def _from_iframe(el: etree._Element) -> _Candidate | None:
    for attr in _IFRAME_SOURCES:
        value = el.get(attr)
        if value:
            cand = _from_iframe_source(el, attr, value)
            if cand is not None:
                return cand
    return None


def _from_iframe_source(el: etree._Element, attr: str, value: str) -> _Candidate | None:
    src = htmllib.unescape(value)
    parts = urlsplit(src if "//" in src else "https://" + src.lstrip("/"))
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    if (
        host in ("platform.twitter.com", "platform.x.com", "syndication.twitter.com")
        and "embed" in parts.path.lower()
    ):
        tweet_id = _clean_id((query.get("id") or [None])[0]) or _clean_id(el.get("data-tweet-id"))
        if tweet_id:
            return _Candidate(el, "iframe", _where(el, attr), id=tweet_id, lang=None)
        return None
    for key in ("url", "src", "tweet"):
        for value in query.get(key, ()):
            ref = rules.parse_status_url(unquote(value))
            if ref is not None:
                form = (
                    "embedly"
                    if "embedly" in host or (query.get("schema") or [""])[0] == "twitter"
                    else ("iframe-proxy")
                )
                return _Candidate(el, form, _where(el, attr), id=ref.id, handle=ref.handle)
    return None


def _from_data_attribute(el: etree._Element) -> _Candidate | None:
    for attr in ("data-tweet-id", "data-tweetid"):
        tweet_id = _clean_id(el.get(attr))
        if tweet_id:
            return _with_fallback_handle(_Candidate(el, "data-attribute", _where(el, attr), id=tweet_id))
    tweet_id = _clean_id(el.get("data-embed-id"))
    if tweet_id is None:
        return None
    # data-embed-id is generic (YouTube, Instagram, polls use it): require a Twitter hint.
    context = " ".join(str(v) for k, v in el.attrib.items() if k != "data-embed-id").lower()
    if "twitter" in context or "tweet" in context:
        return _with_fallback_handle(
            _Candidate(el, "data-attribute", _where(el, "data-embed-id"), id=tweet_id)
        )
    return None


#: Newsroom and CMS wrappers keyed by the status URL instead of the ID, which a script turns into
#: the embed: `<div class="tweet-embed-slot" data-tweet-url=STATUS>`, `<div class="social-embed"
#: data-provider="twitter" data-url=STATUS>`, `<div class="embed-twitter" data-href=STATUS>`.
_URL_ATTRS = ("data-tweet-url", "data-url", "data-href")
_URL_ATTR_NODES = etree.XPath("//*[@data-tweet-url or @data-url or @data-href]")
#: The cheap test of the source that gates that XPath: one of the attributes holding a status
#: path. (Attribute names as lxml gives them, lower-case: `DATA-URL=` in the source is missed.)
_URL_ATTR_HINT = re.compile(r"""data-(?:tweet-url|url|href)\s*=\s*["']?[^"'\s>]{0,300}?/status""")
#: Attributes by which embed wrappers name their provider (`data-embed-type="twitter"`).
_PROVIDER_ATTRS = (
    "data-embed-type",
    "data-provider",
    "data-type",
    "data-embed",
    "data-platform",
    "data-service",
)
_TWITTER_PROVIDERS = frozenset(
    {"twitter", "tweet", "x", "x.com", "twitter.com", "x-twitter", "twitter-tweet"}
)
#: Class words of Twitter's buttons, whose data-url is the page to share, not an embedded tweet.
_BUTTON_WORDS = ("share", "follow", "button", "intent", "timeline")


def _from_url_attribute(el: etree._Element) -> _Candidate | None:
    """A wrapper keyed by the status URL: `data-tweet-url` says it is a tweet by its name; the
    generic `data-url`/`data-href` (share buttons, cards, lazy images carry them) count only on
    an element whose class or provider attribute says it embeds a tweet."""
    for attr in _URL_ATTRS:
        value = el.get(attr)
        if not value or "/status" not in value.lower():
            continue
        ref = rules.parse_status_url(value)
        if ref is None:
            continue
        if attr == "data-tweet-url" or _is_twitter_wrapper(el):
            return _Candidate(el, "data-attribute", _where(el, attr), id=ref.id, handle=ref.handle)
    return None


def _is_twitter_wrapper(el: etree._Element) -> bool:
    classes = (el.get("class") or "").lower()
    if ("twitter" in classes or "tweet" in classes) and not any(w in classes for w in _BUTTON_WORDS):
        return True
    return any((el.get(attr) or "").strip().lower() in _TWITTER_PROVIDERS for attr in _PROVIDER_ATTRS)


_IFRAMELY_NODES = etree.XPath("//*[@data-iframely-url]")


def _from_iframely(el: etree._Element) -> _Candidate | None:
    """iframely's embed code, before its script replaces it with an iframe: `<a href=URL
    data-iframely-url="//cdn.iframe.ly/api/iframe?url=ENCODED_URL&key=...">` (or a short
    `//cdn.iframe.ly/ID`, or no value: then the href alone names what is embedded), also on a div."""
    value = el.get("data-iframely-url")
    if value is None:
        return None
    cand = _from_iframe_source(el, "data-iframely-url", value) if value.strip() else None
    if cand is not None:
        return cand
    ref = rules.parse_status_url(el.get("href") or "")
    if ref is None:
        return None
    return _Candidate(el, "iframe-proxy", _where(el, "href"), id=ref.id, handle=ref.handle)


def _with_fallback_handle(cand: _Candidate) -> _Candidate:
    """Wrappers keyed by ID often hold a fallback link to the status: it names the author."""
    for anchor in cand.element.iter("a"):
        ref = rules.parse_status_url(anchor.get("href") or "")
        if ref is not None and ref.id == cand.id:
            cand.handle = ref.handle
            break
    return cand


def _from_container(el: etree._Element) -> _Candidate | None:
    form = next(f for marker, f in _CONTAINER_FORMS if marker in (el.get("class") or ""))
    if form == "ghost" and "twitter" not in etree.tostring(el, encoding="unicode", method="html").lower():
        return None  # a Ghost embed card of another provider
    # The block may hold only the status URL as text (before the oEmbed is rendered).
    for text in el.itertext():
        for _, _, raw in rules.find_urls(text):
            ref = rules.parse_status_url(raw)
            if ref is not None:
                return _Candidate(el, form, _where(el, None), id=ref.id, handle=ref.handle)
    return _Candidate(el, form, _where(el, None))


#: The `data-component-name` of Substack's tweet node, which has been `Tweet2ToDOM` and
#: `Twitter2ToDOM`; its class has been `tweet` and `twitter-embed`, and sanitisers drop it.
_SUBSTACK_COMPONENTS = ("Tweet2ToDOM", "Twitter2ToDOM", "TweetToDOM", "TwitterToDOM")
_SUBSTACK_NODES = etree.XPath(
    "//*[" + " or ".join(f"@data-component-name='{name}'" for name in _SUBSTACK_COMPONENTS) + "]"
)


def _is_substack_tweet(el: etree._Element, classes: set[str]) -> bool:
    if el.get("data-component-name") in _SUBSTACK_COMPONENTS:
        return True
    return bool(el.get("data-attrs")) and (
        "twitter-embed" in classes or (el.tag == "div" and "tweet" in classes)
    )


def _from_substack(el: etree._Element) -> tuple[_Candidate | None, list[_Candidate]]:
    """Substack's tweet node, and the tweet it quotes (a second tweet, `quoted_in` the first).

    Its `data-attrs` is the tweet as JSON: `url`, `full_text` (HTML: `<a href=REAL>display…</a>`),
    `username`, `name`, `date` (ISO 8601, or the API's `Thu Feb 08 12:00:45 +0000 2018`),
    `photos` (`link_url` is the tweet's pic.twitter.com t.co link, which the text leaves out),
    `expanded_url` (the link card: `{"url": ...}`) and `quoted_tweet` (the same keys). Some
    pages keep only the node's anchor to the status.
    """
    try:
        data = json.loads(el.get("data-attrs") or "null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        href = el.get("href") if el.tag == "a" else None
        ref = rules.parse_status_url(href or "")
        if ref is None:
            return None, []
        return _Candidate(el, "substack", _where(el, "href"), id=ref.id, handle=ref.handle), []
    cand = _substack_tweet(el, data)
    if cand is None:
        return None, []
    inner = data.get("quoted_tweet")
    quoted = _substack_tweet(el, inner) if isinstance(inner, dict) and inner else None
    if quoted is None:
        return cand, []
    quoted.quoted_in = cand
    return cand, [quoted]


def _substack_tweet(el: etree._Element, data: dict[str, object]) -> _Candidate | None:
    ref = rules.parse_status_url(str(data.get("url") or ""))
    cand = _Candidate(el, "substack", _where(el, "data-attrs"))
    if ref is not None:
        cand.id, cand.handle = ref.id, ref.handle
    cand.handle = _str_or_none(data.get("username")) or cand.handle
    cand.author = _str_or_none(data.get("name"))
    cand.id = cand.id or _clean_id(_str_or_none(data.get("id") or data.get("tweet_id") or data.get("id_str")))
    date_value = _str_or_none(data.get("date") or data.get("created_at"))
    if date_value:
        cand.date_text = date_value
        cand.date = _api_date(date_value)
        if cand.date is None:
            parsed = parse_embed_date(date_value)
            if parsed:
                cand.date, cand.date_lang = parsed
    hrefs: list[str] = []
    text = _str_or_none(data.get("full_text") or data.get("text"))
    if text is not None and "<" in text:
        # The text is HTML: its anchors hold the real URLs behind the truncated display text.
        try:
            fragment = lxml.html.fragment_fromstring(text, create_parent="div", parser=_PARSER)
        except (etree.ParserError, ValueError):
            fragment = None
        if fragment is not None:
            text = _text_of(fragment) or None
            hrefs = [a.get("href") or "" for a in fragment.iter("a")]
    cand.text = text
    if text:
        hrefs += [raw for _, _, raw in rules.find_urls(text)]
    photos = data.get("photos")
    for photo in photos if isinstance(photos, list) else ():
        if isinstance(photo, dict) and isinstance(photo.get("link_url"), str):
            hrefs.append(photo["link_url"])
    card = data.get("expanded_url")
    if isinstance(card, dict) and isinstance(card.get("url"), str):
        hrefs.append(card["url"])
    for href in hrefs:
        url = rules.absolutize(href)
        if url and url not in cand.links and not rules.is_ignored_url(url):
            # The tweet's links only: the page's links are its hrefs and the URLs of its text,
            # and the node's rendered copy, when there is one, shows this text again.
            cand.links.append(url)
    if cand.id is None and cand.handle is None:
        return None
    return cand


def _api_date(value: str) -> dt.date | None:
    """The UTC day of an ISO 8601 timestamp or of the API's `Thu Feb 08 12:00:45 +0000 2018`."""
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return dt.datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").date()
    except ValueError:
        return None


def _from_lazy_attribute(el: etree._Element, page_lang: str | None) -> list[_Candidate]:
    out: list[_Candidate] = []
    for attr, value in el.attrib.items():
        if _holds_markup(value):
            out.extend(_from_markup_in(el, _decoded_markup(value), attr, page_lang, "lazy-attribute"))
    return out


def _from_markup_in(
    host: etree._Element, markup: str, attr: str | None, page_lang: str | None, form: str
) -> list[_Candidate]:
    if "twitter-tweet" not in markup and "twitter-video" not in markup:
        return []
    try:
        fragment = lxml.html.fragment_fromstring(markup, create_parent="div", parser=_PARSER)
    except (etree.ParserError, ValueError):
        return []
    out = []
    where = _where(host, attr)
    for bq in fragment.iter("blockquote"):
        if _classes(bq) & _EMBED_CLASSES:
            cand = _from_blockquote(bq, page_lang, form=form, where=where)
            # The markup is detached: the host element stands for it in the page.
            cand.element = host
            cand.detached_anchors = [
                (a.get("href") or "", _squash("".join(a.itertext()))) for a in cand.anchors
            ]
            cand.anchors = []
            out.append(cand)
    return out


# --- merging -------------------------------------------------------------------------------


def _merge_nested(candidates: list[_Candidate]) -> list[_Candidate]:
    """Merge candidates whose elements nest, except blockquote in blockquote (a quote)."""
    by_element: dict[etree._Element, _Candidate] = {}
    ordered = sorted(candidates, key=lambda c: c.position)
    result: list[_Candidate] = []
    for cand in ordered:
        same = by_element.get(cand.element)
        # Two finders on one element (a lazy host with data-tweet-id): one tweet. Unless one
        # quotes the other (Substack's node holds both tweets in its JSON).
        if (
            same is not None
            and cand.quoted_in is None
            and (same.id is None or cand.id is None or same.id == cand.id)
        ):
            same.absorb(cand)
            continue
        outer = None
        for ancestor in cand.element.iterancestors():
            if ancestor in by_element:
                outer = by_element[ancestor]
                break
        if outer is None:
            by_element.setdefault(cand.element, cand)
            result.append(cand)
        elif outer.is_blockquote and cand.is_blockquote and outer.element.tag == "blockquote":
            cand.quoted_in = outer
            cand.position = outer.position + 0.5
            by_element.setdefault(cand.element, cand)
            result.append(cand)
        elif outer.id is not None and cand.id is not None and outer.id != cand.id:
            # A container holding a different tweet (a quote inside a rendered card).
            cand.quoted_in = outer
            by_element.setdefault(cand.element, cand)
            result.append(cand)
        else:
            outer.absorb(cand)
            by_element.setdefault(cand.element, outer)
    return sorted(result, key=lambda c: c.position)


# --- the page's text -----------------------------------------------------------------------


@dataclass(slots=True)
class _FlatTweet:
    start: int
    end: int
    signature: Signature


class _PageText:
    """The page as text: block elements on their own lines, with a map back to elements."""

    __slots__ = (
        "_anchor_ends",
        "_anchor_starts",
        "anchor_spans",
        "block_starts",
        "seg_elements",
        "seg_starts",
        "text",
        "text_offsets",
    )

    def __init__(self) -> None:
        self.text = ""
        self.seg_starts: list[int] = []
        self.seg_elements: list[etree._Element] = []
        self.anchor_spans: list[tuple[int, int, etree._Element]] = []
        self._anchor_starts: list[int] = []
        self.text_offsets: dict[tuple[etree._Element, bool], int] = {}
        self.block_starts: list[int] = [0]  # offsets where a block element's line begins
        self._anchor_ends: list[int] = []

    @classmethod
    def build(cls, doc: etree._Element, embeds: dict[etree._Element, _Candidate]) -> _PageText:
        page = cls()
        parts: list[str] = []
        size = 0
        seg_starts = page.seg_starts
        seg_elements = page.seg_elements
        open_anchors: dict[etree._Element, int] = {}
        body = doc.find("body")
        root = body if body is not None else doc
        walker = etree.iterwalk(root, events=("start", "end"))
        # Lines mean what they mean in a rendered page: one per block element or <br>.
        # Source newlines inside text are spaces (same length, so offsets stay exact), and
        # whitespace between blocks makes no blank line.
        at_line_start = True

        text_offsets = page.text_offsets

        def add_text(text: str, owner: etree._Element, key: tuple[etree._Element, bool]) -> None:
            nonlocal size, at_line_start
            if at_line_start and text.isspace():
                return
            text_offsets[key] = size
            seg_starts.append(size)
            seg_elements.append(owner)
            parts.append(text.replace("\n", " ") if "\n" in text else text)
            size += len(text)
            at_line_start = False

        def new_line(always: bool = False) -> None:
            nonlocal size, at_line_start
            if always or not at_line_start:
                parts.append("\n")
                size += 1
                at_line_start = True
            if not always:
                page.block_starts.append(size)

        for event, el in walker:
            tag = el.tag
            if event == "start":
                if el in embeds or tag in _SKIP_TEXT:
                    walker.skip_subtree()
                    # A skipped embed is a block of its own: a signature after it starts a line.
                    new_line()
                    continue
                if tag == "br":
                    new_line(always=True)
                elif tag in _BLOCK:
                    new_line()
                elif tag == "a":
                    open_anchors[el] = size
                if el.text:
                    add_text(el.text, el, (el, False))
            else:
                if tag == "a" and el in open_anchors:
                    page.anchor_spans.append((open_anchors.pop(el), size, el))
                elif tag in _BLOCK:
                    new_line()
                tail = el.tail
                if tail and el is not root:
                    parent = el.getparent()
                    add_text(tail, parent if parent is not None else el, (el, True))
        page.text = "".join(parts)
        page.anchor_spans.sort(key=lambda span: span[0])
        page._anchor_starts = [s for s, _, _ in page.anchor_spans]
        page._anchor_ends = [e for _, e, _ in page.anchor_spans]
        return page

    def block_start_before(self, offset: int) -> int:
        """Where the block (paragraph, list item...) holding `offset` begins."""
        i = bisect.bisect_right(self.block_starts, offset) - 1
        return self.block_starts[i] if i >= 0 else 0

    def offset_of_text(self, owner: etree._Element, is_tail: bool) -> int | None:
        """Where a text node (an element's text, or its tail) starts in the page's text."""
        return self.text_offsets.get((owner, is_tail))

    def element_at(self, offset: int) -> etree._Element | None:
        i = bisect.bisect_right(self.seg_starts, offset) - 1
        return self.seg_elements[i] if i >= 0 else None

    def where_at(self, offset: int) -> Where:
        el = self.element_at(offset)
        if el is None:
            return Where()
        return Where(line=el.sourceline, element=el.tag if isinstance(el.tag, str) else None, attribute=None)

    def anchors_in(self, start: int, end: int) -> list[etree._Element]:
        """The anchors that overlap [start, end), in text order."""
        return [anchor for s, e, anchor in self.anchor_spans if s < end and e > start]

    def inside_anchor(self, start: int, end: int) -> bool:
        # Anchors cannot nest in HTML, so their spans are disjoint: one bisect finds the only
        # candidate (a page has hundreds of anchors and as many bare-URL checks).
        i = bisect.bisect_right(self._anchor_starts, start) - 1
        return i >= 0 and end <= self._anchor_ends[i]

    def links_in(self, start: int, end: int, base: str | None) -> list[str]:
        """Absolute URLs of the anchors and bare URLs inside [start, end), in text order."""
        found: list[tuple[int, str]] = []
        for s, e, anchor in self.anchor_spans:
            if s < end and e > start:
                url = link_info(anchor.get("href") or "", base)
                if url is not None:
                    found.append((s, url[0]))
        for s, e, raw in rules.find_urls(self.text[start:end]):
            if not self.inside_anchor(start + s, start + e):
                url = rules.absolutize(raw)
                if url:
                    found.append((start + s, url))
        found.sort()
        out: list[str] = []
        for _, url in found:
            if url not in out:
                out.append(url)
        return out


# --- links ---------------------------------------------------------------------------------


def link_info(href: str, base: str | None) -> tuple[str, LinkKind, str, StatusRef | None] | None:
    """Absolute URL, kind, host and status of an href; None for UI chrome and non-web links.

    Cached: navigation links repeat on every page of a site.
    """
    # An absolute http(s) href means the same whatever the base, and each page has its own
    # base (its canonical URL): keyed without it, the links a site repeats on every page hit
    # the cache across pages (measured: 4 in 5 hrefs of the benchmark corpus).
    if base is not None and href.startswith(("https://", "http://")):
        base = None
    return _link_info(href, base)


@lru_cache(maxsize=65536)
def _link_info(href: str, base: str | None) -> tuple[str, LinkKind, str, StatusRef | None] | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    url = rules.absolutize(href, base)
    if url is None or rules.is_ignored_url(url):
        return None
    kind = rules.classify(url)
    status = rules.parse_status_url(url) if kind is LinkKind.TWEET else None
    return url, kind, rules.host_of(url), status


#: Anchors, and every text node of the body, in document order: one walk serves the links,
#: the signature pre-check and the shortcodes, and Python sorts the text nodes out. (An XPath
#: for each, with contains() tests, cost twice as much: libxml2 copies a node's text for each
#: contains(), and most text nodes are the whitespace between tags.)
_PAGE_NODES = etree.XPath("//a[@href] | //area[@href] | //body//text()")
#: Elements whose text is not prose for links, signatures and shortcodes.
_NOT_PROSE = frozenset({"script", "style", "textarea", "template", "noscript", "head", "title"})


@dataclass(slots=True)
class _PageNodes:
    """The nodes the detectors look at, from one XPath."""

    #: Anchors, and the text nodes of prose (not in a link) that may hold a bare URL
    links: list[etree._Element | str]
    #: Text nodes with "@", each with the element it belongs to (the one before a tail), the
    #: links it sits in and whether it is prose: where a flattened tweet's signature could be
    at_texts: list[tuple[str, etree._Element, list[etree._Element], bool]]
    #: Text nodes of prose that may hold a `[tweet ...]` shortcode
    shortcodes: list[str]

    @classmethod
    def of(cls, doc: etree._Element) -> _PageNodes:
        links: list[etree._Element | str] = []
        at_texts: list[tuple[str, etree._Element, list[etree._Element], bool]] = []
        shortcodes: list[str] = []
        for node in _PAGE_NODES(doc):
            if not isinstance(node, str):
                links.append(node)
                continue
            may_link = "/" in node or "www." in node
            has_at = "@" in node
            has_shortcode = "[tweet" in node
            if not (may_link or has_at or has_shortcode):
                continue
            owner = node.getparent()
            if owner is None:
                continue
            element = owner.getparent() if node.is_tail else owner  # the element holding the text
            if element is None:
                continue
            chain = [element, *element.iterancestors()]
            tags = {el.tag for el in chain}
            prose = tags.isdisjoint(_NOT_PROSE)
            if may_link and prose and "a" not in tags:
                links.append(node)
            if has_at:
                at_texts.append((node, owner, [el for el in chain if el.tag == "a"], prose))
            if has_shortcode and prose:
                shortcodes.append(node)
        return cls(links, at_texts, shortcodes)


_LinkMaker = Callable[[str, str, LinkKind, str, Where, int | None, str | None, StatusRef | None], Link]


def _link_maker() -> _LinkMaker:
    """`Link(url, raw, kind, host, where, tweet, text, status)` at half the cost.

    A frozen dataclass sets each field through object.__setattr__ (1.2 us for a Link), and a
    page has ~200 links: setting the slots directly saved 0.05 s on 300 pages. Should Link
    change shape or grow a __post_init__, the dataclass itself is used (a test compares both).
    """
    names = ("url", "raw", "kind", "host", "where", "tweet", "text", "status")
    if tuple(f.name for f in fields(Link)) != names or hasattr(Link, "__post_init__"):
        return Link
    s_url, s_raw, s_kind, s_host, s_where, s_tweet, s_text, s_status = (
        getattr(Link, name).__set__ for name in names
    )
    new = object.__new__

    def make(
        url: str,
        raw: str,
        kind: LinkKind,
        host: str,
        where: Where,
        tweet: int | None,
        text: str | None,
        status: StatusRef | None,
    ) -> Link:
        link: Link = new(Link)
        s_url(link, url)
        s_raw(link, raw)
        s_kind(link, kind)
        s_host(link, host)
        s_where(link, where)
        s_tweet(link, tweet)
        s_text(link, text)
        s_status(link, status)
        return link

    return make


_new_link = _link_maker()


def _collect_links(
    link_nodes: list[etree._Element | str],
    page: _PageText | None,
    base: str | None,
    anchor_tweet: dict[etree._Element, int],
    tweet_of_element: dict[etree._Element, int],
    flat_spans: list[tuple[int, int, int]],
) -> list[Link]:
    """Every link of the page, in document order: anchors by their href, bare URLs in prose."""
    anchor_offsets = {el: s for s, _, el in page.anchor_spans} if page is not None else {}
    links: list[Link] = []
    append = links.append
    # A page has ~200 anchors, many on the same line (menus, share bars): their Where is one
    # immutable value, built once.
    href_wheres: dict[tuple[int | None, str], Where] = {}
    for node in link_nodes:
        if isinstance(node, str):  # a text node
            owner = node.getparent()
            if owner is None:
                continue
            element = owner.getparent() if node.is_tail else owner
            if element is None:
                continue
            for start, _end, raw in rules.find_urls(str(node)):
                info = link_info(raw, None)
                if info is None:
                    continue
                url, kind, host, status = info
                tweet = tweet_of_element.get(element)
                if tweet is None and page is not None:
                    offset = page.offset_of_text(owner, node.is_tail)
                    if offset is not None:
                        tweet = _flat_tweet_at(offset + start, flat_spans)
                append(
                    Link(
                        url=url,
                        raw=raw,
                        kind=kind,
                        host=host,
                        where=_where(element, None),
                        tweet=tweet,
                        status=status,
                    )
                )
            continue
        href = node.get("href")
        info = link_info(href, base) if href else None
        if info is None:
            continue
        url, kind, host, status = info
        tweet = anchor_tweet.get(node)
        if tweet is None and node in anchor_offsets:
            tweet = _flat_tweet_at(anchor_offsets[node], flat_spans)
        if tweet is None:
            tweet = tweet_of_element.get(node)
        text = node.text if len(node) == 0 else "".join(node.itertext())
        text = _squash(text) if text else ""
        key = (node.sourceline, node.tag)
        where = href_wheres.get(key)
        if where is None:
            where = href_wheres[key] = Where(line=key[0], element=key[1], attribute="href")
        append(_new_link(url, href, kind, host, where, tweet, text[:300] or None, status))
    return links


def _flat_tweet_at(offset: int, flat_spans: list[tuple[int, int, int]]) -> int | None:
    for start, end, idx in flat_spans:
        if start <= offset < end:
            return idx
    return None


# --- building tweets -----------------------------------------------------------------------


def _candidate_to_tweet(cand: _Candidate, quoted_in: int | None) -> TweetEmbed:
    date, source = cand.date, "signature" if cand.date else None
    if date is None and cand.id:
        created = snowflake_time(cand.id)
        if created is not None:
            date, source = created.date(), "snowflake"
    url = StatusRef(cand.id, cand.handle).url if cand.id else None
    return TweetEmbed(
        id=cand.id,
        url=url,
        handle=cand.handle,
        author=cand.author,
        date=date,
        text=cand.text,
        lang=cand.lang,
        links=tuple(url for url in cand.links if not rules.is_entity_link(url)),
        where=cand.where,
        form=cand.form,
        date_text=cand.date_text,
        date_lang=cand.date_lang,
        date_source=source,
        quoted_in=quoted_in,
    )


def _flat_to_tweet(item: _FlatTweet, page: _PageText, links: list[str], base: str | None) -> TweetEmbed:
    sig = item.signature
    where = page.where_at(item.start if item.end > item.start else sig.start)
    # `— Name (@handle) <a href=STATUS>DATE</a>`: the embed's date link, kept by the copy.
    status = None
    for anchor in page.anchors_in(sig.start, sig.end):
        info = link_info(anchor.get("href") or "", base)
        if info is not None and info[3] is not None:
            status = info[3]
            break
    return signature_tweet(sig, page.text[item.start : item.end], links, where, status=status)


def signature_tweet(
    sig: Signature, body: str, links: Sequence[str], where: Where, *, status: StatusRef | None = None
) -> TweetEmbed:
    """A tweet flattened to text, from its signature, its text and the links inside it.

    The ID is known when the signature kept the embed's date link to the status: `status` (an
    anchor around the date), or the URL written after the date (`sig.url`, in text).
    """
    body = body.strip()
    if status is None and sig.url:
        status = rules.parse_status_url(sig.url)
    if status is not None and status.handle is not None and status.handle.lower() != sig.handle.lower():
        status = None  # a link to another account's tweet is not this signature's date link
    return TweetEmbed(
        id=status.id if status else None,
        url=StatusRef(status.id, sig.handle).url if status else None,
        handle=sig.handle,
        author=sig.author or None,
        date=sig.date,
        text=body or None,
        lang=None,
        links=tuple(links),
        where=where,
        form="text-signature",
        date_text=sig.date_text,
        date_lang=sig.date_lang,
        date_source="signature" if sig.date else None,
    )


def shortcode_tweet(match: re.Match[str], where: Where) -> TweetEmbed | None:
    """A Jetpack `[tweet URL]`, `[tweet ID]` or `[tweet tweet="URL"]` shortcode."""
    body = match.group(1)
    for _, _, raw in rules.find_urls(body):
        ref = rules.parse_status_url(raw)
        if ref is not None:
            return _ref_tweet(ref, where, "jetpack-shortcode")
    digits = _DIGITS.search(body)
    if digits:
        return _ref_tweet(StatusRef(digits.group(1)), where, "jetpack-shortcode")
    return None


def find_shortcodes(text: str) -> Iterable[re.Match[str]]:
    return _SHORTCODE.finditer(text)


def _ref_tweet(ref: StatusRef, where: Where, form: str) -> TweetEmbed:
    created = snowflake_time(ref.id)
    return TweetEmbed(
        id=ref.id,
        url=ref.url,
        handle=ref.handle,
        author=None,
        date=created.date() if created else None,
        text=None,
        lang=None,
        links=(),
        where=where,
        form=form,
        date_source="snowflake" if created else None,
    )


# --- small helpers -------------------------------------------------------------------------


def _own_elements(root: etree._Element) -> Iterable[etree._Element]:
    """Descendants of a blockquote, not descending into nested blockquotes (quoted tweets)."""
    stack = list(reversed(root))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        yield el
        if el.tag != "blockquote":
            stack.extend(reversed(el))


def _own_text(root: etree._Element) -> str:
    """The blockquote's text outside its <p> and nested blockquotes: where the signature is."""
    parts = [root.text or ""]
    for child in root:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag in ("p", "blockquote"):
            parts.append("\n")
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _own_signature(bq: etree._Element, *, in_paragraph: bool = False) -> re.Match[str] | None:
    """The `— Name (@handle) DATE` line of a blockquote, from its own text.

    `in_paragraph`: also look in its last <p> when that is not the tweet's text, where
    WordPress's wpautop puts the line (`<p>&mdash; Name (@handle) <a>DATE</a></p>`).
    """
    text = _own_text(bq).strip()
    if "(@" in text:
        found = _SIGNATURE_TAIL.search(text.rsplit("\n", 1)[-1])
        if found is not None or not in_paragraph:
            return found
    if not in_paragraph:
        return None
    paragraphs = [child for child in bq if child.tag == "p"]
    if len(paragraphs) < 2:
        return None
    last = _squash("".join(paragraphs[-1].itertext()))
    return _SIGNATURE_TAIL.search(last) if "(@" in last else None


def _text_of(el: etree._Element) -> str:
    """Text with <br> as line breaks and whitespace runs squashed per line."""
    raw = _ordered_text(el)
    return "\n".join(_WS.sub(" ", line).strip() for line in raw.split("\n")).strip()


def _ordered_text(el: etree._Element) -> str:
    parts: list[str] = []
    walker = etree.iterwalk(el, events=("start", "end"))
    for event, node in walker:
        if event == "start":
            if node.tag == "br":
                parts.append("\n")
            elif node.text:
                parts.append(node.text)
        elif node is not el and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _is_display_of(raw: str, paragraph: etree._Element) -> bool:
    return any(raw in "".join(a.itertext()) for a in paragraph.iter("a"))


def _where(el: etree._Element, attr: str | None) -> Where:
    return Where(line=el.sourceline, element=el.tag if isinstance(el.tag, str) else None, attribute=attr)


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _clean_id(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit() and 0 < len(value) <= 20:
        return value.lstrip("0") or None
    ref = rules.parse_status_url(value)
    return ref.id if ref else None


def _str_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _squash(text: str) -> str:
    # Most anchor texts are one line with single spaces: nothing to squash. Every character
    # \s matches, the space aside, is unprintable (checked over all of Unicode), so then
    # stripping the ends gives what the substitution would.
    if text.isprintable() and "  " not in text:
        return text.strip()
    return _WS.sub(" ", text).strip()


def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().replace("_", "-")
    return value.lower() if 1 < len(value) <= 12 else None


def _inner_html(el: etree._Element) -> str:
    return "".join(etree.tostring(child, encoding="unicode", method="html") for child in el)


def _base_url(doc: etree._Element, given: str | None) -> str | None:
    """Where relative links point: <base href>, else the canonical URL, else where it was fetched."""
    # One C-level walk for the three kinds of element (an XPath each cost three walks).
    found: tuple[list[str], list[str], list[str]] = ([], [], [])
    for el in doc.iter("base", "link", "meta"):
        tag = el.tag
        if tag == "base":
            rank, value = 0, el.get("href")
        elif tag == "link":
            rank, value = 1, el.get("href") if el.get("rel") == "canonical" else None
        else:
            rank, value = 2, el.get("content") if el.get("property") == "og:url" else None
        if value is not None:
            found[rank].append(value)
    for values in found:
        for value in values:
            url = rules.absolutize(value, given)
            if url:
                return url
    return given
