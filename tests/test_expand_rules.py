"""The expansion heuristics as data: relocations, proxies' error pages, the address guard."""

from __future__ import annotations

import httpx
import pytest

from resolver.expander import guard
from resolver.expander.failures import classify_exception, proxy_error_verdict, verdict_from_text
from resolver.expander.relocation import (
    find_meta_refresh,
    find_relocation,
    find_script_relocation,
    parse_refresh,
    refresh_target,
    unescape_js,
)
from resolver.expander.verdicts import Verdict, Via, verdict_for_status
from tests.web.scenarios import tco_page

# --- Refresh and script relocations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0;URL=https://a.example/x", (0.0, "https://a.example/x")),
        ("0; url='https://a.example/x'", (0.0, "https://a.example/x")),
        ('5;URL="/relative"', (5.0, "/relative")),
        ("0,URL=https://a.example/x", (0.0, "https://a.example/x")),
        ("0;https://a.example/x", (0.0, "https://a.example/x")),
        ("300", (300.0, None)),
        ("URL=https://a.example/x", (0.0, "https://a.example/x")),
        ("0;URL=https://a.example/?a=1&amp;b=2", (0.0, "https://a.example/?a=1&b=2")),
        ("", None),
    ],
)
def test_parse_refresh(value: str, expected: tuple[float, str | None] | None) -> None:
    assert parse_refresh(value) == expected


def test_a_long_delay_or_no_url_is_not_a_redirect() -> None:
    assert refresh_target("300;URL=https://a.example/") is None
    assert refresh_target("600") is None
    assert refresh_target("2;URL=https://a.example/") == "https://a.example/"


@pytest.mark.parametrize(
    "markup",
    [
        '<meta http-equiv="refresh" content="0;URL=https://t.example/x">',
        "<META HTTP-EQUIV=Refresh CONTENT='0; url=https://t.example/x'>",
        '<meta content="0;url=https://t.example/x" http-equiv="refresh" />',
        '<noscript><META http-equiv="refresh" content="0;URL=https://t.example/x"></noscript>',
        '<meta http-equiv="refresh" content="0;URL=https://t.example/x&amp;y=1">'.replace("&amp;y=1", ""),
        # Unquoted, "=" and all: the HTML tokenizer ends an unquoted value at a blank or ">".
        "<meta http-equiv=refresh content=0;url=https://t.example/x>",
        "<meta HTTP-EQUIV=REFRESH content=0;URL=https://t.example/x >",
        """<meta http-equiv="Refresh" content="0; URL = 'https://t.example/x'">""",
    ],
)
def test_meta_refresh_forms(markup: str) -> None:
    assert find_meta_refresh(f"<html><head>{markup}</head><body></body></html>") == "https://t.example/x"


def test_a_commented_out_meta_refresh_is_ignored() -> None:
    assert (
        find_meta_refresh('<!-- <meta http-equiv="refresh" content="0;URL=https://t.example/x"> -->') is None
    )


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('location.replace("https:\\/\\/t.example\\/x")', "https://t.example/x"),
        ("window.location.replace('https://t.example/x')", "https://t.example/x"),
        ('window.location.href = "https://t.example/x";', "https://t.example/x"),
        ('document.location = "https://t.example/x"', "https://t.example/x"),
        ("top.location.assign('/next')", "/next"),
        ('window.location="https:\\u002F\\u002Ft.example\\x2Fx"', "https://t.example/x"),
        ("window.open('https://t.example/x', '_self')", "https://t.example/x"),
    ],
)
def test_script_relocations(script: str, expected: str) -> None:
    assert find_script_relocation(f"<script>{script}</script>") == expected


@pytest.mark.parametrize(
    "script",
    [
        'if (location.href == "https://t.example/x") {}',
        'var mylocation = "https://t.example/x";',
        'location.href = "javascript:void(0)"',
        "var x = 1;",
    ],
)
def test_not_script_relocations(script: str) -> None:
    assert find_script_relocation(f"<script>{script}</script>") is None


def test_tco_browser_page_prefers_the_meta_refresh() -> None:
    page = tco_page("https://news.example/story?a=1&b=2")
    relocation = find_relocation(page, whole_body=True, body_size=len(page))
    assert relocation is not None and relocation.via is Via.META_REFRESH
    assert relocation.target == "https://news.example/story?a=1&b=2"


def test_scripts_on_big_pages_are_not_relocations() -> None:
    page = '<script>location.href = "https://t.example/x"</script>' + "<p>text</p>" * 2000
    assert find_relocation(page, whole_body=True, body_size=len(page)) is None
    assert find_relocation(page[:200], whole_body=False, body_size=200) is None
    small = '<script>location.href = "https://t.example/x"</script>'
    found = find_relocation(small, whole_body=True, body_size=len(small))
    assert found is not None and found.via is Via.JS


def test_unescape_js() -> None:
    assert unescape_js(r"https:\/\/a\x2Eb\u002Fc\\d") == "https://a.b/c\\d"


