"""Readable copies: hostile markup leaves nothing that runs or loads; the main text is the article."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from resolver.archive.readable import (
    BOILERPLATE_WORDS,
    CSP,
    FETCHED_ATTRIBUTES,
    LAZY_IMAGE_ATTRIBUTES,
    REMOVED_ATTRIBUTES,
    REMOVED_ELEMENTS,
    STYLESHEET_CHARSET,
    ReadableCopy,
    clean_stylesheet,
    decode_stylesheet,
    main_text,
    make_readable,
    resource_urls,
    stylesheet_urls,
)

URL = "https://news.example/2015/10/21/story.html"
CAPTURED = dt.datetime(2024, 6, 1, 12, 30, 5, tzinfo=dt.UTC)
PAGE = "<!DOCTYPE html><html><head><title>Story</title>{head}</head><body><p>Before.</p>{body}<p>After.</p></body></html>"


def readable(body: str, head: str = "", resources: dict[str, str] | None = None) -> ReadableCopy:
    return make_readable(
        PAGE.format(head=head, body=body), url=URL, captured_at=CAPTURED, resources=resources or {}
    )


# --- what "inert" means, checked on the output as a browser would get it -----------------

#: Elements that must never be in a copy.
FORBIDDEN_ELEMENTS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "foreignobject",
}
#: (element, attribute) pairs a browser fetches from when the page opens.
FETCHING = {
    "img": ("src", "lowsrc", "dynsrc"),
    "link": ("href",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
    "body": ("background",),
    "table": ("background",),
    "td": ("background",),
    "html": ("manifest",),
}
_SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript|livescript|data:\s*text/html)", re.IGNORECASE)


def is_local(value: str) -> bool:
    """A relative path inside the archive folder, a fragment, or an inline image."""
    return (
        value.startswith("#")
        or value.lower().startswith("data:image/")
        or not (re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value) or value.startswith(("/", "\\")))
    )


def assert_inert(markup: str) -> None:
    root = etree.fromstring(markup.encode(), etree.HTMLParser(encoding="utf-8"))
    head = root.find("head")
    assert head is not None
    assert head[0].tag == "meta" and head[0].get("charset") == "utf-8"
    assert head[1].get("http-equiv") == "Content-Security-Policy" and head[1].get("content") == CSP
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.rsplit(":", 1)[-1].lower()
        assert tag not in FORBIDDEN_ELEMENTS, tag
        for name, value in el.attrib.items():
            assert not name.lower().rsplit(":", 1)[-1].startswith("on"), (tag, name)
            assert not _SCRIPT_URL.match(re.sub(r"[\t\n\r]", "", value)), (tag, name, value)
            assert name not in ("srcdoc", "srcset", "sizes", "ping", "action", "formaction"), (tag, name)
        for name in FETCHING.get(tag, ()):
            value = el.get(name)
            assert value is None or is_local(value), (tag, name, value)
        if tag in ("a", "area") and el.get("href") is not None:
            href = el.get("href")
            assert href.startswith(("#", "http://", "https://", "mailto:", "tel:")), href
            if not href.startswith("#"):
                assert {"noopener", "noreferrer"} <= set(el.get("rel", "").split())
        if tag == "meta" and el.get("http-equiv") is not None:
            assert el.get("http-equiv") == "Content-Security-Policy"
        css = [el.get("style") or ""] + ([el.text or ""] if tag == "style" else [])
        for text in css:
            low = text.lower()
            assert "expression(" not in low and "javascript:" not in low and "-moz-binding" not in low
            assert "<" not in text
            for m in re.finditer(r"url\(\s*['\"]?([^'\")]*)", text, re.IGNORECASE):
                assert is_local(m.group(1)), text


# (name, markup in <body> or, after "head:", in <head>, strings that must not survive)
HOSTILE: list[tuple[str, str, list[str]]] = [
    ("script", "<script>alert(1)</script><SCRIPT SRC=https://evil/x.js></SCRIPT>", ["alert", "evil"]),
    ("svg onload", "<svg onload=alert(1)><rect/></svg>", ["onload", "alert"]),
    (
        "svg script",
        "<svg><script>alert(1)</script><script href=https://evil/x.js /></svg>",
        ["alert", "evil"],
    ),
    ("svg:script", "<svg:script>alert(1)</svg:script>", ["alert"]),
    (
        "svg foreignObject",
        "<svg><foreignObject><iframe src=https://evil></iframe></foreignObject></svg>",
        ["evil", "foreignobject"],
    ),
    (
        "svg use external",
        '<svg><use href="https://evil/x.svg#a"/><use xlink:href="data:image/svg+xml,x#a"/></svg>',
        ["evil", "data:"],
    ),
    (
        "svg animate href",
        '<svg><a><animate attributeName=href values="x;javascript:alert(1)"/><text>t</text></a></svg>',
        ["alert"],
    ),
    (
        "svg image",
        '<svg><image href="https://evil/i.png"/><image xlink:href="https://evil/j.png"/></svg>',
        ["evil"],
    ),
    (
        "svg style breakout",
        "<svg><style><img src=x onerror=alert(1)></style></svg>",
        ["<img"],
    ),  # text in CSS, not markup
    ("img onerror", '<img src=x onerror="alert(1)" alt="the alt">', ["onerror", "alert", 'src="']),
    (
        "event handlers",
        '<div onclick="a()" onMouseOver="b()" ONFOCUS="c()">x</div><body onload=d()>',
        ["onclick", "onmouseover", "onfocus", "onload"],
    ),
    ("a javascript:", '<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "alert"]),
    (
        "a javascript: entity",
        '<a href="javascript&#58;alert(1)">x</a><a href="&#106;avascript:alert(2)">y</a>',
        ["alert"],
    ),
    (
        "a javascript: tab",
        '<a href="java&#x09;script:alert(1)">x</a><a href=" &#x01;javascript:alert(2)">y</a>',
        ["alert"],
    ),
    ("vbscript", '<a href="vbscript:msgbox(1)">x</a>', ["vbscript", "msgbox"]),
    ("data:text/html", '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:", "PHNjcmlwdD4"]),
    ("meta refresh", 'head:<meta http-equiv="refresh" content="0;url=https://evil">', ["refresh", "evil"]),
    ("meta refresh in body", '<meta http-equiv="REFRESH" content="0;url=https://evil">', ["evil"]),
    (
        "iframe srcdoc",
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
        ["srcdoc", "alert"],
    ),
    ("iframe src", '<iframe src="https://evil/frame"></iframe>', ["evil"]),
    ("frameset", '<frameset><frame src="https://evil/f"></frameset>', ["evil", "frame"]),
    ("base href", 'head:<base href="https://evil/">', ["evil", "<base"]),
    (
        "object data",
        '<object data="https://evil/x.swf"><param name=movie value=x></object>',
        ["evil", "<object"],
    ),
    ("embed", '<embed src="https://evil/x.swf">', ["evil", "<embed"]),
    ("applet", '<applet code="X.class" codebase="https://evil/"></applet>', ["evil", "applet"]),
    ("link import", 'head:<link rel=import href="https://evil/x.html">', ["evil", "import"]),
    (
        "link preload",
        'head:<link rel=preload href="https://evil/a.js" as=script><link rel=prefetch href="https://evil/b">',
        ["evil"],
    ),
    (
        "link manifest icon",
        'head:<link rel=manifest href="/m.json"><link rel=icon href="https://evil/f.ico">',
        ["m.json", "evil"],
    ),
    ("link stylesheet not saved", 'head:<link rel=stylesheet href="https://evil/s.css">', ["evil"]),
    (
        "form action",
        '<form action="https://evil/post" method=post><input name=q><button formaction="https://evil/b">go</button></form>',
        ["evil", "post"],
    ),
    ("style expression", '<div style="width: expression(alert(1))">x</div>', ["expression("]),
    ("style escaped expression", '<div style="width: e\\78 pression(alert(1))">x</div>', ["pression("]),
    ("style remote url", '<div style="background: url(https://evil/bg.png)">x</div>', ["evil"]),
    ("style escaped url", '<div style="background: \\75 rl(https://evil/bg.png)">x</div>', ["url(https"]),
    ("style javascript", '<div style="background: url(javascript:alert(1))">x</div>', ["javascript:"]),
    (
        "style -moz-binding",
        '<div style="-moz-binding: url(https://evil/x.xml#x)">x</div>',
        ["evil", "-moz-binding"],
    ),
    (
        "style element import",
        "head:<style>@import 'https://evil/x.css'; @import url(https://evil/y.css);</style>",
        ["evil"],
    ),
    ("style comment trick", '<div style="background: u/**/rl(https://evil/bg.png)">x</div>', ["evil"]),
    (
        "style image-set",
        "<div style=\"background: image-set('https://evil/a.png' 1x)\">x</div>",
        ["image-set("],
    ),
    (
        "srcset",
        '<img srcset="https://evil/a.png 1x, https://evil/b.png 2x" sizes="100vw">',
        ["evil", "srcset", "sizes"],
    ),
    (
        "video",
        '<video src="https://evil/v.mp4" poster="https://evil/p.jpg"><source src="https://evil/s.mp4"><track src="https://evil/t.vtt"></video>',
        ["evil"],
    ),
    ("audio", '<audio src="https://evil/a.mp3"></audio>', ["evil"]),
    (
        "background attribute",
        '<table background="https://evil/t.png"><tr><td background="https://evil/c.png">x</td></tr></table>',
        ["evil"],
    ),
    ("input image", '<input type=image src="https://evil/b.png">', ["evil"]),
    ("a ping", '<a href="https://ok.example/" ping="https://evil/track">x</a>', ["evil", "ping"]),
    ("html manifest", '<html manifest="https://evil/app.cache">', ["evil"]),
    ("bgsound", '<bgsound src="https://evil/s.mid">', ["evil"]),
    ("protocol-relative img", '<img src="//evil/x.png"><img src="\\\\evil\\y.png">', ["evil"]),
    (
        "svg presentation url",
        '<svg><rect fill="url(https://evil/p.svg#g)" filter="url(#ok)"/></svg>',
        ["evil"],
    ),
    ("math href", '<math><mi href="javascript:alert(1)">x</mi></math>', ["alert"]),
    ("xml:base", '<svg xml:base="https://evil/"><a href="x"><text>t</text></a></svg>', ['evil/"']),
    (
        "meta charset and csp",
        'head:<meta charset="windows-1251"><meta http-equiv="Content-Security-Policy" content="script-src *">',
        ["windows-1251", "script-src *"],
    ),
    ("noscript script", "<noscript><script>alert(1)</script><p>no js</p></noscript>", ["alert"]),
    ("comment", "<!--[if IE]><script>alert(1)</script><![endif]-->", ["alert", "<!--"]),
    ("processing instruction", '<?xml-stylesheet href="https://evil/x.xsl"?>', ["evil"]),
    (
        "template",
        "<template><script>alert(1)</script><img src=https://evil/t.png></template>",
        ["alert", "evil"],
    ),
]


@pytest.mark.parametrize(("name", "markup", "forbidden"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_markup_is_inert(name: str, markup: str, forbidden: list[str]) -> None:
    copy = readable("", head=markup[5:]) if markup.startswith("head:") else readable(markup)
    assert_inert(copy.html)
    body = copy.html.split("</div>", 1)[1]  # after the banner, which names the page's URL
    for needle in forbidden:
        assert needle.lower() not in body.lower(), needle
    assert "Before." in copy.html and "After." in copy.html  # the page is still there


def test_preamble_and_banner() -> None:
    copy = readable(
        "<p>x</p>", head='<meta name="referrer" content="unsafe-url"><link rel=stylesheet href="/s.css">'
    )
    root = etree.fromstring(copy.html.encode(), etree.HTMLParser(encoding="utf-8"))
    head, body = root.find("head"), root.find("body")
    assert [(m.tag, dict(m.attrib)) for m in head[:3]] == [
        ("meta", {"charset": "utf-8"}),
        ("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}),
        ("meta", {"name": "referrer", "content": "no-referrer"}),
    ]
    assert len(root.xpath("//meta[@name='referrer']")) == 1
    banner = body[0]
    assert banner.tag == "div" and banner.get("class") == "resolver-banner" and banner.get("style")
    assert "".join(banner.itertext()) == (
        f"Archived copy of {URL}, captured 2024-06-01 12:30:05 (UTC) by resolver; scripts removed."
    )
    assert banner.find("a").get("href") == URL
    assert copy.html.startswith("<!DOCTYPE html>\n<html>")


def test_captured_at_is_shown_in_utc() -> None:
    sao_paulo = dt.timezone(dt.timedelta(hours=-3))
    copy = make_readable(
        "<p>x</p>", url=URL, captured_at=dt.datetime(2015, 10, 21, 23, 30, tzinfo=sao_paulo), resources={}
    )
    assert "captured 2015-10-22 02:30:00 (UTC)" in copy.html
    naive = make_readable("<p>x</p>", url=URL, captured_at=dt.datetime(2015, 10, 21, 23, 30), resources={})
    assert "captured 2015-10-21 23:30:00 (UTC)" in naive.html


def test_banner_url_is_escaped_and_not_linked_when_not_http() -> None:
    copy = make_readable("<p>x</p>", url='javascript:alert("<b>")', captured_at=CAPTURED, resources={})
    assert_inert(copy.html)
    assert "<b>" not in copy.html and "&lt;b&gt;" in copy.html


@pytest.mark.parametrize("page", ["<p>x</p>", "<div>" * 300])  # the tree, and the fallback
def test_control_characters_in_url_and_title(page: str) -> None:
    copy = make_readable(
        page, url="https://ex.com/a\x01b\x00", captured_at=CAPTURED, resources={}, title="T\x0bitle"
    )
    assert_inert(copy.html)
    assert 'href="https://ex.com/ab"' in copy.html and "<title>Title</title>" in copy.html


SAVED = {
    "https://news.example/s.css": "story_files/s.css",
    "https://news.example/img/a-800.webp": "story_files/a-800.webp",
    "https://news.example/img/lazy.jpg": "story_files/lazy.jpg",
    "https://news.example/img/photo.jpg": "story_files/photo é.jpg",
    "https://news.example/img/hero.jpg": "story_files/hero.jpg",
    "https://news.example/img/poster.jpg": "story_files/poster.jpg",
    "https://news.example/img/elsewhere.jpg": "/etc/elsewhere.jpg",  # not a relative path: not used
}

# (body markup, what the copy holds)
LOCAL_CASES: list[tuple[str, str]] = [
    ('<img src="/img/photo.jpg" alt="a">', '<img src="story_files/photo%20%C3%A9.jpg" alt="a">'),
    ('<img src="/img/gone.jpg" alt="gone">', '<img alt="gone">'),
    ('<img src="/img/elsewhere.jpg" alt="e">', '<img alt="e">'),
    (
        '<picture><source srcset="/img/a-400.webp 400w, /img/a-800.webp 800w"><img src="/img/gone.jpg" alt="p"></picture>',
        '<img src="story_files/a-800.webp" alt="p">',
    ),
    (
        '<img src="data:image/gif;base64,R0lGOD" data-src="/img/lazy.jpg" class="lazy">',
        '<img src="story_files/lazy.jpg" class="lazy">',
    ),
    (
        '<img src="data:image/gif;base64,R0lGOD" alt="placeholder">',
        '<img src="data:image/gif;base64,R0lGOD" alt="placeholder">',
    ),
    (
        '<img data-src="/img/lazy.jpg" class="lazy"><noscript><img src="/img/lazy.jpg" alt="n"></noscript>',
        '<p>Before.</p><img src="story_files/lazy.jpg" alt="n"><p>After.</p>',
    ),
    (
        "<div style=\"background:url('/img/hero.jpg') no-repeat\">h</div>",
        "<div style='background:url(\"story_files/hero.jpg\") no-repeat'>h</div>",
    ),
    (
        '<video poster="/img/poster.jpg" src="/v.mp4"></video>',
        '<video poster="story_files/poster.jpg"></video>',
    ),
    (
        '<a href="/other#part">o</a>',
        '<a href="https://news.example/other#part" rel="noopener noreferrer">o</a>',
    ),
    (
        '<a href="story.html?x=1" rel="nofollow" target="_blank">s</a>',
        '<a href="https://news.example/2015/10/21/story.html?x=1" rel="nofollow noopener noreferrer" target="_blank">s</a>',
    ),
    ('<a href="#top">t</a>', '<a href="#top">t</a>'),
    (
        '<a href="mailto:desk@news.example">m</a>',
        '<a href="mailto:desk@news.example" rel="noopener noreferrer">m</a>',
    ),
    ('<a href="file:///etc/passwd">f</a>', "<a>f</a>"),
    ("<noscript><p>Enable JavaScript</p></noscript>", "<p>Enable JavaScript</p>"),
    ('<blockquote cite="/src">q</blockquote>', '<blockquote cite="https://news.example/src">q</blockquote>'),
    (
        '<svg><use href="#icon"/><rect fill="url(#grad)"/></svg>',
        '<svg><use href="#icon"></use><rect fill=\'url("#grad")\'></rect></svg>',
    ),
]


@pytest.mark.parametrize(("markup", "expected"), LOCAL_CASES)
def test_resources_point_at_local_copies(markup: str, expected: str) -> None:
    copy = readable(markup, resources=SAVED)
    assert expected in copy.html
    assert_inert(copy.html)


def test_saved_stylesheet_is_kept_and_others_go() -> None:
    head = '<link rel="stylesheet" href="/s.css" integrity="sha384-x" crossorigin><link rel="stylesheet" href="/t.css">'
    copy = readable("", head=head, resources=SAVED)
    assert '<link rel="stylesheet" href="story_files/s.css">' in copy.html
    assert "t.css" not in copy.html


def test_base_href_resolves_but_is_removed() -> None:
    head = '<base href="https://cdn.example/assets/">'
    copy = readable(
        '<img src="a.png"><a href="page">p</a>',
        head=head,
        resources={"https://cdn.example/assets/a.png": "f/a.png"},
    )
    assert '<img src="f/a.png">' in copy.html
    assert '<a href="https://cdn.example/assets/page"' in copy.html
    assert "<base" not in copy.html


# (markup, base URL, expected resources)
RESOURCE_CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ('<img src="/a.png"><img src="/a.png#x">', URL, [("image", "https://news.example/a.png")]),
    (
        '<link rel="alternate stylesheet" href="s.css"><link rel=icon href="/f.ico"><img src="i.png">',
        URL,
        [
            ("style", "https://news.example/2015/10/21/s.css"),
            ("image", "https://news.example/2015/10/21/i.png"),
        ],
    ),
    (
        '<img src="/small.jpg" srcset="/m.jpg 2x, /l.jpg 3x, /s.jpg">',
        URL,
        [("image", "https://news.example/l.jpg"), ("image", "https://news.example/small.jpg")],
    ),
    (
        '<img srcset="https://c.example/w_300,h_200/x.jpg 300w, https://c.example/w_900,h_600/x.jpg 900w">',
        URL,
        [("image", "https://c.example/w_900,h_600/x.jpg")],
    ),
    (
        '<picture><source srcset="/a.avif 1x, /a2.avif 2x" type="image/avif"><source srcset="/a.webp"><img src="/a.jpg"></picture>',
        URL,
        [
            ("image", "https://news.example/a2.avif"),
            ("image", "https://news.example/a.webp"),
            ("image", "https://news.example/a.jpg"),
        ],
    ),
    (
        '<img src="data:image/gif;base64,R0lGOD" data-src="/lazy.jpg" data-lazy-src="/lazy2.jpg" data-original="/orig.jpg">',
        URL,
        [
            ("image", "https://news.example/lazy.jpg"),
            ("image", "https://news.example/lazy2.jpg"),
            ("image", "https://news.example/orig.jpg"),
        ],
    ),
    ('<video poster="/p.jpg" src="/v.mp4"></video>', URL, [("image", "https://news.example/p.jpg")]),
    (
        '<div style="background-image:url(&quot;/hero.jpg&quot;)">h</div>',
        URL,
        [("image", "https://news.example/hero.jpg")],
    ),
    (
        '<head><base href="https://cdn.example/x/"></head><img src="a.png">',
        URL,
        [("image", "https://cdn.example/x/a.png")],
    ),
    ('<img src="javascript:alert(1)"><img src="ftp://x/a.png"><img src="  ">', URL, []),
    (
        '<object data="x"><img src="/fallback.png"></object><iframe><img src="/in-frame.png"></iframe>',
        URL,
        [],
    ),
    ('<noscript><img src="/ns.png"></noscript>', URL, [("image", "https://news.example/ns.png")]),
    (
        '<img src="/a.png" style="background:url(/a.png)"><link rel=stylesheet href="/a.png">',
        URL,
        [("image", "https://news.example/a.png")],
    ),
    ('<img src="rel.png">', "not a url", []),
    # a fragment-only url() is an SVG paint server in the page, not a file (nor the page itself)
    (
        '<svg><rect style="fill:url(#grad)"/></svg><div style="background:url(\'#a\'), url( &quot; #b&quot; )">x</div>'
        '<p style="background:url(/p.png#frag)">p</p>',
        URL,
        [("image", "https://news.example/p.png")],
    ),
    # the page's own <style>: its images, fonts and imports, against the <base>, fragments kept out
    (
        '<head><base href="/assets/"><style>@import "print.css"; @font-face { src: url(f.woff2) }'
        " body { background: url('bg.png') } .s { fill: url(#grad) } .b { behavior: url(x.htc) }</style></head>"
        '<img src="bg.png">',
        URL,
        [
            ("style", "https://news.example/assets/print.css"),
            ("font", "https://news.example/assets/f.woff2"),
            ("image", "https://news.example/assets/bg.png"),
        ],
    ),
    # analytics beacons are not worth a request
    (
        '<noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"></noscript>',
        URL,
        [],
    ),
    (
        '<img width="1px" height="1" src="/b.gif"><img width="10" src="/ok.gif">',
        URL,
        [("image", "https://news.example/ok.gif")],
    ),
    ("", URL, []),
]


@pytest.mark.parametrize(("markup", "base", "expected"), RESOURCE_CASES)
def test_resource_urls(markup: str, base: str, expected: list[tuple[str, str]]) -> None:
    assert resource_urls(markup, base) == [(kind, url) for kind, url in expected]


def test_resource_urls_are_the_keys_make_readable_looks_up() -> None:
    page = (
        '<head><base href="/assets/"><link rel=stylesheet href="s.css"></head>'
        '<picture><source srcset="a.webp 2x"><img src="a.jpg"></picture>'
        '<img data-src="lazy.jpg"><video poster="p.jpg"></video><div style="background:url(h.jpg)">x</div>'
    )
    wanted = resource_urls(page, URL)
    saved = {url: f"files/{n}.bin" for n, (_kind, url) in enumerate(wanted)}
    copy = make_readable(page, url=URL, captured_at=CAPTURED, resources=saved)
    assert_inert(copy.html)
    for n in (0, 1, 3, 4, 5):  # a.jpg (index 2) loses to the picture's source
        assert f"files/{n}.bin" in copy.html, n


# --- main text ------------------------------------------------------------------------------

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Storm hits coast | The Daily</title>
<meta property="og:title" content="Storm hits coast"></head>
<body class="post-template has-comments">
<header class="site-header"><a href="/">The Daily</a><nav><ul><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="cookie-consent">We use cookies. <button>OK</button></div>
<main>
<article class="post tag-social-media">
  <header><h1>Storm hits coast</h1><p class="byline">By A. Reporter</p></header>
  <div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this</a></div>
  <div class="article-body" itemprop="articleBody">
    <p>The storm reached the coast on <b>Wednesday</b>, bringing
       heavy rain.</p>
    <figure><img src="/storm.jpg" alt="Waves"><figcaption>Waves at the pier.</figcaption></figure>
    <p>Officials said 2,000 homes lost power.<br>Repairs began at dawn.</p>
    <div class="ad-slot"><p>Advertisement</p></div>
    <h2>What comes next</h2>
    <p>Forecasters expect calmer weather by Friday.</p>
    <aside class="pullquote"><p>"It was the worst in years."</p></aside>
    <p style="display:none">Hidden text</p>
    <script>track()</script>
  </div>
  <section class="related-articles"><h3>Related</h3><ul><li><article class="teaser"><p>Older storm story with a long teaser paragraph that goes on and on.</p></article></li></ul></section>
  <footer><p>Filed under: Weather</p></footer>
</article>
<section id="comments" class="comments-area">
  <h2>42 comments</h2>
  <div class="comment"><p>First! This comment is long, very long, longer than any paragraph of the article itself, to tempt a naive density measure into choosing it.</p></div>
  <div class="comment"><p>Another comment, also rather long, going on about the weather and everything else under the sun.</p></div>
</section>
</main>
<aside class="sidebar"><h3>Most read</h3><p>Something else entirely.</p></aside>
<footer class="site-footer"><p>© The Daily</p></footer>
</body></html>"""

