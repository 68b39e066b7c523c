"""Benchmark: archiving 100 articles citing 20 links each (2,000 pages of 50-500 KB, 50 ms latency).

    python bench/bench_archive.py [--articles 100] [--links 20] [--latency-ms 50] [--repeat 1]

`resolver archive DIR --no-tweets --no-wayback --no-cache` (a real process, behind the local
web's proxy) over a directory of generated articles, each citing `links` pages spread over
many hosts; every page is 50-500 KB of news-like HTML (deterministic per URL, with no
subresources, so that one page is one request). Reported, against the floor set by latency
and the limits (N pages, at most `concurrency` requests in flight and `per_host` per host,
each at least the latency): pages archived per second, MB/s of pages fetched and of files
written, and the peak memory (PSS) of the tool's processes.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from localweb import clean_env, group_pss  # noqa: E402

HOSTS = 200
_TEXT = (
    "the minister said on tuesday that talks would resume after the offensive near aleppo where "
    "government troops backed by air strikes retook several villages according to officials and "
    "witnesses who spoke on condition of anonymity because they were not authorised to speak"
)
WORDS = _TEXT.split()


def log(message: str) -> None:
    print(f"[bench_archive] {message}", file=sys.stderr, flush=True)


def page_size(path: str) -> int:
    """50-500 KB, fixed per URL."""
    seed = int(hashlib.sha256(path.encode()).hexdigest()[:8], 16)
    return 50_000 + seed % 450_001


def page_body(host: str, path: str) -> bytes:
    size = page_size(host + path)
    seed = int(hashlib.sha256((host + path).encode()).hexdigest()[:8], 16)
    head = (
        f"<!DOCTYPE html><html><head><meta charset=utf-8><title>Story {path} on {host}</title>"
        f'<meta property="article:published_time" content="2015-10-21T10:00:00Z"></head><body>'
        f"<nav><a href=/>Home</a> <a href=/world>World</a></nav><article><h1>Story {path}</h1>"
    )
    parts = [head]
    total = len(head)
    n = seed
    while total < size - 40:
        n = (n * 1103515245 + 12345) & 0x7FFFFFFF
        sentence = " ".join(WORDS[(n + i * 7) % len(WORDS)] for i in range(12 + n % 20))
        piece = f"<p>{sentence.capitalize()}.</p>\n"
        parts.append(piece)
        total += len(piece)
    parts.append("</article><footer>(c) news</footer></body></html>")
    return "".join(parts).encode()


# --- The local web (child process) -----------------------------------------------------------------


def serve(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(REPO))
    from tests.web.model import Response
    from tests.web.scenarios import Web
    from tests.web.server import WebServer

    web = Web(latency=args.latency_ms / 1000, log_limit=10_000)

    def page(request: Any) -> Response:
        return Response(
            200, (("Content-Type", "text/html; charset=utf-8"),), page_body(request.host, request.path)
        )

    web.add_host(re.compile(r"p\d+-bench\.example"), page)
    server = WebServer(web, Path(tempfile.mkdtemp(prefix="bench-archive-")), port=0).start()
    print(json.dumps({"proxy": server.proxy_url, "ca": str(server.ca_path)}), flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()
    return 0


def stats(proxy: str) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{proxy}/_web/stats", timeout=30) as response:
        return json.loads(response.read())


# --- Memory -------------------------------------------------------------------------------------------


class PeakMemory(threading.Thread):
    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True)
        self.pgid = pgid
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, group_pss(self.pgid))
            time.sleep(0.1)


# --- One run ------------------------------------------------------------------------------------------


def write_articles(folder: Path, articles: int, links: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for a in range(articles):
        urls = [f"http://p{(a * links + k) % HOSTS}-bench.example/story/{a}-{k}" for k in range(links)]
        body = "<html><body><h1>Article</h1>" + "".join(
            f'<p><a href="{u}">source {k}</a></p>' for k, u in enumerate(urls)
        )
        (folder / f"article-{a:04d}.html").write_text(body + "</body></html>", encoding="utf-8")
        total += sum(page_size(u.split("//", 1)[1].split("/", 1)[0] + "/" + u.split("/", 3)[3]) for u in urls)
    return total


def folder_bytes(folder: Path) -> int:
    return sum(
        p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file() and ".archive" in str(p.relative_to(folder))
    )


def run_once(proxy: str, ca: str, workdir: Path, args: argparse.Namespace, web_pid: int) -> dict[str, Any]:
    articles = workdir / "articles"
    shutil_rmtree(articles)
    page_bytes = write_articles(articles, args.articles, args.links)
    env = clean_env()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = proxy
    env["SSL_CERT_FILE"] = ca
    argv = [sys.executable, "-m", "resolver", "archive", str(articles), "--no-cache", "--no-tweets"]
    argv += ["--no-wayback", "-f", "jsonl", "-c", str(args.concurrency), "--per-host", str(args.per_host)]
    before = stats(proxy)["requests"]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    web_before = process_cpu(web_pid)
    started = time.perf_counter()
    pipe = subprocess.PIPE
    proc = subprocess.Popen(
        argv, env=env, cwd=REPO, stdout=pipe, stderr=pipe, text=True, start_new_session=True
    )
    watcher = PeakMemory(proc.pid)
    watcher.start()
    out, err = proc.communicate(timeout=3600)
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    web_cpu = process_cpu(web_pid) - web_before
    watcher.stop.set()
    watcher.join()
    if proc.returncode != 0:
        raise RuntimeError(f"resolver archive exited {proc.returncode}: {err[-2000:]}")
    results = [json.loads(line) for line in out.splitlines() if line.strip()]
    archived = sum(r["archived"] for r in results)
    failed = sum(r["failed"] for r in results)
    requests = stats(proxy)["requests"] - before
    return {
        "wall": wall,
        "archived": archived,
        "failed": failed,
        "requests": requests,
        "page_bytes": page_bytes,
        "written": folder_bytes(articles),
        "peak": watcher.peak,
        # The tool's CPU (its worker processes included) and the local web's, in the same run.
        "cpu": (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime),
        "web_cpu": web_cpu,
    }


def process_cpu(pid: int) -> float:
    """User + system seconds of one process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def shutil_rmtree(path: Path) -> None:
    import shutil

    if path.exists():
        shutil.rmtree(path)


