"""Expansion against the local web, through the proxy, as a user behind a proxy runs it.

Every test reaches the web the production way: httpx, HTTPS_PROXY / HTTP_PROXY and
SSL_CERT_FILE from the environment (`proxy_env`), TLS through CONNECT with the test CA.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import tracemalloc

import pytest

import resolver
from cache import open_store
from resolver.expander.engine import Expander, ExpandOptions
from resolver.expander.verdicts import VERDICTS, Verdict, Via
from resolver.models import Expansion
from resolver.net import DEFAULT_USER_AGENT, NetConfig
from tests.web.model import Fault, ProxyFlavour, Response, TlsFault, Upstream
from tests.web.scenarios import Web, retry_after_date, tco_page

FAST = ExpandOptions(timeout=2.0, link_timeout=10.0, retries=0, retry_base=0.01)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"

pytestmark = pytest.mark.usefixtures("proxy_env")


def one(url: str, options: ExpandOptions = FAST, **kw: object) -> Expansion:
    [result] = resolver.expand([url], options=options, **kw)  # type: ignore[arg-type]
    return result


def vias(result: Expansion) -> list[str]:
    return [hop.via.value for hop in result.hops]


# --- Redirect chains -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_followed(local_web: Web, status: int) -> None:
    local_web.page("https://news.example/story", "<html><title>story</title></html>")
    local_web.redirect("https://sho.rt/a", "https://news.example/story", status)
    result = one("https://sho.rt/a")
    assert result.verdict is Verdict.OK
    assert result.final_url == "https://news.example/story"
    assert [(h.status, h.via) for h in result.hops] == [(status, Via.LOCATION), (200, Via.FINAL)]
    assert result.http_status == 200
    assert all(h.elapsed_ms is not None and h.elapsed_ms >= 0 for h in result.hops)


def test_relative_and_lowercase_location(local_web: Web) -> None:
    local_web.redirect("https://site.example/a", "/b", header_name="location")
    local_web.redirect("https://site.example/b", "c/../d?x=1")
    local_web.page("https://site.example/d?x=1", "<html>ok</html>")
    result = one("https://site.example/a")
    assert result.verdict is Verdict.OK
    assert [h.url for h in result.hops] == [
        "https://site.example/a",
        "https://site.example/b",
        "https://site.example/d?x=1",
    ]


def test_long_chain_records_every_hop(local_web: Web) -> None:
    urls = [f"https://hop{i}.example/x" for i in range(6)]
    local_web.chain(*urls, status=[301, 302, 307, 308, 303])
    local_web.page(urls[-1], "<html>end</html>")
    result = one(urls[0])
    assert [h.url for h in result.hops] == urls
    assert vias(result) == ["location"] * 5 + ["final"]


def test_refresh_header_meta_refresh_and_js(local_web: Web) -> None:
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.refresh_header("https://r.example/x", "https://news.example/story")
    local_web.meta_refresh("https://m.example/x", "https://news.example/story")
    local_web.js_redirect("https://j.example/x", "https://news.example/story")
    results = {
        r.url: r
        for r in resolver.expand(
            ["https://r.example/x", "https://m.example/x", "https://j.example/x"], options=FAST
        )
    }
    assert vias(results["https://r.example/x"]) == ["refresh-header", "final"]
    assert vias(results["https://m.example/x"]) == ["meta-refresh", "final"]
    assert vias(results["https://j.example/x"]) == ["js", "final"]
    assert all(r.final_url == "https://news.example/story" and r.ok for r in results.values())


def test_self_refresh_of_a_front_page_is_not_a_redirect(local_web: Web) -> None:
    local_web.page(
        "https://front.example/",
        '<html><head><meta http-equiv="refresh" content="300"></head><body>news</body></html>',
    )
    local_web.page(
        "https://front2.example/",
        '<html><head><meta http-equiv="refresh" content="0;url=https://front2.example/"></head></html>',
    )
    for url in ("https://front.example/", "https://front2.example/"):
        result = one(url)
        assert result.verdict is Verdict.OK and vias(result) == ["final"], result


def test_tco_gets_a_non_browser_agent_per_hop(local_web: Web) -> None:
    """t.co answers browsers with a page; the engine picks the agent per hop, so a browser
    agent set by the user still reaches t.co as a non-browser (a plain 301)."""
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.tco("abc", "https://news.example/story")
    result = one("https://t.co/abc", config=NetConfig(user_agent=BROWSER))
    assert vias(result) == ["location", "final"]
    agents = {r.host: r.user_agent for r in local_web.requests}
    assert agents["t.co"] == DEFAULT_USER_AGENT
    assert agents["news.example"] == BROWSER


def test_tco_browser_page_is_followed_by_its_meta_refresh(local_web: Web) -> None:
    # What t.co gives a browser: a 200 page with <noscript><meta refresh> and location.replace.
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.route("https://lnkd.example/abc", Response.html(tco_page("https://news.example/story")))
    result = one("https://lnkd.example/abc")
    assert vias(result) == ["meta-refresh", "final"]
    assert result.final_url == "https://news.example/story"


# --- Twitter ---------------------------------------------------------------------------------------


def test_pic_twitter_is_tco_and_stops_at_the_status(local_web: Web) -> None:
    target = local_web.tweet_media("PXh7c6aziZ", "mod_russia", 656722946431664128)
    result = one("pic.twitter.com/PXh7c6aziZ")
    assert result.verdict is Verdict.OK
    assert result.url == "pic.twitter.com/PXh7c6aziZ"
    assert result.final_url == target
    assert result.hops[0].url == "https://t.co/PXh7c6aziZ"
    assert result.tweet is not None
    assert (result.tweet.id, result.tweet.handle, result.tweet.media_kind, result.tweet.media_index) == (
        "656722946431664128",
        "mod_russia",
        "photo",
        1,
    )
    # The login wall behind the status URL says nothing: it is never asked.
    assert local_web.count("pic.twitter.com") == 0
    assert local_web.count("twitter.com") == 0 and local_web.count("x.com") == 0
    assert local_web.count("t.co") == 1
    data = result.to_json()
    assert data["tweet"]["id"] == "656722946431664128" and data["hops"][-1]["via"] == "final"


def test_a_status_url_as_input_needs_no_request(local_web: Web) -> None:
    local_web.twitter()
    result = one("https://x.com/mod_russia/status/656722946431664128/video/2?s=20")
    assert result.verdict is Verdict.OK and result.tweet is not None
    assert result.tweet.media_kind == "video" and result.tweet.media_index == 2
    assert local_web.count() == 0


# --- Failures are data ------------------------------------------------------------------------------


def test_loops_and_self_redirects(local_web: Web) -> None:
    local_web.loop("https://loop.example/a", "https://loop.example/b")
    local_web.self_redirect("https://self.example/x")
    loop, self_loop = resolver.expand(["https://loop.example/a", "https://self.example/x"], options=FAST)
    assert loop.verdict is Verdict.REDIRECT_LOOP and len(loop.hops) == 3
    assert self_loop.verdict is Verdict.REDIRECT_LOOP
    assert local_web.count("self.example") == 1


def test_too_many_redirects(local_web: Web) -> None:
    urls = [f"https://many.example/{i}" for i in range(30)]
    local_web.chain(*urls)
    result = one(urls[0], ExpandOptions(max_hops=5, retries=0))
    assert result.verdict is Verdict.TOO_MANY_REDIRECTS
    assert len(result.hops) == 5
    assert local_web.count("many.example") == 5


@pytest.mark.parametrize(
    "location", ["mailto:someone@example.com", "javascript:alert(1)", "itms-apps://apps.apple.com/app/id1"]
)
def test_redirect_to_a_non_http_scheme(local_web: Web, location: str) -> None:
    local_web.redirect("https://app.example/x", location)
    result = one("https://app.example/x")
    assert result.verdict is Verdict.NON_HTTP_TARGET
    assert result.final_url == location
    assert result.hops[-1].via is Via.FINAL and result.hops[-1].status is None


@pytest.mark.parametrize(
    ("status", "verdict"),
    [(404, Verdict.HTTP_404), (410, Verdict.HTTP_410), (403, Verdict.HTTP_403), (418, Verdict.HTTP_4XX)],
)
def test_client_errors(local_web: Web, status: int, verdict: Verdict) -> None:
    local_web.redirect("https://bit.ly/dead", "https://news.example/gone")
    local_web.status("https://news.example/gone", status)
    result = one("https://bit.ly/dead", ExpandOptions(retries=2, retry_base=0.01))
    assert result.verdict is verdict
    assert result.http_status == status
    assert local_web.count("news.example") == 1  # definitive: never retried


def test_server_errors_are_retried_then_reported(local_web: Web) -> None:
    local_web.status("https://flaky.example/x", 500)
    result = one("https://flaky.example/x", ExpandOptions(retries=2, retry_base=0.01))
    assert result.verdict is Verdict.HTTP_5XX and result.http_status == 500
    assert result.attempts == 3
    assert local_web.count("flaky.example") == 3


def test_a_transient_error_then_success(local_web: Web) -> None:
    local_web.sequence(
        "https://flaky.example/y", [Response.html("busy", 503)], Response.html("<html>ok</html>")
    )
    result = one("https://flaky.example/y", ExpandOptions(retries=2, retry_base=0.01))
    assert result.verdict is Verdict.OK and result.attempts == 2


def test_retry_after_is_honoured(local_web: Web) -> None:
    local_web.rate_limited("https://api.example/x", 1, Response.html("<html>ok</html>"), retry_after=1)
    started = time.monotonic()
    result = one("https://api.example/x", ExpandOptions(retries=2, retry_base=0.01))
    assert result.verdict is Verdict.OK
    assert time.monotonic() - started >= 0.9  # waited for the Retry-After second
    assert local_web.count("api.example") == 2


def test_a_retry_after_too_long_gives_rate_limited_at_once(local_web: Web) -> None:
    local_web.rate_limited("https://api.example/y", 5, Response.html("ok"), retry_after=3600)
    started = time.monotonic()
    result = one("https://api.example/y", ExpandOptions(retries=3, max_retry_wait=30))
    assert result.verdict is Verdict.RATE_LIMITED and result.http_status == 429
    assert "3600" in result.reason
    assert time.monotonic() - started < 5
    assert local_web.count("api.example") == 1


def test_retry_after_as_an_http_date(local_web: Web) -> None:
    """RFC 9110 §10.2.3: Retry-After is seconds or an HTTP-date; both are honoured."""
    local_web.rate_limited(
        "https://api.example/soon", 1, Response.html("ok"), retry_after=retry_after_date(time.time, 2)
    )
    local_web.rate_limited(
        "https://api.example/later", 5, Response.html("ok"), retry_after=retry_after_date(time.time, 3600)
    )
    started = time.monotonic()
    soon = one("https://api.example/soon", ExpandOptions(retries=2, retry_base=0.01))
    assert soon.verdict is Verdict.OK and local_web.count("api.example", "/soon") == 2
    assert time.monotonic() - started >= 0.9  # the date is to the second: at least 1 s of wait
    later = one("https://api.example/later", ExpandOptions(retries=3, max_retry_wait=30))
    assert later.verdict is Verdict.RATE_LIMITED and "over --max-retry-wait" in later.reason
    assert local_web.count("api.example", "/later") == 1


@pytest.mark.parametrize("fault", [Fault.CLOSE_BEFORE_RESPONSE, Fault.RESET_MID_HEADERS])
def test_connection_resets(local_web: Web, fault: Fault) -> None:
    local_web.fault("https://reset.example/x", fault)
    result = one("https://reset.example/x")
    assert result.verdict in (Verdict.CONNECTION_RESET, Verdict.PROTOCOL_ERROR)
    assert result.hops[-1].error == result.verdict.value


def test_a_stalled_server_cannot_hang_the_run(local_web: Web) -> None:
    local_web.stall("https://slow.example/stall")
    started = time.monotonic()
    result = one("https://slow.example/stall", ExpandOptions(timeout=0.5, retries=1, retry_base=0.01))
    assert result.verdict is Verdict.TIMEOUT
    assert time.monotonic() - started < 3


def test_a_slow_drip_body_cannot_hang_the_run(local_web: Web) -> None:
    local_web.drip("https://drip.example/page", b"<html>" + b" " * 100_000, interval=0.05, size=1)
    started = time.monotonic()
    result = one("https://drip.example/page", ExpandOptions(timeout=0.5, link_timeout=1.5, retries=2))
    assert result.verdict is Verdict.TIMEOUT
    assert time.monotonic() - started < 3.5


def test_whole_link_timeout_bounds_retries(local_web: Web) -> None:
    local_web.stall("https://slow.example/again")
    started = time.monotonic()
    result = one(
        "https://slow.example/again",
        ExpandOptions(timeout=0.4, link_timeout=1.0, retries=10, retry_base=0.01),
    )
    assert result.verdict is Verdict.TIMEOUT
    assert time.monotonic() - started < 2.5
    assert local_web.count("slow.example") <= 3


def test_huge_bodies_are_never_read(local_web: Web) -> None:
    local_web.huge("https://files.example/video.mp4")  # 2 GiB, not HTML: not read at all
    local_web.route(
        "https://files.example/page.html",
        Response.html("<html>" + "x" * 100, headers=[("X-Pad", "1")], content_length=5 << 30),
    )
    tracemalloc.start()
    try:
        video, page = resolver.expand(
            ["https://files.example/video.mp4", "https://files.example/page.html"], options=FAST
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert video.verdict is Verdict.OK and video.http_status == 200
    assert page.verdict is Verdict.BODY_TOO_LARGE
    assert peak < 20 << 20


def test_a_gzip_bomb_is_inflated_only_a_window_at_a_time(local_web: Web) -> None:
    compressed = local_web.gzip_bomb("https://bomb.example/x")  # 1 GiB of zeros once inflated
    assert compressed < 2 << 20
    tracemalloc.start()
    try:
        result = one("https://bomb.example/x")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.verdict is Verdict.OK
    assert peak < 20 << 20


@pytest.mark.parametrize("flavour", [ProxyFlavour.MITMPROXY, ProxyFlavour.SQUID])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_unknown_hosts_and_refused_connections(local_web: Web, flavour: ProxyFlavour, scheme: str) -> None:
    local_web.flavour = flavour
    local_web.set_upstream("nxdomain.example", Upstream.DNS_FAILURE)
    local_web.set_upstream("refused.example", Upstream.REFUSED)
    nx, refused = resolver.expand(
        [f"{scheme}://nxdomain.example/a", f"{scheme}://refused.example/a"], options=FAST
    )
    assert nx.verdict is Verdict.DNS_FAILURE, nx.reason
    assert refused.verdict is Verdict.CONNECT_REFUSED, refused.reason
    assert "nxdomain.example" in nx.reason


@pytest.mark.parametrize("fault", list(TlsFault))
def test_tls_errors(local_web: Web, fault: TlsFault) -> None:
    host = f"{fault.value}.tls.example"
    local_web.set_tls(host, fault)
    local_web.page(f"https://{host}/", "<html>unreachable</html>")
    result = one(f"https://{host}/")
    assert result.verdict is Verdict.TLS_ERROR, result.reason


def test_invalid_urls() -> None:
    results = resolver.expand(["not a url", "https://", "http://exa mple.com/"], options=FAST)
    assert [r.verdict for r in results] == [Verdict.INVALID_URL] * 3
    assert all(r.reason for r in results)


def test_a_non_http_input_is_not_fetched(local_web: Web) -> None:
    result = one("mailto:someone@example.com")
    assert result.verdict is Verdict.NON_HTTP_TARGET
    assert local_web.count() == 0


# --- Safety ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost:8080/admin",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://printer.local/",
        "http://intranet/",
    ],
)
def test_private_targets_are_refused(local_web: Web, url: str) -> None:
    result = one(url)
    assert result.verdict is Verdict.BLOCKED_PRIVATE_ADDRESS, result.reason
    assert "--allow-private" in result.reason
    assert local_web.count() == 0


def test_the_guard_checks_every_hop(local_web: Web) -> None:
    local_web.redirect("https://bit.ly/evil", "http://192.168.1.1/admin")
    result = one("https://bit.ly/evil")
    assert result.verdict is Verdict.BLOCKED_PRIVATE_ADDRESS
    assert [h.url for h in result.hops] == ["https://bit.ly/evil", "http://192.168.1.1/admin"]
    assert local_web.count("192.168.1.1") == 0


def test_allow_private_lets_them_through(local_web: Web) -> None:
    local_web.page("http://10.1.2.3/", "<html>router</html>")
    result = one("http://10.1.2.3/", ExpandOptions(allow_private=True, retries=0))
    assert result.verdict is Verdict.OK
    assert local_web.count("10.1.2.3") == 1


# --- Politeness and sharing ------------------------------------------------------------------------


def test_each_distinct_url_is_fetched_once(local_web: Web) -> None:
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.tco("dup", "https://news.example/story")
    urls = ["https://t.co/dup"] * 20 + ["t.co/dup", "HTTPS://T.CO/dup"]
    results = resolver.expand(urls, options=FAST)
    assert len(results) == len(urls)
    assert [r.index for r in results] == list(range(len(urls)))
    assert all(r.final_url == "https://news.example/story" for r in results)
    assert [r.url for r in results] == urls
    assert local_web.count("t.co") == 1
    assert local_web.count("news.example") == 1


def test_per_host_limit_paces_one_host(local_web: Web) -> None:
    local_web.latency = 0.2
    for i in range(8):
        local_web.page(f"https://busy.example/{i}", "<html>x</html>")
    urls = [f"https://busy.example/{i}" for i in range(8)]
    started = time.monotonic()
    resolver.expand(urls, options=ExpandOptions(per_host=2, concurrency=64, retries=0))
    assert time.monotonic() - started >= 0.75  # 8 requests, 2 at a time, 0.2 s each


def test_host_interval_spaces_requests(local_web: Web) -> None:
    for i in range(4):
        local_web.page(f"https://polite.example/{i}", "<html>x</html>")
    resolver.expand(
        [f"https://polite.example/{i}" for i in range(4)], options=ExpandOptions(host_interval=0.2, retries=0)
    )
    times = sorted(r.time for r in local_web.requests if r.host == "polite.example")
    assert len(times) == 4
    assert all(b - a >= 0.15 for a, b in itertools.pairwise(times))


async def test_limits_hold_under_load() -> None:
    from resolver.expander.limits import Limits

    limits = Limits(concurrency=5, per_host=2)
    running: dict[str, int] = {}
    peaks: dict[str, int] = {}
    total = [0, 0]

    async def work(host: str) -> None:
        async with limits.slot(host):
            running[host] = running.get(host, 0) + 1
            total[0] += 1
            peaks[host] = max(peaks.get(host, 0), running[host])
            total[1] = max(total[1], total[0])
            await asyncio.sleep(0.01)
            running[host] -= 1
            total[0] -= 1

    await asyncio.gather(*(work(f"h{i % 4}") for i in range(80)))
    assert max(peaks.values()) == 2
    assert total[1] == 5


async def test_a_host_rule_covers_its_subdomains_and_sets_its_own_pace() -> None:
    import time

    from resolver.expander.limits import Limits

    limits = Limits(
        concurrency=10, per_host=3, host_limits={"Slow.example": 1}, host_intervals={"slow.example": 0.05}
    )
    starts: dict[str, list[float]] = {}
    running: dict[str, int] = {}
    peaks: dict[str, int] = {}

    async def work(host: str) -> None:
        async with limits.slot(host):
            starts.setdefault(host, []).append(time.monotonic())
            running[host] = running.get(host, 0) + 1
            peaks[host] = max(peaks.get(host, 0), running[host])
            await asyncio.sleep(0.005)
            running[host] -= 1

    hosts = ("www.slow.example", "slow.example", "other.example", "notslow.example")
    await asyncio.gather(*(work(host) for host in hosts for _ in range(4)))
    assert peaks["www.slow.example"] == peaks["slow.example"] == 1
    assert peaks["other.example"] == peaks["notslow.example"] == 3  # not a subdomain: the run's limit
    gaps = [b - a for a, b in zip(starts["www.slow.example"], starts["www.slow.example"][1:], strict=False)]
    assert min(gaps) >= 0.045
    other = starts["other.example"]
    assert other[-1] - other[0] < 0.045  # no interval of its own


async def test_the_async_twin_runs_inside_a_loop(local_web: Web) -> None:
    local_web.page("https://news.example/a", "<html>a</html>")
    [result] = await resolver.aexpand(["https://news.example/a"], options=FAST)
    assert result.ok
    with pytest.raises(resolver.UsageError):
        resolver.expand(["https://news.example/a"])


# --- The cache -----------------------------------------------------------------------------------------


def test_a_second_run_makes_zero_requests(local_web: Web, tmp_path) -> None:  # type: ignore[no-untyped-def]
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.tco("c1", "https://news.example/story")
    local_web.tweet_media("pic1", "someone", 1346889436626259968)
    local_web.status("https://news.example/gone", 404)
    urls = [
        "https://t.co/c1",
        "https://pic.twitter.com/pic1",
        "https://news.example/gone",
        "https://news.example/story",
    ]
    path = tmp_path / "cache.sqlite3"
    with open_store(path) as store:
        first = resolver.expand(urls, options=FAST, store=store)
    assert not any(r.from_cache for r in first)
    requests = local_web.count()
    assert requests == 4  # t.co/c1, the story (once: shared), t.co/pic1, the 404
    local_web.reset_log()
    with open_store(path) as store:
        second = resolver.expand(urls, options=FAST, store=store)
    assert local_web.count() == 0
    assert all(r.from_cache for r in second)
    assert [r.to_json() | {"from_cache": None, "hops": None} for r in second] == [
        r.to_json() | {"from_cache": None, "hops": None} for r in first
    ]
    assert [[h.url for h in r.hops] for r in second] == [[h.url for h in r.hops] for r in first]


def test_shortener_expansions_outlive_liveness(local_web: Web, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """t.co codes are immutable: with --max-age 0 the target's liveness is asked again, t.co is not."""
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.tco("keep", "https://news.example/story")
    path = tmp_path / "cache.sqlite3"
    with open_store(path) as store:
        resolver.expand(["https://t.co/keep"], options=FAST, store=store)
    local_web.reset_log()
    with open_store(path) as store:
        [again] = resolver.expand(
            ["https://t.co/keep"], options=ExpandOptions(max_age=0, retries=0), store=store
        )
    assert local_web.count("t.co") == 0
    assert local_web.count("news.example") == 1
    assert again.verdict is Verdict.OK and [h.url for h in again.hops] == [
        "https://t.co/keep",
        "https://news.example/story",
    ]