NEWS_TEXT = """The storm reached the coast on Wednesday, bringing heavy rain.

Waves at the pier.

Officials said 2,000 homes lost power.
Repairs began at dawn.

What comes next

Forecasters expect calmer weather by Friday."""


def test_main_text_of_a_news_page() -> None:
    assert main_text(NEWS_PAGE) == NEWS_TEXT


def test_readable_copy_carries_text_and_title() -> None:
    copy = make_readable(NEWS_PAGE, url=URL, captured_at=CAPTURED, resources={})
    assert copy.text == NEWS_TEXT
    assert copy.title == "Storm hits coast | The Daily"
    assert (
        make_readable(NEWS_PAGE, url=URL, captured_at=CAPTURED, resources={}, title="Given").title == "Given"
    )


# (page, main text)
MAIN_TEXT_CASES: list[tuple[str, str]] = [
    # no article markup: the element whose paragraphs hold the most text
    (
        "<body><div class=menu><p>Home</p></div><div id=story><p>One long paragraph of the story.</p><p>Two.</p></div>"
        "<div class=footer-links><p>About us</p></div></body>",
        "One long paragraph of the story.\n\nTwo.",
    ),
    # one wrapper per paragraph (the grandparent collects them)
    (
        "<body><div class=body><div class=para><p>First paragraph here.</p></div><div class=para><p>Second paragraph here.</p></div>"
        "<div class=para><p>Third paragraph here.</p></div></div><div><p>Short aside text.</p></div></body>",
        "First paragraph here.\n\nSecond paragraph here.\n\nThird paragraph here.",
    ),
    # a teaser <article> in the sidebar does not win over the real text
    (
        "<body><div id=content><p>The real story, which is long enough to matter.</p><p>More of it.</p></div>"
        "<div class=rail><article><p>Teaser.</p></article></div></body>",
        "The real story, which is long enough to matter.\n\nMore of it.",
    ),
    # ASP.NET: the whole page in one form
    (
        '<body><form id="aspnetForm" action="/x.aspx"><div class=nav-bar><a href="/">Home</a></div>'
        "<div id=text><p>Story text in a form.</p><p>Still the story.</p></div></form></body>",
        "Story text in a form.\n\nStill the story.",
    ),
    # role=main, and comment words only as whole words (commentary is not comment)
    (
        '<body><div role="main"><div class="commentary-body"><p>An opinion piece.</p></div>'
        '<div class="shareBar"><p>Share</p></div><div class="newsletter_signup"><p>Sign up</p></div></div></body>',
        "An opinion piece.",
    ),
    # text without paragraphs
    ("<body><main>Just text<br>on two lines</main></body>", "Just text\non two lines"),
    ("<p>  spaced \n\t out  </p>", "spaced out"),
    ("", ""),
    ("<html><head><title>t</title></head></html>", ""),
]


