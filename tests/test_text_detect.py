"""Flattened tweets in plain text: `text` then `— Display Name (@handle) DATE`."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import resolver
from resolver.detect.text import Signature, find_signatures, tweet_length

OCT21 = dt.date(2015, 10, 21)
# The article the project started from (a copy of shared/corpus/sputnik-pt-2015-syria.txt).
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sputnik-pt-2015-syria.txt"

FOOTAGE = (
    "#FOOTAGE Elimination of a militants' strong point (#Aleppo province) "
    "https://t.co/eKInDZJCbH pic.twitter.com/PXh7c6aziZ"
)
RADIO = (
    "Radio recon intercepted data about start of talks between #ISIS & Jabhat an-Nusra "
    "commanders on alliance against #SYRIA government troops"
)
# A paragraph as news articles have them: longer than any tweet.
PARAGRAPH = (
    "Em Aleppo, o exército sírio começou uma ofensiva contra o EI com o objetivo de liberar a base "
    "aérea de Kweiris. Além disso, as tropas governamentais também liberaram várias aldeias em "
    "torno do sul da cidade."
)
# 200 characters: too long for a 2015 tweet (140), fine for a 2019 one (280).
MID = "word " * 39 + "last."
assert len(MID) == 200


def sig(
    author: str, handle: str, date: dt.date, date_text: str, lang: str, text: str, signature: str
) -> tuple[str, str, dt.date, str, str, str, str]:
    """One expected signature: what it says, its tweet's text and its own text."""
    return (author, handle, date, date_text, lang, text, signature)


Expected = tuple[str, str, dt.date, str, str, str, str]

