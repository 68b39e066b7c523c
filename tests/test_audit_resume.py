"""`resolver audit --resume`: a run interrupted by SIGINT or SIGKILL is continued, not redone.

Every run here has `--no-cache`, so only the journal can spare a fetch: what an interrupted run
judged must not be asked of the local web again, and the resumed run's report must hold every
link occurrence, as an uninterrupted run's would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from resolver.audit.journal import Journal, run_key
from resolver.audit.model import AuditRecord, AuditVerdict
from tests.web.twitter import TwitterWeb

pytestmark = pytest.mark.usefixtures("proxy_env")

ARTICLES = 24
SHARED = "https://shared.example/cited-by-all"


def build(twitter_web: TwitterWeb, folder: Path) -> dict[str, str]:
    """ARTICLES articles, each citing two pages of its own (one dead) and one page cited by all."""
    web = twitter_web.web
    expected = {SHARED: "alive"}
    web.page(SHARED, "<html><title>Everyone cites this</title><p>text</p></html>")
    folder.mkdir()
    for n in range(ARTICLES):
        alive, dead = f"https://site{n}.example/story/{n}", f"https://gone{n}.example/story/{n}"
        # Pages slower and slower: the articles finish one after another, not all at once.
        web.page(alive, f"<html><title>Story {n}</title><p>text {n}</p></html>", latency=0.1 + 0.1 * n)
        web.status(dead, 404)
        expected[alive], expected[dead] = "alive", "dead"
        (folder / f"article-{n:03}.html").write_text(
            '<html><head><meta property="article:published_time" content="2016-05-01"></head><body>'
            f'<p><a href="{alive}">one</a> <a href="{dead}">two</a> <a href="{SHARED}">all</a></p></body></html>',
            encoding="utf-8",
        )
    return expected


def audit(folder: Path, journal: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "resolver", "audit", str(folder), "--no-cache", "--wayback", "off",
        "--no-probe", "-f", "jsonl", "--journal", str(journal), *extra,
    ]  # fmt: skip


def wait_for_articles(journal: Path, count: int, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists():
            done = sum(1 for line in journal.read_bytes().splitlines() if line.startswith(b'{"article"'))
            if done >= count:
                return done
        assert process.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("the run did not get going")


def judged(journal: Path) -> set[str]:
    urls = set()
    for line in journal.read_bytes().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # the torn last line
        if "judgement" in entry:
            urls.add(entry["url"])
    return urls


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_audit_is_resumed_without_fetching_again(
    twitter_web: TwitterWeb, tmp_path: Path, how: signal.Signals
) -> None:
    web = twitter_web.web
    expected = build(twitter_web, tmp_path / "articles")
    journal = tmp_path / "run.journal"
    first = subprocess.Popen(
        audit(tmp_path / "articles", journal),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    wait_for_articles(journal, 4, first)
    first.send_signal(how)
    _, err = first.communicate(timeout=60)
    if how != signal.SIGKILL:  # Ctrl-C exits 130, a scheduler's SIGTERM 143: both say how to go on
        assert first.returncode == 128 + how, err
        assert "--resume" in err and "Traceback" not in err
    else:
        assert first.returncode == -signal.SIGKILL
    assert journal.exists()
    done_before = judged(journal)
    assert SHARED in done_before and len(done_before) < len(expected)
    fetched_before = {url: web.count(*_host_path(url)) for url in expected}

    # After SIGTERM, the resumed run writes one JSON document and an HTML report to files:
    # the records taken from the journal count in the summary like the fresh ones.
    to_files = how == signal.SIGTERM
    report, page = tmp_path / "audit.json", tmp_path / "audit.html"
    extra = ("-f", "json", "-o", str(report), "--html", str(page)) if to_files else ()
    second = subprocess.run(
        [*audit(tmp_path / "articles", journal, "--resume"), *extra],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert second.returncode == 1, second.stderr  # dead links were found
    assert "resuming:" in second.stderr
    if to_files:
        document = json.loads(report.read_text(encoding="utf-8"))
        assert document["summary"]["links"] == 3 * ARTICLES
        assert document["summary"]["by_verdict"] == {"alive": 2 * ARTICLES, "dead": ARTICLES}
        assert page.read_text(encoding="utf-8").count("gone") >= ARTICLES  # every dead link listed
        rows = document["links"]
    else:
        rows = [json.loads(line) for line in second.stdout.splitlines()]
    # The whole report, in input order: every occurrence once, each with its verdict.
    assert len(rows) == 3 * ARTICLES
    assert [r["article"] for r in rows] == sorted(r["article"] for r in rows)
    assert {(r["article"], r["url"]) for r in rows} == {
        (str(tmp_path / "articles" / f"article-{n:03}.html"), url)
        for n in range(ARTICLES)
        for url in (f"https://site{n}.example/story/{n}", f"https://gone{n}.example/story/{n}", SHARED)
    }
    assert [r for r in rows if r["verdict"] != expected[r["url"]]] == []
    for url in expected:
        now = web.count(*_host_path(url))
        if url in done_before:
            assert now == fetched_before[url] == 1, url  # judged by the first run: not asked again
        else:
            assert now - fetched_before[url] == 1, url  # the rest: once
    assert not journal.exists()  # a finished run leaves nothing to resume


def test_a_report_killed_mid_run_leaves_no_temp_file_after_the_resumed_run(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    build(twitter_web, tmp_path / "articles")
    journal, report = tmp_path / "run.journal", tmp_path / "out" / "audit.jsonl"
    report.parent.mkdir()
    first = subprocess.Popen(
        [*audit(tmp_path / "articles", journal), "-o", str(report)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    wait_for_articles(journal, 4, first)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL
    # The killed run could not clean up: its half report stays, named after its pid and target.
    (stale,) = report.parent.iterdir()
    assert stale.name.startswith(f".tmp-{first.pid}-") and stale.name.endswith("-audit.jsonl")

    second = subprocess.run(
        [*audit(tmp_path / "articles", journal, "--resume"), "-o", str(report)],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert second.returncode == 1, second.stderr  # dead links were found
    assert "resuming:" in second.stderr
    assert [p.name for p in report.parent.iterdir()] == [report.name]  # the stale temp is gone
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3 * ARTICLES  # the whole report, as an uninterrupted run writes it
    assert not journal.exists()


def _host_path(url: str) -> tuple[str, str]:
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    return host, "/" + path


def test_a_finished_article_is_not_read_again_unless_it_changed(tmp_path: Path) -> None:
    article = tmp_path / "a.html"
    article.write_text("<p>one</p>", encoding="utf-8")
    path = tmp_path / "j.jsonl"
    identity = {"wayback": True}
    record = AuditRecord("a.html", "https://x.example/", None, AuditVerdict.DEAD, "HTTP 404", {"line": 1})
    from resolver.audit.journal import stamp_of

    journal = Journal(path, identity, resume=False)
    journal.note_article(str(article), stamp_of(str(article)), [record])
    journal.note_judgement("https://x.example/", {"verdict": "dead", "evidence": "HTTP 404"})
    journal.note_memento("https://x.example/", "2015-10-21", ("https://web.archive.org/web/1/x", "1"))
    journal.close()
    with path.open("ab") as handle:
        handle.write(b'{"url":"https://torn.example/","judg')  # the kill came mid-line

    again = Journal(path, identity, resume=True)
    assert again.resumed
    assert again.article(str(article), stamp_of(str(article))) == [record]
    assert set(again.judgements) == {"https://x.example/"}
    assert again.mementos[("https://x.example/", "2015-10-21")][1] == "1"
    again.note_probe("x.example", "")  # appended after the cut, not glued to the torn line
    again.close()
    lines = path.read_bytes().splitlines()
    assert json.loads(lines[-1]) == {"probe": "x.example", "text": ""}

    article.write_text("<p>one, edited</p>", encoding="utf-8")
    third = Journal(path, identity, resume=True)
    assert third.article(str(article), stamp_of(str(article))) is None  # changed: audited again
    third.close()

    other = Journal(path, {"wayback": False}, resume=True)
    assert not other.resumed and "other options" in other.restarted
    assert other.judgements == {}
    other.finish()
    assert not path.exists()


def test_run_keys_name_the_inputs_wherever_the_run_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    key = run_key(["sub"], None)
    monkeypatch.chdir(tmp_path / "sub")
    assert run_key([".."], None) != key  # another folder
    assert run_key([str(tmp_path / "sub")], None) == key
    assert run_key([str(tmp_path / "sub")], "links.txt") != key


def test_stdin_cannot_be_resumed(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "resolver", "audit", "-", "--resume"],
        input="<p>x</p>", capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 2 and "stdin" in done.stderr and "Traceback" not in done.stderr


def test_two_runs_of_the_same_inputs_do_not_share_a_journal(tmp_path: Path) -> None:
    from resolver.errors import UsageError

    path = tmp_path / "j.jsonl"
    first = Journal(path, {}, resume=False)
    with pytest.raises(UsageError, match="another run"):
        Journal(path, {}, resume=True)
    first.finish()
    assert not path.exists() and not (tmp_path / "j.jsonl.lock").exists()
    Journal(path, {}, resume=True).close()  # free again


def test_a_path_that_is_not_utf8_round_trips_through_the_journal(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9-\xff.html")  # Latin-1 bytes in a file name: surrogates in Python
    article = tmp_path / name
    article.write_text("<p>x</p>", encoding="utf-8")
    record = AuditRecord(str(article), "https://x.example/", None, AuditVerdict.DEAD, "HTTP 404", {"line": 1})
    from resolver.audit.journal import stamp_of

    path = tmp_path / "j.jsonl"
    journal = Journal(path, {}, resume=False)
    journal.note_article(str(article), stamp_of(str(article)), [record])
    journal.close()
    again = Journal(path, {}, resume=True)
    assert again.article(str(article), stamp_of(str(article))) == [record]
    again.close()


def test_killed_again_and_again_the_resumed_report_is_an_uninterrupted_runs_record_for_record(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    build(twitter_web, tmp_path / "articles")
    reference = subprocess.run(
        audit(tmp_path / "articles", tmp_path / "reference.journal"),
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert reference.returncode == 1, reference.stderr
    journal = tmp_path / "run.journal"
    # At each kill: the fetches so far of each URL the journal held judged.
    at_kills: list[dict[str, int]] = []
    # Killed three times, at different points of the run (the journal's articles accumulate
    # across the runs), each run resuming the one before.
    for n, articles_done in enumerate((2, 9, 16)):
        extra = ("--resume",) if n else ()
        run = subprocess.Popen(
            audit(tmp_path / "articles", journal, *extra),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        )  # fmt: skip
        wait_for_articles(journal, articles_done, run)
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=60)
        at_kills.append({url: web.count(*_host_path(url)) for url in judged(journal)})
    last = subprocess.run(
        audit(tmp_path / "articles", journal, "--resume"),
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert last.returncode == 1, last.stderr

    assert last.stdout == reference.stdout  # the same records, in the same order, byte for byte
    assert all(at_kills) and not journal.exists()
    for fetched in at_kills:  # what a killed run had judged, no later run asked again
        assert {url: web.count(*_host_path(url)) for url in fetched} == fetched
    assert len(at_kills[-1]) > len(at_kills[0])  # and each run did work of its own


def _identity_journal(path: Path, **extra: object) -> None:
    """The journal an interrupted run of `--wayback off --no-probe` (and `extra`) left behind."""
    identity = {"wayback": False, "probe_siblings": False, "tweets": True, "exclude": [], "overrides": []}
    Journal(path, {**identity, **extra}, resume=False).close()


RESUME_CASES: list[tuple[dict[str, object], list[str], str, bool]] = [
    ({}, [], "", True),  # the same options: resumed
    ({}, ["--allow-private"], "", False),  # fetches what the first run called blocked
    ({"allow_private": True}, [], "", False),
    ({}, [], '[hosts."paywall.example"]\nheaders = { Cookie = "subscriber=1" }\n', False),
    ({}, ["--exclude", "x"], "", False),
]


@pytest.mark.parametrize(("first", "args", "config", "resumed"), RESUME_CASES)
def test_a_journal_of_a_run_with_other_options_is_not_resumed(
    twitter_web: TwitterWeb,
    tmp_path: Path,
    first: dict[str, object],
    args: list[str],
    config: str,
    resumed: bool,
) -> None:
    twitter_web.web.page("https://alive.example/a", "<p>a</p>")
    listing, journal = tmp_path / "links.txt", tmp_path / "run.journal"
    listing.write_text("https://alive.example/a\n", encoding="utf-8")
    (tmp_path / "resolver.toml").write_text(config, encoding="utf-8")
    _identity_journal(journal, **first)
    done = subprocess.run(
        [sys.executable, "-m", "resolver", "audit", "--urls", str(listing), "--no-cache", "--wayback", "off",
         "--no-probe", "-f", "jsonl", "--journal", str(journal), "--resume", *args],
        capture_output=True, text=True, timeout=120, env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert ("resolver: resuming:" in done.stderr) is resumed
    assert ("other options; starting afresh" in done.stderr) is not resumed
    assert "error" not in done.stderr  # news for people, not errors
    assert "subscriber" not in journal.read_text() if journal.exists() else True  # no secret kept


def test_a_lock_left_by_a_finished_run_is_not_taken_for_the_journals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run opens the lock file just as the run holding it finishes (removes it, lets go), and a
    third run creates and locks a new one: the second must not count the old file's lock."""
    import resolver.audit.journal as journal_module
    from resolver.errors import UsageError

    path = tmp_path / "j.jsonl"
    finishing = Journal(path, {}, resume=False)
    stale = os.open(f"{path}.lock", os.O_WRONLY)  # opened a moment before the finish
    finishing.finish()
    third = Journal(path, {}, resume=False)  # a new lock file, held
    real_open, calls = os.open, []

    def open_stale_first(name, flags, mode=0o777):  # type: ignore[no-untyped-def]
        calls.append(name)
        return stale if len(calls) == 1 else real_open(name, flags, mode)

    monkeypatch.setattr(journal_module.os, "open", open_stale_first)
    with pytest.raises(UsageError, match="another run"):
        journal_module._lock(path)
    monkeypatch.undo()
    third.finish()