@pytest.mark.parametrize(("page", "expected"), MAIN_TEXT_CASES)
def test_main_text(page: str, expected: str) -> None:
    assert main_text(page) == expected


# (page, title)
TITLE_CASES: list[tuple[str, str | None]] = [
    ("<title>  A   title </title><p>x</p>", "A title"),
    ('<head><meta property="og:title" content="OG title"></head><p>x</p>', "OG title"),
    ('<head><title></title><meta property="og:title" content="OG"></head>', "OG"),
    ("<p>no title</p>", None),
]


@pytest.mark.parametrize(("page", "expected"), TITLE_CASES)
def test_title(page: str, expected: str | None) -> None:
    assert make_readable(page, url=URL, captured_at=CAPTURED, resources={}).title == expected


# --- robustness -----------------------------------------------------------------------------


def test_absurd_nesting_falls_back_to_escaped_text() -> None:
    page = (
        "<title>Deep</title>"
        + "<div>" * 5000
        + "deep <script>alert(1)</script> text &amp; more"
        + "</div>" * 5000
        + "<p>after</p>"
    )
    copy = make_readable(page, url=URL, captured_at=CAPTURED, resources={})
    assert_inert(copy.html)
    assert "deep text &amp; more" in copy.html  # escaped once, for HTML
    assert "alert" not in copy.html
    assert "after" in copy.text and copy.title == "Deep"
    assert main_text(page) == copy.text


