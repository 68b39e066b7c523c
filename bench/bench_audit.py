"""Benchmark: auditing 10,000 articles citing 50,000 links (15,000 distinct URLs), 50 ms latency.

    python bench/bench_audit.py [--articles 10000] [--links-per-article 5] [--latency-ms 50]
        [--distinct 15000] [--hosts 1500] [--wayback on|off] [--seed 1] [--profile FILE]

`resolver audit DIR --format jsonl -o FILE --no-cache` (a real process, behind the local web's
proxy, HTTPS with the test CA) over a directory of generated news articles. Each article is a
few KB of HTML with its `article:published_time` (2010-2024) and 1-9 outbound links (5 on
average); the links are drawn from a pool of distinct URLs with Zipf-like sharing (every pool
URL cited at least once, popular ones by hundreds of articles) over hosts whose sizes are
skewed too. The local web (its own process) plays each URL's fate: mostly alive pages, some
301s to a new address (moved), 404 and 410 (dead), soft-404 pages, 5xx (server-error, retried
by the tool), short links (bit.ly, ow.ly, tinyurl.com, buff.ly) to alive pages, whole hosts
parked, catch-all (every path answers the same page), or gone from the DNS; and the Wayback
Machine's CDX and availability APIs, with captures for most links that are not alive.

Reported: wall time, articles/s and links/s (occurrences), requests served by the local web,
how many times each distinct URL was fetched (the target is once; retries of a 5xx and a short
link whose target is itself cited are counted apart), the tool's CPU time and the share of the
wall time it was not on a CPU (waiting on the network; target over 90%), its peak memory
(PSS, sampled at each quarter of the run) and the floor set by latency and limits (requests /
concurrency, per host / per_host, and the Wayback's CDX gate: one request at a time, one per
distinct URL not alive), plus the verdicts against what the web played. URLs of hosts gone
from the DNS are left out of the fetched-once count (the proxy answers for them, unlogged).
`--profile FILE` runs the tool under cProfile and prints the top entries by cumulative and by
own time, and own time per file and per layer (the profiler inflates the CPU figures ~1.5x).
`--keep DIR` keeps the corpus, the plan and the tool's output there.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import contextlib
import datetime as dt
import hashlib
import html
import itertools
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from localweb import WebProcess, clean_env, group_pss  # noqa: E402

#: Host families of the played web. Sites answer per URL; the others per host.
SITE = "site"
PARKED = "parked"
CATCH_ALL = "catch-all"
LOST = "lost"  #: gone from the DNS: the proxy cannot resolve it
SHORTENER = "shortener"
SHORTENER_HOSTS = ("bit.ly", "ow.ly", "tinyurl.com", "buff.ly")
#: Sites are `[www.]NAME0123.example`; lost hosts have a hyphen, so the pattern misses them.
SITE_PATTERN = r"(?:www\.)?[a-z]+\d{4}\.example"
CONTROL_HOST = "bench-control.example"
NAMES = (
    "daily", "times", "herald", "post", "gazette", "tribune", "news", "chronicle", "journal",
    "observer", "ministry", "agency", "blog", "report", "review", "monitor", "courier", "voice",
)  # fmt: skip

#: A cited URL's fate on a site host, and its share of the site URLs.
ALIVE = "alive"
MOVED = "moved"
NOT_FOUND = "404"
GONE = "410"
SOFT_404 = "soft-404"
SERVER_ERROR = "5xx"
SITE_FATES = (
    (ALIVE, 0.76),
    (MOVED, 0.08),
    (NOT_FOUND, 0.07),
    (GONE, 0.03),
    (SOFT_404, 0.03),
    (SERVER_ERROR, 0.03),
)
#: Share of hosts parked, catch-all, lost; share of the pool that is short links.
HOST_SHARES = {PARKED: 0.02, CATCH_ALL: 0.01, LOST: 0.015}
SHORT_SHARE = 0.03
#: Zipf exponent of the citations beyond the first of each URL (0.7: with the defaults the most
#: cited URL is in about 600 articles, and a quarter of the URLs are cited once).
ZIPF = 0.7
#: Share of the links not alive that the Wayback captured (1-3 captures each).
CAPTURED_SHARE = 0.7
#: What the audit should say of each fate (lost hosts: dead).
EXPECTED = {
    ALIVE: "alive", MOVED: "moved", NOT_FOUND: "dead", GONE: "dead", SOFT_404: "soft-404",
    SERVER_ERROR: "server-error", SHORTENER: "alive", PARKED: "parked", CATCH_ALL: "soft-404",
}  # fmt: skip
ALIVE_VERDICTS = frozenset({"alive", "moved"})
#: The tool's retries of a transient failure (`--retries`, default 2): a 5xx is asked 3 times.
RETRIES = 2

_TEXT = (
    "the minister said on tuesday that talks would resume after the offensive near the border "
    "where government troops backed by air strikes retook several villages according to officials "
    "and witnesses who spoke on condition of anonymity because they were not authorised to speak "
    "council budget vote delayed again as opposition walks out over spending plans and hospital "
    "waiting lists grew for a third month while the regulator opened an inquiry into prices"
)
_WORDS = _TEXT.split()


def log(message: str) -> None:
    print(f"[bench_audit] {message}", file=sys.stderr, flush=True)


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


# --- The corpus: a plan of hosts and URLs, and the articles citing them -------------------------------


@dataclass(slots=True)
class Cited:
    """One distinct URL the articles cite, with the fate the local web plays for it."""

    url: str
    host: str
    kind: str  #: the host's family
    fate: str  #: SITE_FATES for sites, else the host's family
    target: str | None = None  #: where a 301 or a short link leads
    captures: tuple[str, ...] = ()

    @property
    def expected(self) -> str:
        if self.kind == LOST:
            return "dead"  # the proxy's 502 says the name does not resolve (for CONNECT too)
        return EXPECTED[self.fate if self.kind == SITE else self.kind]

    @property
    def requests(self) -> int:
        """Requests to its own address when judged once (a persistent 5xx is retried)."""
        return 1 + RETRIES if self.fate == SERVER_ERROR else 1


@dataclass(slots=True)
class Plan:
    hosts: dict[str, str]
    cited: list[Cited]
    #: Per article: its publication date and the indexes of the URLs it cites, in order.
    articles: list[tuple[dt.date, list[int]]] = field(default_factory=list)

    @property
    def occurrences(self) -> int:
        return sum(len(links) for _, links in self.articles)

    def routes(self) -> dict[str, list[str | None]]:
        """`host+target` -> [fate, location] for every address the web answers one by one."""
        routes: dict[str, list[str | None]] = {}
        for c in self.cited:
            routes[_key(c.url)] = [c.fate, c.target]
            if c.target is not None and _key(c.target) not in routes:
                routes[_key(c.target)] = [ALIVE, None]
        return routes


def _key(url: str) -> str:
    return url.split("://", 1)[1]


def _path(rng: random.Random, day: dt.date, n: int) -> str:
    slug = "-".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 7)))
    form = n % 4
    if form == 0:
        return f"/{day:%Y/%m/%d}/{slug}-{n}"
    if form == 1:
        return f"/news/{rng.choice(('world', 'politics', 'business', 'local'))}/{n}.html"
    if form == 2:
        return f"/article.php?id={n}"
    return f"/{day:%Y}/{slug}/"


def make_plan(args: argparse.Namespace) -> Plan:
    rng = random.Random(args.seed)
    hosts: dict[str, str] = {}
    sites: list[str] = []
    for i in range(args.hosts):
        draw = rng.random()
        kind = SITE
        edge = 0.0
        for family, share in HOST_SHARES.items():
            edge += share
            if draw < edge:
                kind = family
                break
        name = f"{NAMES[i % len(NAMES)]}{i:04d}.example"
        host = f"lost-{name}" if kind == LOST else (f"www.{name}" if i % 3 == 0 else name)
        hosts[host] = kind
        sites.append(host)
    for host in SHORTENER_HOSTS:
        hosts[host] = SHORTENER
    # Host sizes are skewed (a few outlets are cited a lot): weight 1/sqrt(rank).
    host_cum = list(itertools.accumulate(1 / math.sqrt(r + 1) for r in range(len(sites))))
    start = dt.date(2008, 1, 1).toordinal()
    span = dt.date(2024, 12, 31).toordinal() - start
    cited: list[Cited] = []
    shorts = int(args.distinct * SHORT_SHARE)
    fates, weights = zip(*SITE_FATES, strict=True)
    for n in range(args.distinct - shorts):
        host = sites[bisect.bisect_left(host_cum, rng.random() * host_cum[-1])]
        kind = hosts[host]
        scheme = "http" if rng.random() < 0.25 else "https"
        day = dt.date.fromordinal(start + rng.randrange(span))
        url = f"{scheme}://{host}{_path(rng, day, 100_000 + n)}"
        fate = rng.choices(fates, weights)[0] if kind == SITE else kind
        target = f"https://{host}/archive{url.split(host, 1)[1]}" if fate == MOVED else None
        cited.append(Cited(url, host, kind, fate, target))
    alive = [c for c in cited if c.fate == ALIVE]
    for n in range(shorts):
        host = SHORTENER_HOSTS[n % len(SHORTENER_HOSTS)]
        code = "".join(
            rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(7)
        )
        # Half lead to a page the articles also cite, half to the same page with tracking
        # parameters (a URL of its own).
        to = rng.choice(alive).url
        if n % 2:
            to += ("&" if "?" in to else "?") + "utm_source=twitter&utm_medium=social"
        cited.append(Cited(f"https://{host}/{code}{n}", host, SHORTENER, SHORTENER, to))
    for c in cited:
        if c.expected not in ALIVE_VERDICTS and rng.random() < CAPTURED_SHARE:
            stamps = {
                dt.date.fromordinal(start + rng.randrange(span)).strftime("%Y%m%d")
                + f"{rng.randrange(24):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}"
                for _ in range(rng.randint(1, 3))
            }
            c.captures = tuple(sorted(stamps))
    plan = Plan(hosts, cited)
    # Occurrences: every URL once, the rest Zipf-like (weight 1/rank^ZIPF) over a shuffled pool.
    order = list(range(len(cited)))
    rng.shuffle(order)
    extra = args.articles * args.links_per_article - len(cited)
    cum = list(itertools.accumulate(1 / (r + 1) ** ZIPF for r in range(len(order))))
    draws = [order[bisect.bisect_left(cum, rng.random() * cum[-1])] for _ in range(max(0, extra))]
    pool = list(range(len(cited))) + draws
    rng.shuffle(pool)
    # Links per article: 5 on average (1-9 around the mean), summing to the pool exactly.
    per = args.links_per_article
    counts = [max(1, per + rng.randint(-min(per - 1, 4), min(per - 1, 4))) for _ in range(args.articles)]
    while sum(counts) != len(pool):
        i = rng.randrange(args.articles)
        if sum(counts) < len(pool):
            counts[i] += 1
        elif counts[i] > 1:
            counts[i] -= 1
    at = 0
    article_start = dt.date(2010, 1, 1).toordinal()
    article_span = dt.date(2024, 12, 31).toordinal() - article_start
    for count in counts:
        links: list[int] = []
        for _ in range(count):
            j = at
            # No URL twice in one article: swap in a later one that is not there yet.
            for _try in range(100):
                if pool[j] not in links:
                    break
                j = rng.randrange(at, len(pool))
            pool[at], pool[j] = pool[j], pool[at]
            links.append(pool[at])
            at += 1
        plan.articles.append((dt.date.fromordinal(article_start + rng.randrange(article_span)), links))
    return plan


def article_html(n: int, day: dt.date, urls: list[str], rng: random.Random) -> str:
    title = _sentence(rng, 5, 10).rstrip(".")
    paragraphs = [_sentence(rng) + " " + _sentence(rng) for _ in range(max(4, len(urls) + 2))]
    for k, url in enumerate(urls):
        words = paragraphs[k + 1].split(" ")
        at = rng.randrange(1, len(words))
        anchor = " ".join(words[at : at + 3])
        words[at : at + 3] = [f'<a href="{html.escape(url)}">{anchor}</a>']
        paragraphs[k + 1] = " ".join(words)
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>\n'
        f'<meta property="article:published_time" '
        f'content="{day.isoformat()}T{rng.randrange(24):02d}:00:00Z">\n'
        f'<meta name="description" content="{_sentence(rng)}"></head>\n<body><header><h1>{title}</h1>'
        f'<p class="byline">By Staff reporter, {day:%d %B %Y}</p></header>\n<article>\n{body}\n</article>\n'
        f"<footer>(c) The Bench Gazette, article {n}</footer></body></html>\n"
    )


def write_articles(plan: Plan, folder: Path, seed: int) -> tuple[int, dict[str, int]]:
    """The articles as files (`article-00000.html`, ...); returns their bytes and index by path."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    total = 0
    index: dict[str, int] = {}
    for n, (day, links) in enumerate(plan.articles):
        path = folder / f"article-{n:05d}.html"
        data = article_html(n, day, [plan.cited[i].url for i in links], rng).encode()
        path.write_bytes(data)
        total += len(data)
        index[str(path)] = n
    return total, index


