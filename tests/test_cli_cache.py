"""`resolver cache stats|prune|clear|export`: real stores in temporary files, real exit codes.

Most tests go through typer's CliRunner (in process, fast); the ones about what a person sees
on an error (one line, no traceback) run the real `python -m resolver` in a subprocess. Every
test gets its own $RESOLVER_CACHE, so nothing here ever touches the user's cache.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import cache
from cache import ENV_VAR, open_store
from cache.sqlite import SCHEMA_VERSION
from resolver.cli import app

ROOT = Path(__file__).resolve().parent.parent
HOUR = 3600.0
SUBCOMMANDS = ["stats", "prune", "clear", "export"]


@pytest.fixture(autouse=True)
def default_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache a command without --cache uses: never the user's own."""
    path = tmp_path / "default" / "cache.sqlite3"
    monkeypatch.setenv(ENV_VAR, str(path))
    return path


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(app, ["cache", *args], env=env)
    # An exception other than an exit would be a traceback for the user.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", "cache", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def one_error_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and stderr.startswith("resolver: error: "), stderr
    assert "Traceback" not in stderr
    return stderr


def fill(path: Path) -> None:
    """Three live expansions, one live tweet, and two tweets that expired an hour ago."""
    now = time.time()
    with open_store(path) as store:
        for i in range(3):
            store.put("expand", f"https://t.co/{i}", {"final": f"https://example.com/{i}"}, None)
        store.put("tweets", "20", {"text": "still here, é"}, 30 * 24 * HOUR)
        store.put("tweets", "21", {"text": "old"}, HOUR, now=now - 2 * HOUR)
        store.put("tweets", "22", {"text": "older"}, 60.0, now=now - 3 * HOUR)


def rows(path: Path) -> list[tuple[str, str]]:
    """Every row on disk, expired or not, read without the cache package."""
    raw = sqlite3.connect(path)
    try:
        return raw.execute("SELECT namespace, key FROM entries ORDER BY namespace, key").fetchall()
    finally:
        raw.close()


def make_foreign(path: Path) -> bytes:
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE bookmarks (url TEXT)")
    raw.execute("INSERT INTO bookmarks VALUES ('https://example.com/')")
    raw.commit()
    raw.close()
    return path.read_bytes()


# --- stats --------------------------------------------------------------------------------------


def test_stats_counts_live_entries_per_namespace_and_expired_ones(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    result = invoke("stats", "--cache", str(path))  # not a terminal: JSON
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["path"] == str(path)
    assert data["entries"] == {"expand": 3, "tweets": 1}
    assert (data["total"], data["expired"]) == (4, 2)
    assert data["size_bytes"] >= path.stat().st_size > 0
    assert result.stderr == ""


def test_stats_table(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    result = invoke("stats", "--cache", str(path), "--format", "table")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Cache: {path} (") and lines[0].endswith(" KB)")
    cells = [[cell.strip() for cell in line.strip("│ ").split("│")] for line in lines if line.startswith("│")]
    assert cells == [["expand", "3"], ["tweets", "1"], ["total", "4"]]
    assert "Expired: 2 (`resolver cache prune` deletes them)" in result.stdout


def test_stats_of_a_cache_not_yet_created_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "cache.sqlite3"
    result = invoke("stats", "--cache", str(path))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "path": str(path),
        "entries": {},
        "total": 0,
        "expired": 0,
        "size_bytes": 0,
    }
    assert not (tmp_path / "not").exists()
    for command in (["prune"], ["clear"], ["export"]):
        assert invoke(*command, "--cache", str(path)).exit_code == 0
    assert not (tmp_path / "not").exists()


def test_stats_of_a_corrupt_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"these are my notes, not a database\n" * 50)
    proc = run("stats", "--cache", str(path))
    assert proc.returncode == 1 and proc.stdout == ""
    line = one_error_line(proc.stderr)
    assert str(path) in line and "resolver cache clear" in line
    assert path.read_bytes() == b"these are my notes, not a database\n" * 50


def test_a_bad_location_is_one_line_and_exit_1() -> None:
    proc = run("stats", "--cache", "https://example.com/cache")
    assert proc.returncode == 1
    assert "not a cache location" in one_error_line(proc.stderr)


