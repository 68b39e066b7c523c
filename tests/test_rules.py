"""Tests of resolver.rules: the URL heuristics and the shortener table they read.

Table-driven: each new bug or odd real-world link becomes one more row.
"""

from __future__ import annotations

import re
import time
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from resolver.models import LinkKind, StatusRef
from resolver.rules import (
    _INVISIBLE,
    SHORTENER_HOSTS,
    SHORTENER_SUFFIXES,
    STATUS_MIRROR_HOSTS,
    TWITTER_HOSTS,
    TWITTER_MEDIA_HOSTS,
    _find_urls_one_pass,
    _split_any,
    _split_web,
    absolutize,
    classify,
    find_urls,
    host_of,
    is_ignored_url,
    is_shortener_host,
    parse_profile_url,
    parse_status_url,
)

ROOT = Path(__file__).resolve().parent.parent
MOD_RUSSIA = "656808085430472704"  # the tweet quoted in examples/sputnik-pt-2015-syria.txt

# --- The shortener table ----------------------------------------------------------------------

TABLE_TEXT = resources.files("resolver.data").joinpath("shorteners.txt").read_text(encoding="utf-8")
TABLE_LINES = [
    (number, line.split("#", 1)[0].strip())
    for number, line in enumerate(TABLE_TEXT.splitlines(), 1)
    if line.split("#", 1)[0].strip()
]
HOSTNAME_RE = re.compile(
    r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]+)"
)


@pytest.mark.parametrize(("number", "host"), TABLE_LINES, ids=[h for _, h in TABLE_LINES])
def test_table_line_is_a_lower_case_hostname(number: int, host: str) -> None:
    assert HOSTNAME_RE.fullmatch(host), f"shorteners.txt line {number}: {host!r} is not a lower-case host"
    assert not host.startswith("www."), f"line {number}: www. is stripped before matching, so drop it"


def test_table_has_no_duplicates() -> None:
    hosts = [host for _, host in TABLE_LINES]
    duplicates = sorted({h for h in hosts if hosts.count(h) > 1})
    assert not duplicates


def test_table_is_large_enough_and_loaded() -> None:
    assert len(TABLE_LINES) >= 400
    assert frozenset(host for _, host in TABLE_LINES) == SHORTENER_HOSTS


@pytest.mark.parametrize(
    "host",
    [
        "t.co", "bit.ly", "bitly.com", "j.mp", "ow.ly", "buff.ly", "dlvr.it", "goo.gl", "tinyurl.com",
        "fb.me", "youtu.be", "amzn.to", "amzn.eu", "a.co", "trib.al", "lnkd.in", "is.gd", "v.gd",
        "rebrand.ly", "cutt.ly", "shorturl.at", "t.ly", "tiny.cc", "rb.gy", "bl.ink", "soo.gd",
        "s.id", "qr.ae", "wp.me", "flic.kr", "redd.it", "spoti.fi", "apple.co", "nyti.ms",
        "wapo.st", "cnn.it", "bbc.in", "reut.rs", "on.ft.com", "econ.st", "bloom.bg", "politi.co",
        "hill.cm", "ti.me", "n.pr", "abcn.ws", "nbcnews.to", "cbsn.ws", "fxn.ws", "usat.ly",
        "on.wsj.com", "huffp.st", "dailym.ai", "ind.pn", "lat.ms", "tcrn.ch", "engt.co", "vk.cc",
        "clck.ru", "goo.su", "ift.tt", "ln.is", "po.st", "su.pr", "x.co", "url.cn", "t.cn",
        "dwz.cn", "sptnkne.ws",
    ],
)  # fmt: skip
def test_table_holds_the_well_known_shorteners(host: str) -> None:
    assert host in SHORTENER_HOSTS


@pytest.mark.parametrize(
    "host",
    [
        *sorted(TWITTER_MEDIA_HOSTS | TWITTER_HOSTS | STATUS_MIRROR_HOSTS),
        *["ft.com", "wsj.com", "twimg.com", "linktr.ee", "doi.org", "t.me"],
    ],
)
def test_table_leaves_out_what_is_not_a_shortener(host: str) -> None:
    assert host not in SHORTENER_HOSTS


def test_every_table_host_classifies_as_shortened() -> None:
    # Nothing in the table is shadowed by a rule that runs first (status URL, Twitter media).
    wrong = [h for h in SHORTENER_HOSTS if classify(f"https://{h}/AbC123") is not LinkKind.SHORTENED]
    assert not wrong


def test_suffix_rules_are_suffixes() -> None:
    for suffix in SHORTENER_SUFFIXES:
        assert suffix.startswith(".") and HOSTNAME_RE.fullmatch(suffix[1:]), suffix


