"""Tests of resolver.audit.signals: the soft-404, parking, bot-wall and login-wall signals.

Table-driven: each page a link can lead to is one row (real-looking markup of the CMS or server
that serves it), with the evidence line expected, or None. A misjudged page becomes a new row.
The tables themselves are tested as data at the end.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from resolver.audit.signals import (
    BOT_WALL_SIGNALS,
    LOGIN_PATH_PATTERNS,
    NOT_FOUND_MARKERS,
    NOT_FOUND_PHRASES,
    PARKED_SIGNALS,
    SCORE_NEEDED,
    LoginPattern,
    PageFacts,
    Phrase,
    Signal,
    SignalKind,
    Strength,
    _folded_index,  # the quoting map, tested against fold
    bot_wall_evidence,
    fold,
    not_found_evidence,
    page_facts,
    parked_evidence,
    redirected_home,
    redirected_to_login,
    sibling_url,
    similar_pages,
)

URL = "https://www.example.com/2015/10/21/story-slug"


def facts(
    html: str, *, url: str = URL, final_url: str | None = None, headers: dict[str, str] | None = None
) -> PageFacts:
    return page_facts(url, final_url or url, 200, headers or {}, html)


# --- Page text for long pages ------------------------------------------------------------------

EN_PARAGRAPHS = [
    "The city council voted on Tuesday to extend the contract for the northern bus routes by another "
    "three years, after a debate that ran past midnight and drew more than two hundred residents to "
    "the chamber. Supporters said the service had improved since the last review; opponents pointed "
    "to late buses and a fare rise that hit the poorest districts hardest.",
    "Council members also heard from the transport authority, whose director said that ridership had "
    "recovered to ninety per cent of its level before the pandemic. She promised new timetables in "
    "the spring and a review of the night lines, which many speakers said were the only way home for "
    "shift workers at the hospital and the port.",
    "Readers who followed the link to the old timetable in our earlier report got a page not found "
    "error: the authority moved its documents to a new website last month without redirecting the "
    "old addresses. A spokesman said the old links would work again by the end of the week.",
    "The vote was eleven to four. Two members abstained, saying that the contract should have been "
    "put out to tender rather than extended, and that the council had not published the operator's "
    "figures in time for members to read them before the meeting.",
    "The extension takes effect in January. The council will publish the operator's quarterly "
    "figures on its website, and residents can comment on the new timetables until the end of "
    "February at public meetings in each district or by writing to the transport committee.",
    "Local businesses along the routes welcomed the decision. The chamber of commerce said that a "
    "gap in service would have cost shops in the town centre dearly in the weeks before Christmas, "
    "when most of their customers arrive by bus from the outlying estates.",
]
PT_PARAGRAPHS = [
    "Quem clica num link antigo de uma reportagem muitas vezes encontra um erro 404 ou uma página não "
    "encontrada: o endereço mudou, o site foi reformulado ou simplesmente deixou de existir. "
    "Pesquisadores estimam que uma parte considerável dos links citados em artigos de jornal já não "
    "leva ao conteúdo original depois de alguns anos.",
    "O fenômeno tem nome: apodrecimento de links. Ele afeta tanto grandes portais quanto pequenos "
    "blogs, e atinge com mais força as páginas de órgãos públicos, que mudam de endereço a cada nova "
    "gestão. Arquivos como a Wayback Machine guardam cópias de muitas dessas páginas, mas não de todas.",
    "Para as redações, o problema é também de credibilidade. Uma reportagem que cita documentos que o "
    "leitor não consegue mais abrir perde parte da sua força, e a correção depois de anos é difícil, "
    "porque ninguém sabe quais links quebraram até que um leitor reclame.",
    "Algumas redações passaram a arquivar cada link no momento da publicação, guardando uma cópia "
    "própria ou pedindo ao arquivo que capture a página. Outras revisam periodicamente o acervo em "
    "busca de links mortos, um trabalho lento quando feito à mão.",
    "Especialistas recomendam ainda que os sites evitem mudar endereços sem redirecionar os antigos, e "
    "que mantenham páginas de erro honestas, que respondam com o código correto em vez de mostrar a "
    "página inicial a quem procura um conteúdo que já não existe.",
    "A discussão ganhou força depois que vários portais de notícias trocaram de plataforma e perderam, "
    "de uma só vez, milhares de endereços antigos, levando consigo as referências de anos de "
    "reportagens que apontavam para eles.",
]


def article(title: str, h1: str, paragraphs: list[str], *, lang: str = "en", repeat: int = 1) -> str:
    """A news article page: banner, navigation, the story, a sidebar and a footer."""
    body = "\n".join(f"<p>{p}</p>" for _ in range(repeat) for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{h1}"><link rel="stylesheet" href="/assets/site.css"></head>
<body class="single single-post">
<header class="site-header" role="banner"><a class="logo" href="/">The Daily Example</a></header>
<nav class="menu"><ul><li><a href="/news/">News</a></li><li><a href="/sport/">Sport</a></li><li><a href="/opinion/">Opinion</a></li></ul></nav>
<main id="content"><article class="post"><header class="entry-header"><h1 class="entry-title">{h1}</h1>
<p class="byline">By <a href="/author/jane-doe/">Jane Doe</a> · <time datetime="2015-10-21T09:30:00Z">21 October 2015</time></p></header>
<div class="entry-content">{body}</div></article></main>
<aside class="sidebar"><h2>Most read</h2><ol><li><a href="/a">Storm closes the port</a></li><li><a href="/b">Budget vote delayed</a></li></ol></aside>
<footer class="site-footer"><p>© 2015 The Daily Example. All rights reserved.</p></footer>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"event": "pageview"}});</script>
</body></html>"""


# --- Not-found pages, by language -------------------------------------------------------------------

NGINX_404 = """<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx/1.18.0 (Ubuntu)</center>
</body>
</html>"""

APACHE_404 = """<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
<hr>
<address>Apache/2.4.41 (Ubuntu) Server at www.example.com Port 80</address>
</body></html>"""

IIS_404 = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>404 - File or directory not found.</title>
<style type="text/css">body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}</style>
</head><body><div id="header"><h1>Server Error</h1></div>
<div id="content"><div class="content-container"><fieldset>
<h2>404 - File or directory not found.</h2>
<h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3>
</fieldset></div></div></body></html>"""

RAILS_404 = """<!DOCTYPE html>
<html><head><title>The page you were looking for doesn't exist (404)</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>.rails-default-error-page { background-color: #EFEFEF; }</style></head>
<body class="rails-default-error-page"><div class="dialog"><div>
<h1>The page you were looking for doesn't exist.</h1>
<p>You may have mistyped the address or the page may have moved.</p></div>
<p>If you are the application owner check the logs for more information.</p></div></body></html>"""


def wordpress_404(lang: str, title: str, h1: str, text: str, site: str, search: str) -> str:
    """A WordPress Twenty Seventeen 404 page: the site's banner, menu and widgets around the message."""
    return f"""<!DOCTYPE html>
<html lang="{lang}" class="no-js no-svg"><head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} &#8211; {site}</title><meta name='robots' content='noindex, follow' />
<link rel='stylesheet' id='twentyseventeen-style-css' href='https://www.example.com/wp-content/themes/twentyseventeen/style.css?ver=20201208' media='all' />
</head>
<body class="error404 hfeed has-header-image page-two-column colors-light">
<div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip</a>
<header id="masthead" class="site-header" role="banner"><div class="site-branding"><p class="site-title"><a href="/" rel="home">{site}</a></p></div>
<div class="navigation-top"><nav id="site-navigation" class="main-navigation" role="navigation"><ul id="top-menu" class="menu"><li><a href="/">Home</a></li><li><a href="/about/">About</a></li></ul></nav></div></header>
<div class="site-content-contain"><div id="content" class="site-content"><div class="wrap"><div id="primary" class="content-area">
<main id="main" class="site-main" role="main"><section class="error-404 not-found">
<header class="page-header"><h1 class="page-title">{h1}</h1></header>
<div class="page-content"><p>{text}</p>
<form role="search" method="get" class="search-form" action="/"><label for="s"><span class="screen-reader-text">{search}</span></label>
<input type="search" id="s" class="search-field" value="" name="s" /><button type="submit" class="search-submit"><span class="screen-reader-text">{search}</span></button></form>
</div></section></main></div></div></div>
<footer id="colophon" class="site-footer" role="contentinfo"><div class="site-info"><a href="https://wordpress.org/">WordPress</a></div></footer></div>
<script src='https://www.example.com/wp-content/themes/twentyseventeen/assets/js/global.js?ver=20190121' id='twentyseventeen-global-js'></script>
</body></html>"""


def custom_404(lang: str, title: str, h1: str, text: str, extra: str = "") -> str:
    """A news site's own 404 template: banner, menu, the message and a few links to go on with."""
    return f"""<!doctype html><html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"><head><meta charset="utf-8">
<title>{title}</title><meta name="robots" content="noindex"></head>
<body class="page-error"><header class="masthead"><a href="/" class="brand"><img src="/logo.svg" alt="logo"></a>
<nav><a href="/">1</a> <a href="/politics">2</a> <a href="/economy">3</a></nav></header>
<div class="container error-page"><h1>{h1}</h1><p class="lead">{text}</p>{extra}
<a class="button" href="/">&larr;</a></div>
<footer><p>&copy; 2024</p></footer></body></html>"""


