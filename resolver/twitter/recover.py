"""Bringing tweets back: identify the ID, ask the sources in order, keep the record.

    async with Recoverer(options, config=net_config, store=store) as recoverer:
        lookup = await recoverer.lookup("https://pic.twitter.com/PXh7c6aziZ")
        article = await recoverer.article(scan)

Identification (`lookup` for a reference, `embedded` for a tweet of a scanned article): a
number is an ID; a status URL names it; a t.co, pic.twitter.com or other short link is
expanded by the expansion engine, whose chain stops at the status URL (ID, handle and the
medium's index); an embed's own ID attribute names it; and a quote flattened to text with
no link is searched by handle, date and text (`search.py`).

Fetching (`fetch`): the sources of `sources/` in order, until one has the content; a source
that states a fate (deleted, suspended, protected, ...) ends the search for a live copy,
and only archival sources (the Wayback) are asked after it, for the content. Quoted and
replied-to tweets are fetched one level deep. Links the source left as t.co are expanded.

Politeness and cost: one `Limits` for the whole run (the expansion engine shares it), the
CDX API one request at a time, in-flight requests for the same tweet shared, and the
persistent cache (`cache/`): available tweets for 30 days, fates for 1 day, failures never
(`cache.policy`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cache import NullStore, Store
from cache.policy import ttl_for
from resolver.aio import in_order
from resolver.expander.engine import Expander, ExpandOptions
from resolver.expander.limits import Limits
from resolver.fetch import Fetcher
from resolver.models import (
    ArticleScan,
    ArticleTweets,
    EmbeddedTweet,
    IdSource,
    LinkKind,
    StatusRef,
    Tweet,
    TweetEmbed,
    TweetLink,
    TweetLookup,
    TweetState,
)
from resolver.net import ClientFactory, NetConfig
from resolver.rules import host_of, is_shortener_host, parse_status_url
from resolver.snowflake import snowflake_time
from resolver.twitter.search import SearchResult, find_by_text
from resolver.twitter.sources import Outcome, Source, TweetKey
from resolver.twitter.sources.mirrors import DEFAULT_MIRRORS, MirrorSource
from resolver.twitter.sources.oembed import OEmbedSource
from resolver.twitter.sources.syndication import SyndicationSource
from resolver.twitter.sources.wayback import WaybackSource
from resolver.twitter.textmatch import normalize
from resolver.wayback import CDX_CONCURRENCY, CDX_GATE, REPLAY_CONCURRENCY

#: Cache namespace of tweet records, keyed by ID.
NS_TWEET = "tweet"
#: Cache namespace of searches for quotes, keyed by handle, date, threshold and the quote.
NS_SEARCH = "tweet-search"
#: States whose record may be kept for a day (a fate can change: an account comes back).
FATES = frozenset(
    {
        TweetState.DELETED,
        TweetState.SUSPENDED,
        TweetState.PROTECTED,
        TweetState.WITHHELD,
        TweetState.AGE_RESTRICTED,
    }
)
#: Embed forms that carry the tweet's ID alone (`resolver.detect.html.EMBED_FORMS`): their
#: `id_source` is `embed-id`; the others name it in a status URL.
ID_ONLY_FORMS = frozenset({"iframe", "amp-twitter", "data-attribute", "rendered"})
#: A snowflake date this many days from the embed's date is reported (the embed shows the
#: reader's local date: one day apart is normal).
DATE_TOLERANCE_DAYS = 1

_ID_RE = re.compile(r"^\s*(\d{1,19})\s*$")
#: Tweet IDs are positive signed 64-bit integers (snowflakes since 2010, small counters
#: before): 0 and anything above 2**63 - 1 name no tweet, and asking every source about them
#: only spends requests to learn "deleted" (the scan drops `/status/0` for the same reason).
MAX_TWEET_ID = 2**63 - 1
_EMBED_ID_RE = re.compile(r"[?&#](?:id|tweetId|tweet_id)=(\d{1,19})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TweetOptions:
    """How a run recovers tweets. The defaults are the CLI's."""

    concurrency: int = 32  #: requests in flight, all hosts together
    per_host: int = 4  #: requests in flight to one host
    timeout: float = 15.0  #: seconds per request
    retries: int = 2  #: extra tries after a transient failure
    max_retry_wait: float = 60.0  #: the longest Retry-After honoured
    lang: str = "en"  #: the language asked of syndication and oEmbed
    mirrors: tuple[str, ...] = DEFAULT_MIRRORS  #: mirror URL templates ({handle}, {id}); () for none
    wayback: bool = True  #: ask the Wayback Machine (captures, and the search)
    related: bool = True  #: fetch quoted and replied-to tweets, one level deep
    expand_links: bool = True  #: expand the t.co links a source left unexpanded
    min_confidence: float = 0.8  #: a search picks a candidate scoring at least this
    min_margin: float = 0.1  #: ... and this far ahead of the runner-up
    max_candidates: int = 40  #: candidates fetched and scored per search
    max_age: float | None = None  #: cache: records older than this are misses
    allow_private: bool = False  #: let the expansion of short links reach private addresses

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.per_host < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        if not 0 <= self.min_confidence <= 1 or not 0 <= self.min_margin <= 1:
            raise ValueError("min_confidence and min_margin are between 0 and 1")
        if self.timeout <= 0:
            raise ValueError("the timeout must be positive")

    def sources(self) -> list[Source]:
        chain: list[Source] = [SyndicationSource(self.lang), OEmbedSource(self.lang)]
        chain += [MirrorSource(template) for template in self.mirrors]
        if self.wayback:
            chain.append(WaybackSource())
        return chain