def test_transient_failures_are_not_cached(local_web: Web, tmp_path) -> None:  # type: ignore[no-untyped-def]
    local_web.status("https://down.example/x", 503)
    path = tmp_path / "cache.sqlite3"
    for _ in range(2):
        with open_store(path) as store:
            [result] = resolver.expand(["https://down.example/x"], options=FAST, store=store)
        assert result.verdict is Verdict.HTTP_5XX and not result.from_cache
    assert local_web.count("down.example") == 2


def test_every_verdict_has_a_meaning_and_a_cache_kind() -> None:
    assert set(VERDICTS) == set(Verdict)
    for info in VERDICTS.values():
        assert info.meaning and info.cache_kind in ("liveness", "definitive-error", "transient-error")


async def test_concurrent_duplicates_share_one_request(local_web: Web) -> None:
    local_web.latency = 0.1
    local_web.page("https://news.example/slow", "<html>x</html>")
    async with Expander(FAST) as expander:
        results = await asyncio.gather(
            *(expander.expand("https://news.example/slow", index=i) for i in range(10))
        )
    assert [r.index for r in results] == list(range(10))
    assert local_web.count("news.example") == 1


def test_readme_documents_every_verdict_and_hop_type() -> None:
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## `resolver expand`", 1)[1].split("\n## ", 1)[0]
    for slug in [*Verdict, *Via]:
        assert f"| `{slug.value}` |" in section, slug


