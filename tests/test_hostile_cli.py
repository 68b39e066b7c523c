"""Hostile input against the commands: each case one line on stderr and an exit code, never a
traceback, an "internal error", a hang, or a device replaced by a regular file.

A real subprocess (`python -m resolver`) where the case is about the process's own streams
(stdout full or closed); in process where a failure has to be simulated.
"""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

import cache
from resolver import cli
from resolver.expander.inputs import read_links
from resolver.net import url_problem
from tests.web.scenarios import Web

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sputnik-pt-2015-syria.txt"


def run(
    *args: str, stdin: bytes | None = None, stdout: int | None = subprocess.PIPE, **kw: object
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        **{"timeout": 120, "cwd": ROOT, **kw},  # type: ignore[arg-type]
    )


def one_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace")
    assert "Traceback" not in text and "internal error" not in text, text
    assert len(text.strip().splitlines()) == 1, text
    return text.strip()


# --- URLs httpx parses but nothing can fetch -------------------------------------------------

URL_PROBLEMS = [
    ("http://example.com:65536/", "port 65536 is out of range"),
    ("http://example.com:-1/", "port -1 is out of range"),
    ("http://example.com:0/", "port 0 is out of range"),
    ("http://a b/", "is not a host name"),
    ("http://example.com:8080/", None),
    ("http://[::1]:8/", None),
    ("http://[fe80::1%25eth0]/", None),
]


@pytest.mark.parametrize(("url", "problem"), URL_PROBLEMS)
def test_url_problem(url: str, problem: str | None) -> None:
    found = url_problem(httpx.URL(url))
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_expand_calls_an_out_of_range_port_an_invalid_url_not_a_dns_failure(proxy_env: Web) -> None:
    done = run("expand", "--no-cache", "-f", "jsonl", "http://example.com:65536/", "http://example.com:0/")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["verdict"] for row in rows] == ["invalid-url", "invalid-url"]
    assert all("out of range" in row["reason"] for row in rows)


def test_scan_of_an_article_url_with_a_bad_port_names_the_url_not_a_502(proxy_env: Web) -> None:
    done = run("scan", "-f", "json", "http://news.example:65536/a")
    assert done.returncode == 1
    assert "port 65536 is out of range" in one_line(done.stderr)


# --- expand's inputs -------------------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_a_url_list_with_a_bom_crlf_and_nuls_keeps_its_first_url(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"\xef\xbb\xbfhttps://bit.ly/a\r\nhttps://bit.ly/b\x00c\r\n\r\n")
    assert read_links(["-"]) == ["https://bit.ly/a", "https://bit.ly/b\x00c"]


def test_a_scan_output_with_a_bom_on_stdin_is_read_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    scan = {"article": "a", "links": [{"url": "https://bit.ly/a", "kind": "shortened"}]}
    _stdin(monkeypatch, b"\xef\xbb\xbf" + json.dumps(scan).encode())
    assert read_links(["-"]) == ["https://bit.ly/a"]


def test_an_endless_line_on_stdin_is_refused_not_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # `resolver expand - < /dev/zero` read it all into memory (3.8 GB for 300 MB of zeros).
    _stdin(monkeypatch, b"\0" * (3 << 20))
    with pytest.raises(cli.ResolverError, match="over 1 MB"):
        read_links(["-"])


def test_a_long_scan_output_line_on_stdin_is_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    links = [{"url": f"https://bit.ly/{i:07d}", "kind": "shortened"} for i in range(40_000)]
    line = json.dumps({"article": "a", "links": links})
    assert len(line) > 2 << 20
    _stdin(monkeypatch, line.encode() + b"\n")
    assert len(read_links(["-"])) == 40_000


