"""`resolver scan` from the outside: a real subprocess, real exit codes, real stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sputnik-pt-2015-syria.txt"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_scan_example_json() -> None:
    proc = run("scan", str(EXAMPLE), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert isinstance(data, dict)
    assert [t["handle"] for t in data["tweets"]] == ["mod_russia", "mod_russia"]
    assert data["tweets"][0]["links"] == ["https://t.co/eKInDZJCbH", "https://pic.twitter.com/PXh7c6aziZ"]
    assert proc.stderr == ""


def test_scan_jsonl_one_line_per_article_and_json_array_for_several(tmp_path: Path) -> None:
    other = tmp_path / "other.html"
    other.write_text("<html><body><p>See <a href='https://bit.ly/abc'>this</a></p></body></html>")
    proc = run("scan", str(EXAMPLE), str(other), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().split("\n")
    assert [json.loads(line)["article"] for line in lines] == [str(EXAMPLE), str(other)]
    proc = run("scan", str(EXAMPLE), str(other), "--format", "json")
    data = json.loads(proc.stdout)
    assert isinstance(data, list) and len(data) == 2
    assert data[1]["links"][0]["kind"] == "shortened"


def test_scan_csv() -> None:
    proc = run("scan", str(EXAMPLE), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["item"] for r in rows] == ["tweet", "tweet", "link", "link"]
    assert rows[2]["url"] == "https://t.co/eKInDZJCbH" and rows[2]["kind"] == "shortened"
    assert rows[3]["kind"] == "twitter-media" and rows[3]["tweet"] == "0"


def test_scan_stdin() -> None:
    proc = run("scan", "-", "--format", "json", stdin=EXAMPLE.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["article"] == "-"


def test_scan_table_is_readable() -> None:
    proc = run("scan", str(EXAMPLE), "--format", "table")
    assert proc.returncode == 0
    assert "mod_russia" in proc.stdout and "https://t.co/eKInDZJCbH" in proc.stdout
    assert "2015-10-21" in proc.stdout


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.html", b"", "empty file"),
        ("photo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "PNG image"),
        ("missing.html", None, "no such file or directory"),
    ],
)
def test_bad_input_one_line_and_others_still_scanned(
    tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    proc = run("scan", str(bad), str(EXAMPLE), "--format", "jsonl")
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert str(bad) in proc.stderr and reason in proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["article"] == str(EXAMPLE)


def test_odd_file_names_give_one_line_and_writable_output(tmp_path: Path) -> None:
    # A newline and a terminal escape in one name, bytes that are not UTF-8 in another.
    control = tmp_path / "new\nline\x1b[2J.html"
    undecodable = tmp_path / os.fsdecode(b"bad\xff\xfe.html")
    undecodable.write_bytes(b"<p>See https://bit.ly/odd</p><div>x</div><p>y</p>")
    out = tmp_path / "out.jsonl"
    proc = run("scan", str(control), str(undecodable), str(EXAMPLE), "--format", "jsonl", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == f"resolver: error: {tmp_path}/new\\nline\\x1b[2J.html: no such file or directory\n"
    articles = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a["article"] for a in articles] == [f"{tmp_path}/bad\\xff\\xfe.html", str(EXAMPLE)]
    assert articles[0]["links"][0]["url"] == "https://bit.ly/odd"


def test_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 3000)
    proc = run("scan", str(big), "--max-size", "1K", "--format", "json")
    assert proc.returncode == 1
    assert "over the 1.0 KB limit" in proc.stderr and "Traceback" not in proc.stderr


def test_usage_errors_exit_2() -> None:
    proc = run("scan", str(EXAMPLE), "--format", "yaml")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    proc = run("scan", str(EXAMPLE), "--max-size", "lots")
    assert proc.returncode == 2


def test_directory_uses_a_pool_and_keeps_order(tmp_path: Path) -> None:
    for i in range(12):
        (tmp_path / f"{i:02d}.html").write_text(
            f"<html><body><p>Story {i} <a href='https://bit.ly/s{i}'>link</a></p></body></html>"
        )
    proc = run("scan", str(tmp_path), "--format", "jsonl", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    articles = [json.loads(line) for line in proc.stdout.strip().split("\n")]
    assert [Path(a["article"]).name for a in articles] == [f"{i:02d}.html" for i in range(12)]
    assert [a["links"][0]["url"] for a in articles] == [f"https://bit.ly/s{i}" for i in range(12)]


def test_every_command_has_help_and_a_readme_section() -> None:
    import typer.main

    from resolver.cli import app

    def walk(group: object, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        # A command group (`resolver cache`) counts, and so does each of its subcommands.
        found = []
        for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
            found.append((*prefix, name))
            if hasattr(command, "commands"):
                found += walk(command, (*prefix, name))
        return found

    commands = walk(typer.main.get_command(app), ())
    assert ("scan",) in commands and ("cache", "clear") in commands
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in commands:
        sub = run(*command, "--help")
        assert sub.returncode == 0 and len(sub.stdout) > 200, command
        name = " ".join(command)
        assert f"resolver {name}" in readme, f"README does not document `resolver {name}`"


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped): nobody owns what it left."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_output_removes_the_temp_files_its_target_was_left_by_dead_runs(tmp_path: Path) -> None:
    from resolver.fsutil import temp_key as _temp_key

    out = tmp_path / "out.json"
    key = _temp_key(out.name)
    dead = _dead_pid()
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as sleeper:
        try:
            temps = {
                "dead": f".tmp-{dead}-0badc0de-{key}-out.json",  # removed: its run is gone
                "running": f".tmp-{sleeper.pid}-0badc0de-{key}-out.json",  # a live run's: kept
                "other target": f".tmp-{dead}-0badc0de-{_temp_key('other.json')}-other.json",
                "other host": f".tmp-{dead}-0badc0de-{'0' * 12}-out.json",  # on a shared disk
                "unowned": ".tmp-k3j4h5g6-out.json",  # fsutil's names say no owner: kept
            }
            for name in temps.values():
                (tmp_path / name).write_text("half a report", encoding="utf-8")
            proc = run("scan", str(EXAMPLE), "--format", "json", "-o", str(out))
            assert proc.returncode == 0, proc.stderr
        finally:
            sleeper.kill()
    assert json.loads(out.read_text(encoding="utf-8"))["tweets"]
    left = {p.name for p in tmp_path.iterdir()} - {out.name}
    assert left == {name for what, name in temps.items() if what != "dead"}


def test_every_atomic_writer_names_its_temp_files_after_their_owner(tmp_path: Path) -> None:
    from resolver.fsutil import atomic_text_writer, atomic_write_bytes, temp_key

    target = tmp_path / "page.html"
    dead = _dead_pid()
    stale = tmp_path / f".tmp-{dead}-0badc0de-{temp_key(target.name)}-page.html"
    stale.write_text("half a page", encoding="utf-8")
    atomic_write_bytes(target, b"<p>one</p>")  # an archive's many writes do not list the folder
    assert stale.exists()
    atomic_write_bytes(target, b"<p>two</p>", clean_stale=True)
    assert not stale.exists() and target.read_bytes() == b"<p>two</p>"

    seen: list[str] = []
    with atomic_text_writer(tmp_path / "out.txt") as handle:
        seen = [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
        handle.write("x")
    assert len(seen) == 1 and seen[0].startswith(f".tmp-{os.getpid()}-") and seen[0].endswith("-out.txt")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