def test_fallback_escapes_markup_in_text() -> None:
    page = "<div>" * 300 + "&lt;img src=x onerror=alert(1)&gt;"
    copy = make_readable(page, url=URL, captured_at=CAPTURED, resources={})
    assert_inert(copy.html)
    assert "<img" not in copy.html


@pytest.mark.parametrize(
    "page",
    [
        "",
        "   ",
        "\x00\x01",
        "<",
        "</p>",
        "<?xml version='1.0' encoding='latin-1'?><p>x</p>",
        "\ud800<p>x",
        "<<<<" * 1000,
    ],
)
def test_odd_input_gives_a_document(page: str) -> None:
    copy = make_readable(page, url=URL, captured_at=CAPTURED, resources={})
    assert_inert(copy.html)
    assert "resolver-banner" in copy.html


_TAGS = [
    "p",
    "div",
    "a",
    "img",
    "script",
    "svg",
    "style",
    "noscript",
    "iframe",
    "picture",
    "source",
    "base",
    "form",
    "math",
]
_ATTRS = [
    "href",
    "src",
    "srcset",
    "onload",
    "style",
    "xlink:href",
    "data-src",
    "action",
    "http-equiv",
    "poster",
]
_VALUES = [
    "javascript:alert(1)",
    "https://evil/x",
    "/a.png",
    "url(https://evil/y)",
    "#x",
    "data:text/html,x",
    "a.png 2x, b.png 3x",
    "refresh",
]
junk_html = st.lists(
    st.one_of(
        st.builds(
            lambda t, a, v: f"<{t} {a}='{v}'>",
            st.sampled_from(_TAGS),
            st.sampled_from(_ATTRS),
            st.sampled_from(_VALUES),
        ),
        st.builds(lambda t: f"</{t}>", st.sampled_from(_TAGS)),
        st.text(alphabet="<>/=\"' &;#x!-abcdefimnoprstv\n", max_size=12),
        st.text(max_size=8),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk_html)
def test_junk_html_never_raises_and_stays_inert(page: str) -> None:
    copy = make_readable(
        page, url=URL, captured_at=CAPTURED, resources={"https://news.example/a.png": "f/a.png"}
    )
    assert_inert(copy.html)
    assert isinstance(main_text(page), str)
    assert all(kind in ("image", "font", "style") for kind, _ in resource_urls(page, URL))


# --- saved stylesheets --------------------------------------------------------------------

SHEET = "https://cdn.example/css/site.css"

# (stylesheet, what it names)
SHEET_URL_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        '@import "a.css" screen; @import url(/b.css); body{background:url(img/bg.png)}',
        [
            ("style", "https://cdn.example/css/a.css"),
            ("style", "https://cdn.example/b.css"),
            ("image", "https://cdn.example/css/img/bg.png"),
        ],
    ),
    (
        '@font-face{font-family:F;src:url("../f.woff2?v=1#iefix") format("woff2"),url(\'f.woff\')}'
        "h1{cursor:url(c.cur),auto}",
        [
            ("font", "https://cdn.example/f.woff2?v=1"),
            ("font", "https://cdn.example/css/f.woff"),
            ("image", "https://cdn.example/css/c.cur"),
        ],
    ),
    ("a{background:u\\72l(x.png)}", [("image", "https://cdn.example/css/x.png")]),  # escaped url(
    # Comments go first, as in the sanitiser: it reads `u/**/rl(` as a url( (the safe side).
    ("a{background:u/**/rl(x.png)}", [("image", "https://cdn.example/css/x.png")]),
    ("/* url(commented.png) */ a{color:red}", []),
    ("a{background:url(x.png)} b{background:url(x.png#y)}", [("image", "https://cdn.example/css/x.png")]),
    (
        "a{background:url(javascript:alert(1));b:url(data:image/png;base64,AA==);c:url(#grad)}",
        [],
    ),
    ("a{behavior:url(x.htc);-moz-binding:url(x.xml#b)}", []),  # code: never fetched
    ("a{background:url(//other.example/y.png)}", [("image", "https://other.example/y.png")]),
    ("", []),
]


