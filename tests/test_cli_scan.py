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

import resolver
from resolver.models import ArticleScan
from tests.web.scenarios import Web

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sputnik-pt-2015-syria.txt"


def run(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **env} if env else None,
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


# --- the output contract ------------------------------------------------------------------


def test_json_shape_follows_the_command_line_not_the_data(tmp_path: Path) -> None:
    """One article named (a file, `-`, a URL): one object. A directory or several inputs: an
    array, even when the directory holds one article or all but one input failed."""
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_text("See https://bit.ly/one\n", encoding="utf-8")
    proc = run("scan", str(folder), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert isinstance(data, list) and [a["article"] for a in data] == [str(folder / "a.txt")]

    missing = tmp_path / "missing.txt"
    proc = run("scan", str(folder / "a.txt"), str(missing), "-f", "json")
    assert proc.returncode == 1 and "missing.txt" in proc.stderr
    assert isinstance(json.loads(proc.stdout), list)

    proc = run("scan", str(folder / "a.txt"), "-f", "json")
    assert isinstance(json.loads(proc.stdout), dict)
    # One article that cannot be scanned: no JSON at all (not `[]`, a second shape), exit 1.
    proc = run("scan", str(missing), "-f", "json")
    assert proc.returncode == 1 and proc.stdout == ""
    # Nothing found in a folder: the empty array, and exit 2.
    (tmp_path / "empty").mkdir()
    proc = run("scan", str(tmp_path / "empty"), "-f", "json")
    assert proc.returncode == 2 and json.loads(proc.stdout) == []


def test_article_given_by_url(proxy_env: Web, local_web: Web) -> None:
    url = "https://news.example/2015/syria"
    local_web.page(
        url,
        "<!DOCTYPE html><html><body><article><p>Read <a href='https://bit.ly/abc'>this</a> "
        "and <a href='/other'>that</a></p></article></body></html>",
    )
    proc = run("scan", url, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["article"] == url and data["format"] == "html"
    # Relative links resolve against the article's own URL.
    assert [(lk["url"], lk["kind"]) for lk in data["links"]] == [
        ("https://bit.ly/abc", "shortened"),
        ("https://news.example/other", "other"),
    ]
    assert local_web.count("news.example") == 1
    local_web.status("https://news.example/gone", 404)
    proc = run("scan", "https://news.example/gone", str(EXAMPLE), "-f", "jsonl")
    assert proc.returncode == 1 and proc.stderr.startswith("resolver: error: https://news.example/gone: ")
    assert [json.loads(line)["article"] for line in proc.stdout.splitlines()] == [str(EXAMPLE)]


TWEET_KEYS = {"id", "url", "handle", "author", "date", "text", "lang", "links", "where", "form"}
LINK_KEYS = {"url", "raw", "kind", "host", "tweet", "where", "text", "tweet_id"}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.txt", b"Read https://bit.ly/x\n"),
        ("a.html", b"<html><body><p><a href='https://bit.ly/x'>x</a></p></body></html>"),
        (
            "bare.html",
            b"<html><body><p>https://bit.ly/x</p><iframe src='https://platform.twitter.com"
            b"/embed/Tweet.html?id=656722946431664128'></iframe></body></html>",
        ),
    ],
)
def test_every_field_is_present_even_when_null(name: str, data: bytes) -> None:
    scan = resolver.scan_bytes(data, name).to_json()
    assert {"article", "format", "encoding", "size", "tweets", "links", "warnings"} <= set(scan)
    for tweet in scan["tweets"]:
        assert set(tweet) >= TWEET_KEYS, tweet
        assert all(isinstance(u, str) and u.startswith("https://") for u in tweet["links"])
    assert scan["links"]
    for link in scan["links"]:
        assert set(link) >= LINK_KEYS, link
        assert link["kind"] in {"shortened", "tweet", "twitter-media", "twitter-profile", "other"}
    # `where`: line and column in text, element, attribute and line in HTML (null included).
    where = scan["links"][0]["where"]
    assert set(where) == ({"line", "column"} if name.endswith(".txt") else {"element", "attribute", "line"})


# (file bytes, the URL to find, its line and column): columns count characters (code points)
# from 1, after the BOM; a tab is one character; CRLF and a lone CR end a line.
WHERE_CASES = [
    (b"\xef\xbb\xbfhttps://bit.ly/a", "https://bit.ly/a", 1, 1),
    (b"x\r\n\tsee https://bit.ly/b", "https://bit.ly/b", 2, 6),
    ("один два https://bit.ly/c".encode(), "https://bit.ly/c", 1, 10),
    ("中文 😀 https://bit.ly/d".encode(), "https://bit.ly/d", 1, 6),
    (b"one\rtwo\r\nthree https://bit.ly/e", "https://bit.ly/e", 3, 7),
]