def test_a_hosts_links_go_to_one_worker() -> None:
    from resolver.expander.workers import shard_of

    # pic.twitter.com is t.co: both land with the other t.co links.
    assert (
        len({shard_of(url, 4) for url in ["https://t.co/a", "t.co/b", "pic.twitter.com/c", "http://t.co/d"]})
        == 1
    )
    assert all(0 <= shard_of(f"https://h{i}.example/x", 3) < 3 for i in range(50))


def test_a_raw_utf8_location_is_read_as_utf8(local_web: Web) -> None:
    local_web.page("https://news.example/caf%C3%A9", "<html>café</html>")
    local_web.route(
        "https://sho.rt/utf8",
        Response(301, (("Location", "https://news.example/café".encode().decode("latin-1")),), b""),
    )
    result = one("https://sho.rt/utf8")
    assert result.verdict is Verdict.OK, result.reason
    assert result.final_url == "https://news.example/caf%C3%A9"


def test_locations_are_read_as_browsers_read_them(local_web: Web) -> None:
    """A space in a Location's path is sent (and reported) percent-encoded, a tab inside it
    is dropped, an upper-case scheme is the same scheme (the URL Standard's parser)."""
    local_web.page("https://news.example/annual%20report.pdf", "<html>report</html>")
    local_web.page("https://news.example/story", "<html>story</html>")
    local_web.redirect("https://sho.rt/space", "https://news.example/annual report.pdf")
    local_web.redirect("https://sho.rt/tab", "https://news.example/st\tory")
    local_web.redirect("https://sho.rt/upper", "HTTPS://NEWS.EXAMPLE/story")
    local_web.redirect("https://sho.rt/badhost", "https://news .example/story")
    space, tab, upper, bad = resolver.expand(
        ["https://sho.rt/space", "https://sho.rt/tab", "https://sho.rt/upper", "https://sho.rt/badhost"],
        options=FAST,
    )
    assert space.verdict is Verdict.OK, space.reason
    assert space.final_url == "https://news.example/annual%20report.pdf"
    assert tab.verdict is Verdict.OK and tab.final_url == "https://news.example/story", tab.reason
    assert upper.verdict is Verdict.OK and upper.final_url == "https://news.example/story"
    assert bad.verdict is Verdict.INVALID_URL  # a space in a host is no host
    assert local_web.count("news.example", "/annual%20report.pdf") == 1


