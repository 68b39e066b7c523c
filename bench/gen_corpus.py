#!/usr/bin/env python3
"""Generate a deterministic corpus of realistic news pages that embed tweets.

    python bench/gen_corpus.py --out bench/corpus --articles 2000 --seed 1

Each article `NNNN.html` (50-300 KB, log-normal around 110 KB) looks like a page a newsroom,
WordPress, Ghost, Substack, Medium or AMP site serves: a big <head> (meta, Open Graph,
Twitter cards, JSON-LD), inline CSS and scripts (with @handles, @media rules, status URLs and
short links that are *not* part of the article), navigation, share and follow buttons, the
Twitter conversion pixel, sometimes a timeline widget, and a body in one of eight languages
with prose links (origin sites, shorteners, plain status links) and 0-6 tweets embedded in
any of the forms real pages use (see FORMS).

Beside each article, `NNNN.truth.json` says what a scanner should find there:

    {"article": "0001.html", "site": ..., "platform": ..., "lang": ..., "encoding": ..., "bytes": ...,
     "tweets": [{"id": "656856856855502848" | null, "handle": "h" | null, "author": "Name" | null,
                 "date": "2015-10-21" | null, "date_source": "signature" | "snowflake" | null,
                 "form": "blockquote", "variant": "widgets-script", "quoted_in": null,
                 "links": ["https://t.co/..."]}],
     "short_links": [{"url": "https://bit.ly/...", "raw": "bit.ly/...", "host": "bit.ly",
                      "where": "href" | "text" | "lazy-attribute", "tweet": 0 | null}],
     "status_links": [{"url": ..., "id": ..., "handle": ...}],
     "decoys": [{"kind": "script" | "style" | "comment" | "json-state" | "script-duplicate" |
                 "head-link" | "pixel", "tweet_id": ..., "url": ...}],
     "widgets": ["share-button", "follow-button", "timeline", ...]}

`id`, `handle`, `author` and `date` are what the markup shows (null when the form hides them:
an iframe shows no handle); `date` is the signature's local date, else the snowflake's UTC
date. Tweets are listed in document order. `decoys` are tweets and links that sit where a
reader never sees them (scripts, styles, comments, the pixel): a scanner must not report them
(a `script-duplicate` repeats a real embed inside the page's JSON state: reporting it makes a
duplicate). `status_links` are plain links to a status in prose: links, not embeds.

Determinism: article N depends only on (seed, N): `random.Random(f"{seed}:article:{N}")`,
and the shared tables (sites, accounts) on `random.Random(f"{seed}:sites")`, so the same
command gives byte-identical files, and `--articles 10` gives the first 10 of the 2000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_data import (  # the data tables sit beside this script
    ACCOUNT_NAMES,
    DATE_LANGS,
    FOLLOW_US,
    HANDLE_PREFIXES,
    HANDLE_ROOTS,
    HANDLE_SUFFIXES,
    HASHTAGS,
    LANG_WEIGHTS,
    LANGS,
    LINK_WORDS,
    MONTHS,
    ORGS,
    ORIGIN_HOSTS,
    PEOPLE,
    PLACES,
    PLATFORM_WEIGHTS,
    READ_MORE,
    SAID_ON_TWITTER,
    SECTIONS,
    SENTENCES,
    SHORTENER_WEIGHTS,
    SHORTENERS,
    SITE_SPECS,
    TZ_HOURS,
    WEEKDAYS,
)

UTC = dt.UTC

#: The embed forms the truth files name (the names of `resolver.detect.html.EMBED_FORMS`; a
#: wrapper names the form of what it wraps), with this corpus's variants of each.
FORMS: dict[str, tuple[str, ...]] = {
    "blockquote": (
        "widgets-script",
        "no-script",
        "legacy",
        "x-com",
        "video",
        "nested-outer",
        "nested-inner",
        "noscript",
        "wp-classic",
    ),
    "rendered": ("iframe", "twitterwidget", "iframe-legacy"),
    "iframe": ("platform-twitter", "platform-x", "index-html"),
    "amp-twitter": ("placeholder", "bare"),
    "wordpress": ("url-text", "blockquote"),
    "jetpack-shortcode": ("url", "id"),
    "ghost": ("blockquote", "caption"),
    "substack": ("tweet2",),
    "embedly": ("type-key", "src"),
    "data-attribute": ("data-tweet-id", "data-tweetid", "social-embed", "social-embed-fallback"),
    "lazy-attribute": ("data-html", "data-embed-code"),
    "text-signature": ("paragraphs", "br", "plain-blockquote", "plain-blockquote-link"),
}

#: How often each form's builder is used, per platform (the platform decides what its editor
#: emits). "noscript" builds a blockquote inside <noscript> (truth form "blockquote").
FORM_WEIGHTS: dict[str, dict[str, float]] = {
    "news": {
        "blockquote": 44,
        "rendered": 8,
        "iframe": 6,
        "data-attribute": 9,
        "lazy-attribute": 6,
        "noscript": 5,
        "text-signature": 12,
    },
    "wordpress": {"wordpress": 45, "jetpack-shortcode": 18, "blockquote": 25, "text-signature": 12},
    "ghost": {"ghost": 80, "blockquote": 8, "text-signature": 12},
    "substack": {"substack": 85, "text-signature": 15},
    "medium": {"embedly": 88, "text-signature": 12},
    "amp": {"amp-twitter": 88, "text-signature": 12},
}

#: Tweets per article: 0..6.
EMBED_COUNT_WEIGHTS: tuple[float, ...] = (24, 26, 18, 12, 9, 6, 5)

#: Article size: log-normal (median, sigma), redrawn until inside the bounds.
SIZE_MEDIAN = 110_000
SIZE_SIGMA = 0.45
SIZE_MIN = 50_000
SIZE_MAX = 300_000

SNOWFLAKE_EPOCH_MS = 1288834974657
SNOWFLAKE_START = dt.datetime(2010, 11, 5, tzinfo=UTC)  # IDs before this carry no time
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
LOWER36 = "0123456789abcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"
AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
REF_SRC = "?ref_src=twsrc%5Etfw"
WIDGETS_JS = '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'


# ---------------------------------------------------------------------------------------------
# Small helpers


def esc(text: str) -> str:
    """Escape text content (quotes stay as they are, as CMSes write them)."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def code(rng: Random, n: int, alphabet: str = B62) -> str:
    return "".join(rng.choices(alphabet, k=n))


def snowflake_at(rng: Random, when: dt.datetime) -> str:
    """A status ID minted at `when` (Twitter's snowflake: ms since its epoch, shifted by 22)."""
    ms = int(when.timestamp() * 1000)
    return str(((ms - SNOWFLAKE_EPOCH_MS) << 22) | rng.getrandbits(22))


def random_time(rng: Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    span = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randrange(span))


def format_date(lang: str, day: dt.date, *, loose: bool = False) -> str:
    """A date as the embed widget renders it for `lang`; `loose` drops the little words, as a
    hand copy does ("21 outubro 2015")."""
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    if lang == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    month = MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{month} {day.day}, {day.year}"
    if lang in ("pt", "es"):
        return f"{day.day} {month} {day.year}" if loose else f"{day.day} de {month} de {day.year}"
    if lang == "de":
        return f"{day.day}. {month} {day.year}"
    if lang == "ru":
        return f"{day.day} {month} {day.year}" + ("" if loose else " г.")
    if lang == "ar":
        return f"{day.day} {month} {day.year}".translate(AR_DIGITS)
    return f"{day.day} {month} {day.year}"  # fr, it, nl, tr


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def fill(rng: Random, lang: str, template: str) -> str:
    return template.format(
        place=rng.choice(PLACES[lang]),
        person=rng.choice(PEOPLE[lang]),
        org=rng.choice(ORGS[lang]),
        num=rng.randrange(2, 980),
        weekday=rng.choice(WEEKDAYS[lang]),
    )


def sentence(rng: Random, lang: str) -> str:
    return fill(rng, lang, rng.choice(SENTENCES[lang]))


def headline(rng: Random, lang: str) -> str:
    text = sentence(rng, lang).rstrip(".。")
    if lang == "ja":
        return text[:40]
    words = text.split()
    return " ".join(words[: rng.randrange(7, 13)])


def short_url(rng: Random, host: str | None = None) -> tuple[str, str]:
    """A shortened URL (and its host) in the shape its shortener issues."""
    if host is None:
        spec = rng.choices(SHORTENERS, SHORTENER_WEIGHTS)[0]
    else:
        spec = next(s for s in SHORTENERS if s[0] == host)
    name, alphabet, (lo, hi), prefix = spec
    chars = LOWER36 if alphabet == "lower" else B62
    body = code(rng, rng.randint(lo, hi), chars)
    if prefix == "p":  # wp.me/p1a2B3-4x: blog ID, dash, post ID
        body = f"p{code(rng, 5)}-{code(rng, rng.randint(2, 3))}"
    return f"https://{name}/{body}", name


