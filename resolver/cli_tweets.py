"""`resolver tweet` and `resolver tweets`: the CLI over `resolver.twitter.api`.

Exit codes: 0 when every tweet was identified and its fate learned (deleted or suspended is
an answer, not a failure); 1 when a reference could not be identified, no source answered
for a tweet (state `unavailable`), or an article could not be read; with `--strict`, also
when a tweet is not `available`; 2 usage errors.
"""

from __future__ import annotations

import sys
import time
from typing import Annotated, Any

import typer

from resolver.cli import (
    EXIT_FAILURES,
    EXIT_USAGE,
    FormatOption,
    MaxSizeOption,
    OutputOption,
    _default_format,
    _error,
    _parse_duration,
    _parse_size,
    _write,
    app,
    network_config,
    open_cache,
)
from resolver.models import ScanFailure, TweetState
from resolver.safetext import visible_escapes

_FAILED_STATES = {TweetState.UNAVAILABLE.value, TweetState.UNIDENTIFIED.value}

Concurrency = Annotated[int, typer.Option("--concurrency", "-c", min=1, help="Requests in flight in all.")]
PerHost = Annotated[int, typer.Option("--per-host", min=1, help="Requests in flight to one host.")]
Timeout = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per request.")]
Retries = Annotated[
    int, typer.Option("--retries", min=0, help="Extra tries after a transient failure (5xx, 429, timeout).")
]
MaxRetryWait = Annotated[
    float, typer.Option("--max-retry-wait", min=0.0, help="Longest Retry-After honoured, in seconds.")
]
Lang = Annotated[str, typer.Option("--lang", help="Language asked of the embed endpoints.")]
Mirrors = Annotated[
    list[str] | None,
    typer.Option(
        "--mirror",
        help="A mirror URL template with {handle} and {id} (repeatable; replaces the defaults, "
        "api.fxtwitter.com and api.vxtwitter.com).",
    ),
]
NoMirrors = Annotated[bool, typer.Option("--no-mirrors", help="Do not ask third-party mirrors.")]
NoWayback = Annotated[
    bool, typer.Option("--no-wayback", help="Do not ask the Wayback Machine (no captures, no search).")
]
NoRelated = Annotated[bool, typer.Option("--no-related", help="Do not fetch quoted and replied-to tweets.")]
MinConfidence = Annotated[
    float,
    typer.Option(
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="A search picks a candidate only with at least this text score (0-1).",
    ),
]
MaxCandidates = Annotated[
    int, typer.Option("--max-candidates", min=1, help="Candidates fetched and scored per search.")
]
Proxy = Annotated[
    str | None, typer.Option("--proxy", help="Proxy URL (default: $HTTPS_PROXY / $HTTP_PROXY).")
]
CaBundle = Annotated[
    str | None, typer.Option("--ca-bundle", help="CA certificates file (default: $SSL_CERT_FILE).")
]
UserAgent = Annotated[str | None, typer.Option("--user-agent", help="User-Agent header.")]
CachePath = Annotated[
    str | None,
    typer.Option("--cache", help="Cache file (default: $RESOLVER_CACHE, else the user cache directory)."),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
MaxAge = Annotated[
    str | None, typer.Option("--max-age", help="Re-fetch cached tweets older than this (e.g. 7d, 12h).")
]
AllowPrivate = Annotated[
    bool, typer.Option("--allow-private", help="Let short links lead to private addresses.")
]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 when any tweet is not available.")]


def _setup(
    *,
    concurrency: int,
    per_host: int,
    timeout: float,
    retries: int,
    max_retry_wait: float,
    lang: str,
    mirrors: list[str] | None,
    no_mirrors: bool,
    no_wayback: bool,
    no_related: bool,
    min_confidence: float,
    max_candidates: int,
    proxy: str | None,
    ca_bundle: str | None,
    user_agent: str | None,
    cache_path: str | None,
    no_cache: bool,
    max_age: str | None,
    allow_private: bool,
) -> tuple[Any, Any, Any]:
    from resolver.twitter.recover import TweetOptions
    from resolver.twitter.sources.mirrors import DEFAULT_MIRRORS, check_template

    templates: tuple[str, ...] = () if no_mirrors else tuple(mirrors) if mirrors else DEFAULT_MIRRORS
    for template in templates:
        problem = check_template(template)
        if problem:
            _error(f"--mirror {template!r}: {problem}")
            raise typer.Exit(EXIT_USAGE)
    options = TweetOptions(
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        retries=retries,
        max_retry_wait=max_retry_wait,
        lang=lang,
        mirrors=templates,
        wayback=not no_wayback,
        related=not no_related,
        min_confidence=min_confidence,
        max_candidates=max_candidates,
        max_age=_parse_duration(max_age) if max_age else None,
        allow_private=allow_private,
    )
    config = network_config(proxy, ca_bundle, user_agent, timeout)
    store = open_cache(cache_path, no_cache, exit_code=EXIT_FAILURES)
    return options, config, store


def _read_refs(refs: list[str]) -> list[str]:
    out: list[str] = []
    for ref in refs:
        if ref == "-":
            from resolver.expander.inputs import read_stdin_list

            # Bytes that are not UTF-8 name no tweet: read as U+FFFD (the reference is reported
            # unidentified), so that the output stays valid UTF-8 whatever the locale; a line
            # over 1 MB (`< /dev/zero`) is refused as it arrives, not read into memory whole.
            text = read_stdin_list()
            out.extend(
                line.strip()
                for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            )
        elif ref.strip():
            out.append(ref.strip())
    return out


def _summary(counts: dict[str, int], what: str, started: float) -> None:
    total = sum(counts.values())
    summary = ", ".join(f"{state} {n}" for state, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    tail = f": {summary}" if summary else ""
    sys.stderr.write(f"resolver: {what} {total} tweets in {time.perf_counter() - started:.1f} s{tail}\n")


@app.command("tweet")
def tweet_command(
    refs: Annotated[
        list[str],
        typer.Argument(
            help="Tweet IDs, status URLs, t.co or pic.twitter.com links; '-' reads them from stdin.",
            show_default=False,
        ),
    ],
    fmt: FormatOption = None,
    output: OutputOption = None,
    concurrency: Concurrency = 32,
    per_host: PerHost = 4,
    timeout: Timeout = 15.0,
    retries: Retries = 2,
    max_retry_wait: MaxRetryWait = 60.0,
    lang: Lang = "en",
    mirrors: Mirrors = None,
    no_mirrors: NoMirrors = False,
    no_wayback: NoWayback = False,
    no_related: NoRelated = False,
    proxy: Proxy = None,
    ca_bundle: CaBundle = None,
    user_agent: UserAgent = None,
    cache_path: CachePath = None,
    no_cache: NoCache = False,
    max_age: MaxAge = None,
    allow_private: AllowPrivate = False,
    strict: Strict = False,
) -> None:
    """Recover tweets by reference: one record each (text, author, UTC time, media, fate).

    Sources, in order: the embed widget's syndication endpoint, oEmbed, public mirrors
    (FxTwitter, vxTwitter; --no-mirrors), then the Wayback Machine's capture of the status
    page (--no-wayback). States: available, deleted, suspended, protected, withheld,
    age-restricted, unavailable (no source answered), unidentified (no tweet ID found).
    """
    from resolver.net import run_async
    from resolver.report_tweets import LookupWriter
    from resolver.twitter.api import atweet_iter

    items = _read_refs(refs)
    if not items:
        _error("nothing to look up: give tweet IDs, status URLs, t.co or pic.twitter.com links, or '-'")
        raise typer.Exit(EXIT_USAGE)
    options, config, store = _setup(
        concurrency=concurrency, per_host=per_host, timeout=timeout, retries=retries,
        max_retry_wait=max_retry_wait, lang=lang, mirrors=mirrors, no_mirrors=no_mirrors,
        no_wayback=no_wayback, no_related=no_related, min_confidence=0.8, max_candidates=40,
        proxy=proxy, ca_bundle=ca_bundle, user_agent=user_agent, cache_path=cache_path,
        no_cache=no_cache, max_age=max_age, allow_private=allow_private,
    )  # fmt: skip
    chosen = fmt or _default_format()
    started = time.perf_counter()

    def body(out, console):  # type: ignore[no-untyped-def]
        writer = LookupWriter(out, chosen, console=console)

        async def pump() -> None:
            async for lookup in atweet_iter(items, options=options, config=config, store=store):
                writer.write(lookup)

        run_async(pump())
        writer.close()
        return writer.counts

    try:
        counts = _write(body, output)
    finally:
        store.close()
    _summary(counts, "looked up", started)
    if any(state in _FAILED_STATES for state in counts) or (
        strict and any(state != TweetState.AVAILABLE.value for state in counts)
    ):
        raise typer.Exit(EXIT_FAILURES)


@app.command("tweets")
def tweets_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Articles, as `resolver scan` takes them: files, directories, '-' or http(s):// URLs.",
            show_default=False,
        ),
    ],
    fmt: FormatOption = None,
    output: OutputOption = None,
    concurrency: Concurrency = 32,
    per_host: PerHost = 4,
    timeout: Timeout = 15.0,
    retries: Retries = 2,
    max_retry_wait: MaxRetryWait = 60.0,
    lang: Lang = "en",
    mirrors: Mirrors = None,
    no_mirrors: NoMirrors = False,
    no_wayback: NoWayback = False,
    no_related: NoRelated = False,
    min_confidence: MinConfidence = 0.8,
    max_candidates: MaxCandidates = 40,
    max_size: MaxSizeOption = "50MB",
    proxy: Proxy = None,
    ca_bundle: CaBundle = None,
    user_agent: UserAgent = None,
    cache_path: CachePath = None,
    no_cache: NoCache = False,
    max_age: MaxAge = None,
    allow_private: AllowPrivate = False,
    strict: Strict = False,
) -> None:
    """Recover every tweet embedded in articles: the scan's fields plus the fetched record.

    The ID comes from the embed (status URL, data-tweetid, Tweet.html?id=), else from the
    tweet's pic.twitter.com or t.co link, else, for a tweet flattened to text with no link,
    from a search of the Wayback Machine's captures of the handle's tweets around the
    signature's date, matched on the quoted text (`id_source` search, `confidence` the
    score; below --min-confidence the candidates are listed and nothing is guessed).
    """
    from resolver.net import run_async
    from resolver.report_tweets import ArticleTweetsWriter
    from resolver.twitter.api import atweets_iter

    if not inputs:
        _error("nothing to read: give articles (files, directories, '-' or URLs)")
        raise typer.Exit(EXIT_USAGE)
    options, config, store = _setup(
        concurrency=concurrency, per_host=per_host, timeout=timeout, retries=retries,
        max_retry_wait=max_retry_wait, lang=lang, mirrors=mirrors, no_mirrors=no_mirrors,
        no_wayback=no_wayback, no_related=no_related, min_confidence=min_confidence,
        max_candidates=max_candidates, proxy=proxy, ca_bundle=ca_bundle, user_agent=user_agent,
        cache_path=cache_path, no_cache=no_cache, max_age=max_age, allow_private=allow_private,
    )  # fmt: skip
    limit = _parse_size(max_size)
    chosen = fmt or _default_format()
    started = time.perf_counter()
    failures: list[ScanFailure] = []

    def body(out, console):  # type: ignore[no-untyped-def]
        writer = ArticleTweetsWriter(out, chosen, console=console)

        async def pump() -> None:
            async for item in atweets_iter(
                inputs, options=options, config=config, store=store, max_size=limit
            ):
                if isinstance(item, ScanFailure):
                    failures.append(item)
                    # A file name is a stranger's text too: no raw ESC or bidi override on stderr.
                    _error(visible_escapes(f"{item.article}: {item.reason}"))
                else:
                    writer.write(item)

        run_async(pump())
        writer.close()
        return writer

    try:
        writer = _write(body, output, inputs)
    finally:
        store.close()
    _summary(writer.counts, f"recovered, in {writer.articles} article(s),", started)
    if writer.articles == 0 and not failures:
        _error("nothing to read: no article found in the inputs")
        raise typer.Exit(EXIT_USAGE)
    if (
        failures
        or any(state in _FAILED_STATES for state in writer.counts)
        or (strict and any(state != TweetState.AVAILABLE.value for state in writer.counts))
    ):
        raise typer.Exit(EXIT_FAILURES)


__all__ = ["tweet_command", "tweets_command"]
