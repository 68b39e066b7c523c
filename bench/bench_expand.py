#!/usr/bin/env python3
"""Measure `resolver expand` against its peers (minet resolve, urlexpander) on the local web.

    sh bench/setup_peers.sh                      # once: the peers' own venv, bench/.venv-peers
    python bench/bench_expand.py                 # every scenario, every tool
    python bench/bench_expand.py --quick         # a smoke run of a few seconds per scenario

Every tool fetches plain `http://` URLs of made-up hosts through the local web
(`python -m tests.web --scenario bench`, started here on a free port and stopped at the end),
which answers as an HTTP proxy (`HTTP_PROXY`). The links are generated from `--seed`:
`http://hN-example.com/K/CODE` is exactly K redirects (1 to 3) from its page
`http://oN-example.com/page/CODE` (K + 1 requests), and a `--dead-fraction` of the links are
`http://deadN-example.com/CODE` (404, one request); N runs over `--hosts` hosts. The
`-example.com` names (not `.example`) are for minet, which refuses a host without a real
top-level domain and counts its per-host limit per registrable domain.

Every tool gets the same links and the same limits: `--concurrency` requests in flight in
all, `--per-host` per host, where it has such a setting:

- resolver: `resolver expand --format jsonl --no-cache --concurrency C --per-host P -`, the
  links on stdin; skipped (and said so) while `resolver expand --help` fails.
- minet: `minet resolve url -i links.csv --threads C --domain-parallelism P --throttle 0
  --proxy URL`. minet ignores `HTTP_PROXY` (its urllib3 pool reads no environment), so the
  proxy is given with `--proxy`; without it minet looks the made-up names up in DNS.
- urlexpander: `bench/peer_urlexpander.py --workers C` (`urlexpander.expand(urls,
  n_workers=C)`, its default chunksize 1280 and HEAD requests); it has no per-host limit.

Scenarios (`--scenarios`, default all):

1. `latency`: every response waits `--latency-ms` (50); `--links` (5,000) links. The floor is
   `requests x latency / min(concurrency, hosts x per-host)`, with the requests the web saw
   during that tool's run (`/_web/stats`); `wall / floor` says how close a tool comes to it.
   A raw asyncio client (`tests/web/loadgen.py`) is run first against the same web to show
   that the web itself is not the limit.
2. `cpu`: no latency, `--cpu-links` (20,000) links: requests/s (one request = one hop: a
   redirect or the final answer) and CPU seconds per 1,000 requests. The raw client's
   requests/s shows the web's capacity on this machine.
3. `cache`: resolver only, `--cache-links` (100,000) links, no latency: a cold run with
   `--cache FILE` fills the cache, then a warm run over the same links must make no request
   (the web's count during the warm run is reported) and is timed.
4. Peak RSS of every run, so the cold and warm cache runs give resolver's footprint for
   100,000 links: the largest of `ru_maxrss` (from `wait4`: the largest single process of the
   tool's tree) and the sum over every process of the tree's process group of its
   proportional set size (PSS), sampled from /proc every 0.1 s (what matters with worker
   processes; a sample can miss a short peak, hence the largest of both).

CPU seconds are user + system of the tool's process tree (`os.wait4` of the child), so the
local web's own CPU is not counted; it is shown apart (`web CPU s`, from /proc). Wall time
includes each tool's interpreter start-up. Every result is checked: a live link is correct
when its final URL is the expected page; a dead one when it is reported as 404 (urlexpander
has no status: its `http://DOMAIN/__CLIENT_ERROR__` stands for one).

It prints (stdout) a Markdown section for bench/RESULTS.md; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import re
import shlex
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_scan import md_table  # the same Markdown tables as the scan benchmark (bench/ is on sys.path)

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
DEFAULT_PEERS = BENCH / ".venv-peers"
PROXY_LINE = re.compile(r"listening as a proxy at (http://[\d.]+:\d+)")
LOADGEN_LINE = re.compile(r"(\d+) ok, (\d+) failed in ([\d.]+) s = ([\d,]+) requests/s")
TOOLS = ("resolver", "minet", "urlexpander")
SCENARIOS = ("latency", "cpu", "cache")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The links


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    final: str  #: the URL a correct tool ends on (the link itself for a dead one)
    status: int  #: the final status (200, or 404 for a dead link)
    requests: int  #: requests a tool needs at least: hops + 1


def make_links(count: int, hosts: int, seed: int, dead_fraction: float, max_hops: int = 3) -> list[Link]:
    """`count` distinct links spread evenly over `hosts` hosts, in a seeded random order."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    links: list[Link] = []
    for i in range(count):
        n = i % hosts
        # Distinct by construction (the index), random-looking like a real short code.
        code = "".join(rng.choices(alphabet, k=6)) + base62(i)
        if rng.random() < dead_fraction:
            url = f"http://dead{n}-example.com/{code}"
            links.append(Link(url, url, 404, 1))
        else:
            hops = rng.randint(1, max_hops)
            links.append(
                Link(
                    f"http://h{n}-example.com/{hops}/{code}",
                    f"http://o{n}-example.com/page/{code}",
                    200,
                    hops + 1,
                )
            )
    rng.shuffle(links)
    return links


