"""The command line: a thin layer over the library.

Each command parses its options, calls one library function, and turns library errors
into one clear line on stderr and an exit code. Only the CLI modules (this one and
`cli_cache`) import typer.

Exit codes: 0 success; 1 some input or link failed (the rest was still processed);
2 usage error (bad option, nothing to do).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import math
import os
import re
import stat
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from resolver import __version__
from resolver.errors import ResolverError, UsageError
from resolver.inputs import DEFAULT_MAX_SIZE, one_line
from resolver.models import ScanFailure
from resolver.report import OutputFormat, write_scans

if TYPE_CHECKING:
    from cache import Store
    from resolver.net import NetConfig

app = typer.Typer(
    name="resolver",
    help="Keep the sources an article cites from rotting away: find embedded tweets and short links, "
    "expand them, recover the tweets, archive what they point to, audit for dead links.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: The options every command that writes results shares.
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: table on a terminal, json otherwise.",
        case_sensitive=False,
    ),
]
OutputOption = Annotated[
    str | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
#: `--max-size`, shared by every command that reads articles (parsed by `_parse_size`).
MaxSizeOption = Annotated[
    str, typer.Option("--max-size", help="Refuse inputs larger than this (e.g. 50MB, 512K).")
]

#: The most processes `--workers` may ask for: each is forked (scan) or spawned (expand) as
#: asked, so `-j 100000` would try to start 100,000 processes before the first article.
MAX_WORKERS = 256

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2


def _error(message: str) -> None:
    # One line whatever the message carries: a file name with a newline or an escape sequence
    # (`resolver archive $'a\nb.html'`), a reason quoting what a server sent, is written
    # with visible escapes, so that the line stays one line and inert on a terminal.
    sys.stderr.write(f"resolver: error: {one_line(message)}\n")
    sys.stderr.flush()


def _parse_size(value: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*", value.lower())
    if not match:
        raise typer.BadParameter(f"{value!r} is not a size (examples: 50MB, 512K, 1000000)")
    number, unit = float(match.group(1)), match.group(2)
    size = number * 1024 ** " kmgt".index(unit or " ")
    if not math.isfinite(size):  # 400 digits are float("inf"), which int() refuses
        raise typer.BadParameter(f"{value!r} is too large a size")
    return int(size)


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
    fmt: FormatOption = None,
    output: OutputOption = None,
    max_size: MaxSizeOption = "50MB",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-j",
            min=0,
            max=MAX_WORKERS,
            help="Processes for a directory of articles (0: one per core).",
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
    from resolver.inputs import is_url
    from resolver.scanner import scan_many

    limit = _parse_size(max_size) if max_size else DEFAULT_MAX_SIZE
    chosen = fmt or _default_format()
    if any(is_url(source) for source in inputs):
        # A bad $SSL_CERT_FILE or $HTTPS_PROXY is one usage error, not one failure per URL.
        network_config(None, None, None, timeout)

    def report(failure: ScanFailure) -> None:
        # One line whatever the file is called: a newline or an escape sequence in a name is
        # written as an escape.
        _error(f"{one_line(failure.article)}: {one_line(failure.reason)}")

    # `json` is one object when the command names one article (a file, `-` or a URL) and an
    # array otherwise (several inputs, or a directory even if it holds one article): the
    # shape a script gets follows its command line, not what the folder held or what failed.
    single = len(inputs) == 1 and (inputs[0] == "-" or is_url(inputs[0]) or not os.path.isdir(inputs[0]))
    results = scan_many(inputs, workers=workers or None, max_size=limit, timeout=timeout)
    ok, failed = _write(
        lambda out, console: write_scans(
            results, out, chosen, on_failure=report, console=console, single=single
        ),
        output,
        inputs,
    )
    if failed:
        raise typer.Exit(EXIT_FAILURES)
    if ok == 0:
        _error("nothing to scan: no article found in the inputs")
        raise typer.Exit(EXIT_USAGE)


def _parse_duration(value: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", value.lower())
    if not match:
        raise typer.BadParameter(f"{value!r} is not a duration (examples: 7d, 12h, 30m, 3600)")
    return (
        float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[match.group(2)]
    )


@app.command("expand")
def expand_command(
    urls: Annotated[
        list[str] | None,
        typer.Argument(help="Links to expand; '-' reads them from stdin, one a line.", show_default=False),
    ] = None,
    from_scan: Annotated[
        str | None,
        typer.Option(
            "--from-scan",
            help="Expand the links of a `resolver scan` output (json, jsonl or csv; '-' for stdin): "
            "shortened and twitter-media links, or every link with --all-links.",
        ),
    ] = None,
    all_links: Annotated[
        bool, typer.Option("--all-links", help="With --from-scan: every link, not only short ones.")
    ] = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, help="Requests in flight, all hosts together.")
    ] = 64,
    per_host: Annotated[
        int, typer.Option("--per-host", min=1, help="Requests in flight to one host (the current hop's).")
    ] = 4,
    host_interval: Annotated[
        float, typer.Option("--host-interval", min=0.0, help="Seconds between two requests to one host.")
    ] = 0.0,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0.1, help="Seconds per request (connect, headers and the first KBs)."),
    ] = 10.0,
    link_timeout: Annotated[
        float, typer.Option("--link-timeout", min=0.1, help="Seconds per link: all its hops and retries.")
    ] = 60.0,
    retries: Annotated[
        int,
        typer.Option("--retries", min=0, help="Extra tries after a transient failure (5xx, 429, timeout)."),
    ] = 2,
    max_retry_wait: Annotated[
        float, typer.Option("--max-retry-wait", min=0.0, help="Longest Retry-After honoured, in seconds.")
    ] = 60.0,
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, help="Hops before too-many-redirects.")] = 20,
    max_body: Annotated[
        str, typer.Option("--max-body", help="Largest page body the tool will read (e.g. 10MB).")
    ] = "10MB",
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private", help="Fetch loopback, private, link-local and multicast addresses too."
        ),
    ] = False,
    proxy: Annotated[
        str | None, typer.Option("--proxy", help="Proxy URL (default: $HTTPS_PROXY / $HTTP_PROXY).")
    ] = None,
    ca_bundle: Annotated[
        str | None, typer.Option("--ca-bundle", help="CA certificates file (default: $SSL_CERT_FILE).")
    ] = None,
    user_agent: Annotated[
        str | None,
        typer.Option("--user-agent", help="User-Agent header (t.co always gets a non-browser one)."),
    ] = None,
    cache_path: Annotated[
        str | None,
        typer.Option("--cache", help="Cache file (default: $RESOLVER_CACHE, else the user cache directory)."),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    max_age: Annotated[
        str | None,
        typer.Option("--max-age", help="Re-check cached liveness results older than this (e.g. 7d, 12h)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any link's verdict is not ok.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-j",
            min=0,
            max=MAX_WORKERS,
            help="Processes (0: from 2,000 links on, up to one per core once one process is CPU-bound)."
            " A host's links stay in one process.",
        ),
    ] = 0,
) -> None:
    """Expand links: follow every redirect, record each hop, give a verdict.

    For each link: every hop (url, status, via location / refresh-header / meta-refresh /
    js / final, elapsed ms), the final URL and a verdict slug (ok, http-404, timeout,
    dns-failure, ...). A chain that reaches a tweet's status URL stops there. Results are
    cached (--cache, --no-cache, --max-age); output is in completion order, each result
    with its input `index`.
    """
    import time

    from cache import CacheError, NullStore, open_store
    from resolver.expander.api import aexpand_iter
    from resolver.expander.engine import ExpandOptions
    from resolver.expander.inputs import read_links
    from resolver.net import run_async

    links = read_links(urls or [], from_scan=from_scan, all_links=all_links)
    if not links:
        _error("nothing to expand: give URLs, '-' for stdin, or --from-scan FILE")
        raise typer.Exit(EXIT_USAGE)
    options = ExpandOptions(
        concurrency=concurrency,
        per_host=per_host,
        host_interval=host_interval,
        max_hops=max_hops,
        timeout=timeout,
        connect_timeout=min(timeout, 10.0),
        link_timeout=link_timeout,
        retries=retries,
        max_retry_wait=max_retry_wait,
        max_body=_parse_size(max_body),
        allow_private=allow_private,
        max_age=_parse_duration(max_age) if max_age else None,
    )
    config = network_config(proxy, ca_bundle, user_agent, timeout)
    chosen = fmt or _default_format()
    started = time.perf_counter()
    try:
        store = NullStore() if no_cache else open_store(cache_path)
    except CacheError as exc:
        _error(f"{exc} (or run with --no-cache)")
        raise typer.Exit(EXIT_FAILURES) from None
    _OPEN_CACHES.append(store.path)

    def body(out, console):  # type: ignore[no-untyped-def]
        from resolver.report import ExpansionWriter, progress_on_stderr

        writer = ExpansionWriter(out, chosen, console=console)
        # A person watching a long run into a file or a pipe sees how far it is; a table on
        # the terminal is its own progress, and scripts (stderr not a terminal) get nothing.
        show_progress = sys.stderr.isatty() and not (chosen is OutputFormat.TABLE and output is None)

        async def pump() -> None:
            with progress_on_stderr(len(links), enabled=show_progress) as advance:
                async for result in aexpand_iter(
                    links, options=options, config=config, store=store, workers=workers or None
                ):
                    writer.write(result)
                    advance(result)

        run_async(pump())
        writer.close()
        return writer.counts

    try:
        counts = _write(body, output, [from_scan])
    except CacheError as exc:
        _error(str(exc))
        raise typer.Exit(EXIT_FAILURES) from None
    finally:
        store.close()
    total = sum(counts.values())
    summary = ", ".join(
        f"{verdict} {count}" for verdict, count in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    sys.stderr.write(
        f"resolver: expanded {total} links in {time.perf_counter() - started:.1f} s: {summary}\n"
    )
    if strict and any(verdict != "ok" for verdict in counts):
        raise typer.Exit(EXIT_FAILURES)


from resolver.cli_cache import cache_app  # noqa: E402

app.add_typer(cache_app, name="cache")


def network_config(
    proxy: str | None, ca_bundle: str | None, user_agent: str | None, timeout: float
) -> NetConfig:
    """The network settings of a command, checked before any output: a bad --ca-bundle or
    proxy is one line and exit 2, not one failure per link."""
    from resolver.net import DEFAULT_USER_AGENT, ClientFactory, NetConfig

    if user_agent is not None and any(c in user_agent for c in "\r\n\0"):
        # A header value is one line (RFC 9110, section 5.5): every request would fail before
        # it is sent, and each link would read as connect-failed.
        raise UsageError(f"--user-agent {user_agent!r}: a header value is one line, without NUL")
    config = NetConfig(
        proxy=proxy,
        ca_bundle=ca_bundle,
        user_agent=user_agent or DEFAULT_USER_AGENT,
        timeout=timeout,
        connect_timeout=min(timeout, 10.0),
    )
    ClientFactory(config).prepare()
    return config


def open_cache(cache_path: str | None, no_cache: bool, *, exit_code: int = EXIT_FAILURES) -> Store:
    """The cache a command reads and writes (`--cache`, `--no-cache`), or one line and `exit_code`."""
    from cache import CacheError, NullStore, open_store

    try:
        store = NullStore() if no_cache else open_store(cache_path)
    except CacheError as exc:
        _error(f"{exc} (or run with --no-cache)")
        raise typer.Exit(exit_code) from None
    _OPEN_CACHES.append(store.path)
    return store


#: The cache files this process opened: `-o` naming one would replace the database with a
#: report (`resolver expand --cache c.db -o c.db`), so `_write` refuses them as it refuses inputs.
_OPEN_CACHES: list[str | None] = []


class OutputError(ResolverError):
    """The results cannot be written (a full disk, a quota, an I/O error): one line, exit 1."""


class _ReaderLeft(Exception):
    """stdout's reader closed the pipe (`resolver scan dir | head`). Not a BrokenPipeError:
    click catches that one (any EPIPE) and exits with code 1; `main` ends this one with 0."""


class _Output:
    """A text stream whose write errors are an `OutputError` naming where the output goes.

    ENOSPC while writing a report is not a bug to report but a full disk to say. A reader
    that left (EPIPE) is `_ReaderLeft`, which `main` ends quietly.
    """

    def __init__(self, handle: TextIO, where: str) -> None:
        self._handle = handle
        self._where = where

    def _failed(self, exc: OSError) -> OutputError:
        return OutputError(f"cannot write {self._where}: {exc.strerror or exc}")

    def write(self, text: str) -> int:
        try:
            return self._handle.write(text)
        except BrokenPipeError:
            raise _ReaderLeft from None
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self._handle.flush()
        except BrokenPipeError:
            raise _ReaderLeft from None
        except OSError as exc:
            raise self._failed(exc) from None

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding... of the real stream
        return getattr(self._handle, name)


class _ClosedStdout(io.TextIOBase):
    """stdout when the command was started with it closed (`resolver scan a.html >&-`): a
    command that writes there fails on its first write, with one line; one that writes
    elsewhere (`-o FILE`) is not disturbed."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OutputError("cannot write to standard output: it is closed")