# ---------------------------------------------------------------------------------------------
# Shared tables: accounts and sites


@dataclass(frozen=True, slots=True)
class Account:
    handle: str
    name: str
    lang: str


@dataclass(slots=True)
class Site:
    lang: str
    platform: str
    name: str
    domain: str
    encoding: str
    handle: str
    pixel_id: str
    css: str
    nav: str
    footer: str
    vendor_js: str
    ascii_json: bool
    decoys: list[dict[str, Any]] = field(default_factory=list)
    publication: str = ""  #: Medium: the publication's path


def make_handle(rng: Random, taken: set[str]) -> str:
    while True:
        handle = rng.choice(HANDLE_PREFIXES) + rng.choice(HANDLE_ROOTS) + rng.choice(HANDLE_SUFFIXES)
        if rng.random() < 0.3:
            handle = handle.lower()
        if rng.random() < 0.15:
            handle += str(rng.randrange(10, 99))
        handle = handle[:15]
        if handle.lower() not in taken:
            taken.add(handle.lower())
            return handle


def make_accounts(rng: Random, taken: set[str]) -> list[Account]:
    accounts = []
    for lang in LANGS:
        for _ in range(40):
            accounts.append(Account(make_handle(rng, taken), rng.choice(ACCOUNT_NAMES[lang]), lang))
    return accounts


CSS_PROPS: tuple[str, ...] = (
    "margin:0 auto",
    "padding:0 1rem",
    "display:flex",
    "display:grid",
    "align-items:center",
    "justify-content:space-between",
    "font-size:1.125rem",
    "line-height:1.6",
    "color:#1a1a1a",
    "color:var(--c-accent)",
    "background:#fff",
    "border-bottom:1px solid #e5e5e5",
    "max-width:720px",
    "font-weight:700",
    "text-transform:uppercase",
    "letter-spacing:.04em",
    "gap:1.5rem",
    "grid-template-columns:repeat(auto-fill,minmax(240px,1fr))",
    "position:relative",
    "overflow:hidden",
    "transition:opacity .2s ease-in-out",
    "border-radius:4px",
    "font-family:var(--font-serif)",
    "width:100%",
    "height:auto",
    "object-fit:cover",
    "z-index:10",
    "opacity:.85",
)
CSS_BLOCKS: tuple[str, ...] = (
    "header",
    "nav",
    "article",
    "byline",
    "teaser",
    "card",
    "footer",
    "menu",
    "share",
    "related",
    "ad-slot",
    "newsletter",
    "gallery",
    "caption",
    "tag",
)
CSS_ELEMS: tuple[str, ...] = ("title", "link", "item", "image", "meta", "icon", "list", "body", "label")
CSS_MODS: tuple[str, ...] = ("", "", "--active", "--large", "--dark", "--compact", ":hover", "::before")


def make_css(rng: Random, budget: int, site_handle: str, decoy: tuple[str, str]) -> str:
    """A site stylesheet: BEM rules, @media/@font-face/@import at-rules (which look like @handles)
    and the embed styling comments that carry status URLs nobody reads."""
    handle, tweet_id = decoy
    out = [
        '@import url("https://fonts.googleapis.com/css2?family=Merriweather:wght@400;700&display=swap");',
        '@font-face{font-family:"SiteSans";src:url(/assets/fonts/sitesans.woff2) format("woff2");'
        "font-display:swap}",
        ":root{--c-accent:#c00;--font-serif:Merriweather,Georgia,serif}",
        f"/* Embeds. Reference tweet for the layout: https://twitter.com/{handle}/status/{tweet_id} */",
        ".twitter-tweet,.twitter-tweet-rendered{margin:1.5rem auto!important;max-width:550px}",
        ".twitter-timeline{min-height:400px}",
        f'.byline__twitter::before{{content:"@"}}.footer__social a[href*="twitter.com/{site_handle}"]'
        "{color:#1da1f2}",
    ]
    size = sum(map(len, out))
    while size < budget:
        sel = f".{rng.choice(CSS_BLOCKS)}__{rng.choice(CSS_ELEMS)}{rng.choice(CSS_MODS)}"
        rule = sel + "{" + ";".join(rng.sample(CSS_PROPS, rng.randint(2, 6))) + "}"
        if rng.random() < 0.08:
            rule = f"@media (max-width:{rng.choice((480, 600, 768, 1024))}px){{{rule}}}"
        out.append(rule)
        size += len(rule)
    return "".join(out)


def svg_icon(rng: Random) -> str:
    points = " ".join(f"{rng.uniform(0, 24):.2f} {rng.uniform(0, 24):.2f}" for _ in range(rng.randint(8, 20)))
    return (
        f'<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">'
        f'<path d="M{points}Z"></path></svg>'
    )


def make_nav(rng: Random, lang: str, domain: str, name: str, handle: str, budget: int) -> str:
    out = [
        f'<header class="site-header"><div class="site-header__inner"><a class="site-logo" '
        f'href="https://{domain}/" aria-label="{attr(name)}">{svg_icon(rng)}</a>'
        f'<nav class="main-nav" aria-label="Main"><ul class="main-nav__list">'
    ]
    size = len(out[0])
    while size < budget:
        for section in SECTIONS[lang]:
            slug = slugify(section) or f"s{rng.randrange(100)}"
            subs = "".join(
                f'<li class="menu-item"><a href="https://{domain}/{slug}/'
                f'{slugify(headline(rng, "en"), 24)}/">{esc(headline(rng, lang)[:30])}</a></li>'
                for _ in range(rng.randint(3, 8))
            )
            item = (
                f'<li class="menu-item menu-item-has-children"><a href="https://{domain}/{slug}/">'
                f'{esc(section)}</a><ul class="sub-menu">{subs}</ul></li>'
            )
            out.append(item)
            size += len(item)
            if size >= budget:
                break
    out.append(
        "</ul></nav>"
        f'<div class="site-header__social"><a class="social-link social-link--twitter" '
        f'href="https://twitter.com/{handle}" rel="noopener" target="_blank" aria-label="Twitter">'
        f"{svg_icon(rng)}</a>"
        f'<a class="social-link social-link--facebook" href="https://www.facebook.com/{handle.lower()}" '
        f'rel="noopener" target="_blank" aria-label="Facebook">{svg_icon(rng)}</a></div></div></header>'
    )
    return "".join(out)


def make_footer(rng: Random, lang: str, domain: str, name: str, handle: str, budget: int) -> str:
    user = {"pt": "redacao", "es": "redaccion", "fr": "redaction", "de": "redaktion"}.get(lang, "newsroom")
    out = [
        f'<footer class="site-footer"><div class="site-footer__contact"><p>{esc(name)} &middot; '
        f'<a href="mailto:{user}@{domain}">{user}@{domain}</a> &middot; '
        f'{esc(FOLLOW_US[lang].format(h=handle))}</p></div><div class="site-footer__links">'
    ]
    size = len(out[0])
    while size < budget:
        col = "".join(
            f'<li><a href="https://{domain}/{slugify(headline(rng, "en"), 20)}/">'
            f"{esc(headline(rng, lang)[:24])}</a></li>"
            for _ in range(rng.randint(5, 10))
        )
        block = f'<ul class="site-footer__col">{col}</ul>'
        out.append(block)
        size += len(block)
    out.append(f'</div><p class="site-footer__copy">&copy; {esc(name)}</p></footer>')
    return "".join(out)


JS_SNIPPETS: tuple[str, ...] = (
    "function {a}({b},{c}){{var {d}={b}.querySelectorAll('.{cls}');for(var {e}=0;{e}<{d}.length;{e}++)"
    "{{{d}[{e}].classList.add({c})}}return {d}.length}}",
    "var {a}=window.{a}||{{}};{a}.{b}=function({c}){{return fetch('/api/{cls}?id='+{c}).then(function({d})"
    "{{return {d}.json()}})}};",
    "document.addEventListener('DOMContentLoaded',function(){{var {a}=document.getElementById('{cls}');"
    "if(!{a})return;{a}.addEventListener('click',function({b}){{{b}.preventDefault();{a}.classList.toggle"
    "('is-open')}})}});",
    "(function({a},{b}){{var {c}={a}.createElement('script');{c}.async=!0;{c}.src='https://cdn.{cls}.net/"
    "v2/loader.min.js';{b}.parentNode.insertBefore({c},{b})}})(document,document.scripts[0]);",
    "window.dataLayer=window.dataLayer||[];function {a}(){{dataLayer.push(arguments)}}{a}('js',new Date());"
    "{a}('config','G-{up}');",
    "var {a}=/(^|\\s)@([A-Za-z0-9_]{{1,15}})/g;function {b}({c}){{return {c}.replace({a},'$1<a href=\"https:"
    "//twitter.com/$2\">@$2</a>')}}",
    "try{{var {a}=JSON.parse(localStorage.getItem('{cls}')||'{{}}');{a}.v=({a}.v||0)+1;localStorage.setItem"
    "('{cls}',JSON.stringify({a}))}}catch({b}){{}}",
)