def test_exported_host_sets() -> None:
    for hosts in (SHORTENER_HOSTS, TWITTER_HOSTS, TWITTER_MEDIA_HOSTS, STATUS_MIRROR_HOSTS):
        assert isinstance(hosts, frozenset)
        assert all(h == h.lower() and not h.startswith("www.") for h in hosts)
    assert "pic.twitter.com" in TWITTER_MEDIA_HOSTS and "x.com" in TWITTER_HOSTS


# --- host_of ----------------------------------------------------------------------------------

HOST_CASES = [
    ("https://www.Example.com/x", "example.com"),
    ("HTTP://WWW.EXAMPLE.COM", "example.com"),
    ("https://example.com", "example.com"),
    ("bit.ly/abc", "bit.ly"),
    ("www.example.com/a", "example.com"),
    ("//t.co/x", "t.co"),
    ("https://t.co./x", "t.co"),  # the root label
    ("https://mobile.twitter.com/x", "mobile.twitter.com"),  # only www. is stripped
    ("https://m.facebook.com/", "m.facebook.com"),
    ("https://www.x.com/jack", "x.com"),
    ("https://user:secret@host.example:8080/p", "host.example"),
    ("https://bücher.de/", "xn--bcher-kva.de"),
    ("https://xn--bcher-kva.de/", "xn--bcher-kva.de"),
    ("https://ПРИМЕР.рф/", "xn--e1afmkfd.xn--p1ai"),
    ("https://[::1]:8080/", "::1"),
    ("localhost:8080/x", "localhost"),
    ("  https://t.co/x  ", "t.co"),
    ("javascript:alert(1)", ""),
    ("mailto:a@b.example", ""),
    ("ftp://example.com/f", ""),
    ("", ""),
    ("https://", ""),
    ("http://[::1", ""),
    ("https://exa mple.com/", ""),
    ("https://%62it.ly/x", ""),
]


@pytest.mark.parametrize(("url", "expected"), HOST_CASES)
def test_host_of(url: str, expected: str) -> None:
    assert host_of(url) == expected


# --- parse_status_url -------------------------------------------------------------------------

MR = StatusRef(MOD_RUSSIA, "mod_russia")
JACK = StatusRef("20", "jack")