@pytest.mark.parametrize(("css", "expected"), SHEET_URL_CASES)
def test_stylesheet_urls(css: str, expected: list[tuple[str, str]]) -> None:
    assert stylesheet_urls(css, SHEET) == expected


SHEET_SAVED = {
    "https://cdn.example/css/img/bg.png": "bg.png",
    "https://cdn.example/f.woff2?v=1": "f é.woff2",
    "https://cdn.example/css/a.css": "a.css",
}

# (stylesheet, what its saved copy holds after the charset line)
CLEAN_SHEET_CASES: list[tuple[str, str]] = [
    ("body{background:url(img/bg.png)}", 'body{background:url("bg.png")}'),
    ("body{background:url(/css/img/bg.png#x)}", 'body{background:url("bg.png")}'),
    ('@import "a.css"; @import url(b.css);', '@import url("a.css"); @import none;'),
    ("@font-face{src:url(../f.woff2?v=1#iefix)}", '@font-face{src:url("f%20%C3%A9.woff2")}'),
    ("a{background:url(https://evil.example/t.png)}", "a{background:none}"),
    ("a{background:u\\72l(https://evil.example/t.png)}", "a{background:none}"),
    (
        'a{content:"</style><script>alert(1)</script>"}',
        'a{content:"\\3c /style>\\3c script>alert(1)\\3c /script>"}',
    ),
    ('@charset "iso-8859-1";\na{content:"\u00e9"}', '\na{content:"\u00e9"}'),
    ("\ufeffa{color:red}", "a{color:red}"),
]


