"""The output contract of `resolver tweet` and `resolver tweets`, as scripts and people see it.

Every record key on every line whatever the fate, IDs as strings, times in ISO 8601 UTC, a csv
cell for every field, formulas neutralised in csv, no raw control characters on a terminal,
exit codes, bad references and a bad --output, and a second run served by the cache.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_tweets import jsonl, run
from tests.web.twitter import (
    EXAMPLE_FOOTAGE_ID,
    EXAMPLE_PHOTO_KEY,
    EXAMPLE_RADIO_RECON_ID,
    FakeTweet,
    TwitterWeb,
    install_example,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sputnik-pt-2015-syria.txt"

pytestmark = pytest.mark.usefixtures("proxy_env")

#: A tweet written to attack whoever reads the report: a formula for spreadsheets, an OSC
#: sequence (set the window title) and a right-to-left override for terminals.
EVIL_ID = 656722946431669999
EVIL = FakeTweet(
    EVIL_ID, "evil", '=HYPERLINK("http://evil/")\x1b[2J', "=cmd|' /C calc'!A0 \x1b]0;pwned\x07 \u202eabc.exe"
)


def utc(value: str) -> dt.datetime:
    """An ISO 8601 time that must carry its timezone, and be UTC."""
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.utcoffset() == dt.timedelta(0), value
    return parsed


# --- JSON: the same keys on every line, with their types ---------------------------------------


def test_every_record_key_is_on_every_line_whatever_the_fate(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    twitter_web.add(FakeTweet(656722946431664600, "gone", "Gone", "x", state="suspended"))
    done = run("tweet", "--no-cache", "-f", "jsonl", str(EXAMPLE_FOOTAGE_ID), "656722946431664600", "abc")
    assert done.returncode == 1, done.stderr  # "abc" names no tweet
    available, suspended, unidentified = jsonl(done.stdout)
    assert [r["state"] for r in (available, suspended, unidentified)] == [
        "available",
        "suspended",
        "unidentified",
    ]
    # A script reads the same keys on every line; unknown is null (or an empty list), never absent.
    assert list(unidentified) == list(available) == list(suspended)
    for key in ("handle", "author", "created_at", "text", "text_original", "lang", "media", "quoted",
                "in_reply_to", "source", "fetched_at", "id_source", "confidence", "capture_url"):  # fmt: skip
        assert key in unidentified
    assert unidentified["id"] is None and unidentified["author"] is None and unidentified["media"] == []
    assert "not a tweet reference" in unidentified["reason"]
    # IDs are strings: a tweet ID exceeds 2**53 and a JavaScript reader would lose its last digits.
    assert isinstance(available["id"], str) and int(available["id"]) > 2**53
    assert available["id"] == str(EXAMPLE_FOOTAGE_ID) and isinstance(suspended["id"], str)
    assert utc(available["created_at"]) == dt.datetime(2015, 10, 21, 6, 45, 26, tzinfo=dt.UTC)
    assert utc(available["fetched_at"]) and utc(suspended["fetched_at"])
    [photo] = available["media"]
    assert photo["type"] == "photo" and photo["url"].endswith("?name=orig") and photo["size"]["width"] == 1200
    assert available["source"] == "syndication" and available["id_source"] == "id"
    assert suspended["reason"] and suspended["source"] is None


# --- The example article in every format ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_the_example_article_in_every_format(twitter_web: TwitterWeb, fmt: str) -> None:
    install_example(twitter_web)
    done = run("tweets", "--no-cache", "-f", fmt, str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    if fmt == "table":
        lines = done.stdout.splitlines()
        assert lines[0].endswith(": 2 tweet(s)")
        blocks = [line for line in lines if line.startswith("available")]
        assert len(blocks) == 2 and "pic.twitter.com" in blocks[0] and "search" in blocks[1]
        assert str(EXAMPLE_FOOTAGE_ID) in done.stdout and str(EXAMPLE_RADIO_RECON_ID) in done.stdout
        assert EXAMPLE_PHOTO_KEY in done.stdout and "Radio recon intercepted data" in done.stdout
        return
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        media = json.loads(rows[0]["media"])
        assert rows[0]["media_types"] == "photo" and media[0]["size"] == {"width": 1200, "height": 675}
        assert rows[1]["candidates"].startswith(f"{EXAMPLE_RADIO_RECON_ID}:1.0")
        assert rows[1]["embed_text"].startswith("Radio recon") and rows[1]["embed_handle"] == "mod_russia"
        assert rows[0]["media_index"] == "1" and rows[1]["media_index"] == ""
    else:
        rows = json.loads(done.stdout)["tweets"] if fmt == "json" else jsonl(done.stdout)
    assert [(r["id"], r["id_source"], r["state"]) for r in rows] == [
        (str(EXAMPLE_FOOTAGE_ID), "pic.twitter.com", "available"),
        (str(EXAMPLE_RADIO_RECON_ID), "search", "available"),
    ]
    for row in rows:
        created = row["created_at"] if fmt == "csv" else row["record"]["created_at"]
        fetched = row["fetched_at"] if fmt == "csv" else row["record"]["fetched_at"]
        assert utc(created).date() == dt.date(2015, 10, 21) and utc(fetched)


def test_the_csv_has_a_cell_for_every_field_of_the_record(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    install_example(twitter_web)
    cached = ("--cache", str(tmp_path / "c.sqlite3"))  # the same record twice, fetched_at included
    [record] = jsonl(run("tweet", *cached, "-f", "jsonl", str(EXAMPLE_FOOTAGE_ID)).stdout)
    done = run("tweet", *cached, "-f", "csv", str(EXAMPLE_FOOTAGE_ID))
    [row] = list(csv.DictReader(io.StringIO(done.stdout)))
    nested = {"urls", "quoted", "in_reply_to", "lookup_reason"}  # in other cells: links, *_id, reason
    assert set(record) - nested <= set(row) | {"media_count"}
    assert row["text_original"] == record["text_original"] and row["hashtags"] == "FOOTAGE Aleppo"
    assert row["fetched_at"] == record["fetched_at"] and row["tried"] == "syndication: found"


# --- Text from strangers ---------------------------------------------------------------------------


def test_csv_cells_that_start_like_a_formula_are_neutralised(twitter_web: TwitterWeb) -> None:
    twitter_web.add(EVIL)
    done = run("tweet", "--no-cache", "-f", "csv", "=1+1", str(EVIL_ID))
    bad, evil = list(csv.DictReader(io.StringIO(done.stdout)))
    assert bad["ref"] == "'=1+1"
    assert evil["author"].startswith("'=HYPERLINK") and evil["text"].startswith("'=cmd|")
    assert evil["id"] == str(EVIL_ID)  # IDs, URLs and slugs are left as they are
    # JSON carries the text untouched: scripts read it.
    [record] = jsonl(run("tweet", "--no-cache", "-f", "jsonl", str(EVIL_ID)).stdout)
    assert record["text"].startswith("=cmd|") and "\x1b]0;pwned\x07" in record["text"]


def test_the_table_shows_control_characters_as_escapes(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    twitter_web.add(EVIL)
    done = run("tweet", "--no-cache", "-f", "table", str(EVIL_ID), "x\x1b]0;ref\x07\u202eabc")
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout and "\x07" not in done.stdout
    assert "\\x1b]0;pwned\\x07" in done.stdout and "\\u202eabc.exe" in done.stdout
    assert "\\x1b[2J" in done.stdout  # the author's name too
    assert "\\x1b]0;ref\\x07\\u202eabc" in done.stdout  # and the reference as given
    # File names: in the table, and in the error line of one that cannot be read.
    named = tmp_path / "story\x1b[31m\u202etxt.html"
    named.write_text(
        '<blockquote class="twitter-tweet"><p>=cmd</p>&mdash; Evil (@evil) '
        f'<a href="https://twitter.com/evil/status/{EVIL_ID}">October 21, 2015</a></blockquote>',
        encoding="utf-8",
    )
    missing = tmp_path / "gone\x1b]0;x\x07.txt"
    done = run("tweets", "--no-cache", "-f", "table", str(named), str(missing))
    assert done.returncode == 1
    assert "\x1b" not in done.stdout + done.stderr and "\u202e" not in done.stdout
    shown = done.stdout.replace("\n", "")  # a long name wraps on an 80-column console
    assert "story\\x1b[31m\\u202etxt.html: 1 tweet(s)" in shown and "\\x1b]0;pwned\\x07" in shown
    assert "gone\\x1b]0;x\\x07.txt" in done.stderr


# --- Bad references, exit codes ------------------------------------------------------------------

BAD_REFS = [
    ("abc", "not a tweet reference"),
    ("0", "out of range"),  # no tweet has ID 0: not "deleted" after three requests
    ("00", "out of range"),
    ("-5", "not a tweet reference"),
    ("9223372036854775808", "out of range"),  # 2**63: above every signed 64-bit ID
    ("9999999999999999999", "out of range"),
    ("1" * 30, "not a tweet reference"),
    ("https://x.com/mod_russia", "not a tweet reference"),  # a profile, not a status
    ("https://twitter.com/mod_russia/status/9999999999999999999", "out of range"),
    ("https://t.co/eKInDZJCbH", "not to a tweet"),  # a t.co link to a video site
    ("https://t.co/nothere", "could not be expanded"),  # a t.co code t.co does not know
]


def test_bad_references_are_records_with_a_clear_state(twitter_web: TwitterWeb) -> None:
    install_example(twitter_web)
    refs = [ref for ref, _ in BAD_REFS]
    done = run("tweet", "--no-cache", "-f", "json", "--", str(EXAMPLE_FOOTAGE_ID), *refs)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    good, *rows = json.loads(done.stdout)
    assert good["state"] == "available"
    assert [r["ref"] for r in rows] == refs
    for row, (ref, reason) in zip(rows, BAD_REFS, strict=True):
        assert row["state"] == "unidentified" and reason in row["reason"], (ref, row["reason"])
    # Only the good ID was fetched: an impossible ID costs no request.
    assert twitter_web.hits["syndication"] == 1 and twitter_web.hits["oembed"] == 0


def test_exit_codes_with_several_inputs_where_one_fails(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    install_example(twitter_web)
    assert run("tweet", "--no-cache", "-f", "jsonl", str(EXAMPLE_FOOTAGE_ID)).returncode == 0
    assert run("tweet", "--no-cache", "-f", "jsonl", str(EXAMPLE_FOOTAGE_ID), "abc").returncode == 1
    binary = tmp_path / "bin.html"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    for bad in (binary, tmp_path / "missing.txt"):
        done = run("tweets", "--no-cache", "-f", "jsonl", str(EXAMPLE), str(bad))
        assert done.returncode == 1 and len(jsonl(done.stdout)) == 2  # the good article is all there
        errors = [line for line in done.stderr.splitlines() if "error" in line]
        assert len(errors) == 1 and bad.name in errors[0] and "Traceback" not in done.stderr
    alone = run("tweets", "--no-cache", "-f", "json", str(tmp_path / "missing.txt"))
    assert alone.returncode == 1 and json.loads(alone.stdout) == []
    assert "0 tweets in" in alone.stderr and not alone.stderr.rstrip().endswith(":")
    assert run("tweet").returncode == 2 and run("tweets").returncode == 2


@pytest.mark.parametrize("command", ["tweet", "tweets"])
def test_an_output_that_cannot_be_written_is_a_usage_error(
    twitter_web: TwitterWeb, tmp_path: Path, command: str
) -> None:
    install_example(twitter_web)
    arg = str(EXAMPLE_FOOTAGE_ID) if command == "tweet" else str(EXAMPLE)
    for output in (tmp_path / "no" / "x.json", tmp_path):
        done = run(command, "--no-cache", "-f", "json", "-o", str(output), arg)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1 and "--output" in done.stderr, done.stderr
    assert twitter_web.web.count() == 0  # said before any request


def test_output_is_written_whole_or_not_at_all(
    twitter_web: TwitterWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that dies half way leaves FILE as it was, and no temp file beside it."""
    from typer.testing import CliRunner

    import resolver.twitter.api as api
    from resolver.cli import app

    install_example(twitter_web)
    out = tmp_path / "tweets.jsonl"
    out.write_text("the last good run\n", encoding="utf-8")
    real = api.atweet_iter

    async def dies_half_way(*args, **kwargs):  # type: ignore[no-untyped-def]
        async for lookup in real(*args, **kwargs):
            yield lookup
            raise RuntimeError("killed half way")

    monkeypatch.setattr(api, "atweet_iter", dies_half_way)
    result = CliRunner().invoke(
        app, ["tweet", "--no-cache", "-f", "jsonl", "-o", str(out), str(EXAMPLE_FOOTAGE_ID), "20"]
    )
    assert isinstance(result.exception, RuntimeError)
    assert out.read_text(encoding="utf-8") == "the last good run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tweets.jsonl"]
    monkeypatch.setattr(api, "atweet_iter", real)
    result = CliRunner().invoke(
        app, ["tweet", "--no-cache", "-f", "jsonl", "-o", str(out), str(EXAMPLE_FOOTAGE_ID)]
    )
    assert result.exit_code == 0 and jsonl(out.read_text(encoding="utf-8"))[0]["state"] == "available"


