"""The signals an audit reads in a fetched page: not-found wording, parking, bot walls, login walls.

`resolver audit` gives each link a verdict; a 200 answer is not enough to call a link alive,
because dead links very often answer 200 (a "soft 404"): a page that says "not found", a
deep link redirected to the site's home or to a login page, a template that is the same for
any URL. Parked domains and bot walls answer 200 too. This module holds the groundwork, pure
and network-free:

- the heuristics as named data tables (`NOT_FOUND_PHRASES`, `NOT_FOUND_MARKERS`,
  `PARKED_SIGNALS`, `BOT_WALL_SIGNALS`, `LOGIN_PATH_PATTERNS`), each row with its language
  and where its wording comes from, tested as data in tests/test_audit_signals.py;
- `page_facts`, which reads what the matchers need from a fetched page once (lxml; never
  raises, because one odd page must not stop an audit of a back catalogue);
- small matchers over those facts. Each returns evidence for people (one short, stable
  line saying what was seen and where) or None when the signal is absent. They do not give
  verdicts: the classifier weighs them against the status, the redirect chain and the
  sibling-URL probe (`sibling_url`, `similar_pages`).

Text is compared folded (`fold`): NFKC, case-folded, whitespace squashed, and the spelling
variants that pages mix freely made one (Russian ё/е, Turkish dotless ı, Arabic hamza forms
of alef and vowel marks, typographic apostrophes). Phrases are written in the tables in their
natural spelling and folded the same way when compiled.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from lxml import etree
from rapidfuzz.distance import Indel

from resolver.rules import host_of

__all__ = [
    "BOT_WALL_SIGNALS",
    "ERROR_PAGE_PATTERNS",
    "LOGIN_PATH_PATTERNS",
    "NEAR_TOP",
    "NOT_FOUND_MARKERS",
    "NOT_FOUND_PHRASES",
    "PARKED_SIGNALS",
    "PLACE_WEIGHTS",
    "SCORE_NEEDED",
    "SHORT_PAGE",
    "STRENGTH_WEIGHTS",
    "TITLE_COVERAGE",
    "LoginPattern",
    "PageFacts",
    "Phrase",
    "Place",
    "Signal",
    "SignalKind",
    "Strength",
    "bot_wall_evidence",
    "fold",
    "not_found_evidence",
    "page_facts",
    "parked_evidence",
    "redirected_home",
    "redirected_to_error_page",
    "redirected_to_login",
    "sibling_url",
    "similar_pages",
]


# --- Row types ----------------------------------------------------------------------------------


class Strength(StrEnum):
    """How much one row says on its own (for phrases, its weight: `STRENGTH_WEIGHTS`)."""

    #: The wording or marker says it by itself ("página não encontrada", a challenge script).
    STRONG = "strong"
    #: Shared with ordinary pages (a bare "404", "access denied", a CAPTCHA widget on a contact
    #: form): it counts only where little else is said, on a tiny page or beside a strong one.
    WEAK = "weak"

    def __str__(self) -> str:
        return self.value


class SignalKind(StrEnum):
    """Where a row of `PARKED_SIGNALS`, `BOT_WALL_SIGNALS` or `NOT_FOUND_MARKERS` is looked for."""

    #: Wording in the title, a heading or the top of the visible text (folded, word-bounded),
    #: weighed like not-found wording (`SCORE_NEEDED`); `<domain>` stands for any host name.
    PHRASE = "phrase"
    #: A regular expression over the raw markup (`body_sample`), case-insensitive.
    MARKUP = "markup"
    #: `name` (present) or `name: value-regex` (value searched case-insensitively).
    HEADER = "header"
    #: `host` or `host/path-prefix`: the host the redirect chain ended on (or a subdomain of it);
    #: for parking services also the source of a script or frame the page loads.
    HOST = "host"

    def __str__(self) -> str:
        return self.value


class Phrase(NamedTuple):
    """A not-found wording: its language (BCP 47; `zxx` for no language), natural spelling."""

    lang: str
    text: str
    strength: Strength
    source: str  #: where the wording comes from


class Signal(NamedTuple):
    """A sign of a parked domain or a bot wall, and the service it belongs to."""

    service: str  #: "sedo", "cloudflare", ... or "generic"
    kind: SignalKind
    lang: str  #: BCP 47 for phrases; `zxx` (no linguistic content) for markup, headers and hosts
    pattern: str
    strength: Strength
    source: str  #: where it comes from


class LoginPattern(NamedTuple):
    """A URL form of a login (or paywall) page."""

    name: str
    lang: str  #: the language of a localised path (`zxx` for none)
    part: str  #: what the regex is searched in: "path" (unquoted), "query" or "url" (host + path)
    pattern: str  #: a regex over the lower-cased part
    counts: bool  #: True: ending here makes a deep link a soft 404; False: listed to say it does not
    source: str


class Place(StrEnum):
    """Where on a page a phrase was found."""

    TITLE = "title"
    HEADING = "heading"
    TEXT = "text"  #: the top of the visible text

    def __str__(self) -> str:
        return self.value


_S, _W = Strength.STRONG, Strength.WEAK


def _nf(lang: str, text: str, strength: Strength, source: str) -> Phrase:
    return Phrase(lang, text, strength, source)


def _phrase(service: str, lang: str, text: str, source: str, strength: Strength = _S) -> Signal:
    return Signal(service, SignalKind.PHRASE, lang, text, strength, source)


def _markup(service: str, regex: str, source: str, strength: Strength = _S) -> Signal:
    return Signal(service, SignalKind.MARKUP, "zxx", regex, strength, source)


def _header(service: str, spec: str, source: str, strength: Strength = _S) -> Signal:
    return Signal(service, SignalKind.HEADER, "zxx", spec, strength, source)


def _host(service: str, spec: str, source: str) -> Signal:
    return Signal(service, SignalKind.HOST, "zxx", spec, _S, source)


def _path(name: str, lang: str, regex: str, source: str, *, counts: bool = True) -> LoginPattern:
    return LoginPattern(name, lang, "path", regex, counts, source)


# --- Not-found wording ------------------------------------------------------------------------------

#: What error pages say, by language. Strong: says the page is not there. Weak: a code or word
#: that ordinary titles carry too ("404", "oops"), counted only on short pages or beside another
#: match. A phrase and a longer one containing it may both be listed: the longer one makes a
#: title that is all of it count as all not-found wording (see `TITLE_COVERAGE`).
NOT_FOUND_PHRASES: tuple[Phrase, ...] = (
    _nf("zxx", "404", _W, "the status code, in the titles and headings of custom error pages"),
    # English
    _nf("en", "page not found", _S, "WordPress core's 404 document title; Django and Drupal 7 defaults"),
    _nf("en", "404 not found", _S, "nginx and Apache httpd default error pages (title)"),
    _nf("en", "was not found on this server", _S, "Apache httpd: 'The requested URL was not found...'"),
    _nf("en", "file or directory not found", _S, "IIS: '404 - File or directory not found.'"),
    _nf("en", "the resource you are looking for might have been removed", _S, "IIS default 404 text"),
    _nf("en", "the page you requested could not be found", _S, "common custom 404 wording"),
    _nf("en", "page could not be found", _S, "Drupal 8+: 'The requested page could not be found.'"),
    _nf("en", "page can't be found", _S, "WordPress Twenty Fifteen to Seventeen"),
    _nf("en", "page cannot be found", _S, "common custom 404 wording"),
    _nf("en", "this page doesn't exist", _S, "X/Twitter: 'Hmm...this page doesn't exist.'"),
    _nf("en", "page does not exist", _S, "common custom 404 wording"),
    _nf("en", "the page you were looking for doesn't exist", _S, "Ruby on Rails public/404.html"),
    _nf("en", "the page you were looking for could not be found", _S, "WordPress Twenty Twenty"),
    _nf("en", "can't find the page you're looking for", _S, "common custom 404 wording"),
    _nf("en", "couldn't find the page you're looking for", _S, "common custom 404 wording"),
    _nf("en", "couldn't find that page", _S, "common custom 404 wording"),
    _nf(
        "en",
        "nothing was found at this location",
        _S,
        "WordPress themes: 'It looks like nothing was found...'",
    ),
    _nf("en", "this page is no longer available", _S, "news sites' expired-content pages"),
    _nf("en", "this article is no longer available", _S, "news sites' expired-content pages"),
    _nf("en", "this content is no longer available", _S, "news sites' expired-content pages"),
    _nf("en", "this page isn't available", _S, "Instagram and Facebook: 'Sorry, this page isn't available.'"),
    _nf("en", "the link you followed may be broken", _S, "Instagram and Facebook removed-content page"),
    _nf("en", "this content isn't available", _S, "Facebook: 'This content isn't available right now'"),
    _nf("en", "can't find what you're looking for", _W, "WordPress Twenty Eleven; help boxes on live pages"),
    _nf("en", "no longer available", _W, "also said of products and offers on live pages"),
    _nf("en", "not found", _W, "Apache httpd's heading 'Not Found'; also in headlines"),
    _nf("en", "error 404", _W, "custom error page titles (Spanish writes it the same way)"),
    _nf("en", "404 error", _W, "custom error page titles"),
    _nf("en", "oops", _W, "error page headings ('Oops! That page can't be found.')"),
    # Portuguese
    _nf("pt", "página não encontrada", _S, "WordPress pt_BR and pt_PT 404 title"),
    _nf("pt", "a página que você procura não existe", _S, "Brazilian news and shop sites"),
    _nf("pt", "a página que procura não existe", _S, "pt-PT wording of the same"),
    _nf("pt", "página não pode ser encontrada", _S, "WordPress pt_BR: 'Ops! Essa página não pode...'"),
    _nf("pt", "a página solicitada não pôde ser encontrada", _S, "Drupal pt-br"),
    _nf("pt", "nada foi encontrado neste local", _S, "WordPress pt_BR: 'Parece que nada foi...'"),
    _nf("pt", "esta página não existe", _S, "common custom 404 wording"),
    _nf("pt", "este conteúdo não está mais disponível", _S, "Brazilian news sites' expired content"),
    _nf("pt", "erro 404", _W, "custom error page titles"),
    # Spanish
    _nf("es", "página no encontrada", _S, "Drupal and WordPress es 404 title"),
    _nf("es", "no se ha encontrado la página", _S, "Drupal es: 'No se ha encontrado la página solicitada.'"),
    _nf("es", "no se ha encontrado", _W, "also a search with no results"),
    _nf("es", "la página que buscas no existe", _S, "common custom 404 wording (tú)"),
    _nf("es", "la página que busca no existe", _S, "common custom 404 wording (usted)"),
    _nf("es", "la página que buscabas no se pudo encontrar", _S, "WordPress es Twenty Twenty"),
    _nf("es", "no se puede encontrar esa página", _S, "WordPress es Twenty Seventeen: '¡Vaya! No se...'"),
    _nf("es", "esta página no existe", _S, "common custom 404 wording"),
    _nf("es", "la página solicitada no existe", _S, "common custom 404 wording"),
    _nf("es", "no se encontró la página", _S, "Latin American Spanish wording"),
    # French
    _nf("fr", "page introuvable", _S, "common French 404 title"),
    _nf("fr", "page non trouvée", _S, "WordPress fr_FR 404 title"),
    _nf("fr", "cette page est introuvable", _S, "WordPress fr_FR: 'Oups ! Cette page est introuvable.'"),
    _nf("fr", "la page que vous recherchez n'existe pas", _S, "common custom 404 wording"),
    _nf("fr", "la page que vous cherchez n'existe pas", _S, "common custom 404 wording"),
    _nf("fr", "la page demandée n'existe pas", _S, "common custom 404 wording"),
    _nf("fr", "la page demandée est introuvable", _S, "common custom 404 wording"),
    _nf("fr", "rien n'ait été trouvé à cet emplacement", _S, "WordPress fr_FR: 'Il semble que rien...'"),
    _nf("fr", "cette page n'existe pas", _S, "common custom 404 wording"),
    _nf("fr", "erreur 404", _W, "custom error page titles"),
    _nf("fr", "oups", _W, "error page headings"),
    # German
    _nf("de", "seite nicht gefunden", _S, "WordPress de 404 title"),
    _nf("de", "die angeforderte seite existiert nicht", _S, "common custom 404 wording"),
    _nf("de", "seite existiert nicht", _S, "'Diese Seite existiert nicht (mehr)'"),
    _nf("de", "seite konnte nicht gefunden werden", _S, "Drupal de: 'Die angeforderte Seite konnte...'"),
    _nf("de", "seite kann nicht gefunden werden", _S, "WordPress de: 'Hoppla! Diese Seite kann...'"),
    _nf("de", "seite wurde nicht gefunden", _S, "common custom 404 wording"),
    _nf("de", "seite wurde leider nicht gefunden", _S, "common custom 404 wording"),
    _nf("de", "an dieser stelle nichts gefunden", _S, "WordPress de: 'Es sieht so aus, als wäre...'"),
    _nf("de", "fehler 404", _W, "custom error page titles"),
    _nf("de", "hoppla", _W, "error page headings"),
    # Russian
    _nf("ru", "страница не найдена", _S, "1C-Bitrix and WordPress ru 404 heading"),
    _nf("ru", "запрашиваемая страница не существует", _S, "common custom 404 wording"),
    _nf("ru", "страница не существует", _S, "common custom 404 wording"),
    _nf("ru", "такой страницы не существует", _S, "common custom 404 wording"),
    _nf("ru", "страницы не существует", _S, "the genitive form of the same"),
    _nf("ru", "страница не может быть найдена", _S, "WordPress ru themes"),
    _nf("ru", "ничего не найдено", _W, "WordPress ru 404 text; also a search with no results"),
    _nf("ru", "ошибка 404", _W, "custom error page titles"),
    # Arabic
    _nf("ar", "الصفحة غير موجودة", _S, "common Arabic 404 title ('the page does not exist')"),
    _nf("ar", "الصفحة المطلوبة غير موجودة", _S, "'the requested page does not exist'"),
    _nf("ar", "الصفحة التي تبحث عنها غير موجودة", _S, "'the page you are looking for does not exist'"),
    _nf("ar", "لم يتم العثور على الصفحة", _S, "'the page was not found'"),
    _nf("ar", "لا يمكن العثور على الصفحة", _S, "'the page cannot be found'"),
    _nf("ar", "لا يمكن العثور على تلك الصفحة", _S, "WordPress ar themes ('that page cannot be found')"),
    _nf("ar", "تعذر العثور على الصفحة", _S, "'the page could not be found'"),
    _nf("ar", "خطأ 404", _W, "custom error page titles"),
    # Japanese
    _nf("ja", "ページが見つかりません", _S, "the common Japanese 404 title"),
    _nf("ja", "ページが見つかりませんでした", _S, "its past-tense form"),
    _nf("ja", "お探しのページは見つかりませんでした", _S, "'the page you are looking for was not found'"),
    _nf("ja", "ページは見つかりません", _S, "'指定されたページは見つかりません'"),
    _nf("ja", "お探しのページが見つかりません", _S, "common custom 404 wording"),
    _nf("ja", "ページが見つからない", _S, "WordPress ja: 'そのページが見つからないようです'"),
    _nf("ja", "ページは存在しません", _S, "'お探しのページは存在しません'"),
    _nf("ja", "ページが存在しません", _S, "common custom 404 wording"),
    # Italian
    _nf("it", "pagina non trovata", _S, "WordPress it 404 title"),
    _nf("it", "la pagina che stai cercando non esiste", _S, "common custom 404 wording"),
    _nf("it", "impossibile trovare la pagina", _S, "WordPress it: 'Oops! Impossibile trovare la pagina.'"),
    _nf("it", "la pagina richiesta non è stata trovata", _S, "common custom 404 wording"),
    _nf("it", "errore 404", _W, "custom error page titles"),
    # Dutch
    _nf("nl", "pagina niet gevonden", _S, "WordPress nl 404 title"),
    _nf("nl", "pagina bestaat niet", _S, "'Deze pagina bestaat niet (meer)'"),
    _nf("nl", "de pagina die je zoekt bestaat niet", _S, "common custom 404 wording"),
    _nf("nl", "pagina kan niet worden gevonden", _S, "WordPress nl: 'Oeps! Deze pagina kan...'"),
    _nf("nl", "oeps", _W, "error page headings"),
    # Polish
    _nf("pl", "nie znaleziono strony", _S, "WordPress pl 404 title"),
    _nf("pl", "strona nie została znaleziona", _S, "common custom 404 wording"),
    _nf("pl", "strona nie istnieje", _S, "'Ta strona nie istnieje'"),
    _nf("pl", "nie można znaleźć tej strony", _S, "WordPress pl: 'Ups! Nie można znaleźć tej strony.'"),
    _nf("pl", "błąd 404", _W, "custom error page titles"),
    # Turkish
    _nf("tr", "sayfa bulunamadı", _S, "WordPress tr 404 title"),
    _nf("tr", "aradığınız sayfa bulunamadı", _S, "'the page you are looking for was not found'"),
    _nf("tr", "sayfa mevcut değil", _S, "'the page does not exist'"),
    _nf("tr", "404 hatası", _W, "custom error page titles"),
    # Chinese (simplified and traditional)
    _nf("zh", "页面不存在", _S, "'the page does not exist' (simplified)"),
    _nf("zh", "您访问的页面不存在", _S, "'the page you visited does not exist' (simplified)"),
    _nf("zh", "页面未找到", _S, "'page not found' (simplified)"),
    _nf("zh", "找不到页面", _S, "'cannot find the page' (simplified)"),
    _nf("zh", "頁面不存在", _S, "'the page does not exist' (traditional)"),
    _nf("zh", "找不到頁面", _S, "'cannot find the page' (traditional)"),
    _nf("zh", "網頁不存在", _S, "'您要找的網頁不存在' (traditional)"),
    # Korean
    _nf("ko", "페이지를 찾을 수 없습니다", _S, "'the page cannot be found'"),
    _nf("ko", "요청하신 페이지를 찾을 수 없습니다", _S, "'the page you requested cannot be found'"),
    _nf("ko", "존재하지 않는 페이지입니다", _S, "'this is a page that does not exist'"),
    _nf("ko", "페이지가 존재하지 않습니다", _S, "'the page does not exist'"),
)

#: Markup only a not-found template carries, whatever its wording or language.
NOT_FOUND_MARKERS: tuple[Signal, ...] = (
    _markup(
        "wordpress",
        r"<body[^>]*\bclass\s*=\s*[\"']?[^\"'>]*\berror404\b",
        "WordPress body_class() adds error404 only when it renders its 404 template",
    ),
    _markup(
        "prerender",
        r"<meta[^>]*\bname\s*=\s*[\"']?prerender-status-code[\"']?[^>]*\bcontent\s*=\s*[\"']?(?:404|410)\b",
        "prerender.io's convention for single-page apps to declare their 404s",
    ),
)

# --- How wording is weighed ------------------------------------------------------------------------

# Wording is weighed the same way in every table (not-found, for-sale, challenge pages): error,
# parking and challenge pages are short and say it in their title or first heading, while an
# article that quotes the same words is long and says them in passing.

#: How much a phrase says by where it was found: the title and the headings are what a page is
#: about, the top of the text is where an error page gives its message.
PLACE_WEIGHTS: Mapping[Place, int] = MappingProxyType({Place.TITLE: 3, Place.HEADING: 3, Place.TEXT: 2})
STRENGTH_WEIGHTS: Mapping[Strength, int] = MappingProxyType({Strength.STRONG: 3, Strength.WEAK: 1})

#: (pages with up to this many characters of main text, the score they need). A page scores the
#: best match of each place, summed. The longer the page, the more places must agree: a tiny page
#: needs a weak word in its title (nginx's "404 Not Found"), a page of a few screens a strong
#: phrase in its title or a heading, a long one two strong places. An article that mentions "page
#: not found" in its lead, or is about a film called "Error 404", is not enough.
SCORE_NEEDED: tuple[tuple[int, int], ...] = ((1_000, 3), (5_000, 9), (sys.maxsize, 15))

#: A title or heading counts only when wording from the table covers this share of the letters of
#: its segment (a title split at " | ", " – "...): "Página não encontrada – Blog" counts, and
#: "Error 404: the film" (8 of 15) or "Page not found: why the web forgets" do not.
TITLE_COVERAGE = 0.6

#: How far into the visible text a phrase is "at the top" (characters): an error page says it
#: first; an article that mentions "not found" does so paragraphs later.
NEAR_TOP = 400

#: Weak markers (a CAPTCHA widget, which contact and comment forms carry too) count only on pages
#: with at most this much main text: a challenge page has a sentence or two and the widget.
SHORT_PAGE = 1_000


# --- Parked domains -------------------------------------------------------------------------------

#: Parking services, domain marketplaces and for-sale wording.
PARKED_SIGNALS: tuple[Signal, ...] = (
    # Where an expired or listed domain redirects, and where parked pages load their content from.
    _host("sedo", "sedo.com", "Sedo marketplace: listed domains redirect to sedo.com/search/details"),
    _host("sedo", "sedoparking.com", "Sedo parking: the lander's frames and scripts"),
    _host("bodis", "bodis.com", "Bodis parking"),
    _host("parkingcrew", "parkingcrew.net", "ParkingCrew parking"),
    _host("above", "above.com", "Above.com parking and marketplace"),
    _host("dan", "dan.com", "Dan.com for-sale landers (dan.com/buy-domain/NAME)"),
    _host("afternic", "afternic.com", "Afternic marketplace (afternic.com/forsale/NAME)"),
    _host("godaddy", "godaddy.com/forsale", "GoDaddy's for-sale pages; the rest of godaddy.com is a shop"),
    _host("hugedomains", "hugedomains.com", "HugeDomains (hugedomains.com/domain_profile.cfm?d=NAME)"),
    _host("buydomains", "buydomains.com", "BuyDomains marketplace"),
    _host("undeveloped", "undeveloped.com", "Undeveloped marketplace"),
    # Markup of parked pages, many of which are scripts with hardly any text.
    _markup(
        "parking",
        r"<html[^>]*\sdata-adblockkey\s*=",
        "Adblock Plus sitekey on <html>: parking services in Acceptable Ads (Sedo, ParkingCrew, Bodis)",
    ),
    _markup(
        "bodis",
        r"<script[^>]*>[^<]{0,500}?window\.location\.href\s*=\s*[\"']/lander[\"']",
        "JS-only parking pages that send the browser to /lander (Bodis)",
    ),
    _markup("godaddy", r"wsimg\.com/parking-lander/", "GoDaddy CashParking lander scripts (img1.wsimg.com)"),
    _markup(
        "adsense-for-domains",
        r"/adsense/domains/caf\.js",
        "Google AdSense for Domains: the ad feed only parked domains may use",
    ),
    _header("parking", "x-adblock-key", "the same sitekey as a header, sent by Sedo and ParkingCrew landers"),
    # For-sale wording.
    _phrase("godaddy", "en", "this domain may be for sale", "GoDaddy and Sedo landers"),
    _phrase("generic", "en", "this domain is for sale", "marketplace landers"),
    _phrase("generic", "en", "<domain> is for sale", "Dan.com and HugeDomains: 'example.com is for sale'"),
    _phrase("generic", "en", "buy this domain", "Sedo and Afternic landers"),
    _phrase("godaddy", "en", "get this domain", "GoDaddy landers"),
    _phrase("generic", "en", "domain for sale", "marketplace landers' titles", _W),
    _phrase("generic", "en", "this domain is parked", "registrars' default pages"),
    _phrase("godaddy", "en", "parked free, courtesy of godaddy.com", "GoDaddy's classic parked page"),
    _phrase("sedo", "en", "inquire about this domain", "Sedo landers"),
    _phrase("sedo", "de", "diese domain kaufen", "Sedo's German lander"),
    _phrase("generic", "de", "diese domain steht zum verkauf", "German marketplace landers"),
    _phrase("generic", "de", "<domain> steht zum verkauf", "'Die Domain example.de steht zum Verkauf'"),
    _phrase("generic", "de", "diese domain ist zu verkaufen", "German landers"),
    _phrase("generic", "fr", "ce domaine est à vendre", "French marketplace landers"),
    _phrase("generic", "fr", "ce nom de domaine est à vendre", "French marketplace landers"),
    _phrase("generic", "fr", "<domain> est à vendre", "'example.fr est à vendre'"),
    _phrase("generic", "fr", "acheter ce domaine", "Sedo's French lander"),
    _phrase("generic", "es", "este dominio está a la venta", "Spanish marketplace landers"),
    _phrase("generic", "es", "<domain> está a la venta", "'example.es está a la venta'"),
    _phrase("generic", "es", "comprar este dominio", "Sedo's Spanish lander"),
    _phrase("generic", "es", "dominio en venta", "Spanish landers' titles", _W),
    _phrase("generic", "pt", "este domínio está à venda", "Portuguese marketplace landers"),
    _phrase("generic", "pt", "<domain> está à venda", "'example.com.br está à venda'"),
    _phrase("generic", "pt", "comprar este domínio", "Sedo's Portuguese lander"),
    _phrase("generic", "pt", "domínio à venda", "Portuguese landers' titles", _W),
    _phrase("generic", "ru", "этот домен продаётся", "Russian marketplace landers"),
    _phrase("generic", "ru", "<domain> продаётся", "'Домен example.ru продаётся'"),
    _phrase("generic", "ru", "домен продаётся", "Russian landers' titles"),
    _phrase("generic", "ru", "купить этот домен", "Russian landers"),
    _phrase("generic", "ru", "домен припаркован", "Russian registrars' parking pages"),
    _phrase("generic", "it", "questo dominio è in vendita", "Italian marketplace landers"),
    _phrase("generic", "nl", "dit domein is te koop", "Dutch marketplace landers"),
    _phrase("generic", "pl", "ta domena jest na sprzedaż", "Polish marketplace landers"),
    _phrase("onamae", "ja", "このドメインはお名前.comで取得されています", "onamae.com's default page"),
)


# --- Bot walls ------------------------------------------------------------------------------------

#: Challenge and block pages of bot-management services, and generic CAPTCHA pages.
BOT_WALL_SIGNALS: tuple[Signal, ...] = (
    _header("cloudflare", "cf-mitigated: challenge", "Cloudflare's documented header on challenge answers"),
    _header("aws-waf", "x-amzn-waf-action: captcha|challenge", "AWS WAF CAPTCHA and Challenge actions"),
    # Cloudflare injects /cdn-cgi/challenge-platform/scripts/jsd/main.js into ordinary pages, so
    # "challenge-platform" alone is no wall: only the challenge page's orchestrator and options are.
    _markup("cloudflare", r"_cf_chl_opt|__cf_chl_|\bcf-chl-", "the challenge page's options and form tokens"),
    _markup(
        "cloudflare",
        r"/cdn-cgi/challenge-platform/h/[a-z]/orchestrate/",
        "the challenge page's orchestrator script",
    ),
    _markup("perimeterx", r"\bpx-captcha\b", "PerimeterX (HUMAN) block page: <div id=px-captcha>"),
    _markup("datadome", r"captcha-delivery\.com", "DataDome's CAPTCHA and interstitial frames and scripts"),
    _markup("datadome", r"var dd\s*=\s*\{\s*['\"]rt['\"]", "DataDome block page's inline options"),
    # Incapsula's ordinary pages load /_Incapsula_Resource too; only the incident text is a block.
    _markup("imperva", r"incapsula incident id", "Imperva: 'Request unsuccessful. Incapsula incident ID'"),
    _markup(
        "modsecurity",
        r"generated by mod_security",
        "Apache mod_security's 406/403 page: 'This error was generated by Mod_Security.'",
    ),
    _markup("akamai", r"reference&#32;&#35;\d+&#46;", "Akamai 'Access Denied': 'Reference #18.' encoded"),
    _markup("akamai", r"errors(?:\.|&#46;)edgesuite(?:\.|&#46;)net", "Akamai error pages' reference link"),
    _host("google", "google.com/sorry", "Google's 'unusual traffic' CAPTCHA page"),
    _host("yandex", "yandex.ru/showcaptcha", "Yandex SmartCaptcha page"),
    _host("yandex", "yandex.com/showcaptcha", "Yandex SmartCaptcha page"),
    # Widgets that also sit on ordinary contact and comment forms: weak.
    _markup("generic", r"class\s*=\s*[\"'][^\"']*\bg-recaptcha\b", "reCAPTCHA widget", _W),
    _markup("generic", r"class\s*=\s*[\"'][^\"']*\bh-captcha\b", "hCaptcha widget", _W),
    _markup("generic", r"class\s*=\s*[\"'][^\"']*\bcf-turnstile\b", "Cloudflare Turnstile widget", _W),
    _markup(
        "generic", r"hcaptcha\.com/1/api\.js|google\.com/recaptcha/(?:api|enterprise)\.js", "scripts", _W
    ),
    # Wording.
    _phrase("cloudflare", "en", "just a moment...", "Cloudflare challenge page title", _W),
    _phrase(
        "cloudflare", "en", "checking if the site connection is secure", "Cloudflare challenge page (2022-)"
    ),
    _phrase(
        "cloudflare", "en", "enable javascript and cookies to continue", "Cloudflare challenge page (2023-)"
    ),
    _phrase(
        "cloudflare", "en", "needs to review the security of your connection", "Cloudflare challenge page"
    ),
    _phrase("cloudflare", "en", "attention required!", "Cloudflare block page title", _W),
    _phrase("cloudflare", "en", "sorry, you have been blocked", "Cloudflare WAF block page"),
    _phrase(
        "generic", "en", "checking your browser before accessing", "Cloudflare (before 2022) and DDoS-Guard"
    ),
    _phrase("perimeterx", "en", "access to this page has been denied", "PerimeterX (HUMAN) block page title"),
    _phrase("perimeterx", "en", "press & hold to confirm you are", "PerimeterX (HUMAN) CAPTCHA"),
    _phrase("akamai", "en", "access denied", "Akamai, Sucuri and many servers' 403 pages", _W),
    _phrase("akamai", "en", "you don't have permission to access", "Akamai 'Access Denied' page", _W),
    _phrase("generic", "en", "verify you are human", "generic CAPTCHA pages"),
    _phrase("generic", "en", "are you a robot", "generic CAPTCHA pages", _W),
    _phrase("google", "en", "unusual traffic from your computer network", "Google's /sorry/ page"),
    _phrase("generic", "en", "please complete the security check", "older Cloudflare, generic CAPTCHAs"),
    _phrase("yandex", "ru", "подтвердите, что запросы отправляли вы, а не робот", "Yandex SmartCaptcha page"),
    _phrase("generic", "ru", "вы не робот", "generic Russian CAPTCHA wording", _W),
    _phrase("generic", "pt", "você não é um robô", "generic Portuguese CAPTCHA wording"),
    _phrase("generic", "es", "no eres un robot", "generic Spanish CAPTCHA wording"),
    _phrase("generic", "fr", "vous n'êtes pas un robot", "generic French CAPTCHA wording"),
    _phrase("generic", "de", "sie kein roboter sind", "generic German CAPTCHA wording"),
)


# --- Login walls ------------------------------------------------------------------------------------

#: Login and paywall URL forms. A deep link that now ends on a login page is a soft 404 (the
#: content is gone from public view, or the link never led to it without an account). A paywall or
#: a registration wall does not count: the article is still there for subscribers, a "blocked"
#: rather than a "soft-404"; those rows are listed so that the decision is written down and tested.
LOGIN_PATH_PATTERNS: tuple[LoginPattern, ...] = (
    _path(
        "login", "en", r"/log[-_]?in(?:[/.;]|$)", "/login, /account/login, /user/login (Drupal), /login.php"
    ),
    _path("logon", "en", r"/logon(?:[/.;]|$)", "ASP and IIS sites: /logon.aspx"),
    _path("sign-in", "en", r"/sign[-_]?in(?:[/.;]|$)", "/signin, /sign-in, /users/sign_in (Devise)"),
    _path("auth", "zxx", r"/auth(?:[/.]|$)", "/auth, /auth/login, 1C-Bitrix /auth/, Keycloak /auth/realms"),
    _path("oauth", "zxx", r"/oauth2?/authorize(?:[/.]|$)", "OAuth 2 authorization endpoints"),
    _path("sso", "zxx", r"/sso(?:[/.]|$)", "single sign-on gateways"),
    _path("wp-login", "zxx", r"/wp-login\.php$", "WordPress: wp-login.php?redirect_to=..."),
    _path("session", "zxx", r"/sessions?/new(?:[/.]|$)", "Rails resourceful sessions"),
    _path("my-account", "en", r"/my-account(?:[/.]|$)", "WooCommerce's login form"),
    _path("anmelden", "de", r"/(?:anmelden|einloggen|anmeldung)(?:[/.]|$)", "German sites"),
    _path("connexion", "fr", r"/(?:connexion|se-connecter)(?:[/.]|$)", "French sites"),
    _path("iniciar-sesion", "es", r"/(?:iniciar-sesion|ingresar)(?:[/.]|$)", "Spanish sites"),
    _path("entrar", "pt", r"/entrar(?:[/.]|$)", "Portuguese sites"),
    _path("accedi", "it", r"/accedi(?:[/.]|$)", "Italian sites"),
    _path("inloggen", "nl", r"/inloggen(?:[/.]|$)", "Dutch sites"),
    _path("logowanie", "pl", r"/(?:logowanie|zaloguj)(?:[/.]|$)", "Polish sites"),
    _path("giris", "tr", r"/giris(?:-yap)?(?:[/.]|$)", "Turkish sites"),
    _path("vhod", "ru", r"/(?:vhod|вход)(?:[/.]|$)", "Russian sites"),
    _path("ja-login", "ja", r"/ログイン(?:[/.]|$)", "Japanese sites"),
    LoginPattern(
        "return-url",
        "zxx",
        "query",
        r"(?:^|&)(?:returnurl|return_url|returnto|return_to|redirect_to|redirecturl|redirect_url|redirect_uri)=",
        True,
        "ASP.NET ?ReturnUrl=, Rails return_to, WordPress redirect_to, OAuth redirect_uri",
    ),
    LoginPattern(
        "google", "zxx", "url", r"^accounts\.google\.com/(?:servicelogin|signin|v3/signin)", True, "Google"
    ),
    LoginPattern(
        "microsoft", "zxx", "url", r"^login\.(?:microsoftonline|live)\.com/", True, "Microsoft accounts"
    ),
    LoginPattern("linkedin-authwall", "zxx", "url", r"^linkedin\.com/authwall", True, "LinkedIn, logged out"),
    # Paywalls and registration walls: not counted.
    _path(
        "subscribe", "en", r"/(?:subscribe|subscription|subscriptions)(?:[/.]|$)", "paywalls", counts=False
    ),
    _path("paywall", "zxx", r"/paywall(?:[/.]|$)", "paywalls", counts=False),
    _path("register", "en", r"/(?:register|signup|sign-up)(?:[/.]|$)", "registration walls", counts=False),
    _path("assine", "pt", r"/(?:assine|assinatura)(?:[/.]|$)", "Brazilian paywalls", counts=False),
    _path("suscripcion", "es", r"/(?:suscripcion|suscribete)(?:[/.]|$)", "Spanish paywalls", counts=False),
    _path(
        "abonnement",
        "fr",
        r"/(?:abonnement|abonnez-vous|abo)(?:[/.]|$)",
        "French, German paywalls",
        counts=False,
    ),
)


# --- Folding ----------------------------------------------------------------------------------------

# Spelling variants that pages mix freely. Turkish dotless ı meets i because case-folding "I" gives
# "i" (Python folds without a locale); U+0307 is what folding "İ" leaves behind. Arabic: the hamza
# forms of alef, alef maqsura and the vowel marks and tatweel are written or left out at will.
_FOLD_TABLE = str.maketrans(
    {
        "ё": "е",
        "ı": "i",
        "\u0307": None,
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "´": "'",
        "`": "'",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "\u0640": None,
        **{chr(c): None for c in range(0x064B, 0x0660)},
        "\u0670": None,
        # Invisible format characters: soft hyphen, zero-width (non-)joiners, bidi marks, BOM.
        **{c: None for c in "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"},
        **{chr(c): None for c in range(0x202A, 0x202F)},
        **{chr(c): None for c in range(0x2066, 0x206A)},
    }
)


def fold(text: str) -> str:
    """`text` as the matchers compare it: NFKC, case-folded, variants unified, single-spaced.

    Whole-string operations (in C); `_folded_index` redoes it character by character, slower,
    only when a match must be quoted as the page writes it.
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_FOLD_TABLE).split())


