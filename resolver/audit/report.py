"""The audit's reports: Markdown for people and CI comments, JUnit XML for CI, one HTML page.

Every text in a record (URL, anchor text, evidence, even the article's path) came from the
articles or from the sites they cite, so every writer treats it as hostile: escaped for its
format, control characters removed, and only http(s) URLs ever become links (a `javascript:`
URL in an article must not become a clickable link in the report about it).

- `write_markdown`: a summary, the links that are not alive grouped by article, rot by domain.
- `write_junit`: one `<testcase>` per link; a `<failure>` for the verdicts `fail_on` names, a
  `<skipped>` for links not checked (excluded, unsupported). Streams: a catalogue of a million
  links is never one tree.
- `render_html`: one self-contained page (inline CSS and JS, no network, a Content Security
  Policy that says so) readable without JavaScript; the script only adds filtering and sorting.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import IO, Any
from urllib.parse import urlsplit

from resolver.audit.model import NOT_CHECKED, VERDICTS, AuditRecord, AuditSummary, AuditVerdict, Outcome
from resolver.safetext import spreadsheet_text, visible_escapes

#: Rows of the rot-by-domain table: a CI comment must stay readable (and under GitHub's 65,536
#: characters), the HTML page can afford more.
MARKDOWN_DOMAINS = 50
HTML_DOMAINS = 200
#: Anchor texts are sometimes whole paragraphs (a link around a quote); a table cell is not.
MARKDOWN_TEXT_WIDTH = 80

#: Characters XML 1.0 cannot carry at all (not even as `&#1;`) and that lxml and browsers reject
#: or replace in HTML: C0 controls but tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


#: The bidirectional embeddings, overrides and isolates (and the Arabic letter mark): an anchor
#: text holding U+202E shows the rest of its line reversed (`gnp.exe` for `exe.png`: "Trojan
#: Source", CVE-2021-42574). Markdown, JUnit and HTML show text to people, so they drop them;
#: json, jsonl and csv are data and keep the text as it was.
_BIDI = re.compile("[\u061c\u202a-\u202e\u2066-\u2069]")


def _clean(text: object) -> str:
    """One line of printable text: control characters and bidi overrides removed, line breaks
    made spaces."""
    return " ".join(_BIDI.sub("", _CONTROL.sub("", "" if text is None else str(text))).split())


def inert(text: object, width: int | None = None) -> str:
    """`text` for a terminal, unsafe characters as visible escapes (`safetext.visible_escapes`);
    `width` cuts it (an anchor text can be a paragraph)."""
    value = "" if text is None else str(text)
    if width is not None and len(value) > width:
        value = value[: width - 1].rstrip() + "…"
    return visible_escapes(value)


def csv_cell(value: object) -> object:
    """A csv cell: text that starts like a formula gets a leading `'` (spreadsheets show it as
    text); a lone `-` (stdin) is text already. Booleans as JSON writes them, None empty; json
    and jsonl carry the text untouched, for scripts."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_text(value) if isinstance(value, str) else value


def _web_url(url: str | None) -> str | None:
    """The URL as a browser would read it if it is http(s), else None (never made a link).

    Browsers drop tabs and newlines anywhere in a URL and C0 controls and spaces at its ends
    (WHATWG URL, "basic URL parser"), so `java\\tscript:` is `javascript:`: the check runs on
    what the browser will see, and that is also what gets written.
    """
    if not url:
        return None
    seen = re.sub("[\t\r\n]", "", _CONTROL.sub("", url)).strip(" ")
    try:
        parts = urlsplit(seen)
    except ValueError:  # "http://[" and other malformed hosts
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return seen


