"""URL heuristics: which links are tweets, Twitter media, short links or profiles.

Each heuristic is named data (host tables, reserved paths, path patterns) plus one small
matcher. Everything here is pure and total: garbage in gives "", None, False or OTHER, never
an exception, because a scanner that runs over thousands of scraped articles must not stop at
the first odd href. Decisions that could have gone either way are written beside the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from typing import NamedTuple, TypeVar
from urllib.parse import quote, urljoin, urlsplit

from resolver.models import LinkKind, StatusRef

T = TypeVar("T")

__all__ = [
    "RESERVED_PATHS",
    "SHORTENER_HOSTS",
    "SHORTENER_SUFFIXES",
    "STATUS_MIRROR_HOSTS",
    "TWITTER_HOSTS",
    "TWITTER_MEDIA_HOSTS",
    "absolutize",
    "classify",
    "find_urls",
    "host_of",
    "is_entity_link",
    "is_ignored_url",
    "is_shortener_host",
    "parse_profile_url",
    "parse_status_url",
]


# --- Host tables ------------------------------------------------------------------------------


def _load_hosts(name: str) -> frozenset[str]:
    """One host a line; `#` starts a comment. Read once, at import."""
    text = resources.files("resolver.data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(
        line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()
    )


#: URL shorteners and redirect services (resolver/data/shorteners.txt; the file says what belongs).
SHORTENER_HOSTS: frozenset[str] = _load_hosts("shorteners.txt")

#: Services that give each customer its own subdomain, so no table of hosts can list them.
#: Matched as suffixes (with the leading dot: the bare domain is the vendor's own site).
SHORTENER_SUFFIXES: tuple[str, ...] = (
    ".page.link",  # Firebase Dynamic Links: NAME.page.link/CODE
    ".app.goo.gl",  # Firebase's Google-hosted form (maps.app.goo.gl, photos.app.goo.gl)
    ".app.link",  # Branch deep links: NAME.app.link/CODE
    ".onelink.me",  # AppsFlyer OneLink
    # Outlook "Safe Links" rewrite every link in a mail (eur01.safelinks...); text pasted from a
    # mail client into a CMS keeps them.
    ".safelinks.protection.outlook.com",
)

#: Twitter's own hosts, after `www.` is stripped. twitter.com redirects to x.com since 2024 and
#: old articles hold mobile.twitter.com links copied from phones; m.twitter.com was its short form.
TWITTER_HOSTS: frozenset[str] = frozenset(
    {"twitter.com", "mobile.twitter.com", "m.twitter.com", "x.com", "mobile.x.com"}
)

#: Hosts of tweet media. pic.twitter.com/CODE is a t.co code in disguise (it redirects to the
#: status's /photo/1 or /video/1 URL); pbs and video.twimg.com serve the files themselves.
TWITTER_MEDIA_HOSTS: frozenset[str] = frozenset(
    {"pic.twitter.com", "pic.x.com", "pbs.twimg.com", "video.twimg.com"}
)

#: Embed-fixing mirrors that serve a tweet at the same /USER/status/ID path (people paste them into
#: chats and CMSs so the preview shows the media). The ID is the tweet's own, so a status URL on one
#: of these is that tweet. Nitter is left out: its instances come and go, and most died in 2024.
STATUS_MIRROR_HOSTS: frozenset[str] = frozenset({"fxtwitter.com", "vxtwitter.com", "fixupx.com", "fixvx.com"})

_STATUS_HOSTS: frozenset[str] = TWITTER_HOSTS | STATUS_MIRROR_HOSTS

#: Hosts that find_urls accepts without a scheme (`bit.ly/abc`, `pic.twitter.com/X`): known link
#: hosts only, because `word.word/` in prose is as often a typo or a file name as a link.
_BARE_HOSTS: frozenset[str] = SHORTENER_HOSTS | _STATUS_HOSTS | TWITTER_MEDIA_HOSTS


def is_shortener_host(host: str) -> bool:
    """True if `host` (as host_of returns it) is a shortener or redirect service."""
    # Exact match, not "any parent domain": on.ft.com is a shortener and ft.com is not, and
    # listing t.co must not make every *.t.co a shortener by accident.
    return host in SHORTENER_HOSTS or host.endswith(SHORTENER_SUFFIXES)


# --- Parsing helpers --------------------------------------------------------------------------

# A scheme is letters, digits, + and - (RFC 3986 section 3.1 also allows ".", left out so that
# "example.com:8080/x" is not read as the scheme "example.com"); "localhost:8080/" is a host and
# a port, not the scheme "localhost", hence the lookahead.
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+\-]*):(?!\d{1,5}(?:[/?#]|$))")

# What a host may be after IDNA: LDH labels (plus "_", which DNS allows and some subdomains
# carry), or an IP literal. Anything else ("%62it.ly", "a b.com") is not a host we can look up.
_HOST_OK_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_])?|[0-9a-f:.]+")

# Stripped around a URL besides whitespace: zero-width characters that rich-text editors leave.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


class _Parts(NamedTuple):
    scheme: str  # lower-case, "" when the URL was written without one
    host: str  # as host_of returns it
    path: str
    query: str
    fragment: str


@lru_cache(maxsize=16384)
def _split(url: str) -> _Parts | None:
    """Split a URL, scheme-less forms included; None when it is not a web URL at all.

    Cached: one link is split by absolutize, is_ignored_url, classify and host_of in turn.
    """
    s = url.strip().strip(_INVISIBLE).strip()
    if s.startswith(("https://", "http://")):
        parts = _split_web(s)
        if parts is not None:
            return parts
    return _split_any(s)


def _split_any(s: str) -> _Parts | None:
    """`_split` of any form (`s` already stripped), through urlsplit."""
    m = _SCHEME_RE.match(s)
    if m:
        scheme = m.group(1).lower()
        if scheme not in ("http", "https"):
            return None
    else:
        scheme = ""
        if not s.startswith("//"):
            # "bit.ly/abc": what was written is the host; urlsplit needs the "//" to see it.
            s = "//" + s
    try:
        parts = urlsplit(s)
        raw_host = parts.hostname or ""
    except ValueError:  # "http://[::1" and other broken IP literals
        return None
    return _Parts(scheme, _clean_host(raw_host), parts.path, parts.query, parts.fragment)


def _split_web(s: str) -> _Parts | None:
    """`_split` of the usual `http(s)://host/...` form, as urlsplit would split it, at under
    half its cost (every new link of every page comes here: 4.9 us a URL, now 2.2 us); None
    for the forms that need urlsplit's full rules: a tab or newline in the URL (urlsplit
    deletes them first), an IP literal in brackets, a non-ASCII host (checked for NFKC tricks).
    tests/test_rules.py checks that it splits as `_split_any` does."""
    if "\t" in s or "\n" in s or "\r" in s:
        return None
    scheme, _, rest = s.partition("://")
    end = len(rest)
    for delimiter in "/?#":  # the host ends at the first of these
        i = rest.find(delimiter, 0, end)
        if i >= 0:
            end = i
    netloc = rest[:end]
    if not netloc.isascii() or "[" in netloc or "]" in netloc:
        return None
    path, _, fragment = rest[end:].partition("#")
    path, _, query = path.partition("?")
    hostname = netloc.rpartition("@")[2].partition(":")[0]
    return _Parts(scheme, _clean_host(hostname), path, query, fragment)


def _clean_host(host: str) -> str:
    host = host.rstrip(".")  # "t.co." is t.co (the root label, RFC 1034 section 3.1)
    if not host.isascii():
        # IDNA so that bücher.de and xn--bcher-kva.de are one host; the codec also lower-cases
        # and maps the ideographic full stop "。" to ".".
        try:
            host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            return ""
    host = host.lower()
    if host.startswith("www.") and len(host) > 4:
        # Only www. is stripped: m. and mobile. are separate sites on some hosts (m.facebook.com
        # and mobile.twitter.com are listed where they matter).
        host = host[4:]
    return host if _HOST_OK_RE.fullmatch(host) else ""


def for_domain(table: Mapping[str, T], host: str) -> T | None:
    """`table`'s entry for `host`, else for its nearest parent domain (None: no entry): the
    user's `[hosts."example.com"]` settings cover www.example.com and news.example.com too."""
    if not table:
        return None
    labels = host.lower().rstrip(".").split(".")
    for start in range(len(labels)):
        entry = table.get(".".join(labels[start:]))
        if entry is not None:
            return entry
    return None