@pytest.mark.parametrize(("css", "expected"), CLEAN_SHEET_CASES)
def test_clean_stylesheet(css: str, expected: str) -> None:
    assert clean_stylesheet(css, SHEET, SHEET_SAVED) == STYLESHEET_CHARSET + expected


# (bytes, Content-Type, text)
DECODE_SHEET_CASES: list[tuple[bytes, str | None, str]] = [
    (b"a{content:'\xc3\xa9'}", None, "a{content:'\u00e9'}"),
    (b"a{content:'\xe9'}", "text/css; charset=iso-8859-1", "a{content:'\u00e9'}"),
    (b'@charset "iso-8859-1";a{content:"\xe9"}', "text/css", '@charset "iso-8859-1";a{content:"\u00e9"}'),
    (b"\xef\xbb\xbfa{content:'\xc3\xa9'}", "text/css; charset=iso-8859-1", "a{content:'\u00e9'}"),  # BOM wins
    (b'@charset "utf-16";a{}', None, '@charset "utf-16";a{}'),  # read as ASCII: UTF-16 means UTF-8
    (b"a{}", "text/css; charset=no-such-charset", "a{}"),
]


@pytest.mark.parametrize(("data", "content_type", "text"), DECODE_SHEET_CASES)
def test_decode_stylesheet(data: bytes, content_type: str | None, text: str) -> None:
    assert decode_stylesheet(data, content_type) == text


