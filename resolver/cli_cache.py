"""`resolver cache`: look into and tidy the persistent cache, from the command line.

A thin layer over the `cache` package, like `cli.py` over the library: each subcommand opens
the store, calls one of its methods and prints the answer. Every `CacheError` becomes one line
on stderr and exit code 1.

Looking never creates anything: when the cache file does not exist yet, `stats`, `prune`,
`export` and `clear` act on an empty cache rather than creating the file (and its directory)
only to report that it is empty.

`resolver.cli` adds `cache_app` to the main app at the end of its command definitions, so the
names taken from it (`_error`, the exit codes) are imported inside the functions that use them.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from typing import Annotated, NoReturn

import typer

import cache
from cache import CacheError, CacheStats, Store

cache_app = typer.Typer(
    name="cache",
    help="Look into and tidy the persistent cache (expanded links, checked pages, recovered tweets): "
    "stats, prune, clear, export.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

#: Error codes of a file that is resolver's own cache but cannot be used, and that `clear`
#: therefore deletes: a damaged file (or not an SQLite database at all), and a file written by
#: a newer resolver (its error message tells people to run `resolver cache clear`). Every other
#: code, above all "foreign" (another program's database), is reported and the file left alone.
_DELETABLE = {
    "corrupt": "it was not a readable cache (not an SQLite database, or a damaged one)",
    "newer-schema": "it was written by a newer resolver",
}


class StatsFormat(StrEnum):
    TABLE = "table"
    JSON = "json"

    def __str__(self) -> str:
        return self.value


CacheOption = Annotated[
    str | None,
    typer.Option(
        "--cache",
        metavar="PATH",
        help="The cache: a file, sqlite:///PATH, :memory: or none. Default: $RESOLVER_CACHE, "
        "else cache.sqlite3 in the user cache directory (~/.cache/resolver on Linux).",
        show_default=False,
    ),
]


class _MissingFile(cache.NullStore):
    """A cache file that does not exist yet: empty, and not created just to be looked at."""

    def __init__(self, path: str) -> None:
        self.path = path

    def stats(self, now: float | None = None) -> CacheStats:
        return CacheStats(path=self.path)


def _open(location: str | None, *, looking: bool = False) -> Store:
    """The store `--cache` names (see `cache.open_store`); raises CacheError.

    `looking` (stats, export): a cache that cannot be written (a read-only file, folder or
    mount) is opened to be read instead of refused: looking needs no write access.
    """
    resolved = cache.resolve_location(location)
    if resolved is not None and resolved != cache.MEMORY and not os.path.exists(resolved):
        return _MissingFile(resolved)
    try:
        return cache.open_store(location)
    except CacheError as exc:
        if not looking or exc.code != "read-only":
            raise
    return cache.open_store(location, read_only=True)


def _fail(message: object) -> NoReturn:
    from resolver.cli import EXIT_FAILURES, _error

    _error(str(message))
    raise typer.Exit(EXIT_FAILURES)


def _where(path: str | None) -> str:
    return "no cache (caching is off)" if path is None else path


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


@cache_app.command("stats")
def stats_command(
    location: CacheOption = None,
    fmt: Annotated[
        StatsFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format. Default: table on a terminal, json otherwise.",
            case_sensitive=False,
        ),
    ] = None,
) -> None:
    """Show where the cache is, its live entries per namespace, the expired ones and its size.

    The JSON: {"path", "entries": {namespace: count}, "total", "expired", "size_bytes"};
    path is null when caching is off (--cache none).
    """
    chosen = fmt or (StatsFormat.TABLE if sys.stdout.isatty() else StatsFormat.JSON)
    try:
        with _open(location, looking=True) as store:
            stats = store.stats()
    except CacheError as exc:
        _fail(exc)
    if chosen is StatsFormat.JSON:
        sys.stdout.write(json.dumps(stats.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    _print_stats(stats)


def _print_stats(stats: CacheStats) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, soft_wrap=False)
    if stats.path is None:
        console.print("Cache: none (caching is off)", markup=False, highlight=False)
        return
    # One line however long the path: scripts read it (crop=False, soft_wrap: never folded).
    console.print(
        f"Cache: {stats.path} ({_human_size(stats.size_bytes)})",
        markup=False,
        highlight=False,
        soft_wrap=True,
        crop=False,
    )
    table = Table("namespace", "entries")
    table.columns[1].justify = "right"
    for namespace, count in sorted(stats.entries.items()):
        table.add_row(namespace, f"{count:,}")
    if stats.entries:
        table.add_section()
    table.add_row("total", f"{stats.total:,}")
    console.print(table, markup=False, highlight=False)
    if stats.expired:
        console.print(
            f"Expired: {stats.expired:,} (`resolver cache prune` deletes them)", markup=False, highlight=False
        )


@cache_app.command("prune")
def prune_command(
    location: CacheOption = None,
    vacuum: Annotated[
        bool,
        typer.Option(
            "--vacuum", help="Then rewrite the file (VACUUM) to give the freed space back to the disk."
        ),
    ] = False,
) -> None:
    """Delete the entries past their expiry, and say how many.

    Expired entries are already misses; pruning only frees their space. Without --vacuum the
    space is reused by later entries but the file does not shrink.
    """
    try:
        with _open(location) as store:
            count = store.prune(vacuum=vacuum)
            path = store.path
    except CacheError as exc:
        _fail(exc)
    sys.stdout.write(f"pruned {count} expired {'entry' if count == 1 else 'entries'} from {_where(path)}\n")


@cache_app.command("clear")
def clear_command(
    location: CacheOption = None,
    namespace: Annotated[
        str | None,
        typer.Option(
            "--namespace",
            "-n",
            help="Only this namespace (expand, liveness, tweet, ...).",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Accepted for scripts; clear never asks for confirmation.")
    ] = False,
) -> None:
    """Delete every entry of the cache, or of one namespace.

    Never asks for confirmation (like `pip cache purge`): the cache only saves requests, and
    whatever it held is fetched again when needed. A cache file that cannot be opened because
    it is damaged (or was written by a newer resolver) is deleted instead, which is the way out;
    a file that is another program's database is never touched.
    """
    del yes  # accepted so that scripts may pass it; there is nothing to confirm
    try:
        with _open(location) as store:
            count = store.clear(namespace)
            path = store.path
    except CacheError as exc:
        if exc.code not in _DELETABLE:
            _fail(exc)
        if namespace is not None:
            _fail(f"{exc}; clearing one namespace of it is impossible: omit --namespace to delete the file")
        _delete_unusable(location, exc)
        return
    scope = "" if namespace is None else f" of namespace {namespace}"
    sys.stdout.write(f"cleared {_entries(count)}{scope} from {_where(path)}\n")


#: What a file must look like for `clear` to delete it as a broken cache: an SQLite header
#: (a damaged database), or a cache-like name. `--cache notes.txt` by mistake must not cost
#: anyone their notes.
_SQLITE_HEADER = b"SQLite format 3\x00"
_CACHE_SUFFIXES = (".sqlite3", ".sqlite", ".db")


def _may_delete(path: str | None) -> bool:
    if not path or path == ":memory:":
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
    except OSError:
        return True  # gone, or unreadable: delete_store reports what it finds
    return not head or head == _SQLITE_HEADER or path.lower().endswith(_CACHE_SUFFIXES)


def _delete_unusable(location: str | None, error: CacheError) -> None:
    path = error.path or cache.resolve_location(location)
    if not _may_delete(path):
        _fail(
            f"{error}; {path} does not look like a cache file (no SQLite header, no .sqlite3/.sqlite/.db "
            "name), so it is left alone: delete it yourself if it is one"
        )
    try:
        found = cache.delete_store(location)
    except CacheError as exc:
        _fail(exc)
    if found:
        sys.stdout.write(f"deleted {path}: {_DELETABLE[error.code]}; the next run starts an empty cache\n")
    else:  # gone meanwhile
        sys.stdout.write(f"cleared 0 entries from {path}\n")


@cache_app.command("export")
def export_command(
    location: CacheOption = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout."),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option(
            "--namespace",
            "-n",
            help="Only this namespace (expand, liveness, tweet, ...).",
            show_default=False,
        ),
    ] = None,
    include_expired: Annotated[
        bool, typer.Option("--include-expired", help="Also the entries past their expiry.")
    ] = False,
) -> None:
    """Write the cache's entries as JSON Lines, sorted by namespace and key.

    One object per line: {"namespace", "key", "value", "stored_at", "expires_at"}, times in
    Unix seconds, expires_at null for an entry kept for good. With --output, the file is
    replaced only once the export is complete, and the count is printed.
    """
    try:
        with _open(location, looking=True) as store:
            if output is None:
                store.export(sys.stdout, namespace, include_expired=include_expired)
                return
            from resolver.cli import open_output, refuse_output_over_input

            # The export written over the database it reads would lose the cache.
            refuse_output_over_input(output, [store.path])
            try:
                with open_output(output) as handle:
                    count = store.export(handle, namespace, include_expired=include_expired)
            except OSError as exc:
                _fail(f"cannot write {output}: {exc.strerror or exc}")
    except CacheError as exc:
        _fail(exc)
    sys.stdout.write(f"exported {_entries(count)} to {output}\n")
