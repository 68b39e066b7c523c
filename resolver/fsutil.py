"""Writing files so that nothing is ever half-written: a temp file beside the target, then rename."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import re
import secrets
import socket
import stat
from collections.abc import Iterator
from typing import IO

# A temp file's name says whose it is: `.tmp-<pid>-<random>-<key>-<target's name, cut>`, the
# key a digest of the host's name and the target's whole name. A run killed with SIGKILL (or a
# power cut) cannot remove its temp file; the next write of the same target with
# `clean_stale=True` removes the temps of that target whose process is gone, and only those
# (a live run's temp, another target's, another host's on a shared disk, and temps of the old
# unnamed kind are left alone). A pid reused since only keeps a stale temp a while longer.
_TEMP_RE = re.compile(r"\.tmp-(?P<pid>[0-9]+)-[0-9a-f]{8}-(?P<key>[0-9a-f]{12})-(?P<name>.*)", re.DOTALL)


def temp_key(name: str) -> str:
    """The part of a temp file's name that ties it to its target on this host."""
    seed = f"{socket.gethostname()}\0{name}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(seed).hexdigest()[:12]


def _temp_path(folder: str, name: str) -> str:
    return os.path.join(folder, f".tmp-{os.getpid()}-{secrets.token_hex(4)}-{temp_key(name)}-{name[:40]}")


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # Windows' os.kill(pid, 0) would end the process, not probe it: keep the file
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists is checked
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: another user's process, alive
        return True
    return True


def remove_stale_temps(folder: str, name: str) -> list[str]:
    """Remove the temp files of `folder/name` left by processes that are gone; the paths removed.

    It lists the folder: for a user's output file (`-o`, `--html`), not for each of the
    thousands of files an archive run writes.
    """
    key = temp_key(name)
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            match = _TEMP_RE.fullmatch(entry.name)
            if match is None or match["key"] != key or match["name"] != name[:40]:
                continue
            pid = int(match["pid"])
            if pid == os.getpid() or _pid_alive(pid):
                continue
            with contextlib.suppress(OSError):  # already gone (another run cleaned it), or not ours
                os.unlink(entry.path)
                removed.append(entry.path)
    return removed


def _open_temp(path: str | os.PathLike[str], clean_stale: bool) -> tuple[str, str, str, int]:
    """(target, its folder, a new temp file's path, its descriptor) for an atomic write."""
    target = os.path.abspath(os.fspath(path))
    folder, name = os.path.split(target)
    if clean_stale:
        remove_stale_temps(folder, name)
    tmp = _temp_path(folder, name)
    # A new file gets what the user's umask gives any new file (0o666 less the umask), and a
    # file written over keeps its own mode: no report is left readable by its owner alone.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        mode = os.stat(target).st_mode
    except OSError:
        pass  # a new target
    else:
        with contextlib.suppress(OSError):
            os.fchmod(fd, stat.S_IMODE(mode))
    return target, folder, tmp, fd


@contextlib.contextmanager
def atomic_text_writer(
    path: str | os.PathLike[str], encoding: str = "utf-8", *, clean_stale: bool = True
) -> Iterator[IO[str]]:
    """Open a temp file in the target's folder; on success fsync and rename it over the target.

    On any error the temp file is removed and the target is left as it was. With
    `clean_stale`, temps of the same target left by killed runs are removed first.
    """
    target, _folder, tmp, fd = _open_temp(path, clean_stale)
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


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, durable: bool = False, clean_stale: bool = False
) -> None:
    """Write `data` to `path` whole or not at all: a temp file beside it, renamed over it.

    The file and the rename are fsynced (so they survive a power cut), at once, or, inside
    `deferred_syncs()`, when the caller flushes them (unless `durable`, which always syncs at once).
    With `clean_stale`, temps of the same target left by killed runs are removed first.
    """
    target, folder, tmp, fd = _open_temp(path, clean_stale)
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
