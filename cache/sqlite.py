"""The cache in one SQLite file, shared safely by threads and processes.

- One table, `entries`, keyed on (namespace, key): `value` is compact JSON text, `stored_at`
  and `expires_at` are Unix seconds (`expires_at` NULL = forever), with a partial index on
  `expires_at` for `prune` and `stats`.
- WAL journal and `synchronous=NORMAL`: readers never block the writer nor the writer them,
  and a commit costs no fsync (a power cut may lose the last commits, never the file's
  integrity; losing a cache entry only costs a request). Crash safety is SQLite's own
  journaling, left on.
- Several processes share one file: every write transaction starts with `BEGIN IMMEDIATE`, so
  a writer waits for the write lock up front (up to `timeout`, through `busy_timeout`) instead
  of failing with "database is locked" when a read transaction tries to upgrade after another
  process has written (SQLITE_BUSY_SNAPSHOT cannot be waited out).
- Threads share one connection behind a lock (a `:memory:` store must: each connection would
  see its own database); calls are short, so asyncio code calls them directly. A store that
  crosses a `fork()` reopens its file in the child (SQLite forbids using a connection there).
- The file's identity: `PRAGMA application_id` marks it as resolver's, `PRAGMA user_version`
  holds the schema version; `MIGRATIONS[n]` upgrades a version-n file to n + 1 (0 = a new file).

Measured (CPython 3.11.7, SQLite 3.40.1, a 2-vCPU Linux VM under a load average of 2, the file
on ext4 in a temporary directory; 100,000 entries of `{"final": <72-character URL>, "hops": 2,
"status": 200}` under 23-character t.co keys; the median of five runs of `python -m cache.sqlite`,
which prints these lines):

    put_many  100,000 entries, one transaction:        0.53 s  (190,000 entries/s)
    get_many  100,000 keys, all hits:                  0.54 s  (185,000 keys/s; SQL 0.14 s,
                                                                JSON decoding 0.19 s)
    get       10,000 single lookups:                   0.10 s  (10 µs each)
    put       10,000 single puts, one commit each:     0.33 s  (33 µs each)
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import stat
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TextIO

from cache import MEMORY, CacheError, CacheStats, Entry, Item

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "SQLiteStore"]

#: `PRAGMA application_id` of a resolver cache ("RSLV"): tells our file from another program's.
APPLICATION_ID = 0x52534C56
#: The schema this code reads and writes (`PRAGMA user_version`).
SCHEMA_VERSION = 1
#: Keys per `SELECT ... IN (...)` in `get_many`: under SQLite's historical limit of 999
#: parameters; larger chunks measured no faster.
_CHUNK = 500
#: `PRAGMA journal_size_limit`: the size the -wal file is truncated back to once a checkpoint
#: lets SQLite reuse it. Without it a large batch leaves a -wal as large as the batch for as
#: long as any process keeps the file open. 4 MB is what SQLite's automatic checkpoint (1,000
#: pages) lets the -wal reach between checkpoints anyway.
WAL_SIZE_LIMIT = 4 * 1024 * 1024
#: Connections inherited across fork(), kept alive so that they are never closed in the child.
_ABANDONED: list[sqlite3.Connection] = []


def _create_v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE entries (
            namespace  TEXT NOT NULL,
            key        TEXT NOT NULL,
            value      TEXT NOT NULL,  -- compact JSON of a dict
            stored_at  REAL NOT NULL,
            expires_at REAL,           -- NULL: kept for good
            PRIMARY KEY (namespace, key)
        )
        """
    )
    conn.execute("CREATE INDEX entries_expires_at ON entries (expires_at) WHERE expires_at IS NOT NULL")


#: The migration hook: MIGRATIONS[n] takes a version-n database to n + 1, inside the opening
#: transaction (so a crash leaves the old version). Add a row per schema change and bump
#: SCHEMA_VERSION; never edit a released row.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _create_v1}

