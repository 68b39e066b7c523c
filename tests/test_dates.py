"""Localized embed dates: the month table, the shapes, the dateparser fallback, the edges."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.detect import dates
from resolver.detect.dates import (
    DATE_PATTERN,
    EARLIEST,
    LANGUAGES,
    DateMatch,
    find_date_at_end,
    fold,
    parse_embed_date,
)

OCT21 = dt.date(2015, 10, 21)
TODAY = dt.date(2024, 6, 1)  # pinned: "the future" must not move under the tests

# (date text as an embed or a hand copy prints it, expected date, expected language)
CASES: list[tuple[str, dt.date, str]] = [
    # English: the US locale, en-GB, abbreviated, ordinals, a sentence's full stop
    ("October 21, 2015", OCT21, "en"),
    ("21 October 2015", OCT21, "en"),
    ("Oct 21, 2015", OCT21, "en"),
    ("Oct. 21, 2015", OCT21, "en"),
    ("October 21st, 2015", OCT21, "en"),
    ("21st October 2015", OCT21, "en"),
    ("October 21, 2015.", OCT21, "en"),
    ("  October 21, 2015  ", OCT21, "en"),
    ("May 5, 2016", dt.date(2016, 5, 5), "en"),
    # Portuguese: the embed's form, the hand copy of the example article, 1º
    ("21 de outubro de 2015", OCT21, "pt"),
    ("21 outubro 2015", OCT21, "pt"),
    ("21 de março de 2016", dt.date(2016, 3, 21), "pt"),
    ("21 de marco de 2016", dt.date(2016, 3, 21), "pt"),  # no accent
    ("1º de maio de 2016", dt.date(2016, 5, 1), "pt"),
    # Spanish
    ("21 de octubre de 2015", OCT21, "es"),
    ("21 de octubre del 2015", OCT21, "es"),
    ("21 de setiembre de 2015", dt.date(2015, 9, 21), "es"),
    ("21 de mar de 2016", dt.date(2016, 3, 21), "es"),  # `mar`: pt and es; table order
    # French
    ("21 octobre 2015", OCT21, "fr"),
    ("1er mai 2016", dt.date(2016, 5, 1), "fr"),
    ("21 mai 2016", dt.date(2016, 5, 21), "fr"),  # `mai` is pt's abbreviation, fr's full name
    ("21 février 2016", dt.date(2016, 2, 21), "fr"),
    ("21 fevrier 2016", dt.date(2016, 2, 21), "fr"),
    ("21 août 2016", dt.date(2016, 8, 21), "fr"),
    # German: the day's dot tells it from Indonesian
    ("21. Oktober 2015", OCT21, "de"),
    ("21.Oktober 2015", OCT21, "de"),
    ("21. März 2016", dt.date(2016, 3, 21), "de"),
    ("21 Mär 2016", dt.date(2016, 3, 21), "de"),  # the umlaut: not en/es/it `Mar`
    ("21. Marz 2016", dt.date(2016, 3, 21), "de"),
    # Italian
    ("21 ottobre 2015", OCT21, "it"),
    ("21 maggio 2016", dt.date(2016, 5, 21), "it"),
    # Russian: genitive, the `г.` suffix, nominative in hand copies, capitals
    ("21 октября 2015 г.", OCT21, "ru"),
    ("21 октября 2015", OCT21, "ru"),
    ("21 октября 2015г.", OCT21, "ru"),
    ("21 ОКТЯБРЯ 2015 Г.", OCT21, "ru"),
    ("21 мая 2016 г.", dt.date(2016, 5, 21), "ru"),
    ("21 май 2016", dt.date(2016, 5, 21), "ru"),
    # Turkish, with and without its letters
    ("21 Ekim 2015", OCT21, "tr"),
    ("21 Kasım 2015", dt.date(2015, 11, 21), "tr"),
    ("21 Kasim 2015", dt.date(2015, 11, 21), "tr"),
    ("21 Ağustos 2015", dt.date(2015, 8, 21), "tr"),
    # Arabic: Arabic-Indic digits, Latin digits, a Levantine month, bidi marks
    ("٢١ أكتوبر ٢٠١٥", OCT21, "ar"),
    ("21 أكتوبر 2015", OCT21, "ar"),
    ("٢١ تشرين الأول ٢٠١٥", OCT21, "ar"),
    ("٢١ أكتوبر ٢٠١٥ م", OCT21, "ar"),  # م: "of the Gregorian era"
    ("\u200f٢١ أكتوبر ٢٠١٥\u200f", OCT21, "ar"),
    ("٢١\u200f أكتوبر\u200f ٢٠١٥", OCT21, "ar"),
    # Persian: Extended Arabic-Indic digits decide between fa and ar for a shared spelling
    ("۲۱ اکتبر ۲۰۱۵", OCT21, "fa"),
    ("۲۱ اکتوبر ۲۰۱۵", OCT21, "fa"),
    ("۲۱ مهٔ ۲۰۱۶", dt.date(2016, 5, 21), "fa"),
    ("21 اکتوبر 2015", OCT21, "fa"),  # Latin digits, but a Persian keheh
    # Japanese, Chinese (needs a hint: see HINT_CASES), Korean; full-width digits
    ("2015年10月21日", OCT21, "ja"),
    ("2015年 10月 21日", OCT21, "ja"),
    ("２０１５年１０月２１日", OCT21, "ja"),
    ("2015년 10월 21일", OCT21, "ko"),
    ("2015년10월21일", OCT21, "ko"),
    # Indonesian and Dutch: the capital decides, there being no dot
    ("21 Oktober 2015", OCT21, "id"),
    ("21 Mei 2016", dt.date(2016, 5, 21), "id"),
    ("21 oktober 2015", OCT21, "nl"),
    ("21 maart 2016", dt.date(2016, 3, 21), "nl"),
    # Polish: genitive
    ("21 października 2015", OCT21, "pl"),
    ("21 pazdziernika 2015", OCT21, "pl"),
    ("21 maja 2016", dt.date(2016, 5, 21), "pl"),
    # Ukrainian
    ("21 жовтня 2015 р.", OCT21, "uk"),
    ("21 жовтня 2015", OCT21, "uk"),
    # Decomposed accents (NFD text): still the same month
    ("21 de marc\u0327o de 2016", dt.date(2016, 3, 21), "pt"),
    # The calendar's edges
    ("29 February 2016", dt.date(2016, 2, 29), "en"),
    ("21 March 2006", EARLIEST, "en"),
]

# (text, hints, expected language): the page's language decides between equal readings.
HINT_CASES: list[tuple[str, tuple[str, ...], str]] = [
    ("2015年10月21日", ("zh",), "zh"),
    ("2015年10月21日", ("zh-Hant",), "zh"),
    ("2015年10月21日", ("zh_CN", "ja"), "zh"),
    ("2015年10月21日", ("ja", "zh"), "ja"),
    ("21 Oktober 2015", ("nl",), "nl"),
    ("21 Oktober 2015", ("de-AT",), "de"),
    ("21 mai 2016", ("pt-BR",), "pt"),
    ("21 أكتوبر 2015", ("fa",), "fa"),
    ("21 octobre 2015", ("pt",), "fr"),  # a hint prefers, never forces: pt has no `octobre`
    ("21 octobre 2015", ("", "xx-YY"), "fr"),  # junk hints are ignored
]

# The time of day the rendered embed prints before the date, kept by copies of it.
TIME_CASES: list[tuple[str, dt.date, str]] = [
    ("3:45 PM · Oct 21, 2015", OCT21, "en"),  # widgets.js since 2016
    ("3:45 PM - 21 Oct 2015", OCT21, "en"),  # 2012-2016
    ("15:45 · 21 oct. 2015", OCT21, "es"),
    ("15:45 · 21 octobre 2015", OCT21, "fr"),
    ("3:45 p. m. · 21 oct. 2015", OCT21, "es"),
    ("15:45 · 21. Okt. 2015", OCT21, "de"),
    ("15.45 · 21 Okt 2015", OCT21, "id"),  # Indonesian writes the time with a dot
    ("午後3:45 · 2015年10月21日", OCT21, "ja"),
    ("오후 3:45 · 2015년 10월 21일", OCT21, "ko"),
    ("١٢:٠٠ م · ٢١ أكتوبر ٢٠١٥", OCT21, "ar"),
    ("15:45 · 21 октября 2015 г.", OCT21, "ru"),
]

# Not embed dates, or impossible ones.
NEGATIVES: list[str] = [
    "3:45 PM",
    "3:45 PM · yesterday",
    "3:45 PM · 2015",
    "",
    "   ",
    "2015",
    "October 2015",
    "21 October",
    "21 Foo 2015",
    "21/10/2015",  # numeric: never an embed's form, and its order is ambiguous
    "2015-10-21",
    "31 June 2015",
    "29 February 2015",
    "32 October 2015",
    "2015年13月21日",
    "20 March 2006",  # the day before the first tweet
    "1 janvier 2006",
    "21 octobre 2099",  # the future
    "said October 21, 2015",  # words around a month are not a month
    "on October 21, 2015",
    "October 21, 2015 at the latest",
    "yesterday",
    "21 октября",
    "x" * 500,
    "21 October 20155",
]


@pytest.mark.parametrize(("text", "expected", "lang"), CASES)
def test_parse(text: str, expected: dt.date, lang: str) -> None:
    assert parse_embed_date(text, today=TODAY) == (expected, lang)


@pytest.mark.parametrize(("text", "expected", "lang"), CASES)
def test_table_cases_never_reach_dateparser(
    text: str, expected: dt.date, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path covers every listed language: dateparser costs ~5 ms a call."""

    def boom(*args: object) -> None:
        raise AssertionError("dateparser called")

    monkeypatch.setattr(dates, "_from_dateparser", boom)
    dates._parse.cache_clear()
    assert dates._parse(dates._EDGES.sub("", text), (), TODAY) == (expected, lang)