def _folded_index(display: str) -> list[int]:
    """For each character of `fold(display)` (display already NFKC), its index in `display`."""
    index: list[int] = []
    space = True  # no leading space
    for i, ch in enumerate(display):
        if ch.isspace():
            if not space:
                index.append(i)
                space = True
            continue
        folded = ch.casefold().translate(_FOLD_TABLE)
        index.extend(i for _ in folded)
        space = space and not folded
    if index and display[index[-1]].isspace():
        index.pop()
    return index


# Scripts written without spaces between words: a phrase edge in them needs no word boundary (and
# Latin or digits beside them are a boundary: "404エラー"). Hangul is written with spaces, but its
# particles attach to nouns, so it is treated the same way.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\uac00-\ud7af"
#: A word character of a spaced script.
_WORDISH = f"[^\\W{_UNSPACED}]"
_DOMAIN_RE = r"[\w-]++(?:\.[\w-]++)++"  # possessive: a word is read once, not backtracked


def _phrase_regex(text: str) -> tuple[str, bool]:
    """A phrase as a regex over folded text, and whether it needs a word boundary before it.

    Boundaries apply at Latin, Cyrillic, Arabic... edges ("404" is not in "4040", "oops" not in
    "whoopsie"); CJK edges need none. `<domain>` stands for any host name.
    """
    folded = fold(text)
    body = _DOMAIN_RE.join(re.escape(part) for part in folded.split("<domain>"))
    start = bool(re.match(_WORDISH, folded)) or folded.startswith("<domain>")
    if re.match(_WORDISH, folded[-1:]) or folded.endswith("<domain>"):
        body += f"(?!{_WORDISH})"
    return body, start