def _write(body, output: str | None, inputs: Iterable[str | None] = ()):  # type: ignore[no-untyped-def]
    """Run `body(out, console)` on stdout, or on `-o FILE` written whole or not at all.

    `inputs`: the files the command reads; `-o` naming one of them is a usage error.
    """
    from rich.console import Console

    if output is not None:
        refuse_output_over_input(output, [*inputs, *_OPEN_CACHES])
    if output is None:
        out = (
            sys.stdout
            if isinstance(sys.stdout, _Output | _ClosedStdout)
            else _Output(sys.stdout, "to standard output")
        )
        result = body(out, Console(file=out, soft_wrap=False))
        out.flush()
        return result
    if not _is_special(output):
        _check_output(output)
    in_body = False
    try:
        with open_output(output) as handle:
            out = _Output(handle, f"-o {output}")
            in_body = True
            result = body(out, Console(file=out, width=160, soft_wrap=False))
            out.flush()
            in_body = False
        return result
    except OSError as exc:
        first = _first_output_error(exc)
        if first is not None:
            # A write failed (ENOSPC), then closing the file failed again (more than once: the
            # text layer, then the buffer) on what was still buffered: report the first.
            raise first from None
        if in_body or isinstance(exc, BrokenPipeError):
            raise  # the body's own errors pass through
        # Opening the file, the temp file's fsync or its rename: the target is left as it was.
        raise OutputError(f"cannot write -o {output}: {exc.strerror or exc}") from None


