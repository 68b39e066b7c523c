"""Writing files so that nothing is ever half-written: a temp file beside the target, then rename."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import tempfile
from collections.abc import Iterator
from typing import IO


@contextlib.contextmanager
def atomic_text_writer(path: str | os.PathLike[str], encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open a temp file in the target's folder; on success fsync and rename it over the target.

    On any error the temp file is removed and the target is left as it was.
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(target)[:40], dir=folder)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, durable: bool = False) -> None:
    """Write `data` to `path` whole or not at all: a temp file beside it, renamed over it.

    The file and the rename are fsynced (so they survive a power cut), at once, or, inside
    `deferred_syncs()`, when the caller flushes them (unless `durable`, which always syncs at once).
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(target)[:40], dir=folder)
    deferred = _DEFERRED.get() is not None and not durable
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if not deferred:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if deferred:
        sync_later(target)
    sync_dir(folder, durable=durable)


#: Paths whose fsync is put off until `flush_syncs` (see `deferred_syncs`).
_DEFERRED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "resolver_deferred", default=None
)


@contextlib.contextmanager
def deferred_syncs() -> Iterator[list[str]]:
    """Put off the fsyncs of the atomic writes made inside, to flush them in one go.

    What an archive run writes between two manifest writes is only committed by the manifest:
    syncing each file as it is written (thousands per run, each with its folder) cost a fifth
    of a run's time; syncing them all just before the manifest is as safe. A process killed
    meanwhile loses nothing (the page cache survives it); a power cut loses only uncommitted
    files.
    """
    pending: list[str] = []
    token = _DEFERRED.set(pending)
    try:
        yield pending
    finally:
        _DEFERRED.reset(token)


def sync_later(path: str | os.PathLike[str]) -> None:
    pending = _DEFERRED.get()
    if pending is None:
        _fsync(os.fspath(path))
    else:
        pending.append(os.fspath(path))


def sync_dir(folder: str | os.PathLike[str], *, durable: bool = False) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    pending = _DEFERRED.get()
    if pending is not None and not durable:
        pending.append(os.fspath(folder))
    else:
        _fsync(os.fspath(folder))


def flush_syncs(pending: list[str]) -> None:
    """fsync every path put off (each once), files and folders alike."""
    paths, pending[:] = list(dict.fromkeys(pending)), []
    for path in paths:
        _fsync(path)


def _fsync(path: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


fsync_dir = sync_dir


def syncs_deferred() -> bool:
    """Whether fsyncs are being put off (inside `deferred_syncs`)."""
    return _DEFERRED.get() is not None


def sha256_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    """The hex SHA-256 of a file and its size, read a MB at a time."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
