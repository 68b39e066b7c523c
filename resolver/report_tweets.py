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
from resolver.safetext import spreadsheet_text, visible_escapes

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
    # Added after the first release, so at the end: a script that reads columns by position
    # keeps working. Together with the above, every field of the JSON record has a cell.
    "text_original",
    "media_types",
    "media",  #: the media list as JSON (type, url, size, alt text, ...): one cell, nothing lost
    "hashtags",
    "in_reply_to_handle",
    "fetched_at",
    "capture_url",
    "media_index",
    "candidates",  #: "ID:score" each, best first: what a search was unsure between
    "tried",
)
#: The scan's own view of the embed (what the article shows) comes last, for the same reason:
#: the columns above are the fetched tweet's, and an unidentified tweet has only these.
ARTICLE_CSV_COLUMNS = (
    "article",
    "tweet",
    "form",
    "line",
    "embed_date",
    *LOOKUP_CSV_COLUMNS[1:],
    "column",
    "embed_handle",
    "embed_author",
    "embed_text",
    "embed_links",
)


def lookup_json(lookup: TweetLookup) -> dict[str, Any]:
    """`lookup.to_json()`: every record key present, also when no tweet was identified."""
    return lookup.to_json()


def _csv_safe(cells: list[Any]) -> list[Any]:
    """Every text cell as a spreadsheet shows it as text (`safetext.spreadsheet_text`): refs,
    authors, tweet texts and reasons come from strangers; IDs, URLs, slugs and times never
    start like a formula, so they are left as they are."""
    return [spreadsheet_text(cell) if isinstance(cell, str) else cell for cell in cells]


def _tweet_cells(lookup: TweetLookup) -> list[Any]:
    tweet = lookup.tweet
    media = tweet.media if tweet else ()
    times = tweet.to_json() if tweet else {}  # the record's own ISO 8601 UTC spelling
    return [
        lookup.ref,
        _blank(tweet.id if tweet else None),
        _blank(tweet.url if tweet else None),
        lookup.state.value,
        _blank(lookup.id_source.value if lookup.id_source else None),
        _blank(lookup.confidence),
        _blank(tweet.handle if tweet else None),
        _blank(tweet.author if tweet else None),
        _blank(times.get("created_at")),
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
        _blank(tweet.text_original if tweet else None),
        " ".join(m.type for m in media),
        dumps([m.to_json() for m in media]) if media else "",
        " ".join(tweet.hashtags) if tweet else "",
        _blank(tweet.in_reply_to_handle if tweet else None),
        _blank(times.get("fetched_at")),
        _blank(tweet.capture_url if tweet else None),
        _blank(lookup.media_index),
        " ".join(f"{c.id}:{c.score}" for c in lookup.candidates),
        " | ".join(tweet.tried) if tweet else "",
    ]


class LookupWriter(StreamWriter[TweetLookup]):
    """Writes `resolver tweet` records one at a time, in any output format."""

    columns = LOOKUP_CSV_COLUMNS

    def write(self, item: TweetLookup) -> None:
        # StreamWriter writes `item.to_json()`, whose unidentified references lack the
        # record's keys: json and jsonl are written here from `lookup_json` instead.
        if self.fmt not in (OutputFormat.JSON, OutputFormat.JSONL):
            super().write(item)
            return
        key = self.count_key(item)
        self.counts[key] = self.counts.get(key, 0) + 1
        line = dumps(lookup_json(item))
        if self.fmt is OutputFormat.JSONL:
            self.out.write(line + "\n")
        else:
            self.out.write(("\n" if self._first else ",\n") + line)
        self._first = False

    def count_key(self, item: TweetLookup) -> str:
        return item.state.value

    def csv_row(self, item: TweetLookup) -> list[Any]:
        return _csv_safe([_blank(item.index), *_tweet_cells(item)])

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
    return _csv_safe(
        [
            article,
            item.index,
            embed.form,
            _blank(embed.where.line),
            _blank(embed.date.isoformat() if embed.date else None),
            *_tweet_cells(item.lookup),
            _blank(embed.where.column),
            _blank(embed.handle),
            _blank(embed.author),
            _blank(embed.text),
            " ".join(embed.links),
        ]
    )


