"""The links to expand: from arguments, stdin, or a `resolver scan` output."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from resolver.errors import InputError

#: The link kinds `--from-scan` expands by default: those whose target is unknown offline.
SHORT_KINDS = frozenset({"shortened", "twitter-media"})


def read_links(args: Iterable[str], *, from_scan: str | None = None, all_links: bool = False) -> list[str]:
    """The distinct links to expand, in first-seen order.

    `args` are URLs, or `-` for stdin (one a line; blank lines and `#` comments skipped);
    `from_scan` is a scan output file (or `-`): JSON, JSON Lines or CSV.
    """
    seen: dict[str, None] = {}
    for arg in args:
        lines: Iterable[str] = [arg]
        if arg == "-":
            text = _read_stdin()
            if text.lstrip().startswith(("{", "[")) or _is_scan_csv(text):
                # `resolver scan ... | resolver expand -`: a scan output, read as --from-scan.
                for url in _scan_text_links(text, "-", all_links=all_links):
                    seen.setdefault(url, None)
                continue
            lines = text.splitlines()
        for line in lines:
            # Undecodable bytes (stdin read with surrogateescape) become U+FFFD: the line is
            # still reported (as invalid-url), and every output format can encode it.
            text = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip()
            if text and not text.startswith("#"):
                seen.setdefault(text, None)
    if from_scan is not None:
        for url in scan_links(from_scan, all_links=all_links):
            seen.setdefault(url, None)
    return list(seen)


def _read_stdin() -> str:
    try:
        return sys.stdin.read()
    except UnicodeDecodeError:
        raise InputError("-", "stdin is not text (one URL a line expected)") from None


def scan_links(source: str, *, all_links: bool = False) -> Iterator[str]:
    """The links of a `resolver scan --format json|jsonl|csv` output, in order."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            source, f"cannot read the scan output: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    yield from _scan_text_links(text, source, all_links=all_links)


def _scan_text_links(text: str, source: str, *, all_links: bool) -> Iterator[str]:
    if _is_scan_csv(text):
        yield from _scan_csv_links(text, all_links=all_links)
        return
    for article in _articles(text, source):
        for link in article.get("links") or ():
            if not isinstance(link, dict) or not isinstance(link.get("url"), str):
                continue
            if all_links or link.get("kind") in SHORT_KINDS:
                yield link["url"]


#: The first columns of `resolver scan --format csv` (resolver.report.SCAN_CSV_COLUMNS): how
#: a CSV scan output is told from a list of URLs or JSON.
_SCAN_CSV_HEADER = "article,item,index,url,kind,"


def _is_scan_csv(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith(_SCAN_CSV_HEADER)


def _scan_csv_links(text: str, *, all_links: bool) -> Iterator[str]:
    """The links of a CSV scan output: one row per link (`item` = link) beside the tweets'
    rows; the CSV is the scan's third machine format, so it feeds `--from-scan` as well."""
    # A StringIO, not splitlines(): a tweet's text may hold a quoted newline.
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff \t\r\n"), newline="")):
        url = row.get("url")
        if row.get("item") != "link" or not url:
            continue
        if all_links or row.get("kind") in SHORT_KINDS:
            yield url


def _articles(text: str, source: str) -> Iterator[dict[str, Any]]:
    stripped = text.strip()
    if not stripped:
        return
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError:
        data = None
        rows = []
        for number, line in enumerate(stripped.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                raise InputError(
                    source,
                    f"line {number} is not JSON: expected `resolver scan --format json|jsonl|csv` output "
                    "(the table format is for people)",
                ) from None
        data = rows
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict) and "links" in item:
            yield item
        elif isinstance(item, dict) and "error" in item:
            continue
        else:
            raise InputError(source, "not a `resolver scan` output (objects with `links` expected)")


__all__ = ["SHORT_KINDS", "read_links", "scan_links"]