class _Folded:
    """A piece of page text, folded once and searched by many patterns."""

    __slots__ = ("_index", "display", "folded", "place")

    def __init__(self, place: Place, text: str) -> None:
        self.place = place
        self.display = unicodedata.normalize("NFKC", text)
        self.folded = fold(self.display)
        self._index: list[int] | None = None

    def quote(self, start: int, end: int) -> str:
        """The folded span [start, end) as the page writes it."""
        if self._index is None:
            self._index = _folded_index(self.display)
        return self.display[self._index[start] : self._index[end - 1] + 1]


_DOMAIN_TOKEN = "<domain>"


def _tokens(folded: str) -> list[str]:
    """A folded phrase as trie keys: its characters, with `<domain>` as one key."""
    parts = folded.split(_DOMAIN_TOKEN)
    tokens: list[str] = []
    for n, part in enumerate(parts):
        if n:
            tokens.append(_DOMAIN_TOKEN)
        tokens.extend(part)
    return tokens


@dataclass(slots=True)
class _TrieNode:
    children: dict[str, _TrieNode] = field(default_factory=dict)
    phrase: int | None = None  #: the phrase that ends here
    bounded: bool = False  #: whether it needs no word character after it

    def regex(self) -> str:
        # Literal characters first (they exclude one another), a host name last; a phrase that
        # ends here after every longer one (the longest match wins, as in a flat alternation
        # sorted longest first).
        keys = sorted(self.children, key=lambda key: (key == _DOMAIN_TOKEN, key))
        branches = [
            (_DOMAIN_RE if key == _DOMAIN_TOKEN else re.escape(key)) + self.children[key].regex()
            for key in keys
        ]
        if self.phrase is not None:
            boundary = f"(?!{_WORDISH})" if self.bounded else ""
            branches.append(f"{boundary}(?P<p{self.phrase}>)")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


