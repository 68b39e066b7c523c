"""Writing recovered tweets for people (a listing) and machines (JSON, JSON Lines, CSV).

Two shapes, one per command:
- `resolver tweet`: one record per reference (`TweetLookup.to_json`): json is an array,
  jsonl one record a line, csv one row each.
- `resolver tweets`: per article, its embedded tweets (`EmbeddedTweet.to_json`: the scan's
  fields plus the record): json is one object for one article and an array for several (as
  `resolver scan`), jsonl one tweet a line with its `article`, csv one row per tweet.

Writers stream: results are written as they come.
"""

from __future__ import annotations

import csv
from typing import IO, Any

from resolver.models import ArticleTweets, EmbeddedTweet, Tweet, TweetLookup
from resolver.report import OutputFormat, StreamWriter, _clip, dumps

LOOKUP_CSV_COLUMNS = (
    "index",
    "ref",
    "id",
    "url",
    "state",
    "id_source",
    "confidence",
    "handle",
    "author",
    "created_at",
    "lang",
    "text",
    "links",
    "media_count",
    "media_urls",
    "quoted_id",
    "in_reply_to_id",
    "source",
    "reason",
    "warnings",
    "from_cache",
)
ARTICLE_CSV_COLUMNS = ("article", "tweet", "form", "line", "embed_date", *LOOKUP_CSV_COLUMNS[1:])


def _tweet_cells(lookup: TweetLookup) -> list[Any]:
    tweet = lookup.tweet
    return [
        lookup.ref,
        _blank(tweet.id if tweet else None),
        _blank(tweet.url if tweet else None),
        lookup.state.value,
        _blank(lookup.id_source.value if lookup.id_source else None),
        _blank(lookup.confidence),
        _blank(tweet.handle if tweet else None),
        _blank(tweet.author if tweet else None),
        _blank(tweet.to_json()["created_at"] if tweet else None),
        _blank(tweet.lang if tweet else None),
        _blank(tweet.text if tweet else None),
        " ".join(tweet.links) if tweet else "",
        len(tweet.media) if tweet else 0,
        " ".join(m.url for m in tweet.media) if tweet else "",
        _blank(tweet.quoted_id if tweet else None),
        _blank(tweet.in_reply_to_id if tweet else None),
        _blank(tweet.source if tweet else None),
        tweet.reason if tweet else lookup.reason,
        " | ".join(lookup.warnings),
        "true" if lookup.from_cache else "false",
    ]


class LookupWriter(StreamWriter[TweetLookup]):
    """Writes `resolver tweet` records one at a time, in any output format."""

    columns = LOOKUP_CSV_COLUMNS

    def count_key(self, item: TweetLookup) -> str:
        return item.state.value

    def csv_row(self, item: TweetLookup) -> list[Any]:
        return [_blank(item.index), *_tweet_cells(item)]

    def render(self, item: TweetLookup) -> None:
        render_lookup(item, self.console, label=item.ref)


class ArticleTweetsWriter:
    """Writes `resolver tweets` results one article at a time, in any output format."""

    def __init__(self, out: IO[str], fmt: OutputFormat, *, console: Any = None) -> None:
        self.out = out
        self.fmt = fmt
        self.console = console
        self.counts: dict[str, int] = {}
        self.articles = 0
        self._pending: ArticleTweets | None = None  # json: held back to know if it is the only one
        self._csv: Any = None
        if fmt is OutputFormat.CSV:
            self._csv = csv.writer(out, lineterminator="\n")
            self._csv.writerow(ARTICLE_CSV_COLUMNS)

    def write(self, result: ArticleTweets) -> None:
        self.articles += 1
        for item in result.tweets:
            state = item.lookup.state.value
            self.counts[state] = self.counts.get(state, 0) + 1
        if self.fmt is OutputFormat.JSONL:
            for item in result.tweets:
                self.out.write(dumps({"article": result.article, **item.to_json()}) + "\n")
        elif self.fmt is OutputFormat.JSON:
            if self.articles == 1:
                self._pending = result
                return
            if self._pending is not None:
                self.out.write("[\n" + dumps(self._pending.to_json()))
                self._pending = None
            self.out.write(",\n" + dumps(result.to_json()))
        elif self.fmt is OutputFormat.CSV:
            for item in result.tweets:
                self._csv.writerow(_article_row(result.article, item))
        else:
            render_article_tweets(result, self.console)

    def close(self) -> None:
        if self.fmt is OutputFormat.JSON:
            if self._pending is not None:
                self.out.write(dumps(self._pending.to_json()) + "\n")
            elif self.articles == 0:
                self.out.write("[]\n")
            else:
                self.out.write("\n]\n")
        self.out.flush()