def base62(n: int) -> str:
    alphabet = string.digits + string.ascii_letters
    out = ""
    while True:
        n, r = divmod(n, 62)
        out = alphabet[r] + out
        if not n:
            return out


# ---------------------------------------------------------------------------------------------
# The local web, in a subprocess


class LocalWeb:
    """`python -m tests.web --scenario bench` on a free port; always stopped (`with`)."""

    def __init__(self, latency_ms: float, state_dir: Path) -> None:
        self.latency_ms = latency_ms
        self.state_dir = state_dir
        self.proc: subprocess.Popen[str] | None = None
        self.proxy_url = ""

    def __enter__(self) -> LocalWeb:
        argv = [
            sys.executable,
            "-m",
            "tests.web",
            "--scenario",
            "bench",
            "--port",
            "0",
            "--latency-ms",
            str(self.latency_ms),
            "--state-dir",
            str(self.state_dir),
        ]
        env = clean_env()
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            assert self.proc.stdout is not None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                line = self.proc.stdout.readline()
                if not line:
                    raise RuntimeError(f"the local web exited ({self.proc.wait()}) before listening")
                match = PROXY_LINE.search(line)
                if match:
                    self.proxy_url = match.group(1)
                    break
            else:
                raise RuntimeError("the local web did not say where it listens")
        except BaseException:
            self.stop()
            raise
        log(f"local web at {self.proxy_url}, latency {self.latency_ms:g} ms")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def _get(self, path: str) -> Any:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # asked directly
        with opener.open(f"{self.proxy_url}{path}", timeout=30) as response:
            return json.loads(response.read())

    def requests(self) -> int:
        return int(self._get("/_web/stats")["requests"])

    def reset(self) -> None:
        self._get("/_web/reset")

    def cpu_seconds(self) -> float:
        """User + system seconds of the web's process so far (Linux /proc; 0 elsewhere)."""
        if self.proc is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @property
    def host_port(self) -> str:
        return self.proxy_url.removeprefix("http://")


def clean_env() -> dict[str, str]:
    """This environment without any proxy variable (set again per tool)."""
    return {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}


def proxy_env(web: LocalWeb) -> dict[str, str]:
    env = clean_env()
    env["HTTP_PROXY"] = env["http_proxy"] = web.proxy_url
    return env


# ---------------------------------------------------------------------------------------------
# Running a tool


@dataclass
class Run:
    tool: str
    scenario: str
    repeat: int
    links: int
    wall: float = 0.0
    cpu: float = 0.0  #: user + system of the tool's process tree
    maxrss_mb: float = 0.0  #: the largest single process (ru_maxrss)
    tree_rss_mb: float = 0.0  #: the largest sampled sum over the process group
    requests: int = 0  #: seen by the web during the run
    web_cpu: float = 0.0
    correct: int = 0
    from_cache: int | None = None
    error: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def peak_mb(self) -> float:
        return max(self.maxrss_mb, self.tree_rss_mb)


@dataclass(frozen=True, slots=True)
class Outcome:
    final_url: str | None
    status: int | None
    from_cache: bool | None = None
    verdict: str | None = None  #: resolver's only