class _Match(NamedTuple):
    place: Place
    quote: str  #: the matched words as the page writes them
    letters: int  #: how many letters and digits the match covers


class _PhraseSet:
    """Phrases searched in one pass over a text, the longest first where several start at the
    same place (so that "404 not found" wins over "404").

    The phrases are one regex shaped as a trie of their folded characters: at each position
    the engine follows the one branch the character at hand allows, instead of trying every
    phrase in turn (measured on 400 characters of an article against the 124 not-found
    phrases: 0.26 ms as one flat alternation, 0.032 ms as a trie). Each branch opens with a
    test of the character at hand (the phrases' first characters; no word character before,
    where one is needed), so that positions where no phrase can start are passed over at once.
    A phrase that ends where it does is marked by an empty named group, `p<index>`, tried after
    every longer continuation."""

    def __init__(self, phrases: Sequence[str]) -> None:
        tries: dict[bool, _TrieNode] = {True: _TrieNode(), False: _TrieNode()}
        firsts: dict[bool, set[str]] = {True: set(), False: set()}
        for i, text in enumerate(phrases):
            _body, needs_start = _phrase_regex(text)
            folded = fold(text)
            node = tries[needs_start]
            for token in _tokens(folded):
                node = node.children.setdefault(token, _TrieNode())
            if node.phrase is None:  # the same wording twice: the first row speaks
                node.phrase = i
                node.bounded = bool(re.match(_WORDISH, folded[-1:])) or folded.endswith("<domain>")
            # "<domain>" starts with a host name: any word character.
            firsts[needs_start].add("\\w" if folded.startswith("<domain>") else re.escape(folded[:1]))
        branches = []
        for needs_start in (True, False):
            if tries[needs_start].children:
                before = f"(?<!{_WORDISH})" if needs_start else ""
                ahead = f"(?=[{''.join(sorted(firsts[needs_start]))}])"
                branches.append(f"{ahead}{before}{tries[needs_start].regex()}")
        self.regex = re.compile("|".join(branches) or "(?!)")

    def find(self, text: _Folded) -> list[tuple[int, _Match]]:
        """(the phrase's index, the match) for each match, in order."""
        return [
            (
                int((m.lastgroup or "p0")[1:]),
                _Match(text.place, text.quote(m.start(), m.end()), sum(c.isalnum() for c in m.group())),
            )
            for m in self.regex.finditer(text.folded)
            if m.end() > m.start()
        ]