_CSS_PIECES = [
    "url(",
    "u\\72l(",
    "\\75 rl(",
    ")",
    "'",
    '"',
    "\\",
    "/*",
    "*/",
    "@import ",
    "@font-face{",
    "}",
    "{",
    "https://evil.example/x",
    "javascript:",
    "expression(",
    "</style><script>",
    "img/bg.png",
    "data:text/html,",
    ";",
    " ",
    "\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CSS_PIECES), max_size=30).map("".join))
def test_junk_stylesheets_never_fetch_from_the_network(css: str) -> None:
    cleaned = clean_stylesheet(css, SHEET, SHEET_SAVED)
    low = cleaned.lower()
    assert "<" not in cleaned and "javascript:" not in low and "expression(" not in low
    for m in re.finditer(r"url\(", cleaned, re.IGNORECASE):
        assert cleaned[m.end() : m.end() + 1] == '"', cleaned  # every url() left is one of ours
    for target in re.findall(r'url\("([^"]*)"\)', cleaned):
        assert target in ("bg.png", "a.css", "f%20%C3%A9.woff2") or target.startswith("#"), cleaned
    assert all(kind in ("style", "font", "image") for kind, _ in stylesheet_urls(css, SHEET))


# --- the tables themselves ------------------------------------------------------------------


def test_tables() -> None:
    for table in (REMOVED_ELEMENTS, REMOVED_ATTRIBUTES, BOILERPLATE_WORDS):
        assert all(key == key.lower().strip() and reason for key, reason in table.items())
    assert all(re.fullmatch(r"[a-z]+( [a-z]+)*", w) for w in BOILERPLATE_WORDS)
    assert all(a == a.lower() for a in FETCHED_ATTRIBUTES)
    assert all(a.startswith("data-") for a in LAZY_IMAGE_ATTRIBUTES)
    assert not FETCHED_ATTRIBUTES & set(REMOVED_ATTRIBUTES)


def test_main_text_of_a_page_holding_the_private_markers_itself() -> None:
    # The fast path marks blocks with private-use characters; a page that uses them gets the walk.
    assert main_text("<p>a \ue000 b<br>c</p><p>d</p>") == "a \ue000 b\nc\n\nd"