TWENTY_ELEVEN_404 = (
    """<!DOCTYPE html><html dir="ltr" lang="en-US"><head><meta charset="UTF-8" />
<title>Page not found | The Daily Example</title><link rel="stylesheet" type="text/css" media="all" href="/wp-content/themes/twentyeleven/style.css" /></head>
<body class="error404 single-author two-column right-sidebar"><div id="page" class="hfeed"><header id="branding" role="banner">
<hgroup><h1 id="site-title"><span><a href="/" rel="home">The Daily Example</a></span></h1><h2 id="site-description">News from the valley</h2></hgroup>
<nav id="access" role="navigation"><div class="menu"><ul><li><a href="/">Home</a></li><li><a href="/about/">About</a></li></ul></div></nav></header>
<div id="main"><div id="primary"><div id="content" role="main"><article id="post-0" class="post error404 not-found">
<header class="entry-header"><h1 class="entry-title">This is somewhat embarrassing, isn&rsquo;t it?</h1></header>
<div class="entry-content"><p>It seems we can&rsquo;t find what you&rsquo;re looking for. Perhaps searching, or one of the links below, can help.</p>
<form method="get" id="searchform" action="/"><label for="s" class="assistive-text">Search</label><input type="text" class="field" name="s" id="s" placeholder="Search" /></form>
<div class="widget widget_recent_entries"><h2 class="widgettitle">Recent Posts</h2><ul>"""
    + "".join(
        f'<li><a href="/2015/10/{day}/story-{day}/">{paragraph[:90]}</a></li>'
        for day, paragraph in enumerate(EN_PARAGRAPHS * 2, 10)
    )
    + """</ul></div><div class="widget"><h2 class="widgettitle">Most Used Categories</h2><ul>
<li><a href="/category/news/">News</a> (1,204)</li><li><a href="/category/sport/">Sport</a> (611)</li><li><a href="/category/opinion/">Opinion</a> (240)</li></ul></div>
<h2 class="widgettitle">Archives</h2><p>Try looking in the monthly archives. &#x1f642;</p><select name="archive-dropdown"><option value="">Select Month</option><option value="/2015/10/">October 2015</option></select>
</div></article></div></div></div><footer id="colophon" role="contentinfo"><div id="site-generator"><a href="https://wordpress.org/">Proudly powered by WordPress</a></div></footer></div></body></html>"""
)