# --- no cache, and $RESOLVER_CACHE ----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["none", "off", "NONE"])
def test_no_cache_at_all(spelling: str) -> None:
    stats = invoke("stats", "--cache", spelling)
    assert stats.exit_code == 0
    assert json.loads(stats.stdout) == {
        "path": None,
        "entries": {},
        "total": 0,
        "expired": 0,
        "size_bytes": 0,
    }
    assert "Cache: none (caching is off)" in invoke("stats", "--cache", spelling, "-f", "table").stdout
    prune = invoke("prune", "--cache", spelling)
    assert (prune.exit_code, prune.stdout) == (0, "pruned 0 expired entries from no cache (caching is off)\n")
    clear = invoke("clear", "--cache", spelling)
    assert (clear.exit_code, clear.stdout) == (0, "cleared 0 entries from no cache (caching is off)\n")
    export = invoke("export", "--cache", spelling)
    assert (export.exit_code, export.stdout) == (0, "")


def test_resolver_cache_is_honoured(
    tmp_path: Path, default_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "elsewhere.sqlite3"
    fill(path)
    stats = invoke("stats", env={ENV_VAR: str(path)})
    assert json.loads(stats.stdout)["path"] == str(path)
    assert json.loads(stats.stdout)["total"] == 4
    # A directory stands for cache.sqlite3 inside it; --cache wins over the variable.
    fill(tmp_path / "cache.sqlite3")
    assert json.loads(invoke("stats", env={ENV_VAR: str(tmp_path)}).stdout)["path"] == str(
        tmp_path / "cache.sqlite3"
    )
    assert json.loads(invoke("stats", "--cache", "none", env={ENV_VAR: str(path)}).stdout)["path"] is None
    assert json.loads(invoke("stats", env={ENV_VAR: "none"}).stdout)["path"] is None
    # Empty (or unset): the platform's user cache directory, here moved to a temporary one.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(ENV_VAR, "")
    assert json.loads(invoke("stats").stdout)["path"] == str(cache.default_path())
    monkeypatch.delenv(ENV_VAR)
    assert json.loads(invoke("stats").stdout)["path"] == str(cache.default_path())
    clear = run("clear", env={ENV_VAR: str(path)})
    assert clear.returncode == 0 and clear.stdout == f"cleared 6 entries from {path}\n"
    assert rows(path) == [] and not default_cache.exists()


# --- prune ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("vacuum", [False, True])
def test_prune_deletes_only_expired_entries(tmp_path: Path, vacuum: bool) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    result = invoke("prune", "--cache", str(path), *(["--vacuum"] if vacuum else []))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"pruned 2 expired entries from {path}\n"
    assert rows(path) == [("expand", f"https://t.co/{i}") for i in range(3)] + [("tweets", "20")]
    again = invoke("prune", "--cache", str(path))
    assert again.stdout == f"pruned 0 expired entries from {path}\n"


def test_prune_says_entry_for_one(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with open_store(path) as store:
        store.put("expand", "k", {"final": "x"}, 1.0, now=time.time() - 10)
    assert invoke("prune", "--cache", str(path)).stdout == f"pruned 1 expired entry from {path}\n"


# --- clear ----------------------------------------------------------------------------------------


def test_clear_everything(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    result = invoke("clear", "--cache", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"cleared 6 entries from {path}\n"  # expired ones too
    assert rows(path) == [] and path.exists()
    assert json.loads(invoke("stats", "--cache", str(path)).stdout)["total"] == 0


def test_clear_one_namespace(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    result = invoke("clear", "--cache", str(path), "--namespace", "tweets", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"cleared 3 entries of namespace tweets from {path}\n"
    assert rows(path) == [("expand", f"https://t.co/{i}") for i in range(3)]
    assert invoke("clear", "--cache", str(path), "-n", "nothing-here").stdout == (
        f"cleared 0 entries of namespace nothing-here from {path}\n"
    )


@pytest.mark.parametrize(
    "garbage",
    [b"these are my notes, not a database\n" * 50, b"\x89PNG\r\n\x1a\n" + bytes(4000), bytes(8192)],
    ids=["text", "png", "zeros"],
)
def test_clear_deletes_a_corrupt_cache(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(garbage)
    Path(f"{path}-wal").write_bytes(b"junk")
    proc = run("clear", "--cache", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (
        proc.stdout.startswith(f"deleted {path}: it was not a readable cache")
        and proc.stdout.count("\n") == 1
    )
    assert not path.exists() and not Path(f"{path}-wal").exists()
    # The way out: the path is a working cache again.
    fill(path)
    assert json.loads(invoke("stats", "--cache", str(path)).stdout)["total"] == 4


def test_clear_one_namespace_of_a_corrupt_cache_deletes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(bytes(8192))
    proc = run("clear", "--cache", str(path), "--namespace", "expand")
    assert proc.returncode == 1
    assert "omit --namespace" in one_error_line(proc.stderr)
    assert path.read_bytes() == bytes(8192)


def test_clear_deletes_a_cache_of_a_newer_resolver(tmp_path: Path) -> None:
    # Its error message says "run `resolver cache clear` to start afresh": that must work.
    path = tmp_path / "c.sqlite3"
    fill(path)
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    stats = run("stats", "--cache", str(path))
    assert stats.returncode == 1 and "resolver cache clear" in one_error_line(stats.stderr)
    clear = invoke("clear", "--cache", str(path))
    assert clear.exit_code == 0, clear.stderr
    assert (
        clear.stdout
        == f"deleted {path}: it was written by a newer resolver; the next run starts an empty cache\n"
    )
    assert not path.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["clear"],
        ["clear", "--yes"],
        ["clear", "-n", "bookmarks"],
        ["stats"],
        ["prune", "--vacuum"],
        ["export"],
    ],
    ids=" ".join,
)
def test_another_programs_database_is_never_touched(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "places.sqlite"
    before = make_foreign(path)
    proc = run(*command, "--cache", str(path))
    assert proc.returncode == 1 and proc.stdout == ""
    line = one_error_line(proc.stderr)
    assert str(path) in line and "not resolver's cache" in line
    # Byte for byte as it was: not deleted, not switched to WAL, no -wal or -shm beside it.
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]


# --- export ---------------------------------------------------------------------------------------


def test_export_json_lines_to_stdout(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    result = invoke("export", "--cache", str(path))
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["namespace"], r["key"]) for r in records] == [
        ("expand", "https://t.co/0"),
        ("expand", "https://t.co/1"),
        ("expand", "https://t.co/2"),
        ("tweets", "20"),
    ]
    assert records[0]["value"] == {"final": "https://example.com/0"} and records[0]["expires_at"] is None
    tweet = records[3]
    assert tweet["value"] == {"text": "still here, é"}
    assert tweet["expires_at"] == pytest.approx(tweet["stored_at"] + 30 * 24 * HOUR)
    assert set(tweet) == {"namespace", "key", "value", "stored_at", "expires_at"}
    # The same records the library gives.
    with open_store(path) as store:
        entry = store.get("tweets", "20")
    assert entry is not None and (entry.stored_at, entry.expires_at) == (
        tweet["stored_at"],
        tweet["expires_at"],
    )


def test_export_one_namespace_and_expired_entries(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    tweets = invoke("export", "--cache", str(path), "--namespace", "tweets")
    assert [json.loads(line)["key"] for line in tweets.stdout.splitlines()] == ["20"]
    everything = invoke("export", "--cache", str(path), "-n", "tweets", "--include-expired")
    assert [json.loads(line)["key"] for line in everything.stdout.splitlines()] == ["20", "21", "22"]


def test_export_to_a_file(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    out = tmp_path / "entries.jsonl"
    out.write_text("an older export\n")
    result = invoke("export", "--cache", str(path), "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"exported 4 entries to {out}\n"
    assert out.read_text(encoding="utf-8") == invoke("export", "--cache", str(path)).stdout
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]  # none left behind


def test_export_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path)
    proc = run("export", "--cache", str(path), "--output", str(tmp_path / "no-such-dir" / "x.jsonl"))
    assert proc.returncode == 1
    assert "cannot write" in one_error_line(proc.stderr)


# --- help -----------------------------------------------------------------------------------------


def test_the_group_lists_its_subcommands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout
    bare = invoke()  # no subcommand: the help, as for `resolver` alone
    assert all(name in bare.stdout for name in SUBCOMMANDS)


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.stderr
    assert "--cache" in result.stdout and "RESOLVER_CACHE" in result.stdout
    assert invoke(name, "-h").stdout == result.stdout


def test_clear_never_deletes_a_file_that_is_not_a_cache(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my precious notes\n" * 50, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "resolver", "cache", "clear", "--cache", str(notes)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert notes.read_text(encoding="utf-8").startswith("my precious notes")
    assert "does not look like a cache file" in done.stderr and "Traceback" not in done.stderr


# --- A cache that cannot be written -------------------------------------------------------------


def unprivileged() -> list[str]:
    """A prefix that makes permission bits bind: nothing as an ordinary user; as root, setpriv
    dropping the capabilities that override them (root reads and writes any file otherwise)."""
    if os.geteuid() != 0:
        return []
    import shutil

    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permission bits cannot be made to bind")
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def run_unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*unprivileged(), sys.executable, "-m", "resolver", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


@pytest.fixture
def read_only(tmp_path: Path) -> dict[str, Path]:
    """A cache file that is read-only in a writable folder, and one in a read-only folder."""
    if os.name != "posix":
        pytest.skip("POSIX permission bits")
    file = tmp_path / "ro-file.sqlite3"
    fill(file)
    folder = tmp_path / "ro-folder"
    folder.mkdir()
    fill(folder / "cache.sqlite3")
    file.chmod(0o444)
    folder.chmod(0o555)
    yield {"file": file, "folder": folder / "cache.sqlite3"}
    folder.chmod(0o755)


@pytest.mark.parametrize("which", ["file", "folder"])
def test_stats_and_export_read_a_read_only_cache(read_only: dict[str, Path], which: str) -> None:
    # Looking needs no write access: a cache on a read-only mount, or someone else's, can still
    # be counted and exported (opened read-only; in a read-only folder, where SQLite cannot
    # make the shared-memory file it reads a WAL file with, as an immutable snapshot).
    path = read_only[which]
    before = path.read_bytes()
    stats = run_unprivileged("cache", "stats", "--format", "json", "--cache", str(path))
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["entries"] == {"expand": 3, "tweets": 1}
    export = run_unprivileged("cache", "export", "--cache", str(path))
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) == 4
    # Left as it was (in a writable folder SQLite may leave its -wal and -shm companions: a
    # reader cannot tidy them, and a writer that opens the file later uses them as usual).
    assert path.read_bytes() == before


@pytest.mark.parametrize("which", ["file", "folder"])
@pytest.mark.parametrize(
    "command", [["cache", "prune"], ["cache", "clear"], ["expand", "http://127.0.0.1/x"]]
)
def test_writing_to_a_read_only_cache_is_one_line_up_front(
    read_only: dict[str, Path], which: str, command: list[str]
) -> None:
    # Said before any work, not after a long run whose results could not be kept: `expand`
    # prints no result at all (127.0.0.1 is refused offline, a verdict that would be cached).
    path = read_only[which]
    result = run_unprivileged(*command, "--cache", str(path))
    assert result.returncode == 1
    assert "read-only" in one_error_line(result.stderr)
    assert result.stdout == ""
    assert len(rows(path)) == 6


# --- Several processes on one file --------------------------------------------------------------


def test_four_expand_runs_at_once_share_one_new_cache(tmp_path: Path) -> None:
    # Four runs start together on a file that does not exist yet (all four set it up at
    # once), each writes 600 results, half of them shared with the others: no "database is
    # locked", no lost write, and a second run asks nothing. 127.0.0.x is refused offline
    # (blocked-private-address, a definitive verdict, so it is cached) without any network.
    path = tmp_path / "new" / "cache.sqlite3"
    inputs = []
    for run_index in range(4):
        urls = tmp_path / f"urls{run_index}.txt"
        urls.write_text(
            "".join(f"http://127.0.0.{i % 50 + 1}/p{i}/{run_index if i % 2 else 's'}\n" for i in range(600))
        )
        inputs.append(urls)
    command = [sys.executable, "-m", "resolver", "expand", "--cache", str(path), "-f", "jsonl", "-"]

    def start(urls: Path) -> subprocess.Popen[str]:
        with urls.open() as stdin:
            return subprocess.Popen(
                command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
            )

    for rerun in (False, True):
        runs = [start(urls) for urls in inputs]
        outputs = [run.communicate(timeout=120) for run in runs]
        for run, (stdout, stderr) in zip(runs, outputs, strict=True):
            assert run.returncode == 0 and "error" not in stderr, stderr
            results = [json.loads(line) for line in stdout.splitlines()]
            assert len(results) == 600
            if rerun:
                assert all(result["from_cache"] for result in results)
    assert invoke("stats", "--format", "json", "--cache", str(path)).stdout.count('"liveness": 1500') == 1