@pytest.mark.parametrize(("data", "url", "line", "column"), WHERE_CASES)
def test_where_in_text_counts_characters_from_one(data: bytes, url: str, line: int, column: int) -> None:
    (link,) = resolver.scan_bytes(data, "a.txt").links
    assert (link.url, link.where.line, link.where.column) == (url, line, column)


def test_where_in_html_names_element_attribute_and_line() -> None:
    page = b"\xef\xbb\xbf<html><body>\r\n<p>\r\nsee <a href='https://bit.ly/a'>x</a>\r\n https://bit.ly/b</p></body></html>"
    first, second = resolver.scan_bytes(page, "a.html").links
    assert first.where.to_json() == {"element": "a", "attribute": "href", "line": 3}
    # A bare URL in the text: its element, no attribute, and the element's line.
    assert second.where.to_json() == {"element": "p", "attribute": None, "line": 2}


HOST_CASES = [
    ("https://WWW.Example.COM/z", "example.com"),  # lower case, `www.` dropped
    ("https://BÜCHER.example/x", "xn--bcher-kva.example"),  # IDNA as punycode
    ("https://xn--bcher-kva.example/y", "xn--bcher-kva.example"),
    ("https://user:pw@News.example:8080/p", "news.example"),  # no user, no port
    ("https://example.com./a", "example.com"),  # the root's dot
]


@pytest.mark.parametrize(("url", "host"), HOST_CASES)
def test_host_is_lower_case_punycode_without_www(url: str, host: str) -> None:
    (link,) = resolver.scan_bytes(f"Read {url} now\n".encode(), "a.txt").links
    assert link.host == host


def test_csv_neutralises_formulas_in_text_cells(tmp_path: Path) -> None:
    """Anchor and tweet texts come from the scanned page: a spreadsheet must not run them."""
    page = tmp_path / "evil.html"
    page.write_text(
        "<html><body><p><a href='https://bit.ly/x'>=cmd|' /C calc'!A0</a> "
        "<a href='https://bit.ly/y'>@SUM(1+1)</a> <a href='https://bit.ly/z'>-</a></p>"
        "<blockquote class='twitter-tweet'><p lang='en'>+1 agreed</p>&mdash; =HYPERLINK(1) (@evil) "
        "<a href='https://twitter.com/evil/status/656722946431664128'>October 21, 2015</a>"
        "</blockquote></body></html>",
        encoding="utf-8",
    )
    proc = run("scan", str(page), "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows[0]["item"] == "tweet"
    assert (rows[0]["text"], rows[0]["author"]) == ("'+1 agreed", "'=HYPERLINK(1)")
    assert [r["text"] for r in rows if r["item"] == "link"][:3] == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)", "-"]
    assert all(r["url"].startswith("https://") for r in rows)
    # JSON keeps the text as it is.
    data = json.loads(run("scan", str(page), "-f", "json").stdout)
    assert data["links"][0]["text"] == "=cmd|' /C calc'!A0"


HOSTILE = (
    "<html><body><p><a href='https://bit.ly/x'>\x1b[31mred\x1b[0m</a> https://bit.ly/y\x1b]0;owned\x07 "
    "</p><blockquote class='twitter-tweet'><p lang='en'>hi \x1b[2J there \u202eevil [bold]x[/bold]</p>&mdash; "
    "Bad \x1b[5mName (@evil) <a href='https://twitter.com/evil/status/656722946431664128'>October 21, 2015</a>"
    "</blockquote></body></html>"
)


def _hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "name\x1b[7m.html").write_text(HOSTILE, encoding="utf-8")
    return folder


def test_table_never_sends_escape_sequences_from_the_input(tmp_path: Path) -> None:
    proc = run("scan", str(_hostile_folder(tmp_path)), "-f", "table")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\u202e" not in proc.stdout and "\x07" not in proc.stdout
    # Shown as escapes, visible and inert.
    for shown in ("name\\x1b[7m.html", "Bad \\x1b[5mName", "hi \\x1b[2J there \\u202eevil [bold]x[/bold]"):
        assert shown in proc.stdout, proc.stdout