NOT_FOUND_PAGES: list[tuple[str, str, str | None]] = [
    # English: servers' defaults and CMSs' templates.
    ("nginx", NGINX_404, 'title says "404 Not Found" (en)'),
    ("apache", APACHE_404, 'title says "404 Not Found" (en)'),
    ("iis", IIS_404, 'title says "File or directory not found" (en)'),
    ("rails", RAILS_404, 'title says "The page you were looking for doesn\'t exist" (en)'),
    (
        "wordpress-en",
        wordpress_404(
            "en-US",
            "Page not found",
            "Oops! That page can&rsquo;t be found.",
            "It looks like nothing was found at this location. Maybe try a search?",
            "The Daily Example",
            "Search for:",
        ),
        'title says "Page not found" (en)',
    ),
    (
        "x-twitter",
        '<html dir="ltr" lang="en"><head><title>X</title></head><body><div id="react-root"><main role="main">'
        "<span>Hmm...this page doesn’t exist. Try searching for something else.</span>"
        '<a href="/explore">Search</a></main></div></body></html>',
        'page says "this page doesn’t exist" (en)',
    ),
    # Portuguese
    (
        "wordpress-pt",
        wordpress_404(
            "pt-BR",
            "Página não encontrada",
            "Ops! Essa página não pode ser encontrada.",
            "Parece que nada foi encontrado neste local. Talvez tentar uma pesquisa?",
            "Blog do Fulano",
            "Pesquisar por:",
        ),
        'title says "Página não encontrada" (pt)',
    ),
    (
        "news-pt-br",
        custom_404(
            "pt-BR",
            "Erro 404 | Jornal do Vale",
            "Página não encontrada",
            "A página que você procura não existe ou foi removida. Confira as últimas notícias:",
            '<ul><li><a href="/x">Chuva forte atinge o litoral</a></li><li><a href="/y">Câmara aprova orçamento</a></li></ul>',
        ),
        'heading says "Página não encontrada" (pt)',
    ),
    (
        "city-pt-pt",
        custom_404(
            "pt-PT",
            "Página não encontrada - Câmara Municipal de Exemplo",
            "Lamentamos",
            "Lamentamos, mas a página que procura não existe. Utilize a pesquisa ou volte à página inicial.",
        ),
        'title says "Página não encontrada" (pt)',
    ),
    # Spanish
    (
        "drupal-es",
        """<!DOCTYPE html><html lang="es" dir="ltr"><head><meta charset="utf-8" /><meta name="Generator" content="Drupal 9 (https://www.drupal.org)" />
<title>Página no encontrada | Ayuntamiento de Ejemplo</title></head>
<body class="path-system"><a href="#main-content" class="visually-hidden focusable skip-link">Pasar al contenido principal</a>
<div class="dialog-off-canvas-main-canvas"><header role="banner"><div class="site-name"><a href="/" rel="home">Ayuntamiento de Ejemplo</a></div></header>
<main role="main"><a id="main-content" tabindex="-1"></a><div class="layout-content">
<div id="block-pagetitle"><h1 class="page-title">Página no encontrada</h1></div>
<div id="block-mainpagecontent">No se ha encontrado la página solicitada.</div></div></main>
<footer role="contentinfo"><div>Plaza Mayor 1</div></footer></div></body></html>""",
        'title says "Página no encontrada" (es)',
    ),
    (
        "news-es-419",
        custom_404(
            "es-MX",
            "Diario Ejemplo",
            "Error 404",
            "Lo sentimos, la página que buscas no existe o fue movida. Te invitamos a visitar nuestra portada.",
        ),
        'page says "la página que buscas no existe" (es)',
    ),
    (
        "wordpress-es",
        wordpress_404(
            "es-ES",
            "Página no encontrada",
            "Página no encontrada",
            "La página que buscabas no se pudo encontrar. Puede que haya sido eliminada, renombrada o que no haya existido nunca.",
            "El blog de Ana",
            "Buscar:",
        ),
        'title says "Página no encontrada" (es)',
    ),
    # French
    (
        "wordpress-fr",
        wordpress_404(
            "fr-FR",
            "Page non trouvée",
            "Oups&nbsp;! Cette page est introuvable.",
            "Il semble que rien n’ait été trouvé à cet emplacement. Essayez peut-être une recherche&nbsp;?",
            "Le blog de Marie",
            "Rechercher&nbsp;:",
        ),
        'title says "Page non trouvée" (fr)',
    ),
    (
        "news-fr",
        custom_404(
            "fr",
            "Erreur 404 : page introuvable - Le Quotidien",
            "Page introuvable",
            "La page que vous recherchez n'existe pas ou a été déplacée.",
        ),
        'title says "page introuvable" (fr)',
    ),
    # German
    (
        "wordpress-de",
        wordpress_404(
            "de-DE",
            "Seite nicht gefunden",
            "Hoppla! Diese Seite kann nicht gefunden werden.",
            "Es sieht so aus, als wäre an dieser Stelle nichts gefunden worden. Probiere es mit einer Suche?",
            "Mein Blog",
            "Suche nach:",
        ),
        'title says "Seite nicht gefunden" (de)',
    ),
    (
        "city-de",
        custom_404(
            "de",
            "Fehler 404 | Stadt Beispielstadt",
            "Die angeforderte Seite existiert nicht",
            "Die von Ihnen aufgerufene Seite wurde leider nicht gefunden. Vielleicht hilft Ihnen unsere Suche weiter.",
        ),
        'heading says "Die angeforderte Seite existiert nicht" (de)',
    ),
    # Russian
    (
        "bitrix",
        """<!DOCTYPE html><html lang="ru"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<title>404 Not Found</title><link href="/bitrix/templates/main/styles.css?16000" type="text/css" rel="stylesheet" />
<script type="text/javascript">if(!window.BX)window.BX={};if(!window.BX.message)window.BX.message=function(mess){};</script></head>
<body><div id="panel"></div><div class="header"><a href="/">Компания «Пример»</a></div>
<div class="workarea"><h1>Страница не найдена</h1>
<p>К сожалению, запрашиваемая страница не найдена. Возможно, она была удалена или вы ошиблись при наборе адреса.</p>
<p>Перейдите на <a href="/">главную страницу</a> или воспользуйтесь <a href="/search/">поиском</a>.</p></div>
<div class="footer">© 2024 Компания «Пример»</div></body></html>""",
        'title says "404 Not Found" (en)',
    ),
    (
        "wordpress-ru",
        wordpress_404(
            "ru-RU",
            "Страница не найдена",
            "Упс! Страница не найдена.",
            "Похоже, здесь ничего не найдено. Попробуйте воспользоваться поиском.",
            "Мой блог",
            "Поиск:",
        ),
        'title says "Страница не найдена" (ru)',
    ),
    (
        "news-ru",
        custom_404(
            "ru",
            "Ошибка 404 — Новости Примера",
            "ТАКОЙ СТРАНИЦЫ НЕ СУЩЕСТВУЕТ",
            "Запрашиваемая страница не существует. Возможно, она была перемещена.",
        ),
        'heading says "ТАКОЙ СТРАНИЦЫ НЕ СУЩЕСТВУЕТ" (ru)',
    ),
    # Arabic
    (
        "news-ar",
        custom_404(
            "ar",
            "الصفحة غير موجودة - موقع الأخبار",
            "عذراً، الصفحة غير موجودة",
            "الصفحة التي تبحث عنها غير موجودة أو تم نقلها. يمكنك العودة إلى الصفحة الرئيسية.",
        ),
        'title says "الصفحة غير موجودة" (ar)',
    ),
    (
        "wordpress-ar",
        wordpress_404(
            "ar",
            "لم يتم العثور على الصفحة",
            "عذرًا! لا يمكن العثور على تلك الصفحة.",
            "يبدو أنه لم يتم العثور على أي شيء في هذا المكان. ربما تحاول البحث؟",
            "مدونتي",
            "البحث عن:",
        ),
        'title says "لم يتم العثور على الصفحة" (ar)',
    ),
    # Japanese
    (
        "corporate-ja",
        custom_404(
            "ja",
            "ページが見つかりません｜株式会社サンプル",
            "404 Not Found",
            "申し訳ございません。お探しのページは見つかりませんでした。URLが変更されたか、ページが削除された可能性があります。",
        ),
        'title says "ページが見つかりません" (ja)',
    ),
    (
        "news-ja",
        custom_404(
            "ja",
            "サンプルニュース",
            "お探しのページは見つかりませんでした",
            "申し訳ございません。お探しのページは削除されたか、URLが変更された可能性があります。",
        ),
        'heading says "お探しのページは見つかりませんでした" (ja)',
    ),
    (
        "wordpress-ja",
        wordpress_404(
            "ja",
            "ページが見つかりませんでした",
            "おっと！そのページが見つからないようです。",
            "この場所では何も見つかりませんでした。検索をお試しください。",
            "サンプルブログ",
            "検索:",
        ),
        'title says "ページが見つかりませんでした" (ja)',
    ),
    # Further languages
    (
        "wordpress-it",
        wordpress_404(
            "it-IT",
            "Pagina non trovata",
            "Oops! Impossibile trovare la pagina.",
            "Non è stato trovato nulla in questa posizione.",
            "Il Blog",
            "Cerca:",
        ),
        'title says "Pagina non trovata" (it)',
    ),
    (
        "news-nl",
        custom_404(
            "nl",
            "Pagina niet gevonden - Voorbeeldkrant",
            "Oeps!",
            "De pagina die je zoekt bestaat niet (meer).",
        ),
        'title says "Pagina niet gevonden" (nl)',
    ),
    (
        "wordpress-pl",
        wordpress_404(
            "pl-PL",
            "Nie znaleziono strony",
            "Ups! Nie można znaleźć tej strony.",
            "Wygląda na to, że nic nie zostało tu znalezione.",
            "Blog",
            "Szukaj:",
        ),
        'title says "Nie znaleziono strony" (pl)',
    ),
    (
        "news-tr",
        custom_404(
            "tr",
            "Haber Örnek",
            "SAYFA BULUNAMADI",
            "Aradığınız sayfa bulunamadı. Ana sayfaya dönebilirsiniz.",
        ),
        'heading says "SAYFA BULUNAMADI" (tr)',
    ),
    (
        "news-zh",
        custom_404(
            "zh-CN", "页面不存在 - 示例网", "抱歉，您访问的页面不存在", "请检查网址是否正确，或返回首页。"
        ),
        'title says "页面不存在" (zh)',
    ),
    (
        "news-ko",
        custom_404(
            "ko",
            "페이지를 찾을 수 없습니다 | 예시뉴스",
            "요청하신 페이지를 찾을 수 없습니다",
            "주소가 올바른지 확인해 주세요.",
        ),
        'title says "페이지를 찾을 수 없습니다" (ko)',
    ),
    # Longer pages need more places to agree (SCORE_NEEDED).
    (
        "wordpress-twenty-eleven-widgets",
        TWENTY_ELEVEN_404,
        'title says "Page not found" (en)',
    ),
    (
        "news-404-listing-stories",
        custom_404(
            "en",
            "Page not found | The Daily Example",
            "Page not found",
            "Sorry, we couldn't find that page. Here is what our readers are reading today:",
            "<ul>"
            + "".join(
                f"<li><a href='/s/{i}'>{p[:120]}</a><p>{p}</p></li>" for i, p in enumerate(EN_PARAGRAPHS * 3)
            )
            + "</ul>",
        ),
        'title says "Page not found" (en)',
    ),
    (
        "medium-page-says-it-only-in-its-text",
        custom_404(
            "en",
            "The Daily Example",
            "Latest stories",
            "The page you requested could not be found. Here is what our readers are reading today:",
            "".join(f"<p>{p}</p>" for p in EN_PARAGRAPHS[:4]),
        ),
        None,
    ),
    # Markers, whatever the language.
    (
        "wordpress-vi-marker",
        wordpress_404("vi", "Không tìm thấy trang", "Rất tiếc!", "Không có gì ở đây.", "Blog", "Tìm kiếm:"),
        'markup has "<body class=\'error404" (wordpress)',
    ),
    (
        "spa-prerender",
        '<!doctype html><html><head><title>App</title><meta name="prerender-status-code" content="404"></head>'
        '<body><div id="app"></div><script src="/static/js/main.3f2a.js"></script></body></html>',
        "markup has \"<meta name='prerender-status-code' content='404\" (prerender)",
    ),
    # Pages that are not soft 404s.
    (
        "article-mentions-not-found",
        article(
            "Council extends bus contract | The Daily Example", "Council extends bus contract", EN_PARAGRAPHS
        ),
        None,
    ),
    (
        "article-lead-mentions-404",
        article(
            "Links quebrados: por que a internet esquece | Jornal do Vale",
            "Links quebrados: por que a internet esquece",
            PT_PARAGRAPHS,
            lang="pt-BR",
            repeat=2,
        ),
        None,
    ),
    (
        "film-called-error-404",
        article(
            "Error 404: the film | Cinema Weekly",
            "Error 404: the film",
            [
                "Error 404 is a 2023 thriller about a programmer who finds her own obituary online.",
                *EN_PARAGRAPHS,
            ],
        ),
        None,
    ),
    (
        "headline-starts-with-page-not-found",
        article(
            "Page not found: why the web forgets | The Daily Example",
            "Page not found: why the web forgets",
            [
                "Page not found. Those three words greet readers of old stories more often every year.",
                *EN_PARAGRAPHS,
            ],
        ),
        None,
    ),
    (
        "site-named-404",
        article(
            "Inside the data broker industry | 404 Media", "Inside the data broker industry", EN_PARAGRAPHS
        ),
        None,
    ),
    (
        "short-brief-mentions-not-found",
        article(
            "Missing boat search called off",
            "Missing boat search called off",
            [
                "The coastguard called off the search on Sunday. The boat was not found after three days, "
                "and its two crew members are still missing, a spokesman said."
            ],
        ),
        None,
    ),
    (
        "russian-headline-quotes-the-phrase",
        article(
            "«Страница не найдена»: почему из интернета исчезают ссылки — Новости Примера",
            "«Страница не найдена»: почему из интернета исчезают ссылки",
            ["Исследователи подсчитали, сколько ссылок в новостях перестали работать за десять лет. " * 3]
            * 8,
            lang="ru",
        ),
        None,
    ),
]


@pytest.mark.parametrize(
    ("html", "expected"), [row[1:] for row in NOT_FOUND_PAGES], ids=[r[0] for r in NOT_FOUND_PAGES]
)
def test_not_found_evidence(html: str, expected: str | None) -> None:
    assert not_found_evidence(facts(html)) == expected


def test_every_required_language_has_two_not_found_pages() -> None:
    langs = [
        expected.rsplit("(", 1)[1].rstrip(")")
        for _, _, expected in NOT_FOUND_PAGES
        if expected and "says" in expected
    ]
    for lang in ("en", "pt", "es", "fr", "de", "ru", "ar", "ja"):
        assert langs.count(lang) >= 2, lang


def test_not_found_pages_are_not_parked_or_walls() -> None:
    for name, html, _ in NOT_FOUND_PAGES:
        page = facts(html)
        assert parked_evidence(page) is None, name
        assert bot_wall_evidence(page) is None, name


# --- Page facts ---------------------------------------------------------------------------------


def test_page_facts_reads_title_headings_and_main_text() -> None:
    page = facts(NOT_FOUND_PAGES[4][1])  # WordPress, English
    assert page.title == "Page not found – The Daily Example"
    # The banner's site name is a <p>, the menu and footer are furniture: only the message is left.
    assert page.headings == ("Oops! That page can’t be found.",)
    assert page.text_start.startswith("Oops! That page can’t be found. It looks like nothing was found")
    assert "Home" not in page.text_start and "WordPress" not in page.text_start
    assert page.text_length == len(page.text_start) < 200
    assert page.body_sample.startswith("<!DOCTYPE html>")


