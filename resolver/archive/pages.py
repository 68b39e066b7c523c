"""The HTML views of an archive folder: the index, the article with Robust Links, tweet cards.

An archive folder is meant to be opened decades from now, from a disk, in whatever browser
there is, with no network. So every page is one self-contained HTML5 document: inline CSS,
no script at all, and nothing loaded from elsewhere. Everything shown comes from the article
and the web, which are hostile input (a tweet's text can hold `<script>`, an href can be
`javascript:`), so the pages are built under three rules, each kept by one helper:

- every value goes through `_esc` (text and attribute values alike);
- an href to the web is written only for an http(s) URL (`web_href`), percent-encoded;
- a src or href to a file of the folder is only ever a relative path (`local_href`), each
  segment percent-encoded, so a file named `javascript:x` or `//host/x` stays a local file.

A Content-Security-Policy meta element, first in the head, is the second wall: should a value
slip past the rules, the browser still runs no script and loads nothing remote.

`robust_html` is the exception: it returns the article's own markup, unchanged but for the
Robust Links attributes it adds (https://robustlinks.mementoweb.org/spec/), so it keeps
whatever the article held, scripts included.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import escape, unescape
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

from resolver import rules
from resolver.expander.verdicts import TRANSIENT, VERDICTS, Verdict

#: The policy of every page built here. `'self'` lets a page show the folder's own images,
#: video and audio; everything else (scripts, frames, forms, remote anything) is refused.
CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; media-src 'self'; "
    "frame-src 'none'; script-src 'none'; form-action 'none'; base-uri 'none'"
)
_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

#: The Robust Links attributes (spec section 2: data-originalurl, data-versionurl, data-versiondate).
ROBUST_ATTRIBUTES = ("data-originalurl", "data-versionurl", "data-versiondate")


# --- Values into HTML -----------------------------------------------------------------------------


def _esc(value: object) -> str:
    """Text or attribute value, escaped (quotes too: the same helper serves both places)."""
    if value is None:
        return ""
    return escape(value if isinstance(value, str) else str(value), quote=True)


def _str(value: object) -> str | None:
    """A non-empty string from the manifest, or None (a hostile or broken manifest is not an error)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _seq(value: object) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else ()


#: What stays as written in a web href: RFC 3986 reserved characters, "%" (the URL is already
#: percent-encoded where it needs to be) and the unreserved ones. Everything else (spaces,
#: quotes, < >, backslashes, controls, non-ASCII) is percent-encoded.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]~_"
_WEB_RE = re.compile(r"https?://\S", re.IGNORECASE)