def make_vendor_js(
    rng: Random, handle: str, pixel_id: str, decoy: tuple[str, str], short: str, budget: int
) -> str:
    """Inline scripts: the widget loader, the conversion pixel base code, a site config that
    names the account, a pinned tweet and a short link, then app code."""
    d_handle, d_id = decoy
    out = [
        "<script>window.twttr = (function(d, s, id) {var js, fjs = d.getElementsByTagName(s)[0], "
        "t = window.twttr || {}; if (d.getElementById(id)) return t; js = d.createElement(s); js.id = id; "
        'js.src = "https://platform.twitter.com/widgets.js"; fjs.parentNode.insertBefore(js, fjs); '
        't._e = []; t.ready = function(f) {t._e.push(f);}; return t;}(document, "script", '
        '"twitter-wjs"));</script>\n',
        "<script>!function(e,t,n,s,u,a){e.twq||(s=e.twq=function(){s.exe?s.exe.apply(s,arguments):"
        "s.queue.push(arguments);},s.version='1.1',s.queue=[],u=t.createElement(n),u.async=!0,"
        "u.src='https://static.ads-twitter.com/uwt.js',a=t.getElementsByTagName(n)[0],"
        f"a.parentNode.insertBefore(u,a))}}(window,document,'script');twq('config','{pixel_id}');</script>\n",
        f'<script>window.siteConfig={{"social":{{"twitter":"@{handle}","twitterUrl":"https://twitter.com/'
        f'{handle}","pinnedTweet":"https://twitter.com/{d_handle}/status/{d_id}"}},"shortener":"{short}",'
        f'"contact":"@{handle} / tips@{handle.lower()}.example"}};</script>\n',
    ]
    size = sum(map(len, out))
    body: list[str] = []
    while size < budget:
        snippet = rng.choice(JS_SNIPPETS).format(
            a=code(rng, 2, "abcdefghijklmnopqrstuvwxyz"),
            b=code(rng, 1, "bcdfgh"),
            c=code(rng, 1, "jklmn"),
            d=code(rng, 1, "pqrst"),
            e=code(rng, 1, "uvwxyz"),
            cls=slugify(headline(rng, "en"), 16) or "x",
            up=code(rng, 10, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"),
        )
        body.append(snippet)
        size += len(snippet)
    out.append("<script>" + "\n".join(body) + "</script>\n")
    return "".join(out)


def make_sites(seed: int) -> tuple[list[Site], list[Account]]:
    rng = Random(f"{seed}:sites")
    taken: set[str] = set()
    accounts = make_accounts(rng, taken)
    sites = []
    for lang, platform, name, domain, encoding in SITE_SPECS:
        handle = make_handle(rng, taken)
        pixel_id = code(rng, 5, LOWER36)
        css_decoy = (
            rng.choice(accounts).handle,
            snowflake_at(
                rng,
                random_time(rng, dt.datetime(2014, 1, 1, tzinfo=UTC), dt.datetime(2019, 1, 1, tzinfo=UTC)),
            ),
        )
        js_decoy = (
            rng.choice(accounts).handle,
            snowflake_at(
                rng,
                random_time(rng, dt.datetime(2016, 1, 1, tzinfo=UTC), dt.datetime(2023, 1, 1, tzinfo=UTC)),
            ),
        )
        js_short = short_url(rng, "bit.ly")[0]
        heavy = platform in ("news", "amp")
        css_budget = rng.randint(20_000, 60_000) if heavy else rng.randint(6_000, 24_000)
        if platform == "amp":
            css_budget = min(css_budget, 45_000)  # AMP caps amp-custom CSS at 75 KB
        site = Site(
            lang=lang,
            platform=platform,
            name=name,
            domain=domain,
            encoding=encoding,
            handle=handle,
            pixel_id=pixel_id,
            css=make_css(rng, css_budget, handle, css_decoy),
            nav=make_nav(rng, lang, domain, name, handle, rng.randint(6_000, 24_000) if heavy else 3_000),
            footer=make_footer(rng, lang, domain, name, handle, rng.randint(2_000, 9_000)),
            vendor_js=make_vendor_js(
                rng,
                handle,
                pixel_id,
                js_decoy,
                js_short,
                rng.randint(8_000, 35_000) if heavy else rng.randint(2_000, 8_000),
            ),
            ascii_json=rng.random() < 0.5,
            decoys=[
                {
                    "kind": "style",
                    "tweet_id": css_decoy[1],
                    "url": f"https://twitter.com/{css_decoy[0]}/status/{css_decoy[1]}",
                },
                {
                    "kind": "script",
                    "tweet_id": js_decoy[1],
                    "url": f"https://twitter.com/{js_decoy[0]}/status/{js_decoy[1]}",
                },
                {"kind": "script", "tweet_id": None, "url": js_short},
            ],
            publication=slugify(name) or f"pub-{code(rng, 6, LOWER36)}",
        )
        if platform == "amp":  # AMP forbids author scripts: its decoys sit in amp-state JSON instead
            site.vendor_js = ""
            site.decoys = site.decoys[:1]
        sites.append(site)
    return sites, accounts


# ---------------------------------------------------------------------------------------------
# Tweets


@dataclass(slots=True)
class Tweet:
    id: str
    handle: str
    name: str
    lang: str
    created: dt.datetime
    snowflake: bool
    p_html: str  #: inner HTML of the embed's <p>, anchors as the oEmbed endpoint writes them
    text: str  #: the same as plain text, as a hand copy shows it
    hrefs: list[str]  #: hrefs of the URL and media anchors in p_html (t.co), in order
    flat_links: list[str]  #: the links as the plain text shows them (t.co URL, pic.twitter.com)


def make_tweet(rng: Random, accounts: list[Account], when: dt.datetime, page_lang: str) -> Tweet:
    acct = (
        rng.choice(accounts)
        if rng.random() < 0.5
        else rng.choice([a for a in accounts if a.lang == page_lang])
    )
    lang = acct.lang if rng.random() < 0.85 else rng.choice(LANGS)
    if when < SNOWFLAKE_START:
        tweet_id, snow = str(rng.randrange(1_000_000, 29_000_000_000)), False
    else:
        tweet_id, snow = snowflake_at(rng, when), True
    scheme = "http" if when.year < 2014 else "https"
    text = sentence(rng, lang)
    if len(text) > 200:
        text = text[:200].rsplit(" ", 1)[0]
    parts_html, parts_text = [esc(text)], [text]
    hrefs: list[str] = []
    flat: list[str] = []
    for _ in range(rng.choices((0, 1, 2), (45, 40, 15))[0]):
        tag = rng.choice(HASHTAGS[lang])
        anchor = (
            f'<a href="https://twitter.com/hashtag/{quote(tag)}?src=hash&amp;ref_src=twsrc%5Etfw">'
            f"#{esc(tag)}</a>"
        )
        if rng.random() < 0.3:
            parts_html.insert(0, anchor)
            parts_text.insert(0, f"#{tag}")
        else:
            parts_html.append(anchor)
            parts_text.append(f"#{tag}")
    if rng.random() < 0.2:
        other = rng.choice(accounts).handle
        parts_html.append(f'<a href="https://twitter.com/{other}{REF_SRC}">@{other}</a>')
        parts_text.append(f"@{other}")
    if rng.random() < 0.5:
        url = f"{scheme}://t.co/{code(rng, 10)}"
        parts_html.append(f'<a href="{url}">{url}</a>')
        parts_text.append(url)
        hrefs.append(url)
        flat.append(url)
    if rng.random() < 0.4:
        media = code(rng, 10)
        parts_html.append(f'<a href="{scheme}://t.co/{media}">pic.twitter.com/{media}</a>')
        parts_text.append(f"pic.twitter.com/{media}")
        hrefs.append(f"{scheme}://t.co/{media}")
        flat.append(f"https://pic.twitter.com/{media}")
    return Tweet(
        tweet_id,
        acct.handle,
        acct.name,
        lang,
        when,
        snow,
        " ".join(parts_html),
        " ".join(parts_text),
        hrefs,
        flat,
    )


# ---------------------------------------------------------------------------------------------
# One article


@dataclass(slots=True)
class Article:
    """Builds one page and its truth as it goes."""

    rng: Random
    site: Site
    accounts: list[Account]
    published: dt.datetime
    url: str
    tweets: list[dict[str, Any]] = field(default_factory=list)
    short_links: list[dict[str, Any]] = field(default_factory=list)
    status_links: list[dict[str, Any]] = field(default_factory=list)
    decoys: list[dict[str, Any]] = field(default_factory=list)
    widgets: list[str] = field(default_factory=list)
    oembed_copies: list[str] = field(default_factory=list)  #: embeds a CMS also keeps in JSON state

    @property
    def lang(self) -> str:
        return self.site.lang

    # -- truth -------------------------------------------------------------------------------

    def add_short(
        self, url: str, host: str, where: str, tweet: int | None = None, raw: str | None = None
    ) -> None:
        self.short_links.append({"url": url, "raw": raw or url, "host": host, "where": where, "tweet": tweet})

    def add_tweet(
        self,
        t: Tweet,
        form: str,
        variant: str,
        *,
        show_id: bool = True,
        show_handle: bool = True,
        show_author: bool = True,
        signature: dt.date | None = None,
        links: list[str] | None = None,
        quoted_in: int | None = None,
        where: str = "href",
    ) -> int:
        if signature is not None:
            date, source = signature.isoformat(), "signature"
        elif show_id and t.snowflake:
            date, source = t.created.date().isoformat(), "snowflake"
        else:
            date, source = None, None
        index = len(self.tweets)
        self.tweets.append(
            {
                "id": t.id if show_id else None,
                "handle": t.handle if show_handle else None,
                "author": t.name if show_author else None,
                "date": date,
                "date_source": source,
                "form": form,
                "variant": variant,
                "quoted_in": quoted_in,
                "links": list(links or []),
            }
        )
        for link in links or []:
            if "://t.co/" in link:
                self.add_short(link, "t.co", where, index)
        return index

    def status_url(self, t: Tweet, host: str = "twitter.com", ref: bool = True) -> str:
        return f"https://{host}/{t.handle}/status/{t.id}" + (REF_SRC if ref else "")

    # -- embed forms -------------------------------------------------------------------------

    def date_lang(self) -> str | None:
        """The `data-lang` of an embed: mostly the page's language; absent means English."""
        roll = self.rng.random()
        if roll < 0.65:
            return self.lang
        if roll < 0.85:
            return None
        if roll < 0.93:
            return "en"
        return self.rng.choice(DATE_LANGS[len(LANGS) :])

    def local_date(self, t: Tweet, lang: str | None) -> dt.date:
        return (t.created + dt.timedelta(hours=TZ_HOURS[lang or "en"])).date()

    def blockquote(
        self,
        t: Tweet,
        *,
        cls: str = "twitter-tweet",
        legacy: bool = False,
        host: str = "twitter.com",
        inner: str = "",
        placeholder: bool = False,
    ) -> tuple[str, dt.date]:
        """The oEmbed blockquote (without the script) and the date its signature shows."""
        lang = self.date_lang()
        attrs = [f'class="{cls}"']
        if placeholder:
            attrs.insert(0, "placeholder")
        if lang is not None:
            attrs.append(f'{"lang" if legacy else "data-lang"}="{lang}"')
        if self.rng.random() < 0.25:
            attrs.append(
                self.rng.choice(
                    (
                        'data-conversation="none"',
                        'data-dnt="true"',
                        'data-width="550"',
                        'data-theme="dark"',
                        'align="center"',
                        'data-cards="hidden"',
                    )
                )
            )
        day = self.local_date(t, lang)
        shown = format_date(lang or "en", day)
        tdir = "rtl" if t.lang == "ar" else "ltr"
        p = f'<p lang="{t.lang}" dir="{tdir}">{t.p_html}</p>' if not legacy else f"<p>{t.p_html}</p>"
        if legacy:
            stamp = t.created.strftime("%Y-%m-%dT%H:%M:%S+00:00")
            sig = (
                f'&mdash; {esc(t.name)} (@{t.handle}) <a href="{self.status_url(t, ref=False)}" '
                f'data-datetime="{stamp}">{esc(shown)}</a>'
            )
        else:
            sig = f'&mdash; {esc(t.name)} (@{t.handle}) <a href="{self.status_url(t, host)}">{esc(shown)}</a>'
        return f"<blockquote {' '.join(attrs)}>{p}{inner}{sig}</blockquote>", day

    def form_blockquote(self, t: Tweet) -> str:
        rng = self.rng
        variant = rng.choices(("widgets-script", "no-script", "video", "nested"), (60, 20, 8, 12))[0]
        if variant in ("widgets-script", "no-script") and self.published.year <= 2013 and rng.random() < 0.8:
            variant = "legacy"
        elif variant == "widgets-script" and self.published.year >= 2023 and rng.random() < 0.6:
            variant = "x-com"
        if variant == "nested":
            return self.form_nested(t)
        legacy = variant == "legacy"
        block, day = self.blockquote(
            t,
            cls="twitter-video" if variant == "video" else "twitter-tweet",
            legacy=legacy,
            host="x.com" if variant == "x-com" else "twitter.com",
        )
        self.add_tweet(t, "blockquote", variant, signature=day, links=t.hrefs)
        self.oembed_copies.append(block)
        if variant == "no-script":
            return block
        script = WIDGETS_JS.replace("https://", "//") if legacy else WIDGETS_JS
        return block + "\n" + script

    def form_nested(self, outer: Tweet) -> str:
        """A quote tweet pasted with the quoted tweet's own embed code inside it."""
        inner_t = make_tweet(
            self.rng,
            self.accounts,
            outer.created - dt.timedelta(minutes=self.rng.randrange(5, 60 * 24 * 20)),
            self.lang,
        )
        inner_block, inner_day = self.blockquote(inner_t)
        quote_link = f"https://t.co/{code(self.rng, 10)}"
        outer_links = [*outer.hrefs, quote_link]
        outer.p_html += f' <a href="{quote_link}">{quote_link}</a>'
        block, day = self.blockquote(outer, inner=inner_block)
        k = self.add_tweet(outer, "blockquote", "nested-outer", signature=day, links=outer_links)
        self.add_tweet(
            inner_t, "blockquote", "nested-inner", signature=inner_day, links=inner_t.hrefs, quoted_in=k
        )
        return block + "\n" + WIDGETS_JS

    def form_rendered(self, t: Tweet) -> str:
        """What a page saved from a browser holds once widgets.js has replaced the blockquote."""
        variant = self.rng.choices(("iframe", "twitterwidget", "iframe-legacy"), (70, 15, 15))[0]
        n = self.rng.randrange(0, 4)
        self.add_tweet(t, "rendered", variant, show_handle=False, show_author=False)
        if variant == "twitterwidget":
            return (
                f'<twitterwidget class="twitter-tweet twitter-tweet-rendered" id="twitter-widget-{n}" '
                'style="position: static; visibility: visible; display: block; '
                "transform: rotate(0deg); max-width: 100%; width: 500px; min-width: 220px; "
                'margin-top: 10px; margin-bottom: 10px;" '
                f'data-tweet-id="{t.id}"></twitterwidget>'
            )
        if variant == "iframe-legacy":
            return (
                f'<iframe id="twitter-widget-{n}" class="twitter-tweet twitter-tweet-rendered" '
                'scrolling="no" frameborder="0" allowtransparency="true" allowfullscreen="true" '
                'style="max-width: 100%; width: 500px; display: block; margin: 10px 0px; padding: 0px; '
                'border: none; height: 592px;" title="Embedded Tweet" height="592" width="500" '
                f'data-tweet-id="{t.id}"></iframe>'
            )
        origin = quote(self.url, safe="")
        return (
            '<div class="twitter-tweet twitter-tweet-rendered" style="display: flex; max-width: 550px; '
            'width: 100%; margin-top: 10px; margin-bottom: 10px;">'
            f'<iframe id="twitter-widget-{n}" scrolling="no" frameborder="0" allowtransparency="true" '
            'allowfullscreen="true" class="" style="position: static; visibility: visible; width: 550px; '
            f'height: {self.rng.randrange(300, 900)}px; display: block; flex-grow: 1;" title="Twitter Tweet" '
            f'src="https://platform.twitter.com/embed/Tweet.html?dnt=false&amp;embedId=twitter-widget-{n}'
            f"&amp;features={code(self.rng, 120)}%3D%3D&amp;frame=false&amp;hideCard=false"
            "&amp;hideThread=false"
            f"&amp;id={t.id}&amp;lang={self.lang}&amp;origin={origin}&amp;sessionId={code(self.rng, 40, HEX)}"
            f'&amp;theme=light&amp;widgetsVersion=2615f7e52b7e0%3A1702314776716&amp;width=550px" '
            f'data-tweet-id="{t.id}"></iframe></div>'
        )

    def form_iframe(self, t: Tweet) -> str:
        variant = self.rng.choices(("platform-twitter", "platform-x", "index-html"), (60, 20, 20))[0]
        self.add_tweet(t, "iframe", variant, show_handle=False, show_author=False)
        if variant == "index-html":
            src = (
                f"https://platform.twitter.com/embed/index.html?dnt=false&amp;embedId=twitter-widget-0"
                f"&amp;frame=false&amp;hideCard=false&amp;hideThread=false&amp;id={t.id}&amp;lang={self.lang}"
                f"&amp;theme=light&amp;widgetsVersion=ed20a2b%3A1601588405575&amp;width=550px"
            )
        else:
            host = "platform.x.com" if variant == "platform-x" else "platform.twitter.com"
            src = f"https://{host}/embed/Tweet.html?id={t.id}"
            if self.rng.random() < 0.5:
                src += f"&amp;theme=light&amp;lang={self.lang}&amp;dnt=true"
        height = self.rng.choice((250, 450, 600))
        return (
            f'<div class="embed embed--iframe"><iframe border="0" frameborder="0" height="{height}" '
            f'width="550" title="X Post" src="{src}" loading="lazy"></iframe></div>'
        )

    def form_amp(self, t: Tweet) -> str:
        variant = "placeholder" if self.rng.random() < 0.7 else "bare"
        size = f'width="{self.rng.choice((375, 390, 486))}" height="{self.rng.choice((472, 540, 600))}"'
        if variant == "bare":
            self.add_tweet(t, "amp-twitter", variant, show_handle=False, show_author=False)
            return f'<amp-twitter {size} layout="responsive" data-tweetid="{t.id}"></amp-twitter>'
        block, day = self.blockquote(t, placeholder=True)
        self.add_tweet(t, "amp-twitter", variant, signature=day, links=t.hrefs)
        cards = ' data-cards="hidden"' if self.rng.random() < 0.2 else ""
        return f'<amp-twitter {size} layout="responsive" data-tweetid="{t.id}"{cards}>{block}</amp-twitter>'

    def form_wp(self, t: Tweet) -> str:
        variant = self.rng.choices(("url-text", "blockquote", "classic"), (35, 50, 15))[0]
        if variant == "classic":
            block, day = self.blockquote(t)
            self.add_tweet(t, "blockquote", "wp-classic", signature=day, links=t.hrefs)
            return f'<div class="embed-twitter">{block}{WIDGETS_JS}</div>'
        cls = (
            "wp-block-embed is-type-rich is-provider-twitter wp-block-embed-twitter"
            if self.rng.random() < 0.7
            else "wp-block-embed-twitter wp-block-embed is-type-rich is-provider-twitter"
        )
        if variant == "url-text":
            self.add_tweet(t, "wordpress", variant, show_author=False)
            inner = f"\n{self.status_url(t, ref=False)}\n"
        else:
            block, day = self.blockquote(t)
            self.add_tweet(t, "wordpress", variant, signature=day, links=t.hrefs)
            inner = f"\n{block}{WIDGETS_JS}\n"
        return f'<figure class="{cls}"><div class="wp-block-embed__wrapper">{inner}</div></figure>'

    def form_jetpack(self, t: Tweet) -> str:
        if self.rng.random() < 0.6:
            self.add_tweet(t, "jetpack-shortcode", "url", show_author=False)
            extra = self.rng.choice(("", "", " align='center'", " width='350'"))
            return f"<p>[tweet {self.status_url(t, ref=False)}{extra}]</p>"
        self.add_tweet(t, "jetpack-shortcode", "id", show_handle=False, show_author=False)
        return f"<p>[tweet {t.id}]</p>"

    def form_ghost(self, t: Tweet) -> str:
        block, day = self.blockquote(t)
        if self.rng.random() < 0.3:
            self.add_tweet(t, "ghost", "caption", signature=day, links=t.hrefs)
            return (
                f'<figure class="kg-card kg-embed-card kg-card-hascaption">{block}\n{WIDGETS_JS}'
                f"<figcaption>{esc(headline(self.rng, self.lang))}</figcaption></figure>"
            )
        self.add_tweet(t, "ghost", "blockquote", signature=day, links=t.hrefs)
        return f'<figure class="kg-card kg-embed-card">{block}\n{WIDGETS_JS}</figure>'

    def form_substack(self, t: Tweet) -> str:
        """Substack's Tweet2ToDOM node: the tweet as JSON in data-attrs, rendered beside it."""
        url = f"https://twitter.com/{t.handle}/status/{t.id}"
        if self.rng.random() < 0.4:
            url += "?s=20"
        stamp = t.created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        data = {
            "url": url,
            "full_text": t.text.split(" https://t.co")[0],
            "username": t.handle,
            "name": t.name,
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{self.rng.randrange(10**17, 10**18)}/"
            f"{code(self.rng, 8)}_normal.jpg",
            "date": stamp,
            "photos": [],
            "quoted_tweet": {},
            "reply_count": self.rng.randrange(0, 300),
            "retweet_count": self.rng.randrange(0, 3000),
            "like_count": self.rng.randrange(0, 30000),
            "impression_count": 0,
            "expanded_url": {},
            "video_url": None,
            "belowTheFold": self.rng.random() < 0.5,
        }
        self.add_tweet(t, "substack", "tweet2", signature=t.created.date())
        attrs = attr(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        shown = f"{t.created:%-I:%M %p} ∙ {t.created:%b} {t.created.day}, {t.created.year}"
        return (
            f'<div class="tweet" data-attrs="{attrs}" '
            f'data-component-name="Tweet2ToDOM"><a class="tweet-link-top" href="{url}" target="_blank">'
            f'<div class="tweet-header"><img class="tweet-header-avatar" src="https://substackcdn.com/image/'
            f'twitter_name/w_96/{t.handle}.jpg" alt="Twitter avatar for @{t.handle}" loading="lazy">'
            f'<div class="tweet-header-text"><span class="tweet-author-name">{esc(t.name)} </span>'
            f'<span class="tweet-author-handle">@{t.handle}</span></div></div>'
            f'<div class="tweet-text">{esc(data["full_text"])}</div></a>'
            f'<a class="tweet-link-bottom" href="{url}" target="_blank"><div class="tweet-footer">'
            f'<p class="tweet-date">{shown}</p></div></a></div>'
        )

    def form_embedly(self, t: Tweet) -> str:
        target = f"https://twitter.com/{t.handle}/status/{t.id}"
        key = code(self.rng, 32, HEX)
        if self.rng.random() < 0.6:
            variant = "type-key"
            src = (
                f"https://cdn.embedly.com/widgets/media.html?type=text%2Fhtml&amp;key={key}"
                f"&amp;schema=twitter&amp;url={quote(target, safe='/')}&amp;image=https%3A%2F%2Fi.embed.ly"
                "%2F1%2Fimage%3Furl%3Dhttps%253A%252F%252Fabs.twimg.com%252Ferrors%252Flogo46x38.png"
                f"%26key%3D{key}"
            )
        else:
            variant = "src"
            src = (
                f"https://cdn.embedly.com/widgets/media.html?src="
                f"{quote(target + '?ref_src=twsrc^tfw', safe='')}&amp;display_name=Twitter"
                f"&amp;url={quote(target, safe='')}&amp;key={key}&amp;type=text%2Fhtml&amp;schema=twitter"
            )
        self.add_tweet(t, "embedly", variant, show_author=False)
        return (
            f'<figure class="paragraph-image"><div class="embed"><iframe src="{src}" allowfullscreen="" '
            f'frameborder="0" height="{self.rng.choice((281, 454, 610))}" width="500" '
            f'title="{attr(t.name)} on Twitter" class="eh bx bv el aj" scrolling="no"></iframe></div>'
            "</figure>"
        )

    def form_data_attribute(self, t: Tweet) -> str:
        variant = self.rng.choice(("data-tweet-id", "data-tweetid", "social-embed", "social-embed-fallback"))
        if variant == "social-embed-fallback":
            self.add_tweet(t, "data-attribute", variant, show_author=False)
            return (
                f'<div class="social-embed" data-embed-type="twitter" data-embed-id="{t.id}">'
                f'<a class="social-embed__fallback" href="{self.status_url(t, ref=False)}">Twitter</a>'
                "</div>"
            )
        self.add_tweet(t, "data-attribute", variant, show_handle=False, show_author=False)
        if variant == "social-embed":
            return f'<div class="social-embed" data-embed-type="twitter" data-embed-id="{t.id}"></div>'
        if variant == "data-tweetid":
            return f'<div class="tweet-embed" data-tweetid="{t.id}" data-lang="{self.lang}"></div>'
        return f'<div class="embed-tweet" data-tweet-id="{t.id}"></div>'

    def form_escaped(self, t: Tweet) -> str:
        """A consent or lazy-load wrapper that holds the embed code escaped in an attribute."""
        block, day = self.blockquote(t)
        name = self.rng.choice(("data-html", "data-embed-code"))
        self.add_tweet(t, "lazy-attribute", name, signature=day, links=t.hrefs, where="lazy-attribute")
        return (
            f'<div class="lazy-embed" data-provider="twitter" {name}="{attr(block + WIDGETS_JS)}">'
            '<button type="button" class="lazy-embed__consent">Twitter</button></div>'
        )

    def form_noscript(self, t: Tweet) -> str:
        block, day = self.blockquote(t)
        self.add_tweet(t, "blockquote", "noscript", signature=day, links=t.hrefs)
        return (
            f'<div class="embed-placeholder" data-embed="twitter"><noscript>{block}</noscript>'
            '<div class="embed-placeholder__spinner"></div></div>'
        )

    def form_text(self, t: Tweet) -> str:
        """A tweet flattened to paragraphs by a CMS that strips embeds (or copied by hand)."""
        rng = self.rng
        variant = rng.choices(
            ("paragraphs", "br", "plain-blockquote", "plain-blockquote-link"), (50, 15, 20, 15)
        )[0]
        lang = self.lang if rng.random() < 0.85 else "en"
        day = self.local_date(t, lang)
        shown = esc(format_date(lang, day, loose=rng.random() < 0.5))
        dash = "—" if rng.random() < 0.85 else "–"
        if variant == "plain-blockquote-link":
            self.add_tweet(t, "text-signature", variant, signature=day, links=t.hrefs)
            return (
                f"<blockquote><p>{t.p_html}</p>&mdash; {esc(t.name)} (@{t.handle}) "
                f'<a href="{self.status_url(t, ref=False)}">{shown}</a></blockquote>'
            )
        self.add_tweet(
            t, "text-signature", variant, show_id=False, signature=day, links=t.flat_links, where="text"
        )
        body = esc(t.text)
        sig = f"{dash} {esc(t.name)} (@{t.handle}) {shown}"
        if variant == "br":
            return f"<p>{body}<br>\n{sig}</p>"
        if variant == "plain-blockquote":
            return f"<blockquote><p>{body}</p>{sig}</blockquote>"
        return f"<p>{body}</p>\n<p>{sig}</p>"

    def embed(self, t: Tweet, form: str) -> str:
        return {
            "blockquote": self.form_blockquote,
            "rendered": self.form_rendered,
            "iframe": self.form_iframe,
            "amp-twitter": self.form_amp,
            "wordpress": self.form_wp,
            "jetpack-shortcode": self.form_jetpack,
            "ghost": self.form_ghost,
            "substack": self.form_substack,
            "embedly": self.form_embedly,
            "data-attribute": self.form_data_attribute,
            "lazy-attribute": self.form_escaped,
            "noscript": self.form_noscript,
            "text-signature": self.form_text,
        }[form](t)

    # -- prose -------------------------------------------------------------------------------

    def paragraph(self) -> str:
        rng, lang = self.rng, self.lang
        parts = [esc(sentence(rng, lang)) for _ in range(rng.randint(2, 5))]
        roll = rng.random()
        if roll < 0.15:
            host = rng.choice(ORIGIN_HOSTS)
            url = f"https://{host}/{slugify(headline(rng, 'en'), 40)}"
            parts.append(f'<a href="{url}">{esc(rng.choice(LINK_WORDS[lang]))}</a>.')
        elif roll < 0.23:
            url, host = short_url(rng)
            shown = esc(rng.choice(LINK_WORDS[lang])) if rng.random() < 0.6 else url.split("://", 1)[1]
            parts.append(f'{esc(READ_MORE[lang])} <a href="{url}" target="_blank" rel="noopener">{shown}</a>')
            self.add_short(url, host, "href")
        elif roll < 0.26:
            url, host = short_url(rng)
            raw = url if rng.random() < 0.7 else url.split("://", 1)[1]
            parts.append(f"{esc(READ_MORE[lang])} {raw}")
            self.add_short(url, host, "text", raw=raw)
        elif roll < 0.30:
            acct = rng.choice(self.accounts)
            tweet_id = snowflake_at(rng, self.published - dt.timedelta(hours=rng.randrange(1, 200)))
            host = rng.choices(("twitter.com", "mobile.twitter.com", "x.com"), (70, 15, 15))[0]
            url = f"https://{host}/{acct.handle}/status/{tweet_id}"
            if host == "x.com":
                url += "?s=20"
            who = esc(rng.choice(PEOPLE[lang]))
            parts.insert(1, f'{who} <a href="{url}">{esc(SAID_ON_TWITTER[lang])}</a>.')
            self.status_links.append({"url": url, "id": tweet_id, "handle": acct.handle})
        elif roll < 0.33:
            parts.append(esc(FOLLOW_US[lang].format(h=rng.choice(self.accounts).handle)))
        return f"<p>{' '.join(parts)}</p>"


# ---------------------------------------------------------------------------------------------
# Page assembly


def article_size(rng: Random) -> int:
    while True:
        size = int(rng.lognormvariate(math.log(SIZE_MEDIAN), SIZE_SIGMA))
        if SIZE_MIN <= size <= SIZE_MAX:
            return size


def story(rng: Random, site: Site, when: dt.datetime) -> dict[str, Any]:
    title = headline(rng, site.lang)
    section = rng.choice(SECTIONS[site.lang])
    slug = slugify(title) or f"article-{rng.randrange(10**6, 10**7)}"
    when = when - dt.timedelta(hours=rng.randrange(1, 2000))
    return {
        "id": f"{code(rng, 26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}",
        "headline": title,
        "url": f"https://{site.domain}/{slugify(section) or 'news'}/{when:%Y/%m/%d}/{slug}/",
        "section": section,
        "published": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "image": {
            "src": f"https://img.{site.domain}/resizer/{code(rng, 28)}=/1200x675/{code(rng, 20)}.jpg",
            "width": 1200,
            "height": 675,
        },
        "summary": sentence(rng, site.lang),
    }


def related_html(stories: list[dict[str, Any]]) -> str:
    items = "".join(
        f'<li class="related__item"><a href="{attr(s["url"])}"><img src="{attr(s["image"]["src"])}" '
        f'srcset="{attr(s["image"]["src"])}?w=320 320w, {attr(s["image"]["src"])}?w=640 640w, '
        f'{attr(s["image"]["src"])}?w=1024 1024w" sizes="(max-width: 600px) 100vw, 320px" '
        f'alt="{attr(s["headline"])}" loading="lazy" width="320" height="180">'
        f'<span class="related__section">{esc(s["section"])}</span>'
        f'<span class="related__title">{esc(s["headline"])}</span></a></li>'
        for s in stories
    )
    return f'<section class="related"><ul class="related__list">{items}</ul></section>'


def state_elements(art: Article) -> list[dict[str, Any]]:
    """The embeds of the page's JSON state, as a headless CMS ships them: a decoy tweet of its own,
    and sometimes the same oEmbed HTML the body shows (a duplicate for a scanner that reads scripts)."""
    rng, site = art.rng, art.site
    decoy_when = art.published - dt.timedelta(days=rng.randrange(1, 900))
    decoy_t = make_tweet(rng, art.accounts, decoy_when, site.lang)
    decoy_html = f'<blockquote class="twitter-tweet"><p>{decoy_t.p_html}</p></blockquote>{WIDGETS_JS}'
    decoy_url = f"https://twitter.com/{decoy_t.handle}/status/{decoy_t.id}"
    art.decoys.append({"kind": "json-state", "tweet_id": decoy_t.id, "url": decoy_url})
    elements: list[dict[str, Any]] = [
        {
            "type": "oembed_response",
            "subtype": "twitter",
            "raw_oembed": {"url": decoy_url, "html": decoy_html},
        },
    ]
    if site.platform == "news" and rng.random() < 0.4:
        for block in art.oembed_copies:
            elements.append({"type": "oembed_response", "subtype": "twitter", "raw_oembed": {"html": block}})
            art.decoys.append({"kind": "script-duplicate", "tweet_id": None, "url": None})
    short = short_url(rng)[0]
    art.decoys.append({"kind": "json-state", "tweet_id": None, "url": short})
    elements.append({"type": "share", "shortUrl": short})
    elements.append(
        {
            "type": "ads",
            "slots": [f"div-gpt-ad-{rng.randrange(10**12, 10**13)}-{i}" for i in range(rng.randint(3, 9))],
        }
    )
    return elements


def state_text(
    art: Article, stories: list[dict[str, Any]], title: str, elements: list[dict[str, Any]]
) -> str:
    """The page's JSON state: the article with its embeds, and the related stories."""
    state = {
        "article": {
            "headline": title,
            "canonical_url": art.url,
            "published": art.published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "content_elements": elements,
        },
        "related": stories,
    }
    text = json.dumps(state, ensure_ascii=art.site.ascii_json, separators=(",", ":"))
    return text.replace("</", "<\\/")


def share_bar(art: Article, title: str) -> str:
    site, rng = art.site, art.rng
    enc_url, enc_title = quote(art.url, safe=""), quote(title, safe="")
    intent = "https://x.com/intent/post" if art.published.year >= 2024 else "https://twitter.com/intent/tweet"
    art.widgets += ["intent", "share-button", "follow-button"]
    return (
        '<div class="share-bar" role="group">'
        f'<a class="share-bar__link share-bar__link--twitter" href="{intent}?text={enc_title}'
        f'&amp;url={enc_url}&amp;via={site.handle}" target="_blank" rel="noopener">{svg_icon(rng)}'
        "<span>Twitter</span></a>"
        f'<a class="share-bar__link share-bar__link--facebook" href="https://www.facebook.com/sharer/sharer.php'
        f'?u={enc_url}" target="_blank" rel="noopener">{svg_icon(rng)}<span>Facebook</span></a>'
        f'<a class="share-bar__link share-bar__link--whatsapp" href="whatsapp://send?text={enc_title}%20'
        f'{enc_url}">{svg_icon(rng)}<span>WhatsApp</span></a>'
        f'<a class="share-bar__link share-bar__link--mail" href="mailto:?subject={enc_title}'
        f'&amp;body={enc_url}">{svg_icon(rng)}</a>'
        f'<a href="https://twitter.com/share?ref_src=twsrc%5Etfw" class="twitter-share-button" '
        f'data-text="{attr(title)}" data-url="{art.url}" data-via="{site.handle}" data-show-count="false">'
        "Tweet</a>"
        f'<a href="https://twitter.com/{site.handle}{REF_SRC}" class="twitter-follow-button" '
        f'data-show-count="false">Follow @{site.handle}</a>'
        "</div>"
    )


def pixel(art: Article) -> str:
    """The Twitter conversion pixel: tracking images on t.co and analytics.twitter.com, not links."""
    rng, site = art.rng, art.site
    event = "-".join(code(rng, n, HEX) for n in (8, 4, 4, 4, 12))
    query = (
        f"bci=3&amp;eci=2&amp;event_id={event}&amp;events=%5B%5B%22pageview%22%2C%7B%7D%5D%5D"
        f"&amp;integration=advertiser&amp;p_id=Twitter&amp;p_user_id=0&amp;pl_id={event}"
        f"&amp;tw_document_href={quote(art.url, safe='')}&amp;tw_iframe_status=0"
        f"&amp;txn_id={site.pixel_id}&amp;type=javascript&amp;version=2.3.30"
    )
    urls = [f"https://t.co/i/adsct?{query}", f"https://analytics.twitter.com/i/adsct?{query}"]
    noscript = [
        f"https://analytics.twitter.com/i/adsct?txn_id={site.pixel_id}&amp;p_id=Twitter"
        "&amp;tw_sale_amount=0&amp;tw_order_quantity=0",
        f"//t.co/i/adsct?txn_id={site.pixel_id}&amp;p_id=Twitter&amp;tw_sale_amount=0"
        "&amp;tw_order_quantity=0",
    ]
    for u in urls + noscript:
        art.decoys.append({"kind": "pixel", "tweet_id": None, "url": html.unescape(u)})
    imgs = "".join(f'<img height="1" width="1" style="display:none;" alt="" src="{u}" />' for u in urls)
    nos = "".join(f'<img height="1" width="1" style="display:none;" alt="" src="{u}" />' for u in noscript)
    return f"{imgs}<noscript>{nos}</noscript>"


def head(art: Article, title: str, summary: str, author: tuple[str, str], image: str) -> str:
    site, rng = art.site, art.rng
    published = art.published.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    locale = {
        "en": "en_US",
        "pt": "pt_BR",
        "es": "es_ES",
        "fr": "fr_FR",
        "de": "de_DE",
        "ru": "ru_RU",
        "ar": "ar_AR",
        "ja": "ja_JP",
    }[site.lang]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "description": summary,
        "datePublished": published,
        "dateModified": published,
        "mainEntityOfPage": art.url,
        "image": [image],
        "inLanguage": site.lang,
        "author": [{"@type": "Person", "name": author[0], "sameAs": [f"https://twitter.com/{author[1]}"]}],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": site.name,
            "logo": {"@type": "ImageObject", "url": f"https://{site.domain}/logo.png"},
            "sameAs": [f"https://twitter.com/{site.handle}", f"https://www.facebook.com/{site.handle}"],
        },
    }
    metas = [
        f"<title>{esc(title)} | {esc(site.name)}</title>",
        f'<meta name="description" content="{attr(summary)}">',
        '<meta name="robots" content="index, follow, max-image-preview:large">',
        f'<link rel="canonical" href="{art.url}">',
        f'<meta property="og:type" content="article"><meta property="og:title" content="{attr(title)}">',
        f'<meta property="og:description" content="{attr(summary)}">',
        f'<meta property="og:url" content="{art.url}">',
        f'<meta property="og:image" content="{image}"><meta property="og:image:width" content="1200">',
        f'<meta property="og:site_name" content="{attr(site.name)}">',
        f'<meta property="og:locale" content="{locale}">',
        f'<meta property="article:published_time" content="{published}">',
        '<meta name="twitter:card" content="summary_large_image">',
        f'<meta name="twitter:site" content="@{site.handle}">',
        f'<meta name="twitter:creator" content="@{author[1]}">',
        f'<meta name="twitter:title" content="{attr(title)}"><meta name="twitter:image" content="{image}">',
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
    ]
    if site.platform == "wordpress":
        short = f"https://wp.me/p{code(rng, 5)}-{code(rng, 3)}"
        metas.append('<meta name="generator" content="WordPress 6.4.2">')
        metas.append(f"<link rel='shortlink' href='{short}' />")
        art.decoys.append({"kind": "head-link", "tweet_id": None, "url": short})
    elif site.platform == "ghost":
        metas.append('<meta name="generator" content="Ghost 5.75">')
    return "\n".join(metas)