STATUS_CASES: list[tuple[str, StatusRef | None]] = [
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}", MR),
    (f"http://twitter.com/mod_russia/status/{MOD_RUSSIA}", MR),
    (f"twitter.com/mod_russia/status/{MOD_RUSSIA}", MR),
    (f"//twitter.com/mod_russia/status/{MOD_RUSSIA}", MR),
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}?ref_src=twsrc%5Etfw", MR),
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}?s=20", MR),
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}?s=20&t=AbCdEf", MR),
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}?lang=en", MR),
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}#reply", MR),
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}/", MR),
    (f"  https://twitter.com/mod_russia/status/{MOD_RUSSIA}\n", MR),
    # every host
    ("https://www.twitter.com/jack/status/20", JACK),
    ("https://mobile.twitter.com/jack/status/20", JACK),
    ("https://m.twitter.com/jack/status/20", JACK),
    ("https://x.com/jack/status/20", JACK),
    ("https://www.x.com/jack/status/20", JACK),
    ("https://mobile.x.com/jack/status/20", JACK),
    ("https://fxtwitter.com/jack/status/20", JACK),
    ("https://vxtwitter.com/jack/status/20", JACK),
    ("https://fixupx.com/jack/status/20", JACK),
    ("https://fixvx.com/jack/status/20", JACK),
    ("https://TWITTER.COM/jack/status/20", JACK),
    ("https://twitter.com:443/jack/status/20", JACK),
    # every path form
    ("https://twitter.com/jack/statuses/20", JACK),
    ("https://twitter.com/jack/Status/20", JACK),
    ("https://twitter.com/Jack/status/20", StatusRef("20", "Jack")),  # the handle as written
    ("https://twitter.com/i/web/status/20", StatusRef("20")),
    ("https://twitter.com/i/status/20", StatusRef("20")),
    ("https://x.com/i/web/status/1628832338187636740", StatusRef("1628832338187636740")),
    (f"https://twitter.com/#!/mod_russia/status/{MOD_RUSSIA}", MR),
    (f"http://twitter.com/#!/mod_russia/statuses/{MOD_RUSSIA}", MR),
    (f"twitter.com/#!/mod_russia/status/{MOD_RUSSIA}", MR),
    (
        f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}/photo/1",
        StatusRef(MOD_RUSSIA, "mod_russia", "photo", 1),
    ),
    (
        f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}/photo/4?s=20",
        StatusRef(MOD_RUSSIA, "mod_russia", "photo", 4),
    ),
    (
        f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}/video/1",
        StatusRef(MOD_RUSSIA, "mod_russia", "video", 1),
    ),
    (
        f"https://x.com/mod_russia/status/{MOD_RUSSIA}/video/1/",
        StatusRef(MOD_RUSSIA, "mod_russia", "video", 1),
    ),
    ("https://twitter.com/jack/status/20/analytics", JACK),
    ("https://twitter.com/jack/status/20/retweets/with_comments", JACK),
    ("https://twitter.com/jack/status/020", JACK),  # one spelling per tweet
    ("https://twitter.com/abcdefghij1234567890/status/20", StatusRef("20", "abcdefghij1234567890")),
    # the query or fragment percent-encoded (encoded once too often): the ID is the digits only
    ("https://twitter.com/jack/status/20%3Fs%3D20", JACK),
    ("https://twitter.com/jack/status/20%3fs%3d20%26t%3DAbCdEf", JACK),
    (f"https://x.com/mod_russia/status/{MOD_RUSSIA}%3Fref_src%3Dtwsrc%255Etfw", MR),
    ("https://twitter.com/jack/status/20%23reply", JACK),
    ("https://twitter.com/#!/jack/status/20%3Fs%3D20", JACK),
    (
        f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}/photo/2%3Fs%3D20",
        StatusRef(MOD_RUSSIA, "mod_russia", "photo", 2),
    ),
    # not a status
    ("https://twitter.com/jack/status/20%2Fphoto", None),  # an encoded "/" is no delimiter here
    ("https://twitter.com/jack/status/12345678901234567890%3Fs%3D20", None),
    ("https://twitter.com/intent/tweet?text=hi&url=https%3A%2F%2Fexample.com", None),
    ("https://twitter.com/share?url=https://example.com", None),
    ("https://twitter.com/search?q=%23Aleppo", None),
    ("https://twitter.com/hashtag/Aleppo?src=hash", None),
    ("https://twitter.com/jack/likes", None),
    ("https://twitter.com/i/lists/123456", None),
    ("https://twitter.com/jack", None),
    ("https://twitter.com/", None),
    ("https://twitter.com/jack/status/", None),
    ("https://twitter.com/jack/status/abc", None),
    ("https://twitter.com/jack/status/20abc", None),
    ("https://twitter.com/jack/status/12345678901234567890", None),  # 20 digits: not a snowflake
    ("https://twitter.com/jack/status/0", None),
    ("https://twitter.com/a-b/status/20", None),
    ("https://twitter.com/abcdefghij1234567890x/status/20", None),  # 21 characters
    ("https://twitter.com/jack/photo/20", None),
    ("https://example.com/jack/status/20", None),
    ("https://nottwitter.com/jack/status/20", None),
    ("https://twitter.com.evil.example/jack/status/20", None),
    ("https://nitter.net/jack/status/20", None),
    ("https://web.archive.org/web/2015/https://twitter.com/jack/status/20", None),
    ("https://pic.twitter.com/PXh7c6aziZ", None),
    ("ftp://twitter.com/jack/status/20", None),
    ("mailto:jack@twitter.com", None),
    ("", None),
    ("twitter", None),
]


@pytest.mark.parametrize(("url", "expected"), STATUS_CASES)
def test_parse_status_url(url: str, expected: StatusRef | None) -> None:
    assert parse_status_url(url) == expected


@given(
    handle=st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True).filter(lambda h: h.lower() != "i"),
    tweet_id=st.integers(min_value=1, max_value=2**63 - 1),
)
def test_canonical_status_url_round_trips(handle: str, tweet_id: int) -> None:
    ref = StatusRef(str(tweet_id), handle)
    assert parse_status_url(ref.url) == ref
    assert parse_status_url(StatusRef(str(tweet_id)).url) == StatusRef(str(tweet_id))


# --- parse_profile_url ------------------------------------------------------------------------