_UPSERT = (
    "INSERT INTO entries (namespace, key, value, stored_at, expires_at) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (namespace, key) DO UPDATE SET"
    " value = excluded.value, stored_at = excluded.stored_at, expires_at = excluded.expires_at"
)
# A live entry: not expired at ?now, and stored at or after ?oldest (the caller's max_age).
_LIVE = "(expires_at IS NULL OR expires_at > ?) AND stored_at >= ?"

_READ_ONLY = "the cache file is read-only; check its permissions"

# What to tell people, by SQLite primary result code: (stable code, reason). The corrupt case
# names both ways out, since a corrupt file cannot be opened to be cleared from inside.
_CORRUPT = (
    "corrupt",
    "not an SQLite database, or a damaged one ({error}); if it is resolver's cache, run "
    "`resolver cache clear` or delete the file",
)
_SQLITE_ERRORS: dict[int, tuple[str, str]] = {
    sqlite3.SQLITE_NOTADB: _CORRUPT,
    sqlite3.SQLITE_CORRUPT: _CORRUPT,
    sqlite3.SQLITE_BUSY: (
        "busy",
        "another process held the cache's write lock for more than {timeout:g} s; try again, "
        "or give this run its own cache (--cache or RESOLVER_CACHE)",
    ),
    sqlite3.SQLITE_LOCKED: ("busy", "the cache is locked ({error}); try again"),
    sqlite3.SQLITE_READONLY: ("read-only", _READ_ONLY),
    sqlite3.SQLITE_PERM: ("read-only", "no permission to write the cache ({error})"),
    sqlite3.SQLITE_CANTOPEN: (
        "cannot-open",
        "cannot open the cache file; check that its directory exists and is writable",
    ),
    sqlite3.SQLITE_FULL: ("full", "the disk is full; free some space or run `resolver cache prune`"),
    sqlite3.SQLITE_IOERR: ("io", "input/output error on the cache file ({error})"),
}


# Compact, UTF-8 as is, and strict JSON (no NaN/Infinity, which other readers reject). One
# encoder for all: json.dumps with options builds one per call (2.8 µs a value against 1.8 µs).
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