def test_table_on_a_colour_terminal_sends_only_its_own_styles(tmp_path: Path) -> None:
    import re

    folder = _hostile_folder(tmp_path)
    proc = run("scan", str(folder), "-f", "table", env={"FORCE_COLOR": "1", "COLUMNS": "100"})
    assert proc.returncode == 0, proc.stderr
    sequences = re.findall(r"\x1b[^a-zA-Z]*[a-zA-Z]?", proc.stdout)
    assert sequences and all(re.fullmatch(r"\x1b\[[0-9;]*m", seq) for seq in sequences), sequences
    assert "\x1b[2J" not in proc.stdout and "\x1b]" not in proc.stdout
    # NO_COLOR: styles (bold) may stay, colours go.
    proc = run("scan", str(folder), "-f", "table", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    codes = {c for seq in re.findall(r"\x1b\[([0-9;]*)m", proc.stdout) for c in seq.split(";")}
    assert not {c for c in codes if c[:1] in {"3", "4", "9"} and c not in {"4"}}, codes


def test_table_keeps_long_urls_whole_on_a_narrow_terminal(tmp_path: Path) -> None:
    long_url = "https://example.com/a/very/long/path/that/goes/on/and/on?with=query&and=more"
    page = tmp_path / "long.html"
    page.write_text(f"<html><body><p>{long_url} https://t.co/eKInDZJCbH</p></body></html>", encoding="utf-8")
    for columns in ("40", "200"):
        proc = run("scan", str(page), "-f", "table", env={"COLUMNS": columns})
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        # Each URL on one line, never folded (a folded URL cannot be copied from a terminal).
        assert any(long_url in line for line in lines), proc.stdout
        assert any("https://t.co/eKInDZJCbH" in line for line in lines)


def test_library_results_are_frozen_typed_and_round_trip() -> None:
    import dataclasses

    result = resolver.scan(EXAMPLE)
    assert isinstance(result, ArticleScan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.article = "x"  # type: ignore[misc]
    data = json.loads(json.dumps(result.to_json()))
    assert ArticleScan.from_json(data) == result
    # The JSON's names are the dataclasses' own (plus `tweet_id` for a link's status).
    assert {f.name for f in dataclasses.fields(resolver.TweetEmbed)} == set(data["tweets"][0])
    assert {f.name for f in dataclasses.fields(resolver.Link)} - {"status"} == set(data["links"][0]) - {
        "tweet_id"
    }
    html = resolver.scan_bytes(
        b"<html><body><p><a href='https://twitter.com/a/status/20/photo/1'>x</a></p></body></html>", "a.html"
    )
    assert html.links[0].status is not None and html.links[0].status.media_index == 1
    assert ArticleScan.from_json(json.loads(json.dumps(html.to_json()))) == html
    many = list(resolver.scan_many([str(EXAMPLE), str(ROOT / "missing.txt")], workers=1))
    assert many[0] == result
    assert isinstance(many[1], resolver.ScanFailure) and many[1].reason == "no such file or directory"


def test_the_packages_say_they_are_typed() -> None:
    """PEP 561: without the marker, users' type checkers ignore the package's hints."""
    from pathlib import Path

    import cache

    for package in (resolver, cache):
        assert (Path(package.__file__).parent / "py.typed").is_file(), package.__name__


def test_written_files_follow_the_umask_and_keep_an_existing_mode(tmp_path: Path) -> None:
    import os
    import stat

    from resolver.fsutil import atomic_text_writer, atomic_write_bytes

    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        atomic_write_bytes(fresh, b"{}")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # 0o666 less the umask, as any new file
        kept = tmp_path / "kept.jsonl"
        kept.write_text("old")
        kept.chmod(0o640)
        with atomic_text_writer(kept) as out:
            out.write("new")
        assert kept.read_text() == "new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    finally:
        os.umask(old)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_scan_takes_its_workers_with_it_silently(tmp_path: Path) -> None:
    """SIGKILL gives the pool no chance to stop its workers: they must not print tracebacks
    (a BrokenPipeError each) on the user's terminal, nor outlive the scan."""
    import signal
    import time

    page = "<html><body>" + "".join(f'<p><a href="https://bit.ly/x{i}">x</a> text</p>' for i in range(3000))
    for i in range(400):
        (tmp_path / f"{i:03d}.html").write_text(page + "</body></html>", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "resolver", "scan", str(tmp_path), "-f", "jsonl", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: list[int] = []
    deadline = time.monotonic() + 20
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    assert len(workers) >= 2, "the scan did not start its workers"
    time.sleep(0.3)  # mid-scan
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err, err.decode(errors="replace")[-2000:]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}/stat").exists() and ") Z" not in Path(f"/proc/{w}/stat").read_text()]
    assert not alive


@pytest.mark.parametrize("command", [["scan", str(EXAMPLE)], ["expand", "--no-cache", "https://bit.ly/x"]])
def test_an_output_file_that_cannot_be_written_is_a_usage_error_before_any_work(
    tmp_path: Path, command: list[str]
) -> None:
    for output, says in ((tmp_path / "missing" / "out.json", "does not exist"), (tmp_path, "is a folder")):
        done = subprocess.run(
            [sys.executable, "-m", "resolver", *command, "-o", str(output)],
            input="",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert says in done.stderr and "internal error" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
