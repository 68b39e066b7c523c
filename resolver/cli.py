"""The command line: a thin layer over the library.

Each command parses its options, calls one library function, and turns library errors
into one clear line on stderr and an exit code. This is the only module that imports typer.

Exit codes: 0 success; 1 some input or link failed (the rest was still processed);
2 usage error (bad option, nothing to do).
"""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer

from resolver import __version__
from resolver.errors import ResolverError, UsageError
from resolver.inputs import DEFAULT_MAX_SIZE
from resolver.models import ScanFailure
from resolver.report import OutputFormat, write_scans

app = typer.Typer(
    name="resolver",
    help="Keep the sources an article cites from rotting away: find embedded tweets and short links, "
    "expand them, recover the tweets, archive what they point to, audit for dead links.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2


def _error(message: str) -> None:
    sys.stderr.write(f"resolver: error: {message}\n")
    sys.stderr.flush()


def _parse_size(value: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*", value.lower())
    if not match:
        raise typer.BadParameter(f"{value!r} is not a size (examples: 50MB, 512K, 1000000)")
    number, unit = float(match.group(1)), match.group(2)
    return int(number * 1024 ** " kmgt".index(unit or " "))


def _default_format() -> OutputFormat:
    # People get a table; pipes and files get JSON, which every tool can read.
    return OutputFormat.TABLE if sys.stdout.isatty() else OutputFormat.JSON


def _version(value: bool) -> None:
    if value:
        typer.echo(f"resolver {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """resolver: find, expand, recover, archive and audit what articles cite."""


@app.command("scan")
def scan_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Articles: files (HTML, XHTML, text, Markdown; detected by content), directories "
            "(recursive), '-' for stdin, or http(s):// URLs.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format. Default: table on a terminal, json otherwise.",
            case_sensitive=False,
        ),
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    max_size: Annotated[
        str, typer.Option("--max-size", help="Refuse inputs larger than this (e.g. 50MB, 512K).")
    ] = "50MB",
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-j", min=0, help="Processes for a directory of articles (0: one per core)."
        ),
    ] = 0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds allowed to fetch an article given by URL.")
    ] = 30.0,
) -> None:
    """Find every embedded tweet and link in articles (offline, except to fetch article URLs).

    Prints, per article, the tweets (embedded or flattened to text, with handle, author,
    date and the links inside them) and every link with its kind (shortened, tweet,
    twitter-media, twitter-profile, other) and where it sits.
    """
    from resolver.scanner import scan_many

    limit = _parse_size(max_size) if max_size else DEFAULT_MAX_SIZE
    chosen = fmt or _default_format()

    def report(failure: ScanFailure) -> None:
        _error(f"{failure.article}: {failure.reason}")

    results = scan_many(inputs, workers=workers or None, max_size=limit, timeout=timeout)
    ok, failed = _write(
        lambda out, console: write_scans(results, out, chosen, on_failure=report, console=console), output
    )
    if failed:
        raise typer.Exit(EXIT_FAILURES)
    if ok == 0:
        _error("nothing to scan: no article found in the inputs")
        raise typer.Exit(EXIT_USAGE)


def _write(body, output: str | None):  # type: ignore[no-untyped-def]
    from rich.console import Console

    if output is None:
        console = Console(file=sys.stdout, soft_wrap=False)
        return body(sys.stdout, console)
    from resolver.fsutil import atomic_text_writer

    with atomic_text_writer(output) as handle:
        console = Console(file=handle, width=160, soft_wrap=False)
        return body(handle, console)


def main() -> None:
    """Console entry point: never a traceback, always an exit code.

    click (inside typer) reports usage errors itself, with exit code 2; library errors
    become one line on stderr.
    """
    try:
        app()
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(130)
    except UsageError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    except ResolverError as exc:
        _error(str(exc))
        sys.exit(EXIT_FAILURES)
    except BrokenPipeError:
        # `resolver scan dir | head`: the reader left; that is not an error.
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except Exception as exc:
        _error(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        sys.exit(3)


if __name__ == "__main__":
    main()
