"""A readable copy of a cited page that never runs script when opened, and the page's main text.

The WARC keeps the page exactly as served; this is the copy a person opens from the archive
folder, years later, with a browser. It must show what the article cited and nothing else may
happen: no script, no plugin, no frame, no request to any server (which would tell the page's
owner, or whoever now owns its domain, that someone is reading the archive). Two walls, either
of which is meant to be enough on its own:

1. The markup is cut down (`make_readable`): every element that runs code or loads another
   document is removed (`REMOVED_ELEMENTS`), every event handler and script URL is removed,
   every attribute that fetches something points at the local copy the archiver saved, or is
   removed (`FETCHED_ATTRIBUTES`), and CSS keeps only local `url()`s.
2. A Content-Security-Policy (`CSP`), the first thing in `<head>`, forbids script and every
   remote load, in case something was missed.

The copy is re-serialised by lxml, so what the browser parses is what was checked, not the
original bytes (no mutation-XSS through markup the two parsers read differently; see the note
on `<style>` in `_clean_css`).

`resource_urls` lists what the archiver should fetch so that the copy is complete (images,
stylesheets); it and `make_readable` resolve URLs with the same code, so the keys of
`resources` are the URLs `resource_urls` returned. A saved stylesheet gets the same walls:
`stylesheet_urls` lists what it loads (fonts, images, imports) and `clean_stylesheet` rewrites
it with the `<style>` sanitiser, its URLs resolved against its own. `main_text` is the
article's text as plain paragraphs, for the `.txt` beside the copy and for search.
"""

from __future__ import annotations

import copy
import datetime as dt
import html as htmllib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urldefrag, urljoin, urlsplit

from lxml import etree

__all__ = [
    "BOILERPLATE_WORDS",
    "CSP",
    "FETCHED_ATTRIBUTES",
    "LAZY_IMAGE_ATTRIBUTES",
    "MAIN_CONTAINERS",
    "REMOVED_ATTRIBUTES",
    "REMOVED_ELEMENTS",
    "STYLESHEET_CHARSET",
    "ReadableCopy",
    "clean_stylesheet",
    "decode_stylesheet",
    "main_text",
    "make_readable",
    "resource_urls",
    "stylesheet_urls",
]

#: The copy's Content-Security-Policy: nothing but its own folder's images, styles, fonts and
#: media, and inline style. Delivered in a <meta>, which must precede anything it governs: a
#: policy from a <meta> element applies only to what the parser meets after it (CSP 3,
#: "Delivery via meta element").
#:
#: `'self'` is what lets the folder's files load when the copy is opened from disk, as it
#: mostly is. CSP 3 alone would not say so (a file: document's origin is opaque, and `'self'`
#: matches no URL then), but Chromium takes a file: document's `'self'` as "file: with no
#: host" (`ComputeSelfOrigin`), and Firefox does not apply CSP to file: loads at all (they are
#: `URI_IS_LOCAL_RESOURCE`, see `CSPService::subjectToCSP`). Served over HTTP, `'self'` is the
#: server. `file:` is not added as a fallback: it would also allow `file://host/share/...`,
#: which on Windows is an SMB request that sends the user's credentials. Chromium's `'self'`
#: does not match a file: URL with a host. tests/test_archive_browser.py opens a copy in
#: Chromium from disk and over HTTP, and fails if Chromium ever makes `'self'` match nothing
#: for file: (a TODO in its code). The cure would then be data: URLs in the copy, not `file:`.
CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "media-src 'self'; script-src 'none'; object-src 'none'; frame-src 'none'; form-action 'none'; "
    "base-uri 'none'"
)

#: Elements removed with everything inside them, and why.
REMOVED_ELEMENTS: dict[str, str] = {
    "script": "runs code",
    "iframe": "loads (and runs) another document",
    "frame": "loads another document",
    "frameset": "a page made of frames has no content of its own",
    "object": "plugins or another document",
    "embed": "plugins or another document",
    "applet": "Java",
    "portal": "loads another document",
    "fencedframe": "loads another document",
    "base": "would re-point every relative URL of the copy",
    "bgsound": "loads audio when opened (old IE)",
    # SVG: a second parser context, the classic way around sanitizers
    "foreignobject": "HTML inside SVG, parsed by other rules",
    "animate": "can set an attribute (href) to javascript: after load",
    "set": "can set an attribute (href) to javascript: after load",
    "animatemotion": "SVG animation: nothing to animate in a static copy",
    "animatetransform": "SVG animation: nothing to animate in a static copy",
    "handler": "SVG Tiny 1.2 script",
    "listener": "SVG Tiny 1.2 event listener",
}

#: Attributes removed wherever they appear, and why. Event handlers (`on*`) are removed by
#: prefix, script URLs in any attribute by `_is_script_url`.
REMOVED_ATTRIBUTES: dict[str, str] = {
    "srcdoc": "an iframe's whole document, inline",
    "srcset": "remote candidates; the chosen one is in `src`",
    "sizes": "goes with srcset",
    "imagesrcset": "preload candidates",
    "imagesizes": "goes with imagesrcset",
    "ping": "a request to the page's owner on every click",
    "attributionsrc": "a request to an ad network",
    "action": "forms submit nowhere from a copy",
    "formaction": "forms submit nowhere from a copy",
    "method": "goes with action",
    "formmethod": "goes with formaction",
    "formtarget": "goes with formaction",
    "xml:base": "would re-point relative URLs inside SVG",
    "integrity": "a local copy need not match the served bytes' hash (content decoded)",
    "crossorigin": "a CORS request for a file:// stylesheet fails in Chrome: unstyled copy",
    "nonce": "script and style nonces mean nothing without the server",
}

#: Attributes whose URL the browser fetches as soon as the page opens. They point at the
#: local copy when the archiver saved one, keep a `data:` image or font, or are removed.
#: `href` joins them on every element but <a>/<area> (SVG <image>, <use>, <feImage>...).
FETCHED_ATTRIBUTES = frozenset(
    {"src", "poster", "background", "lowsrc", "dynsrc", "icon", "data", "codebase", "archive", "manifest"}
)

