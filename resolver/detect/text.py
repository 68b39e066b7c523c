"""Tweets flattened to plain text: the tweet's text, then `— Display Name (@handle) DATE`.

That signature is what an embed's blockquote becomes when a page is copied, converted to text
or to Markdown, or its widget script never ran: Twitter's embed code ends the quote with
`&mdash; Name (@handle) <a href="…/status/ID">DATE</a>`. For example (the example article,
shared/corpus/sputnik-pt-2015-syria.txt):

    … as tropas governamentais também liberaram várias aldeias em torno do sul da cidade.
    #FOOTAGE Elimination of a militants' strong point (#Aleppo province) https://t.co/eKInDZJCbH …
    — Минобороны России (@mod_russia) 21 outubro 2015

What makes a signature (each rule guards against a false positive seen in prose):

- a handle in parentheses, `(@handle)`, with Twitter's handle alphabet (`(@ 5pm)` is not one);
- a dash before the display name: `—`, `–`, `―`, `&mdash;` (and its numeric forms), `--` or
  `-`. Hyphens must be followed by a space (`Jean-Luc (@jl)` has no dash). The dash either
  starts the line (after spaces or Markdown `>` quote marks), which is the *line form*, or stands
  after a space further along the line, the *inline form* (`… pic.twitter.com/x — Name (@h) DATE`,
  where the converter joined the quote into one line);
- right after the handle, a date that `parse_embed_date` reads, then nothing but spaces and
  closing punctuation to the end of the line (`- John Smith (@jsmith) said` is not a signature,
  nor is a bullet `- item (@x)`). The date may be a Markdown link (`[21 outubro 2015](URL)`, what
  html-to-Markdown converters make of the embed's date link) or be followed by a status URL.

How the tweet's text is delimited (there is no markup left to say where it starts):

- line form: the block of lines immediately above the signature line, walking up while a line
  is non-blank, is not itself a signature line, and the block still fits in a tweet. "Fits" is
  Twitter's own count with some slack (see `tweet_length`): 140 characters before 2017-11-07,
  280 weighted characters after, each URL counted as 23. A news paragraph above the quote is
  almost always longer than what is left, so the walk stops there: in the example article the
  Portuguese paragraphs stay out.
- inline form: the text before the dash on the same line (the converter joined the quote's lines
  into that one, so the line above belongs to the article). When that text is too long to be a
  tweet, the longest tail of it that starts a sentence and fits is kept.
- either way the span is stripped of surrounding spaces (and Markdown quote marks at its start);
  when nothing fits, the span is empty, at the signature's start: a signature alone still
  counts, its tweet's text is just unknown.

Known limit: a short article line directly above the tweet with no blank line between
("Veja o tweet:"), or a short article sentence before an inline tweet, fits in the budget and is
taken as part of the tweet's text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from resolver.detect.dates import DATE_PATTERN, TRAIL_PATTERN, parse_embed_date

__all__ = ["FORM", "Signature", "find_signatures", "tweet_length"]

#: `TweetEmbed.form` for tweets found by their signature.
FORM = "text-signature"


@dataclass(frozen=True, slots=True)
class Signature:
    """A flattened tweet's signature, `— Name (@handle) DATE`, and where its text is.

    `text[start:end]` is the signature, from the dash to the end of the date (including the
    Markdown link or status URL around or after the date, when there is one);
    `text[text_start:text_end]` is the tweet's text, empty (both at `start`) when unknown.
    """

    start: int
    end: int
    author: str  #: the display name as written (may be empty)
    handle: str  #: without the `@`
    date: dt.date | None
    date_text: str | None  #: the date exactly as written
    date_lang: str | None  #: the language the date is written in (see `parse_embed_date`)
    text_start: int
    text_end: int
    url: str | None = None  #: where the date links to (the status URL), when the text kept it


# --------------------------------------------------------------------------------------------
# Patterns.

# Spaces within a line, with the no-break, ideographic and bidi marks pages put in signatures.
_SP = r"(?:[^\S\n\r]|[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069])"
_STRONG_DASH = r"&mdash;|&#8212;|&#x2014;|&ndash;|&#8211;|&#x2013;|[—–―]"
# `-5 degrees (@x) …` and `Jean-Luc (@jl) …` have hyphens, not dashes: require a space after.
_HYPHEN_DASH = r"--?(?=[^\S\n\r])"
# Markdown quote marks may come first: `> — Name (@h) DATE`. So may zero-width and bidi marks,
# which rich-text editors and RTL pages leave at the start of a line (`\u200b— Name (@h) …`).
_QUOTE_MARKS = re.compile(rf"{_SP}*(?:>{_SP}*)*")
_LEAD_DASH = re.compile(rf"{_SP}*(?:>{_SP}*)*(?:(?P<strong>{_STRONG_DASH})|(?P<hyphen>{_HYPHEN_DASH}))")
_INLINE_DASH = re.compile(
    rf"(?<![^\s\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069])"
    rf"(?:(?P<strong>{_STRONG_DASH})|(?P<hyphen>{_HYPHEN_DASH}))"
)
# Twitter handles are 1-15 of [A-Za-z0-9_]; a few accounts from 2006-2008 have longer ones.
# Full-width parentheses: some CJK pages convert them.
_HANDLE = re.compile(r"[(（][^\S\n\r]*@(?P<handle>[A-Za-z0-9_]{1,20})[^\S\n\r]*[)）]")
_STATUS_URL = r"https?://(?:(?:www|mobile)\.)?(?:twitter|x)\.com/\w+(?:/web)?/status(?:es)?/\d+[^\s()<>\[\]]*"
# What follows the handle, up to the end of the line.
_TAIL = re.compile(
    rf"{_SP}*(?:"
    rf"\[{_SP}*(?P<md>{DATE_PATTERN}){_SP}*\]\((?P<mdurl>[^\s()]*)\)"
    rf"|(?P<date>{DATE_PATTERN})(?:{_SP}+(?P<lt><)?(?P<url>{_STATUS_URL})>?)?"
    rf"){TRAIL_PATTERN}\Z"
)
# A sentence ends, and the next may be a tweet's text (inline form).
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)]*\s+")
_URL = re.compile(r"https?://\S+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")

#: Display names are at most 50 characters; an emoji can take 7 code points. Longer is prose.
_MAX_AUTHOR = 120
#: What can follow a handle on a signature line: the date, a status URL, punctuation.
_MAX_TAIL = 400
#: Lines longer than this are article paragraphs, whatever their URLs (a tweet's URLs count 23).
_MAX_LINE = 4096
#: The day Twitter doubled the limit to 280 and started weighting CJK and emoji as 2.
_LONG_TWEETS = dt.date(2017, 11, 7)
#: Hand copies add spaces, quotes and ellipses, and media links that Twitter did not count.
_SLACK = 1.1


# --------------------------------------------------------------------------------------------
# Tweet length.


def _light(c: str) -> bool:
    """Weight 1 in Twitter's weighted count (twitter-text v3 config); every other code point is 2."""
    o = ord(c)
    return o <= 0x10FF or 0x2000 <= o <= 0x200D or 0x2010 <= o <= 0x201F or 0x2032 <= o <= 0x2037