def host_of(url: str) -> str:
    """The lower-case host of `url` without a leading `www.`, IDNA-encoded; "" if there is none."""
    parts = _split(url)
    return parts.host if parts else ""


# --- Tweets and profiles ----------------------------------------------------------------------

_STATUS_PATH_RE = re.compile(
    r"""
    /(?:
        i/web/status            # the handle-less form the embed and the API give
      | i/status                # its shorter variant
      | (?P<handle>[A-Za-z0-9_]{1,20})/status(?:es)?   # "statuses": the oldest links
    )
    /(?P<id>[0-9]{1,19})        # a 64-bit snowflake has at most 19 digits; old IDs are short
    (?:/(?P<kind>photo|video)/(?P<index>[0-9]{1,2}))?   # one medium of the tweet
    (?:
        /[^?\#]*                # /analytics, /retweets, /likes, trailing "/": still this tweet
        # The query or fragment percent-encoded ("20%3Fs%3D20", "20%23reply"): a status URL
        # encoded once too often (a share link's url= parameter pasted back into a page) or
        # by a CMS that escaped its "?". The ID is still the digits before it.
      | %(?:3F|23)[^?\#]*
    )?
    $
    """,
    # Any case: hand-typed links vary ("/Status/"), and case never changes these fixed words.
    re.VERBOSE | re.IGNORECASE,
)

