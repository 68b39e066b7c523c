"""`resolver archive` and `resolver verify`: the CLI over `resolver.archive`.

Exit codes, archive: 0 when every article was archived (a link that failed is data: it has
its verdict, its reason and its Wayback capture in the manifest); 1 when an article could not
be read or its folder written (with `--strict`, also when a link failed); 2 usage errors.
Verify: 0 intact, 1 not intact, 2 usage errors.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from resolver.cli import (
    EXIT_FAILURES,
    EXIT_USAGE,
    FormatOption,
    MaxSizeOption,
    OutputOption,
    _default_format,
    _error,
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
    PerHost,
    Proxy,
    Retries,
    UserAgent,
)
from resolver.models import ScanFailure
from resolver.report import OutputFormat, dumps


@app.command("archive")
def archive_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Articles, as `resolver scan` takes them: files, directories, '-' or http(s):// URLs.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Put NAME.archive/ folders here instead of beside each article."),
    ] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    concurrency: Concurrency = 32,
    per_host: PerHost = 4,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds per request, reading the body included.")
    ] = 60.0,
    retries: Retries = 2,
    max_body: Annotated[
        str, typer.Option("--max-body", help="Cut page and file bodies beyond this (marked truncated).")
    ] = "50MB",
    max_media: Annotated[
        str, typer.Option("--max-media", help="The same for tweet photos and videos.")
    ] = "512MB",
    no_resources: Annotated[
        bool, typer.Option("--no-resources", help="Do not save the images and stylesheets of pages.")
    ] = False,
    max_resources: Annotated[
        int, typer.Option("--max-resources", min=0, help="Images and stylesheets saved per page.")
    ] = 40,
    no_tweets: Annotated[
        bool, typer.Option("--no-tweets", help="Do not recover and save the tweets.")
    ] = False,
    no_wayback: Annotated[
        bool,
        typer.Option(
            "--no-wayback", help="Do not ask the Wayback Machine (captures of failed links, search)."
        ),
    ] = False,
    wacz: Annotated[bool, typer.Option("--wacz", help="Also pack each run as a WACZ file.")] = False,
    max_size: MaxSizeOption = "50MB",
    proxy: Proxy = None,
    ca_bundle: CaBundle = None,
    user_agent: UserAgent = None,
    cache_path: CachePath = None,
    no_cache: NoCache = False,
    allow_private: AllowPrivate = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any link could not be archived.")
    ] = False,
) -> None:
    """Archive what articles cite, beside each article, in standard formats.

    For `path/to/story.html`: `path/to/story.archive/` with manifest.json, index.html (every
    cited source and its fate), story.html (the article with Robust Links attributes), and per
    run `runs/RUN/`: capture.warc.gz (every request and response), capture.cdxj, sources/
    (readable copies without scripts, and files as they are), tweets/ (JSON and cards), media/
    and SHA256SUMS. Never overwrites: each run is a new folder; an interrupted run is completed
    by the next one.
    """
    from resolver.archive.api import aarchive_iter
    from resolver.archive.archiver import ArchiveOptions
    from resolver.net import run_async
    from resolver.twitter.recover import TweetOptions

    if not inputs:
        _error("nothing to archive: give articles (files, directories, '-' or URLs)")
        raise typer.Exit(EXIT_USAGE)
    options = ArchiveOptions(
        out=out,
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        retries=retries,
        max_body=_parse_size(max_body),
        max_media=_parse_size(max_media),
        resources=not no_resources,
        max_resources=max_resources,
        tweets=not no_tweets,
        wayback=not no_wayback,
        wacz=wacz,
        allow_private=allow_private,
        tweet_options=TweetOptions(
            concurrency=concurrency, per_host=per_host, wayback=not no_wayback, allow_private=allow_private
        ),
    )
    config = network_config(proxy, ca_bundle, user_agent, timeout)
    store = open_cache(cache_path, no_cache, exit_code=EXIT_FAILURES)
    chosen = fmt or _default_format()
    started = time.perf_counter()
    failures: list[ScanFailure] = []
    totals = {"articles": 0, "archived": 0, "failed": 0}

    def body(out_handle, console):  # type: ignore[no-untyped-def]
        results = []

        async def pump() -> None:
            async for item in aarchive_iter(
                inputs, options=options, config=config, store=store, max_size=_parse_size(max_size)
            ):
                if isinstance(item, ScanFailure):
                    failures.append(item)
                    _error(f"{item.article}: {item.reason}")
                    continue
                totals["articles"] += 1
                totals["archived"] += item.archived
                totals["failed"] += item.failed
                if chosen is OutputFormat.JSONL:
                    out_handle.write(dumps(item.to_json()) + "\n")
                elif chosen is OutputFormat.TABLE:
                    resumed = f", completing run {item.resumed}" if item.resumed else ""
                    console.print(
                        f"{item.folder}  run {item.run}: {item.archived} archived, {item.failed} failed, "
                        f"{item.skipped} already done, {item.tweets} tweet(s), {item.bytes:,} bytes{resumed}",
                        highlight=False,
                        soft_wrap=True,
                    )
                else:
                    results.append(item.to_json())

        run_async(pump())
        if chosen is OutputFormat.JSON:
            out_handle.write(dumps(results[0] if len(results) == 1 else results) + "\n")
        elif chosen is OutputFormat.CSV:
            import csv

            writer = csv.writer(out_handle, lineterminator="\n")
            columns = [
                "article",
                "folder",
                "run",
                "links",
                "archived",
                "failed",
                "skipped",
                "tweets",
                "bytes",
                "resumed",
            ]
            writer.writerow(columns)
            for row in results:
                writer.writerow(["" if row[c] is None else row[c] for c in columns])

    try:
        _write(body, output, inputs)
    finally:
        store.close()
    sys.stderr.write(
        f"resolver: archived {totals['articles']} article(s) in {time.perf_counter() - started:.1f} s: "
        f"{totals['archived']} link(s) archived, {totals['failed']} failed\n"
    )
    if totals["articles"] == 0 and not failures:
        _error("nothing to archive: no article found in the inputs")
        raise typer.Exit(EXIT_USAGE)
    if failures or (strict and totals["failed"]):
        raise typer.Exit(EXIT_FAILURES)


@app.command("verify")
def verify_command(
    folders: Annotated[
        list[Path], typer.Argument(help="Archive folders (NAME.archive/) to check.", show_default=False)
    ],
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """Check archive folders offline: every file against the manifest and SHA256SUMS, WARC digests.

    Reports missing, changed and unexpected files. Exit 0 when every folder is intact, 1 when
    not, 2 on usage errors. Needs no network.
    """
    from resolver.archive.verify import verify_folder

    chosen = fmt or _default_format()
    reports = []
    for folder in folders:
        if not folder.is_dir():
            _error(f"{folder}: not a folder")
            raise typer.Exit(EXIT_USAGE)
        reports.append(verify_folder(folder))

    def body(out_handle, console):  # type: ignore[no-untyped-def]
        if chosen in (OutputFormat.JSON, OutputFormat.JSONL):
            data = [r.to_json() for r in reports]
            if chosen is OutputFormat.JSONL:
                for row in data:
                    out_handle.write(dumps(row) + "\n")
            else:
                out_handle.write(dumps(data[0] if len(data) == 1 else data) + "\n")
        elif chosen is OutputFormat.CSV:
            import csv

            writer = csv.writer(out_handle, lineterminator="\n")
            writer.writerow(["folder", "path", "problem", "detail"])
            for report in reports:
                for problem in report.problems:
                    writer.writerow([str(report.folder), problem.path, problem.kind, problem.detail])
        else:
            from resolver.archive.verify import render_report

            for report in reports:
                render_report(report, console)

    _write(body, output)
    if any(not r.intact for r in reports):
        raise typer.Exit(EXIT_FAILURES)


__all__ = ["archive_command", "verify_command"]