# --- The local web (child process) -----------------------------------------------------------------


def _page(host: str, target: str) -> str:
    rng = random.Random(_seed(host + target))
    title = _sentence(rng, 5, 10).rstrip(".")
    paragraphs = "".join(f"<p>{_sentence(rng)} {_sentence(rng)}</p>\n" for _ in range(rng.randint(4, 9)))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | {host}</title>'
        f'<meta property="og:title" content="{title}"></head><body><nav><a href="/">Home</a> '
        f'<a href="/world">World</a></nav><article><h1>{title}</h1>\n{paragraphs}</article>'
        f"<footer>(c) {host}</footer></body></html>"
    )


def _soft_404(host: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Page not found | {host}</title></head>'
        f'<body><nav><a href="/">Home</a></nav><h1>Page not found</h1><p>Sorry, the page you were '
        f"looking for does not exist or has been removed.</p><footer>(c) {host}</footer></body></html>"
    )


def _parked(host: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{host} is for sale</title>'
        f'<script src="https://img1.wsimg.com/parking-lander/static/js/main.js"></script></head>'
        f"<body><h1>Buy this domain</h1><p>{host} is for sale. Inquire about this domain.</p></body></html>"
    )


def _catch_all(host: str) -> str:
    rng = random.Random(_seed(host))
    paragraphs = "".join(f"<p>{_sentence(rng)}</p>" for _ in range(5))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Welcome to {host}</title></head>'
        f"<body><h1>Latest stories</h1>{paragraphs}<footer>(c) {host}</footer></body></html>"
    )