def test_from_scan_takes_an_article_without_links(tmp_path: Path) -> None:
    (tmp_path / "scan.jsonl").write_text('{"article": "a", "links": []}\n{"article": "b", "links": null}\n')
    assert read_links([], from_scan=str(tmp_path / "scan.jsonl")) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"links": 5}', "`links` is not a list"),
        (b"\0" * 4096, "binary data"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_from_scan_refuses_what_scan_never_writes(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "scan.json").write_bytes(content)
    done = run("expand", "--no-cache", "--from-scan", str(tmp_path / "scan.json"))
    assert done.returncode == 1
    assert message in one_line(done.stderr)


def test_from_scan_of_dev_zero_ends_at_once(tmp_path: Path) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    import resource

    def capped() -> None:  # a regression reads /dev/zero for good: fail, not exhaust the machine
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = run("expand", "--no-cache", "--from-scan", "/dev/zero", preexec_fn=capped, timeout=60)
    assert done.returncode == 1
    assert "binary data" in one_line(done.stderr)


def test_from_scan_reads_a_scan_output_with_a_bom(tmp_path: Path) -> None:
    scan = {"article": "a", "links": [{"url": "https://bit.ly/a", "kind": "shortened"}]}
    (tmp_path / "scan.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(scan).encode())
    assert read_links([], from_scan=str(tmp_path / "scan.json")) == ["https://bit.ly/a"]


# --- The cache on something that is not a file -----------------------------------------------


def test_a_cache_on_a_named_pipe_is_refused_without_blocking_or_droppings(tmp_path: Path) -> None:
    fifo = tmp_path / "cache.fifo"
    os.mkfifo(fifo)
    with pytest.raises(cache.CacheError, match="not a regular file") as caught:
        cache.open_store(str(fifo))
    assert caught.value.code == "cannot-open"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.fifo"]  # no cache.fifo-journal
    done = run("expand", "--cache", str(fifo), "https://bit.ly/a")
    assert done.returncode == 1
    assert "not a regular file" in one_line(done.stderr)
    done = run("cache", "clear", "--cache", str(fifo))
    assert done.returncode == 1 and stat.S_ISFIFO(fifo.stat().st_mode)


# --- Where the results go --------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["scan", "-f", "json", str(EXAMPLE)],
        ["scan", "-f", "table", str(EXAMPLE)],
        ["cache", "stats", "-f", "json", "--cache", "none"],
        ["--version"],
    ],
)
def test_a_full_stdout_is_one_line_and_exit_1(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = run(*args, stdout=full.fileno())
    assert done.returncode == 1
    assert (
        one_line(done.stderr) == "resolver: error: cannot write to standard output: No space left on device"
    )


@pytest.mark.parametrize(
    "args",
    [["scan", "-f", "json", str(EXAMPLE)], ["scan", str(EXAMPLE)], ["cache", "stats", "--cache", "none"]],
)
def test_a_closed_stdout_is_one_line_and_exit_1(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(1); sys.argv[1:] = sys.argv[2:]; "
         "from resolver.cli import main; main()", "resolver", *args],
        stderr=subprocess.PIPE, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 1
    assert "standard output" in one_line(done.stderr)


def test_a_closed_stdout_does_not_matter_with_an_output_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(1); sys.argv[1:] = sys.argv[2:]; "
         "from resolver.cli import main; main()", "resolver", "scan", "-f", "json",
         "-o", str(tmp_path / "out.json"), str(EXAMPLE)],
        stderr=subprocess.PIPE, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out.json").read_text())["article"] == str(EXAMPLE)


def test_a_reader_that_leaves_early_is_not_an_error() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "resolver", "scan", "-f", "jsonl", *[str(EXAMPLE)] * 200],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert err == b""


def test_output_to_a_named_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    # The atomic writer renamed its temp file over the target: `-o /dev/stdout` or `-o /dev/full`
    # run as root put a regular file in /dev. A FIFO shows the same without touching /dev.
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    done = run("scan", "-f", "json", "-o", str(fifo), str(EXAMPLE))
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(got[0])["article"] == str(EXAMPLE)


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_under_o_is_one_line_and_the_old_file_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def body(out, console):  # type: ignore[no-untyped-def]
        out.write("x" * 100_000)
        return 1

    def fdopen(fd: int, *args: object, **kwargs: object) -> _FullDisk:
        os.close(fd)  # the temp file stays, empty: the writer must remove it
        return _FullDisk()

    monkeypatch.setattr("resolver.fsutil.os.fdopen", fdopen)
    with pytest.raises(cli.OutputError) as caught:
        cli._write(body, str(target))
    assert str(caught.value) == f"cannot write -o {target}: No space left on device"
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temp file left