def test_page_facts_skips_scripts_hidden_text_and_furniture() -> None:
    html = """<html><head><title> A \n  title </title><script>var t = "<h1>no</h1>";</script></head><body>
    <nav><h1>Menu</h1></nav><aside><h2>Widgets</h2></aside><div hidden>secret</div>
    <div style="display: none">also secret</div><div aria-hidden="true">icon</div>
    <h2>Real <b>heading</b></h2><p>Some<b>bold</b>text<br>and a line</p><svg><title>icon</title></svg>
    <footer><h2>Footer</h2></footer></body></html>"""
    page = facts(html, headers={"Content-Type": "text/html", "CF-Mitigated": "challenge"})
    assert page.title == "A title"
    assert page.headings == ("Real heading",)
    assert page.text_start == "Real heading Someboldtext and a line"
    assert page.headers == {"content-type": "text/html", "cf-mitigated": "challenge"}


def test_page_facts_caps_what_it_keeps() -> None:
    html = "<html><body><main><h2>Section</h2><p>" + "word " * 15_000 + "</p></main></body></html>"
    page = facts(html)
    assert len(page.text_start) == 2_000
    assert page.text_length > 20_000
    assert len(page.body_sample) == 65_536


@pytest.mark.parametrize(
    "html", ["", "   ", "<", "\x00\x01", "<html><head></head></html>", "just text", "<?xml?>"]
)
def test_page_facts_of_empty_or_junk_pages(html: str) -> None:
    page = facts(html)
    assert page.title is None or isinstance(page.title, str)
    assert not_found_evidence(page) is None
    assert parked_evidence(page) is None
    assert bot_wall_evidence(page) is None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=3000))
@example("<html><body>" + "<div>" * 400 + "deep" + "</div>" * 400 + "</body></html>")
@example("<title>\ud800</title><h1>\udfff</h1>")
@example("<svg><title>x</title></svg><h1><h2>nested</h1></h2>")
def test_page_facts_never_raises(html: str) -> None:
    page = page_facts("https://example.com/a", "https://example.com/a", 200, {"X": "y"}, html)
    assert isinstance(page.text_start, str) and page.text_length >= len(page.text_start)
    not_found_evidence(page)
    parked_evidence(page)
    bot_wall_evidence(page)


TAGS = st.sampled_from(
    [
        "<h1>",
        "</h1>",
        "<title>",
        "</title>",
        "<main>",
        "</main>",
        "<nav>",
        "<p>",
        "<script>",
        "<!--",
        "-->",
        "&amp;",
        "&#0;",
        "<br>",
        "<svg>",
    ]
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(TAGS, st.text(max_size=20)), max_size=60))
def test_page_facts_never_raises_on_tag_soup(pieces: list[str]) -> None:
    page = page_facts("u", "u", None, {}, "".join(pieces))
    not_found_evidence(page)
    parked_evidence(page)
    bot_wall_evidence(page)


# --- Parked domains -----------------------------------------------------------------------------

SEDO_LANDER = """<!DOCTYPE html><html lang="en" data-adblockkey="MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANDrp2lz7AOmADaN8tA50LsWcjLFyQFcb/P2Txc58oYOeILb3vBw7J6f4pamkAQVSQuqYsKx3YzdUHCvbVZvFUsCAwEAAQ==_Lw3eH7n0Pi+qcD3ZsbAPm/b2p3Wv7g5D1vYhdEdsG8b+7fFhiAzi4WPFQaiLtDzjhOJR0H4RUDLc+Cd3WmnqTg==">
<head><meta charset="utf-8"><title>example-shop.com</title><meta name="viewport" content="width=device-width, initial-scale=1">
<script type="text/javascript" src="https://sedoparking.com/frmpark/example-shop.com/IONOSParkingDE/park.js"></script></head>
<body><noscript><iframe src="https://sedoparking.com/frmpark/example-shop.com/IONOSParkingDE/park.html"></iframe></noscript></body></html>"""

BODIS_LANDER = """<!DOCTYPE html><html><head><meta charset="utf-8"><title></title>
<script>window.onload=function(){window.location.href="/lander"}</script></head><body></body></html>"""

GODADDY_LANDER = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>example-shop.com</title><script defer="defer" src="https://img1.wsimg.com/parking-lander/static/js/main.7e1c0d1e.js"></script>
<link href="https://img1.wsimg.com/parking-lander/static/css/main.9b1c3a5e.css" rel="stylesheet"></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>"""

CAF_LANDER = """<html><head><title>example-shop.com</title><script type="text/javascript" src="//www.google.com/adsense/domains/caf.js"></script></head>
<body><div id="relatedsearches1"></div><div id="ads"></div><p>Related searches</p></body></html>"""


def for_sale(lang: str, title: str, h1: str, text: str) -> str:
    """A marketplace lander: the name, a price box, a buy button; little else."""
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/static/lander.css"></head><body><div class="lander">
<h1 class="domain-name">{h1}</h1><p class="subtitle">{text}</p>
<div class="price-box"><span class="price">2.499 €</span><a class="btn btn-primary" href="/buy">→</a></div>
</div><footer><a href="/privacy">Privacy</a></footer></body></html>"""


PARKED_PAGES: list[tuple[str, PageFacts, str | None]] = [
    (
        "sedo",
        facts(SEDO_LANDER),
        "page loads https://sedoparking.com/frmpark/example-shop.com/IONOSParkingDE/park.js (sedo)",
    ),
    (
        "bodis-js",
        facts(BODIS_LANDER),
        "markup has \"<script>window.onload=function(){window.location.href='/lander'\" (bodis)",
    ),
    ("godaddy", facts(GODADDY_LANDER), 'markup has "wsimg.com/parking-lander/" (godaddy)'),
    ("adsense-for-domains", facts(CAF_LANDER), 'markup has "/adsense/domains/caf.js" (adsense-for-domains)'),
    (
        "dan-redirect",
        facts(
            "<html><title>example-shop.com is for sale</title></html>",
            url="https://example-shop.com/products/1",
            final_url="https://dan.com/buy-domain/example-shop.com?redirected=true",
        ),
        "ended on dan.com/buy-domain/example-shop.com?redirected=true (dan)",
    ),
    (
        "hugedomains-redirect",
        facts(
            "",
            url="http://example-shop.com/blog/post",
            final_url="https://www.hugedomains.com/domain_profile.cfm?d=example-shop.com",
        ),
        "ended on www.hugedomains.com/domain_profile.cfm?d=example-shop.com (hugedomains)",
    ),
    (
        "godaddy-forsale-redirect",
        facts(
            "",
            url="http://example-shop.com/",
            final_url="https://www.godaddy.com/forsale/example-shop.com?utm_source=TDFS",
        ),
        "ended on www.godaddy.com/forsale/example-shop.com?utm_source=TDFS (godaddy)",
    ),
    (
        "adblock-key-header",
        facts("<html><body></body></html>", headers={"X-Adblock-Key": "MFwwDQYJKo_abc"}),
        'header "x-adblock-key: MFwwDQYJKo_abc" (parking)',
    ),
    (
        "en-may-be-for-sale",
        facts(for_sale("en", "example-shop.com", "example-shop.com", "This domain may be for sale!")),
        'page says "This domain may be for sale" (en, godaddy)',
    ),
    (
        "en-domain-is-for-sale",
        facts(for_sale("en", "example-shop.com is for sale", "Make an offer", "Buy now")),
        'title says "example-shop.com is for sale" (en, generic)',
    ),
    (
        "de",
        facts(
            for_sale(
                "de",
                "beispiel-laden.de",
                "Diese Domain kaufen",
                "Der Eigentümer bietet diese Domain zum Verkauf an.",
            )
        ),
        'heading says "Diese Domain kaufen" (de, sedo)',
    ),
    (
        "de-steht-zum-verkauf",
        facts(
            for_sale(
                "de",
                "beispiel-laden.de",
                "beispiel-laden.de",
                "Die Domain beispiel-laden.de steht zum Verkauf.",
            )
        ),
        'page says "beispiel-laden.de steht zum Verkauf" (de, generic)',
    ),
    (
        "fr",
        facts(
            for_sale(
                "fr", "exemple-boutique.fr", "Ce domaine est à vendre", "Contactez-nous pour faire une offre."
            )
        ),
        'heading says "Ce domaine est à vendre" (fr, generic)',
    ),
    (
        "es",
        facts(
            for_sale("es", "ejemplo-tienda.es", "Este dominio está a la venta", "Haga una oferta hoy mismo.")
        ),
        'heading says "Este dominio está a la venta" (es, generic)',
    ),
    (
        "pt",
        facts(for_sale("pt-BR", "exemplo-loja.com.br", "Este domínio está à venda", "Faça uma oferta.")),
        'heading says "Este domínio está à venda" (pt, generic)',
    ),
    (
        "ru",
        facts(for_sale("ru", "primer-magazin.ru", "Этот домен продаётся", "Свяжитесь с владельцем.")),
        'heading says "Этот домен продаётся" (ru, generic)',
    ),
    (
        "ru-yo-spelled-e",
        facts(for_sale("ru", "primer-magazin.ru", "primer-magazin.ru", "Домен primer-magazin.ru продается")),
        'page says "primer-magazin.ru продается" (ru, generic)',
    ),
    (
        "ja-onamae",
        facts(
            for_sale("ja", "sample-shop.jp", "sample-shop.jp", "このドメインはお名前.comで取得されています。")
        ),
        'page says "このドメインはお名前.comで取得されています" (ja, onamae)',
    ),
    # Not parked.
    (
        "article-about-a-domain-sale",
        facts(
            article(
                "Domain voice.com sold for $30 million | The Daily Example",
                "Domain voice.com sold for $30 million",
                [
                    'For years the landing page said "this domain is for sale". The buyer, who paid through a '
                    'broker at <a href="https://sedo.com/">Sedo</a>, said the name was worth it.',
                    *EN_PARAGRAPHS,
                ],
            )
        ),
        None,
    ),
    (
        "link-to-sedo-itself",
        facts("<title>Sedo</title>", url="https://sedo.com/us/", final_url="https://sedo.com/us/"),
        None,
    ),
    (
        "godaddy-shop-redirect",
        facts("", url="https://bit.ly/3abcd", final_url="https://www.godaddy.com/hosting"),
        None,
    ),
    ("news-404", facts(NGINX_404), None),
]


