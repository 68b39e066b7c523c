"""Archiving what an article cites, beside the article: `resolver archive`.

For `path/to/story.html` the folder `path/to/story.archive/` (layout in the README):

    manifest.json, manifest.schema.json, index.html, story.html
    runs/RUN/capture.warc.gz, capture.cdxj, SHA256SUMS, sources/, tweets/, media/

One run, for one article:

1. Scan the article (links, tweets); read the manifest of earlier runs, if any. If the last
   run was interrupted, this run completes it: only what it had not committed is fetched.
2. Each distinct link is an *item*: its whole chain is expanded by the expansion engine with
   a `Recorder` attached, so every hop's request and response is kept (raw bodies spooled to
   disk, bounded); the page it ends on is turned into a readable copy (`readable.py`) with
   its images and stylesheets fetched and saved beside it (the stylesheets rewritten to load
   only the fonts and images saved with them; a resource many pages use is fetched once in
   the process, and each folder gets its own copy of it); a non-HTML target is saved as it is; a
   failure gets the Wayback's capture nearest the article's date. A page (or a redirect hop)
   cited by several articles is fetched once in the process too, and each of them writes its
   exchanges into its own WARC and makes its own copies of it (`_SharedPages`).
3. The tweets (`resolver.twitter`): each record as JSON, a card, its media downloaded.
4. Each item is *committed* on its own: its WARC records written to a part file (atomic), its
   copies written (atomic), then the manifest rewritten (atomic, at most once a second). A
   SIGKILL at any moment leaves committed items whole and uncommitted ones absent.
5. At the end of the run: the parts joined into `capture.warc.gz`, a CDXJ index, SHA256SUMS,
   the views (index.html, story.html with Robust Links), optionally a WACZ.

Never overwrite: a run is a new folder; a payload identical to an earlier run's is written as a
`revisit` record, and its copies are those of the earlier run.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from cache import NullStore, Store
from resolver import __version__, fsutil
from resolver.archive import names
from resolver.archive.jobs import (
    READABLE_LIMIT,
    SheetBody,
    clean_stylesheets_job,
    page_job,
    read_decoded,
    readable_job,
    stylesheet_urls_job,
)
from resolver.archive.recorder import Recorder
from resolver.archive.warc import Exchange, RecordRef, Revisit
from resolver.bodies import decoder_for_encoding
from resolver.errors import ResolverError
from resolver.expander.engine import Expander, ExpandOptions
from resolver.expander.limits import Limits
from resolver.fetch import Fetcher
from resolver.fsutil import atomic_write_bytes
from resolver.inputs import local_path
from resolver.models import ArticleScan, EmbeddedTweet, Expansion, Link, LinkKind, TweetEmbed
from resolver.net import ClientFactory, NetConfig
from resolver.procs import exit_with_parent
from resolver.report import json_bytes
from resolver.twitter.recover import Recoverer, TweetOptions
from resolver.wayback import AVAILABILITY_CONCURRENCY, CDX_CONCURRENCY, CDX_GATE, REPLAY_CONCURRENCY, nearest

T = TypeVar("T")
E = TypeVar("E")

MANIFEST = "manifest.json"
SCHEMA_FILE = "manifest.schema.json"
MANIFEST_VERSION = 1
#: The manifest's own SHA-256, its last member (`manifest_bytes`): nothing else covers
#: manifest.json (each run's SHA256SUMS is written before it), and a byte changed inside one of
#: its strings (a verdict, a URL, a date) leaves valid JSON that no file hash contradicts.
MANIFEST_DIGEST = "manifest_sha256"
#: The manifest as written: `json_bytes(manifest, indent=1)` (which ends in "\n}"), the digest
#: of those bytes spliced in as the last member. `resolver verify` undoes the splice and hashes.
_DIGEST_TRAILER = re.compile(rb',\n "' + MANIFEST_DIGEST.encode() + rb'": "([0-9a-f]{64})"\n\}\n?\Z')
#: The manifest is rewritten at most this often while a run commits items (and at the end).
MANIFEST_INTERVAL = 1.0
#: Articles archived at once (their links share the run's limits).
ARTICLE_WINDOW = 4
_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Raw bodies of resources kept in the spool once every page that used them is committed, so
#: that a later page (of any article of the process) naming the same stylesheet finds it
#: without a second request; beyond this, the least recently used go (and are fetched again
#: if named again). Images and fonts need none of it: they are copied from the first folder
#: that saved them.
SHARED_SPOOL = 64 * 1024 * 1024
#: Pages (their chains' exchanges) kept once no link holds them, at most: as many as the
#: expansion engine remembers (`ExpandOptions.memo_size`); a URL it has forgotten it fetches
#: again anyway. A redirect's empty body weighs nothing against `SHARED_SPOOL`: this bounds them.
SHARED_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class ArchiveOptions:
    """How a run archives. The defaults are the CLI's."""

    out: Path | None = None  #: where NAME.archive/ goes (default: beside the article)
    concurrency: int = 32
    per_host: int = 4
    timeout: float = 60.0  #: seconds per request, the body included
    retries: int = 2
    max_body: int = 50 * 1024 * 1024  #: a page or file body is cut (and marked truncated) beyond this
    max_media: int = 512 * 1024 * 1024  #: the same for tweet media (videos)
    resources: bool = True  #: save the images and stylesheets of each page
    max_resources: int = 40  #: per page
    tweets: bool = True
    wayback: bool = True  #: ask the Wayback for the capture nearest the article's date, for failures
    wacz: bool = False
    allow_private: bool = False
    tweet_options: TweetOptions = field(default_factory=TweetOptions)


@dataclass(frozen=True, slots=True)
class ArchiveResult:
    """What one run did for one article."""

    article: str
    folder: Path
    run: str
    links: int  #: distinct links archived in this run
    archived: int  #: of which a copy or a tweet stop was kept
    failed: int
    skipped: int  #: already committed by the interrupted run this one completed
    tweets: int
    bytes: int
    resumed: str | None = None  #: the interrupted run completed, if any

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "folder": str(self.folder),
            "run": self.run,
            "links": self.links,
            "archived": self.archived,
            "failed": self.failed,
            "skipped": self.skipped,
            "tweets": self.tweets,
            "bytes": self.bytes,
            "resumed": self.resumed,
        }


def folder_for(source: str, out: Path | None) -> Path:
    """`path/to/story.html` -> `path/to/story.archive` (or `OUT/story.archive`); a URL -> a
    sanitised name from the URL, in OUT or the current directory."""
    if "://" in source:
        name = names.url_filename(source, ext=None)
        return (out or Path.cwd()) / f"{name}.archive"
    if source == "-":
        return (out or Path.cwd()) / "stdin.archive"
    path = Path(source)
    stem = names.safe_filename(path.stem or path.name, default="article")
    return (out or path.parent) / f"{stem}.archive"