def web_href(url: object) -> str | None:
    """The href for a link to the web: only http(s) URLs, percent-encoded; None for anything else.

    `javascript:`, `data:`, `file:` and scheme-relative `//host` links never become an href: the
    page shows them as text. Outer whitespace goes (a browser strips it too) and inner controls
    are encoded, so `java\\tscript:` cannot sneak through.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not _WEB_RE.match(url):
        return None
    return quote(url, safe=_URL_SAFE)


def local_href(path: object) -> str | None:
    """The href (or src) of a file of the folder: a relative path, each segment percent-encoded.

    Manifest paths are relative with "/" separators. Encoding every segment (":" included)
    keeps `javascript:x` a file name; a leading "/" (an absolute path, or `//host`) is refused
    rather than guessed at. ".." stays: a tweet card reaches its media as `../media/...`.
    """
    if not isinstance(path, str) or not path or path.startswith("/"):
        return None
    return "/".join(quote(segment, safe="") for segment in path.split("/"))


def _web_link(url: object, label: object = None, *, cls: str = "url") -> str:
    """A link to the web when the URL is http(s), else the URL as text; label defaults to the URL."""
    text = _esc(label if label is not None else url)
    href = web_href(url)
    if href is None:
        return f'<span class="{cls}">{text}</span>'
    return f'<a class="{cls}" href="{_esc(href)}" rel="noreferrer">{text}</a>'


def _local_link(path: object, label: str) -> str:
    href = local_href(path)
    if href is None:
        return ""
    return f'<a href="{_esc(href)}" title="{_esc(path)}">{_esc(label)}</a>'


def _when(value: object) -> str:
    """An ISO time as `YYYY-MM-DD HH:MM:SS UTC` in a <time> element; other values as given."""
    text = _str(value)
    if text is None:
        return ""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return _esc(text)
    if moment.tzinfo is None:  # a bare date, or a time whose zone nobody said: show it as written
        return f'<time datetime="{_esc(text)}">{_esc(text)}</time>'
    shown = moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f'<time datetime="{_esc(text)}">{shown}</time>'


def _size(value: object) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    size = float(value)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{value:,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return ""  # unreachable: the loop returns at GB


_LANG_RE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def _lang_attr(value: object) -> str:
    """A lang attribute for a BCP 47 tag (Twitter's "und", "qme" included); nothing for anything else."""
    text = _str(value)
    return f' lang="{_esc(text)}"' if text and _LANG_RE.fullmatch(text) else ""


# --- Page frame -----------------------------------------------------------------------------------

# Print: the verdict badges keep their colours (print-color-adjust) and also carry a symbol and
# the slug, so a black-and-white printout still says which link is dead.
_CSS = """
:root{--line:#c8c8c8;--muted:#555;--ok:#116329;--ok-bg:#dafbe1;--dead:#a40e26;--dead-bg:#ffebe9;
--retry:#7d4e00;--retry-bg:#fff8c5;--other:#444;--other-bg:#eaeef2}
html{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#111;
background:#fff}
body{margin:0 auto;padding:1rem 1.25rem 3rem;max-width:82rem}
h1{font-size:1.5rem;margin:.3rem 0 .8rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:2rem 0 .6rem;padding-bottom:.2rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:0 0 .2rem}
a{color:#0646ad}
a,code,td,dd,.url,.text{overflow-wrap:anywhere}
code{font:.88em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{border:1px solid var(--line);padding:.3rem .4rem;vertical-align:top;text-align:left}
thead th{background:#f2f2f2}
td.num{text-align:right;white-space:nowrap}
ul.plain,ol.chain{margin:0;padding-left:1.1rem}
.muted,.meta,.where{color:var(--muted);font-size:.85rem}
.badge{display:inline-block;padding:0 .35rem;border:1px solid;border-radius:.25rem;font-weight:600;
white-space:nowrap}
.ok{color:var(--ok);background:var(--ok-bg)}.dead{color:var(--dead);background:var(--dead-bg)}
.retry{color:var(--retry);background:var(--retry-bg)}.other{color:var(--other);background:var(--other-bg)}
.text{white-space:pre-wrap}
.tweet{border:1px solid var(--line);border-radius:.5rem;padding:.7rem .9rem;margin:0 0 .9rem}
.tweet .text{margin:.4rem 0}
.media{display:flex;flex-wrap:wrap;gap:.5rem;margin:.4rem 0}
img.thumb{max-width:10rem;max-height:10rem;border:1px solid var(--line)}
.missing{font-size:.85rem;color:var(--muted);border:1px dashed var(--line);padding:.3rem .5rem}
@media print{
body{max-width:none;padding:0;font-size:10pt}
a{color:inherit;text-decoration:none}
thead{display:table-header-group}
tr,.tweet{break-inside:avoid}
.badge{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
"""

_CARD_CSS = """
body{max-width:40rem}
.tweet{padding:1rem 1.1rem}
.author{font-weight:700}.handle{color:var(--muted)}
.tweet .text{font-size:1.1rem}
.media img,.media video{max-width:100%;height:auto;border:1px solid var(--line);border-radius:.4rem}
blockquote.quoted,blockquote.reply{margin:.6rem 0;padding:.5rem .7rem;border:1px solid var(--line);
border-radius:.4rem;font-size:.92rem}
blockquote .text{font-size:.95rem}
.state{margin:.4rem 0;padding:.3rem .5rem;border-radius:.25rem}
footer{margin-top:.6rem}
"""


def _page(title: str, body: str, *, css: str = "", lang: str = "en") -> str:
    """A complete document. The CSP comes first, before anything that could load or run."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_esc(lang)}">\n<head>\n'
        f"{_CSP_META}\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Following a link out of an archive should not tell the site where the reader came from.
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_esc(title)}</title>\n"
        f"<style>{_CSS}{css}</style>\n"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


# --- Verdicts -------------------------------------------------------------------------------------


class Tone(NamedTuple):
    """How a verdict is shown: a CSS class (its colour), a symbol, and a word for the legend."""

    css: str
    symbol: str
    label: str


OK_TONE = Tone("ok", "✓", "reachable")
DEAD_TONE = Tone("dead", "✗", "dead or refused (4xx, no such host, ...)")
RETRY_TONE = Tone("retry", "⚠", "failed for now (timeout, 5xx, ...): worth trying again")
OTHER_TONE = Tone("other", "?", "other")


def verdict_tone(verdict: object) -> Tone:
    """The colour class of a verdict slug: green for ok, red for definite failures, amber for transient.

    4xx are red even when the cache treats them as liveness (401 wants a login: the reader
    cannot see the page either); the transient verdicts of `VERDICTS` (timeouts, 5xx, resets)
    are amber. Slugs this version does not know fall back on their HTTP class, then grey.
    """
    slug = _str(verdict) or ""
    if slug == Verdict.OK:
        return OK_TONE
    try:
        known = Verdict(slug)
    except ValueError:
        if slug.startswith("http-5"):
            return RETRY_TONE
        return DEAD_TONE if slug.startswith("http-4") else OTHER_TONE
    return RETRY_TONE if VERDICTS[known].cache_kind == TRANSIENT else DEAD_TONE


def _badge(verdict: object) -> str:
    tone = verdict_tone(verdict)
    slug = _str(verdict) or "unknown"
    try:
        meaning = VERDICTS[Verdict(slug)].meaning
    except ValueError:
        meaning = tone.label
    return f'<span class="badge {tone.css}" title="{_esc(meaning)}">{tone.symbol} {_esc(slug)}</span>'


#: Tweet states, coloured like verdicts: gone for good is red, "try later" amber.
_STATE_TONES = {
    "available": OK_TONE,
    "deleted": DEAD_TONE,
    "suspended": DEAD_TONE,
    "protected": DEAD_TONE,
    "withheld": DEAD_TONE,
    "age-restricted": RETRY_TONE,
    "unavailable": RETRY_TONE,
}


def _state_badge(state: object) -> str:
    slug = _str(state) or "unknown"
    tone = _STATE_TONES.get(slug, OTHER_TONE)
    return f'<span class="badge {tone.css}">{tone.symbol} {_esc(slug)}</span>'


# --- The index --------------------------------------------------------------------------------------


def render_index(manifest: Mapping[str, Any]) -> str:
    """index.html: every source the article cites, its fate, and links to the local copies.

    Sections: the article and the runs (with their WARC, CDXJ, WACZ and SHA256SUMS), a summary,
    a table of every link occurrence, the tweets, and the list of all files.
    """
    article = _map(manifest.get("article"))
    links = [_map(link) for link in _seq(manifest.get("links"))]
    tweets = [_map(tweet) for tweet in _seq(manifest.get("tweets"))]
    title = _str(article.get("title")) or _str(article.get("source")) or "Article"
    body = [
        "<header>\n",
        f'<p class="muted">Archive of the sources cited by</p>\n<h1>{_esc(title)}</h1>\n',
        _article_facts(article),
        "</header>\n",
        _runs_section(_seq(manifest.get("runs"))),
        _summary_section(links, tweets),
        _links_section(links),
        _tweets_section(tweets, links),
        _files_section(_map(manifest.get("files"))),
        _footer(_map(manifest.get("tool")), _str(manifest.get("manifest_version"))),
    ]
    return _page(f"Archive: {title}", "".join(body))


def _article_facts(article: Mapping[str, Any]) -> str:
    rows: list[tuple[str, str]] = []
    source = _str(article.get("source"))
    if source:
        rows.append(("Source", _web_link(source)))
    url = _str(article.get("url"))
    if url and url != source:
        rows.append(("URL", _web_link(url)))
    story = _local_link(article.get("file"), _str(article.get("file")) or "")
    if story:
        rows.append(
            ("This copy", f"{story} <span class=muted>(its links carry Robust Links attributes)</span>")
        )
    published = _str(article.get("published"))
    if published:
        how = _str(article.get("published_source"))
        rows.append(
            (
                "Published",
                _esc(published) + (f' <span class="muted">(from {_esc(how)})</span>' if how else ""),
            )
        )
    digest = _str(article.get("sha256"))
    if digest:
        rows.append(("SHA-256", f"<code>{_esc(digest)}</code>"))
    facts = ", ".join(
        part
        for part in (
            _esc(_str(article.get("format")) or ""),
            _size(article.get("size")),
            _esc(_str(article.get("encoding")) or ""),
        )
        if part
    )
    if facts:
        rows.append(("Format", facts))
    return _facts(rows)


def _facts(rows: Sequence[tuple[str, str]]) -> str:
    if not rows:
        return ""
    items = "".join(f"<dt>{_esc(name)}</dt><dd>{value}</dd>\n" for name, value in rows)
    return f'<dl class="facts">\n{items}</dl>\n'


def _runs_section(runs: Sequence[Any]) -> str:
    if not runs:
        return ""
    rows = []
    for run in map(_map, runs):
        state = "complete" if run.get("complete") else "incomplete"
        if run.get("interrupted"):
            state += ", interrupted"
        if _str(run.get("resumes")):
            state += f", resumes {_esc(run.get('resumes'))}"
        counts = _map(run.get("counts"))
        files = [
            _local_link(path, f"WARC {n}" if len(_seq(run.get("warc"))) > 1 else "WARC")
            for n, path in enumerate(_seq(run.get("warc")), 1)
        ]
        files += [
            _local_link(run.get("cdxj"), "CDXJ index"),
            _local_link(run.get("wacz"), "WACZ"),
            _local_link(run.get("sha256sums"), "SHA256SUMS"),
        ]
        rows.append(
            "<tr>"
            f"<td><code>{_esc(run.get('id'))}</code></td>"
            f"<td>{_when(run.get('started_at'))}</td>"
            f"<td>{_when(run.get('finished_at'))}</td>"
            f"<td>{state}</td>"
            + "".join(f'<td class="num">{_esc(_count(counts, key))}</td>' for key in _RUN_COUNTS)
            + f'<td class="num">{_size(counts.get("bytes"))}</td>'
            f"<td>{' · '.join(link for link in files if link)}</td>"
            "</tr>\n"
        )
    head = "".join(f'<th scope="col">{_esc(name)}</th>' for name in _RUN_HEAD)
    return (
        '<section id="runs">\n<h2>Runs</h2>\n<table>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{''.join(rows)}</tbody>\n</table>\n</section>\n"
    )


_RUN_COUNTS = ("links", "archived", "failed", "tweets")
_RUN_HEAD = ("Run", "Started", "Finished", "State", "Links", "Archived", "Failed", "Tweets", "Bytes", "Files")


def _count(counts: Mapping[str, Any], key: str) -> str:
    value = counts.get(key)
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def _summary_section(links: Sequence[Mapping[str, Any]], tweets: Sequence[Mapping[str, Any]]) -> str:
    tones = Counter(verdict_tone(link.get("verdict")) for link in links)
    urls = {_str(link.get("url")) for link in links}
    copies = sum(1 for link in links if _has_copy(link))
    mementos = sum(1 for link in links if _str(_map(link.get("memento")).get("url")))
    items = [
        f"<li>{len(links)} link occurrence(s), {len(urls - {None})} distinct URL(s)</li>",
        f"<li>{copies} with a local copy, {mementos} with a Wayback Machine capture</li>",
    ]
    items += [
        f'<li><span class="badge {tone.css}">{tone.symbol} {tones[tone]}</span> {_esc(tone.label)}</li>'
        for tone in (OK_TONE, DEAD_TONE, RETRY_TONE, OTHER_TONE)
        if tones[tone]
    ]
    if tweets:
        states = Counter(_str(tweet.get("state")) or "unknown" for tweet in tweets)
        by_state = ", ".join(f"{_state_badge(state)} {count}" for state, count in sorted(states.items()))
        items.append(f"<li>{len(tweets)} tweet(s): {by_state}</li>")
    return '<section id="summary">\n<h2>Summary</h2>\n<ul>\n' + "\n".join(items) + "\n</ul>\n</section>\n"


def _has_copy(link: Mapping[str, Any]) -> bool:
    copy = _map(link.get("copy"))
    return any(_str(copy.get(key)) for key in ("html", "file", "text"))


_LINK_HEAD = ("#", "Where", "Link as written", "Kind", "Verdict", "Final URL", "Chain", "Copies", "Reason")


def _links_section(links: Sequence[Mapping[str, Any]]) -> str:
    if not links:
        return '<section id="links">\n<h2>Links</h2>\n<p>The article cites no link.</p>\n</section>\n'
    head = "".join(f'<th scope="col">{_esc(name)}</th>' for name in _LINK_HEAD)
    rows = "".join(_link_row(n, link) for n, link in enumerate(links, 1))
    return (
        '<section id="links">\n<h2>Links</h2>\n<table>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</section>\n"
    )


def _link_row(n: int, link: Mapping[str, Any]) -> str:
    raw, url = _str(link.get("raw")), _str(link.get("url"))
    written = [f"<code>{_esc(raw or url)}</code>"]
    if url and url != raw:
        written.append(f"<br>{_web_link(url)}")
    if _str(link.get("text")):
        written.append(f'<br><span class="muted">“{_esc(link.get("text"))}”</span>')
    status = link.get("http_status")
    verdict = _badge(link.get("verdict"))
    if isinstance(status, int) and not isinstance(status, bool):
        verdict += f" <span class=muted>HTTP {status}</span>"
    if _str(link.get("archived_at")):
        verdict += f'<br><span class="muted">{_when(link.get("archived_at"))}</span>'
    final = _str(link.get("final_url"))
    reason = "" if verdict_tone(link.get("verdict")) is OK_TONE else _esc(link.get("reason"))
    return (
        f'<tr id="link-{n}">'
        f'<td class="num">{n}</td>'
        f'<td class="where">{_where(link)}</td>'
        f"<td>{''.join(written)}</td>"
        f"<td>{_esc(link.get('kind'))}</td>"
        f"<td>{verdict}</td>"
        f"<td>{_web_link(final) if final and final != url else ('same' if final else '')}</td>"
        f"<td>{_chain(_seq(link.get('chain')))}</td>"
        f"<td>{_copies(link)}</td>"
        f"<td>{reason}</td>"
        "</tr>\n"
    )


def _where(link: Mapping[str, Any]) -> str:
    where = _map(link.get("where"))
    parts = []
    if _str(where.get("element")):
        attribute = _str(where.get("attribute"))
        parts.append(
            f"<code>&lt;{_esc(where.get('element'))}{' ' + _esc(attribute) if attribute else ''}&gt;</code>"
        )
    if _str(where.get("line")):
        parts.append(f"line {_esc(where.get('line'))}")
    if _str(where.get("column")):
        parts.append(f"col. {_esc(where.get('column'))}")
    tweet = link.get("tweet")
    if isinstance(tweet, int) and not isinstance(tweet, bool):
        parts.append(f'in <a href="#tweet-{tweet}">tweet {tweet}</a>')
    return ", ".join(parts)


def _chain(hops: Sequence[Any]) -> str:
    """The chain as one line per hop: status, how it led on, and the host (the URL on hover)."""
    if not hops:
        return ""
    items = []
    for hop in map(_map, hops):
        status = hop.get("status")
        shown = str(status) if isinstance(status, int) and not isinstance(status, bool) else "—"
        url = _str(hop.get("url")) or ""
        error = f' <span class="muted">{_esc(hop.get("error"))}</span>' if _str(hop.get("error")) else ""
        items.append(
            f'<li title="{_esc(url)}"><b>{shown}</b> {_esc(hop.get("via"))} '
            f'<span class="url muted">{_esc(rules.host_of(url) or url)}</span>{error}</li>'
        )
    return f'<ol class="chain">{"".join(items)}</ol>'


def _copies(link: Mapping[str, Any]) -> str:
    copy = _map(link.get("copy"))
    parts = [
        _local_link(copy.get("html"), "readable copy"),
        _local_link(copy.get("file"), "original file"),
        _local_link(copy.get("text"), "text"),
    ]
    resources = len(_seq(copy.get("resources")))
    if resources:
        parts.append(f'<span class="muted">+{resources} resource(s)</span>')
    memento = _map(link.get("memento"))
    if web_href(memento.get("url")):
        when = _str(memento.get("datetime"))
        parts.append(_web_link(memento.get("url"), "Wayback Machine" + (f" ({when[:10]})" if when else "")))
    facts = [_esc(link.get("content_type")) if _str(link.get("content_type")) else ""]
    if link.get("truncated"):
        facts.append("truncated")
    if copy.get("revisit"):
        facts.append("same as an earlier capture")
    if any(facts):
        parts.append(f'<span class="muted">{", ".join(fact for fact in facts if fact)}</span>')
    return "<br>".join(part for part in parts if part)


def _tweets_section(tweets: Sequence[Mapping[str, Any]], links: Sequence[Mapping[str, Any]]) -> str:
    if not tweets:
        return ""
    in_tweet: dict[int, list[int]] = {}
    for n, link in enumerate(links, 1):
        if isinstance(link.get("tweet"), int):
            in_tweet.setdefault(link["tweet"], []).append(n)
    blocks = "".join(_tweet_block(tweet, in_tweet) for tweet in tweets)
    return f'<section id="tweets">\n<h2>Tweets</h2>\n{blocks}</section>\n'


def _tweet_block(tweet: Mapping[str, Any], in_tweet: Mapping[int, list[int]]) -> str:
    index = tweet.get("index")
    anchor = f' id="tweet-{index}"' if isinstance(index, int) and not isinstance(index, bool) else ""
    author, handle = _str(tweet.get("author")), _str(tweet.get("handle"))
    who = " ".join(
        part
        for part in (
            _esc(author) if author else "",
            f'<span class="muted">@{_esc(handle)}</span>' if handle else "",
        )
        if part
    )
    meta = [_state_badge(tweet.get("state"))]
    if _str(tweet.get("created_at")):
        meta.append(_when(tweet.get("created_at")))
    if _str(tweet.get("id")):
        found = _str(tweet.get("id_source"))
        confidence = tweet.get("confidence")
        how = ", ".join(
            part
            for part in (
                f"from {_esc(found)}" if found else "",
                f"confidence {confidence:.2f}" if isinstance(confidence, int | float) else "",
            )
            if part
        )
        meta.append(f"ID <code>{_esc(tweet.get('id'))}</code>" + (f" ({how})" if how else ""))
    text = _str(tweet.get("text"))
    media = "".join(_index_medium(_map(medium)) for medium in _seq(tweet.get("media")))
    links = [
        _local_link(tweet.get("card"), "card"),
        _local_link(tweet.get("json"), "JSON"),
        _web_link(tweet.get("url"), "on Twitter") if web_href(tweet.get("url")) else "",
    ]
    cited = in_tweet.get(index, []) if isinstance(index, int) else []
    if cited:
        links.append("links " + ", ".join(f'<a href="#link-{n}">#{n}</a>' for n in cited))
    shown_links = " · ".join(link for link in links if link)
    reason = _str(tweet.get("reason"))
    warnings = "".join(f"<li>{_esc(w)}</li>" for w in _seq(tweet.get("warnings")) if _str(w))
    return (
        f'<article class="tweet"{anchor}>\n'
        f"<h3>{who or 'Tweet'} <span class=muted>#{_esc(index)}</span></h3>\n"
        f'<p class="meta">{" · ".join(meta)}</p>\n'
        + (f'<p class="text" dir="auto">{_esc(text)}</p>\n' if text else "")
        + (f'<div class="media">{media}</div>\n' if media else "")
        + (f'<p class="meta">{shown_links}</p>\n' if shown_links else "")
        + (f'<p class="meta">{_esc(reason)}</p>\n' if reason else "")
        + (f'<ul class="meta">{warnings}</ul>\n' if warnings else "")
        + "</article>\n"
    )


def _index_medium(medium: Mapping[str, Any]) -> str:
    """A photo as a thumbnail of its local copy, a video as a link to it, a missing one as a note."""
    kind = _str(medium.get("type")) or "medium"
    href = local_href(medium.get("file"))
    if href is None:
        url = _esc(medium.get("url"))
        return f'<span class="missing">{_esc(kind)} not saved: <span class="url">{url}</span></span>'
    if kind == "photo":
        alt = _esc(medium.get("alt_text"))
        return f'<a href="{_esc(href)}"><img class="thumb" src="{_esc(href)}" alt="{alt}"></a>'
    return f'<a href="{_esc(href)}">▶ {_esc(kind)} ({_size(medium.get("size")) or "file"})</a>'


def _files_section(files: Mapping[str, Any]) -> str:
    if not files:
        return ""
    rows = []
    for path in sorted(files):
        info = _map(files[path])
        rows.append(
            f"<tr><td>{_local_link(path, path) or _esc(path)}</td>"
            f'<td class="num">{_size(info.get("size"))}</td>'
            f"<td><code>{_esc(info.get('sha256'))}</code></td>"
            f"<td><code>{_esc(info.get('run'))}</code></td></tr>\n"
        )
    total = sum(size for size in (_map(v).get("size") for v in files.values()) if isinstance(size, int))
    return (
        '<section id="files">\n<h2>Files</h2>\n'
        f"<details><summary>{len(files)} file(s), {_size(total)}</summary>\n<table>\n"
        '<thead><tr><th scope="col">Path</th><th scope="col">Size</th><th scope="col">SHA-256</th>'
        '<th scope="col">Run</th></tr></thead>\n'
        f"<tbody>\n{''.join(rows)}</tbody>\n</table>\n</details>\n</section>\n"
    )


def _footer(tool: Mapping[str, Any], version: str | None) -> str:
    name = _esc(_str(tool.get("name")) or "resolver")
    made = f"{name} {_esc(tool.get('version'))}".strip()
    manifest = f", manifest v{_esc(version)}" if version else ""
    return (
        f'<footer class="muted"><p>Made by {made}{manifest}. The machine-readable record is '
        '<a href="manifest.json">manifest.json</a>.</p></footer>\n'
    )


# --- Robust Links -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RobustLink:
    """What a link's Robust Links attributes say: where it led, and the copy kept of it.

    `version_url` is the relative path of the local copy as the manifest writes it ("/"
    separators, not percent-encoded: the attribute is encoded here), or the Wayback memento's
    URL. Relative paths are relative to the page the link sits in.
    """

    original_url: str
    version_url: str
    version_date: str  #: YYYY-MM-DD


def _robust_attributes(link: RobustLink) -> str:
    """The three attributes, ASCII only (non-ASCII as character references), or "" if unsafe.

    ASCII keeps the inserted text valid in whatever encoding the article is written back in.
    A version URL that is neither http(s) nor a relative path is dropped with its link: the
    Robust Links script, if a reader adds it, turns data-versionurl into a link.
    """
    version = web_href(link.version_url)
    if version is None and not _has_scheme(link.version_url):
        version = local_href(link.version_url)
    original = web_href(link.original_url)
    if version is None or original is None:
        return ""
    values = (link.original_url, version, link.version_date)
    return "".join(
        f' {name}="{escape(value, quote=True).encode("ascii", "xmlcharrefreplace").decode("ascii")}"'
        for name, value in zip(ROBUST_ATTRIBUTES, values, strict=True)
    )


def _has_scheme(url: str) -> bool:
    try:
        return bool(urlsplit(url).scheme)
    except ValueError:
        return True  # unparseable: treat as unsafe


class _Attribute(NamedTuple):
    name: str  #: lower-case
    value: str  #: as written, entities not decoded
    start: int  #: where removing it starts (the whitespace before it included)
    end: int


class _StartTag(NamedTuple):
    name: str
    attributes: tuple[_Attribute, ...]
    start: int
    end: int  #: just after ">"


# The HTML tokenizer, reduced to what finding start tags needs (WHATWG HTML section 13.2.5):
# a tag opens with "<" and a letter; attribute names run to whitespace, "/", ">" or "="; values
# are double-quoted, single-quoted (">" allowed inside both) or unquoted to whitespace or ">".
# "/" between attributes is a separator. Comments, doctypes and processing instructions are
# skipped, and so are the contents of raw-text and RCDATA elements (a "<a" in a script string
# or a <textarea> is not an anchor).
_TAG_OPEN_RE = re.compile(r"<(?:(!--)|([!?]|/(?![A-Za-z]))|(/)?([A-Za-z][^\t\n\f\r />]*))")
_ATTRIBUTE_RE = re.compile(
    r"(?P<sep>[\t\n\f\r /]*)"
    r"(?P<name>[^\t\n\f\r />][^\t\n\f\r /=>]*)"
    r"(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<uq>[^\t\n\f\r >]*)))?"
)
_TAG_CLOSE_RE = re.compile(r"[\t\n\f\r /]*>")
_COMMENT_END_RE = re.compile(r"--!?>")
_SPACES = "\t\n\f\r "
#: The end tag that closes each raw-text (script, style, ...) and RCDATA (textarea, title) element.
_RAW_TEXT = {
    name: re.compile(rf"</{name}[{_SPACES}/>]", re.IGNORECASE)
    for name in ("script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title")
}


def _start_tags(doc: str) -> Iterator[_StartTag]:
    """The start tags of a document in order, with their attributes' offsets."""
    pos = 0
    while (m := _TAG_OPEN_RE.search(doc, pos)) is not None:
        if m.group(1):  # <!-- ... -->; "<!-->" and "<!--->" close at once (abrupt closing)
            after = m.end()
            if doc.startswith(">", after) or doc.startswith("->", after):
                pos = doc.index(">", after) + 1
                continue
            end = _COMMENT_END_RE.search(doc, after)
            if end is None:
                return
            pos = end.end()
            continue
        if m.group(2):  # <!DOCTYPE>, <![CDATA[...]> outside foreign content, <?...>, </ x>: to the next ">"
            close = doc.find(">", m.end())
            if close < 0:
                return
            pos = close + 1
            continue
        parsed = _attributes(doc, m.end())
        if parsed is None:  # a tag cut off by the end of the document is dropped by browsers too
            return
        attributes, end = parsed
        pos = end
        if m.group(3):  # an end tag: its attributes (if any) were skipped with it
            continue
        name = m.group(4).lower()
        yield _StartTag(name, attributes, m.start(), end)
        if name == "plaintext":
            return
        if name in _RAW_TEXT:
            close = _RAW_TEXT[name].search(doc, end)
            if close is None:
                return
            pos = close.start()


def _attributes(doc: str, pos: int) -> tuple[tuple[_Attribute, ...], int] | None:
    found: list[_Attribute] = []
    while True:
        close = _TAG_CLOSE_RE.match(doc, pos)
        if close is not None:
            return tuple(found), close.end()
        m = _ATTRIBUTE_RE.match(doc, pos)
        if m is None:  # only separators left: the document ends inside the tag
            return None
        unquoted = m.group("uq")
        if unquoted is not None and unquoted[:1] in ("'", '"'):  # an unclosed quote runs to the end
            return None
        value = m.group("dq") if m.group("dq") is not None else m.group("sq")
        if value is None:
            value = unquoted or ""
        sep = m.group("sep")
        spaces = len(sep) - len(sep.rstrip(_SPACES))
        found.append(_Attribute(m.group("name").lower(), value, m.start("name") - spaces, m.end()))
        pos = m.end()


def _first(attributes: Sequence[_Attribute], name: str) -> _Attribute | None:
    # Of duplicated attributes, the first counts (HTML section 13.2.5.33, duplicate-attribute).
    return next((a for a in attributes if a.name == name), None)


def _document_base(tags: Sequence[_StartTag], given: str | None) -> str | None:
    """Where relative hrefs point: as `resolver.detect.html` decides (base, canonical, og:url, given)."""
    for name, attribute, wanted in (
        ("base", "href", None),
        ("link", "href", "canonical"),
        ("meta", "content", "og:url"),
    ):
        for tag in tags:
            if tag.name != name:
                continue
            if wanted == "canonical":
                rel = _first(tag.attributes, "rel")
                if rel is None or "canonical" not in unescape(rel.value).lower().split():
                    continue
            elif wanted == "og:url":
                prop = _first(tag.attributes, "property")
                if prop is None or unescape(prop.value).strip().lower() != "og:url":
                    continue
            value = _first(tag.attributes, attribute)
            if value is not None and (url := rules.absolutize(unescape(value.value), given)):
                return url
    return given


def robust_html(html: str, links: Mapping[str, RobustLink], *, base_url: str | None = None) -> str:
    """The article's markup with Robust Links attributes on every anchor whose href is in `links`.

    An href matches as written (entities decoded, or not), without its outer whitespace, or in
    its absolute form (resolved like the detector does: `<base>`, canonical, og:url, then
    `base_url`). Only the start tags of those anchors change: stale data-originalurl,
    data-versionurl and data-versiondate are removed, and the three attributes are inserted
    after the tag's last attribute. Every other character of the document stays as it was.
    """
    tags = list(_start_tags(html))
    base: str | None = None
    base_known = False
    edits: list[tuple[int, int, str]] = []
    for tag in tags:
        if tag.name != "a":
            continue
        href = _first(tag.attributes, "href")
        if href is None:
            continue
        decoded = unescape(href.value)
        link = next((links[c] for c in (decoded, href.value, decoded.strip()) if c in links), None)
        if link is None:
            if not base_known:
                base, base_known = _document_base(tags, base_url), True
            absolute = rules.absolutize(decoded, base)
            link = links.get(absolute) if absolute else None
        if link is None:
            continue
        inserted = _robust_attributes(link)
        if not inserted:
            continue
        kept = [a for a in tag.attributes if a.name not in ROBUST_ATTRIBUTES]
        edits.append((kept[-1].end, kept[-1].end, inserted))
        edits += [(a.start, a.end, "") for a in tag.attributes if a.name in ROBUST_ATTRIBUTES]
    if not edits:
        return html
    out: list[str] = []
    pos = 0
    for start, end, text in sorted(edits):
        out.append(html[pos:start])
        out.append(text)
        pos = end
    out.append(html[pos:])
    return "".join(out)


def robust_text(
    text: str, links: Sequence[tuple[int, int, str]], robust: Mapping[str, RobustLink], title: str
) -> str:
    """A plain-text or Markdown article as a page: the text as written, its links made links.

    `links` are (start, end, url) character spans of `text`. A span whose URL is in `robust`
    carries the Robust Links attributes; one that is not http(s) stays text; spans that
    overlap an earlier one or fall outside the text are skipped (the text still shows).
    """
    parts: list[str] = []
    pos = 0
    for start, end, url in sorted(links, key=lambda span: (span[0], span[1])):
        if start < pos or end <= start or end > len(text):
            continue
        parts.append(_pre_text(text[pos:start]))
        shown = _pre_text(text[start:end])
        href = web_href(url)
        if href is None:
            parts.append(shown)
        else:
            link = robust.get(url) or robust.get(text[start:end])
            extra = _robust_attributes(link) if link else ""
            parts.append(f'<a href="{_esc(href)}"{extra} rel="noreferrer">{shown}</a>')
        pos = end
    parts.append(_pre_text(text[pos:]))
    text_html = "".join(parts)
    body = (
        f'<main>\n<h1>{_esc(title)}</h1>\n<div class="text article" dir="auto">{text_html}</div>\n</main>\n'
    )
    return _page(title, body, css=".article{font-size:1.05rem;max-width:48rem}")


def _pre_text(text: str) -> str:
    # An HTML parser turns CR and CR LF into LF before anything else; as a character reference,
    # CR survives, so the page's text is the article's text to the byte.
    return escape(text, quote=False).replace("\r", "&#13;")


# --- Tweet cards ------------------------------------------------------------------------------------


def render_tweet_card(
    tweet: Mapping[str, Any], *, media_files: Sequence[tuple[Mapping[str, Any], str | None]], captured_at: str
) -> str:
    """A standalone page for one tweet, built from its record: nothing from Twitter runs or loads.

    `tweet` is a record of the tweet stage (`Tweet.to_json()`); `media_files` pairs media dicts
    with the path of their local copy relative to the card's folder (None when not saved),
    matched to the record's media (the quoted tweet's too) by identity, then by URL. A video's
    poster shows when its media dict names a local `poster_file` (relative to the card).
    """
    by_id: dict[int, str | None] = {}
    by_url: dict[str, str | None] = {}
    for medium, path in media_files:
        by_id[id(medium)] = path
        url = _str(_map(medium).get("url"))
        if url and by_url.get(url) is None:
            by_url[url] = path

    def path_of(medium: Mapping[str, Any]) -> str | None:
        if id(medium) in by_id:
            return by_id[id(medium)]
        return by_url.get(_str(medium.get("url")) or "")

    handle, author = _str(tweet.get("handle")), _str(tweet.get("author"))
    who = f"@{handle}" if handle else (author or "Tweet")
    if author and handle:
        who = f"{author} (@{handle})"
    when = _str(tweet.get("created_at"))
    title = f"{who}{', ' + when[:10] if when else ''}"
    footer = [
        f"Source: {_esc(tweet.get('source') or 'none')}",
        f"fetched {_when(tweet.get('fetched_at')) or 'never'}",
        f"archived {_when(captured_at) or _esc(captured_at)}",
    ]
    if web_href(tweet.get("url")):
        footer.append(_web_link(tweet.get("url"), "the tweet on Twitter"))
    reason = _str(tweet.get("reason"))
    body = (
        '<article class="tweet">\n'
        + _tweet_body(tweet, path_of, depth=0)
        + "<footer class=meta>\n"
        + f"<p>ID <code>{_esc(tweet.get('id'))}</code> · {' · '.join(footer)}</p>\n"
        + (f"<p>{_esc(reason)}</p>\n" if reason else "")
        + "</footer>\n</article>\n"
    )
    return _page(f"Tweet: {title}", body, css=_CARD_CSS)


#: The local path of a medium (relative to the card), or None when it was not saved.
_PathOf = Callable[[Mapping[str, Any]], str | None]

#: Quoted and replied-to tweets are fetched one level deep; the bound guards a hand-made record.
_MAX_DEPTH = 2


def _tweet_body(record: Mapping[str, Any], path_of: _PathOf, *, depth: int) -> str:
    handle, author = _str(record.get("handle")), _str(record.get("author"))
    head = []
    if author:
        head.append(f'<span class="author">{_esc(author)}</span>')
    if handle:
        head.append(f'<span class="handle">@{_esc(handle)}</span>')
    if _str(record.get("created_at")):
        head.append(f'<span class="meta">{_when(record.get("created_at"))}</span>')
    parts = [f"<header>{' '.join(head) or 'Tweet'}</header>\n"]
    reply = _map(record.get("in_reply_to"))
    reply_to = _str(record.get("in_reply_to_handle")) or _str(reply.get("handle"))
    if reply_to:
        parts.append(f'<p class="meta">Replying to @{_esc(reply_to)}</p>\n')
    if reply and depth < _MAX_DEPTH:
        parts.append(
            f'<blockquote class="reply">\n{_tweet_body(reply, path_of, depth=depth + 1)}</blockquote>\n'
        )
    state = _str(record.get("state"))
    if state and state != "available":
        parts.append(_state_note(record, state))
    text = _tweet_text(record)
    if text:
        parts.append(f'<p class="text" dir="auto"{_lang_attr(record.get("lang"))}>{text}</p>\n')
    media = "".join(_card_medium(_map(m), path_of(_map(m))) for m in _seq(record.get("media")))
    if media:
        parts.append(f'<div class="media">{media}</div>\n')
    quoted = _map(record.get("quoted"))
    if quoted and depth < _MAX_DEPTH:
        parts.append(
            f'<blockquote class="quoted">\n{_tweet_body(quoted, path_of, depth=depth + 1)}</blockquote>\n'
        )
    if depth and web_href(record.get("url")):
        parts.append(f'<p class="meta">{_web_link(record.get("url"), "the tweet on Twitter")}</p>\n')
    return "".join(parts)


def _state_note(record: Mapping[str, Any], state: str) -> str:
    tone = _STATE_TONES.get(state, OTHER_TONE)
    capture = _str(record.get("capture_url"))
    if capture:
        what = f"content from the Wayback capture {_web_link(capture)}"
    else:
        what = _esc(_str(record.get("reason")) or "no source had its content")
    return f'<p class="state {tone.css}"><b>{_esc(state)}</b> — {what}</p>\n'


def _tweet_text(record: Mapping[str, Any]) -> str:
    """The text, escaped, with its links as links (href = where they lead) and bare URLs linked.

    The t.co form (`text_original`) is used when the record has it: each t.co link there is
    exactly an entry of `urls`. Otherwise the expanded text, whose links are the expanded URLs.
    Hashtags and mentions stay plain text: they would link to Twitter, not to the archive.
    """
    entries = [_map(u) for u in _seq(record.get("urls"))]
    original, expanded = _str(record.get("text_original")), _str(record.get("text"))
    targets: dict[str, tuple[str, str]] = {}
    if original and entries:
        source = original
        for entry in entries:
            short, long = _str(entry.get("url")), _str(entry.get("expanded_url"))
            if short:
                targets[short] = (long or short, _str(entry.get("display_url")) or long or short)
    else:
        source = expanded or original or ""
        for entry in entries:
            long = _str(entry.get("expanded_url"))
            if long:
                targets[long] = (long, _str(entry.get("display_url")) or long)
    if not source:
        return ""
    out: list[str] = []
    pos = 0
    if targets:
        pattern = re.compile("|".join(re.escape(t) for t in sorted(targets, key=len, reverse=True)))
        for m in pattern.finditer(source):
            out.append(_linkify(source[pos : m.start()]))
            href, label = targets[m.group()]
            out.append(_web_link(href, label, cls="link"))
            pos = m.end()
    out.append(_linkify(source[pos:]))
    return "".join(out)


def _linkify(text: str) -> str:
    out: list[str] = []
    pos = 0
    for start, end, url in rules.find_urls(text):
        out.append(_esc(text[pos:start]))
        out.append(_web_link(rules.absolutize(url) or url, text[start:end], cls="link"))
        pos = end
    out.append(_esc(text[pos:]))
    return "".join(out)


#: How a medium is named on a card ("animated_gif" is Twitter's word, not a reader's).
_MEDIA_NAMES = {"photo": "photo", "video": "video", "animated_gif": "GIF"}


def _card_medium(medium: Mapping[str, Any], path: str | None) -> str:
    """A photo as an <img>, a video or GIF as a <video>, all from the local copy; else a note."""
    kind = _str(medium.get("type")) or "medium"
    name = _MEDIA_NAMES.get(kind, kind)
    src = local_href(path)
    if src is None:
        url = _esc(medium.get("url"))
        return (
            f'<p class="missing">The {_esc(name)} was not saved. It was at <span class="url">{url}</span></p>'
        )
    size = "".join(
        f' {name}="{value}"'
        for name in ("width", "height")
        if isinstance(value := medium.get(name), int) and not isinstance(value, bool)
    )
    alt = _esc(medium.get("alt_text"))
    if kind == "photo":
        return f'<a href="{_esc(src)}"><img src="{_esc(src)}" alt="{alt}"{size}></a>'
    poster = local_href(medium.get("poster_file"))
    extra = f' poster="{_esc(poster)}"' if poster else ""
    if kind == "animated_gif":  # what Twitter calls a GIF is a silent MP4 that loops
        extra += " loop muted"
    title = f' title="{alt}"' if alt else ""
    return (
        f'<video controls preload="metadata" src="{_esc(src)}"{extra}{size}{title}>'
        f'<a href="{_esc(src)}">The {_esc(name)}</a></video>'
    )


__all__ = [
    "CSP",
    "ROBUST_ATTRIBUTES",
    "RobustLink",
    "Tone",
    "local_href",
    "render_index",
    "render_tweet_card",
    "robust_html",
    "robust_text",
    "verdict_tone",
    "web_href",
]
