"""The library calls behind `resolver tweet` and `resolver tweets`.

    import resolver
    records = resolver.tweet(["https://pic.twitter.com/PXh7c6aziZ", "656722946431664128"])
    articles = resolver.tweets(["examples/sputnik-pt-2015-syria.txt"])

Async twins (`atweet`, `atweet_iter`, `atweets`, `atweets_iter`) for use inside an event loop.
A reference or tweet that cannot be recovered is a record with a state and a reason, never
an exception; an article that cannot be read is a `ScanFailure`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from itertools import islice

from cache import Store
from resolver.models import ArticleScan, ArticleTweets, ScanFailure, TweetLookup
from resolver.net import NetConfig, run_async
from resolver.twitter.recover import Recoverer, TweetOptions

#: Articles recovered at once: their tweets share the run's limits.
ARTICLE_WINDOW = 8


async def atweet_iter(
    refs: Iterable[str],
    *,
    options: TweetOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
) -> AsyncIterator[TweetLookup]:
    """One record per reference, in input order, as they are ready."""
    async with Recoverer(options, config=config, store=store) as recoverer:
        async for lookup in recoverer.lookups(refs):
            yield lookup


async def atweet(
    refs: Iterable[str],
    *,
    options: TweetOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
) -> list[TweetLookup]:
    return [lookup async for lookup in atweet_iter(refs, options=options, config=config, store=store)]


def tweet(
    refs: Iterable[str],
    *,
    options: TweetOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
) -> list[TweetLookup]:
    """Identify and fetch each tweet reference (ID, status URL, t.co or pic.twitter.com link)."""
    return run_async(atweet(refs, options=options, config=config, store=store), twin="resolver.atweet")


async def atweets_iter(
    inputs: Iterable[str],
    *,
    options: TweetOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    max_size: int | None = None,
    timeout: float = 30.0,
) -> AsyncIterator[ArticleTweets | ScanFailure]:
    """Scan each article and recover its tweets; one result per article, in input order."""
    from resolver.inputs import DEFAULT_MAX_SIZE
    from resolver.scanner import scan_many

    scans = scan_many(inputs, workers=1, max_size=max_size or DEFAULT_MAX_SIZE, timeout=timeout)
    async with Recoverer(options, config=config, store=store) as recoverer:
        while True:
            # Scanning is CPU work in this thread; a window of articles is recovered at once.
            batch: list[ArticleScan | ScanFailure] = await asyncio.to_thread(
                lambda: list(islice(scans, ARTICLE_WINDOW))
            )
            if not batch:
                break
            done = await asyncio.gather(
                *(recoverer.article(item) for item in batch if isinstance(item, ArticleScan))
            )
            recovered = iter(done)
            for item in batch:
                yield item if isinstance(item, ScanFailure) else next(recovered)


async def atweets(
    inputs: Iterable[str],
    *,
    options: TweetOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    max_size: int | None = None,
) -> list[ArticleTweets | ScanFailure]:
    return [
        item
        async for item in atweets_iter(inputs, options=options, config=config, store=store, max_size=max_size)
    ]


def tweets(
    inputs: Iterable[str],
    *,
    options: TweetOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    max_size: int | None = None,
) -> list[ArticleTweets | ScanFailure]:
    """Every tweet embedded in each article (files, directories, '-', URLs), recovered."""
    return run_async(
        atweets(inputs, options=options, config=config, store=store, max_size=max_size),
        twin="resolver.atweets",
    )


__all__ = ["TweetOptions", "atweet", "atweet_iter", "atweets", "atweets_iter", "tweet", "tweets"]