# --- Proxies' error pages and transport errors ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (
            502,
            {},
            "Cannot connect to gone.example:443: [Errno -2] Name or service not known",
            Verdict.DNS_FAILURE,
        ),
        (
            502,
            {},
            "<p>Cannot connect to gone.example:80: [Errno 111] Connection refused</p>",
            Verdict.CONNECT_REFUSED,
        ),
        (
            502,
            {},
            "Cannot establish TLS with gone.example:443 (sni: gone.example): certificate verify failed",
            Verdict.TLS_ERROR,
        ),
        (503, {"X-Squid-Error": "ERR_DNS_FAIL 0"}, "<html>ERROR</html>", Verdict.DNS_FAILURE),
        (503, {"X-Squid-Error": "ERR_CONNECT_FAIL 111"}, "<html>ERROR</html>", Verdict.CONNECT_REFUSED),
        (503, {"X-Squid-Error": "ERR_CONNECT_FAIL 110"}, "<html>ERROR</html>", Verdict.TIMEOUT),
        (504, {"X-Squid-Error": "ERR_READ_TIMEOUT 0"}, "", Verdict.TIMEOUT),
        # An origin's own 502 (nginx) does not name the host it failed: it stays a 5xx.
        (502, {"Server": "nginx"}, "<html><h1>502 Bad Gateway</h1><hr>nginx</html>", None),
        (500, {}, "Cannot connect to gone.example", None),
    ],
)
def test_proxy_error_pages(status: int, headers: dict[str, str], body: str, expected: Verdict | None) -> None:
    assert proxy_error_verdict(status, httpx.Headers(headers), body, "gone.example") is expected


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectTimeout("timed out"), Verdict.TIMEOUT),
        (httpx.ReadTimeout("timed out"), Verdict.TIMEOUT),
        (httpx.ConnectError("[Errno -2] Name or service not known"), Verdict.DNS_FAILURE),
        (httpx.ConnectError("[Errno 111] Connection refused"), Verdict.CONNECT_REFUSED),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), Verdict.TLS_ERROR),
        (httpx.ProxyError("502 Bad Gateway"), Verdict.PROXY_ERROR),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            Verdict.CONNECTION_RESET,
        ),
        (httpx.RemoteProtocolError("illegal status line"), Verdict.PROTOCOL_ERROR),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), Verdict.CONNECTION_RESET),
    ],
)
def test_transport_errors(exc: Exception, expected: Verdict) -> None:
    verdict, reason = classify_exception(exc)
    assert verdict is expected and reason


def test_os_error_phrases() -> None:
    assert verdict_from_text("getaddrinfo failed") is Verdict.DNS_FAILURE
    assert verdict_from_text(
        "No connection could be made because the target machine actively refused it"
    ) is (Verdict.CONNECT_REFUSED)
    assert verdict_from_text("all is well") is None


@pytest.mark.parametrize(
    ("status", "verdict"),
    [(200, Verdict.OK), (204, Verdict.OK), (304, Verdict.OK), (401, Verdict.HTTP_401), (404, Verdict.HTTP_404),
     (410, Verdict.HTTP_410), (429, Verdict.RATE_LIMITED), (451, Verdict.HTTP_451), (499, Verdict.HTTP_4XX),
     (500, Verdict.HTTP_5XX), (599, Verdict.HTTP_5XX)],
)  # fmt: skip
def test_verdict_for_status(status: int, verdict: Verdict) -> None:
    assert verdict_for_status(status) is verdict


# --- The private-address guard --------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "224.0.0.1", "0.0.0.0", "[::1]",
     "::ffff:127.0.0.1", "fe80::1", "fd00::1", "100.64.1.1", "localhost", "LOCALHOST.", "printer.local",
     "db.internal", "router.home.arpa", "intranet", "2130706433", "0x7f.1", "0177.0.0.1", "017700000001",
     "0x7f000001", "127.1", "0", "192.168.0x1.1", "0x0a.0.0.1", "08.0.0.1", "4294967296"],
)  # fmt: skip
def test_refused_hosts(host: str) -> None:
    assert guard.name_problem(host) is not None


@pytest.mark.parametrize(
    ("host", "address"),
    [("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("127.1", "127.0.0.1"),
     ("0x7F000001", "127.0.0.1"), ("10.0x10.1", "10.16.0.1"), ("134744072", "8.8.8.8"), ("0", "0.0.0.0"),
     ("08.0.0.1", None), ("4294967296", None), ("256.0.0.1", None), ("1.2.3.4.5", None)],
)  # fmt: skip
def test_numeric_ipv4_spellings_read_as_browsers_read_them(host: str, address: str | None) -> None:
    """The URL Standard's IPv4 parser (and inet_aton): decimal, octal, hex, short forms."""
    ip = guard.numeric_ipv4(host)
    assert (str(ip) if ip else None) == address


def test_a_numeric_spelling_is_judged_by_the_address_it_spells() -> None:
    assert guard.name_problem("0177.0.0.1") == "0177.0.0.1 is 127.0.0.1, a loopback address"
    assert guard.name_problem("134744072") is None  # 8.8.8.8: public, like its dotted form


@pytest.mark.parametrize(
    "host", ["t.co", "bit.ly", "8.8.8.8", "2001:4860:4860::8888", "news.example", "x.com"]
)
def test_allowed_hosts(host: str) -> None:
    assert guard.name_problem(host) is None
