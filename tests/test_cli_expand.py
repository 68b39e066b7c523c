"""`resolver expand` as users run it: a real process, behind the test proxy."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import resolver
from resolver.expander.engine import ExpandOptions
from resolver.net import run_async
from tests.web.scenarios import Web

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sputnik-pt-2015-syria.txt"

pytestmark = pytest.mark.usefixtures("proxy_env")


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=dict(os.environ),
    )


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_jsonl_has_the_documented_fields(local_web: Web) -> None:
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.tco("abc", "https://news.example/story")
    local_web.status("https://news.example/missing", 404)
    done = run("expand", "--no-cache", "-f", "jsonl", "https://t.co/abc", "https://news.example/missing")
    assert done.returncode == 0, done.stderr
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert set(rows) == {"https://t.co/abc", "https://news.example/missing"}
    ok = rows["https://t.co/abc"]
    assert {"url", "final_url", "verdict", "http_status", "hops", "from_cache"} <= set(ok)
    assert (
        ok["final_url"] == "https://news.example/story" and ok["verdict"] == "ok" and ok["http_status"] == 200
    )
    assert [(h["status"], h["via"]) for h in ok["hops"]] == [(301, "location"), (200, "final")]
    assert all(isinstance(h["elapsed_ms"], float) for h in ok["hops"])
    assert ok["from_cache"] is False
    assert rows["https://news.example/missing"]["verdict"] == "http-404"
    assert "expanded 2 links" in done.stderr


def test_stdin_skips_blanks_comments_and_duplicates(local_web: Web) -> None:
    local_web.page("https://news.example/a", "<html>a</html>")
    done = run(
        "expand",
        "--no-cache",
        "-f",
        "jsonl",
        "-",
        stdin="# my links\n\nhttps://news.example/a\nhttps://news.example/a\n",
    )
    assert done.returncode == 0, done.stderr
    assert [row["url"] for row in jsonl(done.stdout)] == ["https://news.example/a"]
    assert local_web.count("news.example") == 1


def test_from_scan_expands_the_example_articles_links(local_web: Web, tmp_path: Path) -> None:
    local_web.page("https://sputniknews.example/syria", "<html>article</html>")
    local_web.tco("eKInDZJCbH", "https://sputniknews.example/syria")
    target = local_web.tweet_media("PXh7c6aziZ", "mod_russia", 656722946431664128)
    scan = run("scan", "-f", "json", str(EXAMPLE))
    assert scan.returncode == 0, scan.stderr
    (tmp_path / "scan.json").write_text(scan.stdout, encoding="utf-8")
    done = run("expand", "--no-cache", "-f", "jsonl", "--from-scan", str(tmp_path / "scan.json"))
    assert done.returncode == 0, done.stderr
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    tco = next(row for url, row in rows.items() if "t.co/eKInDZJCbH" in url)
    pic = next(row for url, row in rows.items() if "pic.twitter.com/PXh7c6aziZ" in url)
    assert tco["final_url"] == "https://sputniknews.example/syria" and tco["verdict"] == "ok"
    assert pic["final_url"] == target
    assert pic["tweet"]["id"] == "656722946431664128" and pic["tweet"]["handle"] == "mod_russia"


def test_from_scan_reads_every_machine_format_of_the_scan(local_web: Web, tmp_path: Path) -> None:
    """json, jsonl and csv (`item` = link rows) all feed --from-scan and `-`; the table,
    made for people, is refused in one line that names the formats."""
    local_web.page("https://sputniknews.example/syria", "<html>article</html>")
    local_web.tco("eKInDZJCbH", "https://sputniknews.example/syria")
    local_web.tweet_media("PXh7c6aziZ", "mod_russia", 656722946431664128)
    wanted = {"https://t.co/eKInDZJCbH", "https://pic.twitter.com/PXh7c6aziZ"}
    for fmt in ("json", "jsonl", "csv"):
        scan = run("scan", "-f", fmt, str(EXAMPLE))
        assert scan.returncode == 0, scan.stderr
        (tmp_path / f"scan.{fmt}").write_text(scan.stdout, encoding="utf-8")
        done = run("expand", "--no-cache", "-f", "jsonl", "--from-scan", str(tmp_path / f"scan.{fmt}"))
        assert done.returncode == 0, (fmt, done.stderr)
        assert {row["url"] for row in jsonl(done.stdout)} == wanted, fmt
        piped = run("expand", "--no-cache", "-f", "jsonl", "-", stdin=scan.stdout)
        assert {row["url"] for row in jsonl(piped.stdout)} == wanted, fmt
    table = run("scan", "-f", "table", str(EXAMPLE))
    (tmp_path / "scan.txt").write_text(table.stdout, encoding="utf-8")
    done = run("expand", "--no-cache", "--from-scan", str(tmp_path / "scan.txt"))
    assert done.returncode != 0 and "json|jsonl|csv" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_csv_scan_header_expand_looks_for_is_the_scans_own() -> None:
    from resolver.expander.inputs import _SCAN_CSV_HEADER
    from resolver.report import SCAN_CSV_COLUMNS

    assert ",".join(SCAN_CSV_COLUMNS).startswith(_SCAN_CSV_HEADER)


def test_second_cli_run_is_served_by_the_cache(local_web: Web, tmp_path: Path) -> None:
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.tco("cached", "https://news.example/story")
    cache = tmp_path / "cache.sqlite3"
    first = run("expand", "--cache", str(cache), "-f", "jsonl", "https://t.co/cached")
    assert first.returncode == 0, first.stderr
    local_web.reset_log()
    second = run("expand", "--cache", str(cache), "-f", "jsonl", "https://t.co/cached")
    assert second.returncode == 0, second.stderr
    assert local_web.count() == 0
    [row] = jsonl(second.stdout)
    assert row["from_cache"] is True and row["final_url"] == "https://news.example/story"
    assert [h["url"] for h in row["hops"]] == ["https://t.co/cached", "https://news.example/story"]


def test_resolver_cache_env_names_the_cache(
    local_web: Web, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_web.page("https://news.example/env", "<html>x</html>")
    monkeypatch.setenv("RESOLVER_CACHE", str(tmp_path / "env.sqlite3"))
    assert run("expand", "-f", "jsonl", "https://news.example/env").returncode == 0
    assert (tmp_path / "env.sqlite3").exists()
    local_web.reset_log()
    assert jsonl(run("expand", "-f", "jsonl", "https://news.example/env").stdout)[0]["from_cache"] is True
    assert local_web.count() == 0


def test_csv_and_json_formats(local_web: Web) -> None:
    local_web.page("https://news.example/a", "<html>a</html>")
    local_web.redirect("https://bit.ly/x", "https://news.example/a")
    as_csv = run("expand", "--no-cache", "-f", "csv", "https://bit.ly/x")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows[0]["url"] == "https://bit.ly/x" and rows[0]["final_url"] == "https://news.example/a"
    assert rows[0]["verdict"] == "ok" and rows[0]["hop_count"] == "2" and rows[0]["vias"] == "location final"
    as_json = run("expand", "--no-cache", "-f", "json", "https://bit.ly/x", "https://news.example/a")
    data = json.loads(as_json.stdout)
    assert isinstance(data, list) and len(data) == 2


def test_table_output_names_verdicts(local_web: Web, tmp_path: Path) -> None:
    local_web.status("https://news.example/gone", 410)
    done = run("expand", "--no-cache", "-f", "table", "https://news.example/gone")
    assert done.returncode == 0
    assert "http-410" in done.stdout and "https://news.example/gone" in done.stdout


def test_nothing_to_expand_is_a_usage_error() -> None:
    done = run("expand", "-", stdin="\n# nothing\n")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "nothing to expand" in done.stderr


def test_strict_fails_on_a_dead_link(local_web: Web) -> None:
    local_web.status("https://news.example/missing", 404)
    assert run("expand", "--no-cache", "-f", "jsonl", "https://news.example/missing").returncode == 0
    assert (
        run("expand", "--no-cache", "--strict", "-f", "jsonl", "https://news.example/missing").returncode == 1
    )


def test_a_bad_scan_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    done = run("expand", "--from-scan", str(tmp_path / "bad.json"))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    missing = run("expand", "--from-scan", str(tmp_path / "nope.json"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr


def test_a_corrupt_cache_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "c.sqlite3").write_bytes(b"this is not a database" * 100)
    done = run("expand", "--cache", str(tmp_path / "c.sqlite3"), "https://news.example/a")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_worker_processes_give_the_same_results(local_web: Web) -> None:
    urls = []
    for i in range(40):
        local_web.page(f"https://site{i % 5}.example/page{i}", "<html>x</html>")
        local_web.redirect(f"https://sho{i % 3}.example/{i}", f"https://site{i % 5}.example/page{i}")
        urls.append(f"https://sho{i % 3}.example/{i}")
    single = resolver.expand(urls, options=ExpandOptions(retries=0))
    local_web.reset_log()
    parallel = resolver.expand(urls, options=ExpandOptions(retries=0), workers=2)
    assert [(r.url, r.final_url, r.verdict) for r in parallel] == [
        (r.url, r.final_url, r.verdict) for r in single
    ]
    assert local_web.count() == 80


def test_proxy_and_ca_bundle_options_replace_the_environment(
    local_web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_web.page("https://secure.example/", "<html>tls</html>")
    proxy, ca = local_web.proxy_url, str(local_web.ca_path)
    assert proxy is not None
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    done = run(
        "expand", "--no-cache", "-f", "jsonl", "--proxy", proxy, "--ca-bundle", ca, "https://secure.example/"
    )
    assert done.returncode == 0, done.stderr
    assert jsonl(done.stdout)[0]["verdict"] == "ok"
    # The test CA is not in the default roots: without --ca-bundle the same page is a TLS error.
    untrusted = run("expand", "--no-cache", "-f", "jsonl", "--proxy", proxy, "https://secure.example/")
    assert jsonl(untrusted.stdout)[0]["verdict"] == "tls-error"


def test_max_age_zero_rechecks_targets_but_not_shorteners(local_web: Web, tmp_path: Path) -> None:
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.tco("aged", "https://news.example/story")
    cache = tmp_path / "cache.sqlite3"
    assert run("expand", "--cache", str(cache), "-f", "jsonl", "https://t.co/aged").returncode == 0
    local_web.reset_log()
    done = run("expand", "--cache", str(cache), "--max-age", "0", "-f", "jsonl", "https://t.co/aged")
    assert done.returncode == 0, done.stderr
    assert local_web.count("t.co") == 0 and local_web.count("news.example") == 1
    local_web.reset_log()
    assert (
        run("expand", "--cache", str(cache), "--max-age", "7d", "-f", "jsonl", "https://t.co/aged").returncode
        == 0
    )
    assert local_web.count() == 0
    bad = run("expand", "--max-age", "soon", "https://t.co/aged")
    assert bad.returncode == 2 and "duration" in bad.stderr


def test_binary_stdin_is_reported_not_crashed(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "resolver",
            "expand",
            "--no-cache",
            "-f",
            "jsonl",
            "-o",
            str(tmp_path / "out.jsonl"),
            "-",
        ],
        input=b"\xff\xfe\x00garbage\nmailto:a@b.example\n",
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:surrogateescape"},
    )
    assert done.returncode == 0, done.stderr
    rows = jsonl((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert [row["verdict"] for row in sorted(rows, key=lambda row: row["index"])] == [
        "invalid-url",
        "non-http-target",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ca-bundle", "/nonexistent/ca.pem"], "cannot use the CA bundle"),
        (["--proxy", "not a proxy"], "is not a proxy URL"),
        (["--proxy", "ftp://proxy.example:21"], "is not a proxy URL"),
    ],
)
def test_bad_network_settings_are_one_line_before_any_output(args: list[str], message: str) -> None:
    done = run("expand", "--no-cache", "-f", "json", *args, "https://t.co/x")
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_bad_proxy_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "::::")
    monkeypatch.setenv("https_proxy", "::::")
    done = run("expand", "--no-cache", "https://t.co/x")
    assert done.returncode == 2 and "HTTPS_PROXY" in done.stderr


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_run_keeps_what_it_found(
    local_web: Web, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    """Ctrl-C or a scheduler's SIGTERM stops the run at once; the results so far are cached,
    so the next run resumes instead of starting over; the output file is not half-written."""
    local_web.latency = 0.1
    urls = [f"https://slowish{i % 20}.example/{i}" for i in range(400)]
    for url in urls:
        local_web.page(url, "<html>x</html>")
    cache, out = tmp_path / "cache.sqlite3", tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resolver",
            "expand",
            "--cache",
            str(cache),
            "-f",
            "jsonl",
            "-o",
            str(out),
            "-",
        ],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdin is not None
    process.stdin.write("\n".join(urls).encode())
    process.stdin.close()
    deadline = time.monotonic() + 30
    while local_web.count() < 150 and time.monotonic() < deadline:  # two waves of 64 answered
        time.sleep(0.05)
    process.send_signal(sig)
    assert process.wait(timeout=30) == code
    assert b"Traceback" not in (process.stderr.read() if process.stderr else b"")
    assert not out.exists()
    assert local_web.count() < len(urls)
    local_web.reset_log()
    again = run("expand", "--cache", str(cache), "-f", "jsonl", "-", stdin="\n".join(urls))
    assert again.returncode == 0
    assert sum(row["from_cache"] for row in jsonl(again.stdout)) >= 10
    assert local_web.count() <= len(urls) - 10


def test_scan_output_piped_to_stdin_is_read_as_a_scan(local_web: Web) -> None:
    local_web.page("https://sputniknews.example/syria", "<html>article</html>")
    local_web.tco("eKInDZJCbH", "https://sputniknews.example/syria")
    local_web.tweet_media("PXh7c6aziZ", "mod_russia", 656722946431664128)
    scan = run("scan", "-f", "jsonl", str(EXAMPLE))
    done = run("expand", "--no-cache", "-f", "jsonl", "-", stdin=scan.stdout)
    assert done.returncode == 0, done.stderr
    assert sorted(row["verdict"] for row in jsonl(done.stdout)) == ["ok", "ok"]
    assert any("t.co/eKInDZJCbH" in row["url"] for row in jsonl(done.stdout))


def _spread_links(local_web: Web, count: int) -> list[str]:
    urls = []
    for i in range(count):
        local_web.page(f"https://site{i % 6}.example/p{i}", "<html>x</html>")
        local_web.redirect(f"https://sh{i % 4}.example/{i}", f"https://site{i % 6}.example/p{i}")
        urls.append(f"https://sh{i % 4}.example/{i}")
    return urls


async def _adaptive(urls: list[str]) -> list[tuple[str, str, str]]:
    from resolver.expander.engine import Expander
    from resolver.expander.workers import stream_parallel

    options = ExpandOptions(retries=0, concurrency=8, per_host=2)
    async with Expander(options) as expander:
        found = [r async for r in stream_parallel(expander, list(enumerate(urls)), 2, adaptive=True)]
    found.sort(key=lambda r: r.index if r.index is not None else -1)
    return [(r.url, r.final_url, r.verdict.value) for r in found]


def test_adaptive_workers_are_spawned_only_when_this_process_is_cpu_bound(
    local_web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolver.expander import workers

    urls = _spread_links(local_web, 300)  # more than the 64 chains a window starts at once
    local_web.latency = 0.01
    spawned: list[bool] = []
    real_spawn = workers._Dealer._spawn

    def spying_spawn(self: workers._Dealer) -> None:
        spawned.append(True)
        real_spawn(self)

    monkeypatch.setattr(workers._Dealer, "_spawn", spying_spawn)
    monkeypatch.setattr(workers, "PROBE_SECONDS", 0.05)
    monkeypatch.setattr(workers, "PROBES_HOT", 1)
    monkeypatch.setattr(workers, "MIN_HANDOFF", 1)

    # Waiting on the network (never 200% of a core busy): everything stays in this process.
    monkeypatch.setattr(workers, "BUSY_FRACTION", 2.0)
    alone = run_async(_adaptive(urls))
    assert spawned == []
    assert local_web.count() == 600

    # "CPU-bound" from the first probe: the other shard goes to a worker mid-run.
    local_web.reset_log()
    monkeypatch.setattr(workers, "BUSY_FRACTION", 0.0)
    shared = run_async(_adaptive(urls))
    assert spawned == [True]
    assert shared == alone
    assert all(verdict == "ok" for _, _, verdict in shared)
    assert local_web.count() == 600  # each link once: nothing fetched by both processes


def test_slots_shrink_for_a_lent_share_and_grow_back() -> None:
    from resolver.expander.limits import Limits, Slots

    async def main() -> list[str]:
        events: list[str] = []
        limits = Limits(4, 4)
        gates = [asyncio.Event() for _ in range(4)]

        async def request(n: int) -> None:
            async with limits.slot(f"h{n}.example"):
                events.append(f"start {n}")
                await gates[n % 4].wait()

        first = [asyncio.ensure_future(request(n)) for n in range(4)]
        await asyncio.sleep(0)
        lend = asyncio.ensure_future(limits.reserve(2))  # 4 in flight: it waits for 2 to end
        await asyncio.sleep(0.01)
        events.append(f"lent {lend.done()}")
        gates[0].set()
        gates[1].set()
        await lend
        events.append(f"lent, {limits.free_size()} left")
        later = asyncio.ensure_future(request(4))  # gate 0 is open: it would run at once
        await asyncio.sleep(0.01)
        events.append(f"later started {later.done()}")
        gates[2].set()
        gates[3].set()
        await asyncio.gather(*first)
        await later  # two slots in use at most: it ran once the others ended
        limits.unreserve(2)
        events.append(f"back to {limits.free_size()}")

        slots = Slots(1)
        await slots.acquire()
        waiting = asyncio.ensure_future(slots.acquire())
        await asyncio.sleep(0)
        slots.release()  # granted to `waiting`...
        waiting.cancel()  # ...which is cancelled before it runs: the slot must come back
        await asyncio.gather(waiting, return_exceptions=True)
        events.append(f"used {slots.used}")
        return events

    events = asyncio.run(main())
    assert events[:4] == ["start 0", "start 1", "start 2", "start 3"]
    assert events[4:] == [
        "lent False",
        "lent, 2 left",
        "later started False",
        "start 4",
        "back to 4",
        "used 0",
    ]