PROFILE_CASES: list[tuple[str, str | None]] = [
    ("https://twitter.com/mod_russia", "mod_russia"),
    ("https://twitter.com/mod_russia?ref_src=twsrc%5Etfw", "mod_russia"),
    ("twitter.com/jack/", "jack"),
    ("https://www.twitter.com/Jack", "Jack"),
    ("https://mobile.twitter.com/jack", "jack"),
    ("https://x.com/jack", "jack"),
    ("http://twitter.com/#!/jack", "jack"),
    ("https://twitter.com/jack/likes", "jack"),
    ("https://twitter.com/jack/with_replies", "jack"),
    ("https://twitter.com/jack/media/", "jack"),
    ("https://twitter.com/abcdefghij1234567890", "abcdefghij1234567890"),
    ("https://twitter.com/abcdefghij1234567890x", None),
    ("https://twitter.com/home", None),
    ("https://twitter.com/intent/tweet", None),
    ("https://twitter.com/share", None),
    ("https://twitter.com/search?q=x", None),
    ("https://twitter.com/hashtag/Aleppo", None),
    ("https://twitter.com/i/lists/1", None),
    ("https://twitter.com/i", None),
    ("https://twitter.com/explore", None),
    ("https://twitter.com/settings", None),
    ("https://twitter.com/login", None),
    ("https://twitter.com/signup", None),
    ("https://twitter.com/tos", None),
    ("https://twitter.com/privacy", None),
    ("https://twitter.com/notifications", None),
    ("https://twitter.com/messages", None),
    ("https://twitter.com/compose/tweet", None),
    ("https://twitter.com/Home", None),  # reserved names in any case
    ("https://twitter.com/", None),
    ("https://twitter.com", None),
    ("https://twitter.com/jack/status/20", None),
    ("https://twitter.com/jack/something", None),
    ("https://twitter.com/a-b", None),
    ("https://fxtwitter.com/jack", None),
    ("https://example.com/jack", None),
    ("", None),
]


@pytest.mark.parametrize(("url", "expected"), PROFILE_CASES)
def test_parse_profile_url(url: str, expected: str | None) -> None:
    assert parse_profile_url(url) == expected


# --- is_ignored_url ---------------------------------------------------------------------------

IGNORED_CASES = [
    ("https://t.co/i/adsct?p_id=Twitter&p_user_id=0&txn_id=nvuvl&events=%5B%5B%22pageview%22%5D%5D", True),
    ("https://t.co/i/adsct", True),
    ("https://t.co/1/i/adsct?bci=4&eci=3", True),
    ("https://analytics.twitter.com/i/adsct?txn_id=x&p_id=Twitter", True),
    ("https://static.ads-twitter.com/uwt.js", True),
    ("https://platform.twitter.com/widgets.js", True),
    ("//platform.twitter.com/widgets.js", True),
    ("https://platform.twitter.com/widgets/follow_button.html?screen_name=mod_russia", True),
    ("https://platform.twitter.com/widgets/tweet_button.html", True),
    ("https://twitter.com/intent/tweet?text=hi", True),
    ("https://twitter.com/intent/follow?screen_name=mod_russia", True),
    ("https://twitter.com/intent/like?tweet_id=656808085430472704", True),
    ("https://x.com/intent/post?text=hi", True),
    ("https://twitter.com/share?url=https%3A%2F%2Fexample.com", True),
    ("https://twitter.com/share", True),
    ("https://twitter.com/home?status=Read%20this", True),
    ("https://syndication.twitter.com/settings", True),
    ("https://cdn.syndication.twimg.com/tweet-result?id=20&token=x", True),
    ("javascript:void(0)", True),
    ("JavaScript:alert(1)", True),
    ("mailto:desk@example.com", True),
    ("  mailto:desk@example.com", True),
    ("tel:+15555550100", True),
    ("data:image/png;base64,iVBORw0KGgo=", True),
    ("https://t.co/eKInDZJCbH", False),
    ("pic.twitter.com/PXh7c6aziZ", False),
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}", False),
    ("https://twitter.com/mod_russia?ref_src=twsrc%5Etfw", False),  # the signature's profile link
    ("https://twitter.com/hashtag/Aleppo?src=hash", False),  # a hashtag inside the tweet text
    ("https://platform.twitter.com/embed/Tweet.html?id=20", False),  # names the tweet
    ("https://twitter.com/home", False),
    ("https://example.com/intent/tweet", False),
    ("https://example.com/widgets.js", False),
    ("https://bit.ly/abc", False),
    ("", False),
    ("not a url", False),
]


@pytest.mark.parametrize(("url", "expected"), IGNORED_CASES)
def test_is_ignored_url(url: str, expected: bool) -> None:
    assert is_ignored_url(url) is expected


# --- classify ---------------------------------------------------------------------------------