def build_article(
    index: int, seed: int, sites: list[Site], site_weights: list[float], accounts: list[Account]
) -> tuple[Article, bytes, str]:
    rng = Random(f"{seed}:article:{index}")
    site = rng.choices(sites, site_weights)[0]
    published = random_time(rng, dt.datetime(2011, 6, 1, tzinfo=UTC), dt.datetime(2025, 6, 1, tzinfo=UTC))
    title = headline(rng, site.lang)
    slug = slugify(title) or f"{rng.randrange(10**6, 10**7)}"
    if site.platform == "medium":
        url = f"https://medium.com/{site.publication}/{slug or 'post'}-{code(rng, 12, HEX)}"
    elif site.platform == "substack":
        url = f"https://{site.domain}/p/{slug or 'post'}"
    elif site.platform == "amp":
        url = f"https://{site.domain}/{published:%Y/%m/%d}/{slug}.amp.html"
    else:
        section = slugify(rng.choice(SECTIONS[site.lang])) or "news"
        url = f"https://{site.domain}/{section}/{published:%Y/%m/%d}/{slug}/"
    art = Article(rng, site, accounts, published, url)
    target = article_size(rng)
    summary = sentence(rng, site.lang)
    author = (rng.choice(PEOPLE[site.lang]), rng.choice(accounts).handle)
    image = f"https://img.{site.domain}/{published:%Y/%m}/{code(rng, 16)}.jpg"

    # The body: paragraphs, with the tweets between them.
    n_par = rng.randint(5, 28)
    paragraphs = [art.paragraph() for _ in range(n_par)]
    n_tweets = rng.choices(range(7), EMBED_COUNT_WEIGHTS)[0]
    slots = sorted(rng.randrange(1, n_par + 1) for _ in range(n_tweets))
    forms, weights = zip(*FORM_WEIGHTS[site.platform].items(), strict=True)
    body: list[str] = []
    at = 0
    for i, para in enumerate(paragraphs):
        body.append(para)
        while at < len(slots) and slots[at] == i + 1:
            if rng.random() < 0.01:  # an old, pre-snowflake tweet
                when = random_time(rng, dt.datetime(2007, 6, 1, tzinfo=UTC), SNOWFLAKE_START)
            else:
                when = published - dt.timedelta(minutes=rng.randrange(5, 60 * 24 * 4))
            tweet = make_tweet(rng, accounts, when, site.lang)
            body.append(art.embed(tweet, rng.choices(forms, weights)[0]))
            at += 1
    if rng.random() < 0.05:
        acct = rng.choice(accounts)
        tweet_id = snowflake_at(rng, published - dt.timedelta(hours=5))
        body.insert(
            rng.randrange(len(body)),
            f"<!-- embed removed: https://twitter.com/{acct.handle}/status/{tweet_id} -->",
        )
        art.decoys.append(
            {
                "kind": "comment",
                "tweet_id": tweet_id,
                "url": f"https://twitter.com/{acct.handle}/status/{tweet_id}",
            }
        )

    timeline = ""
    if site.platform in ("news", "wordpress") and rng.random() < 0.3:
        art.widgets.append("timeline")
        timeline = (
            f'<section class="widget widget_twitter"><a class="twitter-timeline" data-height="600" '
            f'data-lang="{site.lang}" href="https://twitter.com/{site.handle}{REF_SRC}">Tweets by '
            f"{site.handle}</a> {WIDGETS_JS}</section>"
        )
    tags = "".join(
        f'<a class="tag" href="https://{site.domain}/tag/{slugify(h) or "t"}/">#{esc(h)}</a>'
        for h in rng.sample(HASHTAGS[site.lang], 3)
    )
    article_html = (
        f'<main id="main" class="site-main"><article class="article">'
        f'<header class="article__header"><h1 class="article__title">{esc(title)}</h1>'
        f'<p class="article__standfirst">{esc(summary)}</p>'
        f'<div class="byline">{esc(author[0])} <a class="byline__twitter" '
        f'href="https://twitter.com/{author[1]}">@{author[1]}</a> '
        f'<time datetime="{published:%Y-%m-%dT%H:%M:%SZ}">{published:%d/%m/%Y %H:%M}</time>'
        f"</div></header>{share_bar(art, title)}"
        f'<figure class="article__lead"><img src="{image}" alt="{attr(summary)}" width="1200" height="675">'
        f"<figcaption>{esc(headline(rng, site.lang))}</figcaption></figure>"
        f'<div class="article__body">\n' + "\n".join(body) + "\n</div>"
        f'<footer class="article__tags">{tags}</footer></article>'
        f'<aside class="sidebar">{timeline}</aside>'
    )
    head_html = head(art, title, summary, author, image)

    encoding = "utf-8" if site.platform == "amp" else site.encoding
    elements = state_elements(art)
    lang_attrs = f'lang="{site.lang}"' + (' dir="rtl"' if site.lang == "ar" else "")
    if site.platform == "amp":
        analytics = (
            f'<amp-analytics type="twitter-pixel"><script type="application/json">{{"vars":'
            f'{{"pid":"{site.pixel_id}"}},"triggers":{{"trackPageview":{{"on":"visible",'
            '"request":"pageview"}}}</script></amp-analytics>'
        )
        before = (
            f'<!doctype html>\n<html ⚡ {lang_attrs}>\n<head>\n<meta charset="utf-8">\n'
            '<script async src="https://cdn.ampproject.org/v0.js"></script>\n'
            '<script async custom-element="amp-twitter" '
            'src="https://cdn.ampproject.org/v0/amp-twitter-0.1.js"></script>\n'
            '<script async custom-element="amp-analytics" '
            'src="https://cdn.ampproject.org/v0/amp-analytics-0.1.js"></script>\n'
            '<meta name="viewport" content="width=device-width">\n'
            f"{head_html}\n"
            "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
            "animation:-amp-start 8s steps(1,end) 0s 1 normal both}@keyframes -amp-start"
            "{from{visibility:hidden}to{visibility:visible}}</style><noscript><style amp-boilerplate>"
            "body{-webkit-animation:none;animation:none}</style></noscript>\n"
            f"<style amp-custom>{site.css}</style>\n</head>\n<body>\n{site.nav}\n{article_html}\n"
        )
        middle = (
            f'</main>\n{site.footer}\n{analytics}\n<amp-state id="pageState"><script type="application/json">'
        )
        after = "</script></amp-state>\n</body>\n</html>\n"
    else:
        before = (
            f'<!DOCTYPE html>\n<html {lang_attrs} class="no-js">\n<head>\n<meta charset="{site.encoding}">\n'
            '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{head_html}\n"
            '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>\n'
            f'<link rel="stylesheet" href="https://{site.domain}/assets/css/main.{code(rng, 8, HEX)}.css">\n'
            f"<style>{site.css}</style>\n{site.vendor_js}</head>\n"
            f'<body class="single single-post postid-{rng.randrange(10**4, 10**6)} lang-{site.lang}">\n'
            f'<a class="skip-link" href="#main">Skip to content</a>\n{site.nav}\n{article_html}\n'
        )
        middle = f'</main>\n{site.footer}\n{pixel(art)}\n<script id="__NEXT_DATA__" type="application/json">'
        after = (
            f'</script>\n<script async src="https://{site.domain}/assets/js/app.{code(rng, 8, HEX)}.js">'
            "</script>\n</body>\n</html>\n"
        )
    art.decoys.extend(site.decoys)

    def render(stories: list[dict[str, Any]], n_cards: int) -> bytes:
        state = state_text(art, stories, title, elements)
        page = before + related_html(stories[:n_cards]) + middle + state + after
        return page.encode(encoding, "xmlcharrefreplace")

    # Fill up to the target size with what pages really fill with: related stories and JSON state.
    base = len(before.encode()) + len(middle) + len(after) + 1_000
    budget = max(target - base, 3_000)
    stories: list[dict[str, Any]] = []
    grown = 0
    while grown < budget * 0.55:
        stories.append(story(rng, site, published))
        grown += 1_200 if site.lang in ("en", "pt", "es", "fr", "de") else 1_500
    n_cards = min(len(stories), max(4, int(budget * 0.3 / 900)))
    data = render(stories, n_cards)
    # Keep inside the bounds, by growing or shrinking the related stories.
    while len(data) < SIZE_MIN:
        stories.extend(story(rng, site, published) for _ in range(8))
        data = render(stories, n_cards)
    while len(data) > SIZE_MAX and stories:
        del stories[-8:]
        data = render(stories, min(n_cards, len(stories)))
    return art, data, encoding