def tweet_length(text: str, weighted: bool = True) -> int:
    """Twitter's count of `text`: each URL is 23 characters (t.co); runs of whitespace count 1.

    `weighted` is the count since 2017-11-07: CJK, emoji and other code points past U+10FF
    weigh 2 against a limit of 280. Before, every code point weighed 1 against 140.
    """
    text = _WHITESPACE.sub(" ", text)
    total = 0
    pos = 0
    for m in _URL.finditer(text):
        total += _plain_length(text[pos : m.start()], weighted) + 23
        pos = m.end()
    return total + _plain_length(text[pos:], weighted)


def _plain_length(text: str, weighted: bool) -> int:
    if not weighted:
        return len(text)
    return sum(1 if _light(c) else 2 for c in text)


def _budget(date: dt.date | None) -> tuple[int, bool]:
    """The most a tweet of that date can hold, with slack, and whether to weigh characters."""
    if date is not None and date < _LONG_TWEETS:
        return int(140 * _SLACK), False
    return int(280 * _SLACK), True


# --------------------------------------------------------------------------------------------
# Finding signatures.


@dataclass(frozen=True, slots=True)
class _Found:
    """A signature before its text span is known."""

    start: int
    end: int
    author: str
    handle: str
    date: dt.date
    date_text: str
    date_lang: str | None
    url: str | None
    line_start: int
    content_start: int  #: of the signature's line, after spaces and quote marks
    inline: bool


def find_signatures(text: str, hint_langs: Sequence[str] = ()) -> list[Signature]:
    """Every flattened tweet signature in `text`, in order (see the module's docstring).

    `text` is plain text with `\\n` line ends (the caller normalises `\\r\\n`); `hint_langs`
    are the page's languages, passed to `parse_embed_date` to name the dates' language. Never
    raises. Text without `@` costs one scan; each `(@handle)` then costs a match of what follows
    it, and only those followed by a date at the end of their line cost more.
    """
    if not isinstance(text, str) or "@" not in text:  # the cheap prefilter: no handle, no tweet
        return []
    hints = tuple(h for h in hint_langs if isinstance(h, str))
    found = [f for m in _HANDLE.finditer(text) if (f := _signature_at(text, m, hints)) is not None]
    signature_lines = {f.line_start for f in found}
    return [_with_text(text, f, signature_lines) for f in found]