# (input text, the signatures expected, in order)
CASES: list[tuple[str, list[Expected]]] = [
    # The line form, em dash, tweet text on the line above, a paragraph above that.
    (
        f"{PARAGRAPH}\n{FOOTAGE}\n— Минобороны России (@mod_russia) 21 outubro 2015\nMore prose.",
        [
            sig(
                "Минобороны России",
                "mod_russia",
                OCT21,
                "21 outubro 2015",
                "pt",
                FOOTAGE,
                "— Минобороны России (@mod_russia) 21 outubro 2015",
            )
        ],
    ),
    # Each dash.
    (
        "Tweet text\n– Name (@h) October 21, 2015",
        [sig("Name", "h", OCT21, "October 21, 2015", "en", "Tweet text", "– Name (@h) October 21, 2015")],
    ),
    (
        "Tweet text\n-- Name (@h) October 21, 2015",
        [sig("Name", "h", OCT21, "October 21, 2015", "en", "Tweet text", "-- Name (@h) October 21, 2015")],
    ),
    (
        "Tweet text\n- Name (@h) October 21, 2015",
        [sig("Name", "h", OCT21, "October 21, 2015", "en", "Tweet text", "- Name (@h) October 21, 2015")],
    ),
    (
        "Tweet text\n&mdash; Name (@h) October 21, 2015",
        [
            sig(
                "Name",
                "h",
                OCT21,
                "October 21, 2015",
                "en",
                "Tweet text",
                "&mdash; Name (@h) October 21, 2015",
            )
        ],
    ),
    (
        "Tweet text\n&#8212; Name (@h) October 21, 2015",
        [
            sig(
                "Name",
                "h",
                OCT21,
                "October 21, 2015",
                "en",
                "Tweet text",
                "&#8212; Name (@h) October 21, 2015",
            )
        ],
    ),
    (
        "Tweet text\n  —Name (@h) October 21, 2015",  # indented, no space after the dash
        [sig("Name", "h", OCT21, "October 21, 2015", "en", "Tweet text", "—Name (@h) October 21, 2015")],
    ),
    # Inline: the converter joined the quote into one line.
    (
        f"{FOOTAGE} — Минобороны России (@mod_russia) October 21, 2015",
        [
            sig(
                "Минобороны России",
                "mod_russia",
                OCT21,
                "October 21, 2015",
                "en",
                FOOTAGE,
                "— Минобороны России (@mod_russia) October 21, 2015",
            )
        ],
    ),
    (
        "Some tweet text -- Name (@h) 21 de octubre de 2015",
        [
            sig(
                "Name",
                "h",
                OCT21,
                "21 de octubre de 2015",
                "es",
                "Some tweet text",
                "-- Name (@h) 21 de octubre de 2015",
            )
        ],
    ),
    (
        "Some tweet text - Name (@h) 21 octobre 2015",
        [sig("Name", "h", OCT21, "21 octobre 2015", "fr", "Some tweet text", "- Name (@h) 21 octobre 2015")],
    ),
    # Inline after an article's sentences on the same line: the longest tail starting a
    # sentence that fits. A long article sentence stays out...
    (
        f"{MID} Short tweet. Here pic.twitter.com/abc — N (@n) 21 outubro 2015",
        [
            sig(
                "N",
                "n",
                OCT21,
                "21 outubro 2015",
                "pt",
                "Short tweet. Here pic.twitter.com/abc",
                "— N (@n) 21 outubro 2015",
            )
        ],
    ),
    # ... a short one gets in (the known limit, as with a short line above the line form).
    (
        f"{PARAGRAPH} Short tweet pic.twitter.com/abc — N (@n) 21 outubro 2015",
        [
            sig(
                "N",
                "n",
                OCT21,
                "21 outubro 2015",
                "pt",
                "Além disso, as tropas governamentais também liberaram várias aldeias em torno do sul "
                "da cidade. Short tweet pic.twitter.com/abc",
                "— N (@n) 21 outubro 2015",
            )
        ],
    ),
    # Multi-line tweet: every line up to the blank line.
    (
        f"{PARAGRAPH}\n\nFirst line of the tweet\nsecond line\nthird https://t.co/x\n"
        "— Name (@h) 21. Oktober 2015",
        [
            sig(
                "Name",
                "h",
                OCT21,
                "21. Oktober 2015",
                "de",
                "First line of the tweet\nsecond line\nthird https://t.co/x",
                "— Name (@h) 21. Oktober 2015",
            )
        ],
    ),
    # Multi-line tweet right under a paragraph, no blank line: the paragraph does not fit.
    (
        f"{PARAGRAPH}\nFirst line\nsecond line\n— Name (@h) 21 ottobre 2015",
        [
            sig(
                "Name",
                "h",
                OCT21,
                "21 ottobre 2015",
                "it",
                "First line\nsecond line",
                "— Name (@h) 21 ottobre 2015",
            )
        ],
    ),
    # The length budget follows the date: 140 characters in 2015, 280 (weighted) from 2017-11-07.
    (
        f"{MID}\nshort\n— Name (@h) October 21, 2015",
        [sig("Name", "h", OCT21, "October 21, 2015", "en", "short", "— Name (@h) October 21, 2015")],
    ),
    (
        f"{MID}\nshort\n— Name (@h) October 21, 2019",
        [
            sig(
                "Name",
                "h",
                dt.date(2019, 10, 21),
                "October 21, 2019",
                "en",
                f"{MID}\nshort",
                "— Name (@h) October 21, 2019",
            )
        ],
    ),
    # Two tweets back to back: the second's text stops at the first's signature.
    (
        "one\n— A (@a) 21 octobre 2015\ntwo\n— B (@b) 22 octobre 2015",
        [
            sig("A", "a", OCT21, "21 octobre 2015", "fr", "one", "— A (@a) 21 octobre 2015"),
            sig("B", "b", dt.date(2015, 10, 22), "22 octobre 2015", "fr", "two", "— B (@b) 22 octobre 2015"),
        ],
    ),
    # A signature alone (its text lost, or never copied): still a tweet, with an empty text.
    (
        "— Name (@h) 21 октября 2015 г.",
        [sig("Name", "h", OCT21, "21 октября 2015 г.", "ru", "", "— Name (@h) 21 октября 2015 г.")],
    ),
    (
        f"{PARAGRAPH}\n— Name (@h) 21 Ekim 2015",
        [sig("Name", "h", OCT21, "21 Ekim 2015", "tr", "", "— Name (@h) 21 Ekim 2015")],
    ),
    # Display names with dashes, parentheses, emoji, other scripts.
    (
        "Bonjour\n— Jean-Luc — Officiel (Paris) 🇫🇷✨ (@jl_off) 21 octobre 2015",
        [
            sig(
                "Jean-Luc — Officiel (Paris) 🇫🇷✨",
                "jl_off",
                OCT21,
                "21 octobre 2015",
                "fr",
                "Bonjour",
                "— Jean-Luc — Officiel (Paris) 🇫🇷✨ (@jl_off) 21 octobre 2015",
            )
        ],
    ),
    (
        "صورة من الموقع\n— وزارة الدفاع (@mod) ٢١ أكتوبر ٢٠١٥",
        [
            sig(
                "وزارة الدفاع",
                "mod",
                OCT21,
                "٢١ أكتوبر ٢٠١٥",
                "ar",
                "صورة من الموقع",
                "— وزارة الدفاع (@mod) ٢١ أكتوبر ٢٠١٥",
            )
        ],
    ),
    (
        "今日の写真です\n— 防衛省 (@ModJapan_jp) 2015年10月21日",
        [
            sig(
                "防衛省",
                "ModJapan_jp",
                OCT21,
                "2015年10月21日",
                "ja",
                "今日の写真です",
                "— 防衛省 (@ModJapan_jp) 2015年10月21日",
            )
        ],
    ),
    (
        "오늘의 사진\n— 국방부 (@mnd) 2015년 10월 21일",
        [
            sig(
                "국방부",
                "mnd",
                OCT21,
                "2015년 10월 21일",
                "ko",
                "오늘의 사진",
                "— 국방부 (@mnd) 2015년 10월 21일",
            )
        ],
    ),
    (
        "Zdjęcie\n— MON (@MON_GOV_PL) 21 października 2015",
        [
            sig(
                "MON",
                "MON_GOV_PL",
                OCT21,
                "21 października 2015",
                "pl",
                "Zdjęcie",
                "— MON (@MON_GOV_PL) 21 października 2015",
            )
        ],
    ),
    (
        "Foto\n— Kemenhan (@Kemhan_RI) 21 Oktober 2015",
        [
            sig(
                "Kemenhan",
                "Kemhan_RI",
                OCT21,
                "21 Oktober 2015",
                "id",
                "Foto",
                "— Kemenhan (@Kemhan_RI) 21 Oktober 2015",
            )
        ],
    ),
    (
        "Foto\n— Defensie (@DefensieNL) 21 oktober 2015",
        [
            sig(
                "Defensie",
                "DefensieNL",
                OCT21,
                "21 oktober 2015",
                "nl",
                "Foto",
                "— Defensie (@DefensieNL) 21 oktober 2015",
            )
        ],
    ),
    (
        "Фото\n— Міноборони (@DefenceU) 21 жовтня 2015 р.",
        [
            sig(
                "Міноборони",
                "DefenceU",
                OCT21,
                "21 жовтня 2015 р.",
                "uk",
                "Фото",
                "— Міноборони (@DefenceU) 21 жовтня 2015 р.",
            )
        ],
    ),
    # Trailing punctuation and spaces after the date stay out of the signature.
    (
        "Texto\n— Nome (@n) 21 de outubro de 2015.  ",
        [
            sig(
                "Nome",
                "n",
                OCT21,
                "21 de outubro de 2015",
                "pt",
                "Texto",
                "— Nome (@n) 21 de outubro de 2015",
            )
        ],
    ),
    # Markdown: a quote, the date as a link (what html-to-Markdown converters make of embeds).
    (
        "> Texto do tweet\n> — Nome (@n) [21 outubro 2015](https://twitter.com/n/status/656)",
        [
            sig(
                "Nome",
                "n",
                OCT21,
                "21 outubro 2015",
                "pt",
                "Texto do tweet",
                "— Nome (@n) [21 outubro 2015](https://twitter.com/n/status/656)",
            )
        ],
    ),
    # The status URL after the date (text browsers print the link's target).
    (
        "Text\n— Name (@h) October 21, 2015 <https://twitter.com/h/status/656>",
        [
            sig(
                "Name",
                "h",
                OCT21,
                "October 21, 2015",
                "en",
                "Text",
                "— Name (@h) October 21, 2015 <https://twitter.com/h/status/656>",
            )
        ],
    ),
    # Full-width parentheses.
    (
        "写真\n— 防衛省 （@ModJapan_jp） 2015年10月21日",
        [
            sig(
                "防衛省",
                "ModJapan_jp",
                OCT21,
                "2015年10月21日",
                "ja",
                "写真",
                "— 防衛省 （@ModJapan_jp） 2015年10月21日",
            )
        ],
    ),
    # Zero-width and bidi marks that editors leave around the dash and the text are invisible.
    (
        "Texto do tweet\u200b\n\u200b— Nome (@n) 21 outubro 2015",
        [sig("Nome", "n", OCT21, "21 outubro 2015", "pt", "Texto do tweet", "— Nome (@n) 21 outubro 2015")],
    ),
    (
        "نص التغريدة\n\u200f— الاسم (@n) ٢١ أكتوبر ٢٠١٥",
        [sig("الاسم", "n", OCT21, "٢١ أكتوبر ٢٠١٥", "ar", "نص التغريدة", "— الاسم (@n) ٢١ أكتوبر ٢٠١٥")],
    ),
    (
        "Texto\u200b — Nome (@n) 21 outubro 2015",
        [sig("Nome", "n", OCT21, "21 outubro 2015", "pt", "Texto", "— Nome (@n) 21 outubro 2015")],
    ),
    # A copy of the rendered embed: the time of day before the date.
    (
        "Hello world https://t.co/AbC123xyz\n— Name (@h) 3:45 PM · Oct 21, 2015",
        [
            sig(
                "Name",
                "h",
                OCT21,
                "3:45 PM · Oct 21, 2015",
                "en",
                "Hello world https://t.co/AbC123xyz",
                "— Name (@h) 3:45 PM · Oct 21, 2015",
            )
        ],
    ),
    (
        "Olá\n— Nome (@n) 3:45 PM - 21 de out de 2015",
        [
            sig(
                "Nome",
                "n",
                OCT21,
                "3:45 PM - 21 de out de 2015",
                "pt",
                "Olá",
                "— Nome (@n) 3:45 PM - 21 de out de 2015",
            )
        ],
    ),
    # A bullet before an inline signature is a bullet, not the signature's dash.
    (
        "- Item text — Name (@h) October 21, 2015",
        [sig("Name", "h", OCT21, "October 21, 2015", "en", "- Item text", "— Name (@h) October 21, 2015")],
    ),
]

