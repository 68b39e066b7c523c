"""Benchmark: recovering 1,000 tweets through the local web with a per-response latency.

    python bench/bench_tweets.py [--tweets 1000] [--latency-ms 50] [--repeat 3] [--per-host 4]

What it measures, per run of `resolver tweet - --no-cache -f jsonl` (a real process, behind
the local web's proxy, HTTPS with the test CA, exactly as a user behind a proxy):

- tweets per second, against the **floor** set by latency and the per-host limit: every
  tweet asks the syndication endpoint first, at most `per_host` requests at once, each
  taking at least the latency, so N tweets cannot take less than ceil(N / per_host) x
  latency (plus the fallbacks of unavailable tweets, which run beside them on other hosts);
- requests per tweet: for available tweets the target is one, whatever the fallbacks;
  unavailable ones cost what their fate takes to learn (and their content to recover).

Two sets: every tweet available, and the local web's default mix (90 % available, the rest
deleted, never existed, protected, suspended; each with a Wayback capture). The local web
runs in its own process (`--serve`), so its CPU does not slow the measured tool.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from localweb import WebProcess, clean_env  # noqa: E402

#: The synthetic tweets start here (2015-10-21, 00:00 UTC) and are 1 ms apart.
START_ID = 656620914078646272
HANDLE = "bench"


def log(message: str) -> None:
    print(f"[bench_tweets] {message}", file=sys.stderr, flush=True)


# --- The local web (child process) -----------------------------------------------------------------


def serve(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(REPO))
    from tests.web.scenarios import Web
    from tests.web.server import WebServer
    from tests.web.twitter import install_twitter

    web = Web(latency=args.latency_ms / 1000, log_limit=10_000)
    tw = install_twitter(web)
    mix = {"available": 1} if args.mix == "available" else None
    tw.bulk(args.tweets, START_ID, HANDLE, mix, captured=True)
    server = WebServer(web, Path(tempfile.mkdtemp(prefix="bench-tweets-")), port=0).start()
    print(json.dumps({"proxy": server.proxy_url, "ca": str(server.ca_path)}), flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()
    return 0


class LocalWeb(WebProcess):
    def __init__(self, tweets: int, latency_ms: float, mix: str) -> None:
        super().__init__([
            sys.executable, __file__, "--serve", "--tweets", str(tweets), "--latency-ms", str(latency_ms),
            "--mix", mix,
        ])  # fmt: skip

    def reset(self) -> None:
        self.control("reset")


# --- One run ------------------------------------------------------------------------------------------


def run_once(web: LocalWeb, tweets: int, per_host: int, concurrency: int) -> dict[str, Any]:
    env = clean_env()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = web.proxy
    env["SSL_CERT_FILE"] = web.ca
    refs = "".join(f"https://twitter.com/{HANDLE}/status/{START_ID + i * (1 << 22)}\n" for i in range(tweets))
    web.reset()
    argv = [
        sys.executable, "-m", "resolver", "tweet", "-", "--no-cache", "-f", "jsonl",
        "--per-host", str(per_host), "-c", str(concurrency),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(argv, input=refs, capture_output=True, text=True, env=env, cwd=REPO, timeout=900)
    wall = time.perf_counter() - started
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if len(rows) != tweets:
        raise RuntimeError(f"resolver gave {len(rows)} records for {tweets} tweets: {done.stderr[-2000:]}")
    stats = web.stats()
    states = collections.Counter(row["state"] for row in rows)
    return {"wall": wall, "states": dict(states), "hosts": stats["hosts"], "requests": stats["requests"]}


def floor_seconds(syndication_requests: int, per_host: int, latency: float) -> float:
    return math.ceil(syndication_requests / per_host) * latency


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--mix", choices=("available", "mixed"), default="mixed", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args)
    latency = args.latency_ms / 1000
    lines = [
        f"`python bench/bench_tweets.py --tweets {args.tweets} --latency-ms {args.latency_ms:g} "
        f"--repeat {args.repeat} --per-host {args.per_host}`",
        "",
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, resolver at {git_head()}; `resolver tweet - --no-cache "
        f"--per-host {args.per_host} -c {args.concurrency}`, refs as status URLs on stdin.",
        "",
        "| set | tweets | wall s (median) | floor s | x floor | tweets/s | floor tweets/s "
        "| requests | requests / available tweet | states |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    notes = [""]
    for mix in ("available", "mixed"):
        with LocalWeb(args.tweets, args.latency_ms, mix) as web:
            runs = []
            for i in range(args.repeat):
                result = run_once(web, args.tweets, args.per_host, args.concurrency)
                log(f"{mix} run {i + 1}: {result['wall']:.2f} s, {result['requests']} requests")
                runs.append(result)
        wall = median([r["wall"] for r in runs])
        last = runs[-1]
        hosts = last["hosts"]
        syndication = hosts.get("cdn.syndication.twimg.com", 0)
        floor = floor_seconds(syndication, args.per_host, latency)
        available = last["states"].get("available", 0)
        # Requests spent on available tweets: their syndication requests. Every other host's
        # requests belong to unavailable tweets, which ask syndication once each too.
        unavailable = args.tweets - available
        per_available = (syndication - unavailable) / available if available else float("nan")
        states = ", ".join(f"{k} {v}" for k, v in sorted(last["states"].items(), key=lambda kv: -kv[1]))
        walls = ", ".join(f"{r['wall']:.2f}" for r in runs)
        lines.append(
            f"| {mix} | {args.tweets} | {wall:.2f} ({walls}) | {floor:.2f} | {wall / floor:.2f} | "
            f"{args.tweets / wall:.1f} | {args.tweets / floor:.1f} | {last['requests']} "
            f"| {per_available:.2f} | {states} |"
        )
        by_host = sorted(hosts.items(), key=lambda kv: -kv[1])
        notes.append(f"requests by host ({mix}): " + ", ".join(f"{h} {n}" for h, n in by_host))
    print("\n".join(lines + notes))
    return 0


def git_head() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