def _signature_at(text: str, handle: re.Match[str], hints: tuple[str, ...]) -> _Found | None:
    """The signature around `handle`, if the line has the date after it and a dash before."""
    # The date ends the line, so the line ends soon after the handle: looking no further keeps
    # a long single-line text with many handles linear.
    line_end = text.find("\n", handle.end(), handle.end() + _MAX_TAIL)
    if line_end == -1:
        if len(text) > handle.end() + _MAX_TAIL:
            return None
        line_end = len(text)
    tail = _TAIL.match(text, handle.end(), line_end)
    if tail is None:
        return None
    if tail["md"] is not None:
        date_group, url, end = "md", tail["mdurl"] or None, tail.end("mdurl") + 1
    else:
        date_group, url, end = "date", tail["url"], tail.end("date")
        if url is not None:
            end = tail.end("url") + (1 if tail["lt"] and text.startswith(">", tail.end("url")) else 0)
    parsed = parse_embed_date(tail[date_group], hints)
    if parsed is None:
        return None
    line_start = text.rfind("\n", 0, handle.start()) + 1

    dash = _signature_dash(text, line_start, handle.start())
    if dash is None:
        return None
    dash_start, dash_end, inline = dash
    author = text[dash_end : handle.start()].strip()
    if len(author) > _MAX_AUTHOR:
        return None
    content_start = _QUOTE_MARKS.match(text, line_start, line_end).end()  # type: ignore[union-attr]
    return _Found(
        start=dash_start,
        end=end,
        author=author,
        handle=handle["handle"],
        date=parsed[0],
        date_text=tail[date_group],
        date_lang=parsed[1],
        url=url,
        line_start=line_start,
        content_start=content_start,
        inline=inline,
    )


def _signature_dash(text: str, line_start: int, handle_start: int) -> tuple[int, int, bool] | None:
    """The span of the dash that opens the signature, and whether the signature is inline.

    A dash that starts the line opens it, whatever follows (display names may contain dashes).
    Except a hyphen followed later by a real dash: that hyphen was a list bullet. Otherwise the
    last dash on the line before the handle, a real dash rather than a hyphen when there is one.
    """
    # The author's name is short: the dash is near the handle, so only look there.
    region = max(line_start, handle_start - _MAX_AUTHOR - 16)
    lead = _LEAD_DASH.match(text, line_start, handle_start) if region == line_start else None
    strong: re.Match[str] | None = None
    hyphen: re.Match[str] | None = None
    for m in _INLINE_DASH.finditer(text, lead.end() if lead else region, handle_start):
        if m["strong"] is not None:
            strong = m
        else:
            hyphen = m
    if lead is not None and (lead["strong"] is not None or strong is None):
        group = "strong" if lead["strong"] is not None else "hyphen"
        return lead.start(group), lead.end(group), False
    chosen = strong or hyphen
    return (chosen.start(), chosen.end(), True) if chosen is not None else None


def _with_text(text: str, f: _Found, signature_lines: set[int]) -> Signature:
    budget, weighted = _budget(f.date)
    if f.inline:
        span = _inline_text(text, f.content_start, f.start, budget, weighted)
    else:
        span = _text_above(text, f.line_start, signature_lines, budget, weighted)
    text_start, text_end = span if span is not None else (f.start, f.start)
    return Signature(
        start=f.start,
        end=f.end,
        author=f.author,
        handle=f.handle,
        date=f.date,
        date_text=f.date_text,
        date_lang=f.date_lang,
        text_start=text_start,
        text_end=text_end,
        url=f.url,
    )


#: Zero-width and bidi marks: invisible, so stripped around a tweet's text like spaces.
_MARK_CHARS = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """`[start, end)` without surrounding whitespace and invisible marks."""
    while start < end and (text[start].isspace() or text[start] in _MARK_CHARS):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _MARK_CHARS):
        end -= 1
    return start, end


def _text_above(
    text: str, line_start: int, signature_lines: set[int], budget: int, weighted: bool
) -> tuple[int, int] | None:
    """The block of lines right above the signature line that fits in a tweet (line form)."""
    top: int | None = None
    bottom: int | None = None
    total = 0
    cursor = line_start  # start of the line below the one being considered
    while cursor > 0:
        line_end = cursor - 1  # the "\n" that ends the line above
        window = max(0, line_end - _MAX_LINE)
        newline = text.rfind("\n", window, line_end)
        if newline == -1 and window > 0:
            break  # longer than any tweet, URLs and all: an article paragraph
        start = newline + 1
        if start in signature_lines:
            break  # the previous tweet's signature: its text is above it, not ours
        content = _QUOTE_MARKS.match(text, start, line_end).end()  # type: ignore[union-attr]
        content, end = _strip(text, content, line_end)
        if content == end:
            break  # a blank line (or a bare `>`) ends the quote
        length = tweet_length(text[content:end], weighted)
        if total + (1 if total else 0) + length > budget:
            break
        total += (1 if total else 0) + length
        top = content
        if bottom is None:
            bottom = end
        cursor = start
    return (top, bottom) if top is not None and bottom is not None else None


def _inline_text(text: str, start: int, dash: int, budget: int, weighted: bool) -> tuple[int, int] | None:
    """The text before the dash on the signature's line, or the sentences at its end that fit."""
    start, end = _strip(text, start, dash)
    if start == end:
        return None
    if tweet_length(text[start:end], weighted) <= budget:
        return start, end
    # Too long for a tweet: the article's sentence(s) come first. Look for the longest tail that
    # starts a sentence and fits; within the last _MAX_LINE characters only, to stay linear.
    for m in _SENTENCE_END.finditer(text, max(start, end - _MAX_LINE), end):
        if m.end() < end and tweet_length(text[m.end() : end], weighted) <= budget:
            return m.end(), end
    return None
