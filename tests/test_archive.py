"""`resolver archive` and `resolver verify` end to end, against the local web.

The example article archived whole; every file checked; the WARC read back record by record;
a second run beside the first; a run killed and resumed; tampering found; hostile names;
bodies over the cap.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from resolver.archive.verify import verify_folder
from resolver.archive.warc import check_warc
from tests.web.model import Response, Stream
from tests.web.scenarios import Web
from tests.web.twitter import (
    EXAMPLE_FOOTAGE_ID,
    EXAMPLE_RADIO_RECON_ID,
    EXAMPLE_YOUTUBE_URL,
    TwitterWeb,
    install_example,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sputnik-pt-2015-syria.txt"
SCHEMA = ROOT / "resolver" / "archive" / "manifest.schema.json"

pytestmark = pytest.mark.usefixtures("proxy_env")


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resolver", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
    )


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def records(path: Path) -> list[tuple[str, str | None, dict[str, str]]]:
    out = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle, check_digests=True):
            headers = dict(record.rec_headers.headers)
            out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), headers))
            record.content_stream().read()
    return out


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def example(twitter_web: TwitterWeb, tmp_path: Path) -> Path:
    install_example(twitter_web)
    article = tmp_path / "sputnik.txt"
    shutil.copyfile(EXAMPLE, article)
    return article


def test_the_example_article_archived_whole(example: Path, twitter_web: TwitterWeb) -> None:
    done = run("archive", "--no-cache", "-f", "json", str(example))
    assert done.returncode == 0, done.stderr
    folder = example.with_name("sputnik.archive")
    result = json.loads(done.stdout)
    assert result["folder"] == str(folder) and result["failed"] == 0 and result["tweets"] == 2
    manifest = manifest_of(folder)
    import jsonschema

    jsonschema.validate(manifest, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert manifest["article"]["sha256"] == hashlib.sha256(example.read_bytes()).hexdigest()
    [run_entry] = manifest["runs"]
    assert run_entry["complete"] and run_entry["warc"] == [f"runs/{run_entry['id']}/capture.warc.gz"]
    # The t.co chain and its target page, every hop with its records.
    links = {link["url"]: link for link in manifest["links"]}
    tco = links["https://t.co/eKInDZJCbH"]
    assert tco["verdict"] == "ok" and tco["final_url"] == EXAMPLE_YOUTUBE_URL
    assert [hop["url"] for hop in tco["chain"]] == ["https://t.co/eKInDZJCbH", EXAMPLE_YOUTUBE_URL]
    assert all(hop["request_record"] and hop["response_record"] for hop in tco["chain"])
    copy = tco["copy"]
    page = (folder / copy["html"]).read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "<script" not in page.lower()
    assert (folder / copy["text"]).is_file()
    pic = links["https://pic.twitter.com/PXh7c6aziZ"]
    assert pic["tweet_id"] == str(EXAMPLE_FOOTAGE_ID)
    # The tweets: the first with its photo, the second found by search.
    first, second = sorted(manifest["tweets"], key=lambda t: t["index"])
    assert first["id"] == str(EXAMPLE_FOOTAGE_ID) and first["id_source"] == "pic.twitter.com"
    [photo] = first["media"]
    assert photo["file"] and (folder / photo["file"]).read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    assert second["id"] == str(EXAMPLE_RADIO_RECON_ID) and second["id_source"] == "search"
    card = (folder / first["card"]).read_text(encoding="utf-8")
    assert "Минобороны России" in card and "<script" not in card.lower()
    record = json.loads((folder / first["json"]).read_text(encoding="utf-8"))
    assert record["id"] == str(EXAMPLE_FOOTAGE_ID) and record["media"]
    # Every file of the folder checked, and the WARC read back record by record.
    report = verify_folder(folder)
    assert report.intact, report.problems
    assert report.files == len(manifest["files"])
    warc = folder / run_entry["warc"][0]
    assert check_warc(warc) == []
    found = records(warc)
    targets = {(kind, uri) for kind, uri, _ in found}
    for hop in tco["chain"]:
        assert ("request", hop["url"]) in targets and ("response", hop["url"]) in targets
    assert found[0][0] == "warcinfo"
    raw = gzip.decompress(warc.read_bytes())
    assert b"Cookie:" not in raw and b"Authorization:" not in raw
    assert (folder / run_entry["cdxj"]).read_text().count("\n") >= len(
        [r for r in found if r[0] == "response"]
    )
    sums = (folder / run_entry["sha256sums"]).read_text()
    assert "capture.warc.gz" in sums
    # The views: index.html lists the sources; the article gets Robust Links.
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "t.co/eKInDZJCbH" in index and "<script" not in index.lower()
    story = (folder / manifest["article"]["file"]).read_text(encoding="utf-8")
    assert 'data-originalurl="https://t.co/eKInDZJCbH"' in story and "data-versionurl=" in story


def test_a_second_run_is_a_new_folder_and_revisits_identical_payloads(example: Path) -> None:
    first = run("archive", "--no-cache", "-f", "json", "--no-tweets", str(example))
    assert first.returncode == 0, first.stderr
    folder = example.with_name("sputnik.archive")
    before = {k: v for k, v in hashes(folder).items() if k.startswith("runs/")}
    second = run("archive", "--no-cache", "-f", "json", "--no-tweets", str(example))
    assert second.returncode == 0, second.stderr
    after = hashes(folder)
    assert all(after.get(path) == digest for path, digest in before.items())  # nothing touched
    manifest = manifest_of(folder)
    assert len(manifest["runs"]) == 2 and all(r["complete"] for r in manifest["runs"])
    newest = folder / manifest["runs"][1]["warc"][0]
    kinds = [kind for kind, uri, _ in records(newest) if uri == EXAMPLE_YOUTUBE_URL]
    assert "revisit" in kinds and "response" not in kinds
    assert verify_folder(folder).intact


def test_verify_finds_a_changed_byte_and_a_missing_file(example: Path) -> None:
    assert run("archive", "--no-cache", "--no-tweets", "-f", "json", str(example)).returncode == 0
    folder = example.with_name("sputnik.archive")
    ok = run("verify", "-f", "json", str(folder))
    assert ok.returncode == 0 and json.loads(ok.stdout)["intact"] is True
    manifest = manifest_of(folder)
    copy = next(
        link["copy"]["html"] for link in manifest["links"] if link.get("copy") and link["copy"]["html"]
    )
    target = folder / copy
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    (folder / "stray.txt").write_text("not ours")
    bad = run("verify", "-f", "json", str(folder))
    assert bad.returncode == 1
    problems = {(p["path"], p["problem"]) for p in json.loads(bad.stdout)["problems"]}
    assert (copy, "changed") in problems and ("stray.txt", "unexpected") in problems
    table = run("verify", "-f", "table", str(folder))
    assert table.returncode == 1 and copy.split("/")[-1] in table.stdout
    assert run("verify", str(folder / "nope")).returncode == 2


def test_verify_finds_a_byte_changed_in_the_manifest_and_in_sha256sums(example: Path) -> None:
    """manifest.json is covered by no other file: a byte changed inside one of its strings (a
    verdict) leaves valid JSON, and must still be found. A wrong line of SHA256SUMS is named as
    such, not as a change of the intact file it lists."""
    assert run("archive", "--no-cache", "--no-tweets", "-f", "json", str(example)).returncode == 0
    folder = example.with_name("sputnik.archive")
    manifest_path = folder / "manifest.json"
    pristine = manifest_path.read_bytes()
    assert json.loads(pristine)["manifest_sha256"]  # its own digest, checked by the schema too
    tampered = pristine.replace(b'"verdict": "ok"', b'"verdict": "ol"', 1)
    assert tampered != pristine
    manifest_path.write_bytes(tampered)
    bad = run("verify", "-f", "json", str(folder))
    assert bad.returncode == 1
    assert ("manifest.json", "changed") in {
        (p["path"], p["problem"]) for p in json.loads(bad.stdout)["problems"]
    }
    manifest_path.write_bytes(pristine)
    assert run("verify", str(folder)).returncode == 0
    run_id = manifest_of(folder)["runs"][0]["id"]
    sums = folder / "runs" / run_id / "SHA256SUMS"
    lines = sums.read_text().splitlines()
    digest, name = lines[0].split("  ", 1)
    lines[0] = f"{'0' if digest[0] != '0' else '1'}{digest[1:]}  {name}"
    sums.write_text("\n".join(lines) + "\n")
    bad = run("verify", "-f", "json", str(folder))
    assert bad.returncode == 1
    found = {(p["path"], p["problem"]) for p in json.loads(bad.stdout)["problems"]}
    assert (f"runs/{run_id}/SHA256SUMS", "sha256sums") in found
    assert (f"runs/{run_id}/{name}", "changed") not in found  # the file itself is intact


def test_a_killed_run_is_completed_by_the_next(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    lines = []
    for i in range(12):
        web.page(f"https://fast.example/{i}", f"<html><title>fast {i}</title><p>page {i}</p></html>")
        lines.append(f"https://fast.example/{i}")
    slow = {"latency": 30.0}  # stalls during the first run, answers at once in the second
    web.add_host(
        "slow.example", lambda request: Response.html("<html><p>slow</p></html>", latency=slow["latency"])
    )
    lines += [f"https://slow.example/{i}" for i in range(3)]
    article = tmp_path / "story.txt"
    article.write_text("Sources:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    folder = tmp_path / "story.archive"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resolver",
            "archive",
            "--no-cache",
            "--no-tweets",
            "--no-wayback",
            "-f",
            "json",
            str(article),
        ],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            manifest = manifest_of(folder)
        except (OSError, ValueError):
            manifest = {"links": []}
        if len(manifest["links"]) >= 12:
            break
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed = manifest_of(folder)
    assert not killed["runs"][-1]["complete"] and len(killed["links"]) >= 12
    assert verify_folder(folder).intact  # valid as it was left
    web.reset_log()
    slow["latency"] = 0.0
    done = run("archive", "--no-cache", "--no-tweets", "--no-wayback", "-f", "json", str(article))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["resumed"] == killed["runs"][-1]["id"] and result["skipped"] >= 12
    committed = {link["url"] for link in killed["links"]}
    assert web.count("fast.example") == 0  # what was done is not fetched again
    assert {r.url for r in web.requests if r.host == "slow.example"} == set(lines) - committed
    manifest = manifest_of(folder)
    assert {link["url"] for link in manifest["links"]} == set(lines)
    assert all(r["complete"] for r in manifest["runs"])
    assert verify_folder(folder).intact


def _start_archive(article: Path, *options: str) -> subprocess.Popen[bytes]:
    """`resolver archive` in the background, its output read through pipes as a caller's would."""
    return subprocess.Popen(
        [sys.executable, "-m", "resolver", "archive", "--no-cache", *options, "-f", "json", str(article)],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(folder: Path, ready: Any, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            manifest = manifest_of(folder)
        except (OSError, ValueError):
            manifest = {}
        if manifest and ready(manifest):
            return manifest
        time.sleep(0.05)
    raise AssertionError(f"{folder}: not ready in {timeout} s")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL, then read the output to its end: the worker processes that made the readable
    copies must not outlive the run holding its stdout and stderr (a pipe would never end)."""
    proc.kill()
    try:
        proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("after a SIGKILL the run's output never ended: its worker processes live on")


def test_runs_killed_one_after_another_never_fetch_twice(example: Path, twitter_web: TwitterWeb) -> None:
    """Killed, completed by a run that is killed too, completed again: the last run skips what
    any run of the chain committed (links and tweets), not only what the one before did."""
    web = twitter_web.web
    fast = [f"https://fast.example/{i}" for i in range(8)]
    for url in fast:
        web.page(url, f"<html><title>{url}</title><p>{url}</p></html>")
    slow = {"latency": 30.0}
    web.add_host(
        "slow.example", lambda request: Response.html("<html><p>slow</p></html>", latency=slow["latency"])
    )
    lines = [*fast, *(f"https://slow.example/{i}" for i in range(2))]
    with example.open("a", encoding="utf-8") as handle:
        handle.write("\nSources:\n" + "\n".join(lines) + "\n")
    folder = example.with_name("sputnik.archive")
    options = ("--no-wayback",)  # the search for the second tweet is by CDX, not the Wayback look-ups

    first = _start_archive(example)
    _wait_for(folder, lambda m: {link["url"] for link in m["links"]} >= set(fast) and len(m["tweets"]) == 2)
    _kill(first)
    second = _start_archive(example, *options)  # skips the fast pages, stalls on the slow ones
    _wait_for(folder, lambda m: len(m["runs"]) == 2)
    time.sleep(1.0)
    _kill(second)
    assert verify_folder(folder).intact
    web.reset_log()
    slow["latency"] = 0.0
    done = run("archive", "--no-cache", *options, "-f", "json", str(example))
    assert done.returncode == 0, done.stderr
    assert web.count("fast.example") == 0  # committed by the first run: not fetched again
    assert web.count("cdn.syndication.twimg.com") == 0 and web.count("web.archive.org") == 0
    manifest = manifest_of(folder)
    assert {link["url"] for link in manifest["links"] if link["url"] in lines} == set(lines)
    assert sorted(t["index"] for t in manifest["tweets"]) == [0, 1]
    assert all(r["complete"] for r in manifest["runs"])
    assert verify_folder(folder).intact


def test_hostile_names_and_bodies_over_the_cap(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    web.route(
        "https://files.example/report",
        Response(
            200,
            (
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", 'attachment; filename="../../evil.pdf"'),
            ),
            b"%PDF-1.4\n" + b"x" * 1000,
        ),
    )
    web.route(
        "https://files.example/big",
        Response(200, (("Content-Type", "application/octet-stream"),), b"y" * (3 * 1024 * 1024)),
    )
    article = tmp_path / "a.txt"
    article.write_text("https://files.example/report\nhttps://files.example/big\n", encoding="utf-8")
    done = run("archive", "--no-cache", "--no-tweets", "--max-body", "1MB", "-f", "json", str(article))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "a.archive"
    links = {link["url"]: link for link in manifest_of(folder)["links"]}
    saved = links["https://files.example/report"]["copy"]["file"]
    assert saved.startswith("runs/") and "/sources/" in saved and ".." not in saved
    assert (folder / saved).read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "evil.pdf").exists() and not (folder / "evil.pdf").exists()
    big = links["https://files.example/big"]
    assert big["truncated"] is True
    assert (folder / big["copy"]["file"]).stat().st_size == 1024 * 1024
    warc = folder / manifest_of(folder)["runs"][0]["warc"][0]
    truncated = [
        h for kind, uri, h in records(warc) if uri == "https://files.example/big" and kind == "response"
    ]
    assert truncated and truncated[0].get("WARC-Truncated") == "length"
    assert verify_folder(folder).intact


SCRIPTED = b"<html><body><script>alert(1)</script><p>hi</p></body></html>"

# (path, headers, body, the saved file's suffix or "copy" for a readable copy)
FILES: list[tuple[str, tuple[tuple[str, str], ...], bytes, str]] = [
    # no Content-Type: what the first bytes are, not an HTML "copy" of a PDF or a PNG
    ("/no-type-pdf", (), b"%PDF-1.4\n" + b"x" * 100, ".pdf"),
    ("/no-type-png", (), b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, ".png"),
    ("/no-type-page", (), SCRIPTED, "copy"),
    ("/untyped-pdf", (("Content-Type", "application/octet-stream"),), b"%PDF-1.4\nx", ".pdf"),
    # a page served as bytes, or named as a page by a PDF's server: never saved as .html
    ("/page.html", (("Content-Type", "application/octet-stream"),), SCRIPTED, ".bin"),
    (
        "/lying",
        (("Content-Type", "application/pdf"), ("Content-Disposition", 'attachment; filename="evil.html"')),
        b"%PDF-1.4\nx",
        "evil.pdf",
    ),
    (
        "/exe",
        (
            ("Content-Type", "application/pdf"),
            ("Content-Disposition", "attachment; filename*=UTF-8''a%E2%80%AEfdp.exe"),
        ),
        b"%PDF-1.4\nx",
        "afdp.pdf",
    ),
    ("/script.js", (("Content-Type", "text/javascript"),), b"WScript.Echo(1)", ".bin"),
]


def test_files_are_saved_under_what_they_are(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    for path, headers, body, _ in FILES:
        web.route(f"https://files.example{path}", Response(200, headers, body))
    article = tmp_path / "a.txt"
    article.write_text("".join(f"https://files.example{path}\n" for path, *_ in FILES), encoding="utf-8")
    done = run("archive", "--no-cache", "--no-tweets", "--no-wayback", "-f", "json", str(article))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "a.archive"
    links = {link["url"]: link for link in manifest_of(folder)["links"]}
    for path, _, body, expected in FILES:
        copy = links[f"https://files.example{path}"]["copy"]
        if expected == "copy":
            assert copy["html"] and not copy["file"], path
            continue
        assert copy["file"] and not copy["html"], path
        assert copy["file"].endswith(expected), (path, copy["file"])
        assert (folder / copy["file"]).read_bytes() == body  # as it came
    assert verify_folder(folder).intact


def test_a_suggested_name_like_a_temp_file_is_not_overwritten(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    """One server suggests `report.pdf.tmp`, another `report.pdf`: writing the second must not
    go through a temp file named like the first one's file."""
    web = twitter_web.web
    untyped = ("Content-Type", "application/octet-stream")
    web.route(
        "https://a.example/first",
        Response(200, (untyped, ("Content-Disposition", 'attachment; filename="report.pdf.tmp"')), b"first"),
    )
    web.route(
        "https://b.example/second",
        Response(
            200,
            (untyped, ("Content-Disposition", 'attachment; filename="report.pdf"')),
            b"second",
            latency=1.0,
        ),
    )
    article = tmp_path / "a.txt"
    article.write_text("https://a.example/first\nhttps://b.example/second\n", encoding="utf-8")
    done = run("archive", "--no-cache", "--no-tweets", "--no-wayback", "-f", "json", str(article))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "a.archive"
    links = {link["url"]: link for link in manifest_of(folder)["links"]}
    first, second = (
        links[u]["copy"]["file"] for u in ("https://a.example/first", "https://b.example/second")
    )
    assert first.endswith("/report.pdf.tmp") and second.endswith("/report.pdf")
    assert (folder / first).read_bytes() == b"first" and (folder / second).read_bytes() == b"second"
    assert verify_folder(folder).intact


def test_an_article_whose_file_name_is_not_utf8(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    # Latin-1 bytes in a file name (an old archive copied from another system): Python holds
    # them as lone surrogates, which a plain UTF-8 encode refuses.
    twitter_web.web.page("https://site.example/story", "<html><title>Story</title><p>Text</p></html>")
    name = os.fsdecode(b"reportagem-s\xe3o-paulo.html")
    article = tmp_path / name
    article.write_text('<p><a href="https://site.example/story">a source</a></p>', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "resolver", "archive", "--no-cache", "--no-tweets", "-f", "json", str(tmp_path)],
        capture_output=True, text=True, errors="replace", timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [folder] = tmp_path.glob("*.archive")
    manifest = manifest_of(folder)  # valid UTF-8 JSON: the bad byte is an escape
    assert manifest["article"]["source"].endswith(name)
    assert [link["verdict"] for link in manifest["links"]] == ["ok"]
    assert verify_folder(folder).intact


def test_a_failed_link_gets_the_wayback_capture_and_html_articles_get_robust_links(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    web.status("https://gone.example/story", 404)
    twitter_web.capture("https://gone.example/story", "20151020120000", "<html><p>as it was</p></html>")
    web.page("https://alive.example/", "<html><title>Alive</title><p>Here</p></html>")
    article = tmp_path / "story.html"
    article.write_text(
        '<html><head><meta property="article:published_time" content="2015-10-21T10:00:00Z"></head><body>'
        "<p>See <a href=\"https://gone.example/story\">this</a> and <A HREF='https://alive.example/'>that</A>.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    done = run("archive", "--no-cache", "--no-tweets", "--wacz", "-f", "json", str(article))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "story.archive"
    manifest = manifest_of(folder)
    assert manifest["article"]["published"] == "2015-10-21"
    links = {link["url"]: link for link in manifest["links"]}
    gone = links["https://gone.example/story"]
    assert gone["verdict"] == "http-404" and gone["memento"]["url"].startswith(
        "https://web.archive.org/web/2015"
    )
    story = (folder / "story.html").read_text(encoding="utf-8")
    assert 'data-originalurl="https://alive.example/"' in story
    assert 'data-versionurl="https://web.archive.org/web/2015' in story
    from resolver.archive.warc import validate_wacz

    wacz = folder / manifest["runs"][0]["wacz"]
    assert validate_wacz(wacz) == []
    assert verify_folder(folder).intact


def test_every_link_to_a_tweet_gets_its_card_and_a_tweet_only_linked_to_is_archived(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    """A pic.twitter.com link and a t.co link stop at the status URL, a signature links to the
    status: the card of the tweet is their copy. A status link in the prose to a tweet the
    article does not embed is a cited source too: its tweet is archived with the embedded one."""
    install_example(twitter_web)
    article = tmp_path / "story.html"
    article.write_text(
        f'<html><body><p>As <a href="https://twitter.com/mod_russia/status/{EXAMPLE_RADIO_RECON_ID}">it said</a>.</p>'
        '<blockquote class="twitter-tweet"><p lang="en">#FOOTAGE Elimination of a militants&#39; strong point '
        '(#Aleppo province) <a href="https://t.co/eKInDZJCbH">https://t.co/eKInDZJCbH</a> '
        '<a href="https://t.co/PXh7c6aziZ">pic.twitter.com/PXh7c6aziZ</a></p>&mdash; Минобороны России '
        f'(@mod_russia) <a href="https://twitter.com/mod_russia/status/{EXAMPLE_FOOTAGE_ID}?ref_src=twsrc%5Etfw">'
        "October 21, 2015</a></blockquote></body></html>",
        encoding="utf-8",
    )
    done = run("archive", "--no-cache", "-f", "json", str(article))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "story.archive"
    manifest = manifest_of(folder)
    import jsonschema

    jsonschema.validate(manifest, json.loads(SCHEMA.read_text(encoding="utf-8")))
    cards = {t["id"]: t["card"] for t in manifest["tweets"] if t["card"]}
    assert set(cards) == {str(EXAMPLE_FOOTAGE_ID), str(EXAMPLE_RADIO_RECON_ID)}
    # Every occurrence has its entry, the status links too (stopped at once, never fetched).
    statuses = {link["tweet_id"]: link for link in manifest["links"] if link["kind"] == "tweet"}
    assert set(statuses) == set(cards) and all(s["verdict"] == "ok" for s in statuses.values())
    assert twitter_web.web.count("twitter.com") == 0
    story = (folder / "story.html").read_text(encoding="utf-8")
    anchors = re.findall(r"<a [^>]*>", story)
    assert len(anchors) == 4
    for anchor in anchors:
        [version] = re.findall(r'data-versionurl="([^"]+)"', anchor)
        assert (folder / unquote(version)).is_file(), anchor
    pic = next(a for a in anchors if "PXh7c6aziZ" in a)
    assert f'data-versionurl="{cards[str(EXAMPLE_FOOTAGE_ID)]}"' in pic
    prose = next(a for a in anchors if str(EXAMPLE_RADIO_RECON_ID) in a)
    assert f'data-versionurl="{cards[str(EXAMPLE_RADIO_RECON_ID)]}"' in prose
    assert verify_folder(folder).intact


def test_the_wacz_lists_only_pages_it_holds(example: Path, tmp_path: Path) -> None:
    """pages.jsonl is what ReplayWeb.page offers: a status URL the chain stopped at unfetched (the
    pic.twitter.com link's) has no record in the WACZ and would open as "not archived"."""
    import zipfile

    done = run("archive", "--no-cache", "--wacz", "-f", "json", str(example))
    assert done.returncode == 0, done.stderr
    folder = example.with_name("sputnik.archive")
    wacz = folder / manifest_of(folder)["runs"][0]["wacz"]
    with zipfile.ZipFile(wacz) as archive:
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").splitlines()[1:]]
        [warc_name] = [n for n in archive.namelist() if n.startswith("archive/")]
        (tmp_path / "packed.warc.gz").write_bytes(archive.read(warc_name))
    held = {uri for kind, uri, _ in records(tmp_path / "packed.warc.gz") if kind in ("response", "revisit")}
    assert [page["url"] for page in pages] == [EXAMPLE_YOUTUBE_URL]
    assert all(page["url"] in held for page in pages)


def test_a_later_runs_wacz_holds_the_records_its_revisits_stand_for(example: Path, tmp_path: Path) -> None:
    """A revisit is a pointer to an earlier run's response: the WACZ of a later run must hold
    that response (its run's WARC), or ReplayWeb.page cannot show the page. The third run's
    revisits point at the first run's response, not at the second run's revisit."""
    import zipfile

    for _ in range(3):
        done = run("archive", "--no-cache", "--no-tweets", "--wacz", "-f", "json", str(example))
        assert done.returncode == 0, done.stderr
    folder = example.with_name("sputnik.archive")
    manifest = manifest_of(folder)
    first_run = manifest["runs"][0]["id"]
    for entry in manifest["runs"][1:]:
        wacz = folder / entry["wacz"]
        from resolver.archive.warc import validate_wacz

        assert validate_wacz(wacz) == []
        held: dict[str, str] = {}  # record ID -> type
        refers: list[str] = []
        with zipfile.ZipFile(wacz) as archive:
            for name in archive.namelist():
                if name.startswith("archive/"):
                    (tmp_path / "w.warc.gz").write_bytes(archive.read(name))
                    for kind, _, headers in records(tmp_path / "w.warc.gz"):
                        held[headers["WARC-Record-ID"]] = kind
                        if kind == "revisit":
                            refers.append(headers["WARC-Refers-To"])
        assert refers, entry["id"]
        assert all(held.get(target) == "response" for target in refers), entry["id"]
        first_ids = {h["WARC-Record-ID"] for _, _, h in records(folder / manifest["runs"][0]["warc"][0])}
        assert set(refers) <= first_ids, entry["id"]  # the originals, all in the first run
    assert first_run and verify_folder(folder).intact


def test_bad_input_is_one_line_and_other_inputs_go_on(example: Path, tmp_path: Path) -> None:
    binary = tmp_path / "bin.html"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    done = run("archive", "--no-cache", "--no-tweets", "-f", "jsonl", str(binary), str(example))
    assert done.returncode == 1
    assert "bin.html" in done.stderr and "Traceback" not in done.stderr
    assert [json.loads(line)["article"] for line in done.stdout.splitlines()] == [str(example)]


def test_warcio_check_passes_on_every_warc(example: Path) -> None:
    assert run("archive", "--no-cache", "-f", "json", str(example)).returncode == 0
    folder = example.with_name("sputnik.archive")
    for warc in folder.rglob("*.warc.gz"):
        checked = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from warcio.cli import main; main(sys.argv[1:])",
                "check",
                str(warc),
            ],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


#: A news page's markup (a paragraph, a link, an emphasis about every 100 bytes), repeated
#: to make a large HTML body: what a worker's tree weighs depends on it.
_STORY_BLOCK = (
    '<div class="story"><h2>Talks resume after the offensive</h2>\n'
    + "<p>The minister said on <em>tuesday</em> that talks would resume after the offensive near "
    '<a href="https://news.example/aleppo">aleppo</a>, where troops backed by air strikes retook '
    "several villages, according to <span class=src>officials</span> and witnesses.</p>\n" * 8 + "</div>\n"
).encode()


def _story_chunks(size: int) -> Iterator[bytes]:
    """`size` bytes of an HTML page made on the fly from `_STORY_BLOCK`."""
    head, tail = b"<!DOCTYPE html><html><head><title>Huge</title></head><body>", b"</body></html>"
    block = _STORY_BLOCK * (256 * 1024 // len(_STORY_BLOCK))
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        yield block[:left]
        left -= len(block)
    yield tail


def _group_pss(pgid: int) -> int:
    """PSS bytes summed over every process of a process group: the run, its forkserver and
    resource tracker, its workers (shared pages counted once, split among their sharers)."""
    total = 0
    for entry in os.listdir("/proc"):
        try:
            if not entry.isdigit() or os.getpgid(int(entry)) != pgid:
                continue
            text = Path(f"/proc/{entry}/smaps_rollup").read_text()
        except OSError:  # gone meanwhile
            continue
        if m := re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE):
            total += int(m.group(1)) * 1024
    return total


# The contract: "a 1 GB body passes with under 200 MB of memory", all the run's processes
# counted. A binary body is streamed to disk and copied; an HTML one also has its first
# READABLE_LIMIT parsed by a worker for the readable copy.
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="PSS is read from Linux's /proc")
@pytest.mark.parametrize("kind", ["binary", "html"])
def test_a_large_body_passes_with_flat_memory(twitter_web: TwitterWeb, tmp_path: Path, kind: str) -> None:
    size = 1 << 30
    url = f"https://files.example/huge.{'bin' if kind == 'binary' else 'html'}"
    if kind == "binary":
        twitter_web.web.huge(url, size)
    else:
        headers = (("Content-Type", "text/html; charset=utf-8"),)
        twitter_web.web.route(url, Response(200, headers, Stream(lambda: _story_chunks(size), size)))
    article = tmp_path / "a.txt"
    article.write_text(url + "\n", encoding="utf-8")
    argv = [sys.executable, "-m", "resolver", "archive", "--no-cache", "--no-tweets", "--no-wayback"]
    proc = subprocess.Popen(
        [*argv, "--max-body", "2GB", str(article)],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the run and every process it starts
    )
    peak = 0
    try:
        while proc.poll() is None:
            peak = max(peak, _group_pss(proc.pid))
            time.sleep(0.1)
        stderr = proc.stderr.read().decode() if proc.stderr else ""
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything the run left behind
        proc.wait()
    assert proc.returncode == 0, stderr
    assert 0 < peak < 200 * 1024 * 1024, f"peak PSS of the run's processes {peak / 2**20:.0f} MB"
    folder = tmp_path / "a.archive"
    [link] = manifest_of(folder)["links"]
    assert link["truncated"] is False
    if kind == "binary":
        assert (folder / link["copy"]["file"]).stat().st_size == size
    else:  # the copy of its first part
        assert "Talks resume" in (folder / link["copy"]["html"]).read_text(encoding="utf-8")
    assert verify_folder(folder).intact


def test_an_article_given_by_url_is_saved_too_and_bombs_stay_small(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    web.page(
        "https://news.example/2015/story",
        '<html><head><title>The story</title></head><body><p>Read <a href="https://files.example/bomb">this</a>.</p>'
        "</body></html>",
    )
    web.gzip_bomb("https://files.example/bomb", 1 << 30)
    done = run(
        "archive",
        "--no-cache",
        "--no-tweets",
        "--out",
        str(tmp_path),
        "-f",
        "json",
        "https://news.example/2015/story",
    )
    assert done.returncode == 0, done.stderr
    folder = Path(json.loads(done.stdout)["folder"])
    assert folder.parent == tmp_path and folder.name.endswith(".archive")
    manifest = manifest_of(folder)
    capture = manifest["article"]["capture"]
    assert capture["url"] == "https://news.example/2015/story" and capture["verdict"] == "ok"
    assert (
        capture["chain"][0]["response_record"]
        and "The story" in (folder / capture["copy"]["html"]).read_text()
    )
    [bomb] = manifest["links"]
    # Kept as received (compressed, 1 MB) in the WARC; the page read for its copy stops at 4 MB.
    assert bomb["verdict"] == "ok" and bomb["chain"][0]["record_type"] == "response"
    assert (folder / bomb["copy"]["html"]).stat().st_size <= 20 * 1024 * 1024
    assert verify_folder(folder).intact


def test_two_articles_with_one_name_keep_apart(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    twitter_web.web.page("https://alive.example/a", "<html><p>a</p></html>")
    out = tmp_path / "out"
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "story.txt").write_text("https://alive.example/a\n", encoding="utf-8")
    done = run(
        "archive",
        "--no-cache",
        "--no-tweets",
        "--out",
        str(out),
        "-f",
        "jsonl",
        str(tmp_path / "one"),
        str(tmp_path / "two"),
    )
    assert done.returncode == 0, done.stderr
    folders = [Path(json.loads(line)["folder"]) for line in done.stdout.splitlines()]
    assert len(set(folders)) == 2 and all(f.parent == out for f in folders)
    sources = {manifest_of(f)["article"]["source"] for f in folders}
    assert sources == {str(tmp_path / "one" / "story.txt"), str(tmp_path / "two" / "story.txt")}


# --- stylesheets saved with what they load ----------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"bg-image-bytes"
GIF = b"GIF89a" + b"h1-image-bytes"
WOFF2 = b"wOF2" + bytes(range(256))  # binary: kept byte for byte
#: A `url()` or `@import` string that would fetch from the network.
REMOTE_CSS_URL = re.compile(
    r"""(?:url\(\s*["']?|@import\s*["'])\s*(?:[a-z][a-z0-9+.-]*:|//)""", re.IGNORECASE
)


def serve(web: Web, url: str, content_type: str, body: bytes) -> None:
    web.route(url, Response(200, (("Content-Type", content_type),), body))


def saved_copy(folder: Path, url: str) -> dict:
    [link] = [link for link in manifest_of(folder)["links"] if link["url"] == url]
    assert link["verdict"] == "ok" and link["copy"]["html"]
    return link["copy"]


def archive_page(tmp_path: Path, url: str, *options: str, name: str = "story") -> tuple[Path, dict[str, Any]]:
    """Archive an article `name`.txt citing `url` (no cache, tweets or Wayback, plus `options`);
    its folder and the page's copy."""
    article = tmp_path / f"{name}.txt"
    article.write_text(url + "\n", encoding="utf-8")
    done = run("archive", "--no-cache", "--no-tweets", "--no-wayback", *options, "-f", "json", str(article))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / f"{name}.archive"
    return folder, saved_copy(folder, url)


def css_targets(folder: Path, css_path: str) -> list[Path]:
    """The files a saved stylesheet's `url()`s point at, resolved from its own folder."""
    css = (folder / css_path).read_text(encoding="utf-8")
    return [(folder / css_path).parent / unquote(u) for u in re.findall(r'url\("([^"]*)"\)', css)]


def test_a_stylesheet_is_saved_with_its_fonts_images_and_imports(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    web.page(
        "https://styled.example/2015/story",
        '<html><head><title>Styled</title><link rel="stylesheet" href="/css/site.css"></head>'
        "<body><h1>Title</h1><p>Text</p></body></html>",
    )
    serve(
        web,
        "https://styled.example/css/site.css",
        "text/css; charset=utf-8",
        b'@import "parts/more.css";\n'
        b'@font-face { font-family: Body; src: url("../fonts/body.woff2?v=2#iefix") format("woff2"); }\n'
        b"body { background-image: url(img/bg.png); font-family: Body; }\n"
        b'.quote::before { content: "\xe2\x80\x9c"; }\n',
    )
    serve(
        web,
        "https://styled.example/css/parts/more.css",
        "text/css",
        b"@import url(deeper.css);\nh1 { background: url('../img/h1.gif') no-repeat; }\n",
    )
    serve(web, "https://styled.example/css/parts/deeper.css", "text/css", b"p { color: red }")
    serve(web, "https://styled.example/css/img/bg.png", "image/png", PNG)
    serve(web, "https://styled.example/css/img/h1.gif", "image/gif", GIF)
    # Served as many servers do: no font type, so the name's extension says what it is.
    serve(web, "https://styled.example/fonts/body.woff2", "application/octet-stream", WOFF2)
    folder, copy = archive_page(tmp_path, "https://styled.example/2015/story")
    page = folder / copy["html"]
    [link] = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.read_text(encoding="utf-8"))
    site_css = (page.parent / unquote(link)).relative_to(folder).as_posix()
    assert site_css in copy["resources"] and site_css.endswith(".css")
    site = (folder / site_css).read_text(encoding="utf-8")
    assert site.startswith('@charset "utf-8";') and "\u201c" in site  # written as UTF-8, and says so
    # Every url() of the stylesheet is a file beside it holding the served bytes; the import is
    # rewritten in turn, and its own import (two levels deep) is not fetched.
    targets = css_targets(folder, site_css)
    assert [t.read_bytes() for t in targets[1:]] == [WOFF2, PNG]
    assert targets[1].suffix == ".woff2"
    more_css = targets[0].relative_to(folder).as_posix()
    assert more_css.endswith(".css") and more_css in copy["resources"]
    more = (folder / more_css).read_text(encoding="utf-8")
    assert "@import none" in more and "deeper" not in more
    assert [t.read_bytes() for t in css_targets(folder, more_css)] == [GIF]
    assert web.count("styled.example", "/css/parts/deeper.css") == 0
    assert all(t.parent == page.parent / unquote(link).rsplit("/", 1)[0] for t in targets)
    for saved in folder.rglob("*.css"):
        assert not REMOTE_CSS_URL.search(saved.read_text(encoding="utf-8")), saved
    # Each was fetched once, and its exchange is in the run's WARC.
    warc = folder / manifest_of(folder)["runs"][0]["warc"][0]
    responses = {uri for kind, uri, _ in records(warc) if kind == "response"}
    fetched = {
        "https://styled.example/css/site.css",
        "https://styled.example/css/parts/more.css",
        "https://styled.example/css/img/bg.png",
        "https://styled.example/css/img/h1.gif",
        "https://styled.example/fonts/body.woff2?v=2",
    }
    assert fetched <= responses
    assert all(web.count("styled.example", urlsplit(u).path) == 1 for u in fetched)
    assert verify_folder(folder).intact


def test_a_hostile_stylesheet_stays_harmless(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    web = twitter_web.web
    web.page(
        "https://hostile.example/p",
        '<html><head><link rel=stylesheet href="h.css"></head><body><p>Text</p></body></html>',
    )
    serve(
        web,
        "https://hostile.example/h.css",
        # An HTML type, and a charset the file does not need: saved as CSS all the same.
        "text/html; charset=iso-8859-1",
        b".a { background: url(javascript:alert(1)) }\n"
        b'.b { background: url("javascript:alert(2)") }\n'
        b".c { background: u\\72l(https://tracker.example/beacon.png) }\n"
        b'.d::after { content: "</style><script>alert(3)</script>" }\n'
        b".e { behavior: url(/x.htc); -moz-binding: url(/x.xml#b); width: expression(alert(4)) }\n"
        b'.f { background: url("data:text/html,<script>alert(5)</script>") }\n',
    )
    serve(web, "https://tracker.example/beacon.png", "image/png", PNG)
    serve(web, "https://hostile.example/x.htc", "text/x-component", b"<script>alert(6)</script>")
    folder, copy = archive_page(tmp_path, "https://hostile.example/p", name="h")
    [css_path] = [r for r in copy["resources"] if r.endswith(".css")]
    css = (folder / css_path).read_text(encoding="utf-8")
    lowered = css.lower()
    # What ran or fetched is renamed into invalid tokens (`removed-expression-`), or `none`.
    for bad in (
        "javascript:",
        "<",
        "\\72",
        "expression(",
        "behavior:",
        "-moz-binding:",
        "data:",
    ):
        assert bad not in lowered, bad
    assert not REMOTE_CSS_URL.search(css)
    # The escaped url() is a url() to a browser: saved like any other, and shown locally.
    assert [t.read_bytes() for t in css_targets(folder, css_path)] == [PNG]
    assert web.count("hostile.example", "/x.htc") == 0  # code, never fetched
    page = (folder / copy["html"]).read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "Content-Security-Policy" in page
    assert verify_folder(folder).intact


def test_what_a_stylesheet_loads_counts_against_max_resources(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    web.page(
        "https://capped.example/p",
        '<html><head><link rel=stylesheet href="/s.css"></head><body><img src="/i.png"></body></html>',
    )
    serve(
        web, "https://capped.example/s.css", "text/css", b"a{background:url(a.png)} b{background:url(b.png)}"
    )
    for name in ("i", "a", "b"):
        serve(web, f"https://capped.example/{name}.png", "image/png", PNG + name.encode())
    folder, copy = archive_page(tmp_path, "https://capped.example/p", "--max-resources", "3", name="c")
    assert len(copy["resources"]) == 3  # the page's two, then the first its stylesheet names
    [css_path] = [r for r in copy["resources"] if r.endswith(".css")]
    css = (folder / css_path).read_text(encoding="utf-8")
    assert [t.read_bytes() for t in css_targets(folder, css_path)] == [PNG + b"a"]
    assert "b{background:none}" in css and web.count("capped.example", "/b.png") == 0


# --- resources shared by several pages --------------------------------------------------------

LOGO = PNG + b"logo"
BG = PNG + b"background"
#: A reference in a saved copy or stylesheet: `src="..."`, `href="..."`, `url("...")` (a
#: fragment, `url("#grad")`, is a place in the copy).
LOCAL_REF = re.compile(r"""(?:\bsrc|\bhref)="([^"#]+)"|url\("([^"#][^"]*)"\)""")


def local_targets(path: Path) -> list[Path]:
    """The files a saved copy or stylesheet loads, resolved from its own folder (network links
    of <a> elements are not files and are left out)."""
    text = path.read_text(encoding="utf-8")
    found = [a or b for a, b in LOCAL_REF.findall(text)]
    return [path.parent / unquote(u) for u in found if not re.match(r"[a-z][a-z0-9+.-]*:", u)]


def assert_self_contained(folder: Path) -> None:
    """Every file each copy loads (and each file its stylesheets load) is in this folder,
    listed in the manifest and in its run's SHA256SUMS, and the folder verifies."""
    manifest = manifest_of(folder)
    files = manifest["files"]
    copies = [link["copy"] for link in manifest["links"] if link.get("copy") and link["copy"]["html"]]
    assert copies
    for copy in copies:
        pending = [folder / copy["html"]]
        while pending:
            path = pending.pop()
            for target in local_targets(path):
                assert target.is_file(), (path, target)
                rel = target.resolve().relative_to(folder.resolve()).as_posix()
                assert (
                    rel in files and files[rel]["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
                )
                assert rel in copy["resources"]
                run_id = rel.split("/")[1]
                sums = (folder / "runs" / run_id / "SHA256SUMS").read_text()
                assert f"{files[rel]['sha256']}  {rel.split('/', 2)[2]}" in sums.splitlines()
                if target.suffix == ".css":
                    pending.append(target)
    assert verify_folder(folder).intact


def latest_copy(folder: Path, url: str) -> dict:
    """The copy of `url` the latest run gives (a revisit's is an earlier run's)."""
    link = [link for link in manifest_of(folder)["links"] if link["url"] == url][-1]
    assert link["verdict"] == "ok" and link["copy"]["html"]
    return link["copy"]


def shared_site(web: Web, pages: list[str]) -> None:
    """Pages of one site, each loading its logo and stylesheet (which loads a background)."""
    for page in pages:
        web.page(
            f"https://shared.example/{page}",
            f'<html><head><title>{page}</title><link rel="stylesheet" href="/site.css"></head>'
            f'<body><img src="/logo.png" alt="logo"><p>{page}</p></body></html>',
        )
    serve(web, "https://shared.example/site.css", "text/css", b"body { background: url(bg.png) }")
    serve(web, "https://shared.example/logo.png", "image/png", LOGO)
    serve(web, "https://shared.example/bg.png", "image/png", BG)


def test_articles_whose_pages_share_a_logo_each_keep_their_own_copy(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    shared_site(web, ["one", "two", "three"])
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.html").write_text('<p><a href="https://shared.example/one">one</a></p>', encoding="utf-8")
    (articles / "b.html").write_text(
        '<p><a href="https://shared.example/two">two</a> <a href="https://shared.example/three">3</a></p>',
        encoding="utf-8",
    )
    a, b = articles / "a.archive", articles / "b.archive"
    for attempt in (1, 2):  # the second run revisits every page: its copies are the first run's
        done = run("archive", "--no-cache", "--no-tweets", "--no-wayback", "-f", "jsonl", str(articles))
        assert done.returncode == 0, done.stderr
        for folder in (a, b):
            manifest = manifest_of(folder)
            assert len(manifest["runs"]) == attempt
            latest = [link for link in manifest["links"] if link["run"] == manifest["runs"][-1]["id"]]
            assert {bool(link["copy"].get("revisit")) for link in latest} == {attempt == 2}
            assert_self_contained(folder)
        # Every copy shows the logo from its own folder; the two links of one article each
        # have their own files (NAME_files/).
        copies = [(a, "one"), (b, "two"), (b, "three")]
        for folder, page in copies:
            html = folder / latest_copy(folder, f"https://shared.example/{page}")["html"]
            assert [t.read_bytes() for t in local_targets(html) if t.suffix == ".png"] == [LOGO]
        two, three = (latest_copy(b, f"https://shared.example/{p}")["resources"] for p in ("two", "three"))
        assert len(two) == len(three) == 3 and not set(two) & set(three)
        # One fetch per run for the three pages of the two articles, recorded once in each
        # article's WARC (a folder replays its pages whole).
        for path in ("/logo.png", "/bg.png", "/site.css"):
            assert web.count("shared.example", path) == attempt, path
        kind = "response" if attempt == 1 else "revisit"  # the same bytes as the first run's
        for folder in (a, b):
            found = [
                (k, uri)
                for k, uri, _ in records(folder / manifest_of(folder)["runs"][-1]["warc"][0])
                if k in ("request", "response", "revisit")
            ]
            for path in ("/logo.png", "/bg.png", "/site.css"):
                url = f"https://shared.example{path}"
                assert found.count((kind, url)) == 1 and found.count(("request", url)) == 1, (folder, path)


# --- a page cited by several articles ------------------------------------------------------------

PDF = b"%PDF-1.4\n" + b"a report cited by both articles\n" + b"%%EOF\n"


def own_records(folder: Path, warc: str) -> dict[str, tuple[str, str | None]]:
    """Record ID -> (type, target URI) of a WARC of the folder."""
    return {h["WARC-Record-ID"]: (kind, uri) for kind, uri, h in records(folder / warc)}


def test_articles_citing_one_page_each_keep_its_copy_and_records(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    """Two articles of one run cite the same page, the same PDF, and one page by its short link
    (a) and by its own URL (b): each folder gets every copy and, in its own WARC, the records
    of every exchange its links went through; the web still sees one request per URL per run."""
    web = twitter_web.web
    shared_site(web, ["page", "final"])
    serve(web, "https://shared.example/report.pdf", "application/pdf", PDF)
    web.tco("SharedPage1", "https://shared.example/final")
    articles = tmp_path / "articles"
    articles.mkdir()
    common = '<a href="https://shared.example/page">p</a> <a href="https://shared.example/report.pdf">r</a>'
    (articles / "a.html").write_text(
        f'<p>{common} <a href="https://t.co/SharedPage1">t</a></p>', encoding="utf-8"
    )
    (articles / "b.html").write_text(
        f'<p>{common} <a href="https://shared.example/final">f</a></p>', encoding="utf-8"
    )
    a, b = articles / "a.archive", articles / "b.archive"
    cited = {
        a: ["https://shared.example/page", "https://shared.example/report.pdf", "https://t.co/SharedPage1"],
        b: [
            "https://shared.example/page",
            "https://shared.example/report.pdf",
            "https://shared.example/final",
        ],
    }
    for attempt in (1, 2):  # the second run revisits every page: its copies are the first run's
        done = run("archive", "--no-cache", "--no-tweets", "--no-wayback", "-f", "jsonl", str(articles))
        assert done.returncode == 0, done.stderr
        for folder, urls in cited.items():
            manifest = manifest_of(folder)
            run_entry = manifest["runs"][-1]
            [warc] = run_entry["warc"]
            found = own_records(folder, warc)
            latest = {link["url"]: link for link in manifest["links"] if link["run"] == run_entry["id"]}
            assert sorted(latest) == sorted(urls)
            for url, link in latest.items():
                assert link["verdict"] == "ok" and link["final_url"].startswith("https://shared.example/")
                copy = link["copy"]
                assert copy is not None and bool(copy.get("revisit")) == (attempt == 2), (folder, url)
                # Every hop of the chain in this folder's WARC of this run, by its record IDs.
                for hop in link["chain"]:
                    assert hop["warc"] == warc, (folder, hop)
                    kind = "response" if attempt == 1 else "revisit"
                    assert found[hop["response_record"]] == (kind, hop["url"]), (folder, hop)
                    assert found[hop["request_record"]] == ("request", hop["url"]), (folder, hop)
                if url.endswith(".pdf"):
                    assert (folder / copy["file"]).read_bytes() == PDF
                else:
                    text = (folder / copy["text"]).read_text(encoding="utf-8")
                    assert url.rsplit("/", 1)[-1] in text or "final" in text
            assert_self_contained(folder)
        # The short link's hops only in the WARC of the article that cites it; the final page's
        # exchange in both.
        uris = {
            folder: {
                uri for kind, uri in own_records(folder, manifest_of(folder)["runs"][-1]["warc"][0]).values()
            }
            for folder in (a, b)
        }
        assert "https://t.co/SharedPage1" in uris[a] and "https://t.co/SharedPage1" not in uris[b]
        assert all("https://shared.example/final" in uris[f] for f in (a, b))
        for path in ("/page", "/final", "/report.pdf", "/logo.png", "/site.css", "/bg.png"):
            assert web.count("shared.example", path) == attempt, path
        assert web.count("t.co", "/SharedPage1") == attempt


def archive_one_after_another(paths: list[Path]) -> None:
    """Each article archived once the one before is done, by one process (one `Archiver`)."""
    from resolver.archive.archiver import ArchiveOptions, Archiver
    from resolver.inputs import load_with_bytes
    from resolver.net import run_async
    from resolver.scanner import scan_article

    async def go() -> None:
        async with Archiver(ArchiveOptions(tweets=False, wayback=False)) as archiver:
            for path in paths:
                raw, article = load_with_bytes(str(path))
                await archiver.archive(scan_article(article), raw, html=article.text)

    run_async(go())


@pytest.mark.parametrize(("spool", "fetches"), [(64 * 1024 * 1024, 1), (0, 2)])
def test_an_article_that_comes_later_still_gets_the_page_it_shares(
    twitter_web: TwitterWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spool: int, fetches: int
) -> None:
    """The second article starts once the first is committed: the page's exchanges were kept
    for it (one request); let go (no spool left), the page is fetched again for it. Either
    way its folder has the copies and the records of its own."""
    import resolver.archive.archiver as archiver

    monkeypatch.setattr(archiver, "SHARED_SPOOL", spool)
    web = twitter_web.web
    shared_site(web, ["page"])
    serve(web, "https://shared.example/report.pdf", "application/pdf", PDF)
    paths = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.txt"
        path.write_text("https://shared.example/page\nhttps://shared.example/report.pdf\n", encoding="utf-8")
        paths.append(path)
    archive_one_after_another(paths)
    for folder in (tmp_path / "a.archive", tmp_path / "b.archive"):
        manifest = manifest_of(folder)
        [warc] = manifest["runs"][-1]["warc"]
        found = own_records(folder, warc)
        links = {link["url"]: link for link in manifest["links"]}
        for link in links.values():
            [hop] = link["chain"]
            assert found[hop["response_record"]] == ("response", hop["url"]), folder
        assert (folder / links["https://shared.example/report.pdf"]["copy"]["file"]).read_bytes() == PDF
        assert_self_contained(folder)
    assert web.count("shared.example", "/page") == web.count("shared.example", "/report.pdf") == fetches


# --- the page's own CSS ------------------------------------------------------------------------


def test_a_pages_style_blocks_load_their_files_and_fragments_are_not_fetched(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    web.page(
        "https://inline.example/2015/story",
        "<html><head><title>Inline</title><style>\n"
        '@import "/css/print.css";\n'
        '@font-face { font-family: Body; src: url("/fonts/body.woff2") format("woff2"); }\n'
        "body { background: url(img/bg.png); font-family: Body; }\n"
        ".shape { fill: url(#grad) }\n"
        "</style></head><body><h1>Title</h1>"
        '<svg><defs><linearGradient id="grad"/></defs><rect style="fill:url(#grad)"/></svg>'
        "<div style=\"background:url('#a')\">x</div><p>Text</p></body></html>",
    )
    serve(web, "https://inline.example/css/print.css", "text/css", b"h1 { background: url(h1.gif) }")
    serve(web, "https://inline.example/css/h1.gif", "image/gif", GIF)
    serve(web, "https://inline.example/fonts/body.woff2", "font/woff2", WOFF2)
    serve(web, "https://inline.example/2015/img/bg.png", "image/png", PNG)
    folder, copy = archive_page(tmp_path, "https://inline.example/2015/story")
    # `url(#grad)` and `url('#a')` are places in the page: it is fetched once, as the link.
    assert web.count("inline.example", "/2015/story") == 1
    page = (folder / copy["html"]).read_text(encoding="utf-8")
    [style] = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    assert 'url("#grad")' in style and 'fill:url("#grad")' in page.replace(" ", "")
    # The <style>'s import, font and image are files beside the copy, rewritten there.
    html = folder / copy["html"]
    targets = [t for t in local_targets(html) if t.suffix in (".css", ".woff2", ".png")]
    assert [t.suffix for t in targets] == [".css", ".woff2", ".png"]
    assert [t.read_bytes() for t in targets[1:]] == [WOFF2, PNG]
    assert [t.read_bytes() for t in css_targets(folder, targets[0].relative_to(folder).as_posix())] == [GIF]
    assert "none" not in style and not REMOTE_CSS_URL.search(style)
    assert_self_contained(folder)
    # Each fetched once, and recorded in the run's WARC with the page.
    warc = folder / manifest_of(folder)["runs"][0]["warc"][0]
    responses = {uri for kind, uri, _ in records(warc) if kind == "response"}
    fetched = {
        "https://inline.example/css/print.css",
        "https://inline.example/css/h1.gif",
        "https://inline.example/fonts/body.woff2",
        "https://inline.example/2015/img/bg.png",
    }
    assert fetched <= responses
    assert all(web.count("inline.example", urlsplit(u).path) == 1 for u in fetched)


def test_what_a_style_block_loads_counts_against_max_resources(
    twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    web = twitter_web.web
    web.page(
        "https://capped.example/s",
        "<html><head><style>a{background:url(/a.png)} b{background:url(/b.png)}</style></head>"
        '<body><img src="/i.png"><p>x</p></body></html>',
    )
    for name in ("i", "a", "b"):
        serve(web, f"https://capped.example/{name}.png", "image/png", PNG + name.encode())
    folder, copy = archive_page(tmp_path, "https://capped.example/s", "--max-resources", "2", name="c")
    # In document order: the <head>'s <style> first, so the <img> is past the cap.
    assert len(copy["resources"]) == 2 and web.count("capped.example", "/i.png") == 0
    html = folder / copy["html"]
    assert "<img>" in html.read_text(encoding="utf-8")
    assert [t.read_bytes() for t in local_targets(html)] == [PNG + b"a", PNG + b"b"]


def test_a_link_with_a_non_ascii_path_is_archived(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    """An IRI (`/café`, `/статья`): fetched percent-encoded, its request line ASCII in the WARC."""
    web = twitter_web.web
    web.page(
        "https://iri.example/caf%C3%A9/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F",
        "<html><head><title>Café</title></head><body><p>статья</p></body></html>",
    )
    folder, copy = archive_page(tmp_path, "https://iri.example/café/статья")
    assert "статья" in (folder / copy["text"]).read_text(encoding="utf-8")
    assert verify_folder(folder).intact