def open_output(output: str) -> contextlib.AbstractContextManager[TextIO]:
    """`-o FILE` opened for writing: a temp file renamed over FILE once complete, or, for a
    device, a named pipe or a socket (`-o /dev/null`, `-o /dev/stdout`), the thing itself,
    never renamed over (a rename would put a regular file in the device's place, in /dev when
    run as root)."""
    from resolver.fsutil import atomic_text_writer

    if _is_special(output):
        return open(output, "w", encoding="utf-8", newline="")
    # A run killed with SIGKILL leaves its temp file; the next run to the same FILE removes it.
    return atomic_text_writer(output, clean_stale=True)


def _first_output_error(exc: BaseException) -> OutputError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OutputError):
            return seen
        seen = seen.__context__
    return None


def _is_special(output: str) -> bool:
    """Whether `output` exists and is a device, a named pipe or a socket (not a file, not a folder)."""
    try:
        mode = os.stat(output).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def refuse_output_over_input(output: str, inputs: Iterable[str | None], option: str = "-o") -> None:
    """A usage error when `output` is one of the files the command reads (`resolver scan -o
    a.html a.html`): the results would replace the article they came from, and an article
    is what the tool exists to keep."""
    try:
        if not stat.S_ISREG(os.stat(output).st_mode):
            return  # new, or a device: /dev/stdout is no input's copy
    except OSError:
        return
    for source in inputs:
        if not source or source == "-" or "://" in source:
            continue
        try:
            same = os.path.samefile(output, source)
        except OSError:
            continue
        if same:
            what = "the cache" if source in _OPEN_CACHES else "an input"
            raise UsageError(f"{option} {output}: is also {what} ({source}); write the results elsewhere")


