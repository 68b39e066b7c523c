"""`resolver audit` against real-web behaviours, end to end on the local web.

Each row of `SCENARIOS` is one behaviour seen on the real web (a challenge page served with
503, a deep link redirected to `/?lang=en`, a Russian 404 page in windows-1251 declared only in
its `<meta>`...), played on the local web, with the verdict the audit must give it. All rows
run in one `resolver audit --urls` process (as a user's list of links would).
"""

from __future__ import annotations

import email.utils
import gzip
import json
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.web.model import Response
from tests.web.scenarios import Web
from tests.web.twitter import FakeTweet, TwitterWeb

pytestmark = pytest.mark.usefixtures("proxy_env")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ),
        cwd=cwd,
    )


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def html(title: str, body: str = "", *, head: str = "", attrs: str = "") -> str:
    return f"<!DOCTYPE html><html{attrs}><head><title>{title}</title>{head}</head><body>{body}</body></html>"


#: A real article's worth of text: what a live page that merely mentions "not found" holds.
PROSE = " ".join(
    f"Paragraph {n}: the investigators went through the archive box by box, and the reporters "
    "followed every lead they were given, calling sources in three countries."
    for n in range(12)
)
#: A site's furniture around a 404 message: navigation, a sidebar of recent posts, a footer.
FURNITURE = (
    "<header><nav>"
    + "".join(f'<a href="/section/{n}">Section {n}</a>' for n in range(15))
    + "</nav></header>"
)
SIDEBAR = (
    "<aside><h2>Recent posts</h2><ul>"
    + "".join(
        f'<li><a href="/2015/10/{n}/post">A recent post about topic number {n}</a></li>' for n in range(40)
    )
    + "</ul></aside><footer>"
    + "Copyright, terms, privacy, contact, about us. " * 20
    + "</footer>"
)


def _cf_challenge(status: int) -> Response:
    body = html(
        "Just a moment...",
        "<div class=main-wrapper><h1>example.com</h1><h2>Checking if the site connection is secure</h2>"
        "<noscript>Enable JavaScript and cookies to continue</noscript></div>"
        "<script>(function(){window._cf_chl_opt={cvId: '3',cZone: 'example.com',cType: 'managed'};"
        "var a = document.createElement('script');"
        "a.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a1b2c3d4e5f';"
        "document.getElementsByTagName('head')[0].appendChild(a);}());</script>",
    )
    return Response.html(
        body,
        status,
        headers=[("cf-mitigated", "challenge"), ("Server", "cloudflare"), ("CF-RAY", "8a1b2c3d4e5f-LIS")],
    )


def _akamai_denied(status: int) -> Response:
    body = (
        "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
        'You don\'t have permission to access "http&#58;&#47;&#47;www&#46;akamai-site&#46;example&#47;story" '
        "on this server.<P>\nReference&#32;&#35;18&#46;5e2d3e17&#46;1700000000&#46;1a2b3c4d\n"
        "<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;5e2d3e17</P>\n</BODY>\n</HTML>\n"
    )
    return Response.html(body, status, headers=[("Server", "AkamaiGHost")])


def _datadome(status: int) -> Response:
    body = (
        '<html><head><title>example.com</title></head><body style="margin:0">'
        '<p id="cmsg">Please enable JS and disable any ad blocker</p>'
        "<script data-cfasync=\"false\">var dd={'rt':'c','cid':'AHrlqAAAAAMA','hsh':'ABC','t':'fe',"
        "'s':12345,'e':'abc','host':'geo.captcha-delivery.com'}</script>"
        '<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script></body></html>'
    )
    return Response.html(body, status, headers=[("X-DataDome", "protected"), ("Server", "DataDome")])


def _perimeterx(status: int) -> Response:
    body = html(
        "Access to this page has been denied",
        "<div class=px-captcha-container><h1>Access to this page has been denied</h1>"
        "<p>Press &amp; Hold to confirm you are a human (and not a bot).</p>"
        '<div id="px-captcha"></div></div><script src="/ABCdef12/captcha/captcha.js?a=c"></script>',
    )
    return Response.html(body, status)


def _aws_waf_captcha() -> Response:
    # AWS WAF's CAPTCHA action answers 405 with its interstitial (the Challenge action, 202).
    body = html(
        "",
        '<div id="captcha-container"></div><script src="https://x.captcha-sdk.awswaf.com/captcha.js"></script>',
    )
    return Response.html(body, 405, headers=[("x-amzn-waf-action", "captcha")])