def _line(record: AuditRecord) -> int | None:
    value = (record.where or {}).get("line")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _percent(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "0.0%"


def _is_alive(record: AuditRecord) -> bool:
    return record.outcome is Outcome.ALIVE


def _wayback_label(record: AuditRecord) -> str:
    """`2015-03-01` for a capture timestamp (YYYYMMDDhhmmss), else a plain word."""
    stamp = record.wayback_timestamp or ""
    if len(stamp) >= 8 and stamp[:8].isdigit():
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    return "capture"


def _verdict_order(slug: str) -> tuple[int, str]:
    """VERDICTS' order (alive first, then the ways a link dies), unknown slugs last."""
    order = [v.value for v in VERDICTS]
    return (order.index(slug) if slug in order else len(order), slug)


def _verdict_info(slug: str) -> tuple[str, str]:
    """(outcome, meaning) of a verdict slug; a slug this version does not know gets blanks."""
    try:
        info = VERDICTS[AuditVerdict(slug)]
    except ValueError:
        return "", ""
    return info.outcome.value, info.meaning


def _domain_rows(summary: AuditSummary) -> list[tuple[str, dict[str, Any]]]:
    """Domains with a link that is not alive, most dead links first (then highest rot rate)."""
    rows = [(d, row) for d, row in summary.to_json()["by_domain"].items() if row["dead"] or row["uncertain"]]
    rows.sort(key=lambda kv: (-kv[1]["dead"], -kv[1]["rot_rate"], -kv[1]["uncertain"], kv[0]))
    return rows


def _year_rows(summary: AuditSummary) -> list[tuple[str, dict[str, Any]]]:
    """Years in order, the articles whose date is unknown last."""
    rows = list(summary.to_json()["by_year"].items())
    rows.sort(key=lambda kv: (not kv[0].isdigit(), kv[0]))
    return rows


def failing_verdicts(fail_on: Collection[str]) -> frozenset[AuditVerdict]:
    """The verdicts that fail a run, from verdict slugs and outcome names.

    An outcome name stands for all its verdicts ("dead" is the outcome: dead, soft-404, parked,
    tweet-deleted, account-suspended), except that the verdicts of links not checked (`excluded`,
    `unsupported`: `model.NOT_CHECKED`) fail only when named: the user chose not to check those
    links, or they cannot be checked over HTTP, so "fail on uncertain links" cannot mean them.
    """
    verdicts: set[AuditVerdict] = set()
    unknown: list[str] = []
    for name in {str(n) for n in fail_on}:
        if name in {o.value for o in Outcome}:
            verdicts.update(
                v for v, info in VERDICTS.items() if info.outcome.value == name and v not in NOT_CHECKED
            )
        elif name in {v.value for v in AuditVerdict}:
            verdicts.add(AuditVerdict(name))
        else:
            unknown.append(name)
    if unknown:
        names = ", ".join(sorted({v.value for v in AuditVerdict} | {o.value for o in Outcome}))
        raise ValueError(f"fail_on {', '.join(sorted(unknown))}: not a verdict or an outcome ({names})")
    return frozenset(verdicts)


# --- Markdown ---------------------------------------------------------------------------------

#: Backslash-escaped so that text stays text (CommonMark: any ASCII punctuation may be escaped).
#: `|` splits GFM table cells (even inside code spans); `<` and `&` start HTML and entities;
#: `#` closes a heading; `[`, `]`, `*`, `_`, `~` and the backtick start inline markup.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#])")


def _md(text: object, width: int | None = None) -> str:
    clean = _clean(text)
    if width is not None and len(clean) > width:
        clean = clean[: width - 1].rstrip() + "…"
    return _MD_SPECIAL.sub(r"\\\1", clean)


def _md_percent_encode(url: str) -> str:
    """Spaces, `<`, `>` and `\\` percent-encoded: autolinks and link destinations cannot hold
    them (CommonMark 6.5, 6.3), and a backslash would start an escape in a destination. Bidi
    overrides too (as their UTF-8 bytes, as a browser sends them): the link still goes to the
    same place, and the line is not shown reversed."""
    return re.sub(
        "[\x00-\x20\x7f<>\\\\\u061c\u202a-\u202e\u2066-\u2069]",
        lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")),
        url,
    )


def _md_url(url: str | None, label: str | None = None) -> str:
    """An http(s) URL as `<url>` (or `[label](url)`); anything else as plain escaped text.

    Inside a table `|` is escaped as `\\|` even in a link: GFM removes that escape before it
    reads the cell's inlines, so the link keeps its `|`.
    """
    web = _web_url(url)
    if web is None:
        return _md(url)
    safe = _md_percent_encode(web).replace("|", "\\|")
    if label is None:
        return f"<{safe}>"
    dest = safe.replace("(", "\\(").replace(")", "\\)")
    return f"[{_md(label)}]({dest})"


def _md_table(out: IO[str], header: Sequence[str], align: str, rows: Iterable[Sequence[str]]) -> None:
    """`align`: one letter a column, `l` or `r`."""
    out.write("| " + " | ".join(header) + " |\n")
    out.write("|" + "|".join(" ---: " if a == "r" else " --- " for a in align) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(cell or " " for cell in row) + " |\n")


def write_markdown(records: Iterable[AuditRecord], summary: AuditSummary, out: IO[str]) -> None:
    """A Markdown report: the figures, every link not alive grouped by article, rot by domain.

    Holds only the links that are not alive (to group them by article); the counts come from
    `summary`, built from the same records.
    """
    by_article: dict[str, list[AuditRecord]] = {}
    for record in records:
        if not _is_alive(record):
            by_article.setdefault(record.article, []).append(record)
    links = summary.links
    outcomes = {o.value: summary.by_outcome.get(o.value, 0) for o in Outcome}

    out.write("# Link audit\n\n")
    failed = f" ({summary.failed_articles:,} could not be read)" if summary.failed_articles else ""
    out.write(
        f"{summary.articles:,} articles{failed}, {links:,} links: "
        f"**{outcomes['dead']:,} dead** ({_percent(outcomes['dead'], links)}), "
        f"{outcomes['uncertain']:,} uncertain ({_percent(outcomes['uncertain'], links)}), "
        f"{outcomes['alive']:,} alive ({_percent(outcomes['alive'], links)}).\n\n"
    )
    _md_table(
        out,
        ["Outcome", "Links", "Share"],
        "lrr",
        ([name, f"{count:,}", _percent(count, links)] for name, count in outcomes.items()),
    )
    out.write("\n")
    verdict_rows = []
    for slug, count in sorted(summary.by_verdict.items(), key=lambda kv: _verdict_order(kv[0])):
        outcome, meaning = _verdict_info(slug)
        verdict_rows.append([_md(slug), outcome, f"{count:,}", _md(meaning)])
    _md_table(out, ["Verdict", "Outcome", "Links", "Meaning"], "llrl", verdict_rows)

    not_alive = sum(len(rows) for rows in by_article.values())
    out.write(f"\n## Links that are not alive ({not_alive:,})\n\n")
    if not by_article:
        out.write("None: every link is alive.\n")
    for article, rows in by_article.items():
        out.write(f"### {_md(article) or 'Links given as a list'}\n\n")
        _md_table(
            out,
            ["Line", "Anchor text", "URL", "Verdict", "Outcome", "Evidence", "Wayback"],
            "rllllll",
            (
                [
                    "" if _line(r) is None else str(_line(r)),
                    _md(r.text, MARKDOWN_TEXT_WIDTH),
                    _md_url(r.url),
                    _md(r.verdict.value),
                    r.outcome.value,
                    _md(r.evidence),
                    _md_url(r.wayback_url, _wayback_label(r)) if r.wayback_url else "",
                ]
                for r in rows
            ),
        )
        out.write("\n")

    domains = _domain_rows(summary)
    out.write(f"\n## Rot by domain (top {MARKDOWN_DOMAINS} by dead links)\n\n")
    if not domains:
        out.write("No domain has a dead or uncertain link.\n")
        return
    _md_table(
        out,
        ["Domain", "Links", "Dead", "Uncertain", "Rot rate"],
        "lrrrr",
        (
            [
                _md(d),
                f"{r['total']:,}",
                f"{r['dead']:,}",
                f"{r['uncertain']:,}",
                _percent(r["dead"], r["total"]),
            ]
            for d, r in domains[:MARKDOWN_DOMAINS]
        ),
    )
    if len(domains) > MARKDOWN_DOMAINS:
        out.write(f"\n{len(domains) - MARKDOWN_DOMAINS:,} more domains with links that are not alive.\n")


# --- JUnit XML --------------------------------------------------------------------------------

SUITE_NAME = "resolver audit"


def _junit_case(record: AuditRecord, failing: frozenset[AuditVerdict]) -> ET.Element:
    line = _line(record)
    url = _clean(record.url)
    case = ET.Element(
        "testcase",
        classname=_clean(record.article) or "links",
        name=f"{url} (line {line})" if line is not None else url,
    )
    evidence = _clean(record.evidence)
    if record.verdict in failing:
        failure = ET.SubElement(
            case, "failure", message=f"{record.verdict.value}: {evidence}", type=record.verdict.value
        )
        _, meaning = _verdict_info(record.verdict.value)
        details = [
            f"outcome: {record.outcome.value} ({meaning})",
            f"url: {url}",
            f"final url: {_clean(record.final_url)}" if record.final_url else "",
            f"http status: {record.http_status}" if record.http_status is not None else "",
            f"anchor text: {_clean(record.text)}" if record.text else "",
            f"wayback: {_clean(record.wayback_url)}" if record.wayback_url else "",
        ]
        failure.text = "\n".join(d for d in details if d)
    elif record.verdict in NOT_CHECKED:
        ET.SubElement(case, "skipped", message=evidence)
    return case


def write_junit(
    records: Iterable[AuditRecord], summary: AuditSummary, out: IO[str], *, fail_on: Collection[str]
) -> None:
    """JUnit XML: a test per link, failed when its verdict is in `fail_on`, skipped when not checked.

    `fail_on` holds verdict slugs and outcome names (see `failing_verdicts`). The suite's counts
    are written before its test cases, so they come from `summary` (which must be built from
    the same records, as `AuditSummary.add` does); a mismatch raises ValueError at the end.
    """
    failing = failing_verdicts(fail_on)
    counts = summary.by_verdict
    failures = sum(counts.get(v.value, 0) for v in failing)
    skipped = sum(counts.get(v.value, 0) for v in NOT_CHECKED - failing)
    totals = {"tests": str(summary.links), "failures": str(failures), "errors": "0"}

    # ElementTree writes whole trees only; to stream the test cases, the two enclosing elements
    # are serialised by ElementTree around a marker child and split there, so every byte of
    # markup still comes from ElementTree's escaping.
    root = ET.Element("testsuites", name=SUITE_NAME, **totals)
    suite = ET.SubElement(root, "testsuite", name=SUITE_NAME, **totals, skipped=str(skipped))
    properties = ET.SubElement(suite, "properties")
    for name, value in (("articles", summary.articles), ("failed_articles", summary.failed_articles)):
        ET.SubElement(properties, "property", name=name, value=str(value))
    ET.SubElement(suite, "marker")
    head, tail = ET.tostring(root, encoding="unicode").split("<marker />")

    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(head)
    seen = {"tests": 0, "failures": 0, "skipped": 0}
    for record in records:
        case = _junit_case(record, failing)
        seen["tests"] += 1
        seen["failures"] += case.find("failure") is not None
        seen["skipped"] += case.find("skipped") is not None
        out.write("\n" + ET.tostring(case, encoding="unicode"))
    out.write("\n" + tail + "\n")
    expected = {"tests": summary.links, "failures": failures, "skipped": skipped}
    if seen != expected:
        raise ValueError(f"write_junit: the summary counts {expected} but the records hold {seen}")


# --- HTML -------------------------------------------------------------------------------------


def _h(text: object) -> str:
    """Text for HTML content or a quoted attribute (controls and bidi overrides dropped)."""
    return html.escape(_BIDI.sub("", _CONTROL.sub("", "" if text is None else str(text))), quote=True)


def _link(url: str | None, label: str | None = None) -> str:
    """An `<a>` for http(s) URLs; any other scheme stays text (never `javascript:` in a href)."""
    web = _web_url(url)
    shown = _h(url if label is None else label)
    if web is None:
        return shown
    # The href is the URL exactly (only escaped): what is dropped from text for people must
    # not change where the link goes.
    return f'<a href="{html.escape(web, quote=True)}" rel="noopener noreferrer nofollow">{shown}</a>'


def _json_block(data: Any) -> str:
    """JSON to embed in `<script type="application/json">`: `</` would end the element early,
    and `<!--` would put the HTML parser in its "script data escaped" state, so neither is left
    as is (both escapes are still JSON that parses to the same strings)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    # A lone surrogate (text decoded with surrogateescape) could not be written as UTF-8:
    # as a JSON escape it survives, and it can only occur inside a JSON string.
    text = re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


_CSS = """
:root { --dead: #c0392b; --uncertain: #d68910; --alive: #7f8c8d; --line: #ddd; --muted: #666; }
[hidden] { display: none !important; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
  max-width: 1400px; padding: 1rem 1.5rem 3rem; color: #222; }
h1 { margin-bottom: .2rem; } .generated { color: var(--muted); margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; min-width: 8rem; }
.card .figure { display: block; font-size: 1.8rem; font-weight: 600; }
.card .label { color: var(--muted); } .card .percent { margin-left: .4rem; color: var(--muted); }
.card.dead .figure { color: var(--dead); } .card.uncertain .figure { color: var(--uncertain); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f6f6; position: sticky; top: 0; }
th button { all: inherit; cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.url, td.article, td.evidence { word-break: break-all; }
.final { color: var(--muted); font-size: .9em; }
.outcome-dead { color: var(--dead); } .outcome-uncertain { color: var(--uncertain); }
#filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: .5rem 0; }
#filters input { min-width: 20rem; }
svg .dead { fill: var(--dead); } svg .uncertain { fill: var(--uncertain); }
svg .alive { fill: #d5dbdb; } svg text { font-size: 11px; fill: #444; }
svg.bar { vertical-align: middle; }
"""

_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var table = document.getElementById("links");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var haystacks = {};
  rows.forEach(function (row) {
    var r = data.records[Number(row.getAttribute("data-index"))] || {};
    haystacks[row.getAttribute("data-index")] = [r.url, r.final_url, r.article, r.evidence, r.text, r.host]
      .filter(Boolean).join("\\n").toLowerCase();
  });
  var text = document.getElementById("filter-text");
  var verdict = document.getElementById("filter-verdict");
  var outcome = document.getElementById("filter-outcome");
  var shown = document.getElementById("shown-count");
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});

  function filter() {
    var q = text.value.trim().toLowerCase(), v = verdict.value, o = outcome.value, count = 0;
    rows.forEach(function (row) {
      var ok = (!q || haystacks[row.getAttribute("data-index")].indexOf(q) !== -1) &&
        (!v || row.getAttribute("data-verdict") === v) && (!o || row.getAttribute("data-outcome") === o);
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = String(count);
  }

  function sortBy(th, direction) {
    var col = headers.indexOf(th), numeric = th.getAttribute("data-sort") === "number";
    var sign = direction === "descending" ? -1 : 1;
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", direction);
    var keyed = Array.prototype.slice.call(tbody.rows).map(function (row, i) {
      var cell = row.cells[col], key;
      if (numeric) {
        key = cell.getAttribute("data-value");
        key = key === null || key === "" ? null : Number(key);
      } else {
        key = cell.textContent.trim();
      }
      return {row: row, key: key, i: i};
    });
    keyed.sort(function (a, b) {
      if (a.key === null || b.key === null) {  /* rows without a value last, both directions */
        return a.key === b.key ? a.i - b.i : (a.key === null ? 1 : -1);
      }
      var d = numeric ? a.key - b.key : collator.compare(a.key, b.key);
      return d ? sign * d : a.i - b.i;
    });
    keyed.forEach(function (k) { tbody.appendChild(k.row); });
  }

  function saveState() {
    var state = new URLSearchParams();
    if (text.value) { state.set("q", text.value); }
    if (verdict.value) { state.set("verdict", verdict.value); }
    if (outcome.value) { state.set("outcome", outcome.value); }
    headers.forEach(function (h) {
      var dir = h.getAttribute("aria-sort");
      if (dir) { state.set("sort", h.getAttribute("data-key")); state.set("dir", dir); }
    });
    try { history.replaceState(null, "", "#" + state.toString()); } catch (e) { /* file: in some browsers */ }
  }

  headers.forEach(function (th) {
    var button = document.createElement("button");
    button.type = "button";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      sortBy(th, th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
      saveState();
    });
  });
  [text, verdict, outcome].forEach(function (el) {
    el.addEventListener("input", function () { filter(); saveState(); });
  });

  /* A filtered or sorted view can be shared: its state lives in the URL's fragment. */
  var state = new URLSearchParams(location.hash.slice(1));
  text.value = state.get("q") || "";
  if (state.get("verdict")) { verdict.value = state.get("verdict"); }
  if (state.get("outcome")) { outcome.value = state.get("outcome"); }
  var sorted = headers.filter(function (h) { return h.getAttribute("data-key") === state.get("sort"); })[0];
  if (sorted) { sortBy(sorted, state.get("dir") === "descending" ? "descending" : "ascending"); }
  filter();
  document.getElementById("filters").hidden = false;
  document.body.setAttribute("data-ready", "1");
})();
"""


def _csp_hash(source: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"
    )


#: No network at all (`default-src 'none'`), and only this module's own style and script run,
#: by hash: should a hostile string ever slip past the escaping, the browser still refuses it.
#: Links in `<a>` are navigation, which CSP leaves alone.
#: Written into its attribute as is, readable in the page's source: it holds no `"`, `<` or `&`.
_CSP = (
    f"default-src 'none'; style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
    "img-src 'none'; base-uri 'none'; form-action 'none'"
)

_LINK_COLUMNS = (
    # key, header, numeric
    ("article", "Article", False),
    ("line", "Line", True),
    ("text", "Anchor text", False),
    ("url", "URL", False),
    ("verdict", "Verdict", False),
    ("outcome", "Outcome", False),
    ("status", "HTTP", True),
    ("evidence", "Evidence", False),
    ("wayback", "Wayback", False),
)


def _html_cards(summary: AuditSummary) -> Iterator[str]:
    links = summary.links
    yield '<section id="summary"><h2>Summary</h2><div class="cards">'
    figures: list[tuple[str, str, int, bool]] = [
        ("articles", "articles", summary.articles, False),
        ("links", "links", summary.links, False),
    ]
    if summary.failed_articles:
        figures.insert(1, ("failed_articles", "articles not read", summary.failed_articles, False))
    figures += [(o.value, o.value, summary.by_outcome.get(o.value, 0), True) for o in Outcome]
    for key, label, value, share in figures:
        percent = (
            f'<span class="percent" data-percent="{key}">{_percent(value, links)}</span>' if share else ""
        )
        yield (
            f'<div class="card {key}"><span class="figure" data-figure="{key}">{value}</span>'
            f'<span class="label">{_h(label)}</span>{percent}</div>'
        )
    yield "</div>"
    yield '<table id="verdicts"><thead><tr><th>Verdict</th><th>Outcome</th><th class="num">Links</th>'
    yield '<th class="num">Share</th><th>Meaning</th></tr></thead><tbody>'
    for slug, count in sorted(summary.by_verdict.items(), key=lambda kv: _verdict_order(kv[0])):
        outcome, meaning = _verdict_info(slug)
        yield (
            f'<tr data-verdict="{_h(slug)}"><td>{_h(slug)}</td><td class="outcome-{outcome}">{outcome}</td>'
            f'<td class="num">{count}</td><td class="num">{_percent(count, links)}</td>'
            f"<td>{_h(meaning)}</td></tr>"
        )
    yield "</tbody></table></section>"


def _html_links(rows: Sequence[AuditRecord]) -> Iterator[str]:
    yield f'<section id="not-alive"><h2>Links that are not alive ({len(rows)})</h2>'
    verdicts = sorted({r.verdict.value for r in rows}, key=_verdict_order)
    outcomes = sorted({r.outcome.value for r in rows})
    # Hidden until the script runs: without JavaScript the controls would do nothing.
    yield '<div id="filters" hidden><label>Filter <input id="filter-text" type="search" '
    yield 'placeholder="URL, article, evidence…"></label>'
    yield '<label>Verdict <select id="filter-verdict"><option value="">all</option>'
    yield "".join(f'<option value="{_h(v)}">{_h(v)}</option>' for v in verdicts)
    yield '</select></label><label>Outcome <select id="filter-outcome"><option value="">all</option>'
    yield "".join(f'<option value="{_h(o)}">{_h(o)}</option>' for o in outcomes)
    yield f'</select></label><span>showing <span id="shown-count">{len(rows)}</span> '
    yield f"of {len(rows)}</span></div>"
    if not rows:
        yield '<p class="empty">None: every link is alive.</p>'
    yield '<table id="links"><thead><tr>'
    for key, header, numeric in _LINK_COLUMNS:
        sort, css = ("number", ' class="num"') if numeric else ("text", "")
        yield f'<th data-key="{key}" data-sort="{sort}"{css}>{header}</th>'
    yield "</tr></thead><tbody>"
    for index, r in enumerate(rows):
        line = "" if _line(r) is None else str(_line(r))
        final = (
            f'<div class="final">→ {_link(r.final_url)}</div>' if r.final_url and r.final_url != r.url else ""
        )
        wayback = _link(r.wayback_url, _wayback_label(r)) if r.wayback_url else ""
        status = "" if r.http_status is None else str(r.http_status)
        yield (
            f'<tr class="link" data-index="{index}" data-verdict="{_h(r.verdict.value)}" '
            f'data-outcome="{r.outcome.value}">'
            f'<td class="article">{_link(r.article)}</td>'
            f'<td class="num line" data-value="{line}">{line}</td>'
            f'<td class="text">{_h(r.text)}</td>'
            f'<td class="url">{_link(r.url)}{final}</td>'
            f'<td class="verdict">{_h(r.verdict.value)}</td>'
            f'<td class="outcome outcome-{r.outcome.value}">{r.outcome.value}</td>'
            f'<td class="num status" data-value="{status}">{status}</td>'
            f'<td class="evidence">{_h(r.evidence)}</td>'
            f'<td class="wayback">{wayback}</td></tr>'
        )
    yield "</tbody></table></section>"


def _bar(row: dict[str, Any], width: int = 100, height: int = 10) -> str:
    """A stacked bar (dead, uncertain, alive) as inline SVG: attributes, not style, so the page's
    CSP needs no inline styles."""
    total = row["total"] or 1
    parts, x = [], 0.0
    for name in ("dead", "uncertain", "alive"):
        w = width * row[name] / total
        if w:
            parts.append(f'<rect class="{name}" x="{x:.1f}" y="0" width="{w:.1f}" height="{height}"></rect>')
        x += w
    return f'<svg class="bar" width="{width}" height="{height}" aria-hidden="true">{"".join(parts)}</svg>'


def _html_rates_table(table_id: str, label: str, rows: Sequence[tuple[str, dict[str, Any]]]) -> Iterator[str]:
    yield f'<table id="{table_id}"><thead><tr><th>{label}</th><th class="num">Links</th>'
    yield '<th class="num">Dead</th><th class="num">Uncertain</th><th class="num">Rot rate</th>'
    yield "<th></th></tr></thead><tbody>"
    for key, r in rows:
        yield (
            f'<tr data-key="{_h(key)}"><td>{_h(key)}</td><td class="num">{r["total"]}</td>'
            f'<td class="num">{r["dead"]}</td><td class="num">{r["uncertain"]}</td>'
            f'<td class="num">{_percent(r["dead"], r["total"])}</td><td>{_bar(r)}</td></tr>'
        )
    yield "</tbody></table>"


def _year_chart(rows: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """Each year a 100% stacked column (dead at the bottom) so years of any size compare."""
    bar, gap, plot, top, bottom = 32, 16, 160, 18, 20
    width = max(len(rows) * (bar + gap) + gap, 200)
    parts = [
        f'<svg id="year-chart" viewBox="0 0 {width} {top + plot + bottom}" width="{width}" '
        f'height="{top + plot + bottom}" role="img" aria-label="Share of dead links by year of the article">'
    ]
    for i, (year, r) in enumerate(rows):
        x, y, total = gap + i * (bar + gap), float(top + plot), r["total"] or 1
        parts.append(
            f'<g data-year="{_h(year)}"><title>{_h(year)}: {r["dead"]} of {r["total"]} links dead</title>'
        )
        for name in ("dead", "uncertain", "alive"):
            h = plot * r[name] / total
            if h:
                y -= h
                parts.append(
                    f'<rect class="{name}" x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}"></rect>'
                )
        parts.append(
            f'<text x="{x + bar / 2}" y="{top - 5}" '
            f'text-anchor="middle">{_percent(r["dead"], r["total"]).replace(".0%", "%")}</text>'
        )
        label = f'<text x="{x + bar / 2}" y="{top + plot + 14}" text-anchor="middle">{_h(year)}</text>'
        parts.append(label + "</g>")
    parts.append("</svg>")
    return "".join(parts)


def render_html(
    records: Sequence[AuditRecord], summary: AuditSummary, *, title: str, generated_at: str
) -> str:
    """One self-contained HTML page: figures, the links not alive (filterable, sortable), rot
    by domain and by the article's year. Readable without JavaScript; opens without network.

    The links that are not alive are also embedded as JSON (`<script type="application/json"
    id="data">`, with the summary) for the page's script and for anyone scraping the report.
    """
    rows = [r for r in records if not _is_alive(r)]
    domains = _domain_rows(summary)
    years = _year_rows(summary)
    data = {"summary": summary.to_json(), "records": [r.to_json() for r in rows]}
    shown_domains = domains[:HTML_DOMAINS]
    more = (
        f'<p class="more">{len(domains) - HTML_DOMAINS} more domains with links that are not alive.</p>'
        if len(domains) > HTML_DOMAINS
        else ""
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_h(title)}</h1>",
        f'<p class="generated">Generated <time>{_h(generated_at)}</time></p></header>',
        *_html_cards(summary),
        *_html_links(rows),
        f'<section id="domains"><h2>Rot by domain (top {HTML_DOMAINS} by dead links)</h2>',
        *(_html_rates_table("domain-table", "Domain", shown_domains) if domains else ["<p>None.</p>"]),
        more,
        "</section>",
        '<section id="years"><h2>Link rot by the year of the article</h2>',
        _year_chart(years) if years else "<p>No links.</p>",
        *_html_rates_table("year-table", "Year", years),
        "</section>",
        f'<script type="application/json" id="data">{_json_block(data)}</script>',
        f"<script>{_JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


__all__ = [
    "HTML_DOMAINS",
    "MARKDOWN_DOMAINS",
    "csv_cell",
    "failing_verdicts",
    "inert",
    "render_html",
    "write_junit",
    "write_markdown",
]
