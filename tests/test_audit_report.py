"""Tests of resolver.audit.report: the Markdown, JUnit XML and HTML reports of an audit.

Every text in a record comes from articles and the sites they cite, so the fixture records carry
hostile strings (pipes, `]]>`, `</script>`, markup, control characters, a `javascript:` URL) and
each format is parsed back to check it stayed well-formed and inert. One slow test opens the
HTML page in headless Chromium, when it is installed, to check that its script runs under the
page's Content Security Policy.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import lxml.html
import pytest

from resolver.audit.model import AuditRecord, AuditSummary, AuditVerdict, Outcome
from resolver.audit.report import (
    MARKDOWN_DOMAINS,
    failing_verdicts,
    render_html,
    write_junit,
    write_markdown,
)
from tests.browser import chromium, offline_command

V = AuditVerdict
HOSTILE = "a | pipe ]]> <img src=x onerror=alert(1)> </script><!-- & \x00\x1b\x7f end"


def _record(
    article: str,
    url: str,
    verdict: AuditVerdict,
    evidence: str,
    line: int | None,
    *,
    date: str | None = "2015-06-01",
    **extra: object,
) -> AuditRecord:
    host = re.sub(r"^[a-z]+://([^/]+).*$", r"\1", url) if "://" in url else ""
    where = {} if line is None else {"line": line, "column": 1}
    return AuditRecord(
        article=article,
        url=url,
        final_url=None,
        verdict=verdict,
        evidence=evidence,
        where=where,
        host=host,
        article_date=date,
        **extra,  # type: ignore[arg-type]
    )


RECORDS: list[AuditRecord] = [
    _record("news/2015/one.html", "https://alive.example/ok", V.ALIVE, "200 OK", 3),
    _record(
        "news/2015/one.html",
        "https://gone.example/story|42",
        V.DEAD,
        "404 Not Found | twice",
        7,
        text="the | story\nthat was",
        http_status=404,
        wayback_url="https://web.archive.org/web/20150301000000/https://gone.example/story_(42)",
        wayback_timestamp="20150301000000",
    ),
    _record("news/2015/one.html", "https://moved.example/a", V.MOVED, "301 to /b", 9),
    _record(
        "news/2015/one.html", "https://gone.example/other", V.SOFT_404, "redirected to the home page", 12
    ),
    _record(
        "news/2019/two.html", "https://slow.example/x", V.TIMEOUT, "no answer in 20 s", 2, date="2019-01-05"
    ),
    _record("news/2019/two.html", "javascript:alert(document.cookie)", V.DEAD, HOSTILE, 4, date="2019-01-05"),
    _record(
        "news/2019/two.html",
        "https://evil.example/</script><script>alert(1)</script>",
        V.BLOCKED,
        "403 <b>challenge</b>",
        None,
        date="2019-01-05",
        text=HOSTILE,
    ),
    _record(
        "news/2019/two.html", "https://ads.example/track", V.EXCLUDED, "excluded by rule ^https://ads\\.", 5
    ),
    _record(
        "",
        "https://twitter.com/someone/status/656808085430472704",
        V.TWEET_DELETED,
        "the tweet is gone",
        1,
        date=None,
        tweet_id="656808085430472704",
    ),
    _record("news/2019/two.html", "https://alive.example/also", V.ALIVE, "200 OK", 30, date="2019-01-05"),
]


def _summary(records: Sequence[AuditRecord], articles: int = 3) -> AuditSummary:
    summary = AuditSummary(articles=articles, failed_articles=1)
    for record in records:
        summary.add(record)
    return summary


SUMMARY = _summary(RECORDS)
NOT_ALIVE = [r for r in RECORDS if r.outcome is not Outcome.ALIVE]
ALIVE = [r for r in RECORDS if r.outcome is Outcome.ALIVE]


# --- fail_on ----------------------------------------------------------------------------------

FAIL_ON_CASES: list[tuple[set[str], set[AuditVerdict]]] = [
    (set(), set()),
    ({"dead"}, {V.DEAD, V.SOFT_404, V.PARKED, V.TWEET_DELETED, V.ACCOUNT_SUSPENDED}),
    ({"timeout"}, {V.TIMEOUT}),
    # "uncertain" is every uncertain verdict but excluded: the user chose not to check those.
    (
        {"uncertain"},
        {V.BLOCKED, V.UNREACHABLE, V.TIMEOUT, V.SERVER_ERROR, V.TWEET_PROTECTED, V.TWEET_WITHHELD},
    ),
    (
        {"uncertain", "excluded"},
        {
            V.BLOCKED,
            V.UNREACHABLE,
            V.TIMEOUT,
            V.SERVER_ERROR,
            V.TWEET_PROTECTED,
            V.TWEET_WITHHELD,
            V.EXCLUDED,
        },
    ),
    ({"soft-404", "parked"}, {V.SOFT_404, V.PARKED}),
    # Nor links that cannot be checked over HTTP (ftp:, an app's scheme): failed only when named.
    ({"unsupported"}, {V.UNSUPPORTED}),
    ({"dead", "uncertain", "unsupported"}, set(V) - {V.ALIVE, V.MOVED, V.EXCLUDED}),
    ({"alive"}, {V.ALIVE, V.MOVED}),
]


@pytest.mark.parametrize(("fail_on", "expected"), FAIL_ON_CASES)
def test_failing_verdicts(fail_on: set[str], expected: set[AuditVerdict]) -> None:
    assert failing_verdicts(fail_on) == expected


def test_failing_verdicts_names_what_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="fail_on gone: not a verdict or an outcome"):
        failing_verdicts({"dead", "gone"})


# --- Markdown ---------------------------------------------------------------------------------


def _markdown(records: Sequence[AuditRecord] = RECORDS, summary: AuditSummary = SUMMARY) -> str:
    out = io.StringIO()
    write_markdown(records, summary, out)
    return out.getvalue()


def _cells(row: str) -> list[str]:
    """A GFM table row's cells: split on the pipes that are not escaped."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def _table(text: str, first_header: str) -> list[list[str]]:
    """The rows (header and rule left out) of the first table whose header starts so."""
    lines = text.split(f"| {first_header} |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    return [_cells(line) for line in lines]


def _section(text: str, heading: str) -> str:
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def test_markdown_summary_figures() -> None:
    text = _markdown()
    assert text.startswith("# Link audit\n")
    assert (
        "3 articles (1 could not be read), 10 links: **4 dead** (40.0%), 3 uncertain (30.0%), 3 alive" in text
    )
    assert _table(text, "Outcome") == [
        ["dead", "4", "40.0%"],
        ["alive", "3", "30.0%"],
        ["uncertain", "3", "30.0%"],
    ]
    verdicts = {row[0]: row[1:3] for row in _table(text, "Verdict")}
    assert verdicts == {
        "alive": ["alive", "2"],
        "moved": ["alive", "1"],
        "dead": ["dead", "2"],
        "soft-404": ["dead", "1"],
        "blocked": ["uncertain", "1"],
        "timeout": ["uncertain", "1"],
        "tweet-deleted": ["dead", "1"],
        "excluded": ["uncertain", "1"],
    }


def test_markdown_lists_every_link_not_alive_grouped_by_article() -> None:
    section = _section(_markdown(), "## Links that are not alive (7)")
    headings = re.findall(r"^### (.*)$", section, flags=re.M)
    assert headings == ["news/2015/one.html", "news/2019/two.html", "Links given as a list"]
    rows = [_cells(line) for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    rows = [r for r in rows if r[0] != "Line"]
    assert len(rows) == len(NOT_ALIVE)
    assert all(len(r) == 7 for r in rows), rows  # no pipe in a cell split it
    assert {r[3] for r in rows} == {r.verdict.value for r in NOT_ALIVE}
    for record in ALIVE:
        assert record.url not in section


def test_markdown_escapes_cells_and_links() -> None:
    text = _markdown()
    dead = next(line for line in text.splitlines() if "gone.example/story" in line)
    line, anchor, url, verdict, outcome, evidence, wayback = _cells(dead)
    assert (line, verdict, outcome) == ("7", "dead", "dead")
    assert anchor == "the \\| story that was"  # the newline is a space, the pipe escaped
    assert url == "<https://gone.example/story\\|42>"
    assert evidence == "404 Not Found \\| twice"
    assert (
        wayback
        == "[2015-03-01](https://web.archive.org/web/20150301000000/https://gone.example/story_\\(42\\))"
    )
    hostile = next(line for line in text.splitlines() if "javascript" in line)
    assert "<javascript" not in hostile and "](javascript" not in hostile  # text, never a link
    assert "\x00" not in text and "\x1b" not in text
    assert not re.search(r"(?<!\\)<(img|/script|!--)", text)  # markup stays text: `\<img`


def test_markdown_domains_are_the_top_by_dead_links() -> None:
    records = [
        _record("a.html", f"https://d{i:02}.example/{j}", V.DEAD, "404", j)
        for i in range(MARKDOWN_DOMAINS + 10)
        for j in range(i % 5 + 1)
    ]
    section = _section(_markdown(records, _summary(records)), f"## Rot by domain (top {MARKDOWN_DOMAINS}")
    rows = [_cells(line) for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == MARKDOWN_DOMAINS
    dead = [int(r[2]) for r in rows]
    assert dead == sorted(dead, reverse=True) and dead[0] == 5
    assert "10 more domains with links that are not alive." in section


def test_markdown_when_every_link_is_alive() -> None:
    text = _markdown(ALIVE, _summary(ALIVE))
    assert "None: every link is alive." in text
    assert "No domain has a dead or uncertain link." in text


# --- JUnit XML --------------------------------------------------------------------------------


def _junit(fail_on: set[str], records: Sequence[AuditRecord] = RECORDS) -> ET.Element:
    out = io.StringIO()
    write_junit(records, _summary(records), out, fail_on=fail_on)
    # Parsed from the UTF-8 bytes a file would hold: the declaration must be true.
    return ET.fromstring(out.getvalue().encode("utf-8"))


def test_junit_counts_match_the_records() -> None:
    root = _junit({"dead"})
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    dead = [r for r in RECORDS if r.outcome is Outcome.DEAD]
    assert suite.get("name") == "resolver audit"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == (
        str(len(RECORDS)),
        str(len(dead)),
        "1",
        "0",
    )
    assert (root.get("tests"), root.get("failures")) == (str(len(RECORDS)), str(len(dead)))
    assert len(cases) == len(RECORDS) and len(failed) == len(dead) and len(skipped) == 1
    assert all(len(c) == 0 for c in cases if c not in failed and c not in skipped)  # passing: empty
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"articles": "3", "failed_articles": "1"}


def test_junit_names_and_failure_messages() -> None:
    cases = _junit({"dead", "timeout"}).iter("testcase")
    by_name = {c.get("name"): c for c in cases}
    gone = by_name["https://gone.example/story|42 (line 7)"]
    assert gone.get("classname") == "news/2015/one.html"
    failure = gone.find("failure")
    assert failure is not None
    assert failure.get("message") == "dead: 404 Not Found | twice"
    assert failure.get("type") == "dead"
    assert "http status: 404" in (failure.text or "")
    assert "wayback: https://web.archive.org/web/20150301000000/" in (failure.text or "")
    timeout = by_name["https://slow.example/x (line 2)"].find("failure")
    assert timeout is not None and timeout.get("message") == "timeout: no answer in 20 s"
    # no line known: the URL alone; a plain list of links: a class name all the same
    assert by_name["https://evil.example/</script><script>alert(1)</script>"].find("failure") is None
    assert (
        by_name["https://twitter.com/someone/status/656808085430472704 (line 1)"].get("classname") == "links"
    )


def test_junit_stays_well_formed_with_hostile_text() -> None:
    out = io.StringIO()
    write_junit(RECORDS, SUMMARY, out, fail_on={"dead", "blocked"})
    text = out.getvalue()
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    assert "]]>" not in text  # ElementTree wrote `]]&gt;`: no CDATA, nothing to break out of
    root = ET.fromstring(text.encode("utf-8"))
    hostile = next(c for c in root.iter("testcase") if "javascript" in (c.get("name") or ""))
    failure = hostile.find("failure")
    assert failure is not None
    assert failure.get("message") == "dead: a | pipe ]]> <img src=x onerror=alert(1)> </script><!-- & end"


def test_junit_excluded_is_skipped_unless_named() -> None:
    uncertain = _junit({"uncertain"})
    excluded = next(c for c in uncertain.iter("testcase") if "ads.example" in (c.get("name") or ""))
    assert excluded.find("skipped") is not None and excluded.find("failure") is None
    named = _junit({"excluded"})
    excluded = next(c for c in named.iter("testcase") if "ads.example" in (c.get("name") or ""))
    assert excluded.find("failure") is not None and excluded.find("skipped") is None
    assert named.find("testsuite").get("skipped") == "0"  # type: ignore[union-attr]


def test_junit_unsupported_is_skipped_unless_named() -> None:
    records = [
        *RECORDS,
        _record("news/2019/two.html", "ftp://ftp.example/pub/a.pdf", V.UNSUPPORTED, "not checked: ftp:", 8),
    ]
    uncertain = _junit({"dead", "uncertain"}, records)
    suite = uncertain.find("testsuite")
    assert suite is not None and suite.get("skipped") == "2"  # excluded and unsupported
    case = next(c for c in uncertain.iter("testcase") if "ftp.example" in (c.get("name") or ""))
    assert case.find("skipped") is not None and case.find("failure") is None
    named = _junit({"unsupported"}, records)
    case = next(c for c in named.iter("testcase") if "ftp.example" in (c.get("name") or ""))
    assert case.find("failure") is not None and named.find("testsuite").get("skipped") == "1"  # type: ignore[union-attr]


def test_junit_refuses_a_summary_of_other_records() -> None:
    with pytest.raises(ValueError, match="the summary counts"):
        write_junit(RECORDS[:3], SUMMARY, io.StringIO(), fail_on={"dead"})
    with pytest.raises(ValueError, match="not a verdict or an outcome"):
        write_junit(RECORDS, SUMMARY, io.StringIO(), fail_on={"rotten"})


# --- HTML -------------------------------------------------------------------------------------

#: Attributes through which a page loads something (or submits somewhere) by itself.
LOADING_ATTRIBUTES = {
    "src",
    "srcset",
    "href",
    "xlink:href",
    "poster",
    "data",
    "action",
    "formaction",
    "background",
}


def _html(records: Sequence[AuditRecord] = RECORDS, summary: AuditSummary = SUMMARY) -> str:
    return render_html(records, summary, title="Audit </title><b>x</b>", generated_at="2024-05-01T12:00:00Z")


def _figures(doc: lxml.html.HtmlElement) -> dict[str, str]:
    return {
        span.get("data-figure"): span.text_content() for span in doc.iter("span") if span.get("data-figure")
    }


def test_html_figures_match_the_summary() -> None:
    doc = lxml.html.document_fromstring(_html())
    assert _figures(doc) == {
        "articles": "3",
        "failed_articles": "1",
        "links": "10",
        "dead": "4",
        "alive": "3",
        "uncertain": "3",
    }
    percents = {s.get("data-percent"): s.text_content() for s in doc.iter("span") if s.get("data-percent")}
    assert percents == {"dead": "40.0%", "alive": "30.0%", "uncertain": "30.0%"}
    assert doc.findtext(".//title") == "Audit </title><b>x</b>"
    assert doc.find(".//b") is None


def test_html_rows_are_the_links_not_alive() -> None:
    doc = lxml.html.document_fromstring(_html())
    rows = doc.xpath("//table[@id='links']/tbody/tr")
    assert len(rows) == len(NOT_ALIVE)
    for row, record in zip(rows, NOT_ALIVE, strict=True):
        url = row.xpath("string(td[@class='url'])")
        assert url.startswith(record.url.replace("\x00", ""))
        assert row.get("data-verdict") == record.verdict.value
        assert row.get("data-outcome") == record.outcome.value
        assert row.xpath("string(td[contains(@class, 'verdict')])") == record.verdict.value
        line = record.where.get("line")
        assert row.xpath("string(td[contains(@class, 'line')])") == ("" if line is None else str(line))
    text = doc.text_content()
    for record in ALIVE:
        assert record.url not in text
    hostile = doc.xpath("//tr[td[@class='url' and contains(., 'javascript')]]")[0]
    evidence = hostile.xpath("string(td[@class='evidence'])")
    # the control characters removed (HTML collapses the spaces they leave)
    assert " ".join(evidence.split()) == "a | pipe ]]> <img src=x onerror=alert(1)> </script><!-- & end"
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", evidence)
    assert doc.find(".//img") is None  # hostile markup stayed text
    wayback = rows[0].xpath("td[@class='wayback']/a")[0]
    assert (wayback.text, wayback.get("href")) == ("2015-03-01", NOT_ALIVE[0].wayback_url)


def test_html_loads_nothing_from_the_network() -> None:
    doc = lxml.html.document_fromstring(_html())
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        assert element.tag not in ("link", "img", "iframe", "object", "embed", "base", "form"), element.tag
        assert element.get("style") is None  # the CSP allows no inline style attribute
        for name, value in element.attrib.items():
            if name.lower() not in LOADING_ATTRIBUTES:
                continue
            if element.tag == "a" and name == "href":
                assert re.match(r"https?://", value), value  # links to the cited pages only, no javascript:
            else:
                raise AssertionError(f"<{element.tag} {name}={value!r}> loads a resource")
    for script in doc.iter("script"):
        assert script.get("src") is None
    for style in doc.iter("style"):
        assert "url(" not in (style.text or "") and "@import" not in (style.text or "")
    assert doc.xpath("//a[contains(@href, 'javascript')]") == []


def test_html_policy_allows_exactly_its_own_script_and_style() -> None:
    """A hash that does not match would make the browser silently drop the script."""
    doc = lxml.html.document_fromstring(_html())
    (meta,) = doc.xpath("//meta[@http-equiv='Content-Security-Policy']")
    policy = meta.get("content")
    assert "default-src 'none'" in policy
    (script,) = doc.xpath("//script[not(@type)]")
    (style,) = doc.xpath("//style")
    for source in (script.text, style.text):
        digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy


def test_html_embeds_the_data_as_json() -> None:
    page = _html()
    doc = lxml.html.document_fromstring(page)
    (block,) = doc.xpath("//script[@id='data']")
    assert block.get("type") == "application/json"
    data = json.loads(block.text)
    assert data["summary"] == json.loads(json.dumps(SUMMARY.to_json()))
    assert data["records"] == json.loads(json.dumps([r.to_json() for r in NOT_ALIVE]))
    # `</script>` in the data did not end the element: the page has exactly two script elements.
    assert page.count("</script>") == 2 and "<\\/script>" in page
    assert "<!--" not in page


def test_html_reads_without_javascript() -> None:
    """The figures and rows are in the markup; the controls that need the script start hidden."""
    doc = lxml.html.document_fromstring(_html())
    assert doc.get_element_by_id("filters").get("hidden") is not None
    assert doc.body.get("data-ready") is None


def test_html_domains_and_years() -> None:
    doc = lxml.html.document_fromstring(_html())
    domains = doc.xpath("//table[@id='domain-table']/tbody/tr")
    dead = [int(tr.xpath("string(td[3])")) for tr in domains]
    assert dead == sorted(dead, reverse=True)
    gone = doc.xpath("//table[@id='domain-table']/tbody/tr[@data-key='gone.example']")[0]
    assert [td.text_content() for td in gone.findall("td")][:5] == ["gone.example", "2", "2", "0", "100.0%"]
    assert gone.xpath(".//svg/rect[@class='dead']")
    assert "alive.example" not in [tr.get("data-key") for tr in domains]
    years = [tr.get("data-key") for tr in doc.xpath("//table[@id='year-table']/tbody/tr")]
    assert years == ["2015", "2019", "unknown"]
    assert [g.get("data-year") for g in doc.xpath("//svg[@id='year-chart']//g")] == years


def test_html_when_every_link_is_alive() -> None:
    doc = lxml.html.document_fromstring(_html(ALIVE, _summary(ALIVE)))
    assert doc.xpath("//table[@id='links']/tbody/tr") == []
    assert "None: every link is alive." in doc.text_content()
    assert _figures(doc)["dead"] == "0"


# --- In a browser -----------------------------------------------------------------------------


def _dump_dom(browser: str, url: str, profile: Path, *extra: str) -> lxml.html.HtmlElement:
    # Every flag that would make Chromium reach the network on its own is off: the page must
    # render from the file alone.
    command = [
        *offline_command(browser, profile, *extra),
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip(), f"chromium failed: {done.stderr[-2000:]}"
    return lxml.html.document_fromstring(done.stdout)


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="no chromium on PATH (Debian: apt-get install chromium)")
def test_html_in_headless_chromium(tmp_path: Path) -> None:
    browser = chromium()
    assert browser is not None
    page = tmp_path / "audit.html"
    page.write_text(_html(), encoding="utf-8")
    url = page.as_uri()

    # The script ran under the page's CSP, and applied the view the fragment asks for.
    doc = _dump_dom(browser, url + "#outcome=dead&sort=line&dir=descending", tmp_path / "profile")
    assert doc.body.get("data-ready") == "1"
    assert _figures(doc)["dead"] == "4" and _figures(doc)["uncertain"] == "3"
    assert doc.get_element_by_id("filters").get("hidden") is None
    rows = doc.xpath("//table[@id='links']/tbody/tr")
    assert len(rows) == len(NOT_ALIVE)
    shown = [r for r in rows if r.get("hidden") is None]
    assert {r.get("data-outcome") for r in shown} == {"dead"}
    assert len(shown) == sum(r.outcome is Outcome.DEAD for r in RECORDS)
    assert doc.get_element_by_id("shown-count").text_content() == str(len(shown))
    lines = [r.xpath("string(td[contains(@class, 'line')])") for r in rows]
    numbers = [int(n) for n in lines if n]
    assert numbers == sorted(numbers, reverse=True) and lines[-1] == ""  # numeric; no line last
    assert doc.xpath("//th[@data-key='line']/@aria-sort") == ["descending"]
    assert doc.find(".//img") is None  # nothing hostile became markup in the browser either

    # Without its script the page still shows its figures and every row. (Chromium's switch that
    # turns JavaScript off also stops --dump-dom, so the page's own policy blocks the script; that
    # it stays blocked also shows the browser enforces the policy.)
    blocked = tmp_path / "blocked.html"
    blocked.write_text(re.sub(r"script-src '[^']+'", "script-src 'none'", _html(), count=1), encoding="utf-8")
    plain = _dump_dom(browser, blocked.as_uri(), tmp_path / "profile-blocked")
    assert plain.body.get("data-ready") is None
    assert plain.get_element_by_id("filters").get("hidden") is not None
    assert _figures(plain)["links"] == "10"
    assert len(plain.xpath("//table[@id='links']/tbody/tr")) == len(NOT_ALIVE)


# --- Text for people: bidi overrides, terminals, spreadsheets ----------------------------------

RTL = "\u202egnp.exe\u202c"  # shows as "exe.png": the override reverses the rest of its line


def test_bidi_overrides_never_reach_markdown_junit_or_the_html_text() -> None:
    url = "https://rtl.example/a\u202eb"
    record = _record("news/x.html", url, V.DEAD, f"404 {RTL}", 2, text=f"anchor {RTL} after")
    summary = _summary([record])
    markdown = _markdown([record], summary)
    out = io.StringIO()
    write_junit([record], summary, out, fail_on={"dead"})
    page = _html([record], summary)
    data = json.loads(lxml.html.document_fromstring(page).get_element_by_id("data").text_content())
    for text in (markdown, out.getvalue()):
        assert "\u202e" not in text and "\u202c" not in text and "gnp.exe" in text
    doc = lxml.html.document_fromstring(page)
    shown = doc.xpath("string(//table[@id='links']/tbody)")
    assert "\u202e" not in shown and "anchor gnp.exe after" in shown
    # What people read loses the overrides; where the link goes and the data do not.
    assert doc.xpath("//td[@class='url']/a/@href") == [url]
    assert data["records"][0]["text"] == f"anchor {RTL} after"


INERT_CASES: list[tuple[str, int | None, str]] = [
    ("plain text", None, "plain text"),
    ("red \x1b[31mtext\x1b[0m", None, "red \\x1b[31mtext\\x1b[0m"),
    ("title \x1b]0;pwned\x07", None, "title \\x1b]0;pwned\\x07"),
    ("csi \x9b2J", None, "csi \\x9b2J"),  # the one-byte CSI of C1
    (RTL, None, "\\u202egnp.exe\\u202c"),
    ("caf\udce9.html", None, "caf\\xe9.html"),  # a file name byte that is not UTF-8
    ("Página não encontrada", None, "Página não encontrada"),  # printable non-ASCII stays
    ("x" * 20, 10, "x" * 9 + "…"),
]


@pytest.mark.parametrize(("text", "width", "expected"), INERT_CASES)
def test_inert_text_for_a_terminal(text: str, width: int | None, expected: str) -> None:
    from resolver.audit.report import inert

    assert inert(text, width) == expected


CSV_CELL_CASES: list[tuple[object, object]] = [
    ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\t=1", "'\t=1"),
    ("-", "-"),  # stdin's name: text already
    ("https://x.example/=a", "https://x.example/=a"),
    (None, ""),
    (False, "false"),  # as JSON writes it, not Python's repr
    (True, "true"),
    (404, 404),
]


@pytest.mark.parametrize(("value", "expected"), CSV_CELL_CASES)
def test_csv_cells_are_never_formulas(value: object, expected: object) -> None:
    from resolver.audit.report import csv_cell

    assert csv_cell(value) == expected


# The shape CI tools read (Jenkins' and GitLab's JUnit readers, the Ant format they follow):
# testsuites > testsuite > properties?, testcase*; a testcase holds at most one failure, error or
# skipped. Written here from that description; unknown attributes are refused, so a typo in an
# attribute name fails too.
JUNIT_XSD = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:complexType name="outcome" mixed="true">
    <xs:attribute name="message" type="xs:string"/>
    <xs:attribute name="type" type="xs:string"/>
  </xs:complexType>
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence><xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger"/>
      <xs:attribute name="disabled" type="xs:nonNegativeInteger"/>
      <xs:attribute name="time" type="xs:decimal"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="properties" minOccurs="0">
          <xs:complexType><xs:sequence>
            <xs:element name="property" minOccurs="0" maxOccurs="unbounded">
              <xs:complexType>
                <xs:attribute name="name" type="xs:string" use="required"/>
                <xs:attribute name="value" type="xs:string" use="required"/>
              </xs:complexType>
            </xs:element>
          </xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="testcase" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:choice minOccurs="0">
              <xs:element name="skipped" type="outcome"/>
              <xs:element name="error" type="outcome"/>
              <xs:element name="failure" type="outcome"/>
            </xs:choice>
            <xs:attribute name="name" type="xs:string" use="required"/>
            <xs:attribute name="classname" type="xs:string"/>
            <xs:attribute name="time" type="xs:decimal"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger"/>
      <xs:attribute name="skipped" type="xs:nonNegativeInteger"/>
      <xs:attribute name="time" type="xs:decimal"/>
      <xs:attribute name="timestamp" type="xs:string"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


def junit_problems(text: str) -> list[str]:
    """What is wrong with a JUnit report: the schema's complaints, then counts that do not add up."""
    import lxml.etree

    schema = lxml.etree.XMLSchema(lxml.etree.fromstring(JUNIT_XSD.encode("utf-8")))
    doc = lxml.etree.fromstring(text.encode("utf-8"))
    problems = [] if schema.validate(doc) else [str(e) for e in schema.error_log]
    for suite in [doc, *doc.iter("testsuite")]:
        cases = list(suite.iter("testcase"))
        counted = {
            "tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
        }
        if suite.tag == "testsuite":
            counted["skipped"] = sum(c.find("skipped") is not None for c in cases)
        for name, value in counted.items():
            if suite.get(name) != str(value):
                problems.append(f"{suite.tag} {name}={suite.get(name)!r}, its test cases hold {value}")
    return problems


@pytest.mark.parametrize("fail_on", [{"dead"}, {"dead", "uncertain"}, {"uncertain", "excluded"}, {"alive"}])
def test_junit_follows_the_schema_ci_tools_read(fail_on: set[str]) -> None:
    out = io.StringIO()
    write_junit(RECORDS, SUMMARY, out, fail_on=fail_on)
    assert junit_problems(out.getvalue()) == []