# --- tweet and audit lists -------------------------------------------------------------------


def test_tweet_refuses_an_endless_line_on_stdin(tmp_path: Path) -> None:
    done = run("tweet", "--no-cache", "-", stdin=b"\0" * (3 << 20))
    assert done.returncode == 1
    assert "over 1 MB" in one_line(done.stderr)


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_audit_urls_refuses_an_endless_line_before_reading_it_whole(tmp_path: Path, where: str) -> None:
    from resolver.audit.auditor import read_url_list

    data = "x" * (3 << 20)
    if where == "file":
        (tmp_path / "urls.txt").write_text(data)
        source = str(tmp_path / "urls.txt")
    else:
        source = "-"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(data))
        with pytest.raises(cli.UsageError, match="over 1 MB"):
            read_url_list(source)


def test_audit_urls_drops_a_byte_order_mark(tmp_path: Path) -> None:
    from resolver.audit.auditor import read_url_list

    (tmp_path / "urls.txt").write_bytes(b"\xef\xbb\xbfhttps://bit.ly/a\r\nhttps://bit.ly/b\r\n")
    assert read_url_list(str(tmp_path / "urls.txt")) == ["https://bit.ly/a", "https://bit.ly/b"]


# --- One line whatever the name --------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["archive", "--no-cache", "--out", "OUT"], ["tweets", "--no-cache"], ["verify"], ["scan"]]
)
def test_a_name_with_a_newline_and_an_escape_is_one_inert_line(tmp_path: Path, command: list[str]) -> None:
    name = str(tmp_path / "no\nsuch\x1b[31m.html")
    done = run(*[str(tmp_path / "out") if arg == "OUT" else arg for arg in command], name)
    assert done.returncode != 0
    errors = [line for line in done.stderr.decode().splitlines() if "error" in line]
    assert len(errors) == 1 and "\x1b" not in done.stderr.decode(), done.stderr
    assert "no\\nsuch\\x1b[31m.html" in errors[0]


def _read_fifo_while(fifo: Path, args: list[str]) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    done = run(*args)
    reader.join(timeout=60)
    return done, got[0] if got else b""


def test_cache_export_to_a_named_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with cache.open_store(str(tmp_path / "c.sqlite3")) as store:
        store.put("expand", "https://t.co/a", {"verdict": "ok"}, None)
    done, data = _read_fifo_while(
        fifo, ["cache", "export", "--cache", str(tmp_path / "c.sqlite3"), "-o", str(fifo)]
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(data)["key"] == "https://t.co/a"


def test_audit_html_to_a_folder_is_one_line(tmp_path: Path, proxy_env: Web) -> None:
    article = tmp_path / "a.txt"
    article.write_text("nothing cited here, only words")
    done = run("audit", "--no-cache", "--wayback", "off", "--html", str(tmp_path), str(article), "-f", "json")
    assert done.returncode == 1
    assert f"cannot write --html {tmp_path}: Is a directory" in one_line(done.stderr)


# --- The environment -------------------------------------------------------------------------


def _env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(changes)
    return env


def test_a_proxy_that_cannot_be_reached_is_a_proxy_error_not_a_dead_link(tmp_path: Path) -> None:
    # HTTPS_PROXY=garbage: every link was a dns-failure, and `audit` called them all dead.
    env = _env(HTTPS_PROXY="garbage.invalid", HTTP_PROXY="garbage.invalid")
    done = run("expand", "--no-cache", "--allow-private", "-f", "jsonl", "https://bit.ly/a", env=env)
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    assert row["verdict"] == "proxy-error"
    assert "cannot reach the proxy http://garbage.invalid" in row["reason"]
    article = tmp_path / "a.txt"
    article.write_text("See https://bit.ly/a for more.")
    done = run("audit", "--no-cache", "--wayback", "off", "-f", "jsonl", str(article), env=env)
    assert [json.loads(line)["outcome"] for line in done.stdout.splitlines()] == ["uncertain"]


@pytest.mark.parametrize("bundle", ["a.txt", "folder", "fifo"])
def test_scan_of_a_url_with_a_bad_ca_bundle_is_one_usage_error(tmp_path: Path, bundle: str) -> None:
    (tmp_path / "a.txt").write_text("not a certificate")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")  # would block the load for good
    env = _env(SSL_CERT_FILE=str(tmp_path / bundle))
    done = run("scan", "-f", "json", "https://news.example/a", env=env, timeout=60)
    assert done.returncode == 2
    assert "cannot use the CA bundle" in one_line(done.stderr)
    done = run("expand", "--no-cache", "https://bit.ly/a", env=env, timeout=60)
    assert done.returncode == 2
    assert "cannot use the CA bundle" in one_line(done.stderr)


NON_ASCII = '<p>Ação 中文 <a href="https://bit.ly/é">é</a></p>'


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_an_ascii_stdout_gets_utf_8_in_a_pipe(tmp_path: Path, env: dict[str, str], fmt: str) -> None:
    (tmp_path / "ção.html").write_text(NON_ASCII, encoding="utf-8")
    done = run("scan", "-f", fmt, "ção.html", env={**os.environ, **env}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "https://bit.ly/é" in done.stdout.decode("utf-8")
    if fmt == "json":
        assert json.loads(done.stdout)["links"][0]["url"] == "https://bit.ly/é"


def test_an_ascii_terminal_gets_escapes_not_an_internal_error(tmp_path: Path) -> None:
    (tmp_path / "ção.html").write_text(NON_ASCII, encoding="utf-8")
    main, secondary = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "resolver", "scan", "-f", "table", "ção.html"],
            stdout=secondary, stderr=subprocess.PIPE, timeout=120, cwd=tmp_path,
            env={**os.environ, "PYTHONIOENCODING": "ascii", "NO_COLOR": "1"},
        )  # fmt: skip
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main)
    assert done.returncode == 0, done.stderr
    assert b"https://bit.ly/\\xe9" in shown