#: Where lazy-loading scripts keep an image's real URL while `src` holds a placeholder
#: (lazysizes, WordPress plugins, jQuery Lazy). The scripts never run in the copy, so the
#: copy reads the URL itself. `*srcset` ones hold candidate lists.
LAZY_IMAGE_ATTRIBUTES: tuple[str, ...] = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-srcset",
    "data-lazy-srcset",
)

#: Link elements navigate only on a click, so they may stay remote (made absolute).
_NAVIGATION_ELEMENTS = frozenset({"a", "area"})
#: Schemes a link may keep; anything else (javascript:, file:, intent:...) loses its href.
_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: Schemes that run code when a browser follows them, in any attribute.
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:", "mocha:")
#: `data:` media types a browser renders as a document that can run script.
_SCRIPTABLE_DATA_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/xml",
        "application/xml",
        "text/xsl",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
    }
)
#: `data:` media types a fetched attribute may keep: images (SVG too: an image context never
#: runs its script), fonts, audio and video; the CSP allows them.
_KEPT_DATA_PREFIXES = ("image/", "font/", "audio/", "video/", "application/font", "application/x-font")

#: The banner's look, inline (the copy has no stylesheet of its own) and reset (`all: initial`)
#: so that the page's CSS does not restyle it.
BANNER_STYLE = (
    "all:initial;display:block;box-sizing:border-box;width:100%;margin:0;padding:6px 10px;"
    "background:#fff3cd;color:#222;border-bottom:1px solid #d6b656;font:13px/1.4 system-ui,sans-serif"
)
_BANNER_LINK_STYLE = "all:initial;color:#0645ad;text-decoration:underline;font:inherit;cursor:pointer"


@dataclass(frozen=True, slots=True)
class ReadableCopy:
    """A page made safe to open, its main text, and its title."""

    html: str
    text: str
    title: str | None


# --- parsing ------------------------------------------------------------------------------

#: Characters an lxml tree cannot hold (XML 1.0 section 2.2); libxml2 would drop or choke on them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: Void elements (no content, no end tag) that libxml2's HTML 4 parser does not know: it nests
#: what follows them inside them (`<embed><p>x</p>` keeps the paragraph in the embed, and
#: removing the embed would remove the paragraph; `<picture><source><source><img>` nests).
_VOID_UNKNOWN_TO_LIBXML2 = ("embed", "bgsound", "source", "track", "wbr", "keygen")


class _TooDeep(Exception):
    """libxml2 stops at 256 levels of nesting and drops the rest of the document."""


def _parse(html: str, *, partial_ok: bool = False) -> etree._Element | None:
    """The page's tree, or None for a page with no markup at all.

    The text is handed to libxml2 as UTF-8 with the encoding fixed, so that a page's own
    `<meta charset>` or `<?xml encoding?>` cannot make it decode the text a second time.
    """
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8", no_network=True)
    data = _INVALID_XML.sub("", html).encode("utf-8")
    if not data.strip():
        return None
    root = etree.fromstring(data, parser)
    if not partial_ok and any("Excessive depth" in entry.message for entry in parser.error_log):
        raise _TooDeep
    if root is not None:
        for el in list(root.iter(*_VOID_UNKNOWN_TO_LIBXML2)):
            _hoist_content(el)
    return root


def _hoist_content(el: etree._Element) -> None:
    """Move what libxml2 put inside a void element to after it, where a browser has it."""
    parent = el.getparent()
    if parent is None or (not len(el) and not el.text):
        return
    children, tail = list(el), el.tail
    el.tail, el.text = el.text, None
    index = parent.index(el)
    for offset, child in enumerate(children, start=1):
        parent.insert(index + offset, child)
    last = children[-1] if children else el
    last.tail = (last.tail or "") + (tail or "") or None


def _tag(el: etree._Element) -> str:
    """The element's local name in lower case; "" for comments and other non-elements.

    lxml keeps a prefix as written (`<svg:script>`), and the HTML parser lower-cases only
    known names.
    """
    tag = el.tag
    return tag.rsplit(":", 1)[-1].lower() if isinstance(tag, str) else ""