def group_rss(pgid: int) -> int:
    """Bytes resident in the processes of process group `pgid`: the sum of their proportional
    set sizes (PSS: a page shared by n processes counts 1/n in each, so shared libraries are
    not counted twice), else of their RSS (Linux /proc; 0 elsewhere)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text().rpartition(")")[2].split()
            if int(stat[2]) != pgid:  # after the command: state, ppid, pgrp
                continue
            total += process_pss(entry.path) or int(Path(entry.path, "statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def process_pss(proc_dir: str) -> int:
    """Bytes of `Pss:` in /proc/PID/smaps_rollup, or 0 when it cannot be read."""
    try:
        for line in Path(proc_dir, "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


class RssSampler(threading.Thread):
    """The largest `group_rss(pgid)` seen, every `interval` seconds until stopped."""

    def __init__(self, pgid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pgid, self.interval = pgid, interval
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, group_rss(self.pgid))
            self.done.wait(self.interval)


def run_process(
    argv: list[str], *, stdin: Path | None, stdout: Path, env: dict[str, str], cwd: Path, timeout: float
) -> tuple[int, float, float, float, float, str]:
    """Run `argv` to its end: (exit code, wall s, CPU s of its tree, largest process's peak RSS
    MB, peak sampled RSS MB of its process group, stderr tail)."""
    with contextlib.ExitStack() as stack:
        fin = stack.enter_context(stdin.open("rb")) if stdin else subprocess.DEVNULL
        fout = stack.enter_context(stdout.open("wb"))
        ferr = stack.enter_context(tempfile.TemporaryFile())
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=fin, stdout=fout, stderr=ferr, env=env, cwd=cwd, start_new_session=True
        )
        timer = threading.Timer(timeout, lambda: _kill_group(proc.pid))
        timer.start()
        sampler = RssSampler(proc.pid)  # a new session: its group id is its pid
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.done.set()
            sampler.join()
            _kill_group(proc.pid)  # leftovers of the tool (worker processes), if any
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        ferr.seek(0)
        tail = "\n".join(ferr.read().decode("utf-8", "replace").strip().splitlines()[-5:])
    cpu = usage.ru_utime + usage.ru_stime
    return code, wall, cpu, usage.ru_maxrss / 1024, sampler.peak / 2**20, tail


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def resolver_command() -> list[str]:
    script = Path(sys.executable).parent / "resolver"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from resolver.cli import main; sys.exit(main())"]


def resolver_help() -> str | None:
    """`resolver expand --help`, or None while the command does not exist."""
    env = clean_env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    try:
        out = subprocess.run(
            [*resolver_command(), "expand", "--help"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


class Tools:
    """How each tool is invoked, and how its output is read back."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.peers_python = args.peers / "bin" / "python"
        self.minet = args.peers / "bin" / "minet"
        help_text = resolver_help() if "resolver" in args.tools else None
        self.available: dict[str, str] = {}  # tool -> why not, when missing
        if "resolver" in args.tools and help_text is None:
            self.available["resolver"] = "`resolver expand --help` fails: the command does not exist yet"
        #: Whether `resolver expand` has `--workers`; the values of it to run (None: not given).
        self.has_workers = bool(help_text and "--workers" in help_text)
        self.resolver_variants: list[int | None] = [None]
        if self.has_workers and args.resolver_workers:
            self.resolver_variants = list(args.resolver_workers)
        elif args.resolver_workers and help_text is not None:
            log("note: `resolver expand` has no --workers option; running it without")
        self.cache_workers = args.cache_workers if self.has_workers else None
        for tool, exe in (("minet", self.minet), ("urlexpander", self.peers_python)):
            if tool in args.tools and not exe.exists():
                self.available[tool] = f"{exe} is missing: run `sh bench/setup_peers.sh`"

    def usable(self, tool: str) -> bool:
        return tool in self.args.tools and tool not in self.available

    def variants(self, tool: str) -> list[int | None]:
        """The runs of `tool` per repeat: one per `--workers` value for resolver."""
        return self.resolver_variants if tool == "resolver" else [None]

    @staticmethod
    def label(tool: str, workers: int | None) -> str:
        if workers is None:
            return tool
        return f"{tool} -j{workers}" + (" (auto)" if workers == 0 else "")

    # -- command lines ---------------------------------------------------------------------

    def resolver_argv(self, *, cache: Path | None, workers: int | None) -> list[str]:
        a = self.args
        argv = [*resolver_command(), "expand", "--format", "jsonl"]
        argv += ["--cache", str(cache)] if cache else ["--no-cache"]
        argv += ["--concurrency", str(a.concurrency), "--per-host", str(a.per_host)]
        if workers is not None:
            argv += ["--workers", str(workers)]
        argv += a.resolver_arg
        return [*argv, "-"]

    def minet_argv(self, web: LocalWeb, csv_in: Path, csv_out: Path) -> list[str]:
        a = self.args
        return [
            str(self.minet),
            "resolve",
            "url",
            "-i",
            str(csv_in),
            "-o",
            str(csv_out),
            "--silent",
            "--threads",
            str(a.concurrency),
            "--domain-parallelism",
            str(a.per_host),
            "--throttle",
            "0",
            "--max-redirects",
            "20",
            "--timeout",
            "30",
            "--proxy",
            web.proxy_url,
        ]

    def urlexpander_argv(self) -> list[str]:
        return [
            str(self.peers_python),
            str(BENCH / "peer_urlexpander.py"),
            "--workers",
            str(self.args.concurrency),
            "--timeout",
            "30",
        ]

    def command_lines(self) -> dict[str, str]:
        """The command lines as printed in the report (PORT and files named, not resolved)."""
        a = self.args
        lines = {
            "resolver": shlex.join(self.resolver_argv(cache=None, workers=None)).replace(str(REPO) + "/", "")
            + " < links.txt",
            "minet": (
                "bench/.venv-peers/bin/minet resolve url -i links.csv -o out.csv --silent "
                f"--threads {a.concurrency} --domain-parallelism {a.per_host} --throttle 0 "
                "--max-redirects 20 --timeout 30 --proxy http://127.0.0.1:PORT"
            ),
            "urlexpander": (
                f"bench/.venv-peers/bin/python bench/peer_urlexpander.py --workers {a.concurrency} "
                "--timeout 30 < links.txt"
            ),
        }
        return lines

    # -- running ----------------------------------------------------------------------------

    def run(
        self,
        tool: str,
        web: LocalWeb,
        links: list[Link],
        links_txt: Path,
        links_csv: Path,
        *,
        scenario: str,
        repeat: int,
        cache: Path | None = None,
        workers: int | None = None,
    ) -> Run:
        run = Run(self.label(tool, workers), scenario, repeat, len(links))
        out = self.workdir / f"{tool}.out"
        env = proxy_env(web)
        if tool == "resolver":
            argv, stdin = self.resolver_argv(cache=cache, workers=workers), links_txt
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        elif tool == "minet":
            argv, stdin = self.minet_argv(web, links_csv, out), None
        else:
            argv, stdin = self.urlexpander_argv(), links_txt
        web.reset()
        web_cpu = web.cpu_seconds()
        log(f"  {scenario} #{repeat}: {run.tool} over {len(links):,} links ...")
        code, run.wall, run.cpu, run.maxrss_mb, run.tree_rss_mb, tail = run_process(
            argv,
            stdin=stdin,
            stdout=self.workdir / f"{tool}.stdout" if tool == "minet" else out,
            env=env,
            cwd=self.workdir,
            timeout=self.args.tool_timeout,
        )
        run.web_cpu = web.cpu_seconds() - web_cpu
        run.requests = web.requests()
        if code != 0:
            run.error = f"exit {code}: {tail}"
            log(f"    {tool} failed: {run.error}")
        outcomes = self.read(tool, out)
        run.correct = sum(1 for link in links if correct(link, outcomes.get(link.url)))
        if tool == "resolver":
            run.from_cache = sum(1 for o in outcomes.values() if o.from_cache)
        missing = sum(1 for link in links if link.url not in outcomes)
        if missing:
            run.notes.append(f"{missing} links missing from the output")
        log(
            f"    {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, {run.requests:,} requests, "
            f"{run.correct:,}/{len(links):,} correct, {run.peak_mb:.0f} MB peak"
        )
        return run

    def read(self, tool: str, path: Path) -> dict[str, Outcome]:
        outcomes: dict[str, Outcome] = {}
        if not path.exists():
            return outcomes
        if tool == "minet":
            with path.open(newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    status = row.get("http_status") or ""
                    outcomes[row["url"]] = Outcome(
                        row.get("resolved_url") or None, int(status) if status.isdigit() else None
                    )
            return outcomes
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if not isinstance(record, dict) or "url" not in record:
                    continue
                status = record.get("http_status")
                outcomes[record["url"]] = Outcome(
                    record.get("final_url"),
                    status if isinstance(status, int) else None,
                    record.get("from_cache"),
                    record.get("verdict"),
                )
        return outcomes


def correct(link: Link, outcome: Outcome | None) -> bool:
    if outcome is None:
        return False
    if link.status == 404:
        return outcome.status == 404 or (outcome.final_url or "").endswith("/__CLIENT_ERROR__")
    return (
        outcome.final_url == link.final and outcome.status in (None, 200) and outcome.verdict in (None, "ok")
    )


def write_inputs(links: list[Link], directory: Path, name: str) -> tuple[Path, Path]:
    txt, table = directory / f"{name}.txt", directory / f"{name}.csv"
    txt.write_text("".join(link.url + "\n" for link in links), encoding="utf-8")
    with table.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["url"])
        writer.writerows([link.url] for link in links)
    return txt, table