CLASSIFY_CASES = [
    (f"https://twitter.com/mod_russia/status/{MOD_RUSSIA}", LinkKind.TWEET),
    (f"https://twitter.com/#!/mod_russia/status/{MOD_RUSSIA}", LinkKind.TWEET),
    ("x.com/i/web/status/20", LinkKind.TWEET),
    ("https://fxtwitter.com/jack/status/20", LinkKind.TWEET),
    ("https://twitter.com/jack/status/20/photo/1", LinkKind.TWEET),
    ("pic.twitter.com/PXh7c6aziZ", LinkKind.TWITTER_MEDIA),
    ("https://pic.twitter.com/PXh7c6aziZ", LinkKind.TWITTER_MEDIA),
    ("https://pic.x.com/AbCdEf", LinkKind.TWITTER_MEDIA),
    ("https://pbs.twimg.com/media/CR0VaxhWsAAbcde.jpg?name=orig", LinkKind.TWITTER_MEDIA),
    ("https://video.twimg.com/ext_tw_video/1/pu/vid/720x1280/x.mp4", LinkKind.TWITTER_MEDIA),
    ("https://t.co/eKInDZJCbH", LinkKind.SHORTENED),
    ("t.co/eKInDZJCbH", LinkKind.SHORTENED),
    ("bit.ly/abc", LinkKind.SHORTENED),
    ("https://www.bit.ly/abc", LinkKind.SHORTENED),
    ("HTTP://BIT.LY/AbC", LinkKind.SHORTENED),
    ("https://on.ft.com/1AbCdE", LinkKind.SHORTENED),
    ("https://sptnkne.ws/abCD", LinkKind.SHORTENED),
    ("https://youtu.be/dQw4w9WgXcQ", LinkKind.SHORTENED),
    ("https://myapp.page.link/x1", LinkKind.SHORTENED),
    ("https://example.app.link/AbC", LinkKind.SHORTENED),
    ("https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.com", LinkKind.SHORTENED),
    ("https://twitter.com/mod_russia", LinkKind.TWITTER_PROFILE),
    ("x.com/jack", LinkKind.TWITTER_PROFILE),
    ("https://example.com/", LinkKind.OTHER),
    ("https://ft.com/content/x", LinkKind.OTHER),  # on.ft.com is listed, ft.com is not
    ("https://sub.bit.ly/x", LinkKind.OTHER),  # exact hosts only
    ("https://page.link/x", LinkKind.OTHER),  # the suffix needs a customer label
    ("https://twitter.com/hashtag/Aleppo", LinkKind.OTHER),
    ("https://twitter.com/search?q=x", LinkKind.OTHER),
    ("https://twitter.com/", LinkKind.OTHER),
    ("https://abs.twimg.com/responsive-web/client-web/main.js", LinkKind.OTHER),
    ("mailto:desk@example.com", LinkKind.OTHER),
    ("", LinkKind.OTHER),
]


@pytest.mark.parametrize(("url", "expected"), CLASSIFY_CASES)
def test_classify(url: str, expected: LinkKind) -> None:
    assert classify(url) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [("t.co", True), ("bit.ly", True), ("a.page.link", True), ("ft.com", False), ("", False)],
)
def test_is_shortener_host(host: str, expected: bool) -> None:
    assert is_shortener_host(host) is expected


# --- absolutize -------------------------------------------------------------------------------

PAGE = "https://news.example/world/article.html"