def test_a_link_with_a_space_in_its_path_is_fetched_encoded(local_web: Web) -> None:
    # href="https://news.example/annual report.pdf" is common and works in every browser.
    local_web.page("https://news.example/annual%20report.pdf", "<html>report</html>")
    result = one("https://news.example/annual report.pdf")
    assert result.verdict is Verdict.OK, result.reason
    assert result.url == "https://news.example/annual report.pdf"  # as given
    assert result.hops[0].url == "https://news.example/annual%20report.pdf"  # as sent
    assert one("<https://news.example/x>").verdict is Verdict.INVALID_URL  # not a host


@pytest.mark.parametrize(
    "target", ["http://0177.0.0.1/admin", "http://0x7f.0.0.1/", "http://2130706433/", "http://0300.0250.0.1/"]
)
def test_numeric_spellings_of_private_addresses_are_refused(local_web: Web, target: str) -> None:
    """Browsers and resolvers read 0177.0.0.1 as 127.0.0.1 (httpx refuses it as an invalid
    URL): the guard names the address, on the first hop and on a later one."""
    local_web.redirect("https://bit.ly/octal", target)
    for result in (one(target), one("https://bit.ly/octal")):
        assert result.verdict is Verdict.BLOCKED_PRIVATE_ADDRESS, result.reason
        assert "--allow-private" in result.reason
        assert result.hops[-1].error == "blocked-private-address"
    assert local_web.count("bit.ly") == 1 and local_web.count() == 1