def loadgen(web: LocalWeb, connections: int, seconds: float) -> tuple[float, int, int]:
    """The raw client against the web: (requests/s, ok, failed)."""
    env = clean_env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    argv = [
        sys.executable,
        "-m",
        "tests.web.loadgen",
        "--proxy",
        web.host_port,
        "--mode",
        "http",
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
    ]
    out = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=seconds + 60)
    web.reset()
    match = LOADGEN_LINE.search(out.stdout)
    if out.returncode != 0 or match is None:
        raise RuntimeError(f"loadgen failed: {out.stdout}{out.stderr}")
    ok, failed, rate = int(match.group(1)), int(match.group(2)), float(match.group(4).replace(",", ""))
    log(f"  raw client: {rate:,.0f} requests/s ({ok:,} ok, {failed} failed)")
    return rate, ok, failed


# ---------------------------------------------------------------------------------------------
# Report


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def machine_line() -> str:
    def git(*argv: str) -> str:
        try:
            return subprocess.run(
                ["git", "-C", str(REPO), *argv], capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "resolver", "cache")
    peers = peer_versions()
    return (
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, resolver at {commit}"
        f"{' + uncommitted changes' if dirty else ''}; peers: {peers}"
    )


def peer_versions() -> str:
    site = list((DEFAULT_PEERS / "lib").glob("python*/site-packages"))
    found = []
    for name in ("minet", "urlexpander", "requests", "urllib3"):
        dists = sorted(site[0].glob(f"{name}-*.dist-info")) if site else []
        if dists:
            found.append(dists[-1].name.removesuffix(".dist-info").replace("-", " "))
    return ", ".join(found) or "not installed"