# --- For people ------------------------------------------------------------------------------------

_STATE_COLOURS = {"available": "green", "unavailable": "yellow", "unidentified": "yellow"}


def _inert(text: str) -> str:
    """Text from strangers (a tweet, an author's name, a reference, a file name) as the table
    shows it: control characters and bidi overrides as visible escapes
    (`safetext.visible_escapes`: ESC would drive the terminal, U+202E reverse the line), then
    rich markup escaped (`[bold]` in a tweet stays text)."""
    from rich.markup import escape

    return escape(visible_escapes(text))


def _line(console: Any, markup: str, **style: Any) -> None:
    # emoji=False: a tweet's ":fire:" is its text, not a glyph rich puts in its place.
    console.print(markup, highlight=False, emoji=False, **style)


def render_lookup(lookup: TweetLookup, console: Any, *, label: str) -> None:
    """A block per tweet:

    available  1.00 pic.twitter.com  https://pic.twitter.com/PXh7c6aziZ
        656722946431664128  @mod_russia (Минобороны России)  2015-10-21 06:45 UTC  syndication
        #FOOTAGE Elimination of a militants' strong point ...
        photo https://pbs.twimg.com/media/...?name=orig 1200x675
    """
    width = max(60, console.width if console is not None else 120)
    state = lookup.state.value
    colour = _STATE_COLOURS.get(state, "red")
    how = lookup.id_source.value if lookup.id_source else "-"
    confidence = f"{lookup.confidence:.2f}" if lookup.confidence is not None else "    "
    cached = " [dim](cached)[/dim]" if lookup.from_cache else ""
    # The state, confidence and source take 36 columns; the label gets the rest of the line.
    _line(
        console,
        f"[{colour}]{state:<14}[/{colour}] {confidence} {how:<15} {_inert(_clip(label, width - 37))}{cached}",
    )
    tweet = lookup.tweet
    if tweet is None:
        _line(console, f"    {_inert(lookup.reason)}", style="dim")
        for candidate in lookup.candidates:
            _line(
                console,
                f"    candidate {candidate.id}  score {candidate.score:.2f}  "
                f"{_inert(_clip(candidate.text or '', width - 50))}",
                style="dim",
            )
        return
    _render_tweet(tweet, console, width, indent="    ")
    for warning in lookup.warnings:
        _line(console, f"    [yellow]warning:[/yellow] {_inert(warning)}")


def _render_tweet(tweet: Tweet, console: Any, width: int, *, indent: str) -> None:
    who = " ".join(
        x
        for x in (f"@{tweet.handle}" if tweet.handle else "", f"({tweet.author})" if tweet.author else "")
        if x
    )
    when = tweet.created_at.strftime("%Y-%m-%d %H:%M UTC") if tweet.created_at else ""
    facts = "  ".join(x for x in (tweet.id, who, when, tweet.source or "") if x)
    _line(console, f"{indent}{_inert(facts)}")
    if tweet.text:
        _line(console, f"{indent}{_inert(_clip(tweet.text, 3 * width))}", soft_wrap=True)
    elif tweet.reason:
        _line(console, f"{indent}{_inert(tweet.reason)}", style="dim")
    for media in tweet.media:
        size = f" {media.width}x{media.height}" if media.width and media.height else ""
        _line(console, f"{indent}{_inert(media.type)} {_inert(media.url)}{size}", style="dim")
    for label, related in (("quotes", tweet.quoted), ("replies to", tweet.in_reply_to)):
        if related is not None:
            text = _clip(related.text or related.state.value, width - 40)
            _line(console, f"{indent}{label} {related.id}: {_inert(text)}", style="dim")


def render_article_tweets(result: ArticleTweets, console: Any) -> None:
    _line(console, f"[bold]{_inert(result.article)}[/bold]: {len(result.tweets)} tweet(s)")
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
    "lookup_json",
    "render_lookup",
]