def test_pic_twitter_and_its_tco_code_are_one_request(local_web: Web) -> None:
    target = local_web.tweet_media("Same1", "someone", 1346889436626259968)
    urls = ["https://t.co/Same1", "pic.twitter.com/Same1", "https://pic.twitter.com/Same1", "pic.x.com/Same1"]
    results = resolver.expand(urls, options=FAST)
    assert [r.url for r in results] == urls
    assert all(r.final_url == target and r.tweet is not None for r in results)
    assert local_web.count("t.co") == 1 and local_web.count("pic.twitter.com") == 0


def test_cookies_set_in_a_chain_are_sent_back(local_web: Web) -> None:
    """A consent check: the site sets a cookie and redirects to itself; sent back, it answers."""

    def consent(request):  # type: ignore[no-untyped-def]
        if "consent=yes" in (request.headers.get("cookie") or ""):
            return Response.html("<html>the article</html>")
        return Response(
            302, (("Location", "/story"), ("Set-Cookie", "consent=yes; Path=/; Domain=news.example")), b""
        )

    local_web.route("https://news.example/story", consent)
    local_web.redirect("https://bit.ly/consent", "https://www.news.example/go")
    local_web.redirect("https://www.news.example/go", "https://news.example/story")
    result = one("https://bit.ly/consent")
    assert result.verdict is Verdict.OK, result.reason
    assert [h.status for h in result.hops] == [301, 301, 302, 200]
    # Without the cookie the same chain is a loop.
    local_web.route("https://loop.example/x", Response(302, (("Location", "/x"),), b""))
    assert one("https://loop.example/x").verdict is Verdict.REDIRECT_LOOP