# Prose that must yield no signature.
NEGATIVES: list[str] = [
    "- John Smith (@jsmith) said",
    "- item (@x)",
    "- item one (@x)\n- item two (@y)",
    "See you there (@ 5pm) — 21 October 2015",
    "Write to press@example.com — 21 October 2015",
    "Name (@h) October 21, 2015",  # no dash
    "Jean-Luc (@jl) 21 outubro 2015",  # a hyphen inside a name is no dash
    "— Name (@h) October 21, 2015 and the article goes on",  # the date does not end the line
    "— Name (@h)\nOctober 21, 2015",  # nor is it on the signature's line
    "— Name (@h) said on October 21, 2015",
    "— Name (@h) 21 Foo 2015",
    "— Name (@h) 2015",
    "— Name (@h) 31 June 2015",
    "— Name (@h) 21 October 2099",
    "— Name (@h) 21/10/2015",
    "— Name (@) 21 October 2015",
    "— " + "x" * 200 + " (@h) 21 October 2015",  # not a display name: prose
    "",
    "@",
    "(@",
]


def _expected_of(text: str, found: Signature) -> Expected:
    return (
        found.author,
        found.handle,
        found.date,  # type: ignore[return-value]
        found.date_text,  # type: ignore[return-value]
        found.date_lang,  # type: ignore[return-value]
        text[found.text_start : found.text_end],
        text[found.start : found.end],
    )


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_signatures(text: str, expected: list[Expected]) -> None:
    found = find_signatures(text)
    assert [_expected_of(text, f) for f in found] == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(text: str) -> None:
    assert find_signatures(text) == []