# --- Usage errors ----------------------------------------------------------------------------

USAGE_ERRORS = [
    (["expand", "-c", "0", "https://bit.ly/a"], "'--concurrency'"),
    (["expand", "--per-host", "-1", "https://bit.ly/a"], "'--per-host'"),
    (["expand", "--timeout", "0", "https://bit.ly/a"], "'--timeout'"),
    (["scan", "--max-size", "abc", str(EXAMPLE)], "'abc' is not a size"),
    (["scan", "-x.html"], "No such option: -x"),
    (["scan"], "Missing argument"),
    (["bogus"], "No such command 'bogus'"),
    (["cache", "stats", "--format", "xml"], "'xml' is not one of"),
    # Forked as asked: 100,000 processes before the first article.
    (["scan", "-j", "100000", str(EXAMPLE)], "'--workers'"),
    (["expand", "--workers", "257", "https://bit.ly/a"], "'--workers'"),
    # Every request failed before it was sent, each link a connect-failed (or a proxy-error).
    (["expand", "--user-agent", "a\r\nX-Evil: 1", "https://bit.ly/a"], "a header value is one line"),
    (["tweet", "--user-agent", "a\nb", "656722946431664128"], "a header value is one line"),
    (["expand", "--proxy", "http://127.0.0.1:99999", "https://bit.ly/a"], "port 99999 is out of range"),
    (["scan", "--max-size", "1" + "0" * 400, str(EXAMPLE)], "too large a size"),  # float("inf")
    (["expand", "--max-body", "1" + "0" * 400, "https://bit.ly/a"], "too large a size"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_a_usage_error_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith("resolver: error: ") and message in line


def test_a_bare_command_group_shows_its_help_and_no_empty_error() -> None:
    done = run("cache")
    assert done.returncode == 2
    assert b"resolver: error" not in done.stderr and b"stats" in done.stdout + done.stderr


# --- -o naming an input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "-f", "json", "-o", "IN", "IN"],
        ["tweets", "--no-cache", "-f", "json", "-o", "IN", "IN"],
        ["audit", "--no-cache", "-f", "json", "-o", "IN", "IN"],
        ["audit", "--no-cache", "-f", "json", "--urls", "IN", "-o", "IN"],
        ["expand", "--no-cache", "--from-scan", "IN", "-o", "IN"],
    ],
)
def test_o_naming_an_input_is_a_usage_error_and_the_input_stays(tmp_path: Path, command: list[str]) -> None:
    article = tmp_path / "a.txt"
    text = (
        '{"article": "a", "links": [{"url": "https://bit.ly/a", "kind": "shortened"}]}'
        if "--from-scan" in command
        else "See https://bit.ly/a"
    )
    article.write_text(text)
    done = run(*[str(article) if arg == "IN" else arg for arg in command])
    assert done.returncode == 2
    assert "is also an input" in one_line(done.stderr)
    assert article.read_text() == text


