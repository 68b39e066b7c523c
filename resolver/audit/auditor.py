"""Auditing the links of many articles: `resolver audit`.

For each article (or a plain list of links): every link occurrence gets a verdict
(`model.AuditVerdict`), its outcome (dead, alive, uncertain) and the evidence. Each distinct
URL is judged once per run:

- a tweet's status URL (or a short link that leads to one) by the tweet's fate (`resolver.twitter`);
- anything else by its chain (the expansion engine, with a `PageSampler` keeping the facts of
  the page it ends on) and `classify`: parked, bot wall, soft-404 (the page says not found, a
  deep link sent home or to a login page, or the page a random sibling URL gets), moved, alive;
- the random-sibling probe is made once per host (the first deep page that answers): a host
  whose made-up URLs answer 200 is a catch-all host, and its pages are compared with that answer;
- a link that is not alive gets the Wayback capture nearest the article's publication date:
  the URL's captures are listed once (one CDX request, through the CDX gate's one at a time)
  and serve every date it is cited at; the availability API (two at a time) only when the
  CDX API does not answer.
Verdicts are cached (`audit` namespace): alive for the liveness TTL, dead for a day, uncertain never.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from cache import NullStore, Store
from cache.policy import ttl_for
from resolver.aio import in_order
from resolver.audit.classify import TWEET_VERDICTS, classify
from resolver.audit.config import AuditConfig
from resolver.audit.journal import Journal, stamp_of
from resolver.audit.model import NOT_CHECKED, AuditRecord, AuditVerdict, Outcome, outcome_of
from resolver.audit.sampler import PageSampler, html_text
from resolver.audit.signals import page_facts, sibling_url, similar_pages
from resolver.expander.engine import Expander, ExpandOptions
from resolver.expander.inputs import MAX_LIST_LINE
from resolver.expander.limits import Limits
from resolver.fetch import Fetcher
from resolver.models import ArticleScan, Link, ScanFailure, StatusRef, Where
from resolver.net import ClientFactory, NetConfig
from resolver.rules import NON_WEB_SCHEMES, host_of, is_shortener_host, parse_status_url
from resolver.rules import classify as link_kind
from resolver.twitter.recover import Recoverer, TweetOptions
from resolver.wayback import (
    AVAILABILITY_CONCURRENCY,
    CDX_CONCURRENCY,
    CDX_GATE,
    CaptureList,
    capture_list,
    memento_of,
    nearest,
    nearest_cdx,
)

NS_AUDIT = "audit"
_Found = tuple[str | None, str | None]  #: a Wayback capture's URL and timestamp (None, None: none)
#: Articles being audited at once, and started ahead of the one whose records are written
#: next: an article whose link times out holds back the output, not the work (the records
#: of up to ARTICLES_AHEAD articles wait in memory meanwhile: small, links not pages).
ARTICLE_WINDOW = 64
ARTICLES_AHEAD = 1024
#: Capture lists kept for the articles still to come that cite the same URL, the least
#: recently used dropped first (at most CAPTURE_LIST_LIMIT short rows each; most lists are a
#: few rows: a URL that is not alive was seldom captured often).
CAPTURE_LISTS_KEPT = 4096
#: Threads reading articles (big files, or article URLs fetched with the sync client).
READERS = 4
#: Files up to this size are read in the event loop itself.
INLINE_READ = 256 * 1024
#: The same for batches of `--urls` (URL_BATCH links each).
BATCH_WINDOW = 4
BATCHES_AHEAD = 16

#: What the audit fetches: the expansion engine speaks HTTP and nothing else. A link in any
#: other scheme is `unsupported` (not checked), never `dead`: nobody saw it fail.
WEB_SCHEMES = frozenset({"http", "https"})
#: Schemes of page furniture, not cited sources: the article scanner drops these links
#: (`rules.is_ignored_url`, the same set), and a list of links skips them too unless
#: `include_non_web` (lychee, likewise, leaves mail addresses out by default).
NOT_SOURCES = NON_WEB_SCHEMES
#: A scheme as RFC 3986 section 3.1 has it, less the "." (so that "example.com:8080/x" is a host
#: and a port, not the scheme "example.com"), and not followed by a port ("localhost:8080/").
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+\-]*):(?!\d{1,5}(?:[/?#]|$))")


@dataclass(frozen=True, slots=True)
class AuditOptions:
    """How a run audits. The defaults are the CLI's."""

    concurrency: int = 64
    per_host: int = 4
    timeout: float = 15.0
    retries: int = 2
    wayback: bool = True
    probe_siblings: bool = True
    tweets: bool = True
    exclude: tuple[str, ...] = ()  #: regular expressions: matching URLs are `excluded`
    max_age: float | None = None
    allow_private: bool = False
    #: Report the links of `--urls` that are not web sources (mailto:, tel:, javascript:,
    #: data:), as `unsupported`, instead of skipping them as an article's are skipped.
    include_non_web: bool = False


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: AuditVerdict
    evidence: str
    final_url: str | None
    http_status: int | None
    tweet_id: str | None = None
    from_cache: bool = False
    #: The page a short link led to before anything else (its Wayback captures rescue it; the
    #: final URL may be a home page it is sent to now). None: the link itself.
    archived_as: str | None = None

    def to_json(self) -> dict[str, Any]:
        value = {
            "verdict": self.verdict.value,
            "evidence": self.evidence,
            "final_url": self.final_url,
            "http_status": self.http_status,
            "tweet_id": self.tweet_id,
            "from_cache": self.from_cache,
        }
        if self.archived_as is not None:
            value["archived_as"] = self.archived_as
        return value

    @classmethod
    def from_json(cls, value: dict[str, Any], *, from_cache: bool | None = None) -> Judgement:
        """Raises KeyError, ValueError or TypeError on a value `to_json` did not write."""
        return cls(
            AuditVerdict(value["verdict"]),
            str(value["evidence"]),
            value.get("final_url"),
            value.get("http_status"),
            value.get("tweet_id"),
            from_cache=bool(value.get("from_cache")) if from_cache is None else from_cache,
            archived_as=value.get("archived_as"),
        )