def git_head() -> str:
    with contextlib.suppress(OSError):
        return subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--links", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args)
    pages = args.articles * args.links
    latency = args.latency_ms / 1000
    # N pages, each one request of at least the latency, at most `concurrency` in flight (and
    # per host `per_host`: with HOSTS hosts the global limit is the tighter one here).
    slots = min(args.concurrency, HOSTS * args.per_host)
    floor = math.ceil(pages / slots) * latency
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--latency-ms", str(args.latency_ms)],
        cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True, env=clean_env(),
    )  # fmt: skip
    try:
        assert child.stdout is not None
        info = json.loads(child.stdout.readline())
        runs = []
        with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
            for i in range(args.repeat):
                result = run_once(info["proxy"], info["ca"], Path(tmp), args, child.pid)
                log(f"run {i + 1}: {result}")
                runs.append(result)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=20)
    best = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
    mb = 1024 * 1024
    print(
        "\n".join(
            [
                f"`python bench/bench_archive.py --articles {args.articles} --links {args.links} "
                f"--latency-ms {args.latency_ms:g} --repeat {args.repeat}`",
                "",
                f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
                f"{platform.python_version()}, resolver at {git_head()}; `resolver archive DIR --no-cache "
                f"--no-tweets --no-wayback -c {args.concurrency} --per-host {args.per_host}`.",
                "",
                "| pages | wall s | floor s | x floor | pages/s | floor pages/s | requests | MB fetched "
                "| MB/s fetched | MB written | MB/s written | peak memory MB | CPU s (tool) "
                "| CPU s (local web) |",
                "|" + " ---: |" * 14,
                f"| {best['archived']} | {best['wall']:.2f} | {floor:.2f} | {best['wall'] / floor:.2f} | "
                f"{best['archived'] / best['wall']:.1f} | {pages / floor:.1f} | {best['requests']} | "
                f"{best['page_bytes'] / mb:.0f} | {best['page_bytes'] / mb / best['wall']:.1f} | "
                f"{best['written'] / mb:.0f} | {best['written'] / mb / best['wall']:.1f} | "
                f"{best['peak'] / mb:.0f} | {best['cpu']:.1f} | {best['web_cpu']:.1f} |",
            ]
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