def test_empty_text_span_sits_at_the_signature() -> None:
    text = f"{PARAGRAPH}\n— Name (@h) 21 Ekim 2015"
    (found,) = find_signatures(text)
    assert found.text_start == found.text_end == found.start


def test_markdown_and_status_url_are_kept() -> None:
    (md,) = find_signatures("x\n— N (@n) [21 outubro 2015](https://twitter.com/n/status/656)")
    assert md.url == "https://twitter.com/n/status/656"
    (plain,) = find_signatures("x\n— N (@n) 21 outubro 2015 https://x.com/n/status/656?s=20")
    assert plain.url == "https://x.com/n/status/656?s=20"
    (bare,) = find_signatures("x\n— N (@n) 21 outubro 2015")
    assert bare.url is None


def test_hints_name_the_date_language() -> None:
    text = "x\n— N (@n) 2015年10月21日"
    assert find_signatures(text)[0].date_lang == "ja"
    assert find_signatures(text, hint_langs=["zh-CN"])[0].date_lang == "zh"


# --- the example article -------------------------------------------------------------------


def test_example_article() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    found = find_signatures(text)
    assert len(found) == 2
    for f in found:
        assert (f.author, f.handle, f.date, f.date_text, f.date_lang) == (
            "Минобороны России",
            "mod_russia",
            OCT21,
            "21 outubro 2015",
            "pt",
        )
        assert text[f.start : f.end] == "— Минобороны России (@mod_russia) 21 outubro 2015"
    assert [text[f.text_start : f.text_end] for f in found] == [FOOTAGE, RADIO]