class Recoverer:
    """One run's tweet recovery: sources, fetcher, expansion engine, memo and cache."""

    def __init__(
        self,
        options: TweetOptions | None = None,
        *,
        config: NetConfig | None = None,
        store: Store | None = None,
        factory: ClientFactory | None = None,
        clock: Any = None,
        limits: Limits | None = None,
    ) -> None:
        self.options = options or TweetOptions()
        self.config = config or NetConfig(timeout=self.options.timeout)
        self.store: Store = store if store is not None else NullStore()
        self.factory = factory or ClientFactory(self.config, per_host=self.options.per_host)
        self._own_factory = factory is None
        #: The run's limits when a caller shares its own (the archive's, the audit's).
        self._shared_limits = limits
        self.sources = self.options.sources()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._memo: dict[str, Tweet] = {}
        self._inflight: dict[str, asyncio.Future[tuple[Tweet, bool]]] = {}
        self._searches: dict[str, asyncio.Future[SearchResult]] = {}
        self._cached: set[str] = set()
        self._writes: list[tuple[str, dict[str, Any], float | None]] = []
        self.limits: Limits | None = None
        self.fetcher: Fetcher | None = None
        self.expander: Expander | None = None

    async def __aenter__(self) -> Recoverer:
        self.factory.prepare()
        self.limits = self._shared_limits or Limits(
            self.options.concurrency,
            self.options.per_host,
            gate_limits={CDX_GATE: CDX_CONCURRENCY, "web.archive.org": REPLAY_CONCURRENCY},
        )
        self.fetcher = Fetcher(
            self.factory,
            self.limits,
            timeout=self.options.timeout,
            retries=self.options.retries,
            max_retry_wait=self.options.max_retry_wait,
        )
        self.expander = Expander(
            ExpandOptions(
                concurrency=self.options.concurrency,
                per_host=self.options.per_host,
                timeout=self.options.timeout,
                retries=self.options.retries,
                max_retry_wait=self.options.max_retry_wait,
                allow_private=self.options.allow_private,
            ),
            config=self.config,
            store=self.store,
            factory=self.factory,
            limits=self.limits,  # one set of limits for every request of the run
        )
        await self.expander.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self.flush()
        if self.expander is not None:
            await self.expander.aclose()
        if self._own_factory:
            await self.factory.aclose()

    @property
    def requests(self) -> int:
        """Requests sent in this run (sources, searches and link expansions)."""
        return (self.fetcher.requests if self.fetcher else 0) + (
            self.expander.requests if self.expander else 0
        )

    # --- References ---------------------------------------------------------------------------

    async def lookup(self, ref: str, *, index: int | None = None) -> TweetLookup:
        """Identify and fetch the tweet `ref` names: an ID, a status URL, a t.co or
        pic.twitter.com link (or another short link), or an embed URL with `id=`."""
        text = ref.strip()
        m = _ID_RE.match(text)
        if m:
            if not 0 < int(m[1]) <= MAX_TWEET_ID:
                return TweetLookup(
                    ref, None, reason=f"not a tweet ID: {text} is out of range (1 to 2^63-1)", index=index
                )
            return await self._fetched(ref, TweetKey(str(int(m[1]))), IdSource.ID, index=index)
        status = parse_status_url(text)
        if status is not None and int(status.id) > MAX_TWEET_ID:
            return TweetLookup(
                ref, None, reason=f"not a tweet ID: {status.id} is out of range (1 to 2^63-1)", index=index
            )
        if status is not None:
            return await self._fetched(ref, _key(status), IdSource.STATUS_URL, status, index=index)
        m = _EMBED_ID_RE.search(text)
        if (
            m
            and 0 < int(m[1]) <= MAX_TWEET_ID
            and ("twitter" in host_of(text) or "x.com" in host_of(text) or "twimg" in host_of(text))
        ):
            return await self._fetched(ref, TweetKey(str(int(m[1]))), IdSource.EMBED_ID, index=index)
        url = text if "://" in text else f"https://{text}"
        host = host_of(url)
        if host and (is_shortener_host(host) or host in ("pic.twitter.com", "pic.x.com")):
            found, why = await self._via_link(url)
            if found is not None:
                status, source = found
                return await self._fetched(ref, _key(status), source, status, index=index)
            return TweetLookup(ref, None, reason=why, index=index)
        return TweetLookup(
            ref,
            None,
            reason="not a tweet reference: give an ID, a status URL, or a t.co / pic.twitter.com link",
            index=index,
        )

    async def lookups(self, refs: Iterable[str]) -> AsyncIterator[TweetLookup]:
        """`lookup` for many references, `concurrency` at a time, yielded in input order.

        A sliding window: a new reference starts as soon as one finishes, so one slow tweet
        holds back the output, never the requests of the others.
        """
        async for lookup in in_order(
            enumerate(refs), lambda item: self.lookup(item[1], index=item[0]), self.options.concurrency
        ):
            yield lookup

    # --- Articles -----------------------------------------------------------------------------

    async def article(self, scan: ArticleScan) -> ArticleTweets:
        """Every tweet embedded in a scanned article, identified and fetched."""
        results = await asyncio.gather(*(self.embedded(scan, i) for i in range(len(scan.tweets))))
        return ArticleTweets(scan.article, tuple(results))

    async def embedded(self, scan: ArticleScan, index: int) -> EmbeddedTweet:
        embed = scan.tweets[index]
        lookup = await self._embed_lookup(scan, embed, index)
        warning = _date_warning(embed, lookup.tweet)
        if warning:
            lookup = replace(lookup, warnings=(*lookup.warnings, warning))
        return EmbeddedTweet(embed, lookup, index)

    async def _embed_lookup(self, scan: ArticleScan, embed: TweetEmbed, index: int) -> TweetLookup:
        ref = embed.url or (
            f"@{embed.handle} {embed.date.isoformat()}" if embed.handle and embed.date else ""
        )
        if embed.id:
            status = parse_status_url(embed.url) if embed.url else None
            source = IdSource.EMBED_ID if embed.form in ID_ONLY_FORMS else IdSource.STATUS_URL
            key = TweetKey(embed.id, embed.handle or (status.handle if status else None))
            return await self._fetched(ref or embed.id, key, source, status)
        # Links inside the tweet: its own medium (pic.twitter.com) first; a t.co link may lead
        # to another tweet (a quoted one): taken only when the handle agrees.
        links = [link for link in scan.links if link.tweet == index]
        ordered = sorted(
            (
                link
                for link in links
                if link.kind in (LinkKind.TWITTER_MEDIA, LinkKind.SHORTENED, LinkKind.TWEET)
            ),
            key=lambda link: (link.kind is not LinkKind.TWITTER_MEDIA, link.kind is not LinkKind.TWEET),
        )
        reasons: list[str] = []
        for link in ordered:
            found: tuple[StatusRef, IdSource] | None
            if link.kind is LinkKind.TWEET and link.status is not None:
                found = (link.status, IdSource.STATUS_URL)
            elif link.kind is LinkKind.TWITTER_MEDIA and host_of(link.url).startswith("pbs."):
                continue  # a media file names no tweet
            else:
                found, why = await self._via_link(link.url)
                if found is None:
                    reasons.append(why)
                    continue
            status, source = found
            if embed.handle and status.handle and status.handle.lower() != embed.handle.lower():
                reasons.append(f"{link.url} leads to a tweet of @{status.handle}, not @{embed.handle}")
                continue
            return await self._fetched(link.url, _key(status, embed.handle), source, status)
        if not (embed.handle and embed.date and embed.text):
            missing = [
                n for n, v in (("handle", embed.handle), ("date", embed.date), ("text", embed.text)) if not v
            ]
            why = "no ID, no link to the tweet, and no " + " or ".join(missing) + " to search by"
            return TweetLookup(ref or "?", None, reason="; ".join([*reasons, why]))
        if not self.options.wayback:
            return TweetLookup(
                ref, None, reason="; ".join([*reasons, "the search needs the Wayback (--no-wayback)"])
            )
        result = await self._search(embed.handle, embed.date, embed.text)
        if result.chosen is None:
            return TweetLookup(ref, None, candidates=result.candidates, reason=result.reason)
        key = TweetKey(result.chosen.id, embed.handle, result.capture)
        lookup = await self._fetched(ref, key, IdSource.SEARCH, None)
        return replace(
            lookup, confidence=result.chosen.score, candidates=result.candidates, reason=result.reason
        )

    async def _search(self, handle: str, day: dt.date, quote: str) -> SearchResult:
        """`find_by_text`, once per (handle, date, quote) in a run and across runs (the cache:
        a found tweet for 30 days, no match for a day: the Wayback keeps capturing)."""
        key = f"{handle.lower()}|{day.isoformat()}|{self.options.min_confidence:g}|{normalize(quote)}"
        running = self._searches.get(key)
        if running is None:
            running = self._searches[key] = asyncio.ensure_future(self._search_fresh(key, handle, day, quote))
        return await asyncio.shield(running)

    async def _search_fresh(self, key: str, handle: str, day: dt.date, quote: str) -> SearchResult:
        if not isinstance(self.store, NullStore):
            entry = self.store.get(NS_SEARCH, key, max_age=self.options.max_age)
            if entry is not None:
                try:
                    return SearchResult.from_json(entry.value)
                except (KeyError, TypeError, ValueError, IndexError):
                    pass  # an entry of an older shape: search again
        assert self.fetcher is not None
        result = await find_by_text(
            handle,
            day,
            quote,
            fetcher=self.fetcher,
            fetch=lambda tweet_key: self.fetch(tweet_key, related=False),
            min_confidence=self.options.min_confidence,
            min_margin=self.options.min_margin,
            max_candidates=self.options.max_candidates,
        )
        if result.complete and not isinstance(self.store, NullStore):
            ttl = ttl_for("tweet") if result.chosen is not None else ttl_for("tweet-tombstone")
            self.store.put(NS_SEARCH, key, result.to_json(), ttl)
        return result

    # --- Fetching -----------------------------------------------------------------------------

    async def _fetched(
        self,
        ref: str,
        key: TweetKey,
        source: IdSource,
        status: StatusRef | None = None,
        *,
        index: int | None = None,
    ) -> TweetLookup:
        tweet, from_cache = await self._fetch_one(key, related=self.options.related)
        return TweetLookup(
            ref,
            tweet,
            id_source=source,
            confidence=1.0,
            media_index=status.media_index if status is not None else None,
            reason=f"ID from the {source.value}" if source is not IdSource.ID else "ID given",
            from_cache=from_cache,
            index=index,
        )

    async def fetch(self, key: TweetKey, *, related: bool | None = None) -> Tweet:
        """The record of one tweet (memo, cache, then the sources)."""
        tweet, _ = await self._fetch_one(key, related=self.options.related if related is None else related)
        return tweet

    async def _fetch_one(self, key: TweetKey, *, related: bool) -> tuple[Tweet, bool]:
        tweet, from_cache = await self._base(key)
        if related and tweet.text is not None:
            tweet = await self._with_related(tweet)
        return tweet, from_cache

    async def _base(self, key: TweetKey) -> tuple[Tweet, bool]:
        known = self._memo.get(key.id)
        if known is not None:
            return known, key.id in self._cached
        running = self._inflight.get(key.id)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[tuple[Tweet, bool]] = asyncio.get_running_loop().create_future()
        self._inflight[key.id] = future
        try:
            result = self._from_cache(key.id)
            if result is None:
                result = (await self._from_sources(key), False)
                self._save(result[0])
            else:
                self._cached.add(key.id)
            self._memo[key.id] = result[0]
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            self._inflight.pop(key.id, None)

    async def _from_sources(self, key: TweetKey) -> Tweet:
        assert self.fetcher is not None, "use Recoverer as an async context manager"
        tried: list[str] = []
        fate: TweetState | None = None
        fate_reason = ""
        not_found: list[str] = []
        content: Tweet | None = None
        for source in self.sources:
            if fate is not None and not source.archival:
                continue
            answer = await source.fetch(key, self.fetcher)
            tried.append(answer.summary(source.name))
            if answer.outcome is Outcome.FOUND and answer.tweet is not None:
                content = answer.tweet
                break
            if answer.outcome is Outcome.GONE and fate is None:
                fate = answer.state or TweetState.UNAVAILABLE
                fate_reason = f"{source.name}: {answer.reason}"
            elif answer.outcome is Outcome.NOT_FOUND and not source.archival:
                not_found.append(f"{source.name}: {answer.reason}")
        live_found = content is not None and content.source != "wayback"
        if live_found:
            state, reason = TweetState.AVAILABLE, f"served by {content.source}"  # type: ignore[union-attr]
        elif fate is not None:
            state, reason = fate, fate_reason
        elif not_found:
            # Not found by a live source and not stated otherwise by any: taken as deleted (the
            # embed widget shows a 404 as "this Post is unavailable").
            state, reason = TweetState.DELETED, "not found: " + "; ".join(not_found)
        else:
            state = TweetState.UNAVAILABLE
            reason = "no source answered: " + "; ".join(tried)
        if content is not None and not live_found:
            reason += f"; the content is from the Wayback capture {content.capture_url}"
        now = self._clock()
        if content is None:
            return Tweet(
                id=key.id,
                state=state,
                handle=key.handle,
                created_at=snowflake_time(key.id),
                reason=reason,
                fetched_at=now,
                tried=tuple(tried),
            )
        content = await self._expand_links(content)
        return replace(
            content,
            state=state,
            handle=content.handle or key.handle,
            reason=reason,
            fetched_at=now,
            tried=tuple(tried),
        )

    async def _expand_links(self, tweet: Tweet) -> Tweet:
        """Expand the t.co links a source left unexpanded (oEmbed, some captures)."""
        todo = [link for link in tweet.urls if link.expanded_url is None]
        if not todo or not self.options.expand_links or self.expander is None:
            return tweet
        expansions = await asyncio.gather(*(self.expander.expand(link.url) for link in todo))
        targets = {
            link.url: (e.tweet.url if e.tweet is not None else e.final_url)
            for link, e in zip(todo, expansions, strict=True)
            if e.ok or e.tweet is not None
        }
        links = tuple(
            TweetLink(link.url, targets.get(link.url), link.display_url) if link.url in targets else link
            for link in tweet.urls
        )
        text = tweet.text_original or tweet.text or ""
        for link in links:
            if link.expanded_url:
                text = text.replace(link.url, link.expanded_url)
        return replace(tweet, urls=links, text=text)

    async def _with_related(self, tweet: Tweet) -> Tweet:
        """Fetch the quoted and replied-to tweets one level deep (their own are not)."""
        quoted = tweet.quoted
        wanted: dict[str, TweetKey] = {}
        if tweet.quoted_id and quoted is None:
            wanted["quoted"] = TweetKey(tweet.quoted_id)
        if tweet.in_reply_to_id and tweet.in_reply_to is None:
            wanted["in_reply_to"] = TweetKey(tweet.in_reply_to_id, tweet.in_reply_to_handle)
        if not wanted:
            return tweet
        fetched = await asyncio.gather(*(self._base(key) for key in wanted.values()))
        found = {name: result[0] for name, result in zip(wanted, fetched, strict=True)}
        return replace(tweet, **found)

    # --- Short links ----------------------------------------------------------------------------

    async def _via_link(self, url: str) -> tuple[tuple[StatusRef, IdSource] | None, str]:
        """The status a short link leads to, and how it was found; else None and why not."""
        assert self.expander is not None
        expansion = await self.expander.expand(url)
        host = host_of(url)
        source = (
            IdSource.PIC
            if host in ("pic.twitter.com", "pic.x.com")
            else IdSource.TCO
            if host == "t.co"
            else IdSource.SHORT_LINK
        )
        if expansion.tweet is not None:
            return (expansion.tweet, source), ""
        if expansion.ok:
            return None, f"{url} leads to {expansion.final_url}, not to a tweet"
        return None, f"{url} could not be expanded: {expansion.verdict.value} ({expansion.reason})"

    # --- The cache ------------------------------------------------------------------------------

    def _from_cache(self, tweet_id: str) -> tuple[Tweet, bool] | None:
        if isinstance(self.store, NullStore):
            return None
        entry = self.store.get(NS_TWEET, tweet_id, max_age=self.options.max_age)
        if entry is None:
            return None
        try:
            return Tweet.from_json(entry.value), True
        except (KeyError, TypeError, ValueError):
            return None  # an entry of an older shape: fetch again

    def _save(self, tweet: Tweet) -> None:
        if isinstance(self.store, NullStore):
            return
        if tweet.state is TweetState.AVAILABLE:
            ttl = ttl_for("tweet")
        elif tweet.state in FATES:
            ttl = ttl_for("tweet-tombstone")
        else:
            return  # unavailable: every source failed transiently; the next run tries again
        value = tweet.to_json()
        value["quoted"] = value["in_reply_to"] = None  # fetched again on their own keys
        self._writes.append((tweet.id, value, ttl))
        if len(self._writes) >= 200:
            self.flush()

    def flush(self) -> None:
        if self._writes:
            items, self._writes = self._writes, []
            self.store.put_many(NS_TWEET, items)


def _key(status: StatusRef, handle: str | None = None) -> TweetKey:
    return TweetKey(status.id, status.handle or handle)


def _date_warning(embed: TweetEmbed, tweet: Tweet | None) -> str | None:
    """The cross-check: the ID's own date against the date the embed shows."""
    if tweet is None or embed.date is None or embed.date_source == "snowflake":
        return None
    minted = snowflake_time(tweet.id)
    if minted is None:
        return None
    gap = abs((minted.date() - embed.date).days)
    if gap > DATE_TOLERANCE_DAYS:
        return (
            f"the tweet's ID dates it {minted.date().isoformat()} (UTC), the embed says "
            f"{embed.date.isoformat()}: {gap} days apart"
        )
    return None


def refs_of(values: Sequence[str]) -> list[str]:
    """Non-empty, stripped references, in order (duplicates kept: one record each)."""
    return [v.strip() for v in values if v.strip() and not v.lstrip().startswith("#")]


__all__ = ["FATES", "NS_SEARCH", "NS_TWEET", "Recoverer", "TweetOptions", "refs_of"]