ABSOLUTIZE_CASES: list[tuple[str, str | None, str | None]] = [
    ("pic.twitter.com/PXh7c6aziZ", None, "https://pic.twitter.com/PXh7c6aziZ"),
    ("bit.ly/abc", None, "https://bit.ly/abc"),
    ("//example.com/x", None, "https://example.com/x"),
    ("//example.com/x", "http://news.example/a", "http://example.com/x"),  # the page's scheme
    ("www.example.com/a", None, "https://www.example.com/a"),
    ("www.example.com", None, "https://www.example.com"),
    ("example.com/a", None, "https://example.com/a"),
    ("  https://t.co/eKInDZJCbH\n", None, "https://t.co/eKInDZJCbH"),
    ("\u200bhttps://t.co/eKInDZJCbH\u200b", None, "https://t.co/eKInDZJCbH"),
    ("https://t.co/eKIn\nDZJCbH", None, "https://t.co/eKInDZJCbH"),  # a wrapped href
    ("HTTPS://t.co/AbC", None, "https://t.co/AbC"),  # the code's case is kept
    ("https://T.CO/AbC", None, "https://T.CO/AbC"),  # kept as written
    ("https:/t.co/AbC", None, "https://t.co/AbC"),
    ("https:t.co/AbC", None, "https://t.co/AbC"),
    ("http://example.com/a%20b?q=%C3%A9", None, "http://example.com/a%20b?q=%C3%A9"),  # no re-encoding
    ("https://example.com/a b", None, "https://example.com/a b"),
    ("https://en.wikipedia.org/wiki/Foo_(bar)", None, "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ("/a/b?c=1", PAGE, "https://news.example/a/b?c=1"),
    ("other.html", PAGE, "https://news.example/world/other.html"),
    ("../x", PAGE, "https://news.example/x"),
    ("#comments", PAGE, "https://news.example/world/article.html#comments"),
    ("?page=2", PAGE, "https://news.example/world/article.html?page=2"),
    ("example.com/a", PAGE, "https://news.example/world/example.com/a"),  # as a browser reads it
    ("bit.ly/abc", PAGE, "https://bit.ly/abc"),  # but a known link host is what was meant
    ("/a/b", None, None),
    ("index.html", None, None),
    ("../x", None, None),
    ("#top", None, None),
    ("localhost:8080/x", None, None),
    ("javascript:void(0)", None, None),
    ("javascript:void(0)", PAGE, None),
    ("mailto:desk@example.com", None, None),
    ("tel:+15555550100", None, None),
    ("data:text/plain,hi", None, None),
    ("ftp://example.com/file", None, None),
    ("", None, None),
    ("   ", PAGE, None),
    ("https://", None, None),
    ("http:///x", None, "http://x"),  # WHATWG: any run of slashes after http:, as browsers do
    ("/x", "mailto:desk@example.com", None),  # a base that is not a web page resolves nothing
    ("/x", "http://[broken", None),
]


@pytest.mark.parametrize(("raw", "base", "expected"), ABSOLUTIZE_CASES)
def test_absolutize(raw: str, base: str | None, expected: str | None) -> None:
    assert absolutize(raw, base) == expected


# --- find_urls --------------------------------------------------------------------------------

FIND_CASES: list[tuple[str, list[str]]] = [
    # real-world shapes
    (
        "https://t.co/eKInDZJCbH pic.twitter.com/PXh7c6aziZ",
        ["https://t.co/eKInDZJCbH", "pic.twitter.com/PXh7c6aziZ"],
    ),
    (
        "pic.twitter.com/PXh7c6aziZ— Минобороны России (@mod_russia) 21 outubro 2015",
        ["pic.twitter.com/PXh7c6aziZ"],
    ),
    # a media link glued to the word or the link before it (a copy that dropped the space)
    ("something happenedpic.twitter.com/PXh7c6aziZ", ["pic.twitter.com/PXh7c6aziZ"]),
    (
        "https://t.co/eKInDZJCbHpic.twitter.com/PXh7c6aziZ",
        ["https://t.co/eKInDZJCbH", "pic.twitter.com/PXh7c6aziZ"],
    ),
    ("Fotopic.x.com/AbC123", ["pic.x.com/AbC123"]),
    (
        "https://web.archive.org/web/2015/https://pic.twitter.com/x",
        ["https://web.archive.org/web/2015/https://pic.twitter.com/x"],
    ),
    ("https://twitter.com/search?q=pic.twitter.com/x", ["https://twitter.com/search?q=pic.twitter.com/x"]),
    ("thispic.twitter.com/", []),
    ("foo.pic.twitter.com/abc", []),
    ("(see bit.ly/abc).", ["bit.ly/abc"]),
    ('"https://x.com/a/status/1?s=20"', ["https://x.com/a/status/1?s=20"]),
    ("https://en.wikipedia.org/wiki/Foo_(bar)", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
    ("(https://en.wikipedia.org/wiki/Foo_(bar))", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
    ("https://en.wikipedia.org/wiki/Israel–Hamas_war", ["https://en.wikipedia.org/wiki/Israel–Hamas_war"]),
    ("https://example.com/a…", ["https://example.com/a"]),
    ("https://example.com/a...", ["https://example.com/a"]),
    ("https://example.com/a…b", ["https://example.com/a"]),  # "…" is a truncated display URL
    (
        f"https://twitter.com/#!/mod_russia/status/{MOD_RUSSIA}",
        [f"https://twitter.com/#!/mod_russia/status/{MOD_RUSSIA}"],
    ),
    # trailing punctuation and quotes
    ("Read https://example.com/x.", ["https://example.com/x"]),
    ("https://example.com/x, and", ["https://example.com/x"]),
    ("https://example.com/x; then", ["https://example.com/x"]),
    ("https://example.com/x!?", ["https://example.com/x"]),
    ("at https://example.com/x: it said", ["https://example.com/x"]),
    ("«https://example.com/x»", ["https://example.com/x"]),
    ("“https://example.com/x”.", ["https://example.com/x"]),
    ("'https://example.com/x'", ["https://example.com/x"]),
    ("‘https://example.com/x’", ["https://example.com/x"]),
    ("[https://example.com/x]", ["https://example.com/x"]),
    ("[the source](https://example.com/x)", ["https://example.com/x"]),
    ("**https://example.com/x**", ["https://example.com/x"]),
    ("https://example.com/path)", ["https://example.com/path"]),
    ("https://example.com/(a)b)", ["https://example.com/(a)b"]),
    ("https://example.com/a?b=1&c=2#d", ["https://example.com/a?b=1&c=2#d"]),
    ("https://example.com/a?b=", ["https://example.com/a?b="]),
    ("https://ru.wikipedia.org/wiki/Москва.", ["https://ru.wikipedia.org/wiki/Москва"]),
    # delimiters
    ("<https://example.com/x>", ["https://example.com/x"]),
    ('<a href="https://example.com/x">', ["https://example.com/x"]),
    ("`https://example.com/x`", ["https://example.com/x"]),
    ("https://t.co/a\nhttps://t.co/b", ["https://t.co/a", "https://t.co/b"]),
    ("https://t.co/a\u00a0next", ["https://t.co/a"]),  # no-break space
    ("https://t.co/a\u200bnext", ["https://t.co/a"]),
    ("详见https://t.co/abc。下一句", ["https://t.co/abc"]),
    ("https://t.co/abc、https://t.co/def", ["https://t.co/abc", "https://t.co/def"]),
    ("https://t.co/abc，然后", ["https://t.co/abc"]),
    ("「https://t.co/abc」", ["https://t.co/abc"]),
    # schemes
    ("HTTPS://T.CO/ABC", ["HTTPS://T.CO/ABC"]),
    ("http://example.com", ["http://example.com"]),
    ("source:https://t.co/a", ["https://t.co/a"]),
    # scheme-less: www. hosts and known link hosts only
    ("www.example.com", ["www.example.com"]),
    ("Visit www.example.com/a.", ["www.example.com/a"]),
    ("WWW.EXAMPLE.COM", ["WWW.EXAMPLE.COM"]),
    (f"twitter.com/mod_russia/status/{MOD_RUSSIA}", [f"twitter.com/mod_russia/status/{MOD_RUSSIA}"]),
    ("x.com/jack", ["x.com/jack"]),
    ("mobile.twitter.com/jack/status/20", ["mobile.twitter.com/jack/status/20"]),
    ("on.ft.com/1AbC and Bit.ly/AbC", ["on.ft.com/1AbC", "Bit.ly/AbC"]),
    ("(t.co/AbC)", ["t.co/AbC"]),
    # not URLs
    ("bit.ly", []),
    ("bit.ly/", []),
    ("bit.ly/.", []),
    ("example.com/x", []),  # an unknown host without a scheme: too often not a link
    ("desk@bit.ly/abc", []),
    ("foo.bit.ly/abc", []),
    ("the file report.pdf/ and e.g. and/or 3.5 km/h", []),
    ("https://", []),
    ("https://...", []),
    ("http:// example.com", []),
    ("mailto:desk@example.com", []),
    ("www.", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), FIND_CASES)
def test_find_urls(text: str, expected: list[str]) -> None:
    found = list(find_urls(text))
    assert [url for _, _, url in found] == expected
    for start, end, url in found:
        assert text[start:end] == url


def test_find_urls_in_the_example_article() -> None:
    text = (ROOT / "examples" / "sputnik-pt-2015-syria.txt").read_text(encoding="utf-8")
    assert [url for _, _, url in find_urls(text)] == ["https://t.co/eKInDZJCbH", "pic.twitter.com/PXh7c6aziZ"]


def test_find_urls_window_reaches_back_over_a_long_host() -> None:
    # The longest host the pattern accepts, right before its "/": the window must start before it.
    host = ".".join(["a" * 63] * 6) + "." + "b" * 63
    text = f"{'x ' * 300}{host}/path bit.ly/abc www.{host}"
    assert list(find_urls(text)) == list(_find_urls_one_pass(text))
    assert [url for _, _, url in find_urls(text)] == ["bit.ly/abc", f"www.{host}"]


@pytest.mark.parametrize(
    "text",
    ["https://a.example/" + ")" * 100_000, "/" * 200_000, "w" * 100_000 + "ww.", "a." * 100_000 + "com/x"],
    ids=["closing-brackets", "slashes", "w-run", "many-labels"],
)
def test_find_urls_is_linear_on_pathological_text(text: str) -> None:
    start = time.perf_counter()
    list(find_urls(text))
    assert time.perf_counter() - start < 2.0


# --- Properties: total functions and exact offsets --------------------------------------------

URL_PIECES = [
    "https://", "http://", "HTTP://", "www.", "WWW.", "bit.ly", "t.co", "pic.twitter.com",
    "twitter.com", "x.com", "example.com", "pic.twitter.com/", "pic.x.com/", "/", "//", "abc", "Foo_(bar)", "(", ")", "[", "]",
    ".", ",", ";", ":", "!", "?", "'", '"', "’", "”", "»", "«", "…", "...", "。", "、", " ", "\n",
    "\u00a0", "\u200b", "@", "#!", "-", "—", "?s=20", "#frag", "<", ">", "*", "ё", "日本",
]  # fmt: skip

url_like_text = st.lists(st.sampled_from(URL_PIECES) | st.text(max_size=3), max_size=40).map("".join)
any_text = st.text() | url_like_text


@settings(max_examples=400)
@given(any_text)
@example("(see bit.ly/abc). https://t.co/x) www.example.com")
def test_find_urls_total_exact_and_equal_to_one_pass(text: str) -> None:
    found = list(find_urls(text))
    previous_end = 0
    for start, end, url in found:
        assert text[start:end] == url
        assert previous_end <= start < end
        previous_end = end
    assert found == list(_find_urls_one_pass(text))


@settings(max_examples=300)
@given(any_text, st.none() | st.sampled_from([PAGE, "http://a.example", "", "mailto:x"]) | st.text())
def test_absolutize_is_total(raw: str, base: str | None) -> None:
    result = absolutize(raw, base)
    assert result is None or result.lower().startswith(("http://", "https://"))


@settings(max_examples=300)
@given(any_text)
def test_url_functions_are_total(text: str) -> None:
    host = host_of(text)
    assert host == host.lower() and host.isascii()
    assert isinstance(classify(text), LinkKind)
    assert isinstance(is_ignored_url(text), bool)
    ref = parse_status_url(text)
    assert ref is None or ref.id.isdigit()
    handle = parse_profile_url(text)
    assert handle is None or re.fullmatch(r"[A-Za-z0-9_]{1,20}", handle)


@settings(max_examples=500)
@given(st.sampled_from(["https://", "http://"]), url_like_text | st.text())
@example("https://", "user:pw@WWW.Example.COM.:8080/a/b?q=1#!/u/status/1")
@example("http://", "t.co?x#y/z")
@example("https://", "a.example#f?g")
@example("https://", "[::1]/x")
@example("https://", "bücher.de/x")
@example("https://", "a.example/\tb")
@example("https://", "@/x")
@example("http://", "")
def test_split_fast_path_splits_as_urlsplit_does(scheme: str, rest: str) -> None:
    s = (scheme + rest).strip().strip(_INVISIBLE).strip()
    assume(s.startswith(("https://", "http://")))
    fast = _split_web(s)
    assert fast is None or fast == _split_any(s)


@pytest.mark.parametrize(
    ("url", "entity"),
    [
        ("https://twitter.com/hashtag/ISIS?src=hash&ref_src=twsrc%5Etfw", True),
        ("https://x.com/hashtag/Aleppo", True),
        ("https://twitter.com/search?q=%24TSLA&src=ctag", True),  # a $cashtag
        ("https://twitter.com/mod_russia?ref_src=twsrc%5Etfw", True),  # an @mention
        ("https://mobile.twitter.com/Jack", True),
        ("https://twitter.com/search?q=floods", False),  # a search, not a cashtag
        ("https://twitter.com/mod_russia/status/656808085430472704", False),
        ("https://t.co/eKInDZJCbH", False),
        ("https://pic.twitter.com/PXh7c6aziZ", False),
        ("https://twitter.com/i/web/status/20", False),
        ("https://example.com/hashtag/ISIS", False),
        ("https://twitter.com/intent/tweet", False),
    ],
)
def test_entity_links_are_twitters_own(url: str, entity: bool) -> None:
    from resolver.rules import is_entity_link

    assert is_entity_link(url) is entity


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("see https://bit.ly/y\x1b]0;owned\x07 now", ["https://bit.ly/y"]),
        ("x https://a.example/p\u202eexe.pdf y", ["https://a.example/p"]),
        ("ok https://a.example/путь ok", ["https://a.example/путь"]),
    ],
)
def test_a_bare_url_ends_at_a_control_or_bidi_character(text: str, found: list[str]) -> None:
    assert [url for _, _, url in find_urls(text)] == found


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("https://a.example/p\u202eexe.pdf", "https://a.example/p%E2%80%AEexe.pdf"),
        ("https://bit.ly/x\x1b[2J", "https://bit.ly/x%1B[2J"),
        ("https://a.example/путь", "https://a.example/путь"),  # letters are kept as written
    ],
)
def test_control_and_bidi_characters_in_an_href_are_percent_encoded(href: str, url: str) -> None:
    from resolver.rules import absolutize

    assert absolutize(href) == url
