"""The library call behind `resolver archive`.

    import resolver
    for result in resolver.archive(["examples/sputnik-pt-2015-syria.txt"]):
        print(result.folder, result.archived, result.failed)

`aarchive_iter` is the async twin. An article that cannot be read is a `ScanFailure`; an
archive folder that cannot be used raises nothing either: it comes out as a `ScanFailure`
naming the folder and what to do.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterable

from cache import Store
from resolver.aio import in_order
from resolver.archive.archiver import ArchiveOptions, Archiver, ArchiveResult
from resolver.errors import InputError, ResolverError
from resolver.inputs import DEFAULT_MAX_SIZE, iter_sources, load_with_bytes
from resolver.models import ScanFailure
from resolver.net import NetConfig, run_async

#: Articles archived at once: their links share the run's limits.
ARTICLE_WINDOW = 8


async def aarchive_iter(
    inputs: Iterable[str],
    *,
    options: ArchiveOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    clock: Callable[[], dt.datetime] | None = None,
) -> AsyncIterator[ArchiveResult | ScanFailure]:
    """Archive each article; one result per article, in input order."""
    from resolver.scanner import scan_article

    sources = iter_sources(inputs)
    async with Archiver(options, config=config, store=store, clock=clock) as archiver:

        async def one(source: str | InputError) -> ArchiveResult | ScanFailure:
            if isinstance(source, InputError):
                return ScanFailure(source.source, source.reason)
            try:
                raw, article = await asyncio.to_thread(
                    load_with_bytes, source, max_size=max_size, timeout=archiver.options.timeout
                )
                scan = scan_article(article)
                return await archiver.archive(scan, raw, html=article.text)
            except ResolverError as exc:
                return ScanFailure(source, getattr(exc, "reason", None) or str(exc))
            except OSError as exc:
                return ScanFailure(source, f"cannot write the archive: {exc.strerror or exc}")

        # In input order; a slow article holds back the output, never the work on the others.
        async for result in in_order(sources, one, ARTICLE_WINDOW):
            yield result


async def aarchive(inputs: Iterable[str], **kwargs: object) -> list[ArchiveResult | ScanFailure]:
    return [result async for result in aarchive_iter(inputs, **kwargs)]  # type: ignore[arg-type]


def archive(
    inputs: Iterable[str],
    *,
    options: ArchiveOptions | None = None,
    config: NetConfig | None = None,
    store: Store | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> list[ArchiveResult | ScanFailure]:
    """Archive what each article cites beside it (files, directories, '-', URLs)."""
    return run_async(
        aarchive(inputs, options=options, config=config, store=store, max_size=max_size),
        twin="resolver.aarchive",
    )


__all__ = ["ArchiveOptions", "ArchiveResult", "aarchive", "aarchive_iter", "archive"]