def serve(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(REPO))
    from tests.web.model import Request, Response
    from tests.web.scenarios import NOT_FOUND as NOT_FOUND_PAGE
    from tests.web.scenarios import Web, error_response
    from tests.web.server import WebServer
    from tests.web.twitter import install_twitter

    data = json.loads(Path(args.plan).read_text())
    routes: dict[str, list[str | None]] = data["routes"]
    kinds: dict[str, str] = data["hosts"]
    web = Web(latency=args.latency_ms / 1000, log_limit=10_000)
    #: Requests per `host+target` of the bench's hosts, and per method.
    counts: collections.Counter[str] = collections.Counter()
    methods: collections.Counter[str] = collections.Counter()

    def answer(request: Request) -> Response:
        key = request.host + request.target
        counts[key] += 1
        methods[request.method] += 1
        kind = kinds.get(request.host)
        if kind == PARKED:
            return Response.html(_parked(request.host))
        route = routes.get(key)
        if route is None:  # a sibling probe, or an address no article cites
            return Response.html(_catch_all(request.host)) if kind == CATCH_ALL else NOT_FOUND_PAGE
        fate, target = route
        if kind == CATCH_ALL:
            return Response.html(_catch_all(request.host))
        if fate in (MOVED, SHORTENER):
            assert target is not None
            return Response.redirect(target, 301)
        if fate == NOT_FOUND:
            return NOT_FOUND_PAGE
        if fate == GONE:
            return error_response(410)
        if fate == SOFT_404:
            return Response.html(_soft_404(request.host))
        if fate == SERVER_ERROR:
            return error_response((500, 502, 503)[len(key) % 3])
        return Response.html(_page(request.host, request.target))

    def control(request: Request) -> Response:
        return Response.json({"counts": counts, "methods": methods})

    web.add_host(re.compile(SITE_PATTERN), answer)
    for host in SHORTENER_HOSTS:
        web.add_host(host, answer)
    web.add_host(CONTROL_HOST, control)
    tw = install_twitter(web)
    for url, stamps in data["captures"]:
        for stamp in stamps:
            tw.capture(url, stamp, "<html><head><title>captured</title></head><body>as it was</body></html>")
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    with tempfile.TemporaryDirectory(prefix="bench-audit-web-") as certs:
        server = WebServer(web, Path(certs), port=0).start()
        print(json.dumps({"proxy": server.proxy_url, "ca": str(server.ca_path)}), flush=True)
        done.wait()
        server.stop()
    return 0