@dataclass
class _Host:
    """What the sibling probe learned of a host: None while unknown, "" when honest."""

    catch_all: str | None = None
    probe: asyncio.Future[str] | None = field(default=None, repr=False)


class Auditor:
    def __init__(
        self,
        options: AuditOptions | None = None,
        *,
        config: NetConfig | None = None,
        store: Store | None = None,
        rules: AuditConfig | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.options = options or AuditOptions()
        self.journal = journal
        self.rules = rules or AuditConfig()
        self.config = config or NetConfig(timeout=self.options.timeout)
        if self.rules.host_headers:
            self.config = replace(self.config, host_headers=tuple(self.rules.host_headers.items()))
        self.store: Store = store if store is not None else NullStore()
        self.factory = ClientFactory(self.config, per_host=self.options.per_host)
        self.sampler = PageSampler()
        self._excluded = [re.compile(p) for p in self.options.exclude]
        # One judgement per URL for the run: the task while it runs, then only its result (a
        # finished task holds more than the result: 0.7 KB a URL, measured).
        self._judged: dict[str, asyncio.Future[Judgement] | Judgement] = {}
        self._mementos: dict[tuple[str, str | None], asyncio.Future[_Found] | _Found] = {}
        #: URLs' capture lists, the least recently used dropped first (CAPTURE_LISTS_KEPT).
        self._captures: OrderedDict[str, asyncio.Future[CaptureList | None]] = OrderedDict()
        self._hosts: dict[str, _Host] = {}
        self.expander: Expander | None = None
        self.fetcher: Fetcher | None = None
        self.recoverer: Recoverer | None = None

    async def __aenter__(self) -> Auditor:
        options = self.options
        self.factory.prepare()
        limits = Limits(
            options.concurrency,
            options.per_host,
            gate_limits={CDX_GATE: CDX_CONCURRENCY, "archive.org": AVAILABILITY_CONCURRENCY},
            host_limits=self.rules.host_limits,
            host_intervals=self.rules.host_intervals,
        )
        self.expander = Expander(
            ExpandOptions(
                concurrency=options.concurrency,
                per_host=options.per_host,
                timeout=options.timeout,
                retries=options.retries,
                allow_private=options.allow_private,
            ),
            config=self.config,
            store=NullStore(),  # the audit caches its own verdicts: the page must be seen to judge it
            factory=self.factory,
            recorder=self.sampler,
            limits=limits,
        )
        await self.expander.__aenter__()
        self.fetcher = Fetcher(self.factory, limits, timeout=options.timeout, retries=options.retries)
        if options.tweets:
            tweet_options = TweetOptions(
                concurrency=options.concurrency, per_host=options.per_host, wayback=False, related=False
            )
            self.recoverer = Recoverer(
                tweet_options, config=self.config, store=self.store, factory=self.factory, limits=limits
            )
            await self.recoverer.__aenter__()
        return self

    @property
    def requests(self) -> int:
        """Requests sent so far (chains, probes, Wayback look-ups, tweets)."""
        count = (self.expander.requests if self.expander else 0) + (
            self.fetcher.requests if self.fetcher else 0
        )
        return count + (self.recoverer.requests if self.recoverer else 0)

    async def __aexit__(self, *exc: object) -> None:
        # Interrupted (Ctrl-C, SIGTERM, a consumer that stopped early): the judgements still
        # running are cancelled before their clients close, or they would end as
        # "unreachable" and that would be written to the journal as the link's verdict.
        running = [
            future
            for future in (
                *self._judged.values(),
                *self._mementos.values(),
                *self._captures.values(),
                *(host.probe for host in self._hosts.values() if host.probe is not None),
            )
            if isinstance(future, asyncio.Future) and not future.done()
        ]
        for future in running:
            future.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        if self.recoverer is not None:
            await self.recoverer.aclose()
        if self.expander is not None:
            await self.expander.aclose()
        await self.factory.aclose()

    # --- Articles ------------------------------------------------------------------------------

    async def article(self, scan: ArticleScan, published: str | None) -> list[AuditRecord]:
        links = [link for link in scan.links if _auditable(link)]
        judgements = await asyncio.gather(*(self.judge(link) for link in links))
        records = []
        for link, judgement in zip(links, judgements, strict=True):
            wayback_url = wayback_ts = None
            if (
                self.options.wayback
                and outcome_of(judgement.verdict) is not Outcome.ALIVE
                and judgement.verdict not in NOT_CHECKED
            ):
                wayback_url, wayback_ts = await self._memento(_archived_as(link, judgement), published)
            records.append(
                AuditRecord(
                    article=scan.article,
                    url=link.url,
                    final_url=judgement.final_url,
                    verdict=judgement.verdict,
                    evidence=judgement.evidence,
                    where=link.where.to_json(),
                    kind=link.kind.value,
                    host=link.host,
                    text=link.text,
                    http_status=judgement.http_status,
                    wayback_url=wayback_url,
                    wayback_timestamp=wayback_ts,
                    article_date=published,
                    tweet_id=judgement.tweet_id,
                    from_cache=judgement.from_cache,
                )
            )
        return records

    async def urls(self, urls: Sequence[str] | Sequence[tuple[int, str]], source: str) -> list[AuditRecord]:
        """A plain list of links (`--urls FILE`): each a record with its line as `where`
        (`urls` numbered as they were in the file, or numbered here from 1). Links that are not
        web sources (mailto: and the like) are skipped, as in articles, unless `include_non_web`."""
        numbered = [item if isinstance(item, tuple) else (n, item) for n, item in enumerate(urls, 1)]
        include = self.options.include_non_web
        links = [
            Link(url, url, link_kind(url), host_of(url), Where(line=n), status=parse_status_url(url))
            for n, url in numbered
            if include or scheme_of(url) not in NOT_SOURCES
        ]
        scan = ArticleScan(source, _text_format(), (), tuple(links))
        return await self.article(scan, None)

    # --- One URL, once per run -----------------------------------------------------------------

    async def judge(self, link: Link) -> Judgement:
        known = self._judged.get(link.url)
        if isinstance(known, Judgement):
            return known
        if known is None:
            known = self._judged[link.url] = asyncio.ensure_future(self._judge(link.url, link.status))
            known.add_done_callback(partial(_settle, self._judged, link.url))
        return await asyncio.shield(known)

    async def _judge(self, url: str, status: StatusRef | None) -> Judgement:
        for pattern in self._excluded:
            if pattern.search(url):
                # The pattern comes from --exclude or from the configuration's `exclude`.
                evidence = f"excluded by the pattern {pattern.pattern!r}"
                return Judgement(AuditVerdict.EXCLUDED, evidence, None, None)
        overridden = self.rules.override(url)
        if overridden is not None:  # the user knows better: not fetched
            return Judgement(overridden[0], overridden[1], None, None)
        scheme = scheme_of(url)
        if scheme not in WEB_SCHEMES:
            what = "is not a web source" if scheme in NOT_SOURCES else "cannot be fetched over HTTP"
            return Judgement(AuditVerdict.UNSUPPORTED, f"not checked: a {scheme}: link {what}", None, None)
        journal = self.journal
        if journal is not None and url in journal.judgements:
            try:
                return Judgement.from_json(journal.judgements[url])
            except (KeyError, ValueError, TypeError):
                pass  # not a judgement this version wrote: judged again
        judgement = self._cached(url)
        if judgement is None:
            if status is not None:
                judgement = await self._tweet(url, status)
            else:
                judgement = await self._page(url)
            self._save(url, judgement)
        if journal is not None:
            journal.note_judgement(url, judgement.to_json())
        return judgement

    async def _tweet(self, url: str, status: StatusRef) -> Judgement:
        if self.recoverer is None:
            return Judgement(
                AuditVerdict.EXCLUDED, "tweets are not checked (--no-tweets)", url, None, status.id
            )
        lookup = await self.recoverer.lookup(status.url)
        state = lookup.state
        verdict = TWEET_VERDICTS[state]
        reason = lookup.tweet.reason if lookup.tweet is not None else lookup.reason
        return Judgement(verdict, f"tweet {state.value}: {reason}", url, None, status.id)

    async def _page(self, url: str) -> Judgement:
        assert self.expander is not None
        expansion = await self.expander.expand(url)
        if expansion.tweet is not None:
            judgement = await self._tweet(url, expansion.tweet)
            return Judgement(
                judgement.verdict,
                judgement.evidence,
                expansion.tweet.url,
                expansion.http_status,
                expansion.tweet.id,
            )
        final = expansion.final_url or url
        last = expansion.hops[-1] if expansion.hops else None
        facts = self.sampler.facts(last.url) if last is not None else None
        if facts is not None and last is not None and facts.status != last.status:
            facts = None  # another answer of the same URL (another chain's): not this one's
        if facts is not None:
            # The sampler saw one hop; the signals want the link as cited and where it ended
            # (a chain that ends on a parking host is what makes a cited domain parked).
            facts = replace(facts, url=url, final_url=final)
        # Pages the chain passed through (200s that relocated by meta refresh or script).
        earlier = [
            replace(seen, url=url)
            for hop in expansion.hops[:-1]
            if hop.status is not None
            and 200 <= hop.status < 300
            and (seen := self.sampler.facts(hop.url)) is not None
        ]
        similarity = None
        if expansion.ok and facts is not None and self.options.probe_siblings and _deep(final):
            catch_all = await self._catch_all(final)
            if catch_all:
                similarity = similar_pages(facts.text_start, catch_all)
        verdict, evidence = classify(expansion, facts, sibling_similarity=similarity, earlier=earlier)
        landed = next((hop.url for hop in expansion.hops if not is_shortener_host(host_of(hop.url))), None)
        return Judgement(verdict, evidence, expansion.final_url, expansion.http_status, archived_as=landed)

    async def _catch_all(self, url: str) -> str:
        """The text a made-up URL of `url`'s host gets when it answers 200 ("" when the host
        answers such URLs with an error, as it should). Asked once per host."""
        host = host_of(url)
        state = self._hosts.setdefault(host, _Host())
        if state.probe is None:
            state.probe = asyncio.ensure_future(self._probe(url))
        return await asyncio.shield(state.probe)

    async def _probe(self, url: str) -> str:
        assert self.fetcher is not None
        host = host_of(url)
        if self.journal is not None and host in self.journal.probes:
            return self.journal.probes[host]
        reply = await self.fetcher.get(sibling_url(url, seed=len(url)), follow=5, max_bytes=64 * 1024)
        text = ""
        if reply.ok and "html" in reply.content_type:
            # Read as the cited page was (`html_text`), so that the two compare alike.
            body = html_text(reply.body, reply.headers.get("content-type"))
            facts = page_facts(reply.url, reply.final_url, reply.status, dict(reply.headers), body)
            text = facts.text_start
        if self.journal is not None and reply.status is not None:  # a failed probe is tried again
            self.journal.note_probe(host, text)
        return text

    async def _memento(self, url: str, published: str | None) -> tuple[str | None, str | None]:
        key = (url, published)
        running = self._mementos.get(key)
        if isinstance(running, tuple):
            return running
        if running is None:
            running = self._mementos[key] = asyncio.ensure_future(self._nearest(url, published))
            running.add_done_callback(partial(_settle, self._mementos, key))
        return await asyncio.shield(running)

    async def _nearest(self, url: str, published: str | None) -> tuple[str | None, str | None]:
        import datetime as dt

        assert self.fetcher is not None
        if self.journal is not None and (url, published) in self.journal.mementos:
            return self.journal.mementos[(url, published)]
        when = dt.date.fromisoformat(published) if published else None
        # The URL's captures listed once (one CDX request for every date it is cited at);
        # `sort=closest` when the list was too long to be whole; the availability API when
        # the CDX one does not answer (rate-limited past the retries, down).
        listing = await self._capture_list(url)
        if listing is not None and listing.complete:
            capture = listing.closest(when)
            memento = memento_of(capture) if capture is not None else None
        else:
            memento = (await nearest_cdx(self.fetcher, url, when) if listing is not None else None) or (
                await nearest(self.fetcher, url, when)
            )
        found = (memento.url, memento.timestamp) if memento else (None, None)
        if self.journal is not None:
            self.journal.note_memento(url, published, found)
        return found

    async def _capture_list(self, url: str) -> CaptureList | None:
        known = self._captures.get(url)
        if known is not None:
            self._captures.move_to_end(url)
        else:
            assert self.fetcher is not None
            known = self._captures[url] = asyncio.ensure_future(capture_list(self.fetcher, url))
            if len(self._captures) > CAPTURE_LISTS_KEPT:  # the least recently used lists go
                stale = [key for key, future in self._captures.items() if future.done()]
                for key in stale[: len(self._captures) - CAPTURE_LISTS_KEPT]:
                    del self._captures[key]
        return await asyncio.shield(known)

    # --- The cache --------------------------------------------------------------------------------

    def _cached(self, url: str) -> Judgement | None:
        if isinstance(self.store, NullStore):
            return None
        entry = self.store.get(NS_AUDIT, url, max_age=self.options.max_age)
        if entry is None:
            return None
        try:
            return Judgement.from_json(entry.value, from_cache=True)
        except (KeyError, ValueError, TypeError, AttributeError):
            return None

    def _save(self, url: str, judgement: Judgement) -> None:
        if isinstance(self.store, NullStore):
            return
        outcome = outcome_of(judgement.verdict)
        if outcome is Outcome.UNCERTAIN:
            return  # blocked, timed out, unreachable: the next run may learn more
        ttl = (
            ttl_for("liveness", max_age=self.options.max_age)
            if outcome is Outcome.ALIVE
            else ttl_for("definitive-error", max_age=self.options.max_age)
        )
        value = judgement.to_json()
        del value["from_cache"]
        self.store.put(NS_AUDIT, url, value, ttl)


# --- Running over inputs ------------------------------------------------------------------------------


async def aaudit_iter(
    inputs: Iterable[str],
    *,
    urls_file: str | None = None,
    options: AuditOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    max_size: int | None = None,
    watch: list[Auditor] | None = None,
    rules: AuditConfig | None = None,
    journal: Journal | None = None,
) -> AsyncIterator[list[AuditRecord] | ScanFailure]:
    """Per article (in input order), its records; an article that cannot be read is a ScanFailure.

    `journal`, when given, gets everything the run learns, and gives back what the run it
    resumes learned (`resolver.audit.journal`): finished articles are not read again, judged
    URLs not fetched again. Finishing or keeping it is the caller's choice.

    `watch`, when given, receives the running `Auditor` (its `requests` count feeds a progress bar).
    """
    from resolver.detect.published import published_date
    from resolver.errors import InputError, ResolverError
    from resolver.inputs import DEFAULT_MAX_SIZE, iter_sources, load, local_path
    from resolver.scanner import scan_article

    limit = max_size or DEFAULT_MAX_SIZE
    async with Auditor(options, config=config, store=store, rules=rules, journal=journal) as auditor:
        if watch is not None:
            watch.append(auditor)
        if urls_file is not None:
            stamp = stamp_of(urls_file)

            async def batch(lines: list[tuple[int, str]]) -> list[AuditRecord]:
                key = f"--urls {urls_file} lines {lines[0][0]}-{lines[-1][0]}"
                done = journal.article(key, stamp) if journal is not None else None
                if isinstance(done, list):
                    return done
                records = await auditor.urls(lines, "")
                if journal is not None:
                    journal.note_article(key, stamp, records)
                return records

            # In batches, streamed: a list of a million links is neither read nor judged at once.
            async for records in in_order(url_batches(urls_file), batch, BATCH_WINDOW, ahead=BATCHES_AHEAD):
                yield records
        sources = iter_sources(inputs)

        async def one(source: str | InputError) -> list[AuditRecord] | ScanFailure:
            if isinstance(source, InputError):
                return ScanFailure(source.source, source.reason)
            stamp = stamp_of(source)
            if journal is not None:
                done = journal.article(source, stamp)
                if done is not None:  # finished by the interrupted run: not read again
                    return ScanFailure(source, done) if isinstance(done, str) else done
            read = partial(load, source, max_size=limit, timeout=auditor.options.timeout)
            try:
                # A small file is read at once, in the loop: a thread would cost more in the
                # handing over (and in the contention for the GIL) than the read itself.
                if stamp is not None and stamp[0] <= INLINE_READ:
                    article = read()
                else:  # article URLs, stdin and big files: in a reader thread
                    article = await loop.run_in_executor(readers, read)
            except ResolverError as exc:
                reason = getattr(exc, "reason", None) or str(exc)
                if journal is not None:
                    journal.note_article(source, stamp, reason)
                return ScanFailure(source, reason)
            scan = scan_article(article)
            date, _how = published_date(
                article.text if scan.format.value == "html" else None, path=local_path(source)
            )
            del article  # the text is not kept while the links are judged
            records = await auditor.article(scan, date.isoformat() if date else None)
            if journal is not None:
                journal.note_article(source, stamp, records)
            return records

        # The run's own readers, not the loop's default executor: when a run is interrupted,
        # they are let go here, before the loop closes (uvloop's shutdown of the default
        # executor printed a traceback when a read finished after the loop had closed).
        loop = asyncio.get_running_loop()
        readers = ThreadPoolExecutor(READERS, thread_name_prefix="resolver-audit-read")
        try:
            async for result in in_order(sources, one, ARTICLE_WINDOW, ahead=ARTICLES_AHEAD):
                yield result
        finally:
            readers.shutdown(wait=False, cancel_futures=True)


URL_BATCH = 256


def read_url_list(path: str) -> list[str]:
    """`--urls FILE`: one link a line ('-': stdin); blank lines and `#` comments skipped.

    Raises UsageError when the file cannot be read.
    """
    return [url for batch in url_batches(path) for _, url in batch]


def url_batches(path: str, size: int = URL_BATCH) -> Iterator[list[tuple[int, str]]]:
    """The links of `--urls FILE` ('-': stdin) with their line numbers, `size` at a time, read
    as they are needed; blank lines and `#` comments are skipped (and keep their numbers).

    Raises UsageError when the file cannot be read.
    """
    import sys

    from resolver.errors import UsageError

    try:
        handle = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"--urls {path}: cannot read: {exc.strerror or exc}") from None
    batch: list[tuple[int, str]] = []
    try:
        # readline with a limit, not `for raw in handle`: a line with no end (`/dev/zero`, a
        # binary file) would otherwise be read into memory whole before any check.
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_LIST_LINE + 1), ""), 1):
            if "\x00" in raw:  # a list of links is text: this is an image, an archive, a binary
                raise UsageError(f"--urls {path}: not a list of links (binary data, line {number})")
            if len(raw) > MAX_LIST_LINE:
                raise UsageError(f"--urls {path}: not a list of links (line {number} is over 1 MB)")
            if number == 1:  # a byte-order mark (Notepad's UTF-8) is not part of the first link
                raw = raw.lstrip("\ufeff")
            line = raw.strip()
            if line and not line.startswith("#"):
                batch.append((number, line))
                if len(batch) >= size:
                    yield batch
                    batch = []
    except OSError as exc:
        raise UsageError(f"--urls {path}: cannot read: {exc.strerror or exc}") from None
    finally:
        if handle is not sys.stdin:
            handle.close()
    if batch:
        yield batch


