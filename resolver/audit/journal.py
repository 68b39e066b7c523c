"""The audit's journal: what a run has learned, so that `--resume` continues it.

An audit over 100,000 articles is interrupted (Ctrl-C, a job scheduler's SIGTERM, SIGKILL, a
reboot). Everything the run learned is appended to a journal as it is learned, one JSON
object a line, each line one `write` to a file opened in append mode, so a process killed at
any moment leaves every line it wrote before (the kernel has them) and at worst one torn line
at the end, which the next run cuts off:

    {"journal": "resolver-audit", "version": 1, "identity": {...}}   the run: inputs and options
    {"url": URL, "judgement": {...}}                                   one per distinct URL judged
    {"memento": [URL, DATE], "found": [wayback_url, timestamp]}       one per Wayback look-up
    {"probe": HOST, "text": TEXT}                                      one per host's sibling probe
    {"article": SOURCE, "stamp": [size, mtime_ns], "records": [...]}   one per article done
    {"article": SOURCE, "stamp": ..., "failure": REASON}               an article that could not be read

`--resume` reads it back: an article already done is not read again and its records come from
the journal; a URL already judged (even by an article left half done) is not fetched again.
A resumed run writes the whole report again, so its output is the output an uninterrupted
run would have written. An article whose file changed since (size or modification time) is
audited again. The journal of a run that finished is deleted; one whose inputs or options
differ from this run's is not resumed (the run starts afresh and says so).

Memory stays flat: judgements are kept (one per distinct URL, as the run keeps them anyway),
but an article's records stay on disk and are read back, by offset, when its turn comes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resolver.audit.model import AuditRecord
from resolver.errors import UsageError
from resolver.inputs import local_path
from resolver.report import json_bytes

JOURNAL_FORMAT = "resolver-audit"
JOURNAL_VERSION = 1
#: The state directory's environment variable (tests and batch jobs choose their own).
ENV_STATE = "RESOLVER_STATE"

Stamp = tuple[int, int] | None


def journal_folder() -> Path:
    """Where journals live: $RESOLVER_STATE, else the user's state directory."""
    chosen = os.environ.get(ENV_STATE)
    if chosen:
        return Path(chosen).expanduser() / "audit"
    from platformdirs import user_state_dir

    return Path(user_state_dir("resolver")) / "audit"


def run_key(inputs: list[str], urls_file: str | None) -> str:
    """A name for the run of these inputs: the same inputs, from any folder, get the same one."""

    def absolute(source: str) -> str:
        return source if local_path(source) is None else os.path.abspath(source)

    named = {"inputs": [absolute(s) for s in inputs], "urls": absolute(urls_file) if urls_file else None}
    return hashlib.sha256(json.dumps(named, sort_keys=True).encode("utf-8")).hexdigest()[:24]


def stamp_of(source: str) -> Stamp:
    """A local file's size and modification time (None for URLs and stdin)."""
    if local_path(source) is None:
        return None
    try:
        info = os.stat(source)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class _Done:
    stamp: Stamp
    offset: int  #: where its line starts in the journal
    length: int