# --- audit's journal on a file that is not one -----------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "notes", "article"])
def test_audit_journal_never_replaces_what_is_not_a_journal(tmp_path: Path, kind: str) -> None:
    # A run replaces its journal and a finished one deletes it: `--journal /dev/null` as root
    # deleted /dev/null, `--journal notes.txt` lost the notes.
    article = tmp_path / "a.txt"
    article.write_text("nothing cited here")
    journal = {"fifo": tmp_path / "j.fifo", "notes": tmp_path / "notes.txt", "article": article}[kind]
    if kind == "fifo":
        os.mkfifo(journal)
    elif kind == "notes":
        journal.write_text("my notes\n")
    before = None if kind == "fifo" else journal.read_bytes()
    done = run("audit", "--no-cache", "--wayback", "off", "--journal", str(journal), str(article), timeout=60)
    assert done.returncode == 2
    assert f"journal {journal}: " in one_line(done.stderr)
    if before is None:
        assert stat.S_ISFIFO(journal.stat().st_mode)
    else:
        assert journal.read_bytes() == before
    assert not Path(f"{journal}.lock").exists()


def test_audit_journal_of_its_own_is_still_taken(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("nothing cited here")
    journal = tmp_path / "run.jsonl"
    journal.write_text('{"journal": "resolver-audit", "version": 0, "identity": {}}\n')
    done = run("audit", "--no-cache", "--wayback", "off", "--journal", str(journal), str(article), timeout=60)
    assert done.returncode == 0, done.stderr
    assert not journal.exists()  # finished: nothing left to resume


@pytest.mark.parametrize(
    "command",
    [
        ["expand", "--cache", "DB", "-o", "DB", "https://bit.ly/a"],
        ["tweet", "--cache", "DB", "-o", "DB", "656722946431664128"],
        ["cache", "export", "--cache", "DB", "-o", "DB"],
    ],
)
def test_o_naming_the_cache_is_a_usage_error_and_the_cache_stays(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "c.sqlite3"
    with cache.open_store(str(db)) as store:
        store.put("expand", "https://t.co/a", {"verdict": "ok"}, None)
    done = run(*[str(db) if arg == "DB" else arg for arg in command])
    assert done.returncode == 2
    assert "write the results elsewhere" in one_line(done.stderr)
    with cache.open_store(str(db)) as store:
        assert store.get("expand", "https://t.co/a") is not None


def _with_closed(fd: int, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", f"import os, sys; os.close({fd}); sys.argv[1:] = sys.argv[2:]; "
         "from resolver.cli import main; main()", "resolver", *args],
        capture_output=True, stdin=None if fd == 0 else subprocess.DEVNULL, timeout=120, cwd=cwd,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["scan", "-"], 1, "-: empty file"),
        (["expand", "--no-cache", "-"], 2, "nothing to expand"),
        (["expand", "--no-cache", "--from-scan", "-"], 2, "nothing to expand"),
        (["tweet", "--no-cache", "-"], 2, "nothing to look up"),
        # uvloop aborted (SIGABRT) closing the socket that had taken descriptor 0.
        (["archive", "--no-cache", "--out", "OUT", "-"], 1, "-: empty file"),
    ],
)
def test_a_closed_stdin_reads_as_nothing(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    done = _with_closed(0, *[str(tmp_path / "out") if arg == "OUT" else arg for arg in args])
    assert done.returncode == code, done.stderr
    errors = [line for line in done.stderr.decode().splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], done.stderr


def test_a_closed_stderr_keeps_the_exit_code() -> None:
    done = _with_closed(2, "scan", "-f", "json", str(ROOT / "no-such-article.html"))
    assert done.returncode == 1
    assert done.stderr == b""