@pytest.mark.parametrize(
    ("page", "expected"), [row[1:] for row in PARKED_PAGES], ids=[r[0] for r in PARKED_PAGES]
)
def test_parked_evidence(page: PageFacts, expected: str | None) -> None:
    assert parked_evidence(page) == expected


# --- Bot walls ----------------------------------------------------------------------------------

CLOUDFLARE_CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=Edge">
<meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1">
<link href="/cdn-cgi/styles/challenges.css" rel="stylesheet"></head>
<body class="no-js"><div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">www.example.com</h1><h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>
<noscript><div id="challenge-error-title"><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></div></noscript>
<div id="trk_jschal_js" style="display:none;background-image:url('/cdn-cgi/images/trace/managed/nojs/transparent.gif?ray=7f1a2b3c4d5e6f70')"></div>
<div id="challenge-body-text" class="core-msg spacer">www.example.com needs to review the security of your connection before proceeding.</div>
<form id="challenge-form" action="/2015/10/21/story-slug?__cf_chl_f_tk=Qm9n.ZkL1" method="POST" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="md" value="x1y2z3"></form></div></div>
<script>(function(){window._cf_chl_opt={cvId: '2',cZone: "www.example.com",cType: 'managed',cNounce: '37158',cRay: '7f1a2b3c4d5e6f70',cHash: 'a1b2c3d4e5f6a7b',cFPWv: 'b'};
var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/managed/v1?ray=7f1a2b3c4d5e6f70';
window._cf_chl_opt.cOgUHash = location.hash === '' && location.href.indexOf('#') !== -1 ? '#' : location.hash;
document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>"""

INCAPSULA_BLOCK = """<html style="height:100%"><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW"><meta name="format-detection" content="telephone=no">
<meta name="viewport" content="initial-scale=1.0"><meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1"></head>
<body style="margin:0px;height:100%"><iframe id="main-iframe" src="/_Incapsula_Resource?CWUDNSAI=24&xinfo=6-12345678-0%200NNN%20RT%281700000000000%2055%29&incident_id=1234000560012345678-123456789012345678&edet=12&cinfo=04000000&rpinfo=0&mth=GET" frameborder=0 width="100%" height="100%" marginheight="0px" marginwidth="0px">Request unsuccessful. Incapsula incident ID: 1234000560012345678-123456789012345678</iframe></body></html>"""

DATADOME_BLOCK = """<html lang="en"><head><title>example.com</title><style>#cmsg{animation: A 1.5s;}@keyframes A{0%{opacity:0;}99%{opacity:0;}100%{opacity:1;}}</style></head>
<body style="margin:0"><p id="cmsg">Please enable JS and disable any ad blocker</p>
<script data-cfasync="false">var dd={'rt':'c','cid':'AHrlqAAAAAMAsB0jkXrMsMAsMABcGQ==','hsh':'2211F522B61E269B869FA6EAFFB5E1','t':'fe','s':44705,'e':'5e5d4b09','host':'geo.captcha-delivery.com','cookie':'abc'}</script>
<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script></body></html>"""

PERIMETERX_BLOCK = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Access to this page has been denied</title>
<script>window._pxAppId = 'PXabc123';window._pxJsClientSrc = '/abc123/init.js';window._pxHostUrl = '/abc123/xhr';</script></head>
<body><section class="container"><div class="page-title-wrapper"><div class="page-title"><h1>Access to this page has been denied</h1></div></div>
<div class="content-wrapper"><p>Press &amp; Hold to confirm you are a human (and not a bot).</p><div id="px-captcha"></div></div></section>
<script src="/abc123/captcha/captcha.js?a=c&u=fee5d1c0&v=&m=0"></script></body></html>"""

AKAMAI_DENIED = """<HTML><HEAD>
<TITLE>Access Denied</TITLE>
</HEAD><BODY>
<H1>Access Denied</H1>

You don't have permission to access "http&#58;&#47;&#47;www&#46;example&#46;com&#47;2015&#47;10&#47;21&#47;story&#45;slug" on this server.<P>
Reference&#32;&#35;18&#46;4f2e1b17&#46;1700000000&#46;2a3b4c5d
<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;4f2e1b17&#46;1700000000&#46;2a3b4c5d</P>
</BODY>
</HTML>"""

RECAPTCHA_PAGE = """<html><head><title>Security check</title><script src="https://www.google.com/recaptcha/api.js" async defer></script></head>
<body><main><h1>One more step</h1><p>Please verify you are human to continue.</p>
<form method="post"><div class="g-recaptcha" data-sitekey="6LdAbc"></div><button>Continue</button></form></main></body></html>"""

YANDEX_CAPTCHA = """<!DOCTYPE html><html lang="ru"><head><title>Вы не робот?</title></head><body><div class="CheckboxCaptcha">
<h1>Подтвердите, что запросы отправляли вы, а не робот</h1><p>Нам очень жаль, но запросы с вашего устройства похожи на автоматические.</p></div></body></html>"""

CLOUDFLARE_SERVED_ARTICLE = article(
    "Council extends bus contract | The Daily Example", "Council extends bus contract", EN_PARAGRAPHS
).replace(
    "</body>",
    "<script>(function(){function c(){var b=a.contentDocument||a.contentWindow.document;if(b){var d=b.createElement('script');"
    "d.innerHTML=\"window.__CF$cv$params={r:'7f1a2b3c4d5e6f70',t:'MTcwMDAwMDAwMC4wMDAwMDA='};var a=document.createElement('script');"
    "a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';document.getElementsByTagName('head')[0].appendChild(a);\";"
    "b.getElementsByTagName('head')[0].appendChild(d)}}}());</script></body>",
)

BOT_WALL_PAGES: list[tuple[str, PageFacts, str | None]] = [
    (
        "cloudflare-header",
        facts(CLOUDFLARE_CHALLENGE, headers={"cf-mitigated": "challenge", "server": "cloudflare"}),
        'header "cf-mitigated: challenge" (cloudflare)',
    ),
    ("cloudflare-markup", facts(CLOUDFLARE_CHALLENGE), 'markup has "__cf_chl_" (cloudflare)'),
    (
        "incapsula",
        facts(INCAPSULA_BLOCK, headers={"x-iinfo": "6-12345678-0 0NNN RT(1700000000000 55)"}),
        'markup has "Incapsula incident ID" (imperva)',
    ),
    (
        "datadome",
        facts(DATADOME_BLOCK, headers={"x-datadome": "protected"}),
        'markup has "captcha-delivery.com" (datadome)',
    ),
    ("perimeterx", facts(PERIMETERX_BLOCK), 'markup has "px-captcha" (perimeterx)'),
    (
        "akamai",
        facts(AKAMAI_DENIED, headers={"server": "AkamaiGHost"}),
        'markup has "Reference&#32;&#35;18&#46;" (akamai)',
    ),
    (
        "aws-waf",
        facts(
            "<html><body><div id='captcha-container'></div></body></html>",
            headers={"x-amzn-waf-action": "captcha"},
        ),
        'header "x-amzn-waf-action: captcha" (aws-waf)',
    ),
    (
        "google-sorry",
        facts(
            "",
            url="https://www.google.com/search?q=x",
            final_url="https://www.google.com/sorry/index?continue=x",
        ),
        "ended on www.google.com/sorry/index?continue=x (google)",
    ),
    ("generic-recaptcha", facts(RECAPTCHA_PAGE), 'page says "verify you are human" (en, generic)'),
    (
        "recaptcha-widget-only",
        facts(RECAPTCHA_PAGE.replace("Please verify you are human to continue.", "")),
        'markup has "class=\'g-recaptcha" (generic)',
    ),
    (
        "yandex",
        facts(YANDEX_CAPTCHA),
        'heading says "Подтвердите, что запросы отправляли вы, а не робот" (ru, yandex)',
    ),
    (
        "cloudflare-title-only",
        facts("<html><head><title>Just a moment...</title></head><body><p>Loading</p></body></html>"),
        'title says "Just a moment..." (en, cloudflare)',
    ),
    # Not walls.
    (
        "cloudflare-served-article",
        facts(CLOUDFLARE_SERVED_ARTICLE, headers={"server": "cloudflare", "cf-ray": "7f1a2b3c4d5e6f70-LIS"}),
        None,
    ),
    (
        "incapsula-served-article",
        facts(
            article("Council extends bus contract", "Council extends bus contract", EN_PARAGRAPHS).replace(
                "</head>",
                '<script src="/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3"></script></head>',
            ),
            headers={"x-iinfo": "10-2345-0 NNNN CT(0 0 0) RT(1700000000000 0)", "x-cdn": "Imperva"},
        ),
        None,
    ),
    (
        "article-with-comment-captcha",
        facts(
            article(
                "Why sites say 'Just a moment...' | The Daily Example",
                "Why sites say 'Just a moment...'",
                ["Access denied, then a CAPTCHA: verify you are human, the page says.", *EN_PARAGRAPHS],
            ).replace(
                "</main>",
                '</main><form class="comments"><div class="g-recaptcha" data-sitekey="6LdAbc"></div></form>',
            )
        ),
        None,
    ),
    ("not-found-page", facts(APACHE_404), None),
]


@pytest.mark.parametrize(
    ("page", "expected"), [row[1:] for row in BOT_WALL_PAGES], ids=[r[0] for r in BOT_WALL_PAGES]
)
def test_bot_wall_evidence(page: PageFacts, expected: str | None) -> None:
    assert bot_wall_evidence(page) == expected


# --- Redirects to the home page and to login pages ------------------------------------------------------------

HOME_CASES: list[tuple[str, str, str | None]] = [
    (URL, "https://www.example.com/", "deep link ended on the home page: www.example.com/"),
    (URL, "https://example.com", "deep link ended on the home page: example.com"),
    (
        "http://example.com/news/12345.html",
        "https://www.example.com/index.php",
        "deep link ended on the home page: www.example.com/index.php",
    ),
    (URL, "https://www.example.com/en/", "deep link ended on a language home page: www.example.com/en/"),
    (
        "https://example.com.br/noticias/x",
        "https://example.com.br/pt-br",
        "deep link ended on a language home page: example.com.br/pt-br",
    ),
    ("https://example.com/?p=123", "https://example.com/", "deep link ended on the home page: example.com/"),
    (
        "https://blog.example.com/post/1",
        "https://example.com/",
        "deep link ended on the home page: example.com/",
    ),
    (URL, "https://www.example.com/?404", "deep link ended on the home page: www.example.com/?404"),
    (
        URL,
        "https://www.example.com/?utm_source=redirect&lang=en",
        "deep link ended on the home page: www.example.com/?utm_source=redirect&lang=en",
    ),
    # Not a deep link ending on its home.
    ("https://example.com/?utm_source=twitter", "https://example.com/", None),
    ("https://example.com/en/", "https://example.com/", None),
    ("https://example.com", "https://www.example.com/", None),
    (URL, "https://other.example.org/", None),
    (URL, "https://www.example.com/2015/10/21/story-slug-2", None),
    (URL, "https://www.example.com/?s=story+slug", None),
    (URL, "https://www.example.com/news/", None),
    ("not a url", "https://example.com/", None),
    ("http://[::1", "https://example.com/", None),
]


@pytest.mark.parametrize(("url", "final_url", "expected"), HOME_CASES)
def test_redirected_home(url: str, final_url: str, expected: str | None) -> None:
    assert redirected_home(url, final_url) == expected


LOGIN_CASES: list[tuple[str, str | None]] = [
    ("https://www.example.com/login?next=/2015/10/21/story-slug", "login"),
    ("https://example.com/account/login", "login"),
    ("https://example.com/user/login?destination=/node/12", "login"),
    ("https://example.com/accounts/login/?next=/x", "login"),
    ("https://example.com/signin", "sign-in"),
    ("https://example.com/sign-in/", "sign-in"),
    ("https://gitlab.example.com/users/sign_in", "sign-in"),
    ("https://example.com/auth/?backurl=%2Fnews%2F", "auth"),
    ("https://example.com/wp-login.php?redirect_to=https%3A%2F%2Fexample.com%2Fx&reauth=1", "wp-login"),
    ("https://example.com/Account/Logon.aspx", "logon"),
    ("https://example.com/portal?ReturnUrl=%2Fnews%2F12345", "return-url"),
    ("https://accounts.google.com/ServiceLogin?continue=https://docs.google.com/x", "google"),
    ("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x", "microsoft"),
    ("https://www.linkedin.com/authwall?trk=gf&sessionRedirect=x", "linkedin-authwall"),
    ("https://www.example.de/anmelden?ziel=/artikel", "anmelden"),
    ("https://www.exemple.fr/connexion", "connexion"),
    ("https://www.ejemplo.es/iniciar-sesion", "iniciar-sesion"),
    ("https://www.exemplo.com.br/entrar?url=/noticia", "entrar"),
    ("https://www.example.jp/%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3", "ja-login"),
    # Not a login page, or a paywall that is not counted.
    ("https://example.com/subscribe?next=/2015/10/21/story-slug", None),
    ("https://example.com/subscribe?return_to=%2F2015%2F10%2F21%2Fstory-slug", None),
    ("https://example.com/register?redirect_url=https%3A%2F%2Fexample.com%2Fx", None),
    ("https://example.com/register", None),
    ("https://www.exemplo.com.br/assine", None),
    ("https://example.com/author/jane-doe", None),
    ("https://example.com/blog/login-tips-for-writers", None),
    ("https://example.com/2015/10/21/story-slug", None),
    ("https://example.com/authors/", None),
    ("", None),
]


@pytest.mark.parametrize(("final_url", "name"), LOGIN_CASES)
def test_redirected_to_login(final_url: str, name: str | None) -> None:
    evidence = redirected_to_login(final_url)
    if name is None:
        assert evidence is None
    else:
        assert evidence is not None and evidence.startswith(f"ended on a login page ({name}): ")


# --- The sibling probe ----------------------------------------------------------------------------------

SIBLING_CASES: list[tuple[str, str]] = [
    (
        "https://www.example.com/2015/10/21/story-slug",
        r"https://www\.example\.com/2015/10/21/[a-z]{5}-[a-z]{4}",
    ),
    (
        "https://www.example.com/2015/10/21/story-slug/",
        r"https://www\.example\.com/2015/10/21/[a-z]{5}-[a-z]{4}/",
    ),
    ("https://example.com/news/12345.html", r"https://example\.com/news/[1-9]\d{7}\.html"),
    ("https://example.com/news/1234567890.html", r"https://example\.com/news/[1-9]\d{9}\.html"),
    (
        "https://example.com/article.php?id=12345&utm_source=tw",
        r"https://example\.com/article\.php\?id=[1-9]\d{7}&utm_source=tw",
    ),
    ("https://example.com/?p=123", r"https://example\.com/\?p=[1-9]\d{5}"),
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        r"https://www\.youtube\.com/watch\?v=[a-z][A-Z][a-z]\d[a-z]\d[A-Z][a-z][A-Z][a-z][A-Z]",
    ),
    ("https://example.com/news/story/index.html", r"https://example\.com/news/[a-z]{8}/index\.html"),
    (
        "https://example.com/Politics/Story_Title_2015",
        r"https://example\.com/Politics/[A-Z][a-z]{4}_[A-Z][a-z]{4}_\d{4}",
    ),
    ("https://example.com/a", r"https://example\.com/[a-z]{8}"),
    ("https://example.com/", r"https://example\.com/[a-z]{12}"),
    ("https://example.com", r"https://example\.com/[a-z]{12}"),
    (
        "https://ru.example.com/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/%D0%B8%D1%81%D1%82%D0%BE%D1%80%D0%B8%D1%8F",
        r"https://ru\.example\.com/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/[a-z]{8}",
    ),
    (
        "https://example.com/2015/10/21/story-slug#comments",
        r"https://example\.com/2015/10/21/[a-z]{5}-[a-z]{4}",
    ),
]


@pytest.mark.parametrize(("url", "shape"), SIBLING_CASES)
def test_sibling_url_keeps_the_shape(url: str, shape: str) -> None:
    for seed in range(5):
        sibling = sibling_url(url, seed)
        assert re.fullmatch(shape, sibling), (seed, sibling)
        assert sibling != url.split("#")[0]


def test_sibling_url_is_deterministic_per_seed() -> None:
    assert sibling_url(URL, 7) == sibling_url(URL, 7)
    assert len({sibling_url(URL, seed) for seed in range(20)}) == 20
    # Pinned: the probe must not change between runs or Python versions (reports and caches key on it).
    assert sibling_url(URL, 1) == sibling_url(URL, seed=1) == "https://www.example.com/2015/10/21/uopdf-uuky"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=0, max_value=2**32))
