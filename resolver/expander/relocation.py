"""Where a page sends its reader without a 3xx: the `Refresh` header, meta refresh, script.

Only the first KBs of a body are ever looked at (the engine decides how many). The patterns
are data, each tested on the markup real redirect pages use (t.co's browser page, URL
shorteners' interstitials, CMS "moved" stubs). Two rules keep ordinary pages from being read
as redirects:

- a refresh must name a URL other than the page itself and wait at most MAX_REFRESH_DELAY
  seconds (news front pages reload themselves every few minutes: that is not a redirect);
- a script relocation counts only on a small page (the whole body within SCRIPT_PAGE_LIMIT
  bytes): a full article whose menu script assigns `location.href` on a click is not one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from resolver.expander.verdicts import Via

#: The longest refresh delay (seconds) still taken for a redirect.
MAX_REFRESH_DELAY = 30
#: A script relocation counts only on pages whose whole body is at most this many bytes.
SCRIPT_PAGE_LIMIT = 8 * 1024


@dataclass(frozen=True, slots=True)
class Relocation:
    target: str  #: as written (unescaped), relative or absolute: the caller joins it
    via: Via


# `0;URL=x`, `0; url='x'`, `0,URL=x`, `0;x` (no "url=" at all: browsers accept it), `URL=x`.
_REFRESH_VALUE_RE = re.compile(
    r"""^\s*(?P<delay>\d+(?:\.\d*)?)?\s*[;,]?\s*(?:url\s*=\s*)?(?P<q>['"]?)(?P<url>.*?)(?P=q)\s*;?\s*$""",
    re.IGNORECASE | re.DOTALL,
)


def parse_refresh(value: str) -> tuple[float, str | None] | None:
    """`Refresh` header / meta content -> (delay, URL or None); None if it is not one."""
    match = _REFRESH_VALUE_RE.match(value)
    if match is None:
        return None
    delay_text, url = match["delay"], match["url"].strip()
    if delay_text is None and not url:
        return None
    delay = float(delay_text) if delay_text else 0.0
    return delay, (html.unescape(url) or None)


def refresh_target(value: str) -> str | None:
    """The URL a `Refresh` value sends to now, or None (no URL, or too long a delay)."""
    parsed = parse_refresh(value)
    if parsed is None or parsed[1] is None or parsed[0] > MAX_REFRESH_DELAY:
        return None
    return parsed[1]


# A <meta> tag, attributes in any order, quoted or not; http-equiv matched case-insensitively.
# An unquoted value runs to the next blank or ">", "=" included, as the HTML tokenizer reads
# it: `content=0;url=https://...` (served by old CMS stubs) is the whole refresh, not "0;url".
_META_RE = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>][^\s>]*))""",
)

#: Script relocations: (pattern, what it matches). The URL group is a JS string literal's body.
SCRIPT_PATTERNS: Sequence[tuple[re.Pattern[str], str]] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (
            r"""\blocation\.(?:replace|assign)\s*\(\s*(?P<q>["'])(?P<url>(?:\\.|(?!(?P=q)).)*)(?P=q)""",
            "location.replace(...) / location.assign(...)",
        ),
        (
            r"""\blocation(?:\.href)?\s*=\s*(?P<q>["'])(?P<url>(?:\\.|(?!(?P=q)).)*)(?P=q)""",
            "location = ... / location.href = ...",
        ),
        (
            r"""\bwindow\.open\s*\(\s*(?P<q>["'])(?P<url>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*,\s*["']_self["']""",
            "window.open(url, '_self')",
        ),
    )
)

_JS_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)


def unescape_js(text: str) -> str:
    r"""The value of a JS string literal's body: `https:\/\/t.co` -> `https://t.co`."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t", "r": "\r"}.get(code, code)

    return _JS_ESCAPE_RE.sub(one, text)


_SCRIPT_RE = re.compile(r"<script\b[^>]*>(.*?)(?:</script\s*>|$)", re.IGNORECASE | re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)


def find_meta_refresh(page: str) -> str | None:
    """The target of the first meta refresh that redirects now (see the module's rules)."""
    for tag in _META_RE.finditer(_COMMENT_RE.sub("", page)):
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR_RE.finditer(tag.group())
        }
        if attrs.get("http-equiv", "").strip().lower() != "refresh":
            continue
        target = refresh_target(html.unescape(attrs.get("content", "")))
        if target:
            return target
    return None


def find_script_relocation(page: str) -> str | None:
    """The target of the first script relocation in the page's inline scripts."""
    for script in _SCRIPT_RE.finditer(page):
        code = script.group(1)
        if "location" not in code and "window.open" not in code:
            continue
        for pattern, _name in SCRIPT_PATTERNS:
            match = pattern.search(code)
            if match:
                target = unescape_js(match["url"]).strip()
                if target and not target.lower().startswith("javascript:"):
                    return target
    return None


def find_relocation(page: str, *, whole_body: bool, body_size: int) -> Relocation | None:
    """Where `page` (the decoded first KBs of a body) sends its reader, if anywhere.

    Meta refresh first (t.co's browser page has both, and the meta is what works without
    script); a script relocation only on a small page read whole.
    """
    target = find_meta_refresh(page)
    if target:
        return Relocation(target, Via.META_REFRESH)
    if whole_body and body_size <= SCRIPT_PAGE_LIMIT:
        target = find_script_relocation(page)
        if target:
            return Relocation(target, Via.JS)
    return None


__all__ = [
    "MAX_REFRESH_DELAY",
    "SCRIPT_PAGE_LIMIT",
    "SCRIPT_PATTERNS",
    "Relocation",
    "find_meta_refresh",
    "find_relocation",
    "find_script_relocation",
    "parse_refresh",
    "refresh_target",
    "unescape_js",
]