# --- tweet length --------------------------------------------------------------------------

LENGTH_CASES: list[tuple[str, bool, int]] = [
    ("hello", True, 5),
    ("hello https://t.co/eKInDZJCbH", True, 6 + 23),
    ("pic.twitter.com/PXh7c6aziZ", False, 23),
    ("a  \n  b", False, 3),  # whitespace runs count once
    ("日本語", True, 6),  # CJK weighs 2 since 2017
    ("日本語", False, 3),
    ("“quoted”", True, 8),  # general punctuation weighs 1
    (FOOTAGE, False, 116),
]


@pytest.mark.parametrize(("text", "weighted", "expected"), LENGTH_CASES)
def test_tweet_length(text: str, weighted: bool, expected: int) -> None:
    assert tweet_length(text, weighted) == expected


# --- speed and robustness ------------------------------------------------------------------


def _prose(size: int, extra: str = "") -> str:
    line = PARAGRAPH.replace("—", "") + extra
    return "\n".join([line] * (size // (len(line) + 1) + 1))[:size]


def test_fast_on_prose_without_signatures() -> None:
    """~0.01 ms for 300 KB without `@` (measured), a few ms with mentions and emails."""
    for text in (_prose(300_000), _prose(300_000, " (@jsmith) said, mail a@b.com (@ 5pm) — x (@y) 2015")):
        start = time.perf_counter()
        assert find_signatures(text) == []
        assert time.perf_counter() - start < 0.5


def test_linear_on_one_long_line_of_handles() -> None:
    text = "word (@h) " * 30_000
    start = time.perf_counter()
    assert find_signatures(text) == []
    assert time.perf_counter() - start < 1.0


_FRAGMENTS = st.sampled_from(
    [
        "\n",
        " ",
        "  ",
        "—",
        "–",
        "-",
        "--",
        "&mdash;",
        ">",
        "(",
        ")",
        "(@",
        "@",
        "（",
        "）",
        "Name",
        "Минобороны",
        "🇫🇷",
        "x",
        "h_1",
        "21",
        "2015",
        "٢١",
        "٢٠١٥",
        "October",
        "outubro",
        "de",
        "г.",
        "年",
        "10月",
        "21日",
        ".",
        ",",
        "https://t.co/abc",
        "pic.twitter.com/x",
        "[",
        "](",
        "https://twitter.com/h/status/1",
        "<",
        "\u200f",
        "\r",
        " 21 outubro 2015",
        " October 21, 2015",
        "— N (@n) 21 outubro 2015",
    ]
)


def _check_invariants(text: str, found: list[Signature]) -> None:
    previous_end = 0
    for f in found:
        assert 0 <= f.text_start <= f.text_end <= f.start < f.end <= len(text)
        assert f.start >= previous_end
        previous_end = f.end
        assert f"@{f.handle}" in text[f.start : f.end]
        assert f.date is not None and f.date_text is not None
        assert f.date_text in text[f.start : f.end]
        assert "\n" not in text[f.start : f.end]
        assert text[f.text_start : f.text_end] == text[f.text_start : f.text_end].strip()


@settings(max_examples=400, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40).map("".join))
def test_never_raises_on_signature_like_text(text: str) -> None:
    _check_invariants(text, find_signatures(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    _check_invariants(text, find_signatures(text))


@pytest.mark.parametrize(
    "text",
    [
        "> Tweet text https://t.co/AbC123xyz\n> — Jane (@jane) [January 6, 2021]"
        "(https://twitter.com/jane/status/1346889436626259968?ref_src=twsrc%5Etfw)\n",
        "Tweet text https://t.co/AbC123xyz\n— Jane (@jane) January 6, 2021 https://x.com/jane/status/1346889436626259968\n",
    ],
    ids=["markdown-date-link", "status-url-after-the-date"],
)
def test_a_signature_that_kept_its_status_url_gives_the_id(text: str) -> None:
    (tweet,) = resolver.scan_bytes(text.encode(), "a.md").tweets
    assert tweet.id == "1346889436626259968"
    assert tweet.url == "https://twitter.com/jane/status/1346889436626259968"
    assert tweet.handle == "jane" and tweet.links == ("https://t.co/AbC123xyz",)


def test_a_status_url_of_another_account_is_not_the_signatures() -> None:
    text = "Tweet text\n— Jane (@jane) January 6, 2021 https://x.com/someone/status/1346889436626259968\n"
    (tweet,) = resolver.scan_bytes(text.encode(), "a.txt").tweets
    assert tweet.id is None


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.txt", "Tweet text https://t.co/abc\n— Jane (@jane) October 21, 2015 {status}\n\nlater {other}\n"),
        (
            "a.md",
            "Tweet text https://t.co/abc\n— Jane (@jane) [October 21, 2015]({status})\n\nlater {other}\n",
        ),
    ],
)
def test_the_status_url_a_signature_keeps_is_the_tweets_link(name: str, text: str) -> None:
    status = "https://twitter.com/jane/status/1346889436626259968"
    other = "https://twitter.com/bob/status/1346889436626259969"
    result = resolver.scan_bytes(text.format(status=status, other=other).encode(), name)
    (tweet,) = result.tweets
    assert tweet.id == "1346889436626259968"
    assert {link.url: link.tweet for link in result.links} == {"https://t.co/abc": 0, status: 0, other: None}


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("a.txt", "\n".join(f"see https://bit.ly/a{i} now" for i in range(300))),
        (
            "a.html",
            "<html><body>"
            + "".join(f'<a href="https://bit.ly/b{i}">x</a>' for i in range(300))
            + "</body></html>",
        ),
    ],
)
def test_links_past_the_cap_are_left_out_with_a_warning(
    name: str, body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolver import rules

    monkeypatch.setattr(rules, "MAX_LINKS", 100)
    result = resolver.scan_bytes(body.encode(), name)
    assert [link.url for link in result.links] == [
        f"https://bit.ly/{'a' if name == 'a.txt' else 'b'}{i}" for i in range(100)
    ]
    assert result.warnings == ("more than 100 links: only the first 100 are reported",)
    monkeypatch.setattr(rules, "MAX_LINKS", 300)
    assert not resolver.scan_bytes(body.encode(), name).warnings  # exactly at the cap: all of them