@pytest.mark.parametrize(("text", "expected", "lang"), TIME_CASES)
def test_time_of_day_before_the_date(
    text: str, expected: dt.date, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table reads the date after the time: dateparser would guess the language (it read
    `15:45 · 21 oct. 2015` as English) at a thousand times the cost."""

    def boom(*args: object) -> None:
        raise AssertionError("dateparser called")

    monkeypatch.setattr(dates, "_from_dateparser", boom)
    dates._parse.cache_clear()
    assert parse_embed_date(text, today=TODAY) == (expected, lang)
    found = find_date_at_end(f"— Name (@h) {text}", today=TODAY)
    assert found is not None and found.text == text


@pytest.mark.parametrize(("text", "hints", "lang"), HINT_CASES)
def test_hints(text: str, hints: tuple[str, ...], lang: str) -> None:
    result = parse_embed_date(text, hints, today=TODAY)
    assert result is not None
    assert result[1] == lang


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(text: str) -> None:
    assert parse_embed_date(text, today=TODAY) is None


# (date text the table does not know, expected date, language dateparser names)
FALLBACK_CASES: list[tuple[str, dt.date, str]] = [
    ("21 lokakuuta 2015", OCT21, "fi"),
    ("21 Οκτωβρίου 2015", OCT21, "el"),
    ("21 de octubre de 2015", OCT21, "es"),  # (a table case, as a control)
]


@pytest.mark.parametrize(("text", "expected", "lang"), FALLBACK_CASES)
def test_dateparser_fallback(text: str, expected: dt.date, lang: str) -> None:
    assert parse_embed_date(text, today=TODAY) == (expected, lang)


def test_future_is_relative_to_today() -> None:
    """The reader's time zone may be a day ahead of the scanner's clock: one day of slack."""
    today = dt.date(2015, 10, 21)
    assert parse_embed_date("October 22, 2015", today=today) == (dt.date(2015, 10, 22), "en")
    assert parse_embed_date("October 23, 2015", today=today) is None
    assert parse_embed_date("23 lokakuuta 2015", today=today) is None  # the fallback too


def test_never_raises_on_odd_arguments() -> None:
    assert parse_embed_date(None) is None  # type: ignore[arg-type]
    assert parse_embed_date("21 October 2015", [None, 3]) == (OCT21, "en")  # type: ignore[list-item]


# --- the table itself ------------------------------------------------------------------------


def test_table_shape() -> None:
    codes = [lang.code for lang in LANGUAGES]
    assert len(codes) == len(set(codes))
    for lang in LANGUAGES:
        assert len(lang.months) == 12, lang.code
        assert all(lang.months[i] for i in range(12)), lang.code
        assert set(lang.orders) <= {"dmy", "mdy", "ymd"}
        assert lang.digits in {"latin", "arab", "arabext"}


def test_table_forms_unique_within_a_language() -> None:
    """After folding, one form names one month in a language (else a date would be ambiguous)."""
    for lang in LANGUAGES:
        seen: dict[str, int] = {}
        for number, forms in enumerate(lang.months, start=1):
            for form in forms:
                key = dates._fold_month(form)
                assert key, (lang.code, form)
                assert seen.setdefault(key, number) == number, (lang.code, form)


def test_every_listed_language_is_in_the_table() -> None:
    listed = {"en", "pt", "es", "fr", "de", "it", "ru", "tr", "ar", "ja", "ko", "id", "nl", "pl"}
    listed |= {"zh", "uk", "fa"}
    assert listed <= {lang.code for lang in LANGUAGES}


# Forms dateparser's locale data does not hold (checked by hand): the Levantine Arabic months,
# which CLDR gives only to ar-SY/ar-LB/ar-IQ, and nl `sept`.
NOT_IN_DATEPARSER = {
    ("ar", "كانون الثاني"),
    ("ar", "شباط"),
    ("ar", "آذار"),
    ("ar", "نيسان"),
    ("ar", "أيار"),
    ("ar", "حزيران"),
    ("ar", "تموز"),
    ("ar", "آب"),
    ("ar", "أيلول"),
    ("ar", "تشرين الأول"),
    ("ar", "تشرين الثاني"),
    ("ar", "كانون الأول"),
    ("nl", "sept"),
}


@pytest.mark.slow
def test_table_agrees_with_dateparser() -> None:
    """An independent source for the month names: dateparser reads each form as the same month."""
    from dateparser.date import DateDataParser

    disagreements = []
    for lang in LANGUAGES:
        if lang.orders == ("ymd",):
            continue
        parser = DateDataParser(languages=[lang.code], settings=dates._DATEPARSER_SETTINGS)
        for number, forms in enumerate(lang.months, start=1):
            for form in forms:
                if (lang.code, form) in NOT_IN_DATEPARSER:
                    continue
                when = parser.get_date_data(f"15{'.' if lang.day_dot else ''} {form} 2015").date_obj
                if when is None or when.month != number:
                    disagreements.append((lang.code, form, when))
    assert disagreements == []


FOLD_CASES: list[tuple[str, str]] = [
    ("Março", "marco"),
    ("OKTOBER", "oktober"),
    ("Ağustos", "agustos"),
    ("KASIM", "kasim"),
    ("Kasım", "kasim"),
    ("İstanbul", "istanbul"),
    ("października", "pazdziernika"),
    ("أكتوبر", "اكتوبر"),
    ("اکتوبر", "اكتوبر"),  # Persian keheh: same as Arabic kaf
    ("\u200fأكتوبر\u200f", "اكتوبر"),
    ("ＯＣＴ", "oct"),
    ("10월", "10월"),  # Hangul survives NFD/NFC
    ("März", "marz"),
]


@pytest.mark.parametrize(("text", "expected"), FOLD_CASES)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


# --- the shape, and finding a date at the end of a string -------------------------------------

# (string, the date text found at its end or None)
AT_END_CASES: list[tuple[str, str | None]] = [
    ("— Минобороны России (@mod_russia) 21 outubro 2015", "21 outubro 2015"),
    ("(@h) 21 outubro 2015.", "21 outubro 2015"),
    ("(@h) 21 октября 2015 г.", "21 октября 2015 г."),
    ("(@h) October 21, 2015  ", "October 21, 2015"),
    ("(@h) said October 21, 2015", "October 21, 2015"),  # the later start is tried
    ("(@h) 2015年10月21日", "2015年10月21日"),
    ("(@h) ٢١ أكتوبر ٢٠١٥", "٢١ أكتوبر ٢٠١٥"),
    ("(@h) 21 outubro 2015 and more", None),
    ("(@h) 21 Foo 2015", None),
    ("no date here", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), AT_END_CASES)
def test_find_date_at_end(text: str, expected: str | None) -> None:
    found = find_date_at_end(text, today=TODAY)
    if expected is None:
        assert found is None
    else:
        assert isinstance(found, DateMatch)
        assert found.text == expected == text[found.start : found.end]


def test_date_pattern_is_a_plain_regex_source() -> None:
    """Callers embed it in their own patterns: no anchors, no named groups to clash."""
    compiled = re.compile(DATE_PATTERN)
    assert compiled.groupindex == {}
    for text, _, _ in CASES:
        assert compiled.search(text), text


def test_fast_path_is_fast() -> None:
    """A generous bound (~15 µs measured): the table must stay far below dateparser's ms."""
    import time

    texts = [text for text, _, _ in CASES]
    start = time.perf_counter()
    for _ in range(5):
        dates._parse.cache_clear()
        for text in texts:
            parse_embed_date(text, today=TODAY)
    per_call = (time.perf_counter() - start) / (5 * len(texts))
    assert per_call < 0.001


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.lists(st.text(max_size=8), max_size=3))
def test_never_raises(text: str, hints: list[str]) -> None:
    result = parse_embed_date(text, hints, today=TODAY)
    if result is not None:
        assert EARLIEST <= result[0] <= TODAY + dt.timedelta(days=1)


_DATE_ALPHABET = st.sampled_from(
    [
        *"0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ .,年月日년월일",
        *("October", "outubro", "de", "октября", "г.", "Oktober", "أكتوبر", "\u200f", "st", "º"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DATE_ALPHABET, max_size=12).map("".join))
def test_never_raises_on_date_like_text(text: str) -> None:
    result = parse_embed_date(text, today=TODAY)
    if result is not None:
        assert EARLIEST <= result[0] <= TODAY + dt.timedelta(days=1)
    found = find_date_at_end(text, today=TODAY)
    if found is not None:
        assert 0 <= found.start <= found.end <= len(text)