# Handles: letters, digits and "_". Sign-up allows 15 characters; up to 20 is accepted because
# accounts from before that rule keep longer names and a too-strict matcher would drop a real
# citation, while a lenient one can only mislabel a twitter.com URL.
_PROFILE_PATH_RE = re.compile(
    r"""
    /(?P<handle>[A-Za-z0-9_]{1,20})
    (?:/(?:with_replies|media|likes|highlights|articles|followers|following|verified_followers
          |lists|superfollows))?   # the profile's tabs are the profile
    /?$
    """,
    re.VERBOSE,
)

#: First path segments on twitter.com / x.com that are site pages, not accounts. Twitter reserves
#: these names so no account can hold them.
RESERVED_PATHS: frozenset[str] = frozenset(
    {
        "about", "account", "accounts", "activity", "api", "apps", "bookmarks", "business",
        "communities", "compose", "connect", "dev", "developer", "developers", "download",
        "embed", "en", "explore", "favorites", "followers", "following", "hashtag", "help",
        "home", "i", "intent", "invitations", "jobs", "lists", "login", "logout", "media",
        "mentions", "messages", "moments", "notifications", "oauth", "personalization",
        "premium", "privacy", "retweets", "rules", "safety", "search", "search-advanced",
        "search-home", "session", "sessions", "settings", "share", "signin", "signup",
        "status", "statuses", "topics", "tos", "verified", "welcome", "who_to_follow",
        "widgets",
    }
)  # fmt: skip


def _tweet_path(parts: _Parts) -> str:
    """The path to match: the hash-bang fragment of 2010-2012 links (twitter.com/#!/u/status/1)."""
    if parts.fragment.startswith("!/") and parts.path in ("", "/"):
        return parts.fragment[1:].split("?", 1)[0]
    return parts.path


def _status_of(parts: _Parts) -> StatusRef | None:
    if parts.host not in _STATUS_HOSTS:
        return None
    m = _STATUS_PATH_RE.match(_tweet_path(parts))
    if not m:
        return None
    tweet_id = str(int(m["id"]))  # one spelling per tweet: "007" is 7
    if tweet_id == "0":
        return None
    handle = m["handle"]
    if handle is not None and handle.lower() == "i":
        handle = None
    kind = m["kind"].lower() if m["kind"] else None
    return StatusRef(
        id=tweet_id, handle=handle, media_kind=kind, media_index=int(m["index"]) if kind else None
    )