class LocalWeb(WebProcess):
    """The local web in a child process (`--serve`), so its CPU is not the measured tool's."""

    def __init__(self, plan_file: Path, latency_ms: float) -> None:
        super().__init__(
            [sys.executable, __file__, "--serve", "--plan", str(plan_file), "--latency-ms", str(latency_ms)]
        )

    def counts(self) -> dict[str, Any]:
        """Requests per `host+target` of the bench's hosts (asked through the proxy)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": self.proxy}))
        with opener.open(f"http://{CONTROL_HOST}/counts", timeout=60) as response:
            data: dict[str, Any] = json.loads(response.read())
        return data


# --- Measuring the tool -----------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """User + system seconds of one process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int, name: str) -> int:
    with contextlib.suppress(OSError):
        m = re.search(rf"^{name}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
        if m:
            return int(m.group(1))
    return 0


class Sampler(threading.Thread):
    """Samples the tool's PSS, VmHWM and CPU every `interval` seconds until stopped."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.started = time.perf_counter()
        self.peak_pss = 0
        self.hwm_kb = 0
        #: (seconds since start, PSS bytes, CPU seconds)
        self.timeline: list[tuple[float, int, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            pss = group_pss(self.pid)
            self.hwm_kb = max(self.hwm_kb, _status_kb(self.pid, "VmHWM"))
            if pss:
                self.peak_pss = max(self.peak_pss, pss)
                self.timeline.append((time.perf_counter() - self.started, pss, process_cpu(self.pid)))
            self.stop.wait(self.interval)


@dataclass(slots=True)
class Run:
    wall: float
    cpu: float
    web_cpu: float
    maxrss_kb: int
    sampler: Sampler
    records: list[dict[str, Any]]
    stats_before: dict[str, Any]
    stats_after: dict[str, Any]
    counts: dict[str, int]
    methods: dict[str, int]
    stderr: str
    returncode: int
    #: The kernel's share of `cpu`: on loopback a send runs the receiver's TCP path and wakes
    #: the local web, in the sender's time, and more so the more the web sleeps (latency).
    sys_cpu: float = 0.0


def run_audit(web: LocalWeb, articles: Path, out: Path, args: argparse.Namespace) -> Run:
    env = clean_env()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = web.proxy
    env["SSL_CERT_FILE"] = web.ca
    tool = ["-m", "resolver", "audit", str(articles), "--format", "jsonl", "-o", str(out), "--no-cache"]
    tool += ["-c", str(args.concurrency), "--per-host", str(args.per_host), "--wayback", args.wayback]
    prefix = [sys.executable] + (["-m", "cProfile", "-o", args.profile] if args.profile else [])
    before = web.stats()
    counts_before = web.counts()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    web_before = process_cpu(web.pid)
    started = time.perf_counter()
    proc = subprocess.Popen(
        prefix + tool, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        _, err = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=30)
        raise RuntimeError(f"resolver audit did not finish in {args.timeout} s") from None
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    web_cpu = process_cpu(web.pid) - web_before
    sampler.stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):  # 1: dead links found, as expected
        raise RuntimeError(f"resolver audit exited {proc.returncode}: {err[-3000:]}")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    after = web.stats()
    counts_after = web.counts()
    counts = collections.Counter(counts_after["counts"])
    counts.subtract(counts_before["counts"])
    methods = collections.Counter(counts_after["methods"])
    methods.subtract(counts_before["methods"])
    counts[CONTROL_HOST + "/counts"] = 0
    return Run(
        wall=wall,
        cpu=(cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime),
        web_cpu=web_cpu,
        maxrss_kb=cpu_after.ru_maxrss,
        sampler=sampler,
        records=records,
        stats_before=before,
        stats_after=after,
        counts={k: v for k, v in counts.items() if v},
        methods={k: v for k, v in methods.items() if v},
        stderr=err,
        returncode=proc.returncode,
        sys_cpu=cpu_after.ru_stime - cpu_before.ru_stime,
    )


@dataclass(slots=True)
class PeerRun:
    wall: float
    cpu: float
    said: str


def run_peer(web: LocalWeb, urls: list[str], args: argparse.Namespace) -> PeerRun:
    """Fetch `urls` once each with bare httpx (same proxy, CA, limits): the HTTP stack's own CPU."""
    env = clean_env()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = web.proxy
    env["SSL_CERT_FILE"] = web.ca
    argv = [sys.executable, str(REPO / "bench" / "peer_httpx_fetch.py")]
    argv += ["--concurrency", str(args.concurrency), "--per-host", str(args.per_host)]
    log(f"bare httpx fetching the {len(urls)} distinct URLs")
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        argv, input="\n".join(urls), env=env, cwd=REPO, capture_output=True, text=True, timeout=args.timeout,
        check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    log(f"bare httpx: {wall:.1f} s, CPU {cpu:.1f} s, waiting {1 - cpu / wall:.1%}: {done.stdout.strip()}")
    return PeerRun(wall, cpu, done.stdout.strip())


# --- What the run should have done, and the floor --------------------------------------------------


@dataclass(slots=True)
class Expected:
    """Requests the plan calls for when every distinct URL is fetched once (plus 5xx retries)."""

    per_address: dict[str, int]  #: `host+target` -> requests
    per_host: collections.Counter[str]
    probes: int  #: hosts whose first deep page answers 200: one sibling probe each
    cdx: int  #: distinct URLs not alive: one CDX request lists each one's captures
    availability: int  #: availability API requests (only when the CDX API does not answer: none)
    pairs: int  #: distinct (URL, article date) pairs of links not alive: the memento look-ups
    slowest_chain: float  #: seconds: a 5xx's three tries and the backoff between them


def expected(plan: Plan, latency: float) -> Expected:
    per_address: dict[str, int] = collections.defaultdict(int)
    probed: set[str] = set()
    for c in plan.cited:
        per_address[_key(c.url)] += c.requests
        if c.target is not None:
            per_address[_key(c.target)] += 1
            if c.kind == SITE or c.kind == SHORTENER:
                probed.add(c.target.split("://", 1)[1].split("/", 1)[0])
        if c.kind in (PARKED, CATCH_ALL) or c.fate in (ALIVE, SOFT_404):
            probed.add(c.host)
    per_host: collections.Counter[str] = collections.Counter()
    for address, n in per_address.items():
        host = address.split("/", 1)[0]
        if plan.hosts.get(host) != LOST:
            per_host[host] += n
    for host in probed:
        per_host[host] += 1
    # Every link not alive gets the capture nearest its article's date; the URL's captures
    # are listed once (one CDX request) for all its dates (the links played end where cited).
    pairs: set[tuple[str, dt.date]] = set()
    for day, links in plan.articles:
        for i in links:
            if plan.cited[i].expected not in ALIVE_VERDICTS:
                pairs.add((plan.cited[i].url, day))
    urls = {url for url, _ in pairs}
    # The engine's backoff: 0.5 s then 1 s, each times a jitter of 0.5-1.5 (0.75 s at least).
    slowest = (1 + RETRIES) * latency + 0.75
    return Expected(dict(per_address), per_host, len(probed), len(urls), 0, len(pairs), slowest)


def floors(exp: Expected, args: argparse.Namespace, latency: float) -> dict[str, float]:
    requests = sum(exp.per_host.values())
    out = {
        "global": math.ceil(requests / args.concurrency) * latency,
        "per-host": max(math.ceil(n / args.per_host) for n in exp.per_host.values()) * latency,
        "slowest link": exp.slowest_chain,
    }
    if args.wayback == "on":
        # CDX one at a time, availability two at a time (resolver.wayback's gates).
        out["wayback"] = exp.cdx * latency + math.ceil(exp.availability / 2) * latency
    return out


# --- Reading the run --------------------------------------------------------------------------------


def analyse(plan: Plan, index: dict[str, int], run: Run, exp: Expected) -> dict[str, Any]:
    by_url = {c.url: c for c in plan.cited}
    verdicts = collections.Counter(r["verdict"] for r in run.records)
    outcomes = collections.Counter(r["outcome"] for r in run.records)
    mismatches: collections.Counter[tuple[str, str]] = collections.Counter()
    unknown = 0
    per_article: collections.Counter[int] = collections.Counter()
    wayback_found = 0
    for r in run.records:
        c = by_url.get(r["url"])
        n = index.get(r["article"])
        if c is None or n is None:
            unknown += 1
            continue
        per_article[n] += 1
        if r["verdict"] != c.expected:
            mismatches[(c.expected, r["verdict"])] += 1
        if r.get("wayback_url"):
            wayback_found += 1
    missing = sum(1 for n, (_, links) in enumerate(plan.articles) if per_article[n] != len(links))
    # Fetches per distinct cited URL, against what the plan calls for.
    short_targets: collections.Counter[str] = collections.Counter(
        _key(c.target) for c in plan.cited if c.kind == SHORTENER and c.target is not None
    )
    refetched = refetched_5xx = refetched_hop = unexpected = never = 0
    cited_requests = 0
    for c in plan.cited:
        if c.kind == LOST:
            continue
        key = _key(c.url)
        n = run.counts.get(key, 0)
        cited_requests += n
        if n == 0:
            never += 1
        if n > 1:
            refetched += 1
            if c.fate == SERVER_ERROR:
                refetched_5xx += 1
            elif short_targets[key]:
                refetched_hop += 1
        if n > c.requests + short_targets[key]:
            unexpected += 1
    cited_keys = {_key(c.url) for c in plan.cited}
    hop_keys = {_key(c.target) for c in plan.cited if c.target is not None} - cited_keys
    hops = sum(run.counts.get(k, 0) for k in hop_keys)
    hops_refetched = sum(1 for k in hop_keys if run.counts.get(k, 0) > 1)
    probe_keys = [k for k in run.counts if k not in cited_keys and k not in hop_keys]
    probes_per_host = collections.Counter(k.split("/", 1)[0] for k in probe_keys)
    hosts_after = run.stats_after["hosts"]
    hosts_before = run.stats_before["hosts"]

    def served(host: str) -> int:
        return hosts_after.get(host, 0) - hosts_before.get(host, 0)

    total = run.stats_after["requests"] - run.stats_before["requests"]
    return {
        "records": len(run.records),
        "records_expected": plan.occurrences,
        "records_unknown": unknown,
        "articles_with_wrong_record_count": missing,
        "verdicts": dict(verdicts.most_common()),
        "outcomes": dict(outcomes.most_common()),
        "verdict_mismatches": {f"{a} -> {b}": n for (a, b), n in mismatches.most_common()},
        "wayback_urls_in_records": wayback_found,
        "requests_total": total - 1,  # less the control request
        "requests_cited": cited_requests,
        "requests_hops": hops,
        "requests_probes": sum(probes_per_host.values()),
        "probe_hosts": len(probes_per_host),
        "probes_max_per_host": max(probes_per_host.values(), default=0),
        "probes_expected": exp.probes,
        "requests_cdx": served("web.archive.org"),
        "requests_availability": served("archive.org"),
        "cdx_expected": exp.cdx,
        "availability_expected": exp.availability,
        "wayback_lookups": exp.pairs,
        "tunnels": run.stats_after["connects"] - run.stats_before["connects"],
        "methods": run.methods,
        "distinct_cited": len(plan.cited),
        "distinct_cited_checked": sum(1 for c in plan.cited if c.kind != LOST),
        "cited_never_fetched": never,
        "cited_fetched_more_than_once": refetched,
        "of_which_5xx_retries": refetched_5xx,
        "of_which_short_link_target_also_cited": refetched_hop,
        "cited_fetched_more_than_expected": unexpected,
        "hop_targets": len(hop_keys),
        "hop_targets_fetched_more_than_once": hops_refetched,
    }


def print_profile(path: str, top: int = 30) -> None:
    """The top entries by cumulative and by own time, then own time summed per package."""
    import io
    import pstats

    for key in ("cumulative", "tottime"):
        buffer = io.StringIO()
        stats = pstats.Stats(path, stream=buffer)
        stats.sort_stats(key).print_stats(top)
        text = buffer.getvalue().replace(str(REPO) + "/", "").replace(sys.prefix + "/", "")
        start = text.find("   ncalls")
        print(f"\n### cProfile, top {top} by {key}\n\n```\n{text[start:].rstrip()}\n```")
    # Own time per area: the tool's modules one by one, the libraries by top-level package.
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(path).stats  # type: ignore[attr-defined]
    areas: collections.Counter[str] = collections.Counter()
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        areas[_area(filename, name)] += tottime
    # cProfile times with the wall clock: the event loop's wait in epoll is idle time, not work.
    idle = sum(v for k, v in areas.items() if _idle(k))
    busy = sum(areas.values()) - idle or 1.0
    rows = "\n".join(
        f"{seconds:8.2f} s {seconds / busy:6.1%}  {area}"
        for area, seconds in areas.most_common(40)
        if not _idle(area)
    )
    print(
        f"\n### cProfile, own time per area ({busy:.1f} s busy = 100%; {idle:.1f} s waiting in "
        f"select/epoll and on thread locks left out)\n\n```\n{rows}\n```"
    )
    layers: collections.Counter[str] = collections.Counter()
    for area, seconds in areas.items():
        if not _idle(area):
            layers[_layer(area)] += seconds
    rows = "\n".join(
        f"{seconds:8.2f} s {seconds / busy:6.1%}  {layer}" for layer, seconds in layers.most_common()
    )
    print(f"\n### cProfile, own time per layer\n\n```\n{rows}\n```")


def _idle(area: str) -> bool:
    return area.startswith("builtin") and ("select." in area or "acquire' of '_thread.lock" in area)


_LAYERS = (
    ("resolver/audit/signals.py", "resolver: page signals (signals.py: not-found, parked, bot-wall wording)"),
    ("resolver/", "resolver: everything else"),
    ("site-packages/httpx", "HTTP client: httpx"),
    ("site-packages/httpcore", "HTTP client: httpcore"),
    ("site-packages/h11", "HTTP client: h11"),
    ("site-packages/anyio", "HTTP client: anyio (sockets and TLS streams for httpcore)"),
    ("_ssl.", "TLS: OpenSSL calls (handshakes, reads, writes)"),
    ("stdlib/ssl", "TLS: OpenSSL calls (handshakes, reads, writes)"),
    ("stdlib/asyncio", "asyncio"),
    ("_asyncio.", "asyncio"),
    ("stdlib/re", "regular expressions (re)"),
    ("'re.", "regular expressions (re)"),
    ("stdlib/json", "json"),
    ("site-packages/", "other libraries"),
)


def _layer(area: str) -> str:
    for prefix, layer in _LAYERS:
        if area.startswith(prefix) or (prefix[0] in "_'" and prefix in area):
            return layer
    return "other (stdlib, builtins, imports)"


def _area(filename: str, name: str) -> str:
    if filename == "~":
        return f"builtin {name}"  # C functions: {method 'read' of ...}, select.epoll.poll, ...
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return "site-packages/" + parts[parts.index("site-packages") + 1]
    with contextlib.suppress(ValueError):
        return str(path.relative_to(REPO))
    for i, part in enumerate(parts):
        if part.startswith("python3"):
            rest = parts[i + 1 : i + 2]
            return "stdlib/" + (rest[0] if rest else path.name)
    return filename


def git_head() -> str:
    with contextlib.suppress(OSError):
        return subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    return "unknown"


def _timeline(sampler: Sampler, wall: float) -> Iterator[str]:
    """PSS at each quarter of the run (memory should stay flat as articles stream through)."""
    points = sampler.timeline
    if not points:
        return
    for quarter in (0.25, 0.5, 0.75, 1.0):
        at = min(points, key=lambda p: abs(p[0] - quarter * wall))
        yield f"{at[0]:.0f} s: {at[1] / 2**20:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--links-per-article", type=int, default=5)
    parser.add_argument("--distinct", type=int, help="distinct URLs (default: 30%% of the link occurrences)")
    parser.add_argument("--hosts", type=int, help="hosts (default: a tenth of the distinct URLs)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--wayback", choices=("on", "off"), default="on")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=7200.0, help="seconds before the run is abandoned")
    parser.add_argument("--profile", help="run the tool under cProfile, writing its stats to this file")
    parser.add_argument(
        "--peer",
        action="store_true",
        help="then fetch the same distinct URLs with bare httpx (bench/peer_httpx_fetch.py), for its CPU",
    )
    parser.add_argument("--keep", type=Path, help="write the corpus and the output here (kept)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args)
    explicit = {"distinct": args.distinct, "hosts": args.hosts, "seed": args.seed if args.seed != 1 else None}
    occurrences = args.articles * args.links_per_article
    args.distinct = args.distinct or max(1, round(occurrences * 0.3))
    args.hosts = args.hosts or max(10, args.distinct // 10)
    if args.distinct > occurrences:
        parser.error("--distinct cannot exceed the link occurrences")
    latency = args.latency_ms / 1000
    head = git_head()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    plan = make_plan(args)
    exp = expected(plan, latency)
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            workdir = args.keep
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-audit-")))
        articles = workdir / "articles"
        corpus_bytes, index = write_articles(plan, articles, args.seed)
        plan_file = workdir / "plan.json"
        captures = [[c.url, list(c.captures)] for c in plan.cited if c.captures]
        plan_file.write_text(json.dumps({"routes": plan.routes(), "hosts": plan.hosts, "captures": captures}))
        log(
            f"corpus: {len(plan.articles)} articles, {corpus_bytes / 2**20:.1f} MB, "
            f"{plan.occurrences} links, "
            f"{len(plan.cited)} distinct URLs on {len(plan.hosts)} hosts "
            f"({time.perf_counter() - started:.1f} s)"
        )
        with LocalWeb(plan_file, args.latency_ms) as web:
            log(f"local web at {web.proxy}; running resolver audit")
            run = run_audit(web, articles, workdir / "audit.jsonl", args)
            peer = run_peer(web, [c.url for c in plan.cited], args) if args.peer else None
        result = analyse(plan, index, run, exp)
    floor = floors(exp, args, latency)
    bound = max(floor.values())
    waiting = 1 - run.cpu / run.wall
    mb = 2**20
    fetched_once = (
        result["distinct_cited_checked"]
        - result["cited_fetched_more_than_once"]
        - result["cited_never_fetched"]
    )
    summary = {
        "wall_s": round(run.wall, 2),
        "articles_per_s": round(len(plan.articles) / run.wall, 1),
        "links_per_s": round(plan.occurrences / run.wall, 1),
        "distinct_urls_per_s": round(len(plan.cited) / run.wall, 1),
        "tool_cpu_s": round(run.cpu, 2),
        "tool_sys_s": round(run.sys_cpu, 2),
        "waiting_share": round(waiting, 4),
        "web_cpu_s": round(run.web_cpu, 2),
        "peak_pss_mb": round(run.sampler.peak_pss / mb, 1),
        "vm_hwm_mb": round(run.sampler.hwm_kb / 1024, 1),
        "ru_maxrss_mb": round(run.maxrss_kb / 1024, 1),
        "floor_s": {k: round(v, 2) for k, v in floor.items()},
        "x_floor": round(run.wall / bound, 2),
        "cited_fetched_exactly_once": fetched_once,
        "exit_code": run.returncode,
        **result,
    }
    log("summary: " + json.dumps(summary))
    log("tool said: " + run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "tool said nothing")
    command = (
        f"python bench/bench_audit.py --articles {args.articles} "
        f"--links-per-article {args.links_per_article} "
        f"--latency-ms {args.latency_ms:g} --wayback {args.wayback}"
        + "".join(f" --{name} {value}" for name, value in explicit.items() if value is not None)
        + (f" --profile {args.profile}" if args.profile else "")
    )
    floors_text = ", ".join(f"{k} {v:.1f}" for k, v in floor.items())
    lines = [
        f"`{command}`",
        "",
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, "
        f"resolver at {head}, load average {load_before:.2f} at start; `resolver audit DIR --format jsonl "
        f"-o FILE --no-cache -c {args.concurrency} --per-host {args.per_host} --wayback {args.wayback}`"
        + (" under cProfile" if args.profile else "")
        + ".",
        "",
        f"Corpus: {len(plan.articles)} articles ({corpus_bytes / mb:.0f} MB), {plan.occurrences} links, "
        f"{len(plan.cited)} distinct URLs on {len(plan.hosts)} hosts; seed {args.seed}.",
        "",
        "| wall s | floor s | x floor | articles/s | links/s | requests | CPU s (tool) | waiting share "
        "| peak PSS MB | CPU s (local web) |",
        "|" + " ---: |" * 10,
        f"| {run.wall:.1f} | {bound:.1f} | {run.wall / bound:.2f} | {len(plan.articles) / run.wall:.1f} "
        f"| {plan.occurrences / run.wall:.1f} | {result['requests_total']} | {run.cpu:.1f} | {waiting:.1%} "
        f"| {run.sampler.peak_pss / mb:.0f} | {run.web_cpu:.1f} |",
        "",
        f"- floor components (s): {floors_text}",
        f"- requests: {result['requests_cited']} to cited URLs, "
        f"{result['requests_hops']} to redirect targets, "
        f"{result['requests_probes']} sibling probes on {result['probe_hosts']} hosts (at most "
        f"{result['probes_max_per_host']} per host), {result['requests_cdx']} CDX (expected {exp.cdx}, "
        f"for {exp.pairs} look-ups of a URL at an article's date), "
        f"{result['requests_availability']} availability (expected {exp.availability}); "
        f"{result['tunnels']} tunnels",
        f"- distinct cited URLs checked: {result['distinct_cited_checked']}; "
        f"fetched exactly once: {fetched_once}; more than once: {result['cited_fetched_more_than_once']} "
        f"({result['of_which_5xx_retries']} 5xx retries, "
        f"{result['of_which_short_link_target_also_cited']} also the target of a short link); more than the "
        f"plan calls for: {result['cited_fetched_more_than_expected']}; "
        f"never: {result['cited_never_fetched']}",
        f"- records: {result['records']} of {result['records_expected']} "
        f"({result['articles_with_wrong_record_count']} articles with a wrong count); verdicts: "
        + ", ".join(f"{k} {v}" for k, v in result["verdicts"].items()),
        "- verdicts other than played: "
        + (", ".join(f"{k} {v}" for k, v in result["verdict_mismatches"].items()) or "none"),
        "- memory (PSS) over the run: " + ", ".join(_timeline(run.sampler, run.wall)),
        f"- the tool's CPU: {run.cpu - run.sys_cpu:.1f} s user, {run.sys_cpu:.1f} s system",
    ]
    if peer is not None:
        lines += [
            f"- bare httpx (`bench/peer_httpx_fetch.py`, the same {len(plan.cited)} distinct URLs once each, "
            f"same proxy, CA and limits, nothing but GET and read): {peer.wall:.1f} s, CPU {peer.cpu:.1f} s, "
            f"waiting {1 - peer.cpu / peer.wall:.1%}; {peer.said}",
        ]
    print("\n".join(lines))
    if args.profile:
        print_profile(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