def test_sibling_url_never_raises(url: str, seed: int) -> None:
    assert isinstance(sibling_url(url, seed), str)


SOFT_404_TEMPLATE = """<html><head><title>Search results for “{slug}” – The Daily Example</title></head><body>
<header><a href="/">The Daily Example</a></header><nav><a href="/news">News</a></nav>
<main><h1>Nothing matched “{slug}”</h1>
<p>Sorry, but nothing matched your search terms. Please try again with some different keywords.</p>
<p>Request {request_id} served at {time} on {date} by node-{node}.</p>
<h2>Latest stories</h2><ul><li>Council extends bus contract</li><li>Storm closes the port</li><li>Budget vote delayed</li></ul>
</main><footer>© 2024</footer></body></html>"""


def test_similar_pages_same_template_with_different_ids() -> None:
    cited = facts(
        SOFT_404_TEMPLATE.format(
            slug="council-extends-bus-contract",
            request_id="8f3a9c2e-11d2",
            time="09:14:02",
            date="21 October 2024",
            node="7",
        )
    )
    probe = facts(
        SOFT_404_TEMPLATE.format(
            slug="uudca-gfwf", request_id="0b77e1d4-93aa", time="17:40:59", date="22 October 2024", node="12"
        )
    )
    assert similar_pages(cited.text_start, probe.text_start) >= 0.9
    assert similar_pages(probe.text_start, cited.text_start) == similar_pages(
        cited.text_start, probe.text_start
    )


