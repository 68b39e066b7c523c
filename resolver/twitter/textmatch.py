"""Does a tweet's text match the quote an article kept of it? A score, after normalisation.

An article that flattened a tweet to text kept it imperfectly: links shown as
`pic.twitter.com/X` or dropped, `&amp;` unescaped or not, curly quotes straightened, hashtags
with or without `#`, line breaks folded, an ellipsis where the editor cut it. Both texts are
normalised the same way (`normalize`), then compared with rapidfuzz: the plain ratio, and a
partial ratio for a quote cut short, weighted so that a quote of one sentence of a long tweet
does not score like the whole tweet.

The score is never the only evidence: the search (`search.py`) takes a candidate only above
a threshold and with a margin over the runner-up, and never picks by date alone.
"""

from __future__ import annotations

import html
import re
import unicodedata

from rapidfuzz import fuzz

#: URLs of any form, scheme-less t.co and pic.twitter.com included: they differ between the
#: quote (display form, or dropped) and the source (t.co form, or expanded).
_URL_RE = re.compile(
    r"(?:https?://|www\.|\b(?:pic\.twitter\.com|pic\.x\.com|t\.co|bit\.ly)/)\S*", re.IGNORECASE
)
#: Quotes and apostrophes of every script, folded to plain ones.
_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"', "〝": '"', "〞": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'", "′": "'", "`": "'", "´": "'",
        "—": "-", "–": "-", "‐": "-", "‑": "-", "−": "-",
        "…": " ",
    }
)  # fmt: skip
_HASH_OR_AT_RE = re.compile(r"(?<![\w])[#＃@＠](?=\w)")
_SPACE_RE = re.compile(r"\s+")
_ELLIPSIS_RE = re.compile(r"\.{3,}")

#: A quote must keep at least this much of the tweet's text for a partial match to count fully.
PARTIAL_COVERAGE = 0.6


def normalize(text: str) -> str:
    """The comparable form of a tweet's text: unescaped, NFKC, case-folded, links dropped,
    `#` and `@` dropped (the words stay), quotes and dashes folded, whitespace collapsed."""
    text = html.unescape(html.unescape(text))  # "&amp;amp;" happens: an escaped escape
    text = unicodedata.normalize("NFKC", text)
    text = _URL_RE.sub(" ", text)
    text = text.translate(_QUOTES)
    text = _ELLIPSIS_RE.sub(" ", text)
    text = _HASH_OR_AT_RE.sub("", text)
    text = text.casefold()
    return _SPACE_RE.sub(" ", text).strip(" \"'-")


def similarity(quote: str, text: str) -> float:
    """How well `text` (a candidate tweet) matches `quote` (what the article kept), 0..1.

    The full ratio when the lengths agree; when the quote is a part of the tweet (or the
    tweet of the quote), the partial ratio, scaled down by how little of the longer the
    shorter covers below PARTIAL_COVERAGE: "#ISIS" alone must not match a whole tweet.
    """
    a, b = normalize(quote), normalize(text)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    full = fuzz.ratio(a, b) / 100
    shorter, longer = sorted((len(a), len(b)))
    coverage = shorter / longer
    partial = fuzz.partial_ratio(a, b) / 100
    if coverage < PARTIAL_COVERAGE:
        partial *= coverage / PARTIAL_COVERAGE
    return round(max(full, partial), 4)


__all__ = ["PARTIAL_COVERAGE", "normalize", "similarity"]