def _check_output(output: str) -> None:
    """A usage error, before any work (no request is made yet), when `-o FILE` cannot be
    written where it is asked: the file is written whole at the end, so a missing folder would
    otherwise surface only then, as an internal error after the whole run."""
    target = os.path.abspath(output)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        problem = "is a folder, not a file"
    elif not os.path.isdir(folder):
        problem = f"the folder {folder} does not exist"
    elif not os.access(folder, os.W_OK | os.X_OK):
        problem = f"the folder {folder} is not writable"
    else:
        return
    raise UsageError(f"--output {output}: {problem}")  # `_error` makes it one inert line


def main() -> None:
    """Console entry point: never a traceback, always an exit code.

    Usage errors (click's, inside typer) and library errors become one line on stderr:
    click's own report of a usage error is a box of five lines or more.
    """
    _occupy_closed_std_fds()
    if sys.stdin is None:  # started with stdin closed (`<&-`): `-` reads nothing
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 (for the whole run)
    if sys.stderr is None:  # `2>&-`: the messages go nowhere, the exit code still tells
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the whole run)
    if sys.stdout is not None:
        _any_text_on(sys.stdout)
    # Every write to stdout, a command's own included (`cache stats`), fails as one line.
    sys.stdout = _ClosedStdout() if sys.stdout is None else _Output(sys.stdout, "to standard output")
    code: object = EXIT_OK
    try:
        # Not standalone: click then raises its usage errors instead of drawing them in a box,
        # and returns a command's exit code instead of calling sys.exit.
        returned = app(standalone_mode=False)
        code = returned if isinstance(returned, int) else EXIT_OK
    except typer.TyperException as exc:  # click's usage errors (bad option, missing argument)
        usage_ctx = getattr(exc, "ctx", None)
        hint = f" (see '{usage_ctx.command_path} -h')" if usage_ctx is not None else ""
        message = getattr(exc, "format_message", exc.__str__)()
        if message:  # empty after a bare `resolver` or `resolver cache`, which show the help
            _error(f"{message}{hint}")
        sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
    except typer.Abort:
        _error("aborted")
        sys.exit(EXIT_FAILURES)
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(130)
    except UsageError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    except ResolverError as exc:
        _error(str(exc))
        sys.exit(EXIT_FAILURES)
    except (BrokenPipeError, _ReaderLeft):
        _reader_left()
    except Exception as exc:
        _error(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        sys.exit(3)
    # What the commands printed straight to stdout (`cache stats`, `cache export`) is flushed
    # here, not at interpreter exit, where a full disk is a bare "Exception ignored" and exit
    # code 120.
    _flush_stdout()
    sys.exit(code)


def _occupy_closed_std_fds() -> None:
    """Put /dev/null on each of the descriptors 0, 1 and 2 that the command was started
    without (`<&-`, `>&-`): the next file or socket opened would get that number, and then
    be written to as if it were stdout, or abort the run (uvloop asserts when it closes a
    descriptor under 3). sys.stdin/stdout/stderr are None for them, as Python makes them
    when it starts without them."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            setattr(sys, name, None)  # still closed as far as the command is concerned


def _any_text_on(stream: TextIO) -> None:
    """Make `stream` take any text when its encoding cannot (`LC_ALL=C` without UTF-8 mode,
    `PYTHONIOENCODING=ascii`): the first `é` of a table or a JSON record was an "internal
    error". A terminal keeps its encoding and shows what it cannot as escapes (`\xe9`), as
    the table shows control characters; a file or a pipe gets UTF-8, the encoding of every
    machine format (an escape inside a JSON string would make it invalid JSON)."""
    try:
        if codecs.lookup(stream.encoding).name in ("utf-8", "utf-16", "utf-32"):
            return
        if stream.isatty():
            stream.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
        else:
            stream.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    except (AttributeError, LookupError, OSError, TypeError, ValueError):
        pass  # not a TextIOWrapper (a test's stream): left as it is


def _flush_stdout() -> None:
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (BrokenPipeError, _ReaderLeft):
        _reader_left()
    except OutputError as exc:
        _error(str(exc))
        sys.exit(EXIT_FAILURES)
    except OSError as exc:
        _error(f"cannot write to standard output: {exc.strerror or exc}")
        sys.exit(EXIT_FAILURES)


def _reader_left() -> None:
    """`resolver scan dir | head`: the reader left; that is not an error. What is still
    buffered for it goes nowhere (stdout pointed at /dev/null), so that the interpreter's
    last flush cannot fail again on the closed pipe."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_OK)


# The tweet commands live in their own module, which registers them on `app`.
import resolver.cli_archive  # noqa: E402
import resolver.cli_audit  # noqa: E402
import resolver.cli_tweets  # noqa: E402, F401

if __name__ == "__main__":
    main()
