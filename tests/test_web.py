"""The local web plays the internet faithfully, through a proxy, the way the product meets it.

Every test drives plain httpx clients through the proxy (explicit `proxy=` or the environment,
as users configure it), so these tests also pin down what each behaviour looks like to httpx:
the exception or status the expansion engine will turn into a verdict.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import re
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.model import Fault, ProxyFlavour, Request, Response, Stream, TlsFault, Upstream
from tests.web.scenarios import (
    HeadPolicy,
    Web,
    gzip_bomb,
    install_bench,
    js_escape,
    retry_after_date,
)
from tests.web.server import BadRequest, WebServer, locate, parse_head, split_authority

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
REPO = Path(__file__).resolve().parents[1]


def client(web: Web, **kw: Any) -> httpx.Client:
    return httpx.Client(**web.client_options(), **kw)


def async_client(web: Web, **kw: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(**web.client_options(), **kw)


# -- the way in: forwarding, tunnels, the environment -----------------------------------------


def test_plain_http_is_forwarded_in_absolute_form_and_logged(local_web: Web) -> None:
    local_web.page("http://news.example/a?x=1", "<p>hello</p>")
    with client(local_web) as c:
        r = c.get("http://news.example/a?x=1", headers={"X-Test": "1"})
    assert (r.status_code, r.text) == (200, "<p>hello</p>")
    [seen] = local_web.requests
    assert (seen.method, seen.scheme, seen.host, seen.port, seen.target) == (
        "GET",
        "http",
        "news.example",
        80,
        "/a?x=1",
    )
    assert seen.headers["x-test"] == "1" and seen.url == "http://news.example/a?x=1"
    assert local_web.count_connects() == 0


def test_https_runs_inside_one_keep_alive_connect_tunnel(local_web: Web) -> None:
    local_web.page("https://news.example/a", "a")
    local_web.page("https://news.example/b", "b")
    with client(local_web) as c:
        texts = [c.get(f"https://news.example/{p}").text for p in "abab"]
    assert texts == list("abab")
    assert local_web.count("news.example") == 4
    assert [(t.host, t.port) for t in local_web.connects] == [("news.example", 443)]
    assert {r.scheme for r in local_web.requests} == {"https"}


def test_proxy_env_is_honoured_by_a_default_client(proxy_env: Web, local_web: Web) -> None:
    assert "NO_PROXY" not in os.environ and "no_proxy" not in os.environ
    local_web.page("https://bit.ly/", "s")
    local_web.page("http://example.com/", "p")
    with httpx.Client() as c:  # no proxy= and no verify=: the environment says it all
        assert c.get("https://bit.ly/").text == "s"
        assert c.get("http://example.com/").text == "p"
    assert local_web.count() == 2 and local_web.count_connects("bit.ly") == 1


async def test_async_client_with_proxy_env_fetches_generated_links(proxy_env: Web, local_web: Web) -> None:
    install_bench(local_web)
    async with httpx.AsyncClient(follow_redirects=True) as c:
        responses = await asyncio.gather(*(c.get(f"https://s{n % 5}.example/L{n}") for n in range(40)))
    assert {str(r.url) for r in responses} == {f"https://o{n % 5}.example/page/L{n}" for n in range(40)}
    assert local_web.count() == 80
    assert local_web.count("s3.example", "/L8") == 1


def test_request_bodies_reach_handlers_sized_or_chunked(local_web: Web) -> None:
    local_web.route("https://api.example/echo", lambda r: Response.text(f"{r.method} {r.body.decode()}"))
    with client(local_web) as c:
        assert c.post("https://api.example/echo", content=b"sized").text == "POST sized"
        assert c.post("https://api.example/echo", content=iter([b"chun", b"ked"])).text == "POST chunked"


def test_routes_of_a_layer_vanish_with_it(local_web: Web) -> None:
    with local_web.scope():
        local_web.page("https://ephemeral.example/", "here")
        assert local_web.knows("ephemeral.example")
    assert not local_web.knows("ephemeral.example")
    assert local_web.upstream("ephemeral.example") is Upstream.DNS_FAILURE


# -- redirects and relocations ----------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    ("location", "final"),
    [
        ("https://news.example/final", "https://news.example/final"),
        ("/final", "https://short.example/final"),
        ("../final", "https://short.example/final"),
    ],
)
def test_redirect_statuses_and_location_forms(local_web: Web, status: int, location: str, final: str) -> None:
    local_web.redirect("https://short.example/x/y", location, status)
    local_web.page(final, "done")
    with client(local_web) as c:
        hop = c.get("https://short.example/x/y")
        assert (hop.status_code, hop.headers["location"]) == (status, location)
        landed = c.get("https://short.example/x/y", follow_redirects=True)
    assert (str(landed.url), landed.text, len(landed.history)) == (final, "done", 1)


def test_lowercase_location_header_is_sent_as_is(local_web: Web) -> None:
    local_web.redirect("https://short.example/lc", "https://news.example/", 302, header_name="location")
    local_web.redirect("https://short.example/uc", "https://news.example/", 302)
    local_web.page("https://news.example/", "ok")
    with client(local_web) as c:
        lower = c.get("https://short.example/lc")
        upper = c.get("https://short.example/uc")
        assert c.get("https://short.example/lc", follow_redirects=True).text == "ok"
    assert b"location" in [name for name, _ in lower.headers.raw]
    assert b"Location" in [name for name, _ in upper.headers.raw]


def test_chain_of_mixed_hops(local_web: Web) -> None:
    urls = ["https://ow.ly/a", "http://bit.ly/b", "https://t.co/c", "https://news.example/end"]
    local_web.chain(*urls, status=[301, 302, 307])
    local_web.page(urls[-1], "end")
    with client(local_web, follow_redirects=True) as c:
        r = c.get(urls[0])
    assert [h.status_code for h in r.history] == [301, 302, 307] and r.text == "end"
    assert [str(h.url) for h in r.history] == urls[:-1]


def test_loops_and_self_redirects_exhaust_httpx(local_web: Web) -> None:
    local_web.loop("https://loop.example/a", "https://loop.example/b")
    local_web.self_redirect("https://loop.example/self")
    with client(local_web, follow_redirects=True, max_redirects=5) as c:
        for url in ("https://loop.example/a", "https://loop.example/self"):
            with pytest.raises(httpx.TooManyRedirects):
                c.get(url)
    assert local_web.count("loop.example", "/a") == 3 and local_web.count("loop.example", "/b") == 3


# What httpx does with a Location it cannot fetch. It builds the next request for every
# redirect response, even with follow_redirects=False: a Location without a host (`mailto:`,
# `javascript:`) raises InvalidURL from the plain GET. InvalidURL is NOT an httpx.HTTPError,
# so an engine that reads redirects must catch it on its own (or read Location itself).
ODD_TARGETS = [
    ("ftp://files.example/x", None, httpx.UnsupportedProtocol),
    ("mailto:editor@news.example", httpx.InvalidURL, httpx.InvalidURL),
    ("javascript:alert(1)", httpx.InvalidURL, httpx.InvalidURL),
]


@pytest.mark.parametrize(("target", "unfollowed", "followed"), ODD_TARGETS)
def test_redirects_to_other_schemes(
    local_web: Web, target: str, unfollowed: type[Exception] | None, followed: type[Exception]
) -> None:
    local_web.redirect("https://short.example/odd", target, 302)
    with client(local_web) as c:
        if unfollowed is None:
            assert c.get("https://short.example/odd").headers["location"] == target
        else:
            with pytest.raises(unfollowed):
                c.get("https://short.example/odd")
        with pytest.raises(followed):
            c.get("https://short.example/odd", follow_redirects=True)
    # The server did answer, every time: the failure is the client's.
    assert local_web.count("short.example", "/odd") == 2


def test_refresh_header_meta_refresh_and_javascript(local_web: Web) -> None:
    target = "https://news.example/story?id=1&x=2"
    local_web.refresh_header("https://shim.example/h", target)
    local_web.meta_refresh("https://shim.example/m", target)
    local_web.js_redirect("https://shim.example/jr", target)
    local_web.js_redirect("https://shim.example/jh", target, style="href")
    with client(local_web) as c:
        header = c.get("https://shim.example/h")
        meta = c.get("https://shim.example/m").text
        replace = c.get("https://shim.example/jr").text
        href = c.get("https://shim.example/jh").text
    assert header.status_code == 200 and header.headers["refresh"] == f"0; url={target}"
    assert '<meta http-equiv="refresh" content="0;URL=https://news.example/story?id=1&amp;x=2">' in meta
    assert 'location.replace("https:\\/\\/news.example\\/story?id=1&x=2")' in replace
    assert f"window.location.href = '{target}';" in href


# -- t.co, pic.twitter.com, twitter.com, x.com ------------------------------------------------


def test_tco_redirects_non_browsers_and_serves_browsers_a_page(local_web: Web) -> None:
    target = "https://news.example/2015/10/21/story"
    local_web.tco("AbC123", target)
    with client(local_web) as c:
        plain = c.get("https://t.co/AbC123")  # python-httpx/0.28 user agent
        curl = c.get("https://t.co/AbC123", headers={"User-Agent": "curl/8.5.0"})
        browser = c.get("https://t.co/AbC123", headers={"User-Agent": BROWSER})
        missing = c.get("https://t.co/nope")
    assert (plain.status_code, plain.headers["location"]) == (301, target)
    assert curl.status_code == 301
    assert browser.status_code == 200 and "location" not in browser.headers
    assert f'<noscript><META http-equiv="refresh" content="0;URL={target}"></noscript>' in browser.text
    assert '<script>window.opener = null; location.replace("https:\\/\\/news.example\\/2015' in browser.text
    assert js_escape(target) == "https:\\/\\/news.example\\/2015\\/10\\/21\\/story"
    assert missing.status_code == 404


def test_pic_twitter_leads_through_twitter_to_the_x_login_wall(local_web: Web) -> None:
    photo = local_web.tweet_media("Pic123", "mod_russia", 656722946431664128)
    assert photo == "https://twitter.com/mod_russia/status/656722946431664128/photo/1"
    with client(local_web, follow_redirects=True) as c:
        via_pic = c.get("http://pic.twitter.com/Pic123")
        via_tco = c.get("https://t.co/Pic123")
        other = c.get("https://x.com/someone/status/1")  # deleted or not: the same wall
    for r in (via_pic, via_tco):
        assert [str(h.url) for h in r.history][-1] == photo
        assert str(r.url) == "https://x.com/mod_russia/status/656722946431664128/photo/1"
        assert r.status_code == 200 and "JavaScript is not available" in r.text
    assert other.text == via_pic.text


# -- statuses, Retry-After, scripted sequences, HEAD ------------------------------------------


@pytest.mark.parametrize("status", [404, 410, 500, 502, 503])
def test_plain_statuses(local_web: Web, status: int) -> None:
    local_web.status(f"https://news.example/{status}", status)
    with client(local_web) as c:
        assert c.get(f"https://news.example/{status}").status_code == status


def test_retry_after_in_seconds_and_as_an_http_date(local_web: Web) -> None:
    when = retry_after_date(local_web.clock, 120)
    local_web.status("https://web.archive.org/a", 429, retry_after=30)
    local_web.status("https://web.archive.org/b", 503, retry_after=when)
    with client(local_web) as c:
        seconds = c.get("https://web.archive.org/a")
        date = c.get("https://web.archive.org/b")
    assert (seconds.status_code, seconds.headers["retry-after"]) == (429, "30")
    assert date.status_code == 503
    delta = email.utils.parsedate_to_datetime(date.headers["retry-after"]).timestamp() - time.time()
    assert 100 < delta <= 121


def test_rate_limited_n_times_then_ok_with_per_client_counters(local_web: Web) -> None:
    local_web.rate_limited(
        "https://cdx.example/q", 2, Response.json([["timestamp"]]), key=lambda r: r.user_agent
    )
    with client(local_web) as c:
        first = [c.get("https://cdx.example/q", headers={"User-Agent": "one"}).status_code for _ in range(4)]
        second = [c.get("https://cdx.example/q", headers={"User-Agent": "two"}).status_code for _ in range(3)]
    assert first == [429, 429, 200, 200] and second == [429, 429, 200]


@pytest.mark.parametrize(
    ("policy", "status", "location"),
    [
        (HeadPolicy.SAME, 301, "https://news.example/"),
        (HeadPolicy.METHOD_NOT_ALLOWED, 405, None),
        (HeadPolicy.NO_LOCATION, 200, None),
    ],
)
def test_shortener_head_policies(
    local_web: Web, policy: HeadPolicy, status: int, location: str | None
) -> None:
    local_web.shortener("https://bit.ly/h", "https://news.example/", head=policy)
    with client(local_web) as c:
        head = c.head("https://bit.ly/h")
        get = c.get("https://bit.ly/h")
    assert (head.status_code, head.headers.get("location"), head.content) == (status, location, b"")
    assert (get.status_code, get.headers["location"]) == (301, "https://news.example/")


# -- broken servers ---------------------------------------------------------------------------

# (fault, scheme) -> what httpx raises, sync and async. Over TLS the sync client's ssl module
# reports a TCP reset as a ragged EOF, so a reset looks like a clean close there.
FAULTS = [
    (Fault.CLOSE_BEFORE_RESPONSE, "http", httpx.RemoteProtocolError, httpx.RemoteProtocolError),
    (Fault.CLOSE_BEFORE_RESPONSE, "https", httpx.RemoteProtocolError, httpx.RemoteProtocolError),
    (Fault.RESET_MID_HEADERS, "http", httpx.ReadError, httpx.ReadError),
    (Fault.RESET_MID_HEADERS, "https", httpx.RemoteProtocolError, httpx.ReadError),
    (Fault.RESET_MID_BODY, "http", httpx.ReadError, httpx.ReadError),
    (Fault.RESET_MID_BODY, "https", httpx.RemoteProtocolError, httpx.ReadError),
    (Fault.CLOSE_MID_BODY, "http", httpx.RemoteProtocolError, httpx.RemoteProtocolError),
    (Fault.CLOSE_MID_BODY, "https", httpx.RemoteProtocolError, httpx.RemoteProtocolError),
]


@pytest.mark.parametrize(("fault", "scheme", "sync_error", "async_error"), FAULTS)
async def test_faults_as_httpx_sees_them(
    local_web: Web, fault: Fault, scheme: str, sync_error: type[Exception], async_error: type[Exception]
) -> None:
    local_web.fault("https://broken.example/f", fault)
    url = f"{scheme}://broken.example/f"
    with client(local_web) as c, pytest.raises(sync_error):
        c.get(url)
    async with async_client(local_web) as ac:
        with pytest.raises(async_error):
            await ac.get(url)


def test_wrong_content_length_truncates_the_body(local_web: Web) -> None:
    local_web.wrong_length("https://broken.example/short", b"abc", declared=10)
    with (
        client(local_web) as c,
        pytest.raises(httpx.RemoteProtocolError, match="received 3 bytes, expected 10"),
    ):
        c.get("https://broken.example/short")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_stall_ends_in_a_read_timeout(local_web: Web, scheme: str) -> None:
    local_web.stall("https://slow.example/stall")
    started = time.monotonic()
    with client(local_web, timeout=httpx.Timeout(2, read=0.3)) as c, pytest.raises(httpx.ReadTimeout):
        c.get(f"{scheme}://slow.example/stall")
    assert time.monotonic() - started < 1.5


def test_slow_headers(local_web: Web) -> None:
    local_web.slow_headers("https://slow.example/h", delay=0.05)
    local_web.slow_headers("https://slow.example/slower", delay=0.5)
    with client(local_web, timeout=httpx.Timeout(2, read=0.3)) as c:
        started = time.monotonic()
        assert c.get("https://slow.example/h").status_code == 200
        assert time.monotonic() - started >= 0.1
        with pytest.raises(httpx.ReadTimeout):
            c.get("https://slow.example/slower")


def test_slow_drip_body(local_web: Web) -> None:
    local_web.drip("https://slow.example/drip", b"abcde", interval=0.05)
    local_web.drip("https://slow.example/trickle", b"abcde", interval=0.5)
    with client(local_web, timeout=httpx.Timeout(2, read=0.3)) as c:
        started = time.monotonic()
        assert c.get("https://slow.example/drip").content == b"abcde"
        assert time.monotonic() - started >= 0.2
        with pytest.raises(httpx.ReadTimeout):
            c.get("https://slow.example/trickle")


def test_latency_default_and_per_route(local_web: Web) -> None:
    local_web.page("https://news.example/default", "d")
    local_web.route("https://news.example/fast", Response.text("f", latency=0.0))
    local_web.latency = 0.2
    with client(local_web) as c:
        started = time.monotonic()
        c.get("https://news.example/default")
        slow = time.monotonic() - started
        started = time.monotonic()
        c.get("https://news.example/fast")
        fast = time.monotonic() - started
    assert slow >= 0.2 > fast


def test_connect_latency_is_paid_once_per_tunnel(local_web: Web) -> None:
    local_web.page("https://news.example/", "n")
    local_web.connect_latency = 0.2
    with client(local_web) as c:
        started = time.monotonic()
        c.get("https://news.example/")
        first = time.monotonic() - started
        started = time.monotonic()
        c.get("https://news.example/")
        second = time.monotonic() - started
    assert first >= 0.2 > second


@pytest.mark.parametrize("chunked", [False, True])
def test_huge_body_is_streamed_not_stored(local_web: Web, chunked: bool) -> None:
    local_web.huge("https://files.example/2g", chunked=chunked)
    with client(local_web) as c, c.stream("GET", "https://files.example/2g") as r:
        assert r.headers.get("content-length") == (None if chunked else str(2 << 30))
        received = 0
        for piece in r.iter_raw():
            received += len(piece)
            if received >= 4 << 20:
                break
    assert received >= 4 << 20


def test_gzip_bomb_is_small_on_the_wire(local_web: Web) -> None:
    size = 64 << 20
    wire = local_web.gzip_bomb("https://bomb.example/", size)
    assert wire < 100_000
    with client(local_web) as c, c.stream("GET", "https://bomb.example/") as r:
        assert r.headers["content-encoding"] == "gzip"
        raw = b"".join(r.iter_raw())
    assert len(raw) == wire
    inflater, inflated, data = zlib.decompressobj(31), 0, raw
    while data:  # inflate a bounded piece at a time, as a careful client must
        inflated += len(inflater.decompress(data, 1 << 20))
        data = inflater.unconsumed_tail
    assert inflated == size and inflater.eof


def test_gzip_bomb_bytes_are_one_valid_member() -> None:
    for size in (0, 1, (1 << 20) + 5, 3 << 20):
        assert zlib.decompress(gzip_bomb(size), 31) == bytes(size)


# -- a proxy that cannot reach the host ---------------------------------------------------------


def test_unknown_host_is_a_dns_failure_at_the_proxy(local_web: Web) -> None:
    with client(local_web) as c:
        with pytest.raises(httpx.ProxyError, match=r"^502 Bad Gateway$"):
            c.get("https://nx.example/")
        forwarded = c.get("http://nx.example/")
    assert forwarded.status_code == 502
    assert "Cannot connect to nx.example:80: [Errno -2] Name or service not known" in forwarded.text
    assert local_web.count_connects("nx.example") == 1 and local_web.count("nx.example") == 1


def test_refused_host(local_web: Web) -> None:
    local_web.set_upstream("refused.example", Upstream.REFUSED)
    with client(local_web) as c:
        with pytest.raises(httpx.ProxyError, match="502 Bad Gateway"):
            c.get("https://refused.example/")
        assert "[Errno 111] Connection refused" in c.get("http://refused.example/").text


def test_squid_flavour_of_upstream_errors(local_web: Web) -> None:
    local_web.flavour = ProxyFlavour.SQUID
    local_web.set_upstream("refused.example", Upstream.REFUSED)
    with client(local_web) as c:
        with pytest.raises(httpx.ProxyError, match="503 Service Unavailable"):
            c.get("https://nx.example/")
        dns = c.get("http://nx.example/")
        refused = c.get("http://refused.example/")
    assert (dns.status_code, dns.headers["x-squid-error"]) == (503, "ERR_DNS_FAIL 0")
    assert (refused.status_code, refused.headers["x-squid-error"]) == (503, "ERR_CONNECT_FAIL 111")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_upstream_connect_timeout_is_a_read_timeout(local_web: Web, scheme: str) -> None:
    local_web.set_upstream("timeout.example", Upstream.TIMEOUT)
    with client(local_web, timeout=httpx.Timeout(2, read=0.3)) as c, pytest.raises(httpx.ReadTimeout):
        c.get(f"{scheme}://timeout.example/")


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (TlsFault.UNTRUSTED, "unable to get local issuer certificate"),
        (TlsFault.WRONG_NAME, "Hostname mismatch"),
        (TlsFault.EXPIRED, "certificate has expired"),
    ],
)
async def test_tls_faults_are_connect_errors(local_web: Web, fault: TlsFault, message: str) -> None:
    local_web.set_tls("bad.tls.example", fault)
    local_web.page("https://bad.tls.example/", "never seen")
    with (
        client(local_web) as c,
        pytest.raises(httpx.ConnectError, match=f"CERTIFICATE_VERIFY_FAILED.*{message}"),
    ):
        c.get("https://bad.tls.example/")
    async with async_client(local_web) as ac:
        with pytest.raises(httpx.ConnectError, match=message):
            await ac.get("https://bad.tls.example/")
    assert local_web.count("bad.tls.example") == 0


# -- wildcard handlers and the request log ----------------------------------------------------


def test_host_level_and_pattern_handlers(local_web: Web) -> None:
    local_web.add_host("blog.example", lambda r: Response.html(f"<title>{r.path}</title>"))
    local_web.add_host("bench-origin-*.test", Response.html("origin"))
    local_web.page("https://blog.example/special", "special")
    with client(local_web) as c:
        assert c.get("https://blog.example/any/path").text == "<title>/any/path</title>"
        assert c.get("https://blog.example/special").text == "special"
        assert c.get("http://bench-origin-42.test/x").text == "origin"
    assert local_web.upstream("bench-origin-7.test") is Upstream.OK
    assert local_web.upstream("bench-origin.test") is Upstream.DNS_FAILURE


def test_generated_benchmark_links_need_no_routes(local_web: Web) -> None:
    install_bench(local_web)
    with client(local_web) as c:
        r = c.get("https://s17.example/abc")
        assert (r.status_code, r.headers["location"]) == (301, "https://o17.example/page/abc")
        assert "<title>o17.example/page/abc</title>" in c.get(r.headers["location"]).text
        assert c.get("https://dead3.example/x").status_code == 404
        assert c.get("https://gone3.example/x").status_code == 410
    assert local_web.upstream("sputnik.example") is Upstream.DNS_FAILURE


def test_generated_multi_hop_links_take_exactly_k_redirects_in_their_scheme(local_web: Web) -> None:
    install_bench(local_web)
    with client(local_web) as c:
        r = c.get("http://h7.example/3/Zq9")
        assert (r.status_code, r.headers["location"]) == (301, "http://h7.example/2/Zq9")
        assert c.get("https://h7.example/1/Zq9").headers["location"] == "https://o7.example/page/Zq9"
        assert c.get("http://h7.example/0/Zq9").status_code == 404
        assert c.get("http://h7.example/Zq9").status_code == 404
    with client(local_web, follow_redirects=True) as c:
        r = c.get("http://h7.example/3/Zq9")
        assert str(r.url) == "http://o7.example/page/Zq9" and len(r.history) == 3
    assert local_web.count("h7.example") == 7 and local_web.count("o7.example") == 1
    with client(local_web, follow_redirects=True) as c:
        r = c.get("http://h8-example.com/2/Zq9")
        assert str(r.url) == "http://o8-example.com/page/Zq9" and len(r.history) == 2
        assert c.get("http://dead8-example.com/Zq9").status_code == 404
        assert c.get("http://gone8-example.com/Zq9").status_code == 410


def test_request_log_counts_and_resets(local_web: Web) -> None:
    local_web.page("https://news.example/a", "a")
    with client(local_web) as c:
        c.get("https://news.example/a?x=1")
        c.get("https://news.example/a?x=2")
        c.head("https://news.example/a")
        c.get("https://news.example/other")
    assert local_web.count() == 4 and local_web.count("news.example") == 4
    assert local_web.count("news.example", "/a") == 3
    assert local_web.count("news.example", "/a?x=2") == 1
    assert local_web.count(path="/a", method="HEAD") == 1
    assert local_web.count("elsewhere.example") == 0
    assert local_web.stats("news.example")["paths"] == {"/a": 3, "/other": 1}
    local_web.reset_log()
    assert local_web.count() == 0 and local_web.requests == [] and local_web.connects == []


def test_handlers_that_pass_fall_through_to_less_specific_routes(local_web: Web) -> None:
    def only_mozilla(request: Request) -> Response | None:
        return Response.text("browser") if request.is_browser else None

    local_web.route("https://news.example/p", only_mozilla)
    local_web.add_host("news.example", Response.text("anyone"))
    with client(local_web) as c:
        assert c.get("https://news.example/p", headers={"User-Agent": BROWSER}).text == "browser"
        assert c.get("https://news.example/p").text == "anyone"


def test_stream_bodies_are_made_per_response(local_web: Web) -> None:
    body = Stream(lambda: iter([b"one ", b"two"]))
    local_web.route("https://news.example/s", Response(200, (), body))
    with client(local_web) as c:
        assert [c.get("https://news.example/s").text for _ in range(2)] == ["one two"] * 2


# -- the proxy's own pages, the parser, the command line --------------------------------------


def test_proxy_answers_for_itself(local_web: Web, web_server: WebServer) -> None:
    local_web.page("https://news.example/", "n")
    with client(local_web) as c:
        c.get("https://news.example/")
    with httpx.Client(trust_env=False) as direct:
        assert direct.get(f"{web_server.proxy_url}/ca.pem").content == web_server.ca_path.read_bytes()
        stats = direct.get(f"{web_server.proxy_url}/_web/stats?host=news.example").json()
    assert stats == {"requests": 1, "connects": 1, "hosts": {"news.example": 1}, "paths": {"/": 1}}


LOCATE_CASES = [
    ("http://Example.COM/a?b", None, ("http", "example.com", 80, "/a?b")),
    ("http://example.com", None, ("http", "example.com", 80, "/")),
    ("http://example.com?q=/x", None, ("http", "example.com", 80, "/?q=/x")),
    ("http://example.com:8080/", None, ("http", "example.com", 8080, "/")),
    ("http://[::1]:81/x", None, ("http", "::1", 81, "/x")),
    ("/in/tunnel", ("t.co", 443), ("https", "t.co", 443, "/in/tunnel")),
]


@pytest.mark.parametrize(("target", "tunnel", "expected"), LOCATE_CASES)
def test_locate(target: str, tunnel: tuple[str, int] | None, expected: tuple[str, str, int, str]) -> None:
    headers = parse_head(b"GET / HTTP/1.1\r\nHost: proxy\r\n\r\n")[3]
    assert locate(target, headers, tunnel) == expected


@pytest.mark.parametrize(
    "head",
    [
        b"GET /\r\n\r\n",
        b"GET / HTTP/2\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
        b"GET / HTTP/1.1\r\n x: y\r\n\r\n",
    ],
)
def test_bad_request_heads(head: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_head(head)


def test_authority_without_host_is_refused() -> None:
    with pytest.raises(BadRequest):
        split_authority(":443", 443)


def test_raw_http_1_0_and_connection_close(local_web: Web, web_server: WebServer) -> None:
    local_web.page("http://news.example/", "n")

    async def ask(request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", web_server.server.port)
        writer.write(request)
        data = await asyncio.wait_for(reader.read(), 5)  # the server must close: read to EOF
        writer.close()
        await writer.wait_closed()
        return data

    old = asyncio.run(ask(b"GET http://news.example/ HTTP/1.0\r\n\r\n"))
    close = asyncio.run(ask(b"GET http://news.example/ HTTP/1.1\r\nConnection: close\r\n\r\n"))
    assert old.startswith(b"HTTP/1.1 200 OK\r\n") and old.endswith(b"\r\n\r\nn")
    assert b"Connection: close\r\n" in close


def test_command_line_serves_a_scenario_and_stops_on_sigterm(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "tests.web",
        "--port",
        "0",
        "--scenario",
        "demo",
        "--state-dir",
        str(tmp_path),
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        proxy = re.search(r"(http://127\.0\.0\.1:\d+)", lines[0])
        assert proxy is not None and f"CA certificate: {tmp_path}" in lines[1]
        import ssl

        verify = ssl.create_default_context(cafile=lines[1].split(": ", 1)[1].strip())
        with httpx.Client(proxy=proxy.group(1), verify=verify, trust_env=False) as c:
            assert c.get("https://t.co/demo1").headers["location"] == "https://news.example/2015/10/21/story"
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=10)
    assert process.returncode == 0 and "served 1 requests, 1 CONNECT tunnels" in out