def parse_status_url(url: str) -> StatusRef | None:
    """The tweet a status URL points at, in any of its forms; None if `url` is not one."""
    parts = _split(url)
    return _status_of(parts) if parts else None


def _profile_of(parts: _Parts) -> str | None:
    # Mirrors are left out: a profile citation should be the account on Twitter itself.
    if parts.host not in TWITTER_HOSTS:
        return None
    m = _PROFILE_PATH_RE.match(_tweet_path(parts))
    if not m or m["handle"].lower() in RESERVED_PATHS:
        return None
    return m["handle"]


def parse_profile_url(url: str) -> str | None:
    """The handle of a twitter.com/USER (or x.com/USER) URL, as written; None otherwise."""
    parts = _split(url)
    return _profile_of(parts) if parts else None


def is_entity_link(url: str) -> bool:
    """Whether `url` is a link Twitter itself puts on a tweet's words: a #hashtag
    (`/hashtag/X`), a $cashtag (`/search?q=%24X`) or an @mention (a profile URL).

    The author wrote words, not links: in a tweet flattened to text they are no links at all,
    so a tweet's `links` leave them out in HTML too (the page's links keep them, with their
    tweet). A profile the author linked by its URL is a t.co link in the tweet, not these.
    """
    parts = _split(url)
    if parts is None or parts.host not in TWITTER_HOSTS:
        return False
    path = _tweet_path(parts).lower()
    if path.startswith("/hashtag/"):
        return True
    if path in ("/search", "/search/") and re.search(r"(?:^|&)q=(?:%24|\$)", parts.query, re.IGNORECASE):
        return True
    return _profile_of(parts) is not None


# --- Ignored links ----------------------------------------------------------------------------

# Links that are page furniture: they never cite anything, so they are not worth a request.
#: Links reported per article at most. A real page has a few hundred; a file of millions of
#: URLs (a link dump, an attack) would otherwise hold a record of each in memory (2.3 million
#: bit.ly links in 49 MB of text took 2.5 GB): past this, the rest is left out, with a warning.
MAX_LINKS = 100_000

NON_WEB_SCHEMES: frozenset[str] = frozenset({"javascript", "mailto", "tel", "sms", "data", "about", "blob"})

_IGNORED_HOSTS: frozenset[str] = frozenset(
    {
        "analytics.twitter.com",  # conversion-tracking pixel
        "static.ads-twitter.com",  # the ads tracking script (uwt.js)
        "ads-twitter.com",
        "syndication.twitter.com",  # the embed widget's own data calls
        "cdn.syndication.twimg.com",
        "abs.twimg.com",  # the embed's stylesheets, scripts and emoji glyphs
    }
)


def is_ignored_url(url: str) -> bool:
    """True for UI chrome and tracking (share buttons, pixels, widget scripts, mailto:)."""
    m = _SCHEME_RE.match(url.strip().strip(_INVISIBLE).strip())
    if m and m.group(1).lower() in NON_WEB_SCHEMES:
        return True
    parts = _split(url)
    if parts is None:
        return False
    host, path = parts.host, parts.path
    if host in _IGNORED_HOSTS:
        return True
    if host == "t.co":
        # t.co/i/adsct (and /1/i/adsct) is the ads pixel; t.co codes never contain "/", so any
        # deeper path is Twitter's own endpoint, not a link.
        return path.startswith(("/i/", "/1/i/"))
    if host == "platform.twitter.com":
        # widgets.js and the follow/share button iframes (widgets/follow_button.html ...). The
        # embed iframe (embed/Tweet.html?id=) is kept: it names the tweet.
        return path == "/widgets.js" or path.startswith(("/widgets/", "/js/"))
    if host in TWITTER_HOSTS:
        first = path.split("/", 2)[1] if path.startswith("/") else ""
        if first == "intent" or path in ("/share", "/share/"):  # "Tweet this", "Follow", "Like"
            return True
        if path == "/home" and "status=" in parts.query:  # the pre-intent share link
            return True
        if path.startswith("/i/adsct"):
            return True
    return False


