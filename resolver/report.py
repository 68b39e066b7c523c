"""Writing results for people (tables) and machines (JSON, JSON Lines, CSV).

Writers stream: a run over 100,000 articles never holds its results in memory. Every
machine format carries the documented field names and stable slugs, never a repr.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import IO, Any, Generic, TypeVar

from resolver.models import ArticleScan, Expansion, ScanFailure
from resolver.safetext import spreadsheet_text, visible_escapes

T = TypeVar("T")


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"

    def __str__(self) -> str:
        return self.value


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_bytes(obj: Any, **options: Any) -> bytes:
    """`obj` as UTF-8 JSON for a file. A path that is not valid UTF-8 reaches Python with lone
    surrogates for its bad bytes (b"\xff" is "\udcff"); they are written as JSON escapes
    (valid UTF-8, and `json.loads` gives the same string back) instead of failing to encode."""
    text = json.dumps(obj, ensure_ascii=False, **options)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


SCAN_CSV_COLUMNS = (
    "article",
    "item",
    "index",
    "url",
    "kind",
    "host",
    "tweet",
    "id",
    "handle",
    "author",
    "date",
    "text",
    "line",
    "column",
    "element",
    "attribute",
    "form",
)


def write_scans(
    results: Iterable[ArticleScan | ScanFailure],
    out: IO[str],
    fmt: OutputFormat,
    *,
    on_failure: Any,
    console: Any = None,
    single: bool = False,
) -> tuple[int, int]:
    """Write scan results; failures go to `on_failure(failure)` (stderr), not into the data.

    `single`: the command line named one article (a file, `-` or a URL), so `json` is that
    article's object; otherwise (several inputs, a directory) it is an array, however many
    articles the inputs turned out to hold or how many of them failed. The shape follows
    the command, never the data, so a script parses a folder of one article as it parses a
    folder of a thousand.

    Returns (articles written, failures).
    """
    ok = failed = 0

    def successes() -> Iterator[ArticleScan]:
        nonlocal ok, failed
        for result in results:
            if isinstance(result, ScanFailure):
                failed += 1
                on_failure(result)
            else:
                ok += 1
                yield result

    if fmt is OutputFormat.JSONL:
        for scan in successes():
            out.write(dumps(scan.to_json()) + "\n")
    elif fmt is OutputFormat.JSON:
        if single:
            # The one article, or nothing when it could not be scanned (exit code 1 and a
            # line on stderr say so): `[]` would be a second shape for scripts to expect.
            for scan in successes():
                out.write(json.dumps(scan.to_json(), ensure_ascii=False, indent=2) + "\n")
        else:
            _write_json_array(successes(), out)
    elif fmt is OutputFormat.CSV:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(SCAN_CSV_COLUMNS)
        for scan in successes():
            for row in _csv_rows(scan):
                writer.writerow(row)
    else:
        for scan in successes():
            render_scan_table(scan, console)
    return ok, failed


def _write_json_array(scans: Iterator[ArticleScan], out: IO[str]) -> None:
    """An array of articles, one a line, written as they come (never all held in memory)."""
    out.write("[")
    first = True
    for scan in scans:
        out.write(("\n" if first else ",\n") + dumps(scan.to_json()))
        first = False
    out.write("]\n" if first else "\n]\n")


def _cell(value: str) -> str:
    """A free-text cell (article name, author, tweet or anchor text) a spreadsheet shows as text.
    URLs, hosts and handles need nothing: the scan only reports http(s) URLs, and hosts and
    handles cannot start like a formula."""
    return spreadsheet_text(value)


def _csv_rows(scan: ArticleScan) -> Iterator[list[Any]]:
    article = _cell(scan.article)
    for i, tweet in enumerate(scan.tweets):
        w = tweet.where
        yield [
            article,
            "tweet",
            i,
            tweet.url or "",
            "",
            "",
            "",
            tweet.id or "",
            tweet.handle or "",
            _cell(tweet.author or ""),
            tweet.date.isoformat() if tweet.date else "",
            _cell(tweet.text or ""),
            _blank(w.line),
            _blank(w.column),
            w.element or "",
            w.attribute or "",
            tweet.form,
        ]
    for i, link in enumerate(scan.links):
        w = link.where
        yield [
            article,
            "link",
            i,
            link.url,
            link.kind.value,
            link.host,
            _blank(link.tweet),
            link.status.id if link.status else "",
            link.status.handle or "" if link.status else "",
            "",
            "",
            _cell(link.text or ""),
            _blank(w.line),
            _blank(w.column),
            w.element or "",
            w.attribute or "",
            "",
        ]


def _blank(value: object) -> object:
    return "" if value is None else value


def _inert(text: str) -> str:
    """`text` safe to print on a terminal: unsafe characters as visible escapes
    (`safetext.visible_escapes`), then rich markup escaped (`[bold]` in a page stays text)."""
    from rich.markup import escape

    return escape(visible_escapes(text))


def render_scan_table(scan: ArticleScan, console: Any) -> None:
    """One block per article, for people: its tweets (each with text and links), then its links.

        examples/sputnik-pt-2015-syria.txt  text, utf-8: 2 tweet(s), 2 link(s)
          tweet 0  @mod_russia (Минобороны России)  2015-10-21  text-signature  line 5:1
            #FOOTAGE Elimination of a militants' strong point (#Aleppo province) https://t.co/...
            -> https://t.co/eKInDZJCbH
          kind           tweet  where      url
          shortened          0  line 5:70  https://t.co/eKInDZJCbH

    Every string from the article (and its name) goes through `_inert`. A URL is never cut or
    folded (a folded URL cannot be copied from the terminal): it comes last on its line and
    the terminal wraps it; on a terminal too narrow for the columns and a URL, it gets a line
    of its own.
    """
    article = _inert(scan.article)
    console.print(
        f"[bold]{article}[/bold]  {scan.format.value}, {_inert(scan.encoding or '?')}: "
        f"{len(scan.tweets)} tweet(s), {len(scan.links)} link(s)",
        highlight=False,
        soft_wrap=True,  # a long path is not folded either
    )
    for warning in scan.warnings:
        console.print(f"  [yellow]warning:[/yellow] {_inert(warning)}", highlight=False)
    for i, t in enumerate(scan.tweets):
        who = " ".join(
            x for x in (f"@{t.handle}" if t.handle else "", f"({t.author})" if t.author else "") if x
        )
        facts = "  ".join(
            x
            for x in (
                who,
                t.date.isoformat() if t.date else "",
                f"id {t.id}" if t.id else "",
                t.form,
                str(t.where),
            )
            if x
        )
        console.print(f"  [bold cyan]tweet {i}[/bold cyan]  {_inert(facts)}", soft_wrap=True, highlight=False)
        if t.text:
            console.print(f"    {_inert(_clip(t.text, 200))}", soft_wrap=True, highlight=False)
        for url in t.links:
            console.print(f"    -> {_inert(url)}", soft_wrap=True, highlight=False)
    if scan.links:
        rows = [
            (
                link.kind.value,
                "" if link.tweet is None else str(link.tweet),
                _inert(str(link.where)),
                link.url,
            )
            for link in scan.links
        ]
        # Widths of what the reader sees: `_inert` added backslashes only for markup, which
        # rich removes again, so measure the text rich prints.
        from rich.text import Text

        kind_w = max(len("kind"), *(len(r[0]) for r in rows))
        tweet_w = max(len("tweet"), *(len(r[1]) for r in rows))
        where_w = max(len("where"), *(Text.from_markup(r[2]).cell_len for r in rows))
        prefix_w = 2 + kind_w + 2 + tweet_w + 2 + where_w + 2
        # Below ~24 cells beside the columns a URL would be wrapped every few characters.
        own_line = console.width - prefix_w < 24

        def prefix(kind: str, tweet: str, where: str) -> str:
            pad = " " * (where_w - Text.from_markup(where).cell_len)
            return f"  {kind:<{kind_w}}  {tweet:>{tweet_w}}  {where}{pad}"

        header = prefix("kind", "tweet", "where")
        console.print(f"[bold]{header.rstrip() if own_line else header + '  url'}[/bold]", highlight=False)
        for kind, tweet, where, url in rows:
            line = prefix(kind, tweet, where)
            if own_line:
                console.print(line.rstrip(), highlight=False, soft_wrap=True)
                console.print(f"    {_inert(url)}", highlight=False, soft_wrap=True)
            else:
                console.print(f"{line}  {_inert(url)}", highlight=False, soft_wrap=True)
    console.print()


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- Expansions ----------------------------------------------------------------------------------

EXPAND_CSV_COLUMNS = (
    "index",
    "url",
    "final_url",
    "verdict",
    "http_status",
    "hop_count",
    "hops",
    "vias",
    "from_cache",
    "tweet_id",
    "tweet_handle",
    "media_kind",
    "media_index",
    "reason",
)


class StreamWriter(Generic[T]):
    """Writes results one at a time, as they come, in any output format; counts them by a key.

    json is an array written element by element, jsonl a line each, csv a row each, and the
    table a block each. Subclasses say what the key, the csv row and the table block are.
    """

    columns: tuple[str, ...] = ()

    def __init__(self, out: IO[str], fmt: OutputFormat, *, console: Any = None) -> None:
        self.out = out
        self.fmt = fmt
        self.console = console
        self.counts: dict[str, int] = {}
        self._first = True
        self._csv: Any = None
        if fmt is OutputFormat.CSV:
            self._csv = csv.writer(out, lineterminator="\n")
            self._csv.writerow(self.columns)
        elif fmt is OutputFormat.JSON:
            out.write("[")

    def write(self, item: T) -> None:
        key = self.count_key(item)
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.fmt is OutputFormat.JSONL:
            self.out.write(dumps(item.to_json()) + "\n")  # type: ignore[attr-defined]
        elif self.fmt is OutputFormat.JSON:
            self.out.write(("\n" if self._first else ",\n") + dumps(item.to_json()))  # type: ignore[attr-defined]
        elif self.fmt is OutputFormat.CSV:
            self._csv.writerow(self.csv_row(item))
        else:
            self.render(item)
        self._first = False

    def close(self) -> None:
        if self.fmt is OutputFormat.JSON:
            self.out.write("]\n" if self._first else "\n]\n")
        self.out.flush()

    def count_key(self, item: T) -> str:
        raise NotImplementedError

    def csv_row(self, item: T) -> list[Any]:
        raise NotImplementedError

    def render(self, item: T) -> None:
        raise NotImplementedError


class ExpansionWriter(StreamWriter[Expansion]):
    """Writes expansion results one at a time, as they complete (any output format).

    writer = ExpansionWriter(out, OutputFormat.JSONL)
    for result in results:
        writer.write(result)
    writer.close()
    """

    columns = EXPAND_CSV_COLUMNS

    def count_key(self, item: Expansion) -> str:
        return item.verdict.value

    def csv_row(self, item: Expansion) -> list[Any]:
        return _expansion_row(item)

    def render(self, item: Expansion) -> None:
        render_expansion_table([item], self.console)


def write_expansions(
    results: Iterable[Expansion], out: IO[str], fmt: OutputFormat, *, console: Any = None
) -> dict[str, int]:
    """Write expansion results as they come; returns the count of each verdict."""
    writer = ExpansionWriter(out, fmt, console=console)
    for result in results:
        writer.write(result)
    writer.close()
    return writer.counts


def _expansion_row(result: Expansion) -> list[Any]:
    tweet = result.tweet
    return [
        result.index,
        result.url,
        _blank(result.final_url),
        result.verdict.value,
        _blank(result.http_status),
        len(result.hops),
        " ".join(hop.url for hop in result.hops),
        " ".join(hop.via.value for hop in result.hops),
        "true" if result.from_cache else "false",
        _blank(tweet.id if tweet else None),
        _blank(tweet.handle if tweet else None),
        _blank(tweet.media_kind if tweet else None),
        _blank(tweet.media_index if tweet else None),
        result.reason,
    ]


@contextmanager
def progress_on_stderr(total: int, *, enabled: bool) -> Iterator[Callable[[Expansion], None]]:
    """A progress bar on stderr while links are expanded: done/total, rate, failures so far.

    Yields the function to call with each result. Disabled, it is a no-op that costs nothing.
    """
    if not enabled:
        yield lambda result: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    failed = 0
    with Progress(
        TextColumn("expanding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} not ok"),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    ) as progress:
        task = progress.add_task("expand", total=total, failed=0)

        def advance(result: Expansion) -> None:
            nonlocal failed
            if not result.ok:
                failed += 1
            progress.update(task, advance=1, failed=failed)

        yield advance


def render_expansion_table(results: Iterable[Expansion], console: Any) -> None:
    """A listing for people, printed a link at a time (a long run shows progress as it goes):

        ok               200  https://t.co/abc
            301 location       https://t.co/abc  41 ms
            200 final          https://news.example/story  52 ms

    URLs get the whole width of the line (what people need to read is the URL's end).
    """
    from rich.markup import escape

    width = max(60, (console.width if console is not None else 120))
    for result in results:
        colour = "green" if result.ok else "red"
        status = "-" if result.http_status is None else str(result.http_status)
        cached = " [dim](cached)[/dim]" if result.from_cache else ""
        tweet = f" [dim](tweet {result.tweet.id})[/dim]" if result.tweet else ""
        console.print(
            f"[{colour}]{result.verdict.value:<16}[/{colour}] {status:>3}  "
            f"{escape(_clip(result.url, width - 22))}{cached}{tweet}",
            highlight=False,
        )
        for hop in result.hops:
            hop_status = "-" if hop.status is None else str(hop.status)
            elapsed = "" if hop.elapsed_ms is None else f"  {hop.elapsed_ms:.0f} ms"
            console.print(
                f"    {hop_status:>3} {hop.via.value:<14} {escape(_clip(hop.url, width - 32))}{elapsed}",
                highlight=False,
                style="dim",
            )
        if not result.ok:
            console.print(f"    {escape(result.reason)}", highlight=False, style="dim")