def _article_row(article: str, item: EmbeddedTweet) -> list[Any]:
    embed = item.embed
    return [
        article,
        item.index,
        embed.form,
        _blank(embed.where.line),
        _blank(embed.date.isoformat() if embed.date else None),
        *_tweet_cells(item.lookup),
    ]


# --- For people ------------------------------------------------------------------------------------

_STATE_COLOURS = {"available": "green", "unavailable": "yellow", "unidentified": "yellow"}


def render_lookup(lookup: TweetLookup, console: Any, *, label: str) -> None:
    """A block per tweet:

    available  1.00 pic.twitter.com  https://pic.twitter.com/PXh7c6aziZ
        656722946431664128  @mod_russia (Минобороны России)  2015-10-21 06:45 UTC  syndication
        #FOOTAGE Elimination of a militants' strong point ...
        photo https://pbs.twimg.com/media/...?name=orig 1200x675
    """
    from rich.markup import escape

    width = max(60, console.width if console is not None else 120)
    state = lookup.state.value
    colour = _STATE_COLOURS.get(state, "red")
    how = lookup.id_source.value if lookup.id_source else "-"
    confidence = f"{lookup.confidence:.2f}" if lookup.confidence is not None else "    "
    cached = " [dim](cached)[/dim]" if lookup.from_cache else ""
    console.print(
        f"[{colour}]{state:<14}[/{colour}] {confidence} {how:<15} {escape(_clip(label, width - 40))}{cached}",
        highlight=False,
    )
    tweet = lookup.tweet
    if tweet is None:
        console.print(f"    {escape(lookup.reason)}", highlight=False, style="dim")
        for candidate in lookup.candidates:
            console.print(
                f"    candidate {candidate.id}  score {candidate.score:.2f}  "
                f"{escape(_clip(candidate.text or '', width - 50))}",
                highlight=False,
                style="dim",
            )
        return
    _render_tweet(tweet, console, width, indent="    ")
    for warning in lookup.warnings:
        console.print(f"    [yellow]warning:[/yellow] {escape(warning)}", highlight=False)


def _render_tweet(tweet: Tweet, console: Any, width: int, *, indent: str) -> None:
    from rich.markup import escape

    who = " ".join(
        x
        for x in (f"@{tweet.handle}" if tweet.handle else "", f"({tweet.author})" if tweet.author else "")
        if x
    )
    when = tweet.created_at.strftime("%Y-%m-%d %H:%M UTC") if tweet.created_at else ""
    facts = "  ".join(x for x in (tweet.id, who, when, tweet.source or "") if x)
    console.print(f"{indent}{escape(facts)}", highlight=False)
    if tweet.text:
        console.print(f"{indent}{escape(_clip(tweet.text, 3 * width))}", highlight=False, soft_wrap=True)
    elif tweet.reason:
        console.print(f"{indent}{escape(tweet.reason)}", highlight=False, style="dim")
    for media in tweet.media:
        size = f" {media.width}x{media.height}" if media.width and media.height else ""
        console.print(f"{indent}{media.type} {escape(media.url)}{size}", highlight=False, style="dim")
    for label, related in (("quotes", tweet.quoted), ("replies to", tweet.in_reply_to)):
        if related is not None:
            text = _clip(related.text or related.state.value, width - 40)
            console.print(f"{indent}{label} {related.id}: {escape(text)}", highlight=False, style="dim")


def render_article_tweets(result: ArticleTweets, console: Any) -> None:
    from rich.markup import escape

    console.print(f"[bold]{escape(result.article)}[/bold]: {len(result.tweets)} tweet(s)")
    for item in result.tweets:
        embed = item.embed
        label = f"tweet {item.index}  {embed.form}  {item.embed.where}"
        if embed.handle:
            label += f"  @{embed.handle}"
        if embed.date:
            label += f"  {embed.date.isoformat()}"
        render_lookup(item.lookup, console, label=label)
    console.print()


def _blank(value: object) -> object:
    return "" if value is None else value


__all__ = [
    "ARTICLE_CSV_COLUMNS",
    "LOOKUP_CSV_COLUMNS",
    "ArticleTweetsWriter",
    "LookupWriter",
    "render_lookup",
]