class Report:
    def __init__(self, args: argparse.Namespace, command: str, tools: Tools) -> None:
        self.args = args
        self.command = command
        self.tools = tools
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        print(text + "\n", flush=True)

    def header(self, load: float) -> None:
        a = self.args
        lines = [
            "### Expand: resolver against minet and urlexpander on the local web",
            "",
            f"```\n{self.command}\n```",
            "",
            f"Machine: {machine_line()}; {time.strftime('%Y-%m-%d')}; load average {load:.2f} at start.",
            "",
            f"Same links, same limits for every tool: {a.concurrency} requests in flight in all, "
            f"{a.per_host} per host (urlexpander has no per-host setting); plain `http://` through the "
            "local web as `HTTP_PROXY` (minet: `--proxy`, it reads no proxy variable). CPU s: user + "
            "system of the tool's processes. Peak RSS MB: the larger of the largest process's peak RSS "
            "and the sampled sum of the PSS of all its processes. Tools as run:",
            "",
        ]
        for tool, line in self.tools.command_lines().items():
            if tool in a.tools:
                lines.append(f"- {tool}: `{line}`")
                if tool == "resolver" and self.tools.resolver_variants != [None]:
                    lines[-1] += (
                        ", with `--workers N` for N in "
                        + ", ".join(map(str, self.tools.resolver_variants))
                        + " (`-jN` below; 0 is its own choice: from 2,000 links on, up to one"
                        + " process per core once one process is CPU-bound)"
                    )
        for tool, why in self.tools.available.items():
            lines.append(f"- **{tool} not run**: {why}")
        self.add("\n".join(lines))


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def latency_table(runs: list[Run], latency: float, effective: int) -> str:
    rows = []
    for r in runs:
        floor = r.requests * latency / effective
        rows.append(
            [
                r.tool,
                str(r.repeat),
                fmt(r.wall),
                f"{r.requests:,}",
                fmt(floor),
                f"{r.wall / floor:.2f}x" if floor else "-",
                fmt(r.cpu),
                fmt(r.peak_mb, 0),
                f"{r.correct:,}/{r.links:,}",
                r.error or "; ".join(r.notes),
            ]
        )
    return md_table(
        [
            "tool",
            "run",
            "wall s",
            "requests",
            "floor s",
            "wall / floor",
            "CPU s",
            "peak RSS MB",
            "correct",
            "notes",
        ],
        rows,
        "lrrrrrrrrl",
    )


