"""`resolver scan`: read articles and detect their tweets and links (no network, except
to fetch an article given by URL).

`scan()` handles one input; `scan_many()` streams many, in input order, over a pool of
worker processes when there are enough files to pay for it (parsing is CPU-bound, and
lxml holds the GIL while it builds a tree, so threads would not use the second core).
"""

from __future__ import annotations

import bisect
import multiprocessing
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice

from resolver import rules
from resolver.detect.html import (
    HtmlTooDeep,
    detect_html,
    find_shortcodes,
    link_info,
    shortcode_tweet,
    signature_tweet,
    too_many_links_warning,
)
from resolver.detect.text import Signature, find_signatures
from resolver.errors import InputError
from resolver.inputs import DEFAULT_MAX_SIZE, Article, decode, display_name, iter_sources, load
from resolver.models import ArticleFormat, ArticleScan, Link, ScanFailure, TweetEmbed, Where
from resolver.procs import die_with_parent

_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def scan(
    source: str | os.PathLike[str], *, max_size: int = DEFAULT_MAX_SIZE, timeout: float = 30.0
) -> ArticleScan:
    """Scan one article: a path, `-` for stdin, or an http(s) URL.

    Raises `InputError` (with a one-line reason) for input that cannot be scanned.
    """
    return scan_article(load(os.fspath(source), max_size=max_size, timeout=timeout))


def scan_bytes(
    data: bytes, name: str = "<bytes>", *, content_type: str | None = None, url: str | None = None
) -> ArticleScan:
    """Scan an article already in memory (encoding and format detected from the bytes)."""
    return scan_article(decode(data, name, content_type=content_type, url=url))


def scan_article(article: Article) -> ArticleScan:
    """Detect tweets and links in a decoded article."""
    warnings = list(article.warnings)
    if article.format is ArticleFormat.HTML:
        try:
            found = detect_html(article.text, base_url=article.url)
            tweets, links = list(found.tweets), list(found.links)
            warnings.extend(found.warnings)
        except HtmlTooDeep as exc:
            # Hostile or broken markup: still find what the text and hrefs say.
            warnings.append(f"HTML could not be parsed as a tree ({exc}); scanned as text")
            tweets, links = _scan_tag_soup(article.text)
    else:
        tweets, links = detect_text(article.text)
        if len(links) > rules.MAX_LINKS:
            del links[rules.MAX_LINKS :]
            warnings.append(too_many_links_warning(rules.MAX_LINKS))
    return ArticleScan(
        article=article.name,
        format=article.format,
        tweets=tuple(tweets),
        links=tuple(links),
        encoding=article.encoding,
        size=article.size,
        warnings=tuple(warnings),
    )


def detect_text(text: str) -> tuple[list[TweetEmbed], list[Link]]:
    """Tweets flattened to text (signature lines), shortcodes, and bare URLs of a text article."""
    line_starts = _line_starts(text)

    def where(offset: int) -> Where:
        line = bisect.bisect_right(line_starts, offset) - 1
        return Where(line=line + 1, column=offset - line_starts[line] + 1)

    # One ordering for both kinds of tweet: where they start in the text.
    items: list[tuple[int, Signature | re.Match[str]]] = [(sig.start, sig) for sig in find_signatures(text)]
    items += [(m.start(), m) for m in find_shortcodes(text)]
    items.sort(key=lambda item: item[0])

    tweets: list[TweetEmbed] = []
    spans: list[tuple[int, int, int]] = []
    # One more than the cap, so that the caller can tell the cap was reached.
    urls = list(islice(rules.find_urls(text), rules.MAX_LINKS + 1))
    for _, item in items:
        if isinstance(item, Signature):
            start, end = item.text_start, item.text_end
            tweet_links: list[str] = []
            for s, _e, raw in urls:
                if start <= s < end:
                    url = rules.absolutize(raw)
                    if url and url not in tweet_links and not rules.is_ignored_url(url):
                        tweet_links.append(url)
            spans.append((start, end, len(tweets)))
            if item.url is not None:
                # The signature's own date link (`[date](STATUS)`, a status URL after the date)
                # is the tweet's link, as the date link of an embed is (not one of its text's).
                spans.append((item.start, item.end, len(tweets)))
            at = where(start if end > start else item.start)
            tweets.append(signature_tweet(item, text[start:end], tweet_links, at))
        else:
            tweet = shortcode_tweet(item, where(item.start()))
            if tweet is not None:
                # The URL written in the shortcode is this tweet's link.
                spans.append((item.start(), item.end(), len(tweets)))
                tweets.append(tweet)

    links: list[Link] = []
    for start, _end, raw in urls:
        info = link_info(raw, None)
        if info is None:
            continue
        url, kind, host, status = info
        tweet = next((idx for s, e, idx in spans if s <= start < e), None)
        links.append(
            Link(url=url, raw=raw, kind=kind, host=host, where=where(start), tweet=tweet, status=status)
        )
    return tweets, links