def _remove(el: etree._Element) -> None:
    """Remove `el` and what it holds, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    _keep_text_before(el, el.tail)
    parent.remove(el)


def _unwrap(el: etree._Element) -> None:
    """Replace `el` by its content."""
    parent = el.getparent()
    if parent is None:
        return
    _keep_text_before(el, el.text)
    index = parent.index(el)
    children = list(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + (el.tail or "")
        el.tail = None
    _remove(el)


def _keep_text_before(el: etree._Element, text: str | None) -> None:
    if not text:
        return
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent = el.getparent()
        assert parent is not None
        parent.text = (parent.text or "") + text


# --- URLs ---------------------------------------------------------------------------------

#: What browsers strip from a URL attribute before parsing it (WHATWG URL: leading and
#: trailing C0 controls and spaces; tabs and newlines anywhere).
_URL_JUNK = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$|[\t\n\r]")


def _clean_url(raw: str) -> str:
    # WHATWG URL: in http(s) URLs a backslash is a slash, so `\\evil.com\x` is `//evil.com/x`.
    return _URL_JUNK.sub("", raw).replace("\\", "/")


def _resolve(raw: str, base: str | None, *, keep_fragment: bool = False) -> str | None:
    """The absolute http(s) URL `raw` points to from a page at `base`, or None."""
    value = _clean_url(raw)
    if not value:
        return None
    try:
        absolute = urljoin(base or "", value)
        parts = urlsplit(absolute)
    except ValueError:  # "http://[x": not a URL a browser could fetch either
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    # Resources are fetched without their fragment; one file serves `a.svg#x` and `a.svg#y`.
    return absolute if keep_fragment else urldefrag(absolute)[0]


def _document_base(root: etree._Element, url: str | None) -> str | None:
    """What relative URLs resolve against: the first `<base href>` (HTML: only the first
    counts), itself resolved against the page's URL, else the page's URL."""
    for base in root.iter("base"):
        href = base.get("href")
        if href is not None:
            resolved = _resolve(href, url, keep_fragment=True)
            return resolved or url
    return url


def _is_script_url(value: str) -> bool:
    """True for a URL that runs code or renders a scriptable document when followed.

    The value is seen as a browser sees it: entities are already decoded by the parser
    (`javascript&#58;`), and controls, spaces, tabs and newlines are dropped (`java\\tscript:`).
    """
    squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
    if squeezed.startswith(_SCRIPT_SCHEMES):
        return True
    return squeezed.startswith("data:") and _data_type(squeezed) in _SCRIPTABLE_DATA_TYPES


def _data_type(data_url: str) -> str:
    """The media type of a `data:` URL; RFC 2397: none written means text/plain."""
    media = re.split(r"[;,]", data_url[5:], maxsplit=1)[0].strip().lower()
    return media or "text/plain"


def _local_path(path: str) -> str | None:
    """A saved file's relative path as a URL, or None if it is not a relative path.

    `//host/x` would be a network URL and `/x` or `C:\\x` a path outside the archive folder:
    a resource saved there is treated as not saved.
    """
    value = path.replace("\\", "/")
    if not value or value.startswith("/") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        return None
    return quote(value, safe="/")


def _fetched_target(
    raw: str, base: str | None, resources: Mapping[str, str], *, fragment_ok: bool
) -> str | None:
    """What a fetched attribute becomes: a local path, a kept `data:` or fragment, or None."""
    value = _clean_url(raw)
    if fragment_ok and value.startswith("#"):
        return value
    if value.lower().startswith("data:"):
        return value if _data_type(value).startswith(_KEPT_DATA_PREFIXES) else None
    absolute = _resolve(value, base) if resources else None  # nothing saved: nothing to resolve
    if absolute is None or absolute not in resources:
        return None
    return _local_path(resources[absolute])


# --- srcset -------------------------------------------------------------------------------


def _srcset_candidates(srcset: str) -> Iterator[tuple[str, float, float]]:
    """(URL, width, density) per candidate (HTML, "parse a srcset attribute", simplified).

    A URL runs to the next whitespace and may contain commas (`/w_300,h_200/a.jpg`); a
    comma ending it separates candidates; descriptors run to the next comma.
    """
    pos, n = 0, len(srcset)
    while pos < n:
        while pos < n and (srcset[pos].isspace() or srcset[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not srcset[pos].isspace():
            pos += 1
        url = srcset[start:pos]
        if not url:
            break
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = srcset.find(",", pos)
            end = n if end < 0 else end
            descriptors, pos = srcset[pos:end], end
        width, density = 0.0, 1.0
        for descriptor in descriptors.split():
            number, unit = descriptor[:-1], descriptor[-1:].lower()
            try:
                if unit == "w":
                    width = float(number)
                elif unit == "x":
                    density = float(number)
            except ValueError:
                continue
        if url:
            yield url, width, density


def _largest(srcset: str | None) -> str | None:
    """The biggest candidate of a srcset: by width when widths are given, else by density."""
    if not srcset:
        return None
    best: tuple[float, float] | None = None
    chosen = None
    for url, width, density in _srcset_candidates(srcset):
        key = (width, density)
        if best is None or key > best:
            best, chosen = key, url
    return chosen


def _picture_of(el: etree._Element) -> etree._Element | None:
    """The <picture> an <img> or <source> belongs to (its parent; see `_hoist_content`)."""
    parent = el.getparent()
    return parent if parent is not None and _tag(parent) == "picture" else None


def _image_candidates(img: etree._Element, *, with_picture: bool) -> list[str]:
    """An <img>'s URLs as written, best first: its srcset's largest, the lazy-loading
    attributes, the <source>s of its <picture>, and last `src` (a lazy page's placeholder)."""
    found: list[str | None] = [_largest(img.get("srcset"))]
    for name in LAZY_IMAGE_ATTRIBUTES:
        value = img.get(name)
        found.append(_largest(value) if name.endswith("srcset") else value)
    picture = _picture_of(img) if with_picture else None
    if picture is not None:
        found.extend(_largest(s.get("srcset")) for s in picture if _tag(s) == "source")
    found.append(img.get("src"))
    return [f for f in found if f and f.strip()]


# --- CSS ----------------------------------------------------------------------------------

_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
#: A CSS escape: `\75` (hex, with one optional whitespace after it) or `\u` (a character).
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|\\([^\n\r\f0-9a-fA-F])")
_CSS_IMPORT_STRING = re.compile(r"""@import\s*(?:"([^"\n]*)"|'([^'\n]*)')""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^"'()\s]*))\s*\)""", re.IGNORECASE)
#: CSS that runs code (IE's expression() and behavior, Firefox's XBL -moz-binding) or fetches
#: from a bare string (`image-set("a.png" 1x)`, `src("a.png")`), and any `url(` left over
#: after the well-formed ones were rewritten.
_CSS_DANGER = re.compile(
    r"expression\s*\(|javascript\s*:|vbscript\s*:|-moz-binding|behaviou?r\s*:|"
    r"(?:-webkit-)?image-set\s*\(|(?<![\w-])src\s*\(|url\s*\(",
    re.IGNORECASE,
)
#: Characters percent-encoded in a kept `url("...")`: they could end the string or, in a
#: `data:` URL written inside an SVG <style>, start markup (see `_clean_css`).
_CSS_URL_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in "<>\"'()\\ \t\n\r\f"})
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def _decode_css_escape(m: re.Match[str]) -> str:
    """The character an escape stands for, if it could spell a keyword; else the escape.

    Decoding `u\\72l(` to `url(` lets the patterns see what the browser sees. Quotes,
    backslashes and non-ASCII stay escaped: decoding them could end a string early.
    """
    try:
        char = chr(int(m.group(1), 16)) if m.group(1) else m.group(2)
    except (ValueError, OverflowError):
        return m.group(0)
    return char if char.isascii() and (char.isalnum() or char in "-_:(") else m.group(0)


def _normalise_css(css: str) -> str:
    css = _CSS_COMMENT.sub("", css.replace("\x00", ""))
    return _CSS_ESCAPE.sub(_decode_css_escape, css)


