"""The persistent cache: JSON records under keys, each with an expiry.

A checker that uses a cache, not a cache that uses a checker: nothing here knows about HTTP or
tweets. A caller picks a namespace ("expand", "tweets", ...), builds its keys (URLs through
`cache.keys.normalize_url`), and passes the TTL its policy gives (`cache.policy.ttl_for`).

    with open_store(None) as store:              # ~/.cache/resolver/cache.sqlite3, or $RESOLVER_CACHE
        entry = store.get("expand", key)
        if entry is None:
            store.put("expand", key, {"final": url}, ttl_for("shortener-expansion"))

TTLs are seconds: None keeps an entry for good, 0 means "do not store" (`put` skips it), and an
entry whose `expires_at` has passed is a miss. Every method is synchronous, thread-safe and
short, so asyncio code calls them directly; the `*_many` methods are the fast path for batches.

Errors: every failure (a corrupt or foreign file, a full disk, a lock held too long) is a
`CacheError` whose message names the file and says what to do; sqlite3's own exceptions never
escape.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, TextIO, runtime_checkable

__all__ = [
    "DEFAULT_FILENAME",
    "ENV_VAR",
    "CacheError",
    "CacheStats",
    "Entry",
    "Item",
    "NullStore",
    "Store",
    "default_path",
    "delete_store",
    "open_store",
    "resolve_location",
]

#: The environment variable that names the cache when the caller gives none (a path, `:memory:`
#: or `none`); an empty value counts as unset.
ENV_VAR = "RESOLVER_CACHE"
#: The file's name inside the platform's user cache directory.
DEFAULT_FILENAME = "cache.sqlite3"
#: Spellings of "no cache at all" for `open_store` (and so for $RESOLVER_CACHE).
NULL_NAMES = frozenset({"none", "off"})
MEMORY = ":memory:"


class CacheError(Exception):
    """The cache cannot be used; `str(error)` is one line for people: the file, what, what to do.

    `code` is stable, for programs: `corrupt` (not SQLite, or damaged: `delete_store` is the way
    out), `foreign` (another program's database: never delete it), `newer-schema`, `busy`,
    `read-only`, `cannot-open`, `full`, `io`, `closed`, `bad-location`, `error` (anything else).
    """

    def __init__(self, path: str | None, reason: str, *, code: str = "error") -> None:
        super().__init__(f"cache {path}: {reason}" if path else f"cache: {reason}")
        self.path = path
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class Entry:
    """One cached record. Times are Unix seconds; `expires_at` None means it never expires."""

    key: str
    value: dict[str, Any]
    stored_at: float
    expires_at: float | None

    def age(self, now: float | None = None) -> float:
        """Seconds since the record was stored, at `now` (default: the wall clock)."""
        return (time.time() if now is None else now) - self.stored_at

    def expired(self, now: float | None = None) -> bool:
        """Whether the record is a miss at `now`: its expiry is not in the future."""
        return self.expires_at is not None and self.expires_at <= (time.time() if now is None else now)


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What `Store.stats()` finds: live entries per namespace, expired ones, the file's size."""

    path: str | None  #: the file, `:memory:`, or None (NullStore)
    entries: Mapping[str, int] = field(default_factory=dict)  #: live entries per namespace
    expired: int = 0  #: entries past their expiry, still on disk until `prune`
    size_bytes: int = 0  #: the database and its write-ahead log

    @property
    def total(self) -> int:
        """Live entries in all namespaces."""
        return sum(self.entries.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "entries": dict(sorted(self.entries.items())),
            "total": self.total,
            "expired": self.expired,
            "size_bytes": self.size_bytes,
        }


#: What `put_many` takes: (key, value, ttl) with the same TTL rules as `put`.
Item = tuple[str, dict[str, Any], float | None]


@runtime_checkable
class Store(Protocol):
    """The cache's interface. `now` (Unix seconds) defaults to the store's clock."""

    @property
    def path(self) -> str | None:
        """The database file, `:memory:`, or None (NullStore)."""
        ...

    def get(
        self, namespace: str, key: str, now: float | None = None, *, max_age: float | None = None
    ) -> Entry | None:
        """The live entry for `key`, or None. `max_age`: also a miss when stored longer ago."""
        ...

    def get_many(
        self,
        namespace: str,
        keys: Iterable[str],
        now: float | None = None,
        *,
        max_age: float | None = None,
    ) -> dict[str, Entry]:
        """The live entries among `keys`, by key; missing and expired keys are absent."""
        ...

    def put(
        self, namespace: str, key: str, value: dict[str, Any], ttl: float | None, now: float | None = None
    ) -> bool:
        """Store (or replace) `value`; ttl None = forever, 0 = do not store. True if stored."""
        ...

    def put_many(self, namespace: str, items: Iterable[Item], now: float | None = None) -> int:
        """`put` for many (key, value, ttl) in one transaction; returns how many were stored."""
        ...

    def delete(self, namespace: str, key: str) -> bool:
        """Remove one entry; True if there was one."""
        ...

    def stats(self, now: float | None = None) -> CacheStats:
        """Counts per namespace, expired entries, the file's size."""
        ...

    def prune(self, now: float | None = None, *, vacuum: bool = False) -> int:
        """Delete expired entries (then VACUUM to give the space back); returns how many."""
        ...

    def clear(self, namespace: str | None = None) -> int:
        """Delete every entry (of one namespace); returns how many."""
        ...

    def export(
        self,
        out: TextIO,
        namespace: str | None = None,
        now: float | None = None,
        *,
        include_expired: bool = False,
    ) -> int:
        """Write entries as JSON Lines, sorted by namespace and key; returns how many lines.

        Each line: {"namespace", "key", "value", "stored_at", "expires_at"}.
        """
        ...

    def close(self) -> None:
        """Release the database; further calls raise CacheError. Closing twice is harmless."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class NullStore:
    """`--no-cache`: every read misses and every write is dropped."""

    path: str | None = None

    def get(
        self, namespace: str, key: str, now: float | None = None, *, max_age: float | None = None
    ) -> Entry | None:
        return None

    def get_many(
        self,
        namespace: str,
        keys: Iterable[str],
        now: float | None = None,
        *,
        max_age: float | None = None,
    ) -> dict[str, Entry]:
        return {}

    def put(
        self, namespace: str, key: str, value: dict[str, Any], ttl: float | None, now: float | None = None
    ) -> bool:
        return False

    def put_many(self, namespace: str, items: Iterable[Item], now: float | None = None) -> int:
        return 0

    def delete(self, namespace: str, key: str) -> bool:
        return False

    def stats(self, now: float | None = None) -> CacheStats:
        return CacheStats(path=None)

    def prune(self, now: float | None = None, *, vacuum: bool = False) -> int:
        return 0

    def clear(self, namespace: str | None = None) -> int:
        return 0

    def export(
        self,
        out: TextIO,
        namespace: str | None = None,
        now: float | None = None,
        *,
        include_expired: bool = False,
    ) -> int:
        return 0

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass

    def __repr__(self) -> str:
        return "NullStore()"


def default_path() -> Path:
    """The default database: `cache.sqlite3` in the platform's user cache directory."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("resolver")) / DEFAULT_FILENAME


def resolve_location(url_or_path: str | os.PathLike[str] | None) -> str | None:
    """Where `open_store(url_or_path)` would keep the cache: a path, `:memory:`, or None (no cache).

    Precedence: the argument, then $RESOLVER_CACHE, then `default_path()`. A `sqlite://` URL
    gives its path (`sqlite:///abs/file.db`); `~` is expanded; an existing directory gets
    `cache.sqlite3` inside it.
    """
    location = os.fspath(url_or_path) if url_or_path else os.environ.get(ENV_VAR, "")
    if not location:
        return str(default_path())
    if location.strip().lower() in NULL_NAMES:
        return None
    if location == MEMORY:
        return MEMORY
    if location.startswith("sqlite:"):
        location = location.removeprefix("sqlite:").removeprefix("//")
        if location in ("", MEMORY):
            return MEMORY
    elif "://" in location:
        raise CacheError(
            location,
            "not a cache location: give a file path, sqlite:///PATH, :memory: or none",
            code="bad-location",
        )
    path = Path(location).expanduser()
    if path.is_dir():
        path /= DEFAULT_FILENAME
    return str(path)


def open_store(
    url_or_path: str | os.PathLike[str] | None = None, *, timeout: float = 30.0, read_only: bool = False
) -> Store:
    """Open the cache at `url_or_path` (see `resolve_location`); `none` gives a NullStore.

    `timeout` is how long a write waits for another process's write to finish before failing.
    A file or folder that cannot be written is refused at once (CacheError `read-only`), unless
    `read_only`: then the store only reads (its writes raise CacheError `read-only`).
    Raises CacheError for a file that is not a resolver cache or cannot be opened.
    """
    location = resolve_location(url_or_path)
    if location is None:
        return NullStore()
    from cache.sqlite import SQLiteStore

    return SQLiteStore(location, timeout=timeout, read_only=read_only)


def delete_store(url_or_path: str | os.PathLike[str] | None = None) -> bool:
    """Delete the cache's files (database, -wal, -shm), even a corrupt one; True if any existed.

    What `resolver cache clear` falls back on when `open_store` raises CacheError.
    """
    location = resolve_location(url_or_path)
    if location in (None, MEMORY):
        return False
    found = False
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(f"{location}{suffix}")
            found = True
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheError(location, f"cannot delete {location}{suffix}: {exc.strerror}") from exc
    return found