class SQLiteStore:
    """A `cache.Store` in an SQLite file (or `:memory:`). Open it through `cache.open_store`."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
        read_only: bool = False,
    ) -> None:
        self._path = os.fspath(path)
        self._memory = self._path == MEMORY
        self._read_only = read_only and not self._memory
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._conn: sqlite3.Connection | None = None
        if not self._memory:
            self._check_regular()
        if not self._memory and not self._read_only:
            self._check_writable()
            try:
                _make_private_dirs(Path(self._path).parent)
            except OSError as exc:
                raise CacheError(
                    self._path, f"cannot create its directory ({exc.strerror or exc})", code="cannot-open"
                ) from exc
        self._conn = self._open()

    # --- Opening -------------------------------------------------------------------------------

    def _check_regular(self) -> None:
        """Refuse a device, named pipe or socket before SQLite opens it: `--cache /dev/null`
        is an I/O error at best, and SQLite would first drop a `null-journal` beside it, in
        /dev; a FIFO would block the open."""
        try:
            mode = os.stat(self._path).st_mode
        except OSError:
            return  # missing (created later) or unreadable: the open says what is wrong
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise CacheError(
                self._path,
                "not a regular file (a device, named pipe or socket); give a file path",
                code="cannot-open",
            )

    def _check_writable(self) -> None:
        """Refuse a read-only file or folder when opening, not at the first write.

        SQLite opens a file it cannot write read-only without a word, and fails only when a
        write commits: `resolver expand` then ran to the end, printed its results and failed
        on keeping them. Permission bits are what SQLite would meet (os.access asks the
        kernel, so root and ACLs count). A missing file needs a writable folder to be made
        in, and a WAL file needs one for its -wal and -shm companions.
        """
        path = Path(self._path)
        if path.exists():
            if not os.access(path, os.W_OK):
                raise CacheError(self._path, _READ_ONLY, code="read-only")
            folder = path.parent
        else:
            folder = next((p for p in path.parents if p.exists()), None)
        if folder is not None and folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise CacheError(
                self._path, f"its folder {folder} is read-only; check its permissions", code="read-only"
            )

    def _open(self) -> sqlite3.Connection:
        if self._read_only:
            return self._open_read_only()
        try:
            conn = sqlite3.connect(
                self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        return self._prepared(conn)

    def _open_read_only(self) -> sqlite3.Connection:
        """Open for reading only (`read_only=True`: `resolver cache stats` and `export`).

        `mode=ro` first: it reads alongside writers. A WAL file in a folder that cannot be
        written has no -shm file for SQLite to coordinate readers through, and SQLite then
        refuses even to read, so the fallback is `immutable=1`: a snapshot of the main file
        (nobody can be writing next to it: the folder is read-only).
        """
        uri = "file:" + urllib.parse.quote(os.path.abspath(self._path)) + "?mode=ro"
        error: sqlite3.Error | None = None
        for suffix in ("", "&immutable=1"):
            try:
                conn = sqlite3.connect(
                    uri + suffix,
                    uri=True,
                    timeout=self._timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            except sqlite3.Error as exc:
                error = exc
                continue
            try:
                return self._prepared(conn)
            except CacheError as exc:
                if exc.code not in ("read-only", "cannot-open"):
                    raise
                error = exc.__cause__ if isinstance(exc.__cause__, sqlite3.Error) else None
                if error is None:
                    raise
        assert error is not None
        raise self._error(error) from error

    def _prepared(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        try:
            self._prepare(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise self._error(exc) from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        # The first read of the file: a file that is not SQLite fails here, as SQLITE_NOTADB.
        # One read transaction, so that the identity and the tables are of one moment: another
        # process setting up a new file between the two reads made it look like another
        # program's database (its tables, our not-yet-read application_id).
        conn.execute("BEGIN")
        try:
            app_id, version = self._identity(conn)
            self._check_identity(app_id, version)
            if app_id == 0:
                # Before anything writes: switching to WAL changes the file for good, and another
                # program's database must be left exactly as it was.
                self._check_no_other_tables(conn)
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")
        if self._read_only:
            if app_id != APPLICATION_ID or version < SCHEMA_VERSION:
                # Not set up, or an older schema: only a writer can make it readable.
                raise CacheError(
                    self._path,
                    "read-only, and not yet set up as this resolver's cache: open it writable once",
                    code="read-only",
                )
            return
        if not self._memory:
            self._enable_wal(conn)
            conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        conn.execute("PRAGMA synchronous = NORMAL")
        if app_id != APPLICATION_ID or version < SCHEMA_VERSION:
            self._migrate(conn)

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL (a property of the file, kept once set).

        Where WAL is impossible (some network file systems) SQLite keeps its rollback journal,
        slower but as safe. The switch needs the file to itself, and SQLite answers SQLITE_BUSY
        at once rather than through the busy handler: two processes opening a new file
        together hit that, so the switch is retried here, within the same `timeout`.
        """
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        deadline = time.monotonic() + self._timeout
        delay = 0.001
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    @staticmethod
    def _identity(conn: sqlite3.Connection) -> tuple[int, int]:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        return app_id, version

    def _check_identity(self, app_id: int, version: int) -> None:
        if app_id not in (0, APPLICATION_ID):
            raise CacheError(
                self._path,
                "an SQLite database of another program, not resolver's cache; choose another path "
                "(--cache or RESOLVER_CACHE)",
                code="foreign",
            )
        if version > SCHEMA_VERSION:
            raise CacheError(
                self._path,
                f"written by a newer resolver (schema {version}, this one reads {SCHEMA_VERSION}); "
                "upgrade resolver, or run `resolver cache clear` to start afresh",
                code="newer-schema",
            )

    def _check_no_other_tables(self, conn: sqlite3.Connection) -> None:
        """Refuse a database without our application_id that already holds tables."""
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        if tables:
            raise CacheError(
                self._path,
                "an SQLite database with other tables, not resolver's cache; choose another "
                "path (--cache or RESOLVER_CACHE)",
                code="foreign",
            )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another process may have set the file up meanwhile.
            app_id, version = self._identity(conn)
            self._check_identity(app_id, version)
            if app_id == 0:
                self._check_no_other_tables(conn)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _error(self, exc: sqlite3.Error) -> CacheError:
        primary = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        code, reason = _SQLITE_ERRORS.get(primary, ("error", "SQLite error: {error}"))
        if isinstance(exc, sqlite3.ProgrammingError) and "closed" in str(exc):
            code, reason = "closed", "the store is closed"
        return CacheError(self._path, reason.format(error=exc, timeout=self._timeout), code=code)

    # --- Sessions ------------------------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock; sqlite3's errors become CacheError."""
        if self._pid != os.getpid():
            self._after_fork()
        with self._lock:
            if self._conn is None:
                raise CacheError(self._path, "the store is closed", code="closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, begun IMMEDIATE (see the module's docstring), committed or rolled back."""
        with self._session() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _after_fork(self) -> None:
        # The parent's connection and lock are unusable here: abandon them and open the file
        # afresh. The old connection is kept referenced, never closed nor freed: closing it in
        # the child would roll back or checkpoint on the parent's behalf. A `:memory:` store is
        # a private copy in the child, so it goes on as it is.
        self._lock = threading.RLock()
        self._pid = os.getpid()
        if self._conn is not None and not self._memory:
            _ABANDONED.append(self._conn)
            self._conn = self._open()

    def _now(self, now: float | None) -> float:
        return self._clock() if now is None else now

    # --- Reading -------------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The database file (or `:memory:`)."""
        return self._path

    def get(
        self, namespace: str, key: str, now: float | None = None, *, max_age: float | None = None
    ) -> Entry | None:
        now = self._now(now)
        with self._session() as conn:
            row = conn.execute(
                "SELECT value, stored_at, expires_at FROM entries"
                f" WHERE namespace = ? AND key = ? AND {_LIVE}",
                (namespace, key, now, _oldest(now, max_age)),
            ).fetchone()
        return None if row is None else _entry(key, *row)

    def get_many(
        self,
        namespace: str,
        keys: Iterable[str],
        now: float | None = None,
        *,
        max_age: float | None = None,
    ) -> dict[str, Entry]:
        now = self._now(now)
        oldest = _oldest(now, max_age)
        wanted = list(dict.fromkeys(keys))
        rows: list[tuple[str, str, float, float | None]] = []
        with self._session() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows += conn.execute(
                    f"SELECT key, value, stored_at, expires_at FROM entries"
                    f" WHERE namespace = ? AND key IN ({marks}) AND {_LIVE}",
                    (namespace, *chunk, now, oldest),
                ).fetchall()
        found: dict[str, Entry] = {}
        for key, text, stored_at, expires_at in rows:  # decoded outside the lock
            entry = _entry(key, text, stored_at, expires_at)
            if entry is not None:
                found[key] = entry
        return found

    def stats(self, now: float | None = None) -> CacheStats:
        now = self._now(now)
        with self._session() as conn:
            entries = dict(
                conn.execute(
                    "SELECT namespace, count(*) FROM entries"
                    " WHERE expires_at IS NULL OR expires_at > ? GROUP BY namespace ORDER BY namespace",
                    (now,),
                ).fetchall()
            )
            expired = conn.execute(
                "SELECT count(*) FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,)
            ).fetchone()[0]
            if self._memory:
                pages = conn.execute("PRAGMA page_count").fetchone()[0]
                size = pages * conn.execute("PRAGMA page_size").fetchone()[0]
            else:
                size = sum(_size(self._path + suffix) for suffix in ("", "-wal"))
        return CacheStats(path=self._path, entries=entries, expired=expired, size_bytes=size)

    def export(
        self,
        out: TextIO,
        namespace: str | None = None,
        now: float | None = None,
        *,
        include_expired: bool = False,
    ) -> int:
        now = self._now(now)
        where: list[str] = []
        params: list[object] = []
        if namespace is not None:
            where.append("namespace = ?")
            params.append(namespace)
        if not include_expired:
            where.append(_LIVE)
            params += [now, -math.inf]
        # The value is copied into the line as stored (compact JSON, written by `_dumps`),
        # not decoded and encoded again: 1,000,000 entries took 19 s that way, 5 s this way
        # (memory stays flat: rows are fetched a batch at a time). SQLite checks it instead:
        # a row that `get` would not return (damaged, or JSON but not an object) is left out,
        # and json() gives RFC 8259 text even where SQLite (3.42+) accepts JSON5 in it.
        value_sql = "CASE WHEN json_valid(value) AND json_type(value) = 'object' THEN json(value) END"
        sql = f"SELECT namespace, key, {value_sql}, stored_at, expires_at FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY namespace, key"
        count = 0
        with self._session() as conn:
            try:
                cursor = conn.execute(sql, params)
            except sqlite3.OperationalError as exc:
                if "no such function" not in str(exc):
                    raise
                # An SQLite built without its JSON functions (before 3.38 they were optional):
                # the values are checked by Python's decoder, three times slower.
                cursor = conn.execute(sql.replace(value_sql, "value"), params)
                checked = False
            else:
                checked = True
            while batch := cursor.fetchmany(1000):
                lines: list[str] = []
                for ns, key, text, stored_at, expires_at in batch:
                    if text is None or not (checked or _is_object(text)):
                        continue
                    line = (
                        f'{{"namespace":{_dumps(ns)},"key":{_dumps(key)},"value":{text},'
                        f'"stored_at":{_number(stored_at)},"expires_at":{_number(expires_at)}}}\n'
                    )
                    lines.append(line)
                chunk = "".join(lines)
                # U+0085, U+2028 and U+2029 are valid raw in JSON strings (the encoder escapes
                # only C0 controls), but str.splitlines and older JavaScript take them for line
                # breaks: one entry must be one line to every reader, and inside a JSON string
                # (the only place they can be) the escape means the same.
                if _LINE_BREAKS.search(chunk):
                    chunk = _LINE_BREAKS.sub(_escape_line_break, chunk)
                out.write(chunk)
                count += len(lines)
        return count

    # --- Writing -------------------------------------------------------------------------------

    def put(
        self, namespace: str, key: str, value: dict[str, Any], ttl: float | None, now: float | None = None
    ) -> bool:
        row = _row(namespace, key, value, ttl, self._now(now))
        if row is None:
            return False
        with self._transaction() as conn:
            conn.execute(_UPSERT, row)
        return True

    def put_many(self, namespace: str, items: Iterable[Item], now: float | None = None) -> int:
        now = self._now(now)
        # Serialized before the transaction, so a slow iterable never holds the write lock.
        rows = [row for key, value, ttl in items if (row := _row(namespace, key, value, ttl, now))]
        if rows:
            with self._transaction() as conn:
                conn.executemany(_UPSERT, rows)
        return len(rows)

    def delete(self, namespace: str, key: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM entries WHERE namespace = ? AND key = ?", (namespace, key))
            return cursor.rowcount > 0

    def prune(self, now: float | None = None, *, vacuum: bool = False) -> int:
        now = self._now(now)
        with self._transaction() as conn:
            deleted = conn.execute(
                "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,)
            ).rowcount
        if vacuum:
            with self._session() as conn:
                conn.execute("VACUUM")
                if not self._memory:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

    def clear(self, namespace: str | None = None) -> int:
        with self._transaction() as conn:
            if namespace is None:
                return conn.execute("DELETE FROM entries").rowcount
            return conn.execute("DELETE FROM entries WHERE namespace = ?", (namespace,)).rowcount

    # --- Lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                if self._pid == os.getpid():
                    with suppress(sqlite3.Error):
                        conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self._path!r})"