def _import_as_url(css: str) -> str:
    """`@import "a.css"` as `@import url("a.css")`, so that one pattern sees every URL."""
    return _CSS_IMPORT_STRING.sub(lambda m: f'@import url("{m.group(1) or m.group(2) or ""}")', css)


def _css_urls(css: str) -> list[str]:
    """The `url()`s (and `@import` strings) of some CSS, as written."""
    css = _import_as_url(_normalise_css(css))
    return [next((g for g in m.groups() if g is not None), "") for m in _CSS_URL.finditer(css)]


def _clean_css(css: str, base: str | None, resources: Mapping[str, str]) -> str:
    """CSS that loads only local files and runs nothing.

    Comments are removed and escapes that could spell a keyword decoded first, so that what is
    checked is what is written out. Well-formed `url()`s become local paths (or `none`), a
    fragment (`url(#grad)`, SVG paint servers) or a kept `data:` image; whatever else fetches or
    runs is renamed into an invalid token (`removed-expression(`), which the browser ignores.

    `<` is escaped (`\\3c `): inside SVG a <style> is not raw text for the browser, while
    libxml2 reads it as raw text everywhere, so `<svg><style><img onerror=...>` would pass
    the checks as text and run as markup (mutation XSS). CSS has no use for `<` outside
    strings, where the escape means the same character.
    """
    css = _import_as_url(_normalise_css(css))
    kept: list[str] = []

    def rewrite(m: re.Match[str]) -> str:
        raw = next((g for g in m.groups() if g is not None), "")
        target = _fetched_target(raw, base, resources, fragment_ok=True)
        if target is None:
            return "none"
        kept.append(target.translate(_CSS_URL_ESCAPES))
        return f"\x00{len(kept) - 1}\x00"

    css = _CSS_URL.sub(rewrite, css)
    css = _CSS_DANGER.sub(lambda m: "removed-" + re.sub(r"\W", "", m.group(0)) + "-", css)
    css = css.replace("<!--", "").replace("-->", "").replace("<", "\\3c ")
    return _PLACEHOLDER.sub(lambda m: f'url("{kept[int(m.group(1))]}")', css)


# --- saved stylesheets --------------------------------------------------------------------

#: Where an `@import`'s URL starts, once `_import_as_url` has given every import a `url(`.
_CSS_IMPORT_URL = re.compile(r"@import\s*(url\()", re.IGNORECASE)
#: A property whose `url()` is code (IE's behavior, Firefox's XBL), never fetched: `_clean_css`
#: neutralises the property anyway.
_CSS_CODE_PROPERTY = re.compile(r"(?:-moz-binding|behaviou?r)\s*:\s*\Z", re.IGNORECASE)
#: An `@font-face` block (its descriptors hold no nested braces).
_CSS_FONT_FACE = re.compile(r"@font-face\s*\{[^{}]*\}?", re.IGNORECASE)
#: A stylesheet's own `@charset` rule, which must be its very first bytes (CSS Syntax 3,
#: "Determine the fallback encoding").
_CSS_CHARSET_RULE = re.compile(rb'@charset "([\x20-\x21\x23-\x7e]{1,40})";')
#: What a saved stylesheet starts with: it is written as UTF-8, whatever it was served in, and
#: a file:// load has no Content-Type to say so.
STYLESHEET_CHARSET = '@charset "utf-8";\n'