# --- Page facts -------------------------------------------------------------------------------------

#: How much of a page is parsed: past this a page is long whatever the rest holds.
_PARSE_LIMIT = 2_000_000
_TEXT_START = 2_000
_BODY_SAMPLE = 65_536
_MAX_HEADINGS = 12
_MAX_HEADING = 500

#: Characters an lxml tree cannot hold (XML 1.0 section 2.2).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: Not text a reader sees.
_INVISIBLE_TAGS = frozenset(
    {"head", "script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "object",
     "embed", "canvas", "select", "datalist", "title", "meta", "link"}
)  # fmt: skip
#: Site furniture, the same on every page of a site: it would make every page long and every two
#: pages alike. <header> is kept: WordPress and many themes put the 404 heading in one, and a
#: site banner's few words (its name) change neither length nor likeness much.
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer"})
_FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark",
     "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "label", "big", "tt"}
)  # fmt: skip
_HEADING_TAGS = frozenset({"h1", "h2"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What the matchers read from one fetched page, read once."""

    url: str  #: the link as cited
    final_url: str  #: where its redirect chain ended
    status: int | None  #: the final answer's status (None: no answer)
    title: str | None  #: the document's <title>, whitespace squashed
    headings: tuple[str, ...]  #: h1 and h2 texts outside site furniture, in document order
    text_start: str  #: the first ~2,000 characters of the main visible text, whitespace squashed
    text_length: int  #: the length of the main visible text (of <main> when the page has one)
    headers: Mapping[str, str]  #: response headers, lower-case names
    body_sample: str  #: the first 64 KiB of the raw markup, for scripts and markers


def page_facts(
    url: str, final_url: str, status: int | None, headers: Mapping[str, str] | None, html: str
) -> PageFacts:
    """Read a fetched page's facts. Never raises: markup lxml cannot read gives empty facts."""
    title: str | None = None
    headings: tuple[str, ...] = ()
    text = ""
    try:
        root = _parse(html[:_PARSE_LIMIT])
        if root is not None:
            title = _title_of(root)
            text, headings = _visible_text(root)
    except (etree.LxmlError, ValueError, UnicodeError):
        # A page is arbitrary bytes from anywhere; one that defeats the parser is read as having
        # no text, which no matcher takes for evidence.
        pass
    return PageFacts(
        url=url,
        final_url=final_url,
        status=status,
        title=title,
        headings=headings,
        text_start=text[:_TEXT_START],
        text_length=len(text),
        headers=MappingProxyType({str(k).lower(): str(v) for k, v in (headers or {}).items()}),
        body_sample=html[:_BODY_SAMPLE],
    )


def _parse(html: str) -> etree._Element | None:
    # UTF-8 bytes with the encoding fixed, so that a page's own <meta charset> cannot make libxml2
    # decode the text a second time (as resolver.archive.readable does).
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8", no_network=True)
    data = _INVALID_XML.sub("", html).encode("utf-8", "replace")
    if not data.strip():
        return None
    return etree.fromstring(data, parser)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _tag(el: etree._Element) -> str:
    """The lower-case tag name; "" for what is not an element (an entity, a leftover comment)."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _title_of(root: etree._Element) -> str | None:
    for el in root.iter("title"):
        if any(_tag(a) == "svg" for a in el.iterancestors()):
            continue  # an icon's <title> is its tooltip, not the page's
        return _squash("".join(el.itertext()))[:_MAX_HEADING] or None
    return None


def _is_skipped(el: etree._Element) -> bool:
    tag = _tag(el)
    if not tag or tag in _INVISIBLE_TAGS or tag in _FURNITURE_TAGS:
        return True
    get = el.get
    if (get("role") or "").strip().lower() in _FURNITURE_ROLES:
        return True
    if get("hidden") is not None or (get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _is_main(el: etree._Element) -> bool:
    return _tag(el) == "main" or (el.get("role") or "").strip().lower() == "main"


def _visible_text(root: etree._Element) -> tuple[str, tuple[str, ...]]:
    """The squashed visible text (of the first <main> when it has text) and the h1/h2 headings.

    An explicit stack, not recursion: libxml2 nests up to 256 levels, deeper than Python's limit
    allows in a thread. Block elements are separated by a space so that "<h1>404</h1><p>Sorry"
    does not read "404Sorry".
    """
    body = root.find("body")
    start = body if body is not None else root
    parts: list[str] = []
    headings: list[str] = []
    open_headings: list[int] = []  # where each open heading's text starts in `parts`
    main: etree._Element | None = None
    main_span = [0, 0]
    stack: list[tuple[etree._Element, bool]] = [(start, False)]
    while stack:
        el, closing = stack.pop()
        tag = _tag(el)
        if closing:
            if tag not in _INLINE_TAGS:
                parts.append(" ")
            if el is main:
                main_span[1] = len(parts)
            if tag in _HEADING_TAGS and open_headings:
                heading = _squash("".join(parts[open_headings.pop() :]))[:_MAX_HEADING]
                if heading and len(headings) < _MAX_HEADINGS:
                    headings.append(heading)
            if el is not start and el.tail:
                parts.append(el.tail)
            continue
        if el is not start and _is_skipped(el):
            if el.tail:  # the tail is the parent's text, after the skipped element
                parts.append(el.tail)
            continue
        if tag not in _INLINE_TAGS:
            parts.append(" ")
        if main is None and _is_main(el):
            main, main_span[0] = el, len(parts)
        if tag in _HEADING_TAGS:
            open_headings.append(len(parts))
        if el.text:
            parts.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    if main is not None:
        main_text = _squash("".join(parts[main_span[0] : main_span[1]]))
        if main_text:
            return main_text, tuple(headings)
    return _squash("".join(parts)), tuple(headings)


# --- Not found --------------------------------------------------------------------------------------

_NOT_FOUND_SET = _PhraseSet([p.text for p in NOT_FOUND_PHRASES])
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|·•»«~/:]+\s+|[|｜]")
_PLACE_SAYS: Mapping[Place, str] = MappingProxyType(
    {Place.TITLE: "title says", Place.HEADING: "heading says", Place.TEXT: "page says"}
)


def _segments(text: str) -> list[str]:
    """A title or heading cut at the separators that join a page's name to its site's."""
    return [s for s in _TITLE_SEPARATORS.split(text) if s.strip()]


def _covered_matches(phrases: _PhraseSet, segment: str, place: Place) -> list[tuple[int, _Match]]:
    """The matches in one title or heading segment, if the table's wording is most of it."""
    text = _Folded(place, segment)
    matches = phrases.find(text)
    letters = sum(c.isalnum() for c in text.folded)
    covered = sum(m.letters for _, m in matches)
    return matches if matches and letters and covered / letters >= TITLE_COVERAGE else []


def _score_needed(text_length: int) -> int:
    return next(score for limit, score in SCORE_NEEDED if text_length <= limit)


def _weighed_phrase(
    facts: PageFacts, phrases: _PhraseSet, strengths: Sequence[Strength]
) -> tuple[int, _Match] | None:
    """The phrase that speaks for the page (its index and match), if the page's wording adds up.

    Looks at the title, the h1/h2 headings and the top of the text (`NEAR_TOP`), scores the best
    match of each place (`PLACE_WEIGHTS` x `STRENGTH_WEIGHTS`), and asks more of longer pages
    (`SCORE_NEEDED`). The strongest single match speaks; on a tie the title, then a heading.
    """
    found: list[tuple[int, _Match]] = []
    for segment in _segments(facts.title or ""):
        found += _covered_matches(phrases, segment, Place.TITLE)
    for heading in facts.headings:
        for segment in _segments(heading):
            found += _covered_matches(phrases, segment, Place.HEADING)
    found += phrases.find(_Folded(Place.TEXT, facts.text_start[:NEAR_TOP]))

    best: dict[Place, tuple[int, int, _Match]] = {}
    for i, match in found:
        weight = PLACE_WEIGHTS[match.place] * STRENGTH_WEIGHTS[strengths[i]]
        if match.place not in best or weight > best[match.place][0]:
            best[match.place] = (weight, i, match)
    if not best or sum(weight for weight, _, _ in best.values()) < _score_needed(facts.text_length):
        return None
    order = list(Place)
    _, i, match = max(best.values(), key=lambda item: (item[0], -order.index(item[2].place)))
    return i, match


_NOT_FOUND_STRENGTHS = tuple(p.strength for p in NOT_FOUND_PHRASES)


def not_found_evidence(facts: PageFacts) -> str | None:
    """Evidence that the page says it is not there, e.g. `title says "Página não encontrada" (pt)`.

    Its wording first (`NOT_FOUND_PHRASES`, weighed by place and page length), then markup only
    a not-found template carries (`NOT_FOUND_MARKERS`). The status is not looked at: a 404 needs
    no evidence, and the classifier asks this of the pages that answered 200.
    """
    weighed = _weighed_phrase(facts, _NOT_FOUND_SET, _NOT_FOUND_STRENGTHS)
    if weighed:
        i, match = weighed
        return f'{_PLACE_SAYS[match.place]} "{_clip(match.quote)}" ({NOT_FOUND_PHRASES[i].lang})'
    if not _might_match(_NOT_FOUND_NEEDLES, facts.body_sample):
        return None
    for signal in NOT_FOUND_MARKERS:
        m = _COMPILED[signal].search(facts.body_sample)
        if m:
            return f'markup has "{_clip(m.group())}" ({signal.service})'
    return None


# --- Parked domains and bot walls -------------------------------------------------------------------


def _compile(signal: Signal) -> re.Pattern[str]:
    """The regex of a row: its phrase (folded), its markup regex, or its header value regex."""
    if signal.kind is SignalKind.PHRASE:
        body, needs_start = _phrase_regex(signal.pattern)
        return re.compile(f"(?<!{_WORDISH})" + body if needs_start else body)
    if signal.kind is SignalKind.MARKUP:
        return re.compile(signal.pattern, re.IGNORECASE)
    if signal.kind is SignalKind.HEADER:
        _, _, value = signal.pattern.partition(":")
        return re.compile(value.strip(), re.IGNORECASE)  # "" (no value given) matches any value
    return re.compile(re.escape(signal.pattern))  # hosts are compared by _on_host, not searched


_COMPILED: Mapping[Signal, re.Pattern[str]] = MappingProxyType(
    {s: _compile(s) for s in PARKED_SIGNALS + BOT_WALL_SIGNALS + NOT_FOUND_MARKERS}
)


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Literal strings one of which is in any text `pattern` matches (lower-case ASCII, 3+
    characters: the longest literal run of each top-level alternative), or None when the
    pattern has no such run. Text without any of them is passed over with `in` (C-speed
    substring search: 0.4 ms for every row's on a 64 KB page, against 6 ms for the rows'
    regexes joined)."""
    import re._constants as sre_constants
    import re._parser as sre_parser

    def longest_run(items: list[tuple[Any, Any]]) -> str:
        best = current = ""
        for op, value in items:
            if op is sre_constants.LITERAL:
                current += chr(value)
            else:
                best, current = max(best, current, key=len), ""
        return max(best, current, key=len)

    items = list(sre_parser.parse(pattern))
    if len(items) == 1 and items[0][0] is sre_constants.BRANCH:
        runs = tuple(longest_run(list(branch)) for branch in items[0][1][1])
    else:
        runs = (longest_run(items),)
    if all(len(run) >= 3 and run.isascii() and run == run.lower() for run in runs):
        return runs
    return None


def _needles(patterns: Sequence[str]) -> tuple[str, ...] | None:
    """Every pattern's required literals (none for no patterns), or None if one pattern has
    none: its rows are then always searched."""
    found: list[str] = []
    for pattern in patterns:
        runs = required_literals(pattern)
        if runs is None:
            return None
        found.extend(runs)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=4)
def _lowered(sample: str) -> str:
    """A page's markup sample in lower case, made once for the three tables that ask."""
    return sample.lower()


def _might_match(needles: tuple[str, ...] | None, sample: str) -> bool:
    """Whether any markup row of a table can match `sample` (most pages: none can), by the
    rows' required literals in the lower-cased sample (None: a row has none, so maybe)."""
    if needles is None:
        return True
    lowered = _lowered(sample)
    return any(needle in lowered for needle in needles)


_NOT_FOUND_NEEDLES = _needles([s.pattern for s in NOT_FOUND_MARKERS])
_SRC_RE = re.compile(r"\bsrc\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.IGNORECASE)
#: The same, opening with its literal so that the search skips to each "src" at C speed (a
#: leading \b defeats that); the word boundary before it is checked by `_sources_by_host`.
_SRC_LOWER_RE = re.compile(r"src\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)")


_WORD_CHAR = re.compile(r"\w")


def _sources_by_host(sample: str) -> dict[str, list[str]]:
    """The `src=` URLs of a markup sample, grouped by host, as the page writes them.

    Searched in the lower-cased sample (a third of the time of a case-blind search) and read
    back from the sample itself at the same places, when lower-casing kept every offset."""
    lowered = _lowered(sample)
    if len(lowered) == len(sample):
        found = (
            sample[m.start(1) : m.end(1)]
            for m in _SRC_LOWER_RE.finditer(lowered)
            if not m.start() or not _WORD_CHAR.match(lowered, m.start() - 1)
        )
    else:  # a character whose lower case is longer ("İ"): search the sample as it is
        found = (m.group(1) for m in _SRC_RE.finditer(sample))
    by_host: dict[str, list[str]] = {}
    for source in found:
        by_host.setdefault(host_of(source), []).append(source)
    return by_host


def _on_host(url: str, spec: str) -> bool:
    """True if `url` is on the host (or a subdomain) of `host[/path-prefix]`."""
    host, _, path = spec.partition("/")
    got = host_of(url)
    if not got or not (got == host or got.endswith("." + host)):
        return False
    if not path:
        return True
    try:
        return urlsplit(url.strip()).path.lower().startswith("/" + path)
    except ValueError:
        return False


class _Table:
    """A table of signals, with its phrases gathered into one `_PhraseSet`.

    A page is read once per table, not once per row: whether any markup row can match is
    told by the rows' required literals (most pages hold none, and are passed without running
    a single row's regex), and the hosts a page loads scripts and frames from are listed once.
    """

    def __init__(self, rows: Sequence[Signal], *, loaded: bool) -> None:
        self.rows = rows
        self.phrases = [row for row in rows if row.kind is SignalKind.PHRASE]
        self.phrase_set = _PhraseSet([row.pattern for row in self.phrases])
        self.strengths = tuple(row.strength for row in self.phrases)
        self.loaded = loaded  #: whether scripts and frames loaded from a HOST row's host count
        markup = [row.pattern for row in rows if row.kind is SignalKind.MARKUP]
        self.markup_needles = _needles(markup)


@dataclass(slots=True)
class _Reading:
    """What one table's rows need of one page, worked out at most once."""

    facts: PageFacts
    table: _Table
    _markup_possible: bool | None = None
    _sources: dict[str, list[str]] | None = None

    def markup_possible(self) -> bool:
        if self._markup_possible is None:
            self._markup_possible = _might_match(self.table.markup_needles, self.facts.body_sample)
        return self._markup_possible

    def sources(self) -> dict[str, list[str]]:
        """The URLs the page loads scripts and frames from (`src=` attributes), by host."""
        if self._sources is None:
            self._sources = _sources_by_host(self.facts.body_sample)
        return self._sources


def _row_evidence(signal: Signal, reading: _Reading) -> str | None:
    """Evidence of one HEADER, MARKUP or HOST row."""
    facts = reading.facts
    if signal.strength is Strength.WEAK and facts.text_length > SHORT_PAGE:
        return None
    if signal.kind is SignalKind.HEADER:
        name = signal.pattern.partition(":")[0].strip()
        value = facts.headers.get(name)
        if value is not None and _COMPILED[signal].search(value):
            return f'header "{name}: {_clip(value)}" ({signal.service})'
        return None
    if signal.kind is SignalKind.MARKUP:
        if not reading.markup_possible():
            return None
        m = _COMPILED[signal].search(facts.body_sample)
        return f'markup has "{_clip(m.group())}" ({signal.service})' if m else None
    # A link to the service's own site is no parked page: only a chain that left the cited host.
    if _on_host(facts.final_url, signal.pattern) and not _on_host(facts.url, signal.pattern):
        return f"ended on {_clip(_display_url(facts.final_url))} ({signal.service})"
    if reading.table.loaded:
        wanted = signal.pattern.partition("/")[0]
        for host, sources in reading.sources().items():
            if host == wanted or host.endswith("." + wanted):
                for source in sources:
                    if _on_host(source, signal.pattern):
                        return f"page loads {_clip(source)} ({signal.service})"
    return None


#: Evidence is looked for in this order: what the chain and the server say, the markup, the
#: wording, then weak markers; so that the line reported is the stablest.
_KIND_ORDER = (SignalKind.HOST, SignalKind.HEADER, SignalKind.MARKUP)


def _first_evidence(table: _Table, facts: PageFacts) -> str | None:
    reading = _Reading(facts, table)
    for kind in _KIND_ORDER:
        for signal in table.rows:
            if signal.kind is kind and signal.strength is Strength.STRONG:
                evidence = _row_evidence(signal, reading)
                if evidence:
                    return evidence
    weighed = _weighed_phrase(facts, table.phrase_set, table.strengths)
    if weighed:
        i, match = weighed
        signal = table.phrases[i]
        return f'{_PLACE_SAYS[match.place]} "{_clip(match.quote)}" ({signal.lang}, {signal.service})'
    for signal in table.rows:
        if signal.kind is not SignalKind.PHRASE and signal.strength is Strength.WEAK:
            evidence = _row_evidence(signal, reading)
            if evidence:
                return evidence
    return None


_PARKED = _Table(PARKED_SIGNALS, loaded=True)
_BOT_WALLS = _Table(BOT_WALL_SIGNALS, loaded=False)


def parked_evidence(facts: PageFacts) -> str | None:
    """Evidence that the domain is parked or for sale, e.g. `ended on dan.com/buy-domain/x.com (dan)`.

    Hosts: a redirect chain that left the cited host for a parking or marketplace host, or a page
    that loads its scripts or frames from one. Then parking headers and markup, then for-sale
    wording, weighed like not-found wording.
    """
    return _first_evidence(_PARKED, facts)


def bot_wall_evidence(facts: PageFacts) -> str | None:
    """Evidence of a bot wall or challenge page, e.g. `header "cf-mitigated: challenge" (cloudflare)`.

    Vendor headers, CAPTCHA hosts and challenge markup count on any page; wording ("Just a
    moment...", "Access Denied") is weighed like not-found wording; CAPTCHA widgets count only on
    a short page (`SHORT_PAGE`).
    """
    return _first_evidence(_BOT_WALLS, facts)


# --- Redirects to the home or a login page ----------------------------------------------------------

#: Query parameters that say nothing about which page a URL names: trackers and referral tags.
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "cmpid",
     "ito", "smid"}
)  # fmt: skip
#: Parameters a home page is often reached with after a failed deep link ("/?404", "/?lang=en").
_HOME_PARAMS = frozenset(
    {"404", "error", "err", "notfound", "not_found", "lang", "hl", "locale", "redirected", "from"}
)
_INDEX_NAMES = r"(?:index|default|home|start|inicio|accueil)(?:\.[a-z]{2,5})?/?"
#: A site's root or its index document, optionally under a language root ("/en/", "/pt-br/",
#: "/zh-hant/index.html").
_LANG_ROOT = r"[a-z]{2}(?:[-_](?:[a-z]{2}|hans|hant|latn|cyrl))?/?"
_HOME_PATH = re.compile(rf"/?(?P<lang>{_LANG_ROOT})?(?:{_INDEX_NAMES})?")


def _meaningful_params(query: str) -> list[str]:
    names = [name.lower() for name, _ in parse_qsl(query, keep_blank_values=True)]
    return [n for n in names if not n.startswith("utm_") and n not in _TRACKING_PARAMS]


def _path_and_query(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return unquote(parts.path).lower(), parts.query


def _same_site(a: str, b: str) -> bool:
    """Hosts of one site: equal but for `www.`, or one a subdomain of the other (blog.x.com, x.com).

    Without the Public Suffix List a "registrable domain" cannot be told exactly; a redirect from a
    page to its own parent domain's home is the same failure as one to its own home.
    """
    return bool(a and b) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def redirected_home(url: str, final_url: str) -> str | None:
    """Evidence that a deep link now ends on its site's home page (or a language home like /en/).

    Deep: a path below the root (or a language root), or a query that names a page (`/?p=123`),
    trackers aside. Sites answer a removed page this way instead of with a 404.
    """
    start, end = _path_and_query(url), _path_and_query(final_url)
    if start is None or end is None or not _same_site(host_of(url), host_of(final_url)):
        return None
    (path, query), (final_path, final_query) = start, end
    deep = not _HOME_PATH.fullmatch(path) or bool(_meaningful_params(query))
    home = _HOME_PATH.fullmatch(final_path)
    if not deep or home is None or any(p not in _HOME_PARAMS for p in _meaningful_params(final_query)):
        return None
    where = "a language home page" if home.group("lang") else "the home page"
    return f"deep link ended on {where}: {_clip(_display_url(final_url))}"


_LOGIN_RES: Mapping[LoginPattern, re.Pattern[str]] = MappingProxyType(
    {p: re.compile(p.pattern) for p in LOGIN_PATH_PATTERNS}
)


def redirected_to_login(final_url: str) -> str | None:
    """Evidence that a link ends on a login page (the `LOGIN_PATH_PATTERNS` rows that count)."""
    try:
        parts = urlsplit(final_url.strip())
    except ValueError:
        return None
    path = unquote(parts.path).lower()
    texts = {"path": path, "query": parts.query.lower(), "url": host_of(final_url) + path}
    # A paywall's or registration wall's path decides, whatever its query carries: walls send
    # the reader back afterwards too (`/subscribe?return_to=/story`, `/register?redirect_url=`).
    if any(not p.counts and p.part == "path" and _LOGIN_RES[p].search(path) for p in LOGIN_PATH_PATTERNS):
        return None
    for pattern in LOGIN_PATH_PATTERNS:
        if pattern.counts and _LOGIN_RES[pattern].search(texts[pattern.part]):
            return f"ended on a login page ({pattern.name}): {_clip(_display_url(final_url))}"
    return None


def redirected_to_paywall(url: str, final_url: str) -> str | None:
    """Evidence that a link was sent to a paywall or registration wall (the `LOGIN_PATH_PATTERNS`
    rows that do not count as a login): the article may still be there, for subscribers, but
    the tool could not see it. A link cited as a subscription page is what it is."""
    try:
        path = unquote(urlsplit(final_url.strip()).path).lower()
        cited = unquote(urlsplit(url.strip()).path).lower()
    except ValueError:
        return None
    for pattern in LOGIN_PATH_PATTERNS:
        if not pattern.counts and pattern.part == "path":
            wall = _LOGIN_RES[pattern]
            if wall.search(path) and not wall.search(cited):
                return f"sent to a paywall ({pattern.name}): {_clip(_display_url(final_url))}"
    return None


#: Where sites send a request for a missing page instead of answering it with a 404: their error
#: page, named by its URL. (name, the part searched: "path" unquoted and lower-cased or "query",
#: regex, source.) Only a redirect counts: a link cited as `/404.html` is what it is.
ERROR_PAGE_PATTERNS: tuple[tuple[str, str, str, str], ...] = (
    (
        "404-document",
        "path",
        r"/(?:404|410)(?:\.[a-z]{2,5})?/?$",
        "/404.html, /404.php, /404/ (CMSs, static hosts)",
    ),
    (
        "error-404",
        "path",
        r"/(?:errors?|erro|error-page|fehler|erreur)[-_/]?(?:404|410)(?:\.[a-z]{2,5})?/?$",
        "/error/404, /error-404, /errors/404.html",
    ),
    (
        "not-found-page",
        "path",
        r"/(?:page[-_]?)?not[-_]?found(?:[-_]?page)?(?:\.[a-z]{2,5})?/?$|/404[-_](?:error|page)(?:\.[a-z]{2,5})?/?$",
        "/not-found, /notfound, /page-not-found, /pagenotfound.aspx, /404-error, /404-page",
    ),
    (
        "aspxerrorpath",
        "query",
        r"(?:^|&)aspxerrorpath=",
        "ASP.NET customErrors: /Error.aspx?aspxerrorpath=/page",
    ),
)
_ERROR_PAGE_RES = tuple((name, part, re.compile(regex)) for name, part, regex, _ in ERROR_PAGE_PATTERNS)


def redirected_to_error_page(url: str, final_url: str) -> str | None:
    """Evidence that a link was redirected to its site's error page (`ERROR_PAGE_PATTERNS`)."""
    start, end = _path_and_query(url), _path_and_query(final_url)
    if start is None or end is None or start == end:
        return None
    path, query = end
    for name, part, regex in _ERROR_PAGE_RES:
        if regex.search(path if part == "path" else query.lower()):
            return f"redirected to an error page ({name}): {_clip(_display_url(final_url))}"
    return None


# --- Sibling probe ----------------------------------------------------------------------------------

# Tokens that name this page rather than the template: numbers, dates, IDs, paths, slugs, hashes.
_TOKEN_SPLIT = re.compile(f"[{_UNSPACED}]|[^\\s{_UNSPACED}]+")
_NOISE_TOKEN = re.compile(r".*(?:\d|[/\\=?&%#@_]).*|.*-.*-.*|.{25,}")
_EDGE_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?¡¿…—–"


def _template_words(text: str) -> list[str]:
    words = []
    for token in _TOKEN_SPLIT.findall(fold(text)):
        word = token.strip(_EDGE_PUNCT)
        if word and not _NOISE_TOKEN.fullmatch(word):
            words.append(word)
    return words


def similar_pages(a: str, b: str) -> float:
    """How alike two pages' visible texts are, 0..1, ignoring what names the page.

    For the sibling probe: a soft-404 template answers a made-up URL with the same text as the
    cited one, save for numbers, dates, request IDs and the echoed path, which are removed first.
    Words are compared in order (Indel similarity over word sequences; CJK by character), so two
    different articles share only scattered function words and score low. A page with no text
    scores 0.0 against anything: a script-only shell is the same at every URL, which says nothing.
    """
    words_a, words_b = _template_words(a), _template_words(b)
    if not words_a or not words_b:
        return 0.0
    return float(Indel.normalized_similarity(words_a, words_b))


#: Last segments that name an index document, not the page: the probe replaces the one before.
_INDEX_SEGMENT = re.compile(r"(?:index|default|home)(?:\.[a-z0-9]{1,5})?", re.IGNORECASE)
#: Query parameters that name the page (`?id=12345`, `?p=123`, `watch?v=...`).
_ID_PARAMS = frozenset(
    {"id", "p", "page_id", "aid", "sid", "nid", "pid", "cid", "v", "story", "storyid", "story_id", "article",
     "articleid", "article_id", "newsid", "news_id", "itemid", "item_id", "post", "postid", "post_id", "doc"}
)  # fmt: skip
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_MIN_RANDOM = 8


class _Random:
    """A seeded stream of choices from SHA-256: the same URL and seed give the same probe on
    every Python version (random.Random's algorithms are not promised to stay)."""

    def __init__(self, seed: int, url: str) -> None:
        self._key = f"{seed}\x00{url}".encode("utf-8", "replace")
        self._buffer: list[int] = []
        self._counter = 0

    def below(self, n: int) -> int:
        if not self._buffer:
            self._counter += 1
            self._buffer = list(hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest())
        return self._buffer.pop() % n


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"


def _random_like(value: str, rng: _Random) -> str:
    """A token shaped like `value`: letters for letters (same case), digits for digits, and the
    punctuation kept in place. Numeric IDs get longer (by three digits, to nine at most unless
    already longer): IDs grow, so one above the site's newest names no page, while staying within
    a 32-bit column. Other short values are lengthened to eight characters for the same reason."""
    chars = []
    for ch in value:
        if ch.isdigit():
            chars.append(_DIGITS[rng.below(10)])
        elif ch.isalpha():
            letter = _LOWER[rng.below(26)]
            chars.append(letter.upper() if ch.isupper() else letter)
        else:
            chars.append(ch)
    if value.isdigit():
        target = max(len(value), min(len(value) + 3, 9))
        chars += [_DIGITS[rng.below(10)] for _ in range(target - len(value))]
        chars[0] = _DIGITS[1 + rng.below(9)]  # no leading zero: "00123" may be read as 123
    elif sum(c.isalnum() for c in value) < _MIN_RANDOM:
        pool = _DIGITS if value[-1:].isdigit() else _LOWER
        chars += [pool[rng.below(len(pool))] for _ in range(_MIN_RANDOM - sum(c.isalnum() for c in value))]
    token = "".join(chars)
    return token if token != value else token + _LOWER[rng.below(26)]


def _is_id_value(name: str, value: str) -> bool:
    return name.lower() in _ID_PARAMS or (len(value) >= 4 and any(c.isdigit() for c in value))


def sibling_url(url: str, seed: int) -> str:
    """`url` with what names its page replaced by a random-looking token of the same shape.

    `/2015/10/21/story-slug` gives `/2015/10/21/<letters-like-this>`, `/news/12345.html` gives
    `/news/<digits>.html`, `article.php?id=12345` gives `article.php?id=<digits>`. A site that
    answers such a made-up URL with the same page as the cited one serves a template, not the
    page (`similar_pages`). Deterministic for a seed; the fragment, never sent, is dropped.
    """
    rng = _Random(seed, url)
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    params = parse_qsl(parts.query, keep_blank_values=True)
    if any(_is_id_value(name, value) for name, value in params):
        pairs = [
            (name, _random_like(value, rng) if _is_id_value(name, value) else value) for name, value in params
        ]
        query = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    segments = parts.path.split("/")
    # The segment to replace: the last non-empty one, or the one before an index document.
    positions = [i for i, s in enumerate(segments) if s]
    if positions and _INDEX_SEGMENT.fullmatch(segments[positions[-1]]) and len(positions) > 1:
        positions.pop()
    if not positions:
        token = "".join(_LOWER[rng.below(26)] for _ in range(12))
        path = parts.path.rstrip("/") + "/" + token
    else:
        i = positions[-1]
        segment = unquote(segments[i])
        ext = _EXTENSION.search(segment)
        stem, suffix = (segment[: ext.start()], ext.group()) if ext and ext.start() > 0 else (segment, "")
        # Letters of any script become ASCII letters: "история" gives eight ASCII letters.
        segments[i] = quote(_random_like(stem, rng) + suffix, safe="-_.~!$'()*+,;=:@")
        path = "/".join(segments)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


# --- Helpers ----------------------------------------------------------------------------------------

_CLIP = 100


def _clip(text: str) -> str:
    """Evidence stays one short line whatever the page holds."""
    text = _squash(text).replace('"', "'")
    return text if len(text) <= _CLIP else text[: _CLIP - 1] + "…"


def _display_url(url: str) -> str:
    """A URL without its scheme, as people read it in a report."""
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.IGNORECASE)