SEDO_STYLE = (
    '<!DOCTYPE html><html data-adblockkey="MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANDrp2lz7AOmADaN8tA50LsWcjLFyQFcb'
    '/P2Txc58oYOeILb3vBw7J6f4pamkAQVSQuqYsKx3YzdUHCvbVZvFUsCAwEAAQ==_Y7bK"><head><title>{d}</title>'
    '</head><body><div id="target"></div><script src="https://www.google.com/adsense/domains/caf.js"></script>'
    "</body></html>"
)


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _scenarios() -> list[tuple[str, str, Callable[[Web, TwitterWeb], None]]]:
    rows: list[tuple[str, str, Callable[[Web, TwitterWeb], None]]] = []

    def row(url: str, verdict: str) -> Callable[[Callable[[Web, TwitterWeb], None]], None]:
        def add(setup: Callable[[Web, TwitterWeb], None]) -> None:
            rows.append((url, verdict, setup))

        return add

    # --- Rate limits and walls ------------------------------------------------------------------
    @row("https://ratelimited-seconds.example/story", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.rate_limited(
            "https://ratelimited-seconds.example/story", 1, Response.html(html("A story", PROSE))
        )

    @row("https://ratelimited-date.example/story", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        when = email.utils.formatdate(time.time() + 2, usegmt=True)
        web.rate_limited(
            "https://ratelimited-date.example/story",
            1,
            Response.html(html("A story", PROSE)),
            retry_after=when,
        )

    @row("https://always429.example/story", "blocked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.rate_limited("https://always429.example/story", 100, Response.html("x"), retry_after=1)

    for status in (200, 403, 503):

        @row(f"https://cf{status}.example/story", "blocked")
        def _(web: Web, tw: TwitterWeb, status: int = status) -> None:
            web.route(f"https://cf{status}.example/story", _cf_challenge(status))

    for status in (403, 503):

        @row(f"https://akamai{status}.example/story", "blocked")
        def _(web: Web, tw: TwitterWeb, status: int = status) -> None:
            web.route(f"https://akamai{status}.example/story", _akamai_denied(status))

    for status in (200, 403):

        @row(f"https://datadome{status}.example/story", "blocked")
        def _(web: Web, tw: TwitterWeb, status: int = status) -> None:
            web.route(f"https://datadome{status}.example/story", _datadome(status))

        @row(f"https://px{status}.example/story", "blocked")
        def _(web: Web, tw: TwitterWeb, status: int = status) -> None:
            web.route(f"https://px{status}.example/story", _perimeterx(status))

    @row("https://awswaf.example/story", "blocked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.route("https://awswaf.example/story", _aws_waf_captcha())

    @row("https://modsec.example/story", "blocked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.route(
            "https://modsec.example/story",
            Response.html(
                "<html><head><title>Not Acceptable!</title></head><body><h1>Not Acceptable!</h1><p>An "
                "appropriate representation of the requested resource could not be found on this server. "
                "This error was generated by Mod_Security.</p></body></html>",
                406,
            ),
        )

    # Error pages that are no wall keep their verdicts.
    @row("https://maintenance.example/story", "server-error")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.route(
            "https://maintenance.example/story",
            Response.html(
                html("Service Unavailable", "<h1>We'll be back soon</h1><p>Down for maintenance.</p>"), 503
            ),
        )

    @row("https://badrequest.example/story", "dead")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.route(
            "https://badrequest.example/story",
            Response.html(html("400 Bad Request", "<h1>Bad Request</h1>"), 400),
        )

    @row("https://nohead.example/story", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        page = Response.html(html("A story", PROSE))
        web.route(
            "https://nohead.example/story",
            lambda r: Response.text("no", 405 if r.method == "HEAD" else 501) if r.method != "GET" else page,
        )

    @row("https://flaky.example/story", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.sequence(
            "https://flaky.example/story",
            [Response.html("<h1>502</h1>", 502)],
            Response.html(html("Story", PROSE)),
        )

    @row("https://patient.example/story", "blocked")
    def _(web: Web, tw: TwitterWeb) -> None:
        # Retry-After longer than the tool waits (--max-retry-wait): given up at once, not dead.
        web.rate_limited("https://patient.example/story", 100, Response.html("x"), retry_after=3600)

    @row("https://expired-cert.example/story", "unreachable")
    def _(web: Web, tw: TwitterWeb) -> None:
        from tests.web.model import TlsFault

        web.set_tls("expired-cert.example", TlsFault.EXPIRED)
        web.page("https://expired-cert.example/story", html("Story", PROSE))

    @row("https://refused.example/story", "unreachable")
    def _(web: Web, tw: TwitterWeb) -> None:
        from tests.web.model import Upstream

        web.set_upstream("refused.example", Upstream.REFUSED)

    @row("https://nxdomain.example/story", "dead")
    def _(web: Web, tw: TwitterWeb) -> None:
        pass  # a host the web does not know does not resolve

    # --- Redirects ------------------------------------------------------------------------------
    @row("https://chain404.example/a", "dead")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.chain("https://chain404.example/a", "https://chain404.example/b", "https://chain404.example/c")
        web.status("https://chain404.example/c", 404)

    @row("https://intranet.example/docs/report-2015", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.redirect(
            "https://intranet.example/docs/report-2015",
            "https://sso.identity.example/login?returnUrl=https%3A%2F%2Fintranet.example%2Fdocs%2Freport-2015",
            302,
        )
        web.page("https://sso.identity.example/login", html("Sign in", "<form><input name=user></form>"))

    for n, target in enumerate(("/", "/?lang=en", "/index.html", "/en/", "/index.php", "/?from=404")):

        @row(f"https://home{n}.example/2015/10/21/story-slug", "soft-404")
        def _(web: Web, tw: TwitterWeb, n: int = n, target: str = target) -> None:
            web.redirect(
                f"https://home{n}.example/2015/10/21/story-slug", f"https://home{n}.example{target}", 301
            )
            web.add_host(f"home{n}.example", Response.html(html("Home", "<h1>Front page</h1>" + PROSE)))

    # A paywall: the story may still be there for subscribers; the tool could not see it.
    for n, wall in enumerate(("/subscribe?return_to=/2015/10/21/story", "/assinatura/", "/register")):

        @row(f"https://paywalled{n}.example/2015/10/21/story", "blocked")
        def _(web: Web, tw: TwitterWeb, n: int = n, wall: str = wall) -> None:
            web.redirect(
                f"https://paywalled{n}.example/2015/10/21/story", f"https://paywalled{n}.example{wall}", 302
            )
            web.add_host(
                f"paywalled{n}.example", Response.html(html("Subscribe", "<h1>Subscribe</h1>" + PROSE))
            )

    # A link cited as the subscription page is that page, alive.
    @row("https://paywalled-page.example/subscribe", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.page("https://paywalled-page.example/subscribe", html("Subscribe", "<h1>Subscribe</h1>" + PROSE))

    # A short link to a story that now redirects home: the story's own chain says it.
    @row("https://t.co/toHome", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.tco("toHome", "https://short-home.example/2015/10/21/story")
        web.redirect("https://short-home.example/2015/10/21/story", "https://short-home.example/", 301)
        web.page("https://short-home.example/", html("Home", PROSE))

    # A domain sold or merged: every deep link sent to the new owner's home page.
    @row("https://old-brand.example/2015/10/21/story", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.redirect("https://old-brand.example/2015/10/21/story", "https://www.new-brand.example/", 301)
        web.page("https://www.new-brand.example/", html("New Brand", PROSE))

    # Sites that answer a missing page with a redirect to their error page (ASP.NET customErrors,
    # CMSs' /404 pages), in words the not-found table may not know.
    for n, target in enumerate(
        ("/Error.aspx?aspxerrorpath=/2015/story.aspx", "/404.html", "/pages/page-not-found", "/error/404")
    ):

        @row(f"https://errpage{n}.example/2015/story.aspx", "soft-404")
        def _(web: Web, tw: TwitterWeb, n: int = n, target: str = target) -> None:
            web.redirect(
                f"https://errpage{n}.example/2015/story.aspx", f"https://errpage{n}.example{target}", 302
            )
            web.add_host(
                f"errpage{n}.example", Response.html(html("Whoops", "<h1>Whoops</h1><p>Try the search.</p>"))
            )

    for _name, source, target in (
        ("https", "http://tls.example/2015/story", "https://tls.example/2015/story"),
        ("slash-add", "https://slash.example/2015/story", "https://slash.example/2015/story/"),
        ("slash-drop", "https://noslash.example/2015/story/", "https://noslash.example/2015/story"),
        ("www-add", "https://wwwadd.example/2015/story", "https://www.wwwadd.example/2015/story"),
        ("www-drop", "https://www.wwwdrop.example/2015/story", "https://wwwdrop.example/2015/story"),
        ("all", "http://combo.example/2015/story", "https://www.combo.example/2015/story/"),
        ("root-https", "http://rooted.example/", "https://rooted.example/"),
        ("root-www", "https://rootwww.example", "https://www.rootwww.example/"),
    ):

        @row(source, "alive")
        def _(web: Web, tw: TwitterWeb, source: str = source, target: str = target) -> None:
            web.redirect(source, target, 301)
            web.page(target, html("The story", "<h1>The story</h1>" + PROSE))

    @row("https://moved.example/old-url", "moved")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.redirect("https://moved.example/old-url", "https://moved.example/2016/new-url", 308)
        web.page("https://moved.example/2016/new-url", html("The story", PROSE))

    @row("https://meta.example/old", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.meta_refresh("https://meta.example/old", "https://meta.example/2016/new")
        web.page("https://meta.example/2016/new", html("The story", PROSE))

    @row("https://metahome.example/2015/10/story", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.meta_refresh("https://metahome.example/2015/10/story", "https://metahome.example/")
        web.page("https://metahome.example/", html("Home", PROSE))

    @row("https://refreshhome.example/2015/10/story", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.refresh_header("https://refreshhome.example/2015/10/story", "https://refreshhome.example/")
        web.page("https://refreshhome.example/", html("Home", PROSE))

    @row("https://refreshnew.example/2015/10/story", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.refresh_header(
            "https://refreshnew.example/2015/10/story", "https://refreshnew.example/2016/story"
        )
        web.page("https://refreshnew.example/2016/story", html("Story", PROSE))

    @row("https://jshome.example/2015/10/story", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.js_redirect("https://jshome.example/2015/10/story", "https://jshome.example/", style="href")
        web.page("https://jshome.example/", html("Home", PROSE))

    # --- Not-found pages, and live pages that mention "not found" --------------------------------
    for lang, title, heading in (
        ("en", "Page not found – The Daily Planet", "Oops! That page can’t be found."),
        ("pt", "Página não encontrada – Jornal do Povo", "Ops! Essa página não pode ser encontrada."),
        ("es", "Página no encontrada – El Diario", "¡Vaya! No se puede encontrar esa página."),
        ("fr", "Page non trouvée – Le Quotidien", "Oups ! Cette page est introuvable."),
        ("de", "Seite nicht gefunden – Die Zeitung", "Hoppla! Diese Seite kann nicht gefunden werden."),
        ("ru", "Страница не найдена – Газета", "Страница не найдена"),
        ("ar", "الصفحة غير موجودة – الجريدة", "عذراً، لا يمكن العثور على تلك الصفحة"),
        ("ja", "ページが見つかりませんでした – 新聞", "お探しのページは見つかりませんでした"),
    ):

        @row(f"https://{lang}.wp404.example/2015/10/21/story", "soft-404")
        def _(web: Web, tw: TwitterWeb, lang: str = lang, title: str = title, heading: str = heading) -> None:
            # A WordPress 404 template, with the theme's navigation, sidebar and footer.
            body = (
                f'{FURNITURE}<main><section class="error-404 not-found"><header><h1>{heading}</h1></header>'
                "<p>It looks like nothing was found at this location. Maybe try a search?</p>"
                "<form><input name=s></form></section></main>" + SIDEBAR
            )
            page = html(title, body, attrs=f' lang="{lang}"', head='<meta charset="utf-8">')
            web.page(
                f"https://{lang}.wp404.example/2015/10/21/story",
                page.replace("<body>", '<body class="error404">'),
            )

    @row("https://story.example/2015/plane-not-found", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.page(
            "https://story.example/2015/plane-not-found",
            html(
                "Missing plane still not found after ten years | World",
                "<h1>Missing plane still not found after ten years</h1>"
                f"<p>{PROSE}</p><p>The wreckage was not found; the page not found in the logbook is "
                f"still missing.</p><p>{PROSE}</p>",
            ),
        )

    @row("https://film.example/reviews/error-404", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.page(
            "https://film.example/reviews/error-404",
            html(
                "Review: 'Error 404' is a thriller about a lost server",
                f"<h1>Review: 'Error 404'</h1><p>{PROSE}</p>",
            ),
        )

    # --- Parked domains -------------------------------------------------------------------------
    @row("https://sedo-lander.example/2014/story", "parked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.add_host("sedo-lander.example", Response.html(SEDO_STYLE.format(d="sedo-lander.example")))

    @row("https://godaddy-lander.example/2014/story", "parked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.add_host(
            "godaddy-lander.example",
            Response.html(
                '<!DOCTYPE html><html><head><title>godaddy-lander.example</title></head><body><div id="root">'
                '</div><script src="https://img1.wsimg.com/parking-lander/static/js/main.6e9f5c2b.js"></script>'
                "</body></html>"
            ),
        )

    @row("https://afternic-listed.example/2014/story", "parked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.redirect(
            "https://afternic-listed.example/2014/story",
            "https://www.afternic.com/forsale/afternic-listed.example?traffic_id=daslnc&traffic_type=TDFS",
            302,
        )
        web.page(
            "https://www.afternic.com/forsale/afternic-listed.example", html("afternic-listed.example", "Buy")
        )

    @row("https://dan-lander.example/2014/story", "parked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.add_host(
            "dan-lander.example",
            Response.html(
                html(
                    "dan-lander.example is for sale",
                    "<h1>dan-lander.example</h1><h2>is for sale</h2><p>Buy now for $2,495</p>"
                    "<p>Secure checkout, fast transfer, buyer protection.</p>",
                )
            ),
        )

    @row("https://bodis-lander.example/2014/story", "parked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.add_host(
            "bodis-lander.example",
            Response.html(
                '<!DOCTYPE html><html lang="en" data-adblockkey="MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKX74ixpzVyXbJprcLfbH'
                '4psP4+L2entqri0lzh6pkAaXLPIcclv6DQBeJJjGFWrBIF6QMyFwXT5CCRyjS2penECAwEAAQ==_Ssz9">'
                '<head><title></title></head><body><script>window.location.href="/lander"</script></body></html>'
            ),
        )
        web.page(
            "https://bodis-lander.example/lander",
            '<html><head><title>bodis-lander.example</title></head><body><div id="root"></div>'
            '<script src="/bodis-lander.js"></script></body></html>',
        )

    @row("https://parkingcrew-lander.example/2014/story", "parked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.add_host(
            "parkingcrew-lander.example",
            Response.html(
                "<html><head><title>parkingcrew-lander.example</title></head><body>"
                '<script src="//parkingcrew.net/js/park.js"></script></body></html>',
                headers=[("X-Adblock-Key", "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL_xyz")],
            ),
        )

    @row("https://hugedomains-lander.example/2014/story", "parked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.redirect(
            "https://hugedomains-lander.example/2014/story",
            "https://www.hugedomains.com/domain_profile.cfm?d=hugedomains-lander.example",
            302,
        )
        web.add_host(
            "www.hugedomains.com", Response.html(html("HugeDomains-Lander.example is for sale", PROSE))
        )

    @row("https://forsale-text.example/2014/story", "parked")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.add_host(
            "forsale-text.example",
            Response.html(
                html(
                    "forsale-text.example is for sale | HugeDomains",
                    "<h1>forsale-text.example is for sale</h1><h2>This domain is for sale</h2>" + PROSE * 2,
                )
            ),
        )

    # --- Bodies: encodings, charsets, sizes, binaries ---------------------------------------------
    not_found_pt = html("Página não encontrada", "<h1>Página não encontrada</h1><p>Desculpe.</p>").encode()
    for name, encoding, data in (
        ("gzip", "gzip", gzip.compress(not_found_pt)),
        ("deflate", "deflate", zlib.compress(not_found_pt)),
        ("rawdeflate", "deflate", _raw_deflate(not_found_pt)),  # deflate as IIS sent it: no zlib header
    ):

        @row(f"https://{name}.example/2015/story", "soft-404")
        def _(
            web: Web, tw: TwitterWeb, name: str = name, encoding: str = encoding, data: bytes = data
        ) -> None:
            web.route(
                f"https://{name}.example/2015/story",
                Response(
                    200, (("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", encoding)), data
                ),
            )

    @row("https://brotli.example/2015/story", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        # Brotli not asked for (Accept-Encoding: gzip, deflate) but sent anyway: bytes not to read
        # as text. Here: random-looking bytes standing in for a br body.
        web.route(
            "https://brotli.example/2015/story",
            Response(
                200, (("Content-Type", "text/html"), ("Content-Encoding", "br")), bytes(range(256)) * 20
            ),
        )

    ru_404 = html(
        "Страница не найдена",
        "<h1>Страница не найдена</h1><p>Запрашиваемая страница не существует.</p>",
        head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
    ).encode("cp1251")

    @row("https://cp1251-meta.example/news/2015/story.html", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.route(
            "https://cp1251-meta.example/news/2015/story.html",
            Response(200, (("Content-Type", "text/html"),), ru_404),
        )

    @row("https://cp1251-bare.example/news/2015/story.html", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        bare = html(
            "Страница не найдена – Новости",
            "<h1>Ошибка 404. Страница не найдена</h1><p>Запрашиваемая страница не существует или была "
            "удалена. Вернитесь на главную страницу сайта и попробуйте найти нужный материал.</p>",
        ).encode("cp1251")
        web.route(
            "https://cp1251-bare.example/news/2015/story.html",
            Response(200, (("Content-Type", "text/html"),), bare),
        )

    @row("https://sjis-meta.example/2015/story", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        page = html(
            "ページが見つかりません",
            "<h1>お探しのページは見つかりませんでした</h1>",
            head='<meta charset="Shift_JIS">',
        ).encode("shift_jis")
        web.route(
            "https://sjis-meta.example/2015/story", Response(200, (("Content-Type", "text/html"),), page)
        )

    @row("https://latin1-as-utf8.example/2015/story", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        page = html("Página não encontrada", "<h1>Página não encontrada</h1><p>Lamentamos.</p>").encode(
            "latin-1"
        )
        web.route(
            "https://latin1-as-utf8.example/2015/story",
            Response(200, (("Content-Type", "text/html; charset=UTF-8"),), page),
        )

    @row("https://utf8-mislabelled.example/2015/story", "soft-404")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.route(
            "https://utf8-mislabelled.example/2015/story",
            Response(200, (("Content-Type", "text/html; charset=iso-8859-1"),), not_found_pt),
        )

    @row("https://huge-html.example/2015/story", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        from tests.web.model import Stream

        head = html("A long story", "<h1>A long story</h1><p>" + PROSE + "</p>").encode()[:-14]

        def chunks():  # type: ignore[no-untyped-def]
            yield head
            block = b"<p>" + b"more text " * 6000 + b"</p>"
            for _ in range(3000):  # 180 MB
                yield block

        web.route(
            "https://huge-html.example/2015/story",
            Response(200, (("Content-Type", "text/html"),), Stream(chunks)),
        )

    @row("https://files.example/report.pdf", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.route(
            "https://files.example/report.pdf",
            Response(200, (("Content-Type", "application/pdf"),), b"%PDF-1.4\n" + b"0" * 5000),
        )

    @row("https://files.example/photo.jpg", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.route(
            "https://files.example/photo.jpg",
            Response(200, (("Content-Type", "image/jpeg"),), b"\xff\xd8\xff\xe0" + b"0" * 5000),
        )

    @row("https://files.example/huge.bin", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.huge("https://files.example/huge.bin")

    # --- URL forms --------------------------------------------------------------------------------
    @row("https://frag.example/2015/story#section-2", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.page("https://frag.example/2015/story", html("Story", PROSE))

    @row("https://bücher.example/seite/2015", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.page("https://xn--bcher-kva.example/seite/2015", html("Bücher", PROSE))

    @row("https://pct.example/caf%C3%A9/r%C3%A9sum%C3%A9", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.page("https://pct.example/caf%C3%A9/r%C3%A9sum%C3%A9", html("Résumé", PROSE))

    @row("https://pct.example/a b/story one.html", "alive")
    def _(web: Web, tw: TwitterWeb) -> None:
        web.page("https://pct.example/a%20b/story%20one.html", html("Story one", PROSE))

    return rows


SCENARIOS = _scenarios()


def test_real_web_behaviours_get_their_verdicts(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    for _url, _verdict, setup in SCENARIOS:
        setup(web, twitter_web)
    listing = tmp_path / "links.txt"
    listing.write_text("".join(f"{url}\n" for url, _, _ in SCENARIOS), encoding="utf-8")
    done = run(
        "audit", "--no-cache", "--wayback", "off", "--timeout", "20", "--urls", str(listing), "-f", "jsonl"
    )
    assert done.returncode in (0, 1), done.stderr
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    got = {url: rows[url]["verdict"] if url in rows else None for url, _, _ in SCENARIOS}
    wrong = {
        url: (verdict, got[url], rows.get(url, {}).get("evidence"))
        for url, verdict, _ in SCENARIOS
        if got[url] != verdict
    }
    assert not wrong, json.dumps(wrong, indent=1, ensure_ascii=False)
    # A chain that ends on a 404 names its last hop; a fragment is never sent; an IDN host is
    # reported as the name the DNS knows.
    assert rows["https://chain404.example/a"]["final_url"] == "https://chain404.example/c"
    assert rows["https://chain404.example/a"]["http_status"] == 404
    assert web.count("frag.example", "/2015/story") >= 1
    assert rows["https://bücher.example/seite/2015"]["host"] == "xn--bcher-kva.example"
    assert rows["https://moved.example/old-url"]["final_url"] == "https://moved.example/2016/new-url"
    assert all(r.method == "GET" for r in web.requests if r.host == "nohead.example")


def test_the_wayback_capture_is_the_nearest_to_each_articles_own_date(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    gone = "https://gone.example/2011/story"
    web.status(gone, 404)
    for stamp in ("20120301000000", "20150101120000", "20180615000000"):
        twitter_web.capture(gone, stamp, "<html><p>as it was</p></html>")
    # The CDX API's first answer is a 429 whose Retry-After is an HTTP-date: waited out.
    twitter_web.rate_limit("cdx", 1, retry_after=email.utils.formatdate(time.time() + 1, usegmt=True))
    folder = tmp_path / "articles"
    folder.mkdir()
    link = f'<p><a href="{gone}">source</a></p>'
    (folder / "json-ld.html").write_text(
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        f'"NewsArticle", "datePublished": "2012-02-20T08:00:00+01:00"}}</script></head><body>{link}</body></html>',
        encoding="utf-8",
    )
    (folder / "time.html").write_text(
        f'<html><body><article><time datetime="2015-03-01">1 March 2015</time>{link}</article></body></html>',
        encoding="utf-8",
    )
    undated = folder / "undated.html"
    undated.write_text(f"<html><body>{link}</body></html>", encoding="utf-8")
    stamp = time.mktime((2018, 6, 20, 12, 0, 0, 0, 0, -1))
    os.utime(undated, (stamp, stamp))
    done = run("audit", "--no-cache", "--no-probe", str(folder), "-f", "jsonl")
    assert done.returncode == 1, done.stderr
    rows = {Path(row["article"]).name: row for row in jsonl(done.stdout)}
    assert {name: (row["article_date"], row["wayback_timestamp"]) for name, row in rows.items()} == {
        "json-ld.html": ("2012-02-20", "20120301000000"),
        "time.html": ("2015-03-01", "20150101120000"),
        "undated.html": ("2018-06-20", "20180615000000"),
    }
    assert all(row["wayback_url"].startswith("https://web.archive.org/web/") for row in rows.values())
    assert twitter_web.hits["cdx"] == 2  # the 429, then one listing for the three dates


#: Lines of a `--urls` list that are not URLs, or broken ones: each gets a record, none crashes.
BROKEN_LINES = [
    "not a url",
    "http://",
    "https://exa mple.com/x",
    "http://[::1/",
    "https://broken-port.example:99999/",
    "https://",
    "://nohost/path",
    "https://xn--/",
    "https://" + "a" * 300 + ".example/",
]


def test_a_list_with_comments_blank_lines_and_broken_urls(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    web.page("https://fine.example/a", html("A", PROSE))
    listing = tmp_path / "links.txt"
    listing.write_text(
        "# my sources\n\n   \nhttps://fine.example/a\n"
        + "\n".join(BROKEN_LINES)
        + "\n  # indented comment\n",
        encoding="utf-8",
    )
    done = run(
        "audit", "--no-cache", "--retries", "0", "--wayback", "off", "--urls", str(listing), "-f", "jsonl"
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    rows = jsonl(done.stdout)
    assert [row["url"] for row in rows] == ["https://fine.example/a", *BROKEN_LINES]
    assert [row["where"]["line"] for row in rows] == list(range(4, 5 + len(BROKEN_LINES)))
    assert rows[0]["verdict"] == "alive"
    for row in rows[1:]:
        assert row["verdict"] != "alive" and row["evidence"], row


def test_an_article_url_that_fails_is_named_and_the_others_are_audited(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    web.page(
        "https://magazine.example/2015/feature",
        html(
            "Feature",
            '<p><a href="https://cited.example/a">a</a> <a href="https://cited.example/gone">b</a></p>',
        ),
    )
    web.page("https://cited.example/a", html("A", PROSE))
    web.status("https://cited.example/gone", 410)
    web.status("https://magazine.example/2015/removed", 404)
    done = run(
        "audit", "--no-cache", "--no-probe", "--wayback", "off", "-f", "jsonl",
        "https://magazine.example/2015/removed", "https://magazine.example/2015/feature",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr  # an input could not be read
    assert "https://magazine.example/2015/removed" in done.stderr and "Traceback" not in done.stderr
    assert [(r["article"], r["url"], r["verdict"]) for r in jsonl(done.stdout)] == [
        ("https://magazine.example/2015/feature", "https://cited.example/a", "alive"),
        ("https://magazine.example/2015/feature", "https://cited.example/gone", "dead"),
    ]


def test_a_link_cited_twice_is_two_records_and_one_fetch(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    web.status("https://twice.example/story", 404)
    article = tmp_path / "a.html"
    article.write_text(
        '<p><a href="https://twice.example/story">first</a></p><p>and again <a href="https://twice.example/story">'
        "second</a></p>",
        encoding="utf-8",
    )
    done = run("audit", "--no-cache", "--no-probe", "--wayback", "off", "-f", "jsonl", str(article))
    assert done.returncode == 1, done.stderr
    rows = jsonl(done.stdout)
    assert [(r["text"], r["verdict"]) for r in rows] == [("first", "dead"), ("second", "dead")]
    assert web.count("twice.example", "/story") == 1


def test_tweets_by_their_fate(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    base = 656722946431664900
    fates = {
        "available": "alive",
        "deleted": "tweet-deleted",
        "suspended": "account-suspended",
        "protected": "tweet-protected",
        "withheld": "tweet-withheld",
    }
    tweets = [
        FakeTweet(base + n, f"user{n}", f"User {n}", "a tweet", state=state) for n, state in enumerate(fates)
    ]
    twitter_web.add(*tweets)
    listing = tmp_path / "links.txt"
    listing.write_text("".join(f"{t.url}\n" for t in tweets), encoding="utf-8")
    done = run("audit", "--no-cache", "--wayback", "off", "--urls", str(listing), "-f", "jsonl")
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert {t.state: rows[t.url]["verdict"] for t in tweets} == fates
    assert {t.state: rows[t.url]["outcome"] for t in tweets} == {
        "available": "alive",
        "deleted": "dead",
        "suspended": "dead",
        "protected": "uncertain",
        "withheld": "uncertain",
    }
    assert done.returncode == 1, done.stderr


def test_the_wayback_rescue_is_of_the_page_cited_not_of_where_it_now_leads(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    deep, home = "https://sent-home.example/2015/10/21/story", "https://sent-home.example/"
    web.redirect(deep, home, 301)
    web.page(home, html("Home", PROSE))
    lander = "https://dan.com/buy-domain/sold-on.example"
    sold = "https://sold-on.example/2015/story"
    web.redirect(sold, lander, 302)
    web.page(lander, html("sold-on.example is for sale", "<p>Buy now</p>"))
    web.tco("shortGone", "https://short-target.example/2015/story")
    web.tco("shortHome", "https://short-home.example/2015/10/21/story")
    web.redirect("https://short-home.example/2015/10/21/story", "https://short-home.example/", 301)
    web.page("https://short-home.example/", html("Home", PROSE))
    web.status("https://short-target.example/2015/story", 404)
    for url, stamp in (
        (deep, "20151022000000"),
        (home, "20151021000000"),  # the home page is captured every day: no rescue of the story
        (sold, "20151020000000"),
        (lander, "20151021000000"),
        ("https://short-target.example/2015/story", "20151023000000"),
        ("https://short-home.example/2015/10/21/story", "20151019000000"),
        ("https://short-home.example/", "20151021000000"),
    ):
        twitter_web.capture(url, stamp, "<html><p>as it was</p></html>")
    article = tmp_path / "a.html"
    article.write_text(
        '<html><head><meta property="article:published_time" content="2015-10-21"></head><body>'
        f'<a href="{deep}">a</a> <a href="{sold}">b</a> <a href="https://t.co/shortGone">c</a> <a href="https://t.co/shortHome">d</a></body></html>',
        encoding="utf-8",
    )
    done = run("audit", "--no-cache", "--no-probe", "-f", "jsonl", str(article))
    assert done.returncode == 1, done.stderr
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert {url: (row["verdict"], row["wayback_timestamp"]) for url, row in rows.items()} == {
        deep: ("soft-404", "20151022000000"),
        sold: ("parked", "20151020000000"),
        # A short link's own captures are redirects: its target's is the page that was cited.
        "https://t.co/shortGone": ("dead", "20151023000000"),
        "https://t.co/shortHome": ("soft-404", "20151019000000"),
    }
    assert rows[deep]["wayback_url"].endswith("/" + deep)