def _settle(table: dict[Any, Any], key: Any, future: asyncio.Future[Any]) -> None:
    """Replace a finished task by its result in `table` (a cancelled or failed one is dropped:
    the next asker starts it again)."""
    if future.cancelled() or future.exception() is not None:
        if table.get(key) is future:
            del table[key]
        return
    table[key] = future.result()


def scheme_of(url: str) -> str:
    """The scheme a link is fetched with, lower-case: "https" for the scheme-less forms the
    engine fetches over https ("example.com/x", "//host/x", "localhost:8080/")."""
    match = _SCHEME_RE.match(url.strip())
    return match.group(1).lower() if match else "https"


def _auditable(link: Link) -> bool:
    # A media file is checked with its tweet; everything else an article cites is audited.
    return not link.url.startswith(("https://pbs.twimg.com/", "https://video.twimg.com/"))


#: Links whose own Wayback captures are only redirects: the page they led to is what was cited.
_REDIRECTORS = frozenset({"shortened", "twitter-media"})


def _archived_as(link: Link, judgement: Judgement) -> str:
    """The URL whose captures rescue a link: the link as cited, whatever it leads to now (a
    deep link sent home, a domain sold to a for-sale lander: their captures are of the home
    page and the lander, not of what the article cited), but a short link's target."""
    if link.kind.value in _REDIRECTORS:
        return judgement.archived_as or judgement.final_url or link.url
    return link.url


def _deep(url: str) -> bool:
    path = urlsplit(url).path.strip("/")
    return bool(path) and not re.fullmatch(r"[a-z]{2}(?:-[a-z]{2})?", path, re.IGNORECASE)


def _text_format() -> Any:
    from resolver.models import ArticleFormat

    return ArticleFormat.TEXT


__all__ = ["NOT_SOURCES", "NS_AUDIT", "WEB_SCHEMES", "AuditOptions", "Auditor", "Judgement", "aaudit_iter"]