# --- The cache -------------------------------------------------------------------------------------


def test_a_second_run_makes_no_request(twitter_web: TwitterWeb, tmp_path: Path) -> None:
    install_example(twitter_web)
    twitter_web.add(FakeTweet(656722946431664600, "gone", "Gone", "x", state="deleted"))
    path = str(tmp_path / "cache.sqlite3")
    refs = ["https://pic.twitter.com/PXh7c6aziZ", "https://t.co/eKInDZJCbH", "656722946431664600"]
    first = run("tweet", "--cache", path, "-f", "jsonl", *refs)
    assert twitter_web.web.count() > 0
    twitter_web.web.reset_log()
    second = run("tweet", "--cache", path, "-f", "jsonl", *refs)
    assert twitter_web.web.count() == 0, [r.url for r in twitter_web.web.requests]
    # The same answers, the tweets marked as served from the cache.
    before, after = jsonl(first.stdout), jsonl(second.stdout)
    assert [(r["id"], r["state"]) for r in before] == [(r["id"], r["state"]) for r in after]
    assert [r["from_cache"] for r in after] == [True, False, True]  # t.co: its expansion was cached
    assert first.returncode == second.returncode == 1  # the t.co link leads to no tweet


def test_the_librarys_records_have_every_key_whatever_the_fate() -> None:
    """`TweetLookup.to_json()` itself, not only the CLI's writer: a script using the library
    finds the same keys on a reference that names no tweet as on a found one."""
    from resolver.models import Tweet, TweetLookup, TweetState

    found = TweetLookup("20", Tweet("20", TweetState.AVAILABLE)).to_json()
    unidentified = TweetLookup("abc", None, reason="not a tweet reference").to_json()
    assert list(unidentified) == list(found)
    assert unidentified["state"] == "unidentified" and unidentified["reason"] == "not a tweet reference"
    assert unidentified["id"] is None and unidentified["media"] == []


def test_references_read_from_stdin_that_are_not_utf8_keep_the_output_utf8() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "resolver", "tweet", "--no-cache", "-", "-f", "jsonl"],
        input=b"\xef\xbb\xbfab\xffc\r\n# a comment\n",
        capture_output=True,
        timeout=120,
        env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
    )
    assert done.returncode in (0, 1), done.stderr
    lines = done.stdout.decode("utf-8").splitlines()  # valid UTF-8, or this raises
    [record] = [json.loads(line) for line in lines]
    assert record["ref"] == "ab\ufffdc" and record["state"] == "unidentified"