def _own_folder(folder: Path, source: str, claimed: dict[Path, str]) -> Path:
    """`folder`, unless it holds another article's archive (two `story.html` of different
    folders archived into one `--out`), on disk or claimed by this process: then a name of
    its own, stable for this source."""
    other = claimed.get(folder)
    if other is None:
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            other = manifest["article"]["source"]
        except (OSError, ValueError, KeyError, TypeError):
            return folder
    if other in (None, source) or _same_file(other, source):
        return folder
    tag = hashlib.sha256(os.path.abspath(source).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return folder.with_name(f"{folder.name.removesuffix('.archive')}-{tag}.archive")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def new_run_id(folder: Path, now: dt.datetime) -> str:
    base = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    run_id, n = base, 1
    while (folder / "runs" / run_id).exists():
        n += 1
        run_id = f"{base}-{n}"
    return run_id


class Archiver:
    """One process's archiving: network clients, limits and the recorder, for many articles."""

    def __init__(
        self,
        options: ArchiveOptions | None = None,
        *,
        config: NetConfig | None = None,
        store: Store | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        spool: Path | None = None,
    ) -> None:
        self.options = options or ArchiveOptions()
        self.config = config or NetConfig(timeout=self.options.timeout)
        self.store: Store = store if store is not None else NullStore()
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._spool_root = spool
        self._spool_tmp: Any = None
        self.factory = ClientFactory(self.config, per_host=self.options.per_host)
        self.recorder: Recorder | None = None
        self.expander: Expander | None = None
        self.fetcher: Fetcher | None = None
        self.lookups: Fetcher | None = None
        self.recoverer: Recoverer | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._folders: dict[Path, str] = {}  #: archive folders of this process, and their article
        self.shared: _SharedResources | None = None
        self.pages: _SharedPages | None = None

    async def cpu(self, function: Callable[..., T], *args: Any) -> T:
        """Run CPU-bound work (parsing pages, making readable copies) in worker processes, so
        that both cores work and the event loop keeps the network busy meanwhile."""
        if self._pool is None:
            import multiprocessing

            # forkserver: the workers start from a clean process, not a fork of this one and
            # its threads. Started on the first page: a run with no HTML page starts none.
            context = multiprocessing.get_context("forkserver") if os.name == "posix" else None
            if context is not None:
                # The workers fork from a forkserver that has imported what the jobs need
                # (lxml, the readable-copy code; `jobs` and nothing else of the tool), once,
                # and share those pages with it instead of each importing them again.
                context.set_forkserver_preload(["resolver.archive.jobs", "resolver.archive.readable"])
            self._pool = ProcessPoolExecutor(
                max_workers=os.cpu_count() or 1,
                mp_context=context,
                initializer=exit_with_parent if os.name == "posix" else None,
                initargs=(os.getpid(),) if os.name == "posix" else (),
            )
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    async def __aenter__(self) -> Archiver:
        import tempfile

        options = self.options
        self.factory.prepare()
        if self._spool_root is None:
            self._spool_tmp = tempfile.TemporaryDirectory(prefix="resolver-spool-")
            spool = Path(self._spool_tmp.name)
        else:
            spool = self._spool_root
        self.recorder = Recorder(spool, max_body=options.max_body)
        limits = Limits(
            options.concurrency,
            options.per_host,
            gate_limits={
                CDX_GATE: CDX_CONCURRENCY,
                "web.archive.org": REPLAY_CONCURRENCY,
                "archive.org": AVAILABILITY_CONCURRENCY,
            },
        )
        # Archiving reads whole bodies: the per-request deadline covers the body, and the
        # link's deadline its hops; the expansion cache is not read (every hop must be
        # fetched to be recorded).
        self.expander = Expander(
            ExpandOptions(
                concurrency=options.concurrency,
                per_host=options.per_host,
                timeout=options.timeout,
                link_timeout=max(options.timeout * 4, 60.0),
                retries=options.retries,
                max_body=options.max_body,
                allow_private=options.allow_private,
            ),
            config=self.config,
            store=NullStore(),
            factory=self.factory,
            recorder=self.recorder,
            limits=limits,
        )
        await self.expander.__aenter__()
        self.fetcher = Fetcher(
            self.factory, limits, timeout=options.timeout, retries=options.retries, recorder=self.recorder
        )
        self.lookups = Fetcher(
            self.factory, limits, timeout=min(options.timeout, 30.0), retries=options.retries
        )
        self.shared = _SharedResources(self.fetcher, self.recorder, spool / "shared")
        self.pages = _SharedPages(self.recorder, spool / "pages")
        if options.tweets:
            self.recoverer = Recoverer(
                options.tweet_options,
                config=self.config,
                store=self.store,
                factory=self.factory,
                limits=limits,
            )
            await self.recoverer.__aenter__()
            assert self.recoverer.fetcher is not None and self.recoverer.expander is not None
            # The tweets' requests are part of the run: recorded, under the run's limits, and
            # their short links expanded by the same engine as the article's (once each).
            self.recoverer.fetcher.recorder = self.recorder
            await self.recoverer.expander.aclose()
            self.recoverer.expander = self.expander
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self.recoverer is not None:
            await self.recoverer.aclose()
        if self.expander is not None:
            await self.expander.aclose()
        await self.factory.aclose()
        if self.shared is not None:
            self.shared.close()
        if self.pages is not None:
            self.pages.close()
        if self._spool_tmp is not None:
            self._spool_tmp.cleanup()

    async def archive(self, scan: ArticleScan, raw: bytes, *, html: str | None = None) -> ArchiveResult:
        """Archive one scanned article (`raw`: its bytes as read; `html`: its decoded text)."""
        folder = _own_folder(folder_for(scan.article, self.options.out), scan.article, self._folders)
        self._folders[folder] = scan.article  # claimed now: a concurrent article of one name goes elsewhere
        run = _Run(self, scan, raw, html, folder)
        return await run.go()


# --- Resources shared by the pages of the process ------------------------------------------------


@dataclass(eq=False)
class _Shared:
    """One resource URL of the process's pages (the site's logo, its stylesheet), fetched once
    whatever number of pages and articles name it. Each page's copy gets a file of its own
    from here: every archive folder holds all that its copies load."""

    url: str
    task: asyncio.Future[None] | None = None  #: the fetch, awaited by every page that names it
    found: bool = False  #: a 2xx answer came (and its body, if any, is kept)
    content_type: str | None = None
    exchange: Exchange | None = None  #: that answer, while `body` is kept
    body: Path | None = None  #: its raw body, linked out of the recorder's spool (which `forget` empties)
    saved: Path | None = None  #: the first folder's decoded copy (an image or a font)
    users: int = 0  #: pages that hold it and are not committed yet
    _record: Exchange | None = None

    def record(self) -> Exchange | None:
        """The answer as another article's WARC writes it: its exchange, with the kept raw body.

        One object per entry, so that an article's links sharing the resource write it once
        (`_Run.written`)."""
        if self.exchange is None or (self.exchange.body_path is not None and self.body is None):
            return None
        if self._record is None:
            self._record = dataclasses.replace(self.exchange, body_path=self.body)
        return self._record


def _keep_body(source: Path, spool: Path, number: int) -> Path | None:
    """A body of the recorder's spool kept under `spool`, so that it outlives the commit that
    deletes the spool's own file: hard-linked (no copy, no memory), else copied; None when
    neither works."""
    spool.mkdir(parents=True, exist_ok=True)
    kept = spool / f"{number:07d}.body"
    try:
        os.link(source, kept)
    except OSError:  # a file system without hard links: a copy, on disk all the same
        try:
            shutil.copyfile(source, kept)
        except OSError:
            return None
    return kept


class _Idle(Generic[E]):
    """Entries held by nobody whose bodies stay on disk for whoever comes later, least
    recently used first out: over `SHARED_SPOOL` bytes (or, with `counted`, `SHARED_PAGES`
    entries), `drop` lets the oldest go. The shared resources and the shared pages keep
    theirs the same way."""

    def __init__(self, drop: Callable[[E], None], *, counted: bool = False) -> None:
        self._drop = drop
        self._counted = counted
        self._sizes: dict[E, int] = {}  #: insertion order is use order
        self._bytes = 0

    def add(self, entry: E, size: int) -> None:
        self._sizes[entry] = size
        self._bytes += size
        # The module's limits at the time of the call: tests set them.
        while self._sizes and (
            self._bytes > SHARED_SPOOL or (self._counted and len(self._sizes) > SHARED_PAGES)
        ):
            oldest = next(iter(self._sizes))
            self.take(oldest)
            self._drop(oldest)

    def take(self, entry: E) -> None:
        """`entry` is held again (or dropped): no longer idle."""
        size = self._sizes.pop(entry, None)
        if size is not None:
            self._bytes -= size


class _SharedResources:
    """The resources of the process's pages, by URL (see `_Shared`).

    Policy: a resource is fetched by the first page that names it, recorded in that page's
    item (so in the WARC of the first article that commits a page using it); the others wait
    for that fetch, and every other article whose page uses it writes a copy of its records
    into its own WARC (`_Shared.record`): a folder's WARC replays its pages whole. Its raw body
    is kept while a page holding it is not committed (a stylesheet is rewritten per page, from
    the raw body; the records are written from it), then, held by none, up to `SHARED_SPOOL`
    bytes (least recently used first out); an image or font saved in one folder is copied from
    there into the next folder. A resource whose raw body was let go is fetched again by the
    next page that names it, which records it in its own item.
    """

    def __init__(self, fetcher: Fetcher, recorder: Recorder, spool: Path) -> None:
        self.fetcher = fetcher
        self.recorder = recorder
        self.spool = spool
        self.lock = threading.Lock()  #: `saved` is set from the commits' threads
        self._entries: dict[str, _Shared] = {}
        self._idle: _Idle[_Shared] = _Idle(self._drop)  #: held by no page, raw body kept
        self._names = 0

    async def get(self, url: str, *, sheet: bool) -> _Shared:
        """The resource at `url`, fetched if no page has it; held until `release`. A `sheet`
        needs the raw body (it is rewritten for each page), an image or font a saved copy will do."""
        entry = self._entries.get(url)
        if entry is None or not _reusable(entry, sheet):
            entry = _Shared(url)
            # The fetch runs in the context of the first page to name it: recorded in its item.
            entry.task = asyncio.ensure_future(self._fetch(entry))
            self._entries[url] = entry
        self._idle.take(entry)
        entry.users += 1
        assert entry.task is not None
        try:
            # Shielded: a page given up (cancelled) must not cancel the fetch others wait for.
            await asyncio.shield(entry.task)
        except BaseException:
            self.release(entry)
            raise
        return entry

    async def _fetch(self, entry: _Shared) -> None:
        await self.fetcher.get(entry.url, max_bytes=0)
        # No await from here on: an exchange in `by_url` is unclaimed, so its spool file is
        # still there to link.
        exchange = next((e for e in reversed(self.recorder.by_url(entry.url)) if 200 <= e.status < 300), None)
        if exchange is None:
            return
        if exchange.body_path is not None:
            self._names += 1
            kept = _keep_body(exchange.body_path, self.spool, self._names)
            if kept is None:
                return
            entry.body = kept
        entry.exchange = exchange
        entry.content_type = _content_type(exchange)
        entry.found = True

    def release(self, entry: _Shared) -> None:
        """A page that held `entry` is committed (or given up)."""
        entry.users -= 1
        if entry.users > 0:
            return
        if entry.body is not None:
            self._idle.add(entry, entry.exchange.body_length if entry.exchange is not None else 0)
        else:
            self._drop(entry)

    def _drop(self, entry: _Shared) -> None:
        """Let the raw body go, and the entry: the next page naming the URL fetches it again."""
        if entry.body is not None:
            entry.body.unlink(missing_ok=True)
        entry.body = None
        entry.exchange = None
        entry._record = None
        if self._entries.get(entry.url) is entry:
            del self._entries[entry.url]

    def close(self) -> None:
        shutil.rmtree(self.spool, ignore_errors=True)


def _reusable(entry: _Shared, sheet: bool) -> bool:
    """Whether a page may use `entry` as it is: its fetch in flight, or its raw body still
    here (a stylesheet is rewritten from it, and the page's article writes its records from it)."""
    assert entry.task is not None
    return not entry.task.done() or entry.users > 0 or entry.body is not None or entry.exchange is not None


# --- Pages cited by several articles of the process -----------------------------------------------


@dataclass(eq=False)
class _Page:
    """The exchanges of one URL a chain went through (a redirect hop, the page it ends on),
    as the expansion engine made them: once in the process, however many articles cite the
    URL (directly or behind a short link). Each article writes them into its own WARC and
    makes its own copy of the page from them: a WARC of another folder is no record of its own."""

    url: str
    #: Copies of the recorder's exchanges whose bodies are links in the pages' spool (the
    #: recorder's files go when the first commit writes them).
    exchanges: list[Exchange]
    origin: list[Exchange]  #: the recorder's exchanges they were made from
    size: int = 0
    users: int = 0  #: links that hold it and are not committed yet


class _SharedPages:
    """The chains' exchanges of the process's links, by URL (see `_Page`).

    Policy, as for shared resources: a URL's exchanges are kept (their bodies on disk) while a
    link holding them is not committed; then, held by none, up to `SHARED_SPOOL` bytes and
    `SHARED_PAGES` URLs (least recently used first out), for an article that comes later and
    cites the same page: the engine does not fetch it again (its result is remembered), so
    these are its records. A URL let go and cited again is fetched again, by the link that
    needs it (`_Run._hold_chain`).
    """

    def __init__(self, recorder: Recorder, spool: Path) -> None:
        self.recorder = recorder
        self.spool = spool
        self._entries: dict[str, _Page] = {}
        self._idle: _Idle[_Page] = _Idle(self._drop, counted=True)  #: held by no link
        self._names = 0

    def hold(self, urls: Iterable[str]) -> tuple[list[_Page], list[str]]:
        """The exchanges of each of `urls`, held until `release`; and the URLs whose exchanges
        are gone (let go before this link came). No await: the recorder's bodies are there."""
        held, missing = [], []
        for url in dict.fromkeys(urls):
            entry = self._entries.get(url)
            recorded = self.recorder.by_url(url)
            fresh = [e for e in recorded if entry is None or all(e is not o for o in entry.origin)]
            if fresh:
                # Recorded since the kept ones were (or the first time): what this link saw.
                entry = self._keep(url, fresh)
            if entry is None:
                missing.append(url)
                continue
            self._idle.take(entry)
            entry.users += 1
            held.append(entry)
        return held, missing

    def _keep(self, url: str, recorded: list[Exchange]) -> _Page:
        old = self._entries.get(url)
        if old is not None and old.users == 0:
            self._idle.take(old)
            self._drop(old)
        entry = _Page(url, [], list(recorded))
        for exchange in recorded:
            body = None
            if exchange.body_path is not None:
                self._names += 1
                body = _keep_body(exchange.body_path, self.spool, self._names)
            if exchange.body_path is not None and body is None:
                continue  # unreadable: written by the commit that claims the recorder's own
            entry.exchanges.append(dataclasses.replace(exchange, body_path=body))
            entry.size += exchange.body_length
        self._entries[url] = entry
        return entry

    def release(self, entry: _Page) -> None:
        """A link that held `entry` is committed (or given up)."""
        entry.users -= 1
        if entry.users > 0:
            return
        if self._entries.get(entry.url) is not entry:
            self._drop(entry)  # replaced by newer exchanges of the URL
            return
        self._idle.add(entry, entry.size)

    def _drop(self, entry: _Page) -> None:
        for exchange in entry.exchanges:
            if exchange.body_path is not None:
                exchange.body_path.unlink(missing_ok=True)
        entry.exchanges = []
        entry.origin = []
        if self._entries.get(entry.url) is entry:
            del self._entries[entry.url]

    def close(self) -> None:
        shutil.rmtree(self.spool, ignore_errors=True)


# --- One run of one article ----------------------------------------------------------------------


@dataclass
class _Capture:
    """What fetching one link gave, before it is committed."""

    url: str
    expansion: Expansion
    resources: list[tuple[str, str]] = field(default_factory=list)  #: (kind, url) saved with it
    readable: tuple[str, str, str | None] | None = None  #: the copy's html, text and title
    local: dict[str, str] = field(default_factory=dict)  #: resource URL -> its path beside the copy
    styles: dict[str, str] = field(default_factory=dict)  #: stylesheet URL -> its rewritten text
    shared: dict[str, _Shared] = field(default_factory=dict)  #: resource URL -> what was fetched, held
    pages: list[_Page] = field(default_factory=list)  #: the exchanges of the chain's URLs, held
    memento: dict[str, Any] | None = None


class _Run:
    def __init__(
        self, archiver: Archiver, scan: ArticleScan, raw: bytes, html: str | None, folder: Path
    ) -> None:
        self.a = archiver
        self.options = archiver.options
        self.scan = scan
        self.raw = raw
        self.html = html
        self.folder = folder
        self.now = archiver.clock()
        self.manifest: dict[str, Any] = {}
        self.run_id = ""
        self.run_dir = folder
        self.parts = 0
        self.lock = asyncio.Lock()
        self.saved_at = 0.0
        self.dirty = False
        self.pending_syncs: list[str] = []
        self.previous: dict[tuple[str, str], Revisit] = {}
        #: The earlier records this run's revisit records stand for (their WARCs go in its WACZ).
        self.revisited: set[str] = set()
        self.previous_copies: dict[tuple[str, str], dict[str, Any]] = {}
        self.committed_urls: dict[str, dict[str, Any]] = {}  #: url -> its link entry of this run
        self.refs: dict[str, list[RecordRef]] = {}
        #: The chains' exchanges written into this run's WARC, and the copy made of each page:
        #: two links of the article reaching one page share its records and its copy.
        self.written: set[Exchange] = set()
        self.copies: dict[Exchange, dict[str, Any] | None] = {}
        self.bytes = 0
        self.counts = {"archived": 0, "failed": 0}
        self.resumed: str | None = None
        #: Indexes of the article's tweets that the interrupted runs completed here committed.
        self.done_tweets: set[int] = set()

    # -- set-up -------------------------------------------------------------------------------------

    def _load(self) -> None:
        path = self.folder / MANIFEST
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ArchiveError(
                    f"{path}: the manifest cannot be read ({exc}); move it away to start over"
                ) from None
            if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION:
                raise ArchiveError(f"{path}: not a resolver archive manifest of version {MANIFEST_VERSION}")
            data.pop(MANIFEST_DIGEST, None)  # written anew with the manifest
            self.manifest = data
        else:
            self.manifest = {
                "manifest_version": MANIFEST_VERSION,
                "schema": SCHEMA_FILE,
                "tool": {"name": "resolver", "version": __version__},
                "article": {},
                "runs": [],
                "links": [],
                "tweets": [],
                "files": {},
            }
        # A resource's first response in this folder, so that an identical payload of a later
        # run is a revisit record, as a page's is (the chains below).
        for url, first in (self.manifest.get("resources") or {}).items():
            if isinstance(first, dict) and first.get("record") and first.get("payload_digest"):
                self.previous[(url, first["payload_digest"])] = Revisit(
                    first["record"], url, first.get("date") or "", first["payload_digest"]
                )
        for link in self.manifest.get("links", []):
            for hop in link.get("chain", []):
                # Revisits point at the response that holds the payload, never at another
                # revisit: a replay tool (and this run's WACZ) needs the original's WARC.
                original = hop.get("record_type") in ("response", None)
                if hop.get("response_record") and hop.get("payload_digest") and original:
                    key = (hop["url"], hop["payload_digest"])
                    self.previous[key] = Revisit(
                        hop["response_record"], hop["url"], hop.get("date") or link.get("archived_at", ""),
                        hop["payload_digest"],
                    )  # fmt: skip
                    if link.get("copy") and hop["url"] == link.get("final_url"):
                        self.previous_copies[key] = link["copy"]

    def _start(self) -> set[str]:
        """Open this run; returns the URLs an interrupted run already committed.

        "Already committed" counts every run of the resume chain: a run that completed an
        interrupted one and was itself interrupted had skipped what the first one committed,
        so the next run must skip both (killed again and again, a run still never fetches a
        link twice). The tweets committed along the chain are skipped too (`done_tweets`),
        unless the article changed since (their indexes would name other tweets).
        """
        runs = self.manifest["runs"]
        done: set[str] = set()
        if runs and not runs[-1].get("complete"):
            interrupted = runs[-1]
            self.resumed = interrupted["id"]
            chain = _resume_chain(runs)
            self._finish_interrupted(interrupted)
            done = {link["url"] for link in self.manifest["links"] if link.get("run") in chain}
            same_article = (self.manifest.get("article") or {}).get("sha256") == hashlib.sha256(
                self.raw
            ).hexdigest()
            if same_article:
                self.done_tweets = {
                    t["index"]
                    for t in self.manifest.get("tweets", [])
                    if t.get("run") in chain and isinstance(t.get("index"), int)
                }
        self.run_id = new_run_id(self.folder, self.now)
        self.run_dir = self.folder / "runs" / self.run_id
        self.run_dir.mkdir(parents=True, exist_ok=False)
        runs.append(
            {
                "id": self.run_id,
                "started_at": _iso(self.now),
                "finished_at": None,
                "complete": False,
                "resumes": self.resumed,
                "tool_version": __version__,
                "warc": [],
                "cdxj": None,
                "wacz": None,
                "sha256sums": None,
                "counts": {},
            }
        )
        self._article_entry()
        return done

    def _article_entry(self) -> None:
        from resolver.detect.published import published_date

        source = self.scan.article
        published, how = published_date(
            self.html if self.scan.format.value == "html" else None, path=local_path(source)
        )
        previous = self.manifest.get("article") or {}
        self.manifest["article"] = {
            "capture": previous.get("capture"),
            "source": source,
            "file": None,
            "sha256": hashlib.sha256(self.raw).hexdigest(),
            "size": len(self.raw),
            "format": self.scan.format.value,
            "encoding": self.scan.encoding,
            "published": published.isoformat() if published else None,
            "published_source": how,
            "url": source if "://" in source else None,
            "title": _title(self.html) if self.html else None,
        }
        self.published = published

    def _finish_interrupted(self, run: dict[str, Any]) -> None:
        """Join the committed parts of an interrupted run and drop what it had not committed."""
        run_dir = self.folder / "runs" / run["id"]
        committed = set(run.get("warc") or [])
        files = self.manifest["files"]
        for path in sorted(run_dir.rglob("*")) if run_dir.exists() else []:
            rel = path.relative_to(self.folder).as_posix()
            if path.is_file() and rel not in files and rel not in committed:
                path.unlink()  # written but never committed: fetched again by this run
        parts = [self.folder / p for p in run.get("warc") or [] if (self.folder / p).exists()]
        if parts:
            self._join_parts(run, run_dir, parts)
        run["complete"] = True
        run["finished_at"] = run.get("finished_at") or _iso(self.a.clock())
        run["interrupted"] = True

    # -- the run --------------------------------------------------------------------------------------

    async def go(self) -> ArchiveResult:
        # The files of each commit are fsynced together just before the manifest that commits
        # them (see `fsutil.deferred_syncs`), not one by one as they are written.
        with fsutil.deferred_syncs() as pending:
            self.pending_syncs = pending
            return await self._go()

    async def _go(self) -> ArchiveResult:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._load()
        done = self._start()
        self._save(force=True)
        distinct = list(dict.fromkeys(link.url for link in self.scan.links if _archivable(link)))
        todo = [url for url in distinct if url not in done]
        # An article given by URL is saved too: its page is an item like the links it cites
        # (recorded, with a readable copy), kept as the manifest's `article.capture`.
        article_url = self.scan.article if "://" in self.scan.article else None
        if article_url and not self.manifest["article"].get("capture"):
            todo = [article_url, *(url for url in todo if url != article_url)]
        tasks = [asyncio.ensure_future(self._link(url)) for url in todo]
        autosave = asyncio.ensure_future(self._autosave())
        tweet_task = (
            asyncio.ensure_future(self._tweets())
            if self.options.tweets and (self.scan.tweets or _cited_tweets(self.scan))
            else None
        )
        try:
            for task in asyncio.as_completed(tasks):
                capture = await task
                async with self.lock:
                    await self._commit_link(capture)
                    self._save()
            if tweet_task is not None:
                await tweet_task
        except BaseException:
            autosave.cancel()
            for task in tasks:
                task.cancel()
                if task.done() and not task.cancelled() and task.exception() is None:
                    self._release(task.result())  # fetched, never to be committed
            if tweet_task is not None:
                tweet_task.cancel()
            with contextlib.suppress(Exception):
                self._save(force=True)  # what is committed stays committed
            raise
        autosave.cancel()
        # Joining the parts, indexing, hashing and the views: file work, in a thread, while
        # the other articles of the run go on.
        await asyncio.to_thread(self._finish)
        return ArchiveResult(
            self.scan.article,
            self.folder,
            self.run_id,
            len(todo),
            self.counts["archived"],
            self.counts["failed"],
            len(distinct) - len(todo),
            len(self.scan.tweets) + len(_cited_tweets(self.scan)),
            self.bytes,
            self.resumed,
        )

    async def _link(self, url: str) -> _Capture:
        a = self.a
        assert a.expander is not None and a.recorder is not None and a.fetcher is not None
        with a.recorder.item(self._item(url)):
            expansion = await a.expander.expand(url)
            capture = _Capture(url, expansion)
            try:
                await self._hold_chain(capture)
                await self._page(capture)
            except BaseException:
                self._release(capture)  # never committed: what it held is not needed for it
                raise
        if not expansion.ok and expansion.tweet is None and self.options.wayback and a.lookups is not None:
            memento = await nearest(a.lookups, expansion.final_url or url, self.published)
            capture.memento = memento.to_json() if memento else None
        return capture

    async def _hold_chain(self, capture: _Capture) -> None:
        """Hold the exchanges of every URL of the link's chain until it is committed: another
        article may have made them (the engine fetches a URL once in the process), and this
        article's WARC and copies need them all the same."""
        a = self.a
        assert a.pages is not None and a.fetcher is not None
        hops = capture.expansion.hops
        capture.pages, missing = a.pages.hold(hop.url for hop in hops)
        # A hop that was answered has exchanges; gone only when they were let go (beyond
        # SHARED_SPOOL) before this article came: fetched again, as a stylesheet would be.
        answered = {hop.url for hop in hops if hop.status is not None}
        missing = [url for url in missing if url in answered]
        if missing:
            await asyncio.gather(*(a.fetcher.get(url, max_bytes=0) for url in missing))
            more, _ = a.pages.hold(missing)
            capture.pages.extend(more)

    async def _page(self, capture: _Capture) -> None:
        """The readable copy of the page the link ends on, and the resources it loads."""
        a = self.a
        url, expansion = capture.url, capture.expansion
        final = self._final_exchange(capture)
        if final is None or expansion.tweet is not None or not _is_html(final) or not final.body_path:
            return
        page_url = expansion.final_url or url
        # The workers read the page from its spool file (held until the commit), each time
        # they need it: its text never sits in this process, nor travels through it.
        body = (str(final.body_path), _header(final, "content-encoding"), _header(final, "content-type"))
        max_resources = self.options.max_resources if self.options.resources else 0
        wanted, capture.readable = await a.cpu(page_job, body, page_url, max_resources, final.started_at)
        capture.resources = wanted
        if wanted:
            await self._resources(capture, wanted, names.url_filename(page_url))
            capture.readable = await a.cpu(readable_job, body, page_url, final.started_at, capture.local)

    async def _resources(self, capture: _Capture, wanted: list[tuple[str, str]], stem: str) -> None:
        """Fetch a page's resources into `capture.local`, its stylesheets' ones included.

        What a stylesheet needs (its fonts, images and `@import`s) is known only once it has
        arrived, so the rounds follow one another: the page's resources, then what its
        stylesheets name, then what the stylesheets they import name (imports one level deep:
        an import of an import stays `none`). Every request goes through the run's fetcher,
        in the link's item, so each is recorded in the WARC with the page; all of them count
        against `max_resources`, the page's own first. The saved stylesheets are rewritten
        (`clean_stylesheet`) into `capture.styles`, to be written instead of their bytes.
        A resource another page of the process has fetched is not fetched again (`_SharedResources`).
        """
        budget = self.options.max_resources
        seen = {url for _, url in wanted}
        kinds: dict[str, str] = {}
        await self._fetch_round(capture, wanted, stem, kinds)
        sheets = [url for url in capture.local if _is_sheet(kinds[url], capture.local[url])]
        named = await self._stylesheet_urls(capture, sheets)
        for depth in (1, 2):
            found: dict[str, str] = {}  # URL -> kind, in order, the first kind winning
            for sheet in sheets:
                for kind, url in named.get(sheet, []):
                    if url not in seen and (depth == 1 or kind != "style"):
                        found.setdefault(url, kind)
            more = [(kind, url) for url, kind in found.items()][: max(0, budget - len(seen))]
            if not more:
                break
            seen.update(url for _, url in more)
            capture.resources.extend(more)
            await self._fetch_round(capture, more, stem, kinds)
            sheets = [
                url for kind, url in more if url in capture.local and _is_sheet(kind, capture.local[url])
            ]
            if depth == 1 and sheets:
                named = await self._stylesheet_urls(capture, sheets)
        await self._clean_stylesheets(capture, kinds)

    async def _fetch_round(
        self, capture: _Capture, wanted: list[tuple[str, str]], stem: str, kinds: dict[str, str]
    ) -> None:
        """GET each of `wanted` (recorded; once in the process) and give each one that answered
        2xx its local path. The page holds each until it is committed (`_release`)."""
        shared = self.a.shared
        assert shared is not None
        got = await asyncio.gather(*(shared.get(u, sheet=kind == "style") for kind, u in wanted))
        for (kind, resource_url), entry in zip(wanted, got, strict=True):
            capture.shared[resource_url] = entry
            if entry.found:
                # A stylesheet is saved rewritten, as CSS, whatever type it was served as: a
                # file:// load has no Content-Type, and browsers take the type from the name.
                ext = "css" if kind == "style" else names.extension_for(entry.content_type, resource_url)
                capture.local[resource_url] = f"{stem}_files/{names.url_filename(resource_url, ext=ext)}"
                kinds[resource_url] = kind

    def _sheet_bodies(self, capture: _Capture, urls: list[str]) -> list[SheetBody]:
        """(body file, Content-Encoding, Content-Type, URL) of saved stylesheets, for the workers."""
        out = []
        for url in urls:
            entry = capture.shared.get(url)
            exchange = entry.exchange if entry is not None else None
            if entry is not None and exchange is not None:
                path = str(entry.body) if entry.body is not None else None
                encoding = _header(exchange, "content-encoding")
                out.append((path, encoding, _header(exchange, "content-type"), url))
        return out

    async def _stylesheet_urls(
        self, capture: _Capture, sheets: list[str]
    ) -> dict[str, list[tuple[str, str]]]:
        bodies = self._sheet_bodies(capture, sheets)
        if not bodies:
            return {}
        found = await self.a.cpu(stylesheet_urls_job, bodies, self._sheet_limit())
        return dict(zip([url for *_, url in bodies], found, strict=True))

    async def _clean_stylesheets(self, capture: _Capture, kinds: dict[str, str]) -> None:
        """Rewrite every saved stylesheet so that it loads only the files saved beside it; one
        that cannot be read back is not saved (the copy then drops its <link>)."""
        sheets = [url for url, path in capture.local.items() if _is_sheet(kinds.get(url, ""), path)]
        bodies = self._sheet_bodies(capture, sheets)
        if not bodies:
            return
        jobs = [(*body, _relative_to(capture.local, capture.local[body[3]])) for body in bodies]
        cleaned = await self.a.cpu(clean_stylesheets_job, jobs, self._sheet_limit())
        for (*_, url), css in zip(bodies, cleaned, strict=True):
            if css is not None:
                capture.styles[url] = css
        for url in sheets:
            if url not in capture.styles:  # unreadable
                del capture.local[url]

    def _sheet_limit(self) -> int:
        # Stylesheets are rewritten in memory: bounded like a page read for its readable copy.
        return min(self.options.max_body, READABLE_LIMIT)

    def _final_exchange(self, capture: _Capture) -> Exchange | None:
        """The answer of the page the chain ended on (the last 2xx, retries aside), as held."""
        expansion = capture.expansion
        if not expansion.hops or expansion.final_url is None:
            return None
        last = expansion.hops[-1].url
        found = [e for page in capture.pages if page.url == last for e in page.exchanges]
        good = [e for e in found if 200 <= e.status < 300]
        return good[-1] if good else None

    def _item(self, url: str) -> str:
        return f"{id(self)}|{url}"

    # -- committing -------------------------------------------------------------------------------

    async def _commit_link(self, capture: _Capture) -> None:
        try:
            await self._commit(capture)
        finally:
            self._release(capture)

    def _release(self, capture: _Capture) -> None:
        """The link no longer needs its chain's and its resources' bodies (its records and
        copies have them, or never will)."""
        assert self.a.shared is not None and self.a.pages is not None
        for entry in capture.shared.values():
            self.a.shared.release(entry)
        capture.shared.clear()
        for page in capture.pages:
            self.a.pages.release(page)
        capture.pages = []

    async def _commit(self, capture: _Capture) -> None:
        recorder = self.a.recorder
        assert recorder is not None
        expansion = capture.expansion
        own = recorder.take(self._item(capture.url))
        shared = [
            e for hop in expansion.hops for e in recorder.by_url(hop.url) if all(e is not o for o in own)
        ]
        # A resource fetched by another page (of this article or another) whose commit has not
        # written it yet: written here, with the first copy that uses it.
        unwritten = [
            entry.exchange
            for entry in capture.shared.values()
            if entry.exchange is not None and any(entry.exchange is e for e in recorder.by_url(entry.url))
        ]
        # Before any await: no other commit writes the recorder's own exchanges too.
        claimed = recorder.claim(_unique(own + shared + unwritten))
        # A resource another article's commit wrote: this article's WARC gets its records too,
        # from the kept raw body (once per run of the article, whichever of its links comes first).
        mine = {id(e) for e in claimed}
        copied = [
            record
            for entry in capture.shared.values()
            if entry.exchange is not None and id(entry.exchange) not in mine
            and (record := entry.record()) is not None and record not in self.written
        ]  # fmt: skip
        self.written.update(copied)
        for entry in capture.shared.values():
            if entry.exchange is not None and id(entry.exchange) in mine:
                record = entry.record()
                if record is not None:
                    self.written.add(record)  # the original is this article's: no copy of it
        # The chain's exchanges are written from this link's copies of them (`_SharedPages`),
        # into every article's WARC that cites the page (once per run), whoever made them.
        held = {id(o) for page in capture.pages for o in page.origin}
        chain = [e for page in capture.pages for e in page.exchanges if e not in self.written]
        exchanges = list(dict.fromkeys(chain)) + [e for e in claimed if id(e) not in held] + copied
        self.written.update(chain)
        final = self._final_exchange(capture)
        made = final is not None and final in self.copies  # another link of the article reached it
        # Every resource the copy uses gets its file in this folder, whoever fetched it.
        resources = {url: capture.shared[url] for url in capture.local if url in capture.shared}

        def write() -> tuple[list[RecordRef], dict[str, Any] | None]:
            # File work (compressing, hashing, writing) in a thread: zlib and hashlib let go of
            # the GIL, so the event loop keeps the network busy meanwhile.
            refs = self._write_part(exchanges, {"url": capture.url, "verdict": expansion.verdict.value})
            if final is None:
                return refs, None
            if made:
                return refs, self.copies[final]
            return refs, self._copies(capture, final, refs, resources)

        written_refs, copy = await asyncio.to_thread(write)
        firsts = self.manifest.setdefault("resources", {})
        for ref in written_refs:
            if ref.record_type == "response" and ref.url in capture.shared and ref.payload_digest:
                first = {"run": self.run_id, "record": ref.record_id, "date": ref.date}
                firsts.setdefault(ref.url, {**first, "payload_digest": ref.payload_digest})
        if final is not None:
            self.copies.setdefault(final, copy)
        recorder.forget(claimed)
        entry_chain = []
        for hop in expansion.hops:
            hop_refs = self.refs.get(hop.url, [])
            request = next((r for r in reversed(hop_refs) if r.record_type == "request"), None)
            response = next((r for r in reversed(hop_refs) if r.record_type in ("response", "revisit")), None)
            entry_chain.append(
                {
                    **hop.to_json(),
                    "request_record": request.record_id if request else None,
                    "response_record": response.record_id if response else None,
                    "record_type": response.record_type if response else None,
                    "warc": self._warc_path(response.file) if response else None,
                    "offset": response.offset if response else None,
                    "date": response.date if response else None,
                    "payload_digest": response.payload_digest if response else None,
                    "payload_sha256": response.payload_sha256 if response else None,
                }
            )
        ok = expansion.ok or expansion.tweet is not None
        if capture.url != self.scan.article:
            self.counts["archived" if ok else "failed"] += 1
        base = {
            "run": self.run_id,
            "archived_at": _iso(self.a.clock()),
            "final_url": expansion.final_url,
            "verdict": expansion.verdict.value,
            "http_status": expansion.http_status,
            "reason": expansion.reason,
            "chain": entry_chain,
            "content_type": _content_type(final) if final else None,
            "truncated": bool(final and final.truncated),
            "copy": copy,
            "tweet_id": expansion.tweet.id if expansion.tweet else None,
            "memento": capture.memento,
        }
        if capture.url == self.scan.article:
            self.manifest["article"]["capture"] = {"url": capture.url, **base}
            return
        for link in self.scan.links:
            if link.url == capture.url:
                self.manifest["links"].append({**_occurrence(link), **base})

    def _write_part(self, exchanges: list[Exchange], metadata: dict[str, Any]) -> list[RecordRef]:
        from resolver.archive.warc import write_part

        if not exchanges:
            return []
        self.parts += 1
        name = f"part-{self.parts:06d}.warc.gz"
        dest = self.run_dir / "parts" / name
        dest.parent.mkdir(parents=True, exist_ok=True)

        def previous(url: str, digest: str) -> Revisit | None:
            earlier = self.previous.get((url, digest))
            if earlier is not None:
                self.revisited.add(earlier.record_id)
            return earlier

        refs = write_part(
            dest, exchanges, software=f"resolver/{__version__}", metadata=metadata, previous=previous
        )
        rel = dest.relative_to(self.folder).as_posix()
        self.manifest["runs"][-1]["warc"].append(rel)
        self._file(dest)
        for ref in refs:
            if ref.record_type in ("request", "response", "revisit"):
                self.refs.setdefault(ref.url, []).append(ref)
        self.bytes += sum(e.body_length for e in exchanges)
        return refs

    def _warc_path(self, file: str) -> str:
        return (self.run_dir / "parts" / file).relative_to(self.folder).as_posix()

    def _copies(
        self,
        capture: _Capture,
        final: Exchange,
        refs: list[RecordRef],
        resources: dict[str, _Shared],
    ) -> dict[str, Any] | None:
        response = next(
            (r for r in refs if r.url == final.url and r.record_type in ("response", "revisit")), None
        )
        if response is not None and response.record_type == "revisit" and response.payload_digest:
            earlier = self.previous_copies.get((final.url, response.payload_digest))
            if earlier is not None:
                return {**earlier, "revisit": True}
        url = capture.expansion.final_url or capture.url
        sources = self.run_dir / "sources"
        sources.mkdir(parents=True, exist_ok=True)
        copy: dict[str, Any] = {"html": None, "text": None, "file": None, "resources": []}
        if capture.readable is not None:
            stem = names.url_filename(url)
            for resource_url, local_path in capture.local.items():
                entry = resources.get(resource_url)
                target = sources / local_path
                target.parent.mkdir(exist_ok=True)
                if entry is None:
                    continue
                css = capture.styles.get(resource_url)
                if css is not None:
                    # The rewritten text, never the served bytes: those fetch from the network.
                    self._write(target, css.encode("utf-8", "replace"))
                elif not self._save_resource(entry, target):
                    continue
                copy["resources"].append(target.relative_to(self.folder).as_posix())
            html, text, title = capture.readable
            html_path = sources / f"{stem}.html"
            text_path = sources / f"{stem}.txt"
            self._write(html_path, html.encode("utf-8", "replace"))
            self._write(text_path, text.encode("utf-8", "replace"))
            copy["html"] = html_path.relative_to(self.folder).as_posix()
            copy["text"] = text_path.relative_to(self.folder).as_posix()
            copy["title"] = title
        else:
            disposition = _header(final, "content-disposition")
            given = names.filename_from_content_disposition(disposition) if disposition else None
            kind = _content_type(final)
            if kind in (None, *_UNTYPED):  # "some bytes": what they are decides the extension
                kind = _sniffed(final) or kind
            target = sources / names.saved_name(given, kind, url)
            if target.exists():  # another link's file of the same suggested name
                target = sources / names.saved_name(None, kind, url)
            if self._decode_to(final, target, self.options.max_body):
                copy["file"] = target.relative_to(self.folder).as_posix()
        return copy

    def _save_resource(self, entry: _Shared, target: Path) -> bool:
        """An image or font of the copy, to `target`: copied from the folder that saved it
        first (this process), else decoded from its raw body (and this file is then the one
        the next folders copy)."""
        shared = self.a.shared
        assert shared is not None
        with shared.lock:
            saved = entry.saved
        if saved is not None and self._stream_to(saved, None, target, self.options.max_body):
            return True
        if entry.exchange is None or entry.body is None:
            return False
        if not self._stream_to(
            entry.body, _header(entry.exchange, "content-encoding"), target, self.options.max_body
        ):
            return False
        with shared.lock:
            if entry.saved is None:
                entry.saved = target
        return True

    def _decode_to(self, exchange: Exchange, target: Path, limit: int) -> bool:
        """The exchange's body, content-decoded (bounded: no bomb inflates), atomically to `target`."""
        if exchange.body_path is None:
            return False
        return self._stream_to(exchange.body_path, _header(exchange, "content-encoding"), target, limit)

    def _stream_to(self, source: Path, encoding: str | None, target: Path, limit: int) -> bool:
        """`source`, content-decoded from `encoding` (bounded: no bomb inflates), atomically to
        `target`, and listed in the manifest."""
        if not source.exists():
            return False
        # A temp name no saved file can have (safe names never start with a dot): `NAME.tmp`
        # could be another link's file, suggested by its server, and would be overwritten.
        tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
        # An encoding we cannot decode is copied as it came.
        decoder = decoder_for_encoding(encoding) or None
        written = 0
        digest = hashlib.sha256()  # hashed as written: the copy is not read back
        try:
            with source.open("rb") as src, tmp.open("wb") as dst:
                while chunk := src.read(256 * 1024):
                    data = decoder.decompress(chunk, max(1, limit - written + 1)) if decoder else chunk
                    over = written + len(data) - limit
                    if over > 0:
                        data = data[: len(data) - over]
                    written += len(data)
                    dst.write(data)
                    digest.update(data)
                    if over > 0:
                        break
            os.replace(tmp, target)
        except (OSError, zlib.error):
            tmp.unlink(missing_ok=True)
            return False
        # Synced with the rest of the commit, before the manifest that commits it.
        fsutil.sync_later(target)
        fsutil.sync_dir(target.parent)
        self._record(target, digest.hexdigest(), written)
        return True

    def _write(self, path: Path, data: bytes) -> None:
        atomic_write_bytes(path, data)
        self._record(path, hashlib.sha256(data).hexdigest(), len(data))

    def _file(self, path: Path) -> None:
        """List a file written by others (WARC parts, indexes) with its hash and size."""
        self._record(path, *fsutil.sha256_file(path))

    def _record(self, path: Path, sha256: str, size: int) -> None:
        rel = path.relative_to(self.folder).as_posix()
        self.manifest["files"][rel] = {"sha256": sha256, "size": size, "run": self.run_id}

    # -- tweets -------------------------------------------------------------------------------------

    async def _tweets(self) -> None:
        a = self.a
        if a.recoverer is None or a.recorder is None:
            return
        embedded = len(self.scan.tweets)
        cited = _cited_tweets(self.scan)
        todo = [i for i in range(embedded + len(cited)) if i not in self.done_tweets]
        if not todo:
            return
        recoverer = a.recoverer

        async def one(index: int) -> EmbeddedTweet:
            if index < embedded:
                return await recoverer.embedded(self.scan, index)
            # A tweet the article links to without embedding it: as much a cited source, its
            # record, card and media are kept the same way, after the embedded ones' indexes.
            link = cited[index - embedded]
            lookup = await recoverer.lookup(link.url, index=index)
            return EmbeddedTweet(_link_embed(link), lookup, index)

        with a.recorder.item(self._item("tweets")):
            found = await asyncio.gather(*(one(i) for i in todo))
        async with self.lock:
            exchanges = a.recorder.claim(a.recorder.take(self._item("tweets")))
            self._write_part(exchanges, {"tweets": len(found)})
            a.recorder.forget(exchanges)
        for item in found:
            await self._tweet(item)

    async def _tweet(self, item: EmbeddedTweet) -> None:
        a = self.a
        assert a.recorder is not None and a.fetcher is not None
        from resolver.archive.pages import render_tweet_card

        tweet = item.lookup.tweet
        entry: dict[str, Any] = {
            "index": item.index,
            "id": tweet.id if tweet else None,
            "id_source": item.lookup.id_source.value if item.lookup.id_source else None,
            "confidence": item.lookup.confidence,
            "state": item.lookup.state.value,
            "handle": (tweet.handle if tweet else None) or item.embed.handle,
            "author": (tweet.author if tweet else None) or item.embed.author,
            "created_at": tweet.to_json()["created_at"] if tweet else None,
            "text": (tweet.text if tweet else None) or item.embed.text,
            "url": tweet.url if tweet else item.embed.url,
            "reason": tweet.reason if tweet else item.lookup.reason,
            "warnings": list(item.lookup.warnings),
            "json": None,
            "card": None,
            "media": [],
            "run": self.run_id,
        }
        if tweet is not None:
            name = f"tweet-{item.index}-{tweet.id}"
            with a.recorder.item(self._item(name), cap=self.options.max_media):
                await asyncio.gather(*(a.fetcher.get(m.url, max_bytes=0) for m in tweet.media))
            async with self.lock:
                exchanges = a.recorder.claim(a.recorder.take(self._item(name)))
                refs = self._write_part(exchanges, {"tweet": tweet.id})
                media_dir = self.run_dir / "media"
                files: list[tuple[dict[str, Any], str | None]] = []
                for n, medium in enumerate(tweet.media, 1):
                    exchange = next(
                        (e for e in reversed(exchanges) if e.url == medium.url and 200 <= e.status < 300),
                        None,
                    )
                    media_entry: dict[str, Any] = {
                        "url": medium.url, "type": medium.type, "file": None, "sha256": None, "size": None,
                        "alt_text": medium.alt_text,
                        "record": next((r.record_id for r in refs if r.url == medium.url and r.record_type in ("response", "revisit")), None),  # noqa: E501
                    }  # fmt: skip
                    if exchange is not None:
                        media_dir.mkdir(parents=True, exist_ok=True)
                        target = media_dir / names.safe_filename(
                            f"{tweet.id}-{n}.{names.extension_for(_content_type(exchange), medium.url)}"
                        )
                        if self._decode_to(exchange, target, self.options.max_media):
                            rel = target.relative_to(self.folder).as_posix()
                            info = self.manifest["files"][rel]
                            media_entry.update({"file": rel, "sha256": info["sha256"], "size": info["size"]})
                    entry["media"].append(media_entry)
                    files.append(
                        (medium.to_json(), f"../media/{target.name}" if media_entry["file"] else None)
                    )
                a.recorder.forget(exchanges)
                tweets_dir = self.run_dir / "tweets"
                tweets_dir.mkdir(parents=True, exist_ok=True)
                record = tweet.to_json()
                json_path = tweets_dir / f"{names.safe_filename(tweet.id)}.json"
                self._write(json_path, json_bytes(record, indent=2))
                card = render_tweet_card(record, media_files=files, captured_at=_iso(self.a.clock()))
                card_path = tweets_dir / f"{names.safe_filename(tweet.id)}.html"
                self._write(card_path, card.encode("utf-8", "replace"))
                entry["json"] = json_path.relative_to(self.folder).as_posix()
                entry["card"] = card_path.relative_to(self.folder).as_posix()
        async with self.lock:
            self.manifest["tweets"] = [
                t
                for t in self.manifest["tweets"]
                if t.get("index") != item.index or t.get("run") != self.run_id
            ]
            self.manifest["tweets"].append(entry)
            self._save()

    # -- the end --------------------------------------------------------------------------------------

    def _finish(self) -> None:
        run = self.manifest["runs"][-1]
        parts = [self.folder / p for p in run["warc"]]
        if parts:
            self._join_parts(run, self.run_dir, parts)
        if self.options.wacz and run["warc"]:
            self._wacz(run)
        self._sha256sums(run)
        self._views()
        run["complete"] = True
        run["finished_at"] = _iso(self.a.clock())
        run["counts"] = {
            "links": self.counts["archived"] + self.counts["failed"],
            "archived": self.counts["archived"],
            "failed": self.counts["failed"],
            "tweets": len(self.scan.tweets) + len(_cited_tweets(self.scan)),
            "bytes": self.bytes,
        }
        self._save(force=True)

    def _join_parts(self, run: dict[str, Any], run_dir: Path, parts: list[Path]) -> None:
        from resolver.archive.warc import concat_parts, write_cdxj

        dest = run_dir / "capture.warc.gz"
        moved = concat_parts(parts, dest)
        files = self.manifest["files"]
        rel_dest = dest.relative_to(self.folder).as_posix()
        part_names = {p.relative_to(self.folder).as_posix(): p.name for p in parts}
        for link in self.manifest["links"]:
            for hop in link.get("chain", []):
                if hop.get("warc") in part_names and hop.get("offset") is not None:
                    new = moved.get((part_names[hop["warc"]], hop["offset"]))
                    if new is not None:
                        hop["warc"], hop["offset"] = rel_dest, new[1]
        for rel in part_names:
            files.pop(rel, None)
        run["warc"] = [rel_dest]
        self._file_at(dest, run["id"])
        cdxj = run_dir / "capture.cdxj"
        write_cdxj([dest], cdxj)
        run["cdxj"] = cdxj.relative_to(self.folder).as_posix()
        self._file_at(cdxj, run["id"])
        for part in parts:
            part.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            (run_dir / "parts").rmdir()

    def _file_at(self, path: Path, run_id: str) -> None:
        self._file(path)
        self.manifest["files"][path.relative_to(self.folder).as_posix()]["run"] = run_id

    def _sha256sums(self, run: dict[str, Any]) -> None:
        prefix = f"runs/{run['id']}/"
        lines = [
            f"{info['sha256']}  {rel[len(prefix) :]}"
            for rel, info in sorted(self.manifest["files"].items())
            if rel.startswith(prefix)
        ]
        path = self.run_dir / "SHA256SUMS"
        atomic_write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))
        run["sha256sums"] = path.relative_to(self.folder).as_posix()
        self._file(path)

    def _views(self) -> None:
        from resolver.archive.pages import RobustLink, render_index, robust_html, robust_text

        schema = Path(__file__).with_name(SCHEMA_FILE)
        if schema.exists():
            self._write(self.folder / SCHEMA_FILE, schema.read_bytes())
        # What each link points to, best last: a Wayback memento, then the card of the tweet it
        # leads to (a pic.twitter.com or t.co link stops at the status URL: the tweet is its
        # copy), then a local copy; within each, the latest run's. A later run in which the link
        # failed does not hide the copy an earlier run kept.
        run_dates = {r.get("id"): (r.get("started_at") or "")[:10] for r in self.manifest["runs"]}
        cards = {
            t["id"]: (t["card"], run_dates.get(t.get("run")) or "")
            for t in self.manifest["tweets"]
            if t.get("id") and t.get("card")
        }
        found: dict[str, tuple[int, RobustLink]] = {}

        def offer(original: str, raw: str, rank: int, version: str, when: str) -> None:
            for url in (original, raw):
                if url and rank >= found.get(url, (-1, None))[0]:
                    found[url] = (rank, RobustLink(original, version, when))

        for link in self.manifest["links"]:
            copy = link.get("copy") or {}
            version = copy.get("html") or copy.get("file")
            memento = link.get("memento")
            if memento and memento.get("url"):
                offer(link["url"], link["raw"], 0, memento["url"], (memento.get("datetime") or "")[:10])
            if link.get("tweet_id") in cards:
                offer(link["url"], link["raw"], 1, *cards[link["tweet_id"]])
            if version:
                offer(link["url"], link["raw"], 2, version, (link.get("archived_at") or "")[:10])
        # A status URL is archived as its tweet (`_archivable`): the card is its copy.
        for scanned in self.scan.links:
            if scanned.kind is LinkKind.TWEET and scanned.status and scanned.status.id in cards:
                offer(scanned.url, scanned.raw, 1, *cards[scanned.status.id])
        robust = {url: link for url, (_, link) in found.items()}
        name = f"{self.folder.name.removesuffix('.archive')}.html"
        if self.scan.format.value == "html" and self.html is not None:
            story = robust_html(self.html, robust)
        else:
            text = self.html if self.html is not None else self.raw.decode("utf-8", "replace")
            spans = _text_spans(text, self.scan.links)
            story = robust_text(text, spans, robust, title=self.manifest["article"].get("title") or name)
        # In the article's own encoding: its <meta charset> (if any) must stay true; what that
        # encoding cannot hold becomes character references.
        encoding = self.scan.encoding if self.scan.format.value == "html" and self.scan.encoding else "utf-8"
        try:
            data = story.encode(encoding, errors="xmlcharrefreplace")
        except LookupError:
            data = story.encode("utf-8", "replace")
        self._write(self.folder / name, data)
        self.manifest["article"]["file"] = name
        # "replace": a lone surrogate (a file name that is not UTF-8, a broken JSON escape in a
        # tweet) shows as "?" in a page for people rather than failing the whole run.
        self._write(self.folder / "index.html", render_index(self.manifest).encode("utf-8", "replace"))

    def _wacz(self, run: dict[str, Any]) -> None:
        from resolver.archive.warc import pack_wacz

        # The pages ReplayWeb.page lists: those whose answer is in the WARC (not a status URL
        # the chain stopped at unfetched, which would open as "not archived").
        pages = []
        for link in self.manifest["links"]:
            last = (link.get("chain") or [{}])[-1]
            if link.get("run") == run["id"] and link.get("verdict") == "ok" and last.get("response_record"):
                title = (link.get("copy") or {}).get("title")
                pages.append((link["final_url"], last.get("date") or link["archived_at"], title))
        dest = self.run_dir / "archive.wacz"
        # A revisit record stands for an earlier run's response: without that run's WARC in
        # the package, ReplayWeb.page cannot show the page. Each WARC goes in under a name of
        # its own (every run's is capture.warc.gz), through a symlink in a scratch folder.
        warcs = [(run["id"], self.folder / w) for w in run["warc"]]
        warcs += [
            (run_id, self.folder / w)
            for run_id, w in self._revisited_warcs(run)
            if (self.folder / w).is_file()
        ]
        with tempfile.TemporaryDirectory(prefix="resolver-wacz-warcs-") as scratch:
            staged = []
            for run_id, path in dict.fromkeys(warcs):
                link = Path(scratch) / f"{run_id}-{path.name}"
                try:
                    link.symlink_to(path.resolve())
                except OSError:  # no symlinks (Windows without the privilege): a copy
                    shutil.copyfile(path, link)
                staged.append(link)
            pack_wacz(staged, dest, pages=list(dict.fromkeys(pages)), title=self.scan.article)
        run["wacz"] = dest.relative_to(self.folder).as_posix()
        self._file(dest)

    def _revisited_warcs(self, run: dict[str, Any]) -> list[tuple[str, str]]:
        """(run ID, WARC path) of the earlier runs whose records this run's revisits refer to."""
        where: dict[str, tuple[str, str]] = {}  # record ID -> the run and WARC holding it
        for link in self.manifest["links"]:
            for hop in link.get("chain") or []:
                warc = hop.get("warc") or ""
                if hop.get("record_type") == "response" and warc.startswith("runs/"):
                    where[hop["response_record"]] = (warc.split("/")[1], warc)
        warc_of_run = {r["id"]: (r.get("warc") or [None])[0] for r in self.manifest["runs"]}
        for first in (self.manifest.get("resources") or {}).values():
            if isinstance(first, dict) and warc_of_run.get(first.get("run")):
                where.setdefault(first.get("record"), (first["run"], warc_of_run[first["run"]]))
        return sorted({where[r] for r in self.revisited if r in where and where[r][0] != run["id"]})

    async def _autosave(self) -> None:
        """Commits come in bursts: a commit whose manifest write was skipped (see `_save`) is
        written within MANIFEST_INTERVAL, not at the next commit, which may be long after."""
        while True:
            await asyncio.sleep(MANIFEST_INTERVAL)
            if self.dirty:
                async with self.lock:
                    self._save(force=True)

    def _save(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.saved_at < MANIFEST_INTERVAL:
            self.dirty = True  # `_autosave` writes it within the interval
            return
        self.saved_at = now
        self.dirty = False
        fsutil.flush_syncs(self.pending_syncs)  # what the manifest commits is on disk first
        atomic_write_bytes(self.folder / MANIFEST, manifest_bytes(self.manifest), durable=True)


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """manifest.json's bytes: the manifest, then its own SHA-256 as its last member."""
    body = json_bytes(manifest, indent=1)
    digest = hashlib.sha256(body).hexdigest()
    return body[: -len(b"\n}")] + b',\n "%s": "%s"\n}\n' % (MANIFEST_DIGEST.encode(), digest.encode())


def manifest_digest_problem(data: bytes) -> str | None:
    """Why manifest.json's bytes do not match the digest they end with; None when they do."""
    m = _DIGEST_TRAILER.search(data)
    if m is None:
        return f"its own digest ({MANIFEST_DIGEST}, the last member) is missing or damaged"
    body = data[: m.start()] + b"\n}"
    actual = hashlib.sha256(body).hexdigest()
    if actual != m.group(1).decode():
        return f"sha256 {actual[:16]}…; it says {m.group(1).decode()[:16]}…: a byte of it changed"
    return None


class ArchiveError(ResolverError):
    """An archive folder that cannot be used (a foreign or unreadable manifest)."""


# --- Helpers -----------------------------------------------------------------------------------


def _resume_chain(runs: list[dict[str, Any]]) -> set[str]:
    """The IDs of the interrupted last run and of the interrupted runs it was completing, each
    through its `resumes`, back to the first one that was killed."""
    by_id = {run.get("id"): run for run in runs}
    chain: set[str] = set()
    run: dict[str, Any] | None = runs[-1]
    while run is not None and run.get("id") not in chain:
        chain.add(run["id"])
        run = by_id.get(run.get("resumes")) if run.get("resumes") else None
    return chain


def _archivable(link: Link) -> bool:
    # A media file's URL is archived with its tweet; everything else is an item. A status URL
    # is one too (every occurrence gets its entry), but its chain stops at once, unfetched
    # (the page is a login wall): its tweet is archived as a tweet (`_cited_tweets`).
    return not link.url.startswith("https://pbs.twimg.com/")


def _cited_tweets(scan: ArticleScan) -> list[Link]:
    """The status links of the article's prose (outside its embeds) to tweets it does not
    embed, one per tweet ID, in order: archived as tweets after the embedded ones."""
    embedded = {t.id for t in scan.tweets if t.id}
    out: dict[str, Link] = {}
    for link in scan.links:
        status = link.status
        if link.kind is LinkKind.TWEET and link.tweet is None and status and status.id not in embedded:
            out.setdefault(status.id, link)
    return list(out.values())


def _link_embed(link: Link) -> TweetEmbed:
    """What the article shows of a tweet it only links to: its status URL, where it sits."""
    status = link.status
    return TweetEmbed(
        id=status.id if status else None,
        url=link.url,
        handle=status.handle if status else None,
        author=None,
        date=None,
        text=None,
        lang=None,
        links=(),
        where=link.where,
        form="link",
    )


def _occurrence(link: Link) -> dict[str, Any]:
    return {
        "url": link.url,
        "raw": link.raw,
        "kind": link.kind.value,
        "host": link.host,
        "where": link.where.to_json(),
        "tweet": link.tweet,
        "text": link.text,
    }


def _unique(exchanges: Iterable[Exchange]) -> list[Exchange]:
    seen: set[int] = set()
    out = []
    for exchange in exchanges:
        if id(exchange) not in seen:
            seen.add(id(exchange))
            out.append(exchange)
    return out


def _header(exchange: Exchange, name: str) -> str | None:
    lowered = name.lower()
    for key, value in exchange.response_headers:
        if key.lower() == lowered:
            return value
    return None


def _content_type(exchange: Exchange) -> str | None:
    value = _header(exchange, "content-type")
    return value.split(";", 1)[0].strip().lower() if value else None


def _is_html(exchange: Exchange) -> bool:
    kind = _content_type(exchange)
    if kind is None:
        # No type: a page, as browsers take it, unless its first bytes say it is a file.
        return exchange.body_length > 0 and _sniffed(exchange) is None
    return kind in _HTML_TYPES


#: Media types that say only "some bytes" (a download button's usual type).
_UNTYPED = (
    "application/octet-stream",
    "binary/octet-stream",
    "application/x-download",
    "application/download",
)

#: How much of a body without a Content-Type is read to tell what it is (WHATWG MIME Sniffing's
#: resource header).
_SNIFF_BYTES = 1445


def _sniffed(exchange: Exchange) -> str | None:
    """What a body that came without a Content-Type is (`names.sniff_media_type`), from its
    first bytes, content-decoded."""
    if exchange.body_path is None:
        return None
    head = read_decoded(exchange.body_path, _header(exchange, "content-encoding"), _SNIFF_BYTES)
    return names.sniff_media_type(head) if head else None


def _is_sheet(kind: str, local_path: str) -> bool:
    """A saved resource rewritten as a stylesheet: named as one (<link>, `@import`), or saved
    as `.css` (an <img> URL that serves CSS, and is also a stylesheet's, is saved once, under
    its first kind): no file the copy may load as CSS keeps its network `url()`s."""
    return kind == "style" or local_path.endswith(".css")


def _relative_to(local: dict[str, str], sheet_path: str) -> dict[str, str]:
    """The saved files' paths (relative to the copy) made relative to the stylesheet at
    `sheet_path`: a stylesheet's `url()`s resolve against the stylesheet's own location."""
    folder = [part for part in sheet_path.split("/")[:-1] if part]
    out = {}
    for url, path in local.items():
        parts = path.split("/")
        common = 0
        while common < min(len(folder), len(parts) - 1) and folder[common] == parts[common]:
            common += 1
        out[url] = "/".join([".."] * (len(folder) - common) + parts[common:])
    return out


def _text_spans(text: str, links: Iterable[Link]) -> list[tuple[int, int, str]]:
    """Character spans of the links in a text article, from their line and column."""
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    spans = []
    for link in links:
        line, column = link.where.line, link.where.column
        if line is None or column is None or line > len(starts):
            continue
        start = starts[line - 1] + column - 1
        if text[start : start + len(link.raw)] == link.raw:
            spans.append((start, start + len(link.raw), link.url))
    return spans


def _title(html: str) -> str | None:
    import re

    m = re.search(r"<title[^>]*>(.*?)</title>", html[:200_000], re.IGNORECASE | re.DOTALL)
    if not m:
        return None
    import html as htmllib

    title = " ".join(htmllib.unescape(m.group(1)).split())
    return title[:300] or None


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


__all__ = [
    "ArchiveError",
    "ArchiveOptions",
    "ArchiveResult",
    "Archiver",
    "folder_for",
    "manifest_bytes",
    "manifest_digest_problem",
    "new_run_id",
]