class Journal:
    """Append what the run learns; on `--resume`, give back what an earlier run learned."""

    def __init__(self, path: Path, identity: Mapping[str, Any], *, resume: bool) -> None:
        self.path = path
        self.identity = dict(identity)
        self.judgements: dict[str, dict[str, Any]] = {}
        self.mementos: dict[tuple[str, str | None], tuple[str | None, str | None]] = {}
        self.probes: dict[str, str] = {}
        self._articles: dict[str, _Done] = {}
        #: Why an existing journal was not resumed ("" when there was none, or it was).
        self.restarted = ""
        self.resumed = False
        self._fd = -1
        self._lock = -1
        try:
            _check_ours(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = _lock(path)
            if resume and path.exists():
                self._read()
            if not self.resumed:
                if path.exists() and not resume:
                    self.restarted = "an interrupted run of these inputs is replaced (--resume continues one)"
                self._start()
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            self.close()
            reason = exc.strerror or exc
            raise UsageError(f"journal {path}: {reason} (choose another with --journal)") from None

    # --- What an earlier run learned ---------------------------------------------------------------

    @property
    def articles_done(self) -> int:
        return len(self._articles)

    def article(self, source: str, stamp: Stamp) -> list[AuditRecord] | str | None:
        """The records of `source` (or its failure reason) when an earlier run finished it and
        the file is unchanged; None when it must be audited."""
        done = self._articles.get(source)
        if done is None or done.stamp != stamp:
            return None
        with open(self.path, "rb") as handle:
            handle.seek(done.offset)
            entry = json.loads(handle.read(done.length))
        if "failure" in entry:
            return str(entry["failure"])
        return [AuditRecord.from_json(row) for row in entry["records"]]

    def _read(self) -> None:
        good_end = 0
        with open(self.path, "rb") as handle:
            header = handle.readline()
            try:
                head = json.loads(header)
            except ValueError:
                self.restarted = "the journal was unreadable; starting afresh"
                return
            if head.get("journal") != JOURNAL_FORMAT or head.get("version") != JOURNAL_VERSION:
                self.restarted = "the journal is of another format; starting afresh"
                return
            if head.get("identity") != self.identity:
                self.restarted = "the interrupted run had other options; starting afresh"
                return
            good_end = offset = len(header)
            for line in handle:
                length = len(line)
                if not line.endswith(b"\n"):
                    break  # torn by the interruption: cut off below
                try:
                    self._learn(json.loads(line), offset, length)
                except (ValueError, KeyError, TypeError):
                    break
                offset += length
                good_end = offset
        if os.path.getsize(self.path) != good_end:
            os.truncate(self.path, good_end)  # new lines must not be glued to a torn one
        self.resumed = True

    def _learn(self, entry: dict[str, Any], offset: int, length: int) -> None:
        if "article" in entry:
            stamp = entry.get("stamp")
            self._articles[str(entry["article"])] = _Done(
                tuple(stamp) if stamp else None,  # type: ignore[arg-type]
                offset,
                length,
            )
        elif "judgement" in entry:
            self.judgements[str(entry["url"])] = dict(entry["judgement"])
        elif "memento" in entry:
            url, published = entry["memento"]
            found = entry.get("found") or (None, None)
            self.mementos[(url, published)] = (found[0], found[1])
        elif "probe" in entry:
            self.probes[str(entry["probe"])] = str(entry["text"])

    # --- What this run learns -------------------------------------------------------------------------

    def _start(self) -> None:
        from resolver.fsutil import atomic_write_bytes

        head = {"journal": JOURNAL_FORMAT, "version": JOURNAL_VERSION, "identity": self.identity}
        atomic_write_bytes(self.path, _line(head), durable=True)

    def _append(self, entry: dict[str, Any]) -> None:
        if self._fd < 0:
            return
        data = memoryview(_line(entry))
        while data:  # one write for a line in practice; a short write is finished, not torn
            data = data[os.write(self._fd, data) :]

    # What this run learns is written, not kept: the auditor keeps it for the rest of the run.

    def note_judgement(self, url: str, judgement: dict[str, Any]) -> None:
        self._append({"url": url, "judgement": judgement})

    def note_memento(self, url: str, published: str | None, found: tuple[str | None, str | None]) -> None:
        self._append({"memento": [url, published], "found": list(found)})

    def note_probe(self, host: str, text: str) -> None:
        self._append({"probe": host, "text": text})

    def note_article(self, source: str, stamp: Stamp, records: list[AuditRecord] | str) -> None:
        entry: dict[str, Any] = {"article": source, "stamp": list(stamp) if stamp else None}
        if isinstance(records, str):
            entry["failure"] = records
        else:
            entry["records"] = [record.to_json() for record in records]
        self._append(entry)

    def close(self) -> None:
        """Keep the journal (the run was interrupted: `--resume` continues it)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._lock >= 0:
            os.close(self._lock)  # closing the file lets its lock go
            self._lock = -1

    def finish(self) -> None:
        """The run is complete: nothing is left to resume."""
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.unlink(f"{self.path}.lock")
        self.close()


def _check_ours(path: Path) -> None:
    """UsageError unless `path` is missing, empty or a journal: a run replaces its journal and
    a finished one deletes it, so `--journal notes.txt` (or the article itself) would lose
    the file, and `--journal /dev/null` run as root would put a regular file in /dev, then
    delete it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"journal {path}: not a regular file (choose another with --journal)")
    if st.st_size == 0:
        return
    with open(path, "rb") as handle:
        header = handle.readline(1 << 16)
    try:
        head = json.loads(header)
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("journal") != JOURNAL_FORMAT:
        raise UsageError(
            f"journal {path}: is not a resolver journal, and a run would replace it, then delete it "
            "(choose another with --journal)"
        )


def _lock(path: Path) -> int:
    """Hold `path`'s lock file for the run: two runs of the same inputs at once would write
    over each other's journal. Raises UsageError when another run holds it."""
    lock = f"{path}.lock"
    while True:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks here; one run at a time is up to the user
            return fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise UsageError(
                f"journal {path}: another run of these inputs is going on (--journal gives this one its own)"
            ) from None
        # A run that finishes removes the lock file, then lets its lock go: a run that opened
        # the file just before would now hold the lock of a file no longer there, while a third
        # run creates a new one and locks that. The lock counts only if it is the file's.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


def _line(entry: dict[str, Any]) -> bytes:
    # `json_bytes`: a path that is not valid UTF-8 (surrogates in Python) round-trips as \udcff.
    return json_bytes(entry, separators=(",", ":")) + b"\n"


__all__ = ["ENV_STATE", "Journal", "journal_folder", "run_key", "stamp_of"]