def _scan_tag_soup(markup: str) -> tuple[list[TweetEmbed], list[Link]]:
    """Fallback for markup lxml cannot build a tree of: hrefs by pattern, the rest as text."""
    hrefs = " ".join(match.group(1) for match in _HREF.finditer(markup))
    text = _TAG.sub(" ", markup) + "\n" + hrefs
    return detect_text(text)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


# --- many inputs -------------------------------------------------------------------------


def _scan_one(job: tuple[str, int, float]) -> ArticleScan | ScanFailure:
    source, max_size, timeout = job
    try:
        return scan(source, max_size=max_size, timeout=timeout)
    except InputError as exc:
        return ScanFailure(exc.source, exc.reason)
    except RecursionError:
        return ScanFailure(source, "markup nested too deeply to scan")
    except MemoryError:
        return ScanFailure(source, "out of memory while scanning")
    except Exception as exc:  # a detector bug must not lose the rest of a 100,000-article run
        return ScanFailure(source, f"internal error while scanning ({type(exc).__name__}: {exc})")


#: Below this many inputs a pool costs more (process start, pickling) than it saves.
_POOL_THRESHOLD = 8


def scan_many(
    sources: Iterable[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    timeout: float = 30.0,
) -> Iterator[ArticleScan | ScanFailure]:
    """Scan paths, directories (recursively), `-` and URLs; yield one result per article, in order.

    `workers`: processes to use (default: one per CPU core; 1 scans in this process).
    Inputs that cannot be scanned come out as `ScanFailure`, never as exceptions. Names are
    made writable (`display_name`): a file name that is not UTF-8 must not break the output.
    """
    for result in _scan_many(sources, workers=workers, max_size=max_size, timeout=timeout):
        name = result.article
        if not name.isascii() and display_name(name) != name:
            result = replace(result, article=display_name(name))
        yield result


def _scan_many(
    sources: Iterable[str | os.PathLike[str]], *, workers: int | None, max_size: int, timeout: float
) -> Iterator[ArticleScan | ScanFailure]:
    expanded = iter_sources(os.fspath(s) for s in sources)
    jobs: Iterator[tuple[str, int, float] | InputError] = (
        item if isinstance(item, InputError) else (item, max_size, timeout) for item in expanded
    )
    n_workers = workers if workers and workers > 0 else (os.cpu_count() or 1)
    head = list(islice(jobs, _POOL_THRESHOLD))
    if (
        n_workers == 1
        or len(head) < _POOL_THRESHOLD
        or any(not isinstance(j, InputError) and j[0] == "-" for j in head)
    ):
        for job in [*head, *jobs]:
            yield ScanFailure(job.source, job.reason) if isinstance(job, InputError) else _scan_one(job)
        return
    yield from _pooled([*head], jobs, n_workers)


def _pooled(
    head: list[tuple[str, int, float] | InputError],
    rest: Iterator[tuple[str, int, float] | InputError],
    n_workers: int,
) -> Iterator[ArticleScan | ScanFailure]:
    # fork is much cheaper to start than spawn and the workers inherit the imported modules.
    method = "fork" if sys.platform.startswith("linux") else None
    ctx = multiprocessing.get_context(method)

    def all_jobs() -> Iterator[tuple[str, int, float] | InputError]:
        yield from head
        yield from rest

    with ctx.Pool(n_workers, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        # imap keeps input order; chunks amortise the pickling of small results.
        yield from pool.imap(_scan_or_report, all_jobs(), chunksize=8)


def _scan_or_report(job: tuple[str, int, float] | InputError) -> ArticleScan | ScanFailure:
    if isinstance(job, InputError):
        return ScanFailure(job.source, job.reason)
    return _scan_one(job)