def cpu_table(runs: list[Run]) -> str:
    rows = []
    for r in runs:
        rows.append(
            [
                r.tool,
                str(r.repeat),
                fmt(r.wall),
                f"{r.requests:,}",
                fmt(r.requests / r.wall, 0) if r.wall else "-",
                fmt(r.cpu),
                fmt(r.cpu * 1000 / r.requests, 3) if r.requests else "-",
                fmt(r.web_cpu),
                fmt(r.peak_mb, 0),
                f"{r.correct:,}/{r.links:,}",
                r.error or "; ".join(r.notes),
            ]
        )
    return md_table(
        [
            "tool",
            "run",
            "wall s",
            "requests",
            "requests/s",
            "CPU s",
            "CPU s / 1,000 requests",
            "web CPU s",
            "peak RSS MB",
            "correct",
            "notes",
        ],
        rows,
        "lrrrrrrrrrl",
    )


def summary(runs: list[Run], key: str) -> str:
    """Median per tool of `key` ('wall' or 'rate'), with the ratio to the first resolver run's."""
    by_tool: dict[str, list[float]] = {}
    for r in runs:
        if r.error:
            continue
        value = r.wall if key == "wall" else r.cpu * 1000 / max(r.requests, 1)
        by_tool.setdefault(r.tool, []).append(value)
    if not by_tool:
        return ""
    medians = {tool: median(values) for tool, values in by_tool.items()}
    base_tool = next((t for t in medians if t.startswith("resolver")), None)
    what = "wall s" if key == "wall" else "CPU s / 1,000 requests"
    parts = []
    for tool, m in medians.items():
        ratio = f" ({m / medians[base_tool]:.2f}x {base_tool})" if base_tool and tool != base_tool else ""
        parts.append(f"{tool} {m:,.3g}{ratio}")
    return f"Median {what}: " + "; ".join(parts) + "."


# ---------------------------------------------------------------------------------------------
# Scenarios


def scenario_latency(args: argparse.Namespace, tools: Tools, report: Report, workdir: Path) -> None:
    links = make_links(args.links, args.hosts, args.seed, args.dead_fraction)
    txt, table = write_inputs(links, workdir, "latency")
    latency = args.latency_ms / 1000
    effective = min(args.concurrency, args.hosts * args.per_host)
    need = sum(link.requests for link in links)
    log(f"latency scenario: {len(links):,} links over {args.hosts} hosts, {need:,} requests at least")
    runs: list[Run] = []
    with LocalWeb(args.latency_ms, workdir / "web-latency") as web:
        rate, _, _ = loadgen(web, args.concurrency, args.loadgen_seconds)
        for repeat in range(1, args.repeat + 1):
            for tool in TOOLS:
                if tools.usable(tool):
                    for w in tools.variants(tool):
                        runs.append(
                            tools.run(
                                tool, web, links, txt, table, scenario="latency", repeat=repeat, workers=w
                            )
                        )
    ideal = effective / latency
    text = [
        f"#### 1. Latency-bound: {args.latency_ms:g} ms per response, {len(links):,} links over "
        f"{args.hosts} hosts, 1-3 redirects ({args.dead_fraction:.0%} dead)",
        "",
        f"At least {need:,} requests. Floor = requests the web saw x {latency:g} s / {effective} "
        f"(min(concurrency {args.concurrency}, {args.hosts} hosts x {args.per_host} per host)). "
        f"The raw client with {args.concurrency} connections: {rate:,.0f} requests/s against an ideal "
        f"{ideal:,.0f} ({rate / ideal:.0%}): the web keeps up with the latency.",
        "",
        latency_table(runs, latency, effective),
    ]
    line = summary(runs, "wall")
    if line:
        text += ["", line]
    report.add("\n".join(text))