def decode_stylesheet(data: bytes, content_type: str | None) -> str:
    """A stylesheet's bytes as text, decoded as a browser decodes them (CSS Syntax 3, "Decode
    bytes"): a BOM wins, then the Content-Type's charset, then an `@charset` rule, else UTF-8
    (the environment's encoding: the copy is UTF-8). Bad bytes are replaced; never raises."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    label = None
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value.strip("\"' "):
            label = value.strip("\"' ")
    if label is None and (m := _CSS_CHARSET_RULE.match(data)):
        label = m.group(1).decode("ascii")
        # The spec: a UTF-16 label in an @charset rule (read as ASCII, so wrong) means UTF-8.
        if label.lower().startswith("utf-16"):
            label = "utf-8"
    try:
        return data.decode(label or "utf-8", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def stylesheet_urls(css: str, url: str) -> list[tuple[str, str]]:
    """What to save so that a saved stylesheet at `url` shows its fonts and images.

    ("style", URL) for an `@import`, ("font", URL) for a `url()` inside `@font-face`, ("image",
    URL) for every other `url()` (backgrounds, list markers, cursors, masks). Relative URLs
    resolve against the stylesheet's own URL, not the page's (CSS Values 4, "Relative URLs").
    Read as `clean_stylesheet` reads them (comments gone, keyword escapes decoded: `u\\72l(` is
    a `url(` to the browser). Only http(s), each URL once (its first kind wins), in order,
    without fragment. Never raises.
    """
    css = _import_as_url(_normalise_css(css))
    imports = {m.start(1) for m in _CSS_IMPORT_URL.finditer(css)}
    fonts = [m.span() for m in _CSS_FONT_FACE.finditer(css)]
    found: dict[str, str] = {}
    block = 0
    for m in _CSS_URL.finditer(css):
        raw = _clean_url(next((g for g in m.groups() if g is not None), ""))
        # `url(#grad)`: an SVG paint server in the document, not a file (nor the sheet itself).
        absolute = _resolve(raw, url) if raw and not raw.startswith("#") else None
        if absolute is None or _CSS_CODE_PROPERTY.search(css, max(0, m.start() - 40), m.start()):
            continue
        while block < len(fonts) and fonts[block][1] <= m.start():
            block += 1
        in_font_face = block < len(fonts) and fonts[block][0] <= m.start()
        kind = "style" if m.start() in imports else "font" if in_font_face else "image"
        found.setdefault(absolute, kind)
    return [(kind, absolute) for absolute, kind in found.items()]


def clean_stylesheet(css: str, url: str, resources: Mapping[str, str]) -> str:
    """A saved stylesheet made as safe as the copy's own `<style>` (`_clean_css`).

    `resources` maps absolute URLs to the paths they were saved at, relative to the
    stylesheet's folder: those `url()`s and `@import`s become these paths, every other one
    `none`, and whatever else would fetch or run an invalid token. URLs resolve against
    `url`, the stylesheet's own. The text starts with `STYLESHEET_CHARSET` (the caller writes
    it as UTF-8); a served `@charset` rule is dropped (it may name another encoding).
    """
    text = css.removeprefix("\ufeff")
    if text.startswith("@charset"):
        m = _CSS_CHARSET_RULE.match(text[:64].encode("ascii", "replace"))
        if m:
            text = text[m.end() :]
    return STYLESHEET_CHARSET + _clean_css(text, url, resources)


# --- the copy -----------------------------------------------------------------------------


def resource_urls(html: str, base_url: str) -> list[tuple[str, str]]:
    """What to save so that the readable copy of `html` shows its images and styles.

    ("image", URL) for `img[src]`, the largest candidate of `img[srcset]` and of each
    `picture > source[srcset]`, the lazy-loading attributes (`LAZY_IMAGE_ATTRIBUTES`),
    `video[poster]` and the `url()`s of `style` attributes (hero images are often CSS
    backgrounds); ("style", URL) for `link[rel~=stylesheet][href]`; and what the page's own
    `<style>` blocks name, as `stylesheet_urls` names it in a saved stylesheet ("style" for an
    `@import`, "font" inside `@font-face`, "image" otherwise). Only http(s), each URL once (its
    first kind wins), in document order (an image's candidates best first), resolved against
    the first `<base href>` or else `base_url`, without fragment; a fragment-only `url(#grad)`
    (an SVG paint server in the page) is no file. Nothing inside an element the copy removes
    (an <img> in an <object>'s fallback), and no 1x1 tracking pixel. Never raises.
    """
    try:
        root = _parse(html, partial_ok=True)
    except Exception:  # a page lxml cannot read has no resources worth a request
        return []
    if root is None:
        return []
    base = _document_base(root, base_url)
    found: dict[str, str] = {}

    def add(kind: str, raw: str | None) -> None:
        url = _resolve(raw, base) if raw else None
        if url is not None:
            found.setdefault(url, kind)

    walker = etree.iterwalk(root, events=("start",))
    for _event, el in walker:
        tag = _tag(el)
        if tag in REMOVED_ELEMENTS:
            walker.skip_subtree()
            continue
        if tag == "img" and not _is_tracking_pixel(el):
            for raw in _image_candidates(el, with_picture=False):
                add("image", raw)
        elif tag == "source" and _picture_of(el) is not None:
            add("image", _largest(el.get("srcset")))
        elif tag == "video":
            add("image", el.get("poster"))
        elif tag == "link" and "stylesheet" in (el.get("rel") or "").lower().split():
            add("style", el.get("href"))
        elif tag == "style" and el.text:
            # Relative to the document (its <base>), as the copy's `_clean_css` resolves them.
            for kind, url in stylesheet_urls(el.text, base or ""):
                found.setdefault(url, kind)
        style = el.get("style") if tag else None
        if style and "url" in style.lower():
            for raw in _css_urls(style):
                # `url(#grad)` resolved against the page would be the page itself, as an image.
                if not _clean_url(raw).startswith("#"):
                    add("image", raw)
    return [(kind, url) for url, kind in found.items()]


def _is_tracking_pixel(img: etree._Element) -> bool:
    """A 1x1 (or 0x0) image: an analytics beacon (`<noscript><img src=facebook.com/tr?...>`).
    Fetching it would report the archiver's visit and save nothing anyone reads."""
    return any(_PIXEL.fullmatch((img.get(side) or "").strip()) for side in ("width", "height"))


_PIXEL = re.compile(r"[01](?:\.0*)?(?:px)?", re.IGNORECASE)


def make_readable(
    html: str,
    *,
    url: str,
    captured_at: dt.datetime,
    resources: Mapping[str, str],
    title: str | None = None,
) -> ReadableCopy:
    """A copy of the page at `url` that runs no script and makes no request when opened.

    `resources` maps absolute resource URLs (as `resource_urls` gives them) to the relative
    paths they were saved at; whatever is not there is not shown (an <img> keeps its `alt`).
    Links stay live, absolute, with `rel="noopener noreferrer"`. `<noscript>` content is kept
    as ordinary markup, since the copy is what a reader without script sees. `<head>` starts
    with `<meta charset="utf-8">` and the `CSP`; `<body>` with a banner that says what this is.
    `captured_at` is shown in UTC (a naive datetime is taken to be UTC). `title` overrides the
    page's own (`<title>`, else `og:title`).

    Never raises: a page lxml cannot read, or nested past libxml2's 256 levels (which drops
    the rest), gives a minimal document holding the page's text, escaped.
    """
    try:
        root = _parse(html)
    except Exception:  # _TooDeep, or libxml2 refusing the bytes: the text is still worth keeping
        root = None
    if root is None:
        return _fallback(html, url, captured_at, title)
    # The main text is cut from a tree of the page as parsed. A small page's tree is copied
    # (a fifth of the cost of parsing it again); a large one is parsed again once the copy's
    # tree is serialised and freed, so that a worker holds one tree at a time (libxml2's tree
    # of a 4 MB page is 15 MB or more: two of them were most of a worker's peak).
    one_tree = len(html) > _ONE_TREE_ABOVE
    try:
        page_title = title if title is not None else _page_title(root)
        text = None if one_tree else _main_text_of(copy.deepcopy(root))
        _sanitize(root, _document_base(root, url), resources)
        _frame(root, url, captured_at, page_title)
        markup = etree.tostring(root, encoding="unicode", method="html")
        if text is None:
            del root
            again = _parse(html)  # it parsed above: the same bytes parse the same way
            text = _main_text_of(again) if again is not None else ""
    except Exception:  # never raise: see the docstring
        return _fallback(html, url, captured_at, title)
    return ReadableCopy(html="<!DOCTYPE html>\n" + markup, text=text, title=page_title)


#: Pages (in characters) above which `make_readable` parses twice instead of copying the tree.
_ONE_TREE_ABOVE = 1024 * 1024


def _sanitize(root: etree._Element, base: str | None, resources: Mapping[str, str]) -> None:
    for noscript in list(root.iter("noscript")):
        _unwrap_noscript(noscript)
    for el in list(root.iter()):
        if _must_go(el, base, resources):
            _remove(el)
    # Chosen before the attribute pass, which removes the <picture> sources' srcset.
    images = {img: _image_target(img, base, resources) for img in root.iter("img")}
    for el in root.iter():
        if isinstance(el.tag, str):
            _clean_attributes(el, base, resources, images)
            if _tag(el) == "style" and el.text:
                el.text = _clean_css(el.text, base, resources)


def _unwrap_noscript(noscript: etree._Element) -> None:
    """Keep a <noscript>'s content as markup, minus the lazy twin it was written for.

    Lazy-loading pages write `<img data-src=X><noscript><img src=X></noscript>`; the copy
    would show the image twice.
    """
    previous = noscript.getprevious()
    if (
        previous is not None
        and _tag(previous) == "img"
        and any(previous.get(name) for name in LAZY_IMAGE_ATTRIBUTES)
        and any(_tag(el) == "img" for el in noscript.iter())
    ):
        _remove(previous)
    _unwrap(noscript)


def _must_go(el: etree._Element, base: str | None, resources: Mapping[str, str]) -> bool:
    tag = _tag(el)
    if not tag:  # comments and processing instructions (the parser drops them already)
        return el.tag in (etree.Comment, etree.ProcessingInstruction)
    if tag in REMOVED_ELEMENTS:
        return True
    if tag == "link":
        # Only a stylesheet saved locally is kept: preload, prefetch, dns-prefetch, manifest,
        # icon, import, modulepreload would all make a request when the copy opens.
        rel = (el.get("rel") or "").lower().split()
        href = _resolve(el.get("href") or "", base)
        return "stylesheet" not in rel or href is None or href not in resources
    if tag == "meta":
        # http-equiv: refresh, set-cookie, the page's own CSP or charset; ours come first.
        return (
            el.get("http-equiv") is not None
            or el.get("charset") is not None
            or ((el.get("name") or "").lower() == "referrer")
        )
    if tag == "use":
        # <use> may pull in an external SVG document, scripts and all; `#id` stays in the page.
        ref = _clean_url(el.get("href") or el.get("xlink:href") or "#")
        return not ref.startswith("#")
    return False


def _image_target(img: etree._Element, base: str | None, resources: Mapping[str, str]) -> str | None:
    """The `src` an <img> gets: the first of its candidates that was saved, else a `data:`
    image it already had (placeholders are better than a broken icon), else None."""
    candidates = _image_candidates(img, with_picture=True) if resources else []
    for raw in candidates:
        absolute = _resolve(raw, base)
        if absolute is not None and absolute in resources and (local := _local_path(resources[absolute])):
            return local
    src = img.get("src")
    return _fetched_target(src, base, resources, fragment_ok=False) if src else None


def _clean_attributes(
    el: etree._Element,
    base: str | None,
    resources: Mapping[str, str],
    images: Mapping[etree._Element, str | None],
) -> None:
    tag = _tag(el)
    for name, value in list(el.attrib.items()):
        lower = name.lower()
        local = lower.rsplit(":", 1)[-1]  # xlink:href is href
        if local.startswith("on") or lower in REMOVED_ATTRIBUTES or _is_script_url(value):
            del el.attrib[name]
        elif tag == "img" and local == "src" and images.get(el) is not None:
            el.set(name, images[el])  # the chosen candidate (`_image_target`), in place
        elif tag == "img" and (local == "src" or lower in LAZY_IMAGE_ATTRIBUTES):
            del el.attrib[name]
        elif local == "style":
            el.set(name, _clean_css(value, base, resources))
        elif local == "href" and tag in _NAVIGATION_ELEMENTS:
            _clean_link(el, name, value, base)
        elif local in FETCHED_ATTRIBUTES or local == "href":
            target = _fetched_target(value, base, resources, fragment_ok=local == "href")
            if target is None:
                del el.attrib[name]
            else:
                el.set(name, target)
        elif local == "cite":
            absolute = _resolve(value, base, keep_fragment=True)
            if absolute is None:
                del el.attrib[name]
            else:
                el.set(name, absolute)
        elif "url(" in value.lower():  # SVG presentation attributes: fill="url(#g)", filter=...
            el.set(name, _clean_css(value, base, resources))
    if tag == "img" and (src := images.get(el)) is not None and el.get("src") is None:
        el.set("src", src)


def _clean_link(el: etree._Element, name: str, value: str, base: str | None) -> None:
    """An <a>/<area> href: absolute, of a followable scheme, opened without opener or referrer."""
    raw = _clean_url(value)
    if raw.startswith("#"):
        return  # a place in this very copy
    scheme = raw.split(":", 1)[0].lower() if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", raw) else None
    target = raw if scheme in ("mailto", "tel") else _resolve(raw, base, keep_fragment=True)
    if target is None or urlsplit(target).scheme.lower() not in _LINK_SCHEMES:
        del el.attrib[name]
        return
    el.set(name, target)
    rel = (el.get("rel") or "").split()
    el.set("rel", " ".join(dict.fromkeys([*rel, "noopener", "noreferrer"])))


def _frame(root: etree._Element, url: str, captured_at: dt.datetime, title: str | None) -> None:
    """Add the copy's own <head> preamble and banner, making <head> and <body> if missing."""
    head, body = _head_and_body(root)
    preamble = [
        etree.Element("meta", charset="utf-8"),
        etree.Element("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}),
        etree.Element("meta", name="referrer", content="no-referrer"),
    ]
    if title and head.find("title") is None:
        title_el = etree.Element("title")
        title_el.text = _xml_text(title)
        preamble.append(title_el)
    for index, el in enumerate(preamble):
        head.insert(index, el)
    if head.text:  # text before the first element would come before the CSP
        preamble[-1].tail, head.text = head.text, None
    banner = _banner(url, captured_at)
    banner.tail, body.text = body.text, None
    body.insert(0, banner)


def _head_and_body(root: etree._Element) -> tuple[etree._Element, etree._Element]:
    head = next((el for el in root if _tag(el) == "head"), None)
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    body = next((el for el in root if _tag(el) == "body"), None)
    if body is None:
        body = etree.SubElement(root, "body")
        # What sits beside <head> without a <body> (what a <frameset> left) belongs in it.
        for el in [el for el in root if el is not head and el is not body]:
            body.append(el)
    return head, body


def _banner(url: str, captured_at: dt.datetime) -> etree._Element:
    banner = etree.Element(
        "div", {"class": "resolver-banner", "style": BANNER_STYLE, "lang": "en", "dir": "ltr"}
    )
    banner.text = "Archived copy of "
    shown = _xml_text(url)
    link = _resolve(shown, None, keep_fragment=True)
    if link is not None:
        a = etree.SubElement(banner, "a", href=link, rel="noopener noreferrer", style=_BANNER_LINK_STYLE)
    else:
        a = etree.SubElement(banner, "span")
    a.text = shown
    a.tail = f", captured {_utc_stamp(captured_at)} (UTC) by resolver; scripts removed."
    return banner


def _utc_stamp(moment: dt.datetime) -> str:
    utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S")


def _xml_text(text: str) -> str:
    return _INVALID_XML.sub("", text)


def _fallback(html: str, url: str, captured_at: dt.datetime, title: str | None) -> ReadableCopy:
    """The minimal document for a page lxml could not read: the text, escaped, in a <pre>."""
    text = _rough_text(html)
    if title is None:
        m = re.search(r"<title[^>]*>([^<]*)</title", html[:100_000], re.IGNORECASE)
        title = (_squash(htmllib.unescape(m.group(1))) or None) if m else None
    banner = etree.tostring(_banner(url, captured_at), encoding="unicode", method="html")
    head = (
        '<meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{htmllib.escape(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        + (f"<title>{htmllib.escape(_xml_text(title))}</title>" if title else "")
    )
    body = f'{banner}<pre style="white-space:pre-wrap">{htmllib.escape(_xml_text(text))}</pre>'
    return ReadableCopy(
        html=f"<!DOCTYPE html>\n<html><head>{head}</head><body>{body}</body></html>", text=text, title=title
    )


def _rough_text(html: str) -> str:
    """The text of markup no parser would take, by string scanning (linear time)."""
    lower = html.lower()
    pieces: list[str] = []
    pos = 0
    while pos < len(html):
        starts = [i for i in (lower.find("<script", pos), lower.find("<style", pos)) if i >= 0]
        if not starts:
            pieces.append(html[pos:])
            break
        start = min(starts)
        pieces.append(html[pos:start])
        closing = "</script" if lower.startswith("<script", start) else "</style"
        end = lower.find(closing, start)
        if end < 0:
            break
        pos = lower.find(">", end)
        pos = len(html) if pos < 0 else pos + 1
    text = re.sub(r"<[^<>]*>", " ", "".join(pieces))  # `[^<>]`: no rescans, linear
    text = _INVALID_XML.sub("", htmllib.unescape(text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# --- main text ----------------------------------------------------------------------------

#: Where a page says its main content is, in order of trust. The first kind found that holds
#: the page's densest paragraphs wins (a teaser <article> in a sidebar does not).
MAIN_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("article", "//article"),
    ("articleBody", "//*[@itemprop='articleBody']"),
    ("main", "//main"),
    ("role=main", "//*[@role='main']"),
)

#: Elements never part of the main text: page chrome, code, forms, embedded things.
TEXT_DROPPED_ELEMENTS = frozenset(
    {
        "head", "nav", "header", "footer", "aside", "script", "style", "noscript", "template", "form",
        "button", "select", "textarea", "input", "svg", "math", "canvas", "iframe", "object", "embed",
        "video", "audio", "dialog", "menu",
    }
)  # fmt: skip

#: Words (or phrases) in a class or id that mark a block as page furniture, not the article;
#: matched as whole words of the class/id split at `-`, `_`, spaces and camelCase humps
#: (`share-bar`, `shareBar`, `post_share`), never inside words (`commentary` is not `comment`).
BOILERPLATE_WORDS: dict[str, str] = {
    "share": "share bars",
    "sharing": "share bars",
    "sharebar": "share bars",
    "social": "follow-us and share buttons",
    "related": "related links",
    "recommended": "recommendation widgets",
    "recommendations": "recommendation widgets",
    "outbrain": "recommendation widgets",
    "taboola": "recommendation widgets",
    "more stories": "related links",
    "read more": "related links",
    "most read": "most-read lists",
    "most popular": "most-read lists",
    "comment": "comments",
    "comments": "comments",
    "disqus": "comments",
    "respond": "the WordPress comment form (#respond)",
    "newsletter": "sign-up boxes",
    "subscribe": "sign-up boxes",
    "subscription": "sign-up boxes",
    "promo": "promotions",
    "ad": "advertising",
    "ads": "advertising",
    "advert": "advertising",
    "advertisement": "advertising",
    "sponsored": "advertising",
    "breadcrumb": "navigation",
    "breadcrumbs": "navigation",
    "sidebar": "sidebars",
    "cookie": "consent banners",
    "consent": "consent banners",
    "popup": "overlays",
    "modal": "overlays",
}

#: Elements the class/id words never remove: on these the words describe the page
#: (WordPress puts `tag-social-media` and `has-comments` on the <article> and <body>).
_NEVER_BOILERPLATE = frozenset({"html", "body", "article", "main"})

#: Elements that start a new paragraph of the main text.
_BLOCK_ELEMENTS = frozenset(
    {
        "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
        "dl", "dt", "dd", "blockquote", "pre", "figure", "figcaption", "table", "tr", "td", "th",
        "caption", "hr", "address", "details", "summary", "center",
    }
)  # fmt: skip

_WHITESPACE = re.compile(r"\s+")
_CAMEL_HUMP = re.compile(r"([a-z0-9])([A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def main_text(html: str) -> str:
    """The page's main text as plain text, one paragraph per block, separated by blank lines.

    The container is the first of `MAIN_CONTAINERS` that holds the page's densest
    paragraphs, else the element whose paragraphs hold the most text (a paragraph counts
    fully for its parent and half for its grandparent, so that text split into one wrapper
    per paragraph still adds up). Within it, `TEXT_DROPPED_ELEMENTS`, hidden elements and
    blocks named by `BOILERPLATE_WORDS` are left out. Whitespace is collapsed; `<br>` is a
    line break. Never raises.
    """
    try:
        root = _parse(html)
    except Exception:  # too deep or unreadable: the rough text is the best there is
        return _rough_text(html)
    if root is None:
        return ""
    try:
        return _main_text_of(root)
    except Exception:  # never raise
        return _rough_text(html)


def _page_title(root: etree._Element) -> str | None:
    for el in root.iter("title"):
        text = _squash("".join(el.itertext()))
        if text:
            return text
    for el in root.iter("meta"):
        if "og:title" in ((el.get("property") or "").lower(), (el.get("name") or "").lower()):
            text = _squash(el.get("content") or "")
            if text:
                return text
    return None


def _main_text_of(root: etree._Element) -> str:
    """`main_text` on a parsed tree, which it cuts down.

    What would be dropped is found first, without mercy; the densest paragraphs outside it
    (or anywhere, if every paragraph sits in something droppable: ASP.NET wraps whole pages in
    one <form>, some themes put `has-comments` on the content wrapper) then protect their
    ancestors, and the rest of the droppable is dropped.
    """
    droppable = [el for el in root.iter() if _droppable(el)]
    inside = {p for el in droppable for p in el.iter("p")}
    densest = _densest(root, inside)
    if densest is None:
        densest = _densest(root, set())
    protected: set[etree._Element] = set()
    node = densest
    while node is not None:
        protected.add(node)
        node = node.getparent()
    for el in droppable:
        if el not in protected:
            _remove(el)
    return _blocks(_main_container(root, densest))


def _droppable(el: etree._Element) -> bool:
    tag = _tag(el)
    if not tag or tag in TEXT_DROPPED_ELEMENTS:
        return True
    if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    return tag not in _NEVER_BOILERPLATE and _is_boilerplate(el)


def _is_boilerplate(el: etree._Element) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not names.strip():
        return False
    words = re.split(r"[^a-z0-9]+", _CAMEL_HUMP.sub(r"\1 \2", names).lower())
    padded = f" {' '.join(w for w in words if w)} "
    return any(f" {phrase} " in padded for phrase in BOILERPLATE_WORDS)


def _main_container(root: etree._Element, densest: etree._Element | None) -> etree._Element:
    for _name, xpath in MAIN_CONTAINERS:
        matches = [el for el in root.xpath(xpath) if _text_length(el)]
        if not matches:
            continue
        if densest is None:
            return max(matches, key=_text_length)
        for el in matches:
            if el is densest or densest in el.iterdescendants():
                return el
    if densest is not None:
        return densest
    return next((el for el in root if _tag(el) == "body"), root)


def _densest(root: etree._Element, skip: set[etree._Element]) -> etree._Element | None:
    """The element whose paragraphs hold the most text: a paragraph counts fully for its
    parent and half for its grandparent (one wrapper per paragraph still adds up)."""
    scores: dict[etree._Element, float] = {}
    for p in root.iter("p"):
        length = _text_length(p) if p not in skip else 0
        parent = p.getparent()
        if not length or parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + length
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + length / 2
    return max(scores, key=scores.__getitem__) if scores else None


def _text_length(el: etree._Element) -> int:
    return len("".join(el.itertext()).strip())


#: Markers put into the tree before its text is serialised in C (`_blocks`): where a block
#: starts or ends, and a `<br>`. Private-use characters (lxml refuses control characters);
#: a page that holds them itself gets the slower walk instead (`_blocks_walked`).
_BLOCK_MARK = "\ue000"
_BREAK_MARK = "\ue001"
_BLOCK_TAGS = tuple(sorted(_BLOCK_ELEMENTS))


def _blocks(container: etree._Element) -> str:
    """The container's text, a block per block element, lines kept at `<br>`.

    The tree is marked (block boundaries, line breaks) and serialised as text by lxml in C:
    walking it in Python, text node by text node, was most of the time a readable copy took
    (measured: 31 of 57 ms for a 300 KB page).
    """
    plain = etree.tostring(container, method="text", encoding="unicode", with_tail=False)
    if _BLOCK_MARK in plain or _BREAK_MARK in plain:
        return _blocks_walked(container)
    # iter() with tag names filters in C (the HTML parser gives plain lower-case names).
    for el in container.iter(*_BLOCK_TAGS):
        el.text = _BLOCK_MARK + (el.text or "")
        if el is not container:
            el.tail = _BLOCK_MARK + (el.tail or "")
    for el in container.iter("br"):
        el.tail = _BREAK_MARK + (el.tail or "")
    text = etree.tostring(container, method="text", encoding="unicode", with_tail=False)
    blocks = []
    for block in text.split(_BLOCK_MARK):
        lines = (" ".join(line.split()) for line in block.split(_BREAK_MARK))
        joined = "\n".join(line for line in lines if line)
        if joined:
            blocks.append(joined)
    return "\n\n".join(blocks)


def _blocks_walked(container: etree._Element) -> str:
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines = (" ".join(line.split()) for line in "".join(current).split("\n"))
        block = "\n".join(line for line in lines if line)
        current.clear()
        if block:
            blocks.append(block)

    for event, el in etree.iterwalk(container, events=("start", "end")):
        tag = _tag(el)
        if event == "start":
            if tag in _BLOCK_ELEMENTS:
                flush()
            elif tag == "br":
                current.append("\n")
            if el.text:
                current.append(_WHITESPACE.sub(" ", el.text))
        else:
            if tag in _BLOCK_ELEMENTS:
                flush()
            if el is not container and el.tail:
                current.append(_WHITESPACE.sub(" ", el.tail))
    flush()
    return "\n\n".join(blocks)


def _squash(text: str) -> str:
    return " ".join(text.split())
