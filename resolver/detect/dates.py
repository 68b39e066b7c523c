"""Dates as tweet embeds print them, in the language the embed was rendered for.

A flattened tweet ends with `— Name (@handle) DATE`, and DATE is localized: `October 21, 2015`,
`21 de outubro de 2015`, `21. Oktober 2015`, `21 октября 2015 г.`, `2015年10月21日`,
`٢١ أكتوبر ٢٠١٥`... (see shared/WEB-FACTS.md, "Localized embed dates").

Two layers:

- `DATE_PATTERN` is the *shape* of such a date (day, month word(s), year in one of three orders),
  written for raw text: any script's digits (`\\d` is Unicode-aware), letters of any script,
  combining accents, bidi marks. It says where a date may be; it does not know month names.
- `parse_embed_date` says whether a candidate really is a date. Its fast path is `LANGUAGES`, a
  table of month names per language (full, genitive and common abbreviated forms) matched after
  folding case, accents and Arabic/Persian letter variants. Only when the month word is unknown
  to the table does it ask dateparser, which knows 200+ locales but costs ~0.4 s on first use
  and 3-9 ms per call afterwards, against microseconds for the table.

Why not dateparser alone: it is slow per call, and its language detection guesses; the table
gives the same answer every time and says *why* a language was chosen (see `_score`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "DATE_PATTERN",
    "EARLIEST",
    "LANGUAGES",
    "TRAILING_PUNCTUATION",
    "TRAIL_PATTERN",
    "DateMatch",
    "Language",
    "find_date_at_end",
    "fold",
    "parse_embed_date",
]

#: The day of the first tweet (twttr, 2006-03-21): no embed can show an earlier date.
EARLIEST = dt.date(2006, 3, 21)

#: How far past "today" a date may be. The embed prints the date in the *reader's* time zone,
#: which can be a calendar day ahead of the machine that scans the article; anything later
#: cannot have been tweeted yet.
_FUTURE_SLACK = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Language:
    """How one language writes embed dates: its month names and the habits that tell it apart.

    `months[i]` lists the forms of month i+1 as written (accents and case kept for the
    reader); they are folded with `fold` before matching. The first form is the one the
    embed uses; the rest are genitive or abbreviated forms seen in hand copies.
    """

    code: str
    months: tuple[tuple[str, ...], ...]
    #: Months written with a capital (en, de, id, tr): `21 Oktober` is id/de, `21 oktober` is nl.
    #: None for scripts without case.
    capitalised: bool | None = None
    #: The day is followed by a dot: `21. Oktober 2015` (de).
    day_dot: bool = False
    #: The embed's order of parts; English uses both (`October 21, 2015` in the US locale,
    #: `21 October 2015` in en-GB).
    orders: tuple[str, ...] = ("dmy",)
    #: The digits the embed prints: "arab" is U+0660-0669 (ar), "arabext" U+06F0-06F9 (fa).
    digits: str = "latin"
    #: Suffixes hand copies put after the day (`21st`, `1er`, `1º`), folded (º is `o`).
    ordinals: tuple[str, ...] = ()
    #: Words around the month: `21 de outubro de 2015` (pt), `21 de octubre del 2015` (es).
    particles: tuple[str, ...] = ()
    #: Letters only this language's spelling uses among the table's: Persian keheh `ک` and yeh
    #: `ی` in `اکتوبر`, which is otherwise the Arabic `أكتوبر` once folded.
    letters: str = ""


def _m(*months: str) -> tuple[tuple[str, ...], ...]:
    """Twelve months, each given as `"form|form|..."`: keeps the table one line per month."""
    assert len(months) == 12, months
    return tuple(tuple(m.split("|")) for m in months)


_KANJI_MONTHS = _m(
    "一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"
)

# Order matters only to break ties that nothing else breaks: more widely used locales first.
LANGUAGES: tuple[Language, ...] = (
    Language(
        "en",
        _m(
            "January|Jan",
            "February|Feb",
            "March|Mar",
            "April|Apr",
            "May",
            "June|Jun",
            "July|Jul",
            "August|Aug",
            "September|Sep|Sept",
            "October|Oct",
            "November|Nov",
            "December|Dec",
        ),
        capitalised=True,
        orders=("mdy", "dmy"),
        ordinals=("st", "nd", "rd", "th"),
    ),
    Language(
        "es",
        _m(
            "enero|ene",
            "febrero|feb",
            "marzo|mar",
            "abril|abr",
            "mayo|may",
            "junio|jun",
            "julio|jul",
            "agosto|ago",
            "septiembre|setiembre|sep|sept|set",
            "octubre|oct",
            "noviembre|nov",
            "diciembre|dic",
        ),
        capitalised=False,
        ordinals=("o", "a"),
        particles=("de", "del"),
    ),
    Language(
        "pt",
        _m(
            "janeiro|jan",
            "fevereiro|fev",
            "março|mar",
            "abril|abr",
            "maio|mai",
            "junho|jun",
            "julho|jul",
            "agosto|ago",
            "setembro|set",
            "outubro|out",
            "novembro|nov",
            "dezembro|dez",
        ),
        capitalised=False,
        ordinals=("o", "a"),
        particles=("de",),
    ),
    Language(
        "ja",
        # The CJK form `2015年10月21日` is numeric; these names only serve the table's tests and
        # the rare hand copy with kanji months (`十月`).
        _KANJI_MONTHS,
        orders=("ymd",),
    ),
    Language(
        "ar",
        # The Egyptian/Gulf names Twitter's Arabic locale prints, then the Levantine ones
        # (`تشرين الأول`), which Arabic news sites write by hand.
        _m(
            "يناير|كانون الثاني",
            "فبراير|شباط",
            "مارس|آذار",
            "أبريل|ابريل|نيسان",
            "مايو|أيار",
            "يونيو|يونيه|يونية|حزيران",
            "يوليو|يوليه|يولية|تموز",
            "أغسطس|آب",
            "سبتمبر|أيلول",
            "أكتوبر|تشرين الأول",
            "نوفمبر|تشرين الثاني",
            "ديسمبر|كانون الأول",
        ),
        digits="arab",
    ),
    Language(
        "fr",
        _m(
            "janvier|janv",
            "février|févr|fév",
            "mars",
            "avril|avr",
            "mai",
            "juin",
            "juillet|juil",
            "août",
            "septembre|sept",
            "octobre|oct",
            "novembre|nov",
            "décembre|déc",
        ),
        capitalised=False,
        ordinals=("er",),
    ),
    Language(
        "tr",
        _m(
            "Ocak|Oca",
            "Şubat|Şub",
            "Mart|Mar",
            "Nisan|Nis",
            "Mayıs|May",
            "Haziran|Haz",
            "Temmuz|Tem",
            "Ağustos|Ağu",
            "Eylül|Eyl",
            "Ekim|Eki",
            "Kasım|Kas",
            "Aralık|Ara",
        ),
        capitalised=True,
    ),
    Language(
        "ru",
        # Nominative, then genitive (what a date uses: `21 октября`), then abbreviations.
        _m(
            "январь|января|янв",
            "февраль|февраля|фев|февр",
            "март|марта|мар",
            "апрель|апреля|апр",
            "май|мая",
            "июнь|июня|июн",
            "июль|июля|июл",
            "август|августа|авг",
            "сентябрь|сентября|сен|сент",
            "октябрь|октября|окт",
            "ноябрь|ноября|ноя|нояб",
            "декабрь|декабря|дек",
        ),
        capitalised=False,
    ),
    Language(
        "ko",
        _m("1월", "2월", "3월", "4월", "5월", "6월", "7월", "8월", "9월", "10월", "11월", "12월"),
        orders=("ymd",),
    ),
    Language(
        "id",
        _m(
            "Januari|Jan",
            "Februari|Feb|Pebruari",
            "Maret|Mar",
            "April|Apr",
            "Mei",
            "Juni|Jun",
            "Juli|Jul",
            "Agustus|Agu|Agt",
            "September|Sep",
            "Oktober|Okt",
            "November|Nov|Nopember",
            "Desember|Des",
        ),
        capitalised=True,
    ),
    Language(
        "de",
        _m(
            "Januar|Jänner|Jan",
            "Februar|Feber|Feb",
            "März|Mär|Mrz",
            "April|Apr",
            "Mai",
            "Juni|Jun",
            "Juli|Jul",
            "August|Aug",
            "September|Sep|Sept",
            "Oktober|Okt",
            "November|Nov",
            "Dezember|Dez",
        ),
        capitalised=True,
        day_dot=True,
        # `21 Mär 2016`: the umlaut is German's alone among the languages that read `mar`.
        letters="äÄ",
    ),
    Language(
        "it",
        _m(
            "gennaio|gen",
            "febbraio|feb",
            "marzo|mar",
            "aprile|apr",
            "maggio|mag",
            "giugno|giu",
            "luglio|lug",
            "agosto|ago",
            "settembre|set",
            "ottobre|ott",
            "novembre|nov",
            "dicembre|dic",
        ),
        capitalised=False,
    ),
    Language(
        "nl",
        _m(
            "januari|jan",
            "februari|feb",
            "maart|mrt",
            "april|apr",
            "mei",
            "juni|jun",
            "juli|jul",
            "augustus|aug",
            "september|sep|sept",
            "oktober|okt",
            "november|nov",
            "december|dec",
        ),
        capitalised=False,
    ),
    Language(
        "pl",
        # Genitive first: it is what a date uses (`21 października 2015`).
        _m(
            "stycznia|styczeń|sty",
            "lutego|luty|lut",
            "marca|marzec|mar",
            "kwietnia|kwiecień|kwi",
            "maja|maj",
            "czerwca|czerwiec|cze",
            "lipca|lipiec|lip",
            "sierpnia|sierpień|sie",
            "września|wrzesień|wrz",
            "października|październik|paź",
            "listopada|listopad|lis",
            "grudnia|grudzień|gru",
        ),
        capitalised=False,
    ),
    Language(
        "zh",
        _KANJI_MONTHS,
        orders=("ymd",),
    ),
    Language(
        "uk",
        _m(
            "січня|січень|січ",
            "лютого|лютий|лют",
            "березня|березень|бер",
            "квітня|квітень|квіт",
            "травня|травень|трав",
            "червня|червень|черв",
            "липня|липень|лип",
            "серпня|серпень|серп",
            "вересня|вересень|вер",
            "жовтня|жовтень|жовт",
            "листопада|листопад|лист",
            "грудня|грудень|груд",
        ),
        capitalised=False,
    ),
    Language(
        "fa",
        # Gregorian months in Persian, as Twitter's Persian locale prints them; the Afghan
        # (Dari) spellings follow.
        _m(
            "ژانویه|ژانویهٔ|جنوری",
            "فوریه|فوریهٔ|فبروری",
            "مارس|مارچ",
            "آوریل|اپریل",
            "مه|مهٔ|می",
            "ژوئن|جون",
            "ژوئیه|ژوئیهٔ|جولای",
            "اوت|آگست",
            "سپتامبر|سپتمبر",
            "اکتبر|اکتوبر",
            "نوامبر|نومبر",
            "دسامبر|دسمبر",
        ),
        digits="arabext",
        letters="کیپچژگ",
    ),
)

_BY_CODE: dict[str, Language] = {lang.code: lang for lang in LANGUAGES}

# --------------------------------------------------------------------------------------------
# Folding: one function used on both the table and the input, so they always meet.

# Bidi and zero-width marks: Arabic and Persian pages sprinkle U+200F/U+061C around dates.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x061C, 0x0640, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]
)
# Letters that stay distinct after NFKC but are typed interchangeably: Persian keheh/yeh vs
# Arabic kaf/yeh, alef maksura, Turkish dotless i (people without a Turkish keyboard write
# `Kasim`), Polish ł (no decomposition exists for it).
_LETTER_FOLD = str.maketrans({"ک": "ك", "ی": "ي", "ى": "ي", "ı": "i", "ł": "l"})


def fold(text: str) -> str:
    """Case-, accent- and variant-insensitive form of `text`, for matching month names.

    NFKC first (full-width letters and digits, Arabic presentation forms), then casefold
    (before dropping marks, so `İ` becomes `i̇` and then `i`), then NFD and drop the combining
    marks (accents, Arabic hamza and harakat, Cyrillic breve: `май` → `маи` on both sides), then
    NFC so Hangul syllables come back together.
    """
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text).translate(_LETTER_FOLD)


def _fold_month(word: str) -> str:
    return fold(word).rstrip(".")


def _month_index(languages: Sequence[Language]) -> dict[str, dict[str, tuple[int, bool]]]:
    """folded month form -> {language code: (month number, whether the embed prints this form)}."""
    index: dict[str, dict[str, tuple[int, bool]]] = {}
    for lang in languages:
        for number, forms in enumerate(lang.months, start=1):
            for i, form in enumerate(forms):
                index.setdefault(_fold_month(form), {})[lang.code] = (number, i == 0)
    return index


_MONTHS = _month_index(LANGUAGES)

# --------------------------------------------------------------------------------------------
# The shape of a date.

# Bidi and zero-width marks, as a regex class body: RTL pages put them between a date's parts.
_MARKS = "\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
# Horizontal space, including no-break and ideographic spaces and the marks; never a newline:
# a date sits on one line.
_H = rf"[^\S\n\r]|[{_MARKS}]"
# A letter of any script, or a combining mark (raw text may be in NFD: `marc\u0327o`; Persian
# `مهٔ` ends with U+0654).
_L = r"(?:[^\W\d_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed])"
_WORD = rf"{_L}+\.?"
# `de` (pt, es: `21 de outubro de 2015`), `del` (es), `di` (it, rare), `of` (en, hand copies).
_PARTICLE = r"(?i:del|de|di|of)"
# One or two words (Levantine Arabic months are two: `تشرين الأول`), with the particles.
_MONTH = rf"(?:{_PARTICLE}(?:{_H})+)?{_WORD}(?:(?:{_H})+{_WORD})?"
_DAY = r"(?<!\d)\d{1,2}"
# `21st`, `1er` (fr), `1º` (es, pt), and `1o` where the keyboard has no º.
_ORDINAL = r"(?P<o>st|nd|rd|th|er|[ºª°oa])?"
_YEAR = r"\d{4}(?!\d)"
# `21 октября 2015 г.` (ru), `21 жовтня 2015 р.` (uk), `٢١ أكتوبر ٢٠١٥ م` (ar, "Gregorian").
_ERA = rf"(?:(?:{_H})*(?i:г|р|года|року|م)\.?)?"

_DMY = (
    rf"(?P<d>{_DAY}){_ORDINAL}(?:(?P<dot>\.)(?:{_H})*|,?(?:{_H})+)"
    rf"(?P<m>{_MONTH}),?(?:{_H})+(?P<y>{_YEAR}){_ERA}"
)
_MDY = rf"(?P<m>{_MONTH}),?(?:{_H})*(?P<d>{_DAY}){_ORDINAL},?(?:{_H})+(?P<y>{_YEAR})"
# `2015年10月21日` (ja, zh), `2015년 10월 21일` (ko): the month is a number.
_YMD = (
    rf"(?P<y>{_YEAR})(?:{_H})*(?P<ym>[年년])(?:{_H})*(?P<mn>\d{{1,2}})(?:{_H})*[月월]"
    rf"(?:{_H})*(?P<d>\d{{1,2}})(?:{_H})*[日일]?"
)


def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


# The time of day the rendered embed prints before the date, which copies of it keep:
# `3:45 PM · Oct 21, 2015` (widgets.js since 2016), `3:45 PM - 21 Oct 2015` (2012-2016),
# `15:45 · 21 oct. 2015`, `下午3:45 · 2015年10月21日` (zh), `午後3:45 · …` (ja), `오후 3:45 · …`
# (ko), `١٢:٠٠ م · ٢١ أكتوبر ٢٠١٥` (ar), `15.45 · 21 Okt 2015` (id writes the time with a dot).
_MERIDIEM = r"(?i:a\.?[^\S\n\r]?m\.?|p\.?[^\S\n\r]?m\.?)|午前|午後|上午|下午|오전|오후|ص|م"
_TIME = (
    rf"(?:(?:{_MERIDIEM})(?:{_H})*)?(?<!\d)\d{{1,2}}[:.：]\d{{2}}(?:(?:{_H})*(?:{_MERIDIEM}))?"
    rf"(?:{_H})*[·∙•‧|\-–—](?:{_H})*"
)
_TIME_PREFIX = re.compile(_TIME)

#: The shape of an embed date in raw text (a regex source string, no anchors, no named groups),
#: with the time of day the rendered embed prints before it, when there is one.
#: It matches more than dates (`21 Foo 2015`): pass the match to `parse_embed_date` to be sure.
DATE_PATTERN = f"(?:{_TIME})?(?:" + "|".join(_unnamed(p) for p in (_YMD, _DMY, _MDY)) + ")"

_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(_YMD)),
    ("dmy", re.compile(_DMY)),
    ("mdy", re.compile(_MDY)),
)
_PARTICLES = frozenset({"de", "del", "di", "of"})
_SPACES = re.compile(rf"(?:{_H})+")
#: What may follow a date at the end of a line: spaces and closing punctuation. (A trailing
#: dot is tried as part of the date first: `2015 г.`.)
TRAILING_PUNCTUATION = " \t\n\r\f\v\u00a0\u3000.,;:!?)]}»›\"'”’…。、"
#: What may follow a date to the end of its line (regex source): `TRAILING_PUNCTUATION` and marks.
TRAIL_PATTERN = rf"[{_MARKS}{re.escape(TRAILING_PUNCTUATION)}]*"
_AT_END = re.compile(rf"({DATE_PATTERN}){TRAIL_PATTERN}\Z")
# Stripped from both ends before parsing: spaces and marks; at the end, punctuation too.
_EDGES = re.compile(rf"\A[\s{_MARKS}]+|{TRAIL_PATTERN}\Z")

# --------------------------------------------------------------------------------------------
# Parsing.


@dataclass(frozen=True, slots=True)
class _Shape:
    """The parts of a date-shaped text, before the month is known to be a month."""

    order: str  #: "dmy", "mdy" or "ymd"
    year: int
    month: str  #: the month word(s) as written, particles removed; digits for "ymd"
    day: int
    day_dot: bool  #: `21. Oktober`
    marker: str  #: 年 or 년 for "ymd", else ""
    ordinal: str  #: the day's suffix, folded: `st` (21st), `er` (1er), `o` (1º)
    particles: tuple[str, ...]  #: folded: `de` (pt, es), `del` (es)


def _shape(text: str) -> _Shape | None:
    """Match the date shapes on the raw text.

    The raw text, not the folded one: the month's case is a clue to its language (see
    `Language.capitalised`), and the patterns already accept any script's digits (`int()`
    reads them too: `int("٢٠١٥") == 2015`) and combining marks.
    """
    for order, pattern in _SHAPES:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        if order == "ymd":
            return _Shape(order, int(m["y"]), m["mn"], int(m["d"]), False, m["ym"], "", ())
        words = _SPACES.split(m["m"])
        particles = tuple(f for f in map(_fold_month, words) if f in _PARTICLES)
        groups = m.groupdict()
        return _Shape(
            order,
            int(m["y"]),
            " ".join(w for w in words if _fold_month(w) not in _PARTICLES),
            int(m["d"]),
            groups.get("dot") is not None,
            "",
            fold(groups.get("o") or ""),
            particles,
        )
    return None


def _digits_of(text: str) -> str:
    if any("\u0660" <= c <= "\u0669" for c in text):
        return "arab"
    if any("\u06f0" <= c <= "\u06f9" for c in text):
        return "arabext"
    return "latin"


def _score(lang: Language, shape: _Shape, digits: str, embed_form: bool) -> int:
    """How many of the date's habits match the language's (see `Language`).

    `embed_form`: the month is written the way this language's embed prints it (`mai` is
    French's May but only Portuguese's abbreviation of `maio`).
    """
    score = 2 if embed_form else 0
    if shape.order in lang.orders:
        score += 2
    if shape.day_dot == lang.day_dot:
        score += 1
    first = shape.month[:1]
    if lang.capitalised is not None and first.isalpha() and first.isupper() == lang.capitalised:
        score += 1
    if digits != "latin" and digits == lang.digits:
        score += 2
    if shape.ordinal and shape.ordinal in lang.ordinals:
        score += 1
    score += sum(1 for p in shape.particles if p in lang.particles)
    if lang.letters and any(c in lang.letters for c in shape.month):
        score += 3  # a spelling no writer of the other language uses outweighs any habit
    return score


def _base(code: str) -> str:
    """`pt-BR` -> `pt`, `zh_Hant` -> `zh`."""
    return code.replace("_", "-").split("-")[0].strip().lower()


def _choose(readings: dict[str, tuple[int, bool]], hints: tuple[str, ...], shape: _Shape, digits: str) -> str:
    """The language among `readings` (all of which can read the date) that most likely wrote it.

    A caller's hint (the page's `lang`) wins; then the date's habits; then table order.
    """

    def key(code: str) -> tuple[int, int, int]:
        hint_rank = hints.index(code) if code in hints else len(hints)
        score = _score(_BY_CODE[code], shape, digits, readings[code][1])
        return (hint_rank, -score, _TABLE_ORDER[code])

    return min(readings, key=key)


_TABLE_ORDER = {lang.code: i for i, lang in enumerate(LANGUAGES)}


def _valid(year: int, month: int, day: int, latest: dt.date) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:  # 31 June, 29 February 2015, month 13
        return None
    return date if EARLIEST <= date <= latest else None


Parsed = tuple[dt.date, str | None]


class _Unknown:
    """The table cannot tell (no date shape, or a month word it does not hold)."""


_UNKNOWN = _Unknown()


def _from_table(text: str, hints: tuple[str, ...], latest: dt.date) -> Parsed | _Unknown | None:
    """The table's reading of `text`: a result; None when the month is known but the date is
    impossible (final: dateparser would not do better); or _UNKNOWN."""
    shape = _shape(text)
    if shape is None:
        return _UNKNOWN
    if shape.order == "ymd":
        date = _valid(shape.year, int(shape.month), shape.day, latest)
        if date is None:
            return None
        if shape.marker == "년":
            return date, "ko"
        # 年/月/日 is both Japanese and Chinese; only the page can tell. Japanese unless a hint
        # says otherwise: Japan is by far the larger Twitter audience of the two.
        return date, next((h for h in hints if h in ("ja", "zh")), "ja")
    readings = _MONTHS.get(_fold_month(shape.month))
    if not readings:
        return _UNKNOWN
    lang = _choose(readings, hints, shape, _digits_of(text))
    date = _valid(shape.year, readings[lang][0], shape.day, latest)
    return None if date is None else (date, lang)


# dateparser's settings: a full date only (day, month and year), no relative dates
# ("yesterday") and no timestamps, naive datetimes.
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}
# Languages dateparser may try when the caller gives no hint: the table's, plus locales Twitter
# shipped whose month names the table does not hold. Restricting them keeps dateparser's
# language detection from loading all 200 locales and from reading English words as, say,
# Hausa months.
_FALLBACK_LANGUAGES: tuple[str, ...] = (
    *(lang.code for lang in LANGUAGES),
    "ca",
    "gl",
    "eu",
    "sv",
    "da",
    "nb",
    "fi",
    "cs",
    "sk",
    "hu",
    "ro",
    "el",
    "he",
    "hi",
    "bn",
    "ur",
    "th",
    "vi",
    "ms",
    "hr",
    "sr",
    "bg",
    "lt",
    "lv",
    "et",
    "sl",
)


@lru_cache(maxsize=64)
def _dateparser(languages: tuple[str, ...]) -> Any:
    from dateparser.date import DateDataParser  # slow import: only when the table fails

    return DateDataParser(languages=list(languages), settings=_DATEPARSER_SETTINGS)


def _from_dateparser(text: str, hints: tuple[str, ...], latest: dt.date) -> Parsed | None:
    # A purely numeric date (21/10/2015) is never what an embed prints, and its order is
    # ambiguous: refuse rather than guess.
    if not any(c.isalpha() for c in text) or len(text) > 64:
        return None
    languages = tuple(dict.fromkeys((*hints, *_FALLBACK_LANGUAGES)))
    try:
        try:
            data = _dateparser(languages).get_date_data(text)
        except ValueError:  # a hint that dateparser does not know ("xx"): drop the hints
            data = _dateparser(_FALLBACK_LANGUAGES).get_date_data(text)
    except Exception:  # dateparser is a third party: its bugs must not stop a scan
        return None
    if data is None or data.date_obj is None:
        return None
    when = data.date_obj.date()
    if not EARLIEST <= when <= latest:
        return None
    return when, (_base(data.locale) if data.locale else None)


@lru_cache(maxsize=4096)
def _parse(text: str, hints: tuple[str, ...], latest: dt.date) -> Parsed | None:
    result = _from_table(text, hints, latest)
    if not isinstance(result, _Unknown):
        return result
    shape = _shape(text)
    # Two unknown words (`said October 21, 2015`) are words around a month, not a month:
    # dateparser would skip the word it does not know and say yes.
    if shape is not None and len(shape.month.split()) > 1:
        return None
    return _from_dateparser(text, hints, latest)


def parse_embed_date(
    text: str, hint_langs: Sequence[str] = (), *, today: dt.date | None = None
) -> Parsed | None:
    """The calendar date an embed's date text shows, and the language it is written in.

    `text` is the date alone (`21 de outubro de 2015`, `October 21, 2015.`), with any
    surrounding whitespace. `hint_langs` are language codes (`pt`, `pt-BR`) the page declares,
    in order of preference: they decide between languages that share a month name (`Oktober`
    is de, id and nl). Returns None for anything that is not a full date between the first
    tweet (2006-03-21) and `today` (injectable for tests) plus one day. Never raises.
    """
    try:
        if not isinstance(text, str) or len(text) > 200:  # no embed date is that long
            return None
        hints = tuple(dict.fromkeys(_base(h) for h in hint_langs if isinstance(h, str) and h))
        latest = (today or dt.date.today()) + _FUTURE_SLACK
        text = _EDGES.sub("", text)
        # The time of day says nothing the date does not (and dateparser, which would read it,
        # is a thousand times slower than the table): the date is what follows it.
        time = _TIME_PREFIX.match(text)
        return _parse(text[time.end() :] if time else text, hints, latest)
    except Exception:  # never raise: a date we cannot read is just not a date
        return None


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found at the end of a string: `text[start:end]` is the date as written."""

    start: int
    end: int
    text: str
    date: dt.date
    lang: str | None


def find_date_at_end(
    text: str, hint_langs: Sequence[str] = (), *, today: dt.date | None = None
) -> DateMatch | None:
    """The date that ends `text` (only spaces and closing punctuation may follow it), or None.

    Meant for one line or one element's text: the search is anchored at the end, and tried
    again from a later start when the leftmost shape is not a date (`said October 21, 2015`
    first matches with `said October` as the month).
    """
    pos = 0
    while True:
        m = _AT_END.search(text, pos)
        if m is None:
            return None
        parsed = parse_embed_date(m[1], hint_langs, today=today)
        if parsed is not None:
            return DateMatch(m.start(1), m.end(1), m[1], parsed[0], parsed[1])
        pos = m.start() + 1