def test_similar_pages_two_different_articles() -> None:
    one = facts(article("Council extends bus contract", "Council extends bus contract", EN_PARAGRAPHS[:3]))
    other = facts(article("Council vote", "Council vote on the budget", EN_PARAGRAPHS[3:]))
    assert similar_pages(one.text_start, other.text_start) <= 0.5
    pt = facts(article("Links quebrados", "Links quebrados", PT_PARAGRAPHS))
    assert similar_pages(one.text_start, pt.text_start) <= 0.2


SIMILAR_CASES: list[tuple[str, str, float, float]] = [
    (
        "Nothing here. Request 8f3a9c2e-11d2 at 09:14.",
        "Nothing here. Request 0b77e1d4-93aa at 17:40.",
        1.0,
        1.0,
    ),
    (
        "お探しのページは見つかりませんでした。ID 1234",
        "お探しのページは見つかりませんでした。ID 9876",
        1.0,
        1.0,
    ),
    ("Story about the port and the storm.", "Story about the port and the storm.", 1.0, 1.0),
    ("", "", 0.0, 0.0),  # no text: a script shell, the same everywhere; says nothing
    ("Some text", "", 0.0, 0.0),
    ("12345 2015-10-21", "67890 2016-01-01", 0.0, 0.0),  # only numbers: nothing to compare
]


@pytest.mark.parametrize(("a", "b", "low", "high"), SIMILAR_CASES)
def test_similar_pages_table(a: str, b: str, low: float, high: float) -> None:
    assert low <= similar_pages(a, b) <= high


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_similar_pages_is_a_ratio(a: str, b: str) -> None:
    assert 0.0 <= similar_pages(a, b) <= 1.0


# --- Folding -------------------------------------------------------------------------------------

FOLD_CASES = [
    ("  Page \n NOT\tFound ", "page not found"),
    ("ПРОДАЁТСЯ", "продается"),  # ё is written е as often as not
    ("SAYFA BULUNAMADI", "sayfa bulunamadi"),  # Turkish: dotless ı and I meet
    ("Sayfa bulunamadı", "sayfa bulunamadi"),
    ("İstanbul", "istanbul"),
    ("عذراً، الصفحة غير موجودة", "عذرا، الصفحة غير موجودة"),  # vowel marks dropped
    ("خطأ", "خطا"),  # hamza forms of alef
    ("can’t", "can't"),
    ("Ｐａｇｅ ４０４", "page 404"),  # full-width forms (NFKC)
    ("Just a moment…", "just a moment..."),
    ("Seite\u00adnicht ge\u200bfunden", "seitenicht gefunden"),  # invisible characters
    ("Straße", "strasse"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "folded"), FOLD_CASES)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
@example("a \u200b b\u200b")
@example("İß\u0640 ﬁ")
def test_quote_index_follows_fold(text: str) -> None:
    """Evidence quotes the page through a per-character map of `fold`: it must stay aligned."""
    display = unicodedata.normalize("NFKC", text)
    index = _folded_index(display)
    assert len(index) == len(fold(display))
    assert index == sorted(index) and all(0 <= i < len(display) for i in index)


# --- The tables as data -------------------------------------------------------------------------

LANG_RE = re.compile(r"[a-z]{2}|zxx")
HOST_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?:/[a-z0-9/_.-]*)?")
REQUIRED_LANGS = {"en", "pt", "es", "fr", "de", "ru", "ar", "ja"}


def test_every_required_language_has_not_found_phrases() -> None:
    strong = {p.lang for p in NOT_FOUND_PHRASES if p.strength is Strength.STRONG}
    assert strong >= REQUIRED_LANGS | {"it", "nl", "pl", "tr", "zh", "ko"}
    for lang in REQUIRED_LANGS:
        assert sum(p.lang == lang and p.strength is Strength.STRONG for p in NOT_FOUND_PHRASES) >= 3, lang


@pytest.mark.parametrize("row", NOT_FOUND_PHRASES, ids=[f"{p.lang}:{p.text}" for p in NOT_FOUND_PHRASES])
def test_not_found_phrase_is_clean(row: Phrase) -> None:
    assert LANG_RE.fullmatch(row.lang)
    assert row.text == row.text.strip() and "  " not in row.text, "one space between words"
    assert row.text == row.text.lower(), "written lower-case"
    assert row.text == unicodedata.normalize("NFC", row.text), "written in NFC"
    assert fold(fold(row.text)) == fold(row.text)
    assert row.source.strip()
    assert isinstance(row.strength, Strength)


def test_not_found_phrases_are_unique_once_folded() -> None:
    # Unique across languages too: a page's match is traced back to one row and its language.
    folded = [fold(p.text) for p in NOT_FOUND_PHRASES]
    assert sorted({f for f in folded if folded.count(f) > 1}) == []


@pytest.mark.parametrize("row", NOT_FOUND_PHRASES, ids=[f"{p.lang}:{p.text}" for p in NOT_FOUND_PHRASES])
def test_each_not_found_phrase_is_found_as_a_title(row: Phrase) -> None:
    """Every row works through the whole matcher, written in capitals as some templates do."""
    page = facts(
        f"<html><head><title>{row.text.upper()} | Example</title></head><body><p>Home</p></body></html>"
    )
    assert not_found_evidence(page) == f'title says "{row.text.upper()}" ({row.lang})'


def test_score_table_grows_with_length() -> None:
    limits = [limit for limit, _ in SCORE_NEEDED]
    scores = [score for _, score in SCORE_NEEDED]
    assert limits == sorted(limits) and scores == sorted(scores)
    assert limits[-1] == sys.maxsize


SIGNAL_ROWS = [("parked", s) for s in PARKED_SIGNALS] + [("bot-wall", s) for s in BOT_WALL_SIGNALS]
SIGNAL_ROWS += [("not-found-marker", s) for s in NOT_FOUND_MARKERS]


@pytest.mark.parametrize(
    ("table", "row"), SIGNAL_ROWS, ids=[f"{t}:{s.service}:{s.pattern[:30]}" for t, s in SIGNAL_ROWS]
)
def test_signal_row_is_valid(table: str, row: Signal) -> None:
    assert LANG_RE.fullmatch(row.lang)
    assert re.fullmatch(r"[a-z0-9-]+", row.service)
    assert row.source.strip()
    if row.kind is SignalKind.PHRASE:
        assert row.lang != "zxx"
        assert row.pattern == row.pattern.lower() == row.pattern.strip() and "  " not in row.pattern
        assert row.pattern == unicodedata.normalize("NFC", row.pattern)
    else:
        assert row.lang == "zxx"
    if row.kind is SignalKind.MARKUP:
        re.compile(row.pattern)
        # Pages are pre-tested in lower case by the rows' literals: an upper-case letter would
        # never be found there (escapes such as \S and \W are classes, not letters).
        assert not re.search(r"(?<!\\)[A-Z]", row.pattern), row.pattern
    if row.kind is SignalKind.HEADER:
        name, _, value = row.pattern.partition(":")
        assert re.fullmatch(r"[a-z0-9-]+", name)
        re.compile(value.strip())
    if row.kind is SignalKind.HOST:
        assert HOST_RE.fullmatch(row.pattern) and not row.pattern.startswith("www.")


MARKUP_EXAMPLES = (
    '<html lang="en" data-adblockkey="MFwwDQ">',
    "<script>window.location.href = '/lander'</script>",
    '<script src="https://img1.wsimg.com/parking-lander/static/js/main.js"></script>',
    '<script src="//www.google.com/adsense/domains/caf.js"></script>',
    "<script>window._cf_chl_opt = {cvId: '3'}</script>",
    '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script>',
    '<div id="px-captcha"></div>',
    '<iframe src="https://geo.captcha-delivery.com/captcha/"></iframe>',
    "<script>var dd={'rt':'c','cid':'x'}</script>",
    "<p>Request unsuccessful. Incapsula incident ID: 123</p>",
    "<p>Reference&#32;&#35;18&#46;2f</p>",
    '<a href="https://errors.edgesuite.net/18.2f">more</a>',
    '<div class="g-recaptcha" data-sitekey="x"></div>',
    '<div class="h-captcha" data-sitekey="x"></div>',
    '<div class="cf-turnstile" data-sitekey="x"></div>',
    '<script src="https://hcaptcha.com/1/api.js"></script>',
    '<body class="error404 wp-theme">',
    '<meta name="prerender-status-code" content="404">',
    "<p>This error was generated by Mod_Security.</p>",
)