def _oldest(now: float, max_age: float | None) -> float:
    """The earliest `stored_at` a read accepts: `max_age` makes older entries misses."""
    return -math.inf if max_age is None else now - max_age


def _row(
    namespace: str, key: str, value: dict[str, Any], ttl: float | None, now: float
) -> tuple[str, str, str, float, float | None] | None:
    """The row to store, or None when the TTL says not to store it."""
    # Policy (cache/policy.py): a TTL of 0 means "do not store"; that is how transient errors
    # (timeouts, 5xx, 429) reach here, and they must never be served from the cache.
    if ttl == 0:
        return None
    if ttl is not None and (math.isnan(ttl) or ttl < 0):
        raise ValueError(f"cache TTL must be None, 0 or positive seconds, not {ttl!r}")
    if not isinstance(namespace, str) or not isinstance(key, str):
        raise TypeError(f"cache namespace and key must be str, not {namespace!r}, {key!r}")
    if not isinstance(value, dict):
        raise TypeError(f"cache value for {key!r} must be a dict, not {type(value).__name__}")
    try:
        text = _dumps(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cache value for {key!r} is not JSON-serialisable: {exc}") from exc
    expires_at = None if ttl is None or math.isinf(ttl) else now + ttl
    return (namespace, key, text, now, expires_at)


def _entry(key: str, text: str, stored_at: float, expires_at: float | None) -> Entry | None:
    try:
        value = json.loads(text)
    except ValueError:  # a row damaged by hand reads as a miss; the next put replaces it
        return None
    return Entry(key, value, stored_at, expires_at) if isinstance(value, dict) else None


def _make_private_dirs(directory: Path) -> None:
    """Create `directory` and its missing parents with mode 0700; existing ones stay as they are.

    The XDG Base Directory spec asks for 0700 on a directory a program creates for its data,
    and the cache is private: which links and tweets someone followed. `Path.mkdir(parents=True,
    mode=...)` gives the mode to the last directory only, so each is made here, top down.
    """
    missing: list[Path] = []
    while not directory.exists():
        missing.append(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # another process made it meanwhile
            if not path.is_dir():
                raise


_LINE_BREAKS = re.compile("[\u0085\u2028\u2029]")


def _escape_line_break(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _is_object(text: str) -> bool:
    """Whether `text` is strict JSON of an object (what `get` returns; NaN is not JSON)."""
    try:
        return isinstance(json.loads(text, parse_constant=_no_constant), dict)
    except ValueError:
        return False


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _number(value: float | None) -> str:
    """A time as JSON: Python's shortest round-trip repr, as json.dumps writes floats."""
    return "null" if value is None or not math.isfinite(value) else repr(float(value))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _benchmark(n: int = 100_000) -> None:
    """Print the figures quoted in the module's docstring (a temporary file, `n` entries)."""
    import tempfile

    keys = [f"https://t.co/{i:010d}" for i in range(n)]
    value = {"final": "https://www.example.com/news/2015/10/21/a-long-article-slug-about-things", "hops": 2}
    value["status"] = 200
    with tempfile.TemporaryDirectory() as tmp, SQLiteStore(os.path.join(tmp, "bench.sqlite3")) as store:
        t0 = time.perf_counter()
        store.put_many("expand", ((k, value, None) for k in keys))
        t1 = time.perf_counter()
        found = store.get_many("expand", keys)
        t2 = time.perf_counter()
        for k in keys[:10_000]:
            store.get("expand", k)
        t3 = time.perf_counter()
        for i in range(10_000):
            store.put("single", f"k{i}", value, None)
        t4 = time.perf_counter()
        assert len(found) == n
    print(f"put_many {n:,} entries, one transaction:     {t1 - t0:.2f} s  ({n / (t1 - t0):,.0f} entries/s)")
    print(f"get_many {n:,} keys, all hits:               {t2 - t1:.2f} s  ({n / (t2 - t1):,.0f} keys/s)")
    print(f"get      10,000 single lookups:                {t3 - t2:.2f} s  ({(t3 - t2) * 100:.0f} µs each)")
    print(f"put      10,000 single puts (one commit each): {t4 - t3:.2f} s  ({(t4 - t3) * 100:.0f} µs each)")


if __name__ == "__main__":
    _benchmark()
