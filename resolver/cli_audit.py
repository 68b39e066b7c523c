"""`resolver audit`: the CLI over `resolver.audit`.

Exit codes, like the best link checkers: 0 no link failed (`uncertain` links alone never fail
a run unless `--fail-on` names them), 1 dead links found (`--fail-on` chooses which verdicts
or outcomes count), 2 usage or input error.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated, Any

import typer

from resolver.cli import (
    EXIT_USAGE,
    MaxSizeOption,
    OutputOption,
    _error,
    _parse_duration,
    _parse_size,
    _write,
    app,
    network_config,
    open_cache,
)
from resolver.cli_tweets import (
    AllowPrivate,
    CaBundle,
    CachePath,
    Concurrency,
    NoCache,
    Proxy,
    Retries,
    Timeout,
    UserAgent,
)
from resolver.models import ScanFailure
from resolver.report import dumps

AUDIT_FORMATS = ("table", "json", "jsonl", "csv", "markdown", "junit")
AUDIT_CSV_COLUMNS = (
    "article", "url", "final_url", "verdict", "outcome", "evidence", "line", "column", "element",
    "attribute", "kind", "host", "text", "http_status", "wayback_url", "wayback_timestamp",
    "article_date", "tweet_id", "from_cache",
)  # fmt: skip


#: JSON leaves these raw inside strings, but `str.splitlines()` (and many line readers) break a
#: line at them: a NEL or LINE SEPARATOR in an anchor text would cut a jsonl record in two.
#: Written as JSON escapes, they parse back to the same text.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_line(value: Any) -> str:
    """`value` as compact JSON on one line, whatever line breaks its strings hold."""
    return dumps(value).translate(_LINE_BREAKS)


def _note(message: str) -> None:
    """A line for people that is not an error (a run resumed, a journal replaced)."""
    from resolver.inputs import one_line

    sys.stderr.write(f"resolver: {one_line(message)}\n")
    sys.stderr.flush()


class _Spool:
    """Records waiting for the end of the run in a temporary file (one JSON line each), so a
    json or junit report of a million links does not hold them in memory."""

    def __init__(self) -> None:
        import tempfile

        # Closed by `close` at the end of the run; the system removes it then (or at exit).
        self._file = tempfile.TemporaryFile("w+b")  # noqa: SIM115

    def add(self, record: Any) -> None:
        # ASCII JSON: a lone surrogate (a file name that is not UTF-8) is an escape, not an error.
        self._file.write(json.dumps(record.to_json()).encode("ascii") + b"\n")

    def rows(self) -> Iterator[dict[str, Any]]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)

    def close(self) -> None:
        self._file.close()


@app.command("audit")
def audit_command(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Articles, as `resolver scan` takes them: files, directories, '-' or http(s):// URLs.",
            show_default=False,
        ),
    ] = None,
    urls: Annotated[
        str | None, typer.Option("--urls", help="Audit a plain list of links (one a line; '-': stdin).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json, jsonl, csv, markdown or junit. Default: table on a terminal, json otherwise.",
        ),
    ] = None,
    output: OutputOption = None,
    html: Annotated[
        str | None, typer.Option("--html", help="Also write a self-contained HTML report to this file.")
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="Verdicts or outcomes that make the exit code 1, comma-separated (e.g. dead,soft-404 or "
            "dead,uncertain).",
        ),
    ] = "dead",
    wayback: Annotated[
        str,
        typer.Option("--wayback", help="on: find the Wayback capture of every link not alive; off: don't."),
    ] = "on",
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="A regular expression of URLs not to check (repeatable)."),
    ] = None,
    no_probe: Annotated[
        bool, typer.Option("--no-probe", help="Do not probe a random sibling URL per host (soft-404 check).")
    ] = False,
    no_tweets: Annotated[bool, typer.Option("--no-tweets", help="Do not check tweets.")] = False,
    include_non_web: Annotated[
        bool,
        typer.Option(
            "--include-non-web",
            help="Report the --urls links that are not web sources (mailto:, tel:, javascript:, data:) "
            "as unsupported instead of skipping them.",
        ),
    ] = False,
    concurrency: Concurrency = 64,
    per_host: Annotated[
        int | None,
        typer.Option(
            "--per-host", min=1, help="Requests in flight to one host (default: the config's, else 4)."
        ),
    ] = None,
    config_file: Annotated[
        str | None,
        typer.Option(
            "--config",
            help="Configuration file (default: resolver.toml, else [tool.resolver] in pyproject.toml).",
        ),
    ] = None,
    timeout: Timeout = 15.0,
    retries: Retries = 2,
    max_size: MaxSizeOption = "50MB",
    proxy: Proxy = None,
    ca_bundle: CaBundle = None,
    user_agent: UserAgent = None,
    cache_path: CachePath = None,
    no_cache: NoCache = False,
    max_age: Annotated[
        str | None, typer.Option("--max-age", help="Re-check cached verdicts older than this (e.g. 7d).")
    ] = None,
    allow_private: AllowPrivate = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue the interrupted run of the same inputs: done articles are not read again, "
            "judged links not fetched again; the report is written whole.",
        ),
    ] = False,
    journal_path: Annotated[
        str | None,
        typer.Option(
            "--journal",
            help="The run's journal file (default: one per set of inputs under $RESOLVER_STATE, else "
            "the user state directory).",
        ),
    ] = None,
) -> None:
    """Audit the links of articles (or a list of links) for rot, with the Wayback's copies.

    Every link gets a verdict (alive, moved, dead, soft-404, parked, blocked, unreachable,
    timeout, server-error, tweet-deleted, account-suspended, tweet-protected, tweet-withheld,
    excluded, unsupported), its outcome (dead, alive, uncertain) and the evidence; every link not alive,
    the Wayback capture nearest the article's publication date.
    """
    from resolver.audit.auditor import AuditOptions, aaudit_iter
    from resolver.audit.model import VERDICTS, AuditSummary, AuditVerdict, Outcome
    from resolver.audit.report import csv_cell, inert
    from resolver.inputs import display_name
    from resolver.net import run_async

    chosen = (fmt or ("table" if sys.stdout.isatty() else "json")).lower()
    if chosen not in AUDIT_FORMATS:
        _error(f"--format {fmt}: one of {', '.join(AUDIT_FORMATS)}")
        raise typer.Exit(EXIT_USAGE)
    if wayback not in ("on", "off"):
        _error("--wayback: on or off")
        raise typer.Exit(EXIT_USAGE)
    names = {v.value for v in AuditVerdict} | {o.value for o in Outcome}
    failing = {part.strip() for part in fail_on.split(",") if part.strip()}
    if not failing:
        # `--fail-on "$FAIL_ON"` with the variable unset must not pass every run in silence.
        _error("--fail-on: name the verdicts or outcomes that fail the run (e.g. dead or dead,uncertain)")
        raise typer.Exit(EXIT_USAGE)
    unknown = failing - names
    if unknown:
        known = ", ".join(sorted(names))
        _error(f"--fail-on {', '.join(sorted(unknown))}: not a verdict or an outcome ({known})")
        raise typer.Exit(EXIT_USAGE)
    if not inputs and urls is None:
        _error("nothing to audit: give articles (files, directories, '-' or URLs) or --urls FILE")
        raise typer.Exit(EXIT_USAGE)
    import re

    for pattern in exclude or ():
        try:
            re.compile(pattern)
        except re.error as exc:
            _error(f"--exclude {pattern!r}: not a regular expression ({exc})")
            raise typer.Exit(EXIT_USAGE) from None
    from resolver.audit.config import load_config

    rules = load_config(config_file)  # UsageError: one line, exit 2
    options = AuditOptions(
        concurrency=concurrency,
        per_host=per_host or rules.per_host or 4,
        timeout=timeout,
        retries=retries,
        wayback=wayback == "on",
        probe_siblings=not no_probe,
        tweets=not no_tweets,
        exclude=(*rules.exclude, *(exclude or ())),
        max_age=_parse_duration(max_age) if max_age else None,
        allow_private=allow_private,
        include_non_web=include_non_web,
    )
    config = network_config(proxy, ca_bundle, user_agent, timeout)
    journal = _open_journal(inputs or [], urls, options, rules, resume=resume, path=journal_path)
    store = open_cache(cache_path, no_cache, exit_code=EXIT_USAGE)
    summary = AuditSummary()
    failures: list[ScanFailure] = []
    # Memory stays flat over 100,000 articles: json and junit need every record at the end
    # (their summary comes first), so the records wait in a temporary file, not in memory;
    # markdown and --html list only the links that are not alive, so only those are kept.
    spool = _Spool() if chosen in ("json", "junit") else None
    kept: list[Any] = []
    keep_not_alive = chosen == "markdown" or html is not None
    started = time.perf_counter()

    def body(out, console):  # type: ignore[no-untyped-def]
        writer = csv.writer(out, lineterminator="\n") if chosen == "csv" else None
        if writer is not None:
            writer.writerow(AUDIT_CSV_COLUMNS)

        watch: list[Any] = []
        # People watching a long run see it move. A table printed to the terminal shares its
        # console with the bar (rich keeps the bar below the lines printed above it); any
        # other output leaves the terminal to the bar, on stderr.
        table_on_terminal = chosen == "table" and output is None
        if table_on_terminal:
            progress = _Progress(enabled=sys.stdout.isatty(), console=console)
        else:
            progress = _Progress(enabled=sys.stderr.isatty())

        async def pump() -> None:
            with progress:
                # The bar moves while an article's links are still being judged, not only
                # when an article is done (the requests count grows meanwhile).
                ticker = asyncio.ensure_future(tick()) if progress.enabled else None
                try:
                    await _pump()
                finally:
                    if ticker is not None:
                        ticker.cancel()

        async def tick() -> None:
            while True:
                await asyncio.sleep(0.25)
                progress.update(summary, watch[0].requests if watch else 0)

        async def _pump() -> None:
            async for item in aaudit_iter(
                inputs or [],
                urls_file=urls,
                options=options,
                config=config,
                store=store,
                max_size=_parse_size(max_size),
                watch=watch,
                rules=rules,
                journal=journal,
            ):
                progress.update(summary, watch[0].requests if watch else 0)
                if isinstance(item, ScanFailure):
                    failures.append(item)
                    summary.failed_articles += 1
                    _error(f"{inert(item.article)}: {inert(item.reason)}")
                    continue
                summary.articles += 1
                for record in item:
                    if not record.article.isascii():
                        # A file name that is not UTF-8 (lone surrogates in Python) is written
                        # as `resolver scan` writes it, `caf\xe9.html`, in every format: raw,
                        # it would make the json invalid UTF-8 and vanish from the XML.
                        record = replace(record, article=display_name(record.article))
                    summary.add(record)
                    if spool is not None:
                        spool.add(record)
                    if keep_not_alive and record.outcome.value != "alive":
                        kept.append(record)
                    if chosen == "jsonl":
                        out.write(json_line(record.to_json()) + "\n")
                    elif writer is not None:
                        data = record.to_json()
                        where = data.pop("where") or {}
                        data.update({k: where.get(k) for k in ("line", "column", "element", "attribute")})
                        writer.writerow([csv_cell(data.get(c)) for c in AUDIT_CSV_COLUMNS])
                    elif chosen == "table" and record.outcome.value != "alive":
                        _print_record(console, record)

        run_async(pump())
        if chosen == "json":
            assert spool is not None
            # The same bytes as one `dumps` of the whole document, written a record at a time.
            out.write(f'{{"summary":{json_line(summary.to_json())},"links":[')
            for n, data in enumerate(spool.rows()):
                out.write(("," if n else "") + json_line(data))
            out.write("]}\n")
        elif chosen == "markdown":
            from resolver.audit.report import write_markdown

            write_markdown(kept, summary, out)
        elif chosen == "junit":
            from resolver.audit.model import AuditRecord
            from resolver.audit.report import write_junit

            assert spool is not None
            write_junit((AuditRecord.from_json(data) for data in spool.rows()), summary, out, fail_on=failing)
        elif chosen == "table":
            _print_summary(console, summary, VERDICTS)

    finished = False
    try:
        _write(body, output, [*(inputs or []), urls])
        finished = True
        if html is not None:
            import datetime as dt

            from resolver.audit.report import render_html
            from resolver.cli import OutputError, open_output

            page = render_html(
                kept,
                summary,
                title="resolver audit",
                generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            )
            # open_output: whole or not at all, and `--html /dev/null` stays a device.
            try:
                with open_output(html) as page_file:
                    page_file.write(page)
            except OSError as exc:  # a folder, a full disk: one line, the old page kept
                raise OutputError(f"cannot write --html {html}: {exc.strerror or exc}") from None
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C; SIGTERM is SystemExit(143)
        if journal is not None:
            _error("interrupted: what was done is kept; run the same command with --resume to continue")
            code = exc.code if isinstance(exc, SystemExit) else 130
            raise typer.Exit(code if isinstance(code, int) else 130) from None
        raise
    finally:
        store.close()
        if spool is not None:
            spool.close()
        if journal is not None:
            # A finished run leaves nothing to resume; an interrupted one keeps its journal.
            if finished:
                journal.finish()
            else:
                journal.close()
    counts = summary.by_outcome
    sys.stderr.write(
        f"resolver: audited {summary.links} link(s) in {summary.articles} article(s) in "
        f"{time.perf_counter() - started:.1f} s: {counts.get('alive', 0)} alive, "
        f"{counts.get('dead', 0)} dead, {counts.get('uncertain', 0)} uncertain\n"
    )
    if failures:
        raise typer.Exit(EXIT_USAGE)
    from resolver.audit.report import failing_verdicts

    if any(v.value in summary.by_verdict for v in failing_verdicts(failing)):
        raise typer.Exit(1)


def _open_journal(
    inputs: list[str], urls: str | None, options: Any, rules: Any, *, resume: bool, path: str | None
) -> Any:
    """The run's journal (`resolver.audit.journal`), or None when the run cannot have one.

    A run that reads stdin cannot be resumed (its input is gone); nor, without `--resume` or
    `--journal`, one whose state folder cannot be written (it runs without, and says so).
    """
    from pathlib import Path

    from resolver.audit.journal import Journal, journal_folder, run_key
    from resolver.audit.report import inert
    from resolver.errors import UsageError

    if "-" in inputs or urls == "-":
        if resume or path:
            _error("--resume: a run that reads stdin cannot be resumed (give files or --urls FILE)")
            raise typer.Exit(EXIT_USAGE)
        return None
    identity = {
        "wayback": options.wayback,
        "probe_siblings": options.probe_siblings,
        "tweets": options.tweets,
        "exclude": list(options.exclude),
        "overrides": [[p.pattern, v.value] for p, v in rules.overrides],
    }
    if options.include_non_web:  # only when set: the journals of runs without it still resume
        identity["include_non_web"] = True
    # Options that change verdicts too, also only when set: --allow-private turns
    # `blocked-private-address` links into fetched ones, and a host's headers (a subscriber's
    # cookie) turn a paywall's 403 into a 200. The headers go in as a digest: the journal is
    # a plain file, and a cookie is a secret.
    if options.allow_private:
        identity["allow_private"] = True
    if rules.host_headers:
        import hashlib

        headers = json.dumps(sorted((h, list(map(list, v))) for h, v in rules.host_headers.items()))
        identity["host_headers"] = hashlib.sha256(headers.encode("utf-8")).hexdigest()[:16]
    where = Path(path) if path else journal_folder() / f"{run_key(inputs, urls)}.jsonl"
    try:
        journal = Journal(where, identity, resume=resume)
    except UsageError as exc:
        if resume or path:
            _error(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        _error(f"{exc}: this run cannot be resumed if interrupted")
        return None
    if journal.restarted:
        _note(journal.restarted)
    if journal.resumed:
        _note(
            f"resuming: {journal.articles_done:,} article(s) and {len(journal.judgements):,} link(s) "
            f"already done ({inert(str(where))})"
        )
    return journal


class _Progress:
    """A live line on stderr: articles, links, requests, and the rate of links per second."""

    def __init__(self, *, enabled: bool, console: Any = None) -> None:
        self.enabled = enabled
        self.console = console
        self.started = time.perf_counter()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("auditing: {task.fields[articles]} articles, {task.fields[links]} links, "
                           "{task.fields[requests]} requests, {task.fields[rate]} links/s"),
                TimeElapsedColumn(),
                console=self.console or Console(file=sys.stderr),
                transient=True,
            )  # fmt: skip
            self._progress.__enter__()
            self._task = self._progress.add_task("audit", articles=0, links=0, requests=0, rate="0")
        return self

    def update(self, summary: Any, requests: int) -> None:
        if self._progress is None:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        self._progress.update(
            self._task,
            articles=summary.articles + summary.failed_articles,
            links=summary.links,
            requests=requests,
            rate=f"{summary.links / elapsed:.1f}",
        )

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)


#: An anchor text can be a whole paragraph; on a terminal its start says which link it is.
TERMINAL_TEXT_WIDTH = 100


def _print_record(console: Any, record: Any) -> None:
    """A link not alive, for people. Every string came from an article or a site (or is a file
    name): `inert` writes its control characters as escapes, so none reaches the terminal."""
    from rich.markup import escape

    from resolver.audit.report import inert

    def shown(text: object, width: int | None = None) -> str:
        return escape(inert(text, width))

    colour = "red" if record.outcome.value == "dead" else "yellow"
    line = record.where.get("line")
    place = f"{record.article}:{line}" if record.article else f"line {line}"
    anchor = f" “{shown(record.text, TERMINAL_TEXT_WIDTH)}”" if record.text else ""
    label = f"[{colour}]{record.verdict.value:<18}[/{colour}]"
    console.print(
        f"{label} {shown(record.url)}  [dim]{shown(place)}{anchor}[/dim]",
        soft_wrap=True,
        highlight=False,
    )
    console.print(f"    {shown(record.evidence)}", style="dim", soft_wrap=True, highlight=False)
    if record.wayback_url:
        console.print(f"    archived: {shown(record.wayback_url)}", soft_wrap=True, highlight=False)


def _print_summary(console: Any, summary: Any, verdicts: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    from resolver.audit.report import inert

    table = Table("verdict", "outcome", "links", box=None, header_style="bold")
    for verdict, count in sorted(summary.by_verdict.items(), key=lambda kv: -kv[1]):
        outcome = next((info.outcome.value for v, info in verdicts.items() if v.value == verdict), "")
        table.add_row(verdict, outcome, f"{count:,}")
    console.print(table)
    domains = Table("domain", "links", "dead", "uncertain", "rot", box=None, header_style="bold")
    rows = summary.to_json()["by_domain"]
    for domain, row in sorted(rows.items(), key=lambda kv: (-kv[1]["dead"], kv[0]))[:20]:
        domains.add_row(
            escape(inert(domain)),
            str(row["total"]),
            str(row["dead"]),
            str(row["uncertain"]),
            f"{row['rot_rate']:.0%}",
        )
    console.print(domains)


__all__ = ["audit_command"]