@pytest.mark.parametrize(
    ("table", "row"),
    [(t, s) for t, s in SIGNAL_ROWS if s.kind is SignalKind.MARKUP],
    ids=[f"{t}:{s.service}:{s.pattern[:30]}" for t, s in SIGNAL_ROWS if s.kind is SignalKind.MARKUP],
)
def test_a_markup_row_is_found_in_upper_case_too(table: str, row: Signal) -> None:
    # A sample string the row matches, written in upper case: the joined lower-case pre-test
    # must let it through to the row's own case-blind regex.
    from resolver.audit.signals import page_facts

    examples = [e for e in MARKUP_EXAMPLES if re.search(row.pattern, e, re.IGNORECASE)]
    assert examples, f"no example of {row.pattern!r} in MARKUP_EXAMPLES"
    page = f"<html><body><p>x</p>{examples[0].upper()}</body></html>"
    facts = page_facts("https://a.example/p", "https://a.example/p", 200, {}, page)
    evidence = {
        "parked": parked_evidence,
        "bot-wall": bot_wall_evidence,
        "not-found-marker": not_found_evidence,
    }[table](facts)
    assert evidence is not None


def test_signal_tables_have_no_duplicates() -> None:
    for table in (PARKED_SIGNALS, BOT_WALL_SIGNALS):
        keys = [(s.kind, fold(s.pattern) if s.kind is SignalKind.PHRASE else s.pattern) for s in table]
        assert len(keys) == len(set(keys))


def test_parked_wording_covers_the_languages() -> None:
    langs = {s.lang for s in PARKED_SIGNALS if s.kind is SignalKind.PHRASE}
    assert langs >= {"en", "de", "fr", "es", "pt", "ru"}


PHRASE_ROWS = [s for s in PARKED_SIGNALS + BOT_WALL_SIGNALS if s.kind is SignalKind.PHRASE]


@pytest.mark.parametrize("row", PHRASE_ROWS, ids=[f"{s.service}:{s.pattern}" for s in PHRASE_ROWS])
def test_each_signal_phrase_is_found_as_a_heading(row: Signal) -> None:
    text = row.pattern.replace("<domain>", "example-shop.com").capitalize()
    page = facts(f"<html><head><title>x</title></head><body><h1>{text}</h1></body></html>")
    evidence = parked_evidence(page) if row in PARKED_SIGNALS else bot_wall_evidence(page)
    assert evidence is not None and evidence.startswith("heading says") and f"({row.lang}," in evidence


@pytest.mark.parametrize("row", LOGIN_PATH_PATTERNS, ids=[p.name for p in LOGIN_PATH_PATTERNS])
def test_login_pattern_is_valid(row: LoginPattern) -> None:
    assert LANG_RE.fullmatch(row.lang)
    assert row.part in {"path", "query", "url"}
    assert row.pattern == row.pattern.lower(), "matched against lower-cased URLs"
    re.compile(row.pattern)
    assert row.source.strip()


def test_login_patterns_say_which_count() -> None:
    names = [p.name for p in LOGIN_PATH_PATTERNS]
    assert len(names) == len(set(names))
    not_counted = {p.name for p in LOGIN_PATH_PATTERNS if not p.counts}
    assert {"subscribe", "paywall", "register"} <= not_counted
    assert {"login", "sign-in", "wp-login", "return-url"}.isdisjoint(not_counted)


# --- The phrase trie against a flat alternation ------------------------------------------------------

ALL_PHRASE_TEXTS = [p.text for p in NOT_FOUND_PHRASES] + [
    s.pattern for s in PARKED_SIGNALS + BOT_WALL_SIGNALS if s.kind is SignalKind.PHRASE
]


def _flat_regex(phrases: list[str]) -> re.Pattern[str]:
    """The plain construction the trie replaced: every phrase a branch, the longest first."""
    from resolver.audit.signals import _WORDISH, _phrase_regex

    groups: dict[bool, list[str]] = {True: [], False: []}
    for i, text in sorted(enumerate(phrases), key=lambda item: -len(fold(item[1]))):
        body, needs_start = _phrase_regex(text)
        groups[needs_start].append(f"(?P<p{i}>{body})")
    branches = [
        (f"(?<!{_WORDISH})" if needs_start else "") + f"(?:{'|'.join(groups[needs_start])})"
        for needs_start in (True, False)
        if groups[needs_start]
    ]
    return re.compile("|".join(branches))


_FLAT = _flat_regex(ALL_PHRASE_TEXTS)
_PIECES = [fold(t).replace("<domain>", "example.com") for t in ALL_PHRASE_TEXTS]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_PIECES),
            st.sampled_from([" ", "x", "a ", ". ", "404", "página ", "é"]),
            st.text(max_size=6),
        ),
        max_size=12,
    )
)
def test_the_phrase_trie_finds_what_a_flat_alternation_finds(pieces: list[str]) -> None:
    from resolver.audit.signals import Place, _Folded, _PhraseSet

    text = _Folded(Place.TEXT, "".join(pieces))
    trie = _PhraseSet(ALL_PHRASE_TEXTS)
    found = [(i, m.quote) for i, m in trie.find(text)]
    expected = [
        (int((m.lastgroup or "p0")[1:]), text.quote(m.start(), m.end()))
        for m in _FLAT.finditer(text.folded)
        if m.end() > m.start()
    ]
    # The same spans; the same phrase, or one with the same wording (the first row speaks).
    assert [q for _, q in found] == [q for _, q in expected]
    for (i, _), (j, _) in zip(found, expected, strict=True):
        assert fold(ALL_PHRASE_TEXTS[i]) == fold(ALL_PHRASE_TEXTS[j])


@pytest.mark.parametrize(
    ("table", "row"),
    [(t, s) for t, s in SIGNAL_ROWS if s.kind is SignalKind.MARKUP],
    ids=[f"{t}:{s.service}:{s.pattern[:30]}" for t, s in SIGNAL_ROWS if s.kind is SignalKind.MARKUP],
)
def test_every_markup_row_has_literals_its_matches_contain(table: str, row: Signal) -> None:
    from resolver.audit.signals import required_literals

    needles = required_literals(row.pattern)
    assert needles, "a row without a required literal makes every page take the slow test"
    for sample in MARKUP_EXAMPLES:
        if re.search(row.pattern, sample, re.IGNORECASE):
            assert any(needle in sample.lower() for needle in needles), (needles, sample)


@pytest.mark.parametrize(
    ("pattern", "needles"),
    [
        (r"wsimg\.com/parking-lander/", ("wsimg.com/parking-lander/",)),
        (r"_cf_chl_opt|__cf_chl_|\bcf-chl-", ("_cf_chl_opt", "__cf_chl_", "cf-chl-")),
        (r"errors(?:\.|&#46;)edgesuite(?:\.|&#46;)net", ("edgesuite",)),
        (r"a(?:b|c)d", None),  # no run of three: no literal test
        (r"x|[a-z]+", None),  # one branch without a literal spoils the rest
    ],
)
def test_required_literals(pattern: str, needles: tuple[str, ...] | None) -> None:
    from resolver.audit.signals import required_literals

    assert required_literals(pattern) == needles


def test_loaded_sources_keep_their_case_and_need_a_word_boundary() -> None:
    page = (
        '<html><body><p>x</p><SCRIPT SRC="https://SedoParking.com/frmpark/x.example/IN/park.js"></SCRIPT>'
        "</body></html>"
    )
    assert parked_evidence(facts(page)) == (
        "page loads https://SedoParking.com/frmpark/x.example/IN/park.js (sedo)"
    )
    lookalike = '<html><body><p>x</p><img xsrc="https://sedoparking.com/a.js"></body></html>'
    assert parked_evidence(facts(lookalike)) is None


ERROR_PAGE_CASES: list[tuple[str, str, str | None]] = [
    (URL, "https://www.example.com/404.html", "404-document"),
    (URL, "https://www.example.com/404/", "404-document"),
    (URL, "https://www.example.com/error/404", "404-document"),  # the first row that matches speaks
    (URL, "https://www.example.com/errors/410.html", "404-document"),
    (URL, "https://www.example.com/error-404", "error-404"),
    (URL, "https://www.example.com/fehler_404.html", "error-404"),
    (URL, "https://www.example.com/pages/page-not-found", "not-found-page"),
    (URL, "https://www.example.com/PageNotFound.aspx", "not-found-page"),
    (URL, "https://www.example.com/notfound", "not-found-page"),
    (URL, "https://www.example.com/404-error", "not-found-page"),
    (URL, "https://www.example.com/Error.aspx?aspxerrorpath=/2015/story.aspx", "aspxerrorpath"),
    # Not an error page.
    (URL, "https://www.example.com/2015/10/21/story-slug/", None),
    (URL, "https://www.example.com/news/404-days-of-summer", None),
    (URL, "https://www.example.com/films/error-404-the-movie", None),
    (URL, "https://www.example.com/not-found-yet-a-novel", None),
    (URL, "https://www.example.com/4040", None),
    ("https://www.example.com/404.html", "https://www.example.com/404.html", None),  # cited as such
    ("not a url", "http://[::1", None),
]


@pytest.mark.parametrize(("url", "final_url", "name"), ERROR_PAGE_CASES)
def test_redirected_to_error_page(url: str, final_url: str, name: str | None) -> None:
    from resolver.audit.signals import redirected_to_error_page

    evidence = redirected_to_error_page(url, final_url)
    assert (evidence is None) == (name is None), evidence
    if name is not None:
        assert f"({name})" in str(evidence)
