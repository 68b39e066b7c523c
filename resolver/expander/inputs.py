"""The links to expand: from arguments, stdin, or a `resolver scan` output."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
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
            text = read_stdin_list()
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


#: The longest line of a URL list: 10,000-character URLs exist, a megabyte of one is not a
#: URL but `/dev/zero` or a binary file, which would otherwise be read into memory whole.
MAX_LIST_LINE = 1 << 20
_CHUNK = 1 << 20


def read_stdin_list() -> str:
    """A URL list on stdin: a byte-order mark dropped, undecodable bytes as U+FFFD (the line
    is still reported, as invalid-url), and a line over MAX_LIST_LINE refused as it arrives.
    A scan output piped in (JSON, JSON Lines, CSV: one article's line may be megabytes) is
    read as it is."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    parts: list[str] = []
    line = 0  # the length of the line being read so far
    handle = sys.stdin.buffer
    capped: bool | None = None  # a scan output piped in has lines of any length: no cap
    while chunk := handle.read(_CHUNK):
        if capped is None:
            head = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
            capped = not head.startswith((b"{", b"[", _SCAN_CSV_HEADER.encode()))
        if not capped:
            parts.append(decoder.decode(chunk))
            continue
        pieces = chunk.split(b"\n")
        # The first piece continues the line the last chunk ended in; the others start lines.
        longest = max([line + len(pieces[0]), *map(len, pieces[1:])])
        line = len(pieces[-1]) if len(pieces) > 1 else line + len(pieces[0])
        if longest > MAX_LIST_LINE:
            raise InputError("-", "a line of stdin is over 1 MB: not a list of URLs")
        parts.append(decoder.decode(chunk))
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def _read_scan_output(source: str) -> str:
    """A scan output (file, named pipe or `-`), read a chunk at a time so that a binary file or
    a device (`/dev/zero`, `/dev/urandom`) is refused at its first bad byte, not read whole:
    the scan's JSON, JSON Lines and CSV are UTF-8 and never hold a raw NUL byte."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    parts: list[str] = []
    try:
        with contextlib.nullcontext(sys.stdin.buffer) if source == "-" else open(source, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                if b"\0" in chunk:
                    raise InputError(source, "not a `resolver scan` output: binary data (a NUL byte)")
                parts.append(decoder.decode(chunk))
            parts.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise InputError(source, "not a `resolver scan` output: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(source, f"cannot read the scan output: {exc.strerror or exc}") from None
    return "".join(parts)


def scan_links(source: str, *, all_links: bool = False) -> Iterator[str]:
    """The links of a `resolver scan --format json|jsonl|csv` output, in order."""
    text = _read_scan_output(source)
    yield from _scan_text_links(text, source, all_links=all_links)


def _scan_text_links(text: str, source: str, *, all_links: bool) -> Iterator[str]:
    if _is_scan_csv(text):
        yield from _scan_csv_links(text, all_links=all_links)
        return
    for article in _articles(text, source):
        links = article.get("links")
        if links is None:
            continue
        if not isinstance(links, list):  # `{"links": 5}`: not what scan writes
            raise InputError(source, "not a `resolver scan` output (`links` is not a list)")
        for link in links:
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


__all__ = ["MAX_LIST_LINE", "SHORT_KINDS", "read_links", "read_stdin_list", "scan_links"]