def scenario_cpu(args: argparse.Namespace, tools: Tools, report: Report, workdir: Path) -> None:
    links = make_links(args.cpu_links, args.hosts, args.seed + 1, args.dead_fraction)
    txt, table = write_inputs(links, workdir, "cpu")
    need = sum(link.requests for link in links)
    log(f"cpu scenario: {len(links):,} links over {args.hosts} hosts, {need:,} requests at least")
    runs: list[Run] = []
    with LocalWeb(0, workdir / "web-cpu") as web:
        rate, _, _ = loadgen(web, args.concurrency, args.loadgen_seconds)
        for repeat in range(1, args.repeat + 1):
            for tool in TOOLS:
                if tools.usable(tool):
                    for w in tools.variants(tool):
                        runs.append(
                            tools.run(tool, web, links, txt, table, scenario="cpu", repeat=repeat, workers=w)
                        )
    text = [
        f"#### 2. CPU-bound: no latency, {len(links):,} links over {args.hosts} hosts, 1-3 redirects "
        f"({args.dead_fraction:.0%} dead)",
        "",
        f"At least {need:,} requests; one request = one hop (a redirect or the final answer). The raw "
        f"client with {args.concurrency} connections: {rate:,.0f} requests/s (the web's capacity here, "
        "sharing the cores with the client). CPU s: the tool's process tree; web CPU s: the local web's "
        "during the same run.",
        "",
        cpu_table(runs),
    ]
    line = summary(runs, "rate")
    if line:
        text += ["", line]
    report.add("\n".join(text))