# --- Classification ---------------------------------------------------------------------------


def classify(url: str) -> LinkKind:
    """What `url` points at, as far as the URL alone can tell.

    Order matters: a status URL wins over everything, Twitter media over the shortener table
    (pic.twitter.com is t.co underneath, but it has its own kind). Ignored URLs are not special
    here: callers drop them with is_ignored_url first.
    """
    parts = _split(url)
    if parts is None or not parts.host:
        return LinkKind.OTHER
    if _status_of(parts):
        return LinkKind.TWEET
    if parts.host in TWITTER_MEDIA_HOSTS:
        return LinkKind.TWITTER_MEDIA
    if is_shortener_host(parts.host):
        return LinkKind.SHORTENED
    if _profile_of(parts):
        return LinkKind.TWITTER_PROFILE
    return LinkKind.OTHER


# --- Absolute URLs ----------------------------------------------------------------------------

# A first path segment that reads as a domain: labels, then an alphabetic TLD, maybe a port.
_DOMAIN_RE = re.compile(r"(?:[^\W_][\w\-]*\.)+(?P<tld>[^\W\d_]{2,63})\.?(?::[0-9]{1,5})?")

# "index.html" looks like a domain; these endings are file names, not top-level domains.
_FILE_ENDINGS: frozenset[str] = frozenset(
    {"htm", "html", "shtml", "php", "asp", "aspx", "jsp", "cgi", "js", "css", "json", "xml",
     "txt", "pdf", "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "mp3", "mp4"}
)  # fmt: skip


#: Control characters and bidi controls left inside a link: sent percent-encoded, as browsers
#: send them, so that no report shows them raw (an escape sequence, text shown in reverse).
_UNSAFE_IN_URL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_raw(raw: str) -> str:
    # The WHATWG URL parser drops tab and newline anywhere (wrapped hrefs), then outer spaces.
    s = raw.replace("\t", "").replace("\n", "").replace("\r", "")
    s = s.strip().strip(_INVISIBLE).strip()
    if _UNSAFE_IN_URL.search(s):
        s = _UNSAFE_IN_URL.sub(lambda m: quote(m.group(), safe=""), s)
    return s


def _http_or_none(url: str) -> str | None:
    parts = _split(url)
    return url if parts is not None and parts.scheme in ("http", "https") and parts.host else None


def absolutize(raw: str, base: str | None = None) -> str | None:
    """An absolute http(s) URL for a link as written, or None if it cannot be one.

    The result keeps what was written (no re-encoding, no case changes past the scheme: t.co
    codes are case-sensitive). Scheme-less known link hosts (`bit.ly/x`, `pic.twitter.com/X`)
    and `www.` hosts become https; other relative forms are resolved against `base`.
    """
    try:
        return _absolutize(raw, base)
    except ValueError:  # urljoin on a broken base ("http://[x"); bad input is not an error here
        return None


def _absolutize(raw: str, base: str | None) -> str | None:
    s = _clean_raw(raw)
    if not s:
        return None
    m = _SCHEME_RE.match(s)
    if m:
        scheme = m.group(1).lower()
        if scheme not in ("http", "https"):
            return None
        # WHATWG URL: after a special scheme any run of "/" or "\" introduces the host, so
        # "https:/t.co/x" and "http:\\x.com" go where a browser would send them.
        rest = s[m.end() :].lstrip("/\\")
        return _http_or_none(f"{scheme}://{rest}")
    page = base.strip() if base is not None else ""
    if page and _http_or_none(page) is None:
        page = ""  # a base that is not a web page cannot resolve anything
    if s.startswith("//"):
        # Protocol-relative: the page's scheme when known (RFC 3986 section 5.2), else https.
        return _http_or_none(urljoin(page, s) if page else "https:" + s)
    lead = re.split(r"[/?#]", s, maxsplit=1)[0]
    host = _clean_host(lead.rsplit(":", 1)[0] if ":" in lead else lead)
    if lead.lower().startswith("www.") or host in _BARE_HOSTS or host.endswith(SHORTENER_SUFFIXES):
        # What the writer meant, even in an href where a browser would resolve it as a path.
        return _http_or_none("https://" + s)
    if page:
        return _http_or_none(urljoin(page, s))
    d = _DOMAIN_RE.fullmatch(lead)
    if d and d["tld"].lower() not in _FILE_ENDINGS:
        return _http_or_none("https://" + s)
    return None


# --- URLs in plain text -----------------------------------------------------------------------

# What may follow the start of a URL: anything but whitespace and the characters that end a URL
# in prose. < > " ` end it (RFC 3986 appendix C: the usual delimiters around URLs in text);
# curly double quotes and guillemets are never part of one; "…" is a truncation mark (Twitter's
# shortened display URLs end with it); an em dash is the signature of a flattened tweet quote
# ("pic.twitter.com/X— Name (@handle)"), while an en dash stays (Wikipedia titles hold them);
# CJK and full-width punctuation (。、「」，) ends it in Chinese and Japanese text, which puts no
# space after a URL; zero-width characters are editor debris.
_BODY = (
    r"[^\s<>\"`“”„‟«»…—―"
    r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # CJK, full-width punct.
    r"\u200b-\u200d\u2060\ufeff"
    # Control characters and bidi controls end a URL: no URL holds them raw, and carried into
    # a report they are a terminal's escape sequence or text shown in reverse.
    r"\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

# A host written without a scheme: up to 6 labels and an alphabetic TLD, maybe a port. Bounded so
# that the distance from a URL's start to its first anchor ("/" or "ww.") is bounded too (the
# window in find_urls relies on it).
_LABEL = r"[^\W_][\w\-]{0,62}"
_HOST = rf"(?:{_LABEL}\.){{1,6}}[^\W\d_]{{2,63}}(?::[0-9]{{1,5}})?(?![\w\-])"

_URL_RE = re.compile(
    rf"""
    (?:
        [Hh][Tt][Tt][Pp][Ss]?://          # an explicit scheme: a URL wherever it stands
      | (?<![\w.@/\-])                    # scheme-less: not inside a word, an e-mail or a path
        (?:
            (?P<www>[Ww][Ww][Ww]\.{_HOST})   # www.host, with or without a path
          | (?P<bare>{_HOST})(?=/)           # any other host only with a path; vetted in Python
        )
    )
    {_BODY}*
    """,
    re.VERBOSE,
)

# Where a URL can start: every match holds a "/" (the scheme's "//", a bare host's path) or "ww."
# (www.host). The first character class lets the regex engine skip everything else in C.
_ANCHOR_RE = re.compile(r"[/Ww](?:(?<=/)|[Ww]\.)")
_SPACE_RE = re.compile(r"\s")

# A match starts at most this far before its first anchor: 8 for "https://", or a bare host of
# at most 6 * 64 + 63 + 6 characters before its "/".
_LOOKBACK = 8 + 6 * 64 + 63 + 6

# Trailing characters that end a sentence or close a quote around a URL, not part of it.
_TRAILING = frozenset(".,;:!?'’‘\"»›”*")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _trim(url: str) -> str:
    """Drop sentence punctuation after a URL; a closing bracket only when it has no opener."""
    end = len(url)
    counts: dict[str, int] | None = None  # brackets in url[:end], counted once (no quadratic ")))")
    while end:
        c = url[end - 1]
        if c in _TRAILING:
            end -= 1
            continue
        opener = _CLOSERS.get(c)
        if opener is None:
            break
        if counts is None:
            counts = {ch: url.count(ch, 0, end) for ch in "()[]{}"}
        if counts[c] <= counts[opener]:
            break  # balanced: Wikipedia's /wiki/Foo_(bar) keeps its ")"
        counts[c] -= 1  # unbalanced: "(see bit.ly/x)" loses it
        end -= 1
    return url[:end]


#: Media links that text copied from a rendered embed glues to the word or link before them:
#: the embed's markup is `text <a>pic.twitter.com/X</a>`, and a copy that drops the space gives
#: `happenedpic.twitter.com/X` or `https://t.co/eKInDZJCbHpic.twitter.com/PXh7c6aziZ`.
GLUED_MEDIA_PREFIXES: tuple[str, ...] = ("pic.twitter.com/", "pic.x.com/")


def _glued_media(url: str, after: int) -> int:
    """Where a media link glued to a letter or digit starts in `url`, past `after`; 0 if none."""
    for prefix in GLUED_MEDIA_PREFIXES:
        i = url.find(prefix, after)
        # After a letter or digit only: `/pic.twitter.com/` (an archive's path) and
        # `?q=pic.twitter.com/` are the URL's own; after a dot it is a subdomain, as in
        # `foo.bit.ly/x`, which is no link either.
        if i > 0 and url[i - 1].isalnum() and len(url) > i + len(prefix):
            return i
    return 0


def _matches(text: str, pos: int, endpos: int) -> Iterator[tuple[int, int, str]]:
    for m in _URL_RE.finditer(text, pos, endpos):
        url = _trim(m.group())
        start = m.start()
        bare = m["bare"]
        if bare is not None:
            if _clean_host(bare.split(":", 1)[0]) not in _BARE_HOSTS:
                # `happenedpic.twitter.com/X`: the host is a word with the media host glued on.
                glued = _glued_media(url, 1) if "pic." in bare else 0
                if glued and url.startswith(bare[glued:] + "/", glued):
                    yield start + glued, start + len(url), url[glued:]
                continue
            slash = url.find("/")
            if slash < 0 or slash == len(url) - 1:  # no path, or only punctuation: "bit.ly/."
                continue
        elif not host_of(url):  # "https://" alone, "https://..."
            continue
        elif "pic." in url:
            # A media link glued to the end of this one: two links (the scheme's "//" and the
            # host come first, so the search starts past them).
            glued = _glued_media(url, url.find("/", url.find("//") + 2) + 1 or len(url))
            if glued:
                yield start, start + glued, url[:glued]
                yield start + glued, start + len(url), url[glued:]
                continue
        yield start, start + len(url), url


def find_urls(text: str) -> Iterator[tuple[int, int, str]]:
    """Bare URLs in plain text as (start, end, url), with text[start:end] == url.

    Finds http(s):// URLs anywhere, `www.` hosts, and scheme-less links on known hosts
    (`bit.ly/abc`, `pic.twitter.com/X`, `twitter.com/u/status/1`). Sentence punctuation, closing
    quotes and unbalanced closing brackets after a URL are left out.
    """
    # Prose is mostly not URLs, and running the full pattern at every word start is slow
    # (~25 MB/s). So: find the next anchor with a cheap pattern, and run the full one only over
    # the window from _LOOKBACK before it to the end of its whitespace-free run. This finds
    # exactly what one pass over the whole text finds: every match holds an anchor, starts at
    # most _LOOKBACK before its first one and never spans whitespace; lookbehinds still see the
    # text before the window. tests/test_rules.py checks the equivalence on random text.
    # The window starts after the last space or newline before the anchor when there is one
    # nearer than _LOOKBACK: a URL never spans whitespace, so nothing starts before it.
    n = len(text)
    done = 0
    while done < n:
        a = _ANCHOR_RE.search(text, done)
        if a is None:
            return
        i = a.start()
        lo = max(done, i - _LOOKBACK)
        start = max(lo, text.rfind(" ", lo, i) + 1, text.rfind("\n", lo, i) + 1)
        space = _SPACE_RE.search(text, i)
        end = space.start() if space else n
        yield from _matches(text, start, end)
        done = end


def _find_urls_one_pass(text: str) -> Iterator[tuple[int, int, str]]:
    """find_urls without the windowing: the reference the tests compare it with."""
    return _matches(text, 0, len(text))