def truth_json(name: str, art: Article, size: int, encoding: str) -> dict[str, Any]:
    return {
        "article": name,
        "site": art.site.domain,
        "platform": art.site.platform,
        "lang": art.site.lang,
        "encoding": encoding,
        "bytes": size,
        "url": art.url,
        "tweets": art.tweets,
        "short_links": art.short_links,
        "status_links": art.status_links,
        "decoys": art.decoys,
        "widgets": sorted(set(art.widgets)),
    }


def generate(out: Path, articles: int, seed: int) -> dict[str, Any]:
    sites, accounts = make_sites(seed)
    weights = [LANG_WEIGHTS[s.lang] * PLATFORM_WEIGHTS[s.platform] for s in sites]
    out.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(articles)))
    total = 0
    forms: Counter[str] = Counter()
    shorts = status = 0
    sizes: list[int] = []
    for n in range(1, articles + 1):
        art, data, encoding = build_article(n, seed, sites, weights, accounts)
        name = f"{n:0{width}d}.html"
        (out / name).write_bytes(data)
        truth = truth_json(name, art, len(data), encoding)
        (out / f"{n:0{width}d}.truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        total += len(data)
        sizes.append(len(data))
        forms.update(t["form"] for t in art.tweets)
        shorts += len(art.short_links)
        status += len(art.status_links)
    sizes.sort()
    return {
        "articles": articles,
        "bytes": total,
        "tweets": sum(forms.values()),
        "forms": dict(sorted(forms.items())),
        "short_links": shorts,
        "status_links": status,
        "size_min": sizes[0],
        "size_median": sizes[len(sizes) // 2],
        "size_max": sizes[-1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("bench/corpus"), help="output folder")
    parser.add_argument("--articles", type=int, default=2000, help="how many articles (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="the seed (default 1)")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    start = time.perf_counter()
    stats = generate(args.out, args.articles, args.seed)
    took = time.perf_counter() - start
    print(
        f"wrote {stats['articles']} articles to {args.out} in {took:.1f} s: {stats['bytes'] / 1e6:.1f} MB "
        f"(min {stats['size_min'] // 1000} KB, median {stats['size_median'] // 1000} KB, "
        f"max {stats['size_max'] // 1000} KB)"
    )
    print(
        f"{stats['tweets']} tweets, {stats['short_links']} short links, "
        f"{stats['status_links']} status links in prose"
    )
    for form, count in stats["forms"].items():
        print(f"  {form:20} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