def scenario_cache(args: argparse.Namespace, tools: Tools, report: Report, workdir: Path) -> None:
    if not tools.usable("resolver"):
        report.add(
            "#### 3. Warm cache (resolver only)\n\nNot run: "
            + tools.available.get("resolver", "resolver not selected")
        )
        return
    links = make_links(args.cache_links, args.hosts, args.seed + 2, args.dead_fraction)
    txt, table = write_inputs(links, workdir, "cache")
    log(f"cache scenario: {len(links):,} links")
    rows = []
    for repeat in range(1, args.repeat + 1):
        cache = workdir / f"cache-{repeat}.sqlite"
        with LocalWeb(0, workdir / "web-cache") as web:
            for phase in ("cold", "warm"):
                run = tools.run(
                    "resolver",
                    web,
                    links,
                    txt,
                    table,
                    scenario=f"cache {phase}",
                    repeat=repeat,
                    cache=cache,
                    workers=tools.cache_workers,
                )
                rows.append(
                    [
                        phase,
                        str(repeat),
                        f"{run.links:,}",
                        fmt(run.wall),
                        f"{run.requests:,}",
                        fmt(run.cpu),
                        fmt(run.maxrss_mb, 0),
                        fmt(run.tree_rss_mb, 0),
                        f"{run.from_cache:,}" if run.from_cache is not None else "-",
                        f"{run.correct:,}/{run.links:,}",
                        run.error or "; ".join(run.notes),
                    ]
                )
        size = cache.stat().st_size / 1e6 if cache.exists() else 0.0
        rows[-1][-1] = (rows[-1][-1] + "; " if rows[-1][-1] else "") + f"cache file {size:.1f} MB"
        for extra in workdir.glob(f"cache-{repeat}.sqlite*"):
            extra.unlink()
    text = [
        f"#### 3-4. Warm cache and peak RSS: {Tools.label('resolver', tools.cache_workers)} over "
        f"{len(links):,} links, no latency",
        "",
        "`--cache FILE` instead of `--no-cache`; the cold run fills a new cache, the warm run reads the "
        "same links again from it. `requests` is what the web saw during that run (warm: must be 0). "
        "Peak RSS: the largest single process (`ru_maxrss`), and the sum of the PSS of the tool's "
        "processes (sampled every 0.1 s, so it can miss a short peak).",
        "",
        md_table(
            [
                "run",
                "#",
                "links",
                "wall s",
                "requests",
                "CPU s",
                "peak RSS MB, largest process",
                "peak PSS MB, all processes",
                "from_cache",
                "correct",
                "notes",
            ],
            rows,
            "lrrrrrrrrrl",
        ),
    ]
    report.add("\n".join(text))


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 300 links, 1,000 for the cache")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="of: " + ",".join(SCENARIOS))
    parser.add_argument("--tools", default=",".join(TOOLS), help="of: " + ",".join(TOOLS))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--links", type=int, default=5_000, help="latency scenario (default 5,000)")
    parser.add_argument("--cpu-links", type=int, default=20_000, help="CPU scenario (default 20,000)")
    parser.add_argument("--cache-links", type=int, default=100_000, help="cache scenario (default 100,000)")
    parser.add_argument("--hosts", type=int, default=50, help="short-link hosts (default 50)")
    parser.add_argument("--dead-fraction", type=float, default=0.02, help="404 links (default 0.02)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="latency scenario (default 50)")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight in all (64)")
    parser.add_argument("--per-host", type=int, default=4, help="requests in flight per host (4)")
    parser.add_argument(
        "--resolver-workers",
        default="1,0",
        help="run resolver once per value, with --workers N, if it has that option; 0 is its own "
        "choice (default: 1,0; empty: never pass --workers)",
    )
    parser.add_argument(
        "--cache-workers", type=int, default=0, help="--workers for the cache scenario (default 0: its own)"
    )
    parser.add_argument(
        "--resolver-arg", action="append", default=[], help="one more argument for resolver expand (repeat)"
    )
    parser.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help="the peers' venv")
    parser.add_argument("--loadgen-seconds", type=float, default=3.0)
    parser.add_argument("--tool-timeout", type=float, default=1800.0, help="seconds before a tool is killed")
    args = parser.parse_args(argv)
    if args.quick:
        args.links = min(args.links, 300)
        args.cpu_links = min(args.cpu_links, 300)
        args.cache_links = min(args.cache_links, 1_000)
        args.loadgen_seconds = min(args.loadgen_seconds, 1.0)
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.tools = [t for t in args.tools.split(",") if t]
    try:
        args.resolver_workers = [int(w) for w in args.resolver_workers.split(",") if w.strip()]
    except ValueError:
        parser.error("--resolver-workers takes numbers separated by commas")
    if bad := [s for s in args.scenarios if s not in SCENARIOS]:
        parser.error(f"unknown scenario {bad[0]!r}")
    if bad := [t for t in args.tools if t not in TOOLS]:
        parser.error(f"unknown tool {bad[0]!r}")
    if min(args.repeat, args.links, args.cpu_links, args.cache_links, args.hosts) < 1:
        parser.error("counts must be at least 1")
    if min(args.concurrency, args.per_host) < 1:
        parser.error("--concurrency and --per-host must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(["python", "bench/bench_expand.py", *(argv if argv is not None else sys.argv[1:])])
    load = os.getloadavg()[0]
    if load > 0.5:
        log(f"warning: load average {load:.2f}: other processes share the CPU; timings will be noisy")
    with tempfile.TemporaryDirectory(prefix="bench-expand-") as tmp:
        workdir = Path(tmp)
        tools = Tools(args, workdir)
        for tool, why in tools.available.items():
            log(f"skipping {tool}: {why}")
        report = Report(args, command, tools)
        report.header(load)
        for name in args.scenarios:
            {"latency": scenario_latency, "cpu": scenario_cpu, "cache": scenario_cache}[name](
                args, tools, report, workdir
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