def test_connection_pools_fit_the_open_file_limit_raising_a_low_soft_one() -> None:
    # In a child process: a hard limit, once lowered, cannot be raised again.
    script = (
        "import resource\n"
        "from resolver.net import ClientFactory\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (512, hard))\n"
        "f = ClientFactory(per_host=4); f.prepare()\n"
        "print(f.max_clients, resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (512, 512))\n"
        "f = ClientFactory(per_host=4); f.prepare()\n"
        "print(f.max_clients, resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    raised, capped = (tuple(map(int, line.split())) for line in done.stdout.splitlines())
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY or hard >= 2048 * 5 + 256:
        assert raised == (2048, 2048 * 5 + 256)  # soft limit raised to what 2,048 pools need
    assert capped == ((512 - 256) // 5, 512)  # hard limit too low: fewer pools, never more files


def test_proxy_routes_follow_the_environment_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from resolver.net import ClientFactory

    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("HTTP_PROXY", "proxy.corp:8080")  # no scheme, as curl accepts it
    monkeypatch.setenv("NO_PROXY", "intranet.example,.internal")
    factory = ClientFactory()
    assert factory.proxy_for("https", "news.example") == "http://proxy.corp:3128"
    assert factory.proxy_for("http", "news.example") == "http://proxy.corp:8080"
    assert factory.proxy_for("https", "intranet.example") is None
    assert factory.proxy_for("https", "wiki.internal") is None
    # Read once per factory: a later change of the environment is not seen by this run.
    monkeypatch.setenv("NO_PROXY", "news.example")
    assert factory.proxy_for("https", "other.example") == "http://proxy.corp:3128"
    assert ClientFactory().proxy_for("https", "news.example") is None


def test_a_links_fragment_is_carried_to_where_it_leads(local_web: Web) -> None:
    """RFC 9110 10.2.2: a Location without a fragment inherits the link's; one with its own keeps it."""
    local_web.redirect("https://bit.ly/frag", "https://news.example/story")
    local_web.redirect("https://bit.ly/ownfrag", "https://news.example/story#comments")
    local_web.page("https://news.example/story", "<html><body>the story</body></html>")
    urls = [
        "https://bit.ly/frag#section-2",
        "https://bit.ly/frag",
        "https://bit.ly/ownfrag#section-2",
        "https://news.example/story#top",
        "https://news.example/story",
    ]
    results = resolver.expand(urls, options=FAST)
    assert [r.final_url for r in results] == [
        "https://news.example/story#section-2",
        "https://news.example/story",
        "https://news.example/story#comments",
        "https://news.example/story#top",
        "https://news.example/story",
    ]
    assert local_web.count("news.example", "/story") == 1
    assert [r.url for r in results] == urls
    assert local_web.count("bit.ly", "/frag") == 1  # one fetch for both spellings
