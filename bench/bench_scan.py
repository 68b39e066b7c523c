#!/usr/bin/env python3
"""Measure `resolver scan` against a plain lxml parse of the same corpus, and score its recall.

    python bench/gen_corpus.py --out bench/corpus --articles 2000 --seed 1
    python bench/bench_scan.py --corpus bench/corpus [--workers N] [--repeat R]

One run measures, on the same files and the same warm page cache:

1. the baseline: `lxml.html.document_fromstring` on every file, in this process, and in a
   multiprocessing pool of `max(N, 2)` workers (the fair comparison for a multi-core scan:
   the pool's start-up is part of its time, as it is of the scan's);
2. the library: `resolver.scan_many(paths, workers=1)` and `workers=N`, consumed to the end;
3. the CLI: `resolver scan DIR --format jsonl > /dev/null` as a subprocess.

It prints (stdout) a Markdown section ready to paste into bench/RESULTS.md: the exact command
line, the machine, a throughput table (MB/s with MB = 10^6 bytes, articles/s, time relative
to the baseline with the same number of workers, CPU seconds of the process tree and CPU use
= CPU seconds / wall / cores), and the recall of the library run against the corpus's
`*.truth.json` files (tweets found by ID, or by handle when the form shows no ID; short
links; plain status links), with what it reported that it should not have (decoys in
scripts, styles and comments, the tracking pixel, duplicates). Progress goes to stderr.

CPU time comes from `resource.getrusage`: RUSAGE_SELF for this process plus RUSAGE_CHILDREN
for the children it has waited for (pool workers once the pool is joined, the CLI once it
exits). Workers still alive at the end of a run are not counted; the script says so if any are.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml
import lxml.etree
import lxml.html
from lxml import etree

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # benchmark the working tree, not whatever else is installed

GENERATE_HINT = "python bench/gen_corpus.py --out {corpus} --articles 2000 --seed 1"


# ---------------------------------------------------------------------------------------------
# Timing


@dataclass(frozen=True, slots=True)
class Timing:
    label: str
    workers: int
    wall: float  #: seconds
    cpu: float  #: user + sys seconds of this process and the children it waited for
    articles: int
    size: int  #: bytes read
    baseline: str | None = None  #: label of the baseline this run is compared with


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(
    label: str, workers: int, repeat: int, run: Callable[[], int], size: int, baseline: str | None = None
) -> Timing:
    """Run `run` `repeat` times and keep the median wall time (with that run's CPU time)."""
    samples: list[tuple[float, float, int]] = []
    for i in range(repeat):
        gc.collect()
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        articles = run()
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        samples.append((wall, cpu, articles))
        alive = multiprocessing.active_children()
        if alive:
            print(
                f"  warning: {len(alive)} child processes still alive after {label}: their CPU time "
                "is not counted",
                file=sys.stderr,
            )
        print(
            f"  {label} (workers={workers}) run {i + 1}/{repeat}: {wall:.2f} s wall, {cpu:.2f} s CPU",
            file=sys.stderr,
        )
    wall, cpu, articles = sorted(samples)[len(samples) // 2]
    return Timing(label, workers, wall, cpu, articles, size, baseline)


def parse_file(path: str) -> int:
    """The baseline's unit of work: read the bytes and build the lxml tree."""
    data = Path(path).read_bytes()
    lxml.html.document_fromstring(data)
    return len(data)


#: A bare URL in text, as loosely as a minimal extractor would look for one.
_BARE_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/|t\.co/|bit\.ly/)[^\s<>\"']+")


def bare_links(path: str) -> int:
    """The least a link extractor does on a page: the baseline's parse, then each anchor's
    href, tag, line and text, and a regex over the body's text nodes. No classification, no
    records, no embeds, no signatures: a floor under any scan built on lxml in Python."""
    return _walk(lxml.html.document_fromstring(Path(path).read_bytes()))


def _walk(doc: lxml.html.HtmlElement) -> int:
    found = 0
    for el in doc.iter("a", "area"):
        href = el.get("href")
        if href:
            found += 1
            _ = (href, el.tag, el.sourceline, el.text)
    for text in doc.xpath("//body//text()"):
        if "/" in text:
            found += len(_BARE_URL.findall(text))
    return found


#: The attributes an embed can be known by on any element (a class, a data attribute): one
#: XPath, in C, as few as the issue's forms allow (resolver's `_EMBED_ATTRS` reads the same).
_EMBED_ATTRIBUTES = lxml.etree.XPath(
    "//@class | //@data-tweet-id | //@data-tweetid | //@data-embed-id | //@data-attrs"
)


def bare_links_and_embed_attributes(path: str) -> int:
    """`bare_links`, plus the one pass over the attributes embeds are known by (no finder run
    on what it returns): the two passes any scan for the issue's embed forms makes at least."""
    doc = lxml.html.document_fromstring(Path(path).read_bytes())
    return _walk(doc) + len(_EMBED_ATTRIBUTES(doc))


def bare_serial(paths: list[str], walk: Callable[[str], int] = bare_links) -> int:
    for path in paths:
        walk(path)
    return len(paths)


def baseline_serial(paths: list[str]) -> int:
    for path in paths:
        parse_file(path)
    return len(paths)


def baseline_pool(paths: list[str], workers: int) -> int:
    with multiprocessing.Pool(workers) as pool:
        done = sum(1 for _ in pool.imap_unordered(parse_file, paths, chunksize=8))
        pool.close()
        pool.join()  # reaped, so RUSAGE_CHILDREN counts the workers' CPU
    return done


def cli_command() -> list[str]:
    """`resolver` from this interpreter's environment, else the same entry point through -c."""
    script = Path(sys.executable).parent / "resolver"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from resolver.cli import main; sys.exit(main())"]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def cli_supports_workers() -> bool:
    try:
        out = subprocess.run(
            [*cli_command(), "scan", "--help"],
            capture_output=True,
            text=True,
            env=cli_env(),
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--workers" in out.stdout


def run_cli(argv: list[str], articles: int) -> int:
    with tempfile.TemporaryFile() as err:
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=err, env=cli_env(), check=False)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise SystemExit(
                f"error: the CLI exited with {proc.returncode}: {shlex.join(argv)}\n  " + "\n  ".join(tail)
            )
    return articles


# ---------------------------------------------------------------------------------------------
# Recall


def norm_url(url: str) -> str:
    """Compare URLs without their scheme, `www.`, host case or a trailing slash."""
    rest = url.split("://", 1)[-1]
    if rest.startswith("//"):
        rest = rest[2:]
    host, _, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{host}/{path}".rstrip("/")


@dataclass(slots=True)
class Score:
    truth: int = 0
    found: int = 0

    def add(self, truth: int, found: int) -> None:
        self.truth += truth
        self.found += found

    @property
    def recall(self) -> str:
        return f"{100 * self.found / self.truth:.1f}%" if self.truth else "n/a"


@dataclass(slots=True)
class Recall:
    tweets: Score = field(default_factory=Score)
    by_form: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_variant: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    forms: Score = field(default_factory=Score)  #: matched tweets whose form the scan named as the truth does
    handles: Score = field(default_factory=Score)  #: matched tweets whose handle the scan got right
    dates: Score = field(default_factory=Score)  #: matched tweets whose date the scan got right
    shorts: Score = field(default_factory=Score)
    shorts_by_where: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    shorts_missed_hosts: Counter[str] = field(default_factory=Counter)
    status: Score = field(default_factory=Score)
    noise: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    scanned: int = 0


def score_article(rec: Recall, truth: dict[str, Any], scan: Any) -> None:
    from resolver.models import LinkKind

    rec.scanned += 1
    decoy_ids = {d["tweet_id"] for d in truth["decoys"] if d["tweet_id"]}
    decoy_urls = {norm_url(d["url"]): d["kind"] for d in truth["decoys"] if d["url"]}
    status_ids = {s["id"] for s in truth["status_links"]}
    truth_ids = Counter(t["id"] for t in truth["tweets"] if t["id"])

    # Tweets: by ID first, then by handle for the forms that show none.
    unmatched = list(scan.tweets)
    pairs: list[tuple[dict[str, Any], Any]] = []
    for want in sorted(truth["tweets"], key=lambda t: t["id"] is None):
        hit = None
        for got in unmatched:
            if want["id"] is not None and got.id == want["id"]:
                hit = got
                break
            if (
                want["id"] is None
                and want["handle"]
                and got.handle
                and got.handle.lower() == want["handle"].lower()
                and got.id not in truth_ids
            ):
                hit = got
                break
        found = int(hit is not None)
        rec.tweets.add(1, found)
        rec.by_form[want["form"]].add(1, found)
        rec.by_variant[f"{want['form']} / {want['variant']}"].add(1, found)
        if hit is not None:
            unmatched.remove(hit)
            pairs.append((want, hit))
    for want, got in pairs:
        rec.forms.add(1, int(got.form == want["form"]))
        if want["handle"]:
            rec.handles.add(1, int((got.handle or "").lower() == want["handle"].lower()))
        if want["date"]:
            rec.dates.add(1, int(got.date is not None and got.date.isoformat() == want["date"]))
    for extra in unmatched:
        if extra.id in decoy_ids:
            rec.noise["decoy tweets reported (script, style, comment, JSON state)"] += 1
        elif extra.id in truth_ids:
            rec.noise["duplicate tweets (an embed reported twice)"] += 1
        elif extra.id is None:
            rec.noise["tweets reported without an ID, matching no truth tweet"] += 1
        elif extra.id in status_ids:
            rec.noise["prose status links reported as embedded tweets"] += 1
        else:
            rec.noise["other unexpected tweets"] += 1

    # Short links: the set of distinct URLs, compared without scheme.
    want_short = {norm_url(s["url"]): s for s in truth["short_links"]}
    got_short = {norm_url(lk.url) for lk in scan.links if lk.kind == LinkKind.SHORTENED}
    for key, s in want_short.items():
        found = int(key in got_short)
        rec.shorts.add(1, found)
        rec.shorts_by_where[s["where"] + (" (in a tweet)" if s["tweet"] is not None else "")].add(1, found)
        if not found:
            rec.shorts_missed_hosts[s["host"]] += 1
    for key in got_short - want_short.keys():
        kind = decoy_urls.get(key)
        rec.noise[f"decoy short links reported ({kind})" if kind else "other unexpected short links"] += 1
    for lk in scan.links:
        if "/i/adsct" in lk.url:
            rec.noise["tracking pixel reported as a link"] += 1

    # Plain status links in prose: found as links of kind `tweet`.
    got_status = {lk.status.id for lk in scan.links if lk.kind == LinkKind.TWEET and lk.status}
    for s in truth["status_links"]:
        rec.status.add(1, int(s["id"] in got_status))


# ---------------------------------------------------------------------------------------------
# Report


def md_table(header: list[str], rows: Iterable[list[str]], align: str) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def throughput_table(timings: list[Timing], cores: int) -> str:
    by_label = {t.label: t for t in timings}
    rows = []
    for t in timings:
        base = by_label.get(t.baseline) if t.baseline else None
        ratio = f"{t.wall / base.wall:.2f}x" if base else "1.00x"
        rows.append(
            [
                t.label,
                str(t.workers),
                f"{t.wall:.2f}",
                f"{t.size / 1e6 / t.wall:.1f}",
                f"{t.articles / t.wall:.0f}",
                ratio,
                f"{t.cpu:.2f}",
                f"{100 * t.cpu / t.wall / cores:.0f}%",
            ]
        )
    return md_table(
        [
            "run",
            "workers",
            "wall s",
            "MB/s",
            "articles/s",
            "time vs baseline",
            "CPU s",
            f"CPU use ({cores} cores)",
        ],
        rows,
        "lrrrrrrr",
    )


def recall_section(rec: Recall) -> str:
    def row(label: str, score: Score) -> list[str]:
        return [label, str(score.truth), str(score.found), score.recall]

    rows = [row("tweets (by ID; by handle where the form shows no ID)", rec.tweets)]
    rows += [row(f"  form: {form}", s) for form, s in sorted(rec.by_form.items())]
    rows.append(row("form named as in the truth, of matched tweets", rec.forms))
    rows.append(row("handle right, of matched tweets that show one", rec.handles))
    rows.append(row("date right, of matched tweets with a known date", rec.dates))
    rows.append(row("short links (distinct per article)", rec.shorts))
    rows += [row(f"  where: {w}", s) for w, s in sorted(rec.shorts_by_where.items())]
    rows.append(row("plain status links in prose (as `tweet` links)", rec.status))
    out = [md_table(["what", "truth", "found", "recall"], rows, "lrrr")]
    missed_variants = [(k, s) for k, s in sorted(rec.by_variant.items()) if s.found < s.truth]
    if missed_variants:
        out.append(
            "\nVariants with misses: "
            + ", ".join(f"`{k}` {s.found}/{s.truth}" for k, s in missed_variants)
            + "."
        )
    if rec.shorts_missed_hosts:
        missed = sorted(rec.shorts_missed_hosts.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append("\nShort links missed, by host: " + ", ".join(f"{h} {n}" for h, n in missed) + ".")
    noise_rows = [[k, str(v)] for k, v in sorted(rec.noise.items())] or [["(nothing)", "0"]]
    noise_rows.append(["articles that failed (ScanFailure)", str(len(rec.failures))])
    out.append("\n" + md_table(["reported but should not be", "count"], noise_rows, "lr"))
    if rec.failures:
        out.append("\nFirst failures: " + "; ".join(rec.failures[:5]))
    return "\n".join(out)


def machine_line() -> str:
    try:
        commit = (
            subprocess.run(
                ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            or "no commit"
        )
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "resolver"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit, dirty = "unknown", ""
    try:
        import resolver

        version = resolver.__version__
    except ImportError:
        version = "?"
    return (
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, "
        f"lxml {'.'.join(map(str, etree.LXML_VERSION[:3]))} (libxml2 "
        f"{'.'.join(map(str, etree.LIBXML_VERSION))}), resolver {version} at {commit}"
        f"{' + uncommitted changes' if dirty else ''}"
    )


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=Path("bench/corpus"), help="folder of NNNN.html files")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="workers for the multi-process runs (default: the number of cores)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="run each measurement R times, keep the median")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    parser.add_argument("--baseline-only", action="store_true", help="measure only the lxml baseline")
    parser.add_argument("--skip-cli", action="store_true", help="do not run the CLI")
    args = parser.parse_args(argv)
    command = shlex.join(["python", "bench/bench_scan.py", *(argv if argv is not None else sys.argv[1:])])
    if args.workers < 1 or args.repeat < 1:
        parser.error("--workers and --repeat must be at least 1")

    paths = sorted(str(p) for p in args.corpus.glob("*.html"))
    if args.limit:
        paths = paths[: args.limit]
    if not paths:
        print(
            f"error: no *.html files in {args.corpus}; generate the corpus first:\n  "
            + GENERATE_HINT.format(corpus=args.corpus),
            file=sys.stderr,
        )
        return 2

    scan_many = None
    if not args.baseline_only:
        import resolver

        scan_many = getattr(resolver, "scan_many", None)
        if scan_many is None:
            print(
                "error: resolver.scan_many does not exist yet, so there is nothing to measure against "
                "the baseline.\n  Run with --baseline-only to measure the lxml baseline alone.",
                file=sys.stderr,
            )
            return 2

    load = os.getloadavg()[0]
    if load > 0.5:
        print(
            f"warning: the load average is {load:.2f}: other processes are using the CPU, so the timings "
            "will be slower and noisier than on a quiet machine",
            file=sys.stderr,
        )
    size = sum(os.path.getsize(p) for p in paths)
    cores = os.cpu_count() or 1
    pool_workers = max(args.workers, 2)
    print(f"{len(paths)} articles, {size / 1e6:.1f} MB; warming the page cache", file=sys.stderr)
    for p in paths:
        Path(p).read_bytes()

    timings = [
        measure("baseline: lxml parse", 1, args.repeat, lambda: baseline_serial(paths), size),
        measure(
            "baseline: lxml parse, process pool",
            pool_workers,
            args.repeat,
            lambda: baseline_pool(paths, pool_workers),
            size,
        ),
    ]
    base_for = {1: "baseline: lxml parse", pool_workers: "baseline: lxml parse, process pool"}
    timings.append(
        measure(
            "floor: lxml parse + bare link walk (no records)",
            1,
            args.repeat,
            lambda: bare_serial(paths),
            size,
            base_for[1],
        )
    )
    timings.append(
        measure(
            "floor: the same + one pass over embed attributes",
            1,
            args.repeat,
            lambda: bare_serial(paths, bare_links_and_embed_attributes),
            size,
            base_for[1],
        )
    )

    rec = Recall()
    if scan_many is not None:
        results: list[Any] = []  # the first run's results, for the recall

        def run_scan(workers: int) -> int:
            keep = not results
            n = 0
            for result in scan_many(paths, workers=workers):
                n += 1
                if keep:
                    results.append(result)
            return n

        for w in sorted({1, args.workers}):
            timings.append(
                measure(
                    "resolver.scan_many",
                    w,
                    args.repeat,
                    lambda w=w: run_scan(w),
                    size,
                    base_for.get(w, base_for[pool_workers]),
                )
            )
        score_results(rec, results, paths)

    if scan_many is not None and not args.skip_cli:
        argv_cli = [*cli_command(), "scan", str(args.corpus), "--format", "jsonl"]
        cli_workers = 1
        if cli_supports_workers():
            argv_cli += ["--workers", str(args.workers)]
            cli_workers = args.workers
        label = "CLI: resolver scan --format jsonl > /dev/null"
        timings.append(
            measure(
                label,
                cli_workers,
                args.repeat,
                lambda: run_cli(argv_cli, len(paths)),
                size,
                base_for.get(cli_workers, base_for[pool_workers]),
            )
        )
        cli_line = shlex.join(argv_cli) + " > /dev/null"
    else:
        cli_line = ""

    print(f"### Scan throughput: {len(paths)} articles, {size / 1e6:.1f} MB ({args.corpus})\n")
    print(f"```\n{command}\n```\n")
    if cli_line:
        print(f"CLI run as: `{cli_line}`\n")
    print(f"Machine: {machine_line()}; {time.strftime('%Y-%m-%d')}; load average {load:.2f} at start.\n")
    print(throughput_table(timings, cores))
    print(
        "\n`time vs baseline`: wall time over the lxml parse with the same number of workers (the pool "
        f"of {pool_workers} for every multi-worker run). CPU use: CPU seconds of the process tree / wall / "
        f"{cores} cores."
    )
    if scan_many is not None:
        print(f"\n#### Recall of `resolver.scan_many` against the truth files ({rec.scanned} articles)\n")
        print(recall_section(rec))
    return 0


def score_results(rec: Recall, results: list[Any], paths: list[str]) -> None:
    by_name = {Path(p).name: p for p in paths}
    seen: set[str] = set()
    for result in results:
        name = Path(result.article).name
        path = by_name.get(name)
        if path is None:
            continue
        seen.add(name)
        if not hasattr(result, "tweets"):  # a ScanFailure
            rec.failures.append(f"{name}: {getattr(result, 'reason', result)}")
            continue
        truth_path = Path(path).with_suffix(".truth.json")
        if truth_path.exists():
            score_article(rec, json.loads(truth_path.read_text(encoding="utf-8")), result)
    missing = len(by_name) - len(seen)
    if missing:
        rec.failures.append(f"{missing} articles got no result at all")


if __name__ == "__main__":
    sys.exit(main())
