"""WARC writing, joining, indexing, packing and verification (resolver.archive.warc).

Every file written here is read back with warcio's own reader and checker, the way replay tools
and `resolver verify` will read it; IDs and dates are injected so records compare exactly.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import itertools
import json
import re
import signal
import subprocess
import sys
import time
import tracemalloc
import types
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker
from warcio.recordloader import ArcWarcRecord

from resolver.archive.warc import (
    Exchange,
    RecordRef,
    Revisit,
    WarcError,
    check_warc,
    concat_parts,
    pack_wacz,
    validate_wacz,
    write_cdxj,
    write_part,
)

STARTED = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
CLOCK = datetime(2024, 5, 1, 12, 0, 5, tzinfo=UTC)
HTML = b"<!doctype html><title>Story</title><p>The source the article cites.</p>"
SECRETS = (
    "sid=REQUEST-SECRET",
    "Bearer TOKEN-SECRET",
    "Basic PROXY-SECRET",
    "sid=RESPONSE-SECRET",
    "old=COOKIE2-SECRET",
)


def ids(prefix: int = 0) -> Callable[[], str]:
    counter = itertools.count()
    return lambda: f"<urn:uuid:{prefix:08d}-0000-4000-8000-{next(counter):012d}>"


def exchange(
    tmp_path: Path,
    body: bytes | None = HTML,
    *,
    url: str = "https://example.com/story?id=7",
    name: str = "body",
    response_headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=utf-8"),),
    **changes: Any,
) -> Exchange:
    path = None
    if body is not None:
        path = tmp_path / name
        path.write_bytes(body)
    fields: dict[str, Any] = {
        "url": url,
        "started_at": STARTED,
        "method": "GET",
        "request_headers": (("Host", "example.com"), ("User-Agent", "resolver/0.1.0"), ("Accept", "*/*")),
        "status": 200,
        "reason": "OK",
        "http_version": "HTTP/1.1",
        "response_headers": response_headers,
        "body_path": path,
        "body_length": len(body or b""),
        "ip": "93.184.216.34",
    }
    return Exchange(**{**fields, **changes})


def write(dest: Path, exchanges: list[Exchange], **options: Any) -> list[RecordRef]:
    options.setdefault("record_id", ids())
    options.setdefault("clock", lambda: CLOCK)
    return write_part(dest, exchanges, software="resolver/0.1.0", **options)


def read_all(path: Path) -> list[tuple[ArcWarcRecord, bytes]]:
    """Every record with its raw payload (as stored: content-encoding kept)."""
    out = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            out.append((record, record.raw_stream.read()))
    return out


def read_at(path: Path, offset: int) -> tuple[ArcWarcRecord, bytes]:
    """The one record whose gzip member starts at `offset` (what a CDXJ lookup does)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        return record, record.content_stream().read()


def sha1_label(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def warcio_check(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run `warcio check -v` in-process; returns its output after asserting it passed."""
    assert Checker(types.SimpleNamespace(inputs=[str(path)], verbose=True)).process_all() == 0
    return capsys.readouterr().out


def rewrite_member(path: Path, ref: RecordRef, change: Callable[[bytes], bytes]) -> None:
    """Decompress one record's member, change it, recompress it in place: a well-formed file
    whose content no longer matches its digests."""
    data = path.read_bytes()
    member = gzip.decompress(data[ref.offset : ref.offset + ref.length])
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    new = packer.compress(change(member)) + packer.flush()
    path.write_bytes(data[: ref.offset] + new + data[ref.offset + ref.length :])


# -- write_part: records and their links --------------------------------------------------------------


def test_round_trip_every_record_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gzipped = gzip.compress(b'{"tweet": "kept as received"}', mtime=0)
    exchanges = [
        exchange(tmp_path, name="page"),
        exchange(tmp_path, None, url="https://t.co/abc", status=301, reason="Moved Permanently",
                 response_headers=(("Location", "https://example.com/story?id=7"), ("Content-Length", "0"))),
        exchange(tmp_path, gzipped, url="https://api.example.com/t.json", name="json",
                 response_headers=(("Content-Type", "application/json"), ("Content-Encoding", "gzip"))),
    ]  # fmt: skip
    earlier = Revisit(
        "<urn:uuid:earlier>", "https://example.com/again", "2023-01-02T03:04:05Z", sha1_label(HTML)
    )
    again = exchange(tmp_path, url="https://example.com/again", name="again")
    dest = tmp_path / "part-000001.warc.gz"

    refs = write(dest, [*exchanges, again], metadata={"url": "https://t.co/abc", "verdict": "ok"},
                 previous=lambda url, digest: earlier if url == again.url else None)  # fmt: skip

    stored = {ex.url: ex.body_path.read_bytes() if ex.body_path else b"" for ex in exchanges}
    records = read_all(dest)
    assert [r.rec_type for r, _ in records] == [ref.record_type for ref in refs] == [
        "warcinfo", "request", "response", "request", "response", "request", "response", "request", "revisit",
        "metadata",
    ]  # fmt: skip
    for ref, (record, payload) in zip(refs, records, strict=True):
        assert record.rec_headers.get_header("WARC-Record-ID") == ref.record_id
        assert record.rec_headers.get_header("WARC-Date") == ref.date
        assert record.rec_headers.get_header("WARC-Payload-Digest") == ref.payload_digest
        assert (record.rec_headers.get_header("WARC-Target-URI") or "") == ref.url
        assert record.rec_headers.protocol == "WARC/1.1"
        if ref.record_type in ("response", "revisit"):
            body = stored.get(ref.url, HTML)
            assert ref.payload_sha256 == hashlib.sha256(body).hexdigest()
            assert ref.payload_digest == sha1_label(body)
            assert payload == (b"" if ref.record_type == "revisit" else body)
        else:
            assert ref.payload_sha256 is None

    info = records[0][1].decode()
    assert "software: resolver/0.1.0\r\n" in info and "format: WARC File Format 1.1\r\n" in info
    assert records[0][0].rec_headers.get_header("WARC-Filename") == dest.name

    # The readers' view: the JSON body decodes through its Content-Encoding (as pywb reads it).
    record, content = read_at(dest, refs[6].offset)
    assert json.loads(content) == {"tweet": "kept as received"}
    assert record.http_headers.get_statuscode() == "200"

    metadata = records[-1][0]
    assert metadata.rec_headers.get_header("Content-Type") == "application/json"
    assert json.loads(records[-1][1]) == {"url": "https://t.co/abc", "verdict": "ok"}
    assert metadata.rec_headers.get_header("WARC-Concurrent-To") == refs[2].record_id
    assert metadata.rec_headers.get_header("WARC-Refers-To") == refs[2].record_id

    output = warcio_check(dest, capsys)
    assert output.count("digest pass") == 9 and "digest present but not checked (revisit)" in output
    assert check_warc(dest) == []


def test_request_and_response_point_at_each_other(tmp_path: Path) -> None:
    refs = write(tmp_path / "p.warc.gz", [exchange(tmp_path, name="a"), exchange(tmp_path, name="b")])
    pairs = [refs[1:3], refs[3:5]]
    for request, response in pairs:
        assert request.concurrent_to == response.record_id and response.concurrent_to == request.record_id
        assert request.date == response.date == "2024-05-01T12:00:00.123456Z"
    records = read_all(tmp_path / "p.warc.gz")
    for record, _ in records[1:]:
        assert record.rec_headers.get_header("WARC-Warcinfo-ID") == refs[0].record_id
        assert record.rec_headers.get_header("WARC-IP-Address") == "93.184.216.34"


def test_offsets_and_lengths_cover_the_file(tmp_path: Path) -> None:
    dest = tmp_path / "p.warc.gz"
    refs = write(dest, [exchange(tmp_path)], metadata={"n": 1})
    assert refs[0].offset == 0
    for before, after in itertools.pairwise(refs):
        assert before.offset + before.length == after.offset
    assert refs[-1].offset + refs[-1].length == dest.stat().st_size
    for ref in refs:
        record, _ = read_at(dest, ref.offset)
        assert record.rec_headers.get_header("WARC-Record-ID") == ref.record_id
        assert ref.file == "p.warc.gz"


REQUEST_LINES = [
    ("https://example.com", "HTTP/1.1", "GET / HTTP/1.1"),
    ("https://example.com/a/b?x=1&y=%20#fragment", "HTTP/1.1", "GET /a/b?x=1&y=%20 HTTP/1.1"),
    ("https://example.com/search?", "HTTP/1.1", "GET /search? HTTP/1.1"),
    ("http://example.com/old", "HTTP/1.0", "GET /old HTTP/1.0"),
    # HTTP/2 and HTTP/3 exchanges are written as HTTP/1.1, as web archiving tools do.
    ("https://example.com/h2", "HTTP/2", "GET /h2 HTTP/1.1"),
    ("https://example.com/h3", "HTTP/3", "GET /h3 HTTP/1.1"),
    # An IRI's path and query went out percent-encoded (as httpx sends them): the request line
    # is ASCII, the target URI the link as cited.
    ("https://example.com/café?q=é", "HTTP/1.1", "GET /caf%C3%A9?q=%C3%A9 HTTP/1.1"),
    ("https://bit.ly/статья", "HTTP/1.1", "GET /%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F HTTP/1.1"),
]


@pytest.mark.parametrize(("url", "version", "line"), REQUEST_LINES)
def test_request_line(tmp_path: Path, url: str, version: str, line: str) -> None:
    write(tmp_path / "p.warc.gz", [exchange(tmp_path, url=url, http_version=version)])
    request, _ = read_all(tmp_path / "p.warc.gz")[1]
    assert request.http_headers.to_str().splitlines()[0] == line
    assert request.rec_headers.get_header("WARC-Target-URI") == url


# (response headers, status, body, truncated, stored headers): what the response record says.
HEADER_CASES = [
    # De-chunked payload: Transfer-Encoding goes, a Content-Length that frames it comes.
    ((("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")), 200, b"12345", None,
     [("Content-Type", "text/html"), ("Content-Length", "5")]),
    # As received when already consistent.
    ((("Content-Length", "5"), ("Content-Type", "text/plain")), 200, b"12345", None,
     [("Content-Length", "5"), ("Content-Type", "text/plain")]),
    # Cut at the cap: the stored Content-Length is the stored payload's.
    ((("Content-Type", "video/mp4"), ("Content-Length", "5000000000")), 200, b"123", "length",
     [("Content-Type", "video/mp4"), ("Content-Length", "3")]),
    # Two Content-Length headers (a broken server) become one.
    ((("Content-Length", "5"), ("X-A", "1"), ("content-length", "5")), 200, b"12345", None,
     [("Content-Length", "5"), ("X-A", "1")]),
    # A 304's Content-Length describes the representation it did not send: kept.
    ((("ETag", '"x"'), ("Content-Length", "1234")), 304, None, None, [("ETag", '"x"'), ("Content-Length", "1234")]),
    # Neither framing header: left as received (the record's length frames the payload).
    ((("Content-Type", "text/plain"),), 200, b"abc", None, [("Content-Type", "text/plain")]),
    # Sessions are never stored; the order of the rest is kept.
    ((("Set-Cookie", "a=1"), ("Vary", "Cookie"), ("set-cookie2", "b=2"), ("Content-Length", "3")), 200, b"abc",
     None, [("Vary", "Cookie"), ("Content-Length", "3")]),
    # Non-ASCII in a value is %-encoded UTF-8; the rest stays (warcio would encode the `:` and `/` too).
    ((("Location", "https://example.com/café"), ("Content-Length", "0")), 302, None, None,
     [("Location", "https://example.com/caf%C3%A9"), ("Content-Length", "0")]),
    # HTTP/2 pseudo-headers have no HTTP/1.1 form: the status line says it.
    (((":status", "200"), ("content-length", "3")), 200, b"abc", None, [("content-length", "3")]),
]  # fmt: skip


@pytest.mark.parametrize(("received", "status", "body", "truncated", "stored"), HEADER_CASES)
def test_stored_response_headers(
    tmp_path: Path,
    received: tuple[tuple[str, str], ...],
    status: int,
    body: bytes | None,
    truncated: str | None,
    stored: list[tuple[str, str]],
) -> None:
    dest = tmp_path / "p.warc.gz"
    write(dest, [exchange(tmp_path, body, response_headers=received, status=status, truncated=truncated)])
    response, payload = read_all(dest)[2]
    assert response.http_headers.headers == stored
    assert payload == (body or b"")
    assert check_warc(dest) == []


def test_status_line_of_an_http2_exchange(tmp_path: Path) -> None:
    write(tmp_path / "p.warc.gz", [exchange(tmp_path, http_version="HTTP/2", reason="", status=404)])
    response, _ = read_all(tmp_path / "p.warc.gz")[2]
    assert response.http_headers.to_str().splitlines()[0] == "HTTP/1.1 404 Not Found"


def test_credentials_and_cookies_never_reach_the_file(tmp_path: Path) -> None:
    ex = exchange(
        tmp_path,
        request_headers=(("Host", "example.com"), ("Cookie", SECRETS[0]), ("Authorization", SECRETS[1]),
                         ("Proxy-Authorization", SECRETS[2]), ("Accept", "text/html")),
        response_headers=(("Set-Cookie", SECRETS[3]), ("Set-Cookie2", SECRETS[4]), ("Content-Type", "text/html")),
    )  # fmt: skip
    dest = tmp_path / "p.warc.gz"
    refs = write(
        dest, [ex], previous=lambda url, digest: Revisit("<urn:uuid:e>", url, "2023-01-01T00:00:00Z", digest)
    )
    stored = gzip.decompress(dest.read_bytes())
    assert refs[2].record_type == "revisit"  # the revisit keeps headers too: checked in both forms
    write(dest, [ex])
    stored += gzip.decompress(dest.read_bytes())
    for secret in SECRETS:
        assert secret.encode() not in stored
    for name in (b"Cookie:", b"Authorization:", b"Set-Cookie", b"Proxy-Authorization"):
        assert name.lower() not in stored.lower().replace(b"vary: cookie", b"")
    assert b"Accept: text/html" in stored


def test_truncated_flag(tmp_path: Path) -> None:
    dest = tmp_path / "p.warc.gz"
    refs = write(dest, [exchange(tmp_path, name="cut", truncated="length"), exchange(tmp_path, name="whole")])
    records = read_all(dest)
    assert records[2][0].rec_headers.get_header("WARC-Truncated") == "length"
    assert records[4][0].rec_headers.get_header("WARC-Truncated") is None
    assert refs[2].payload_digest == sha1_label(HTML)  # the digest is of what was stored
    assert check_warc(dest) == []


# -- revisits ---------------------------------------------------------------------------------------------

EARLIER = Revisit(
    "<urn:uuid:earlier>", "https://example.com/story?id=7", "2023-01-02T03:04:05Z", sha1_label(HTML)
)

# (what `previous` answers, the exchange's changes, record type written, `previous` consulted)
REVISIT_CASES = [
    (EARLIER, {}, "revisit", True),
    (None, {}, "response", True),
    # A callback that names another payload is not trusted: the bytes are written.
    (Revisit(EARLIER.record_id, EARLIER.url, EARLIER.date, "sha1:AAAA"), {}, "response", True),
    # A cut body is not the payload, and an empty one saves nothing.
    (EARLIER, {"truncated": "length"}, "response", False),
    (EARLIER, {"body": None}, "response", False),
]


@pytest.mark.parametrize(("answer", "changes", "written", "consulted"), REVISIT_CASES)
def test_revisit_decision(
    tmp_path: Path, answer: Revisit | None, changes: dict[str, Any], written: str, consulted: bool
) -> None:
    asked: list[tuple[str, str]] = []

    def previous(url: str, digest: str) -> Revisit | None:
        asked.append((url, digest))
        return answer

    body = changes.pop("body", HTML)
    refs = write(tmp_path / "p.warc.gz", [exchange(tmp_path, body, **changes)], previous=previous)
    assert refs[2].record_type == written
    assert asked == ([("https://example.com/story?id=7", sha1_label(HTML))] if consulted else [])


def test_revisit_record_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "p.warc.gz"
    refs = write(dest, [exchange(tmp_path)], previous=lambda url, digest: EARLIER)
    record, payload = read_all(dest)[2]
    headers = record.rec_headers
    assert (
        headers.get_header("WARC-Profile")
        == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    )
    assert headers.get_header("WARC-Refers-To") == EARLIER.record_id
    assert headers.get_header("WARC-Refers-To-Target-URI") == EARLIER.url
    assert headers.get_header("WARC-Refers-To-Date") == EARLIER.date
    assert headers.get_header("WARC-Payload-Digest") == sha1_label(HTML)
    assert record.http_headers.get_statuscode() == "200" and payload == b""
    assert int(headers.get_header("Content-Length")) == len(record.http_headers.to_ascii_bytes())
    assert refs[2].payload_sha256 == hashlib.sha256(HTML).hexdigest()
    warcio_check(dest, capsys)
    assert check_warc(dest) == []


# -- determinism, atomicity, refusals ---------------------------------------------------------------------


def test_injected_ids_and_dates_make_identical_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = write(tmp_path / "a" / "p.warc.gz", [exchange(tmp_path)], metadata={"k": "v"})
    two = write(tmp_path / "b" / "p.warc.gz", [exchange(tmp_path)], metadata={"k": "v"})
    assert (tmp_path / "a" / "p.warc.gz").read_bytes() == (tmp_path / "b" / "p.warc.gz").read_bytes()
    assert one == two
    assert [r.record_id for r in one] == [f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>" for n in range(4)]
    assert [r.date for r in one] == [
        "2024-05-01T12:00:05Z",
        *["2024-05-01T12:00:00.123456Z"] * 2,
        "2024-05-01T12:00:05Z",
    ]


def test_default_ids_are_uuid_urns(tmp_path: Path) -> None:
    refs = write_part(tmp_path / "p.warc.gz", [exchange(tmp_path)], software="resolver/0.1.0")
    assert all(re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", ref.record_id) for ref in refs)
    assert len({ref.record_id for ref in refs}) == len(refs)


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    dest = tmp_path / "p.warc.gz"
    dest.write_bytes(b"old")

    def previous(url: str, digest: str) -> Revisit | None:
        raise RuntimeError("manifest unreadable")

    with pytest.raises(RuntimeError):
        write(dest, [exchange(tmp_path)], previous=previous)
    assert dest.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body", "p.warc.gz"]


KILLED_WRITER = """
import os, sys, time
from pathlib import Path
from tests.test_archive_warc import exchange, write

folder = Path(sys.argv[1])

def previous(url, digest):
    (folder / "mid-write").touch()  # the warcinfo and a request are in the temp file by now
    time.sleep(60)

write(folder / "p.warc.gz", [exchange(folder)], previous=previous)
"""


def test_a_killed_writer_leaves_no_file(tmp_path: Path) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(tmp_path)], cwd=Path(__file__).parents[1]
    )
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "mid-write").exists():
            assert writer.poll() is None and time.monotonic() < deadline, "the writer never got mid-write"
            time.sleep(0.01)
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait()
    assert not (tmp_path / "p.warc.gz").exists()
    assert (tmp_path / "p.warc.gz.tmp").exists()  # the half-written temp file, never renamed
    write(tmp_path / "p.warc.gz", [exchange(tmp_path)])  # the next attempt replaces it
    assert check_warc(tmp_path / "p.warc.gz") == [] and not (tmp_path / "p.warc.gz.tmp").exists()


REFUSED = [
    ({"body_length": len(HTML) + 1}, "holds"),
    ({"request_headers": (("X-Evil", "a\r\nCookie: b"),)}, "cannot be written"),
    ({"response_headers": (("Bad Name:", "x"),)}, "cannot be written"),
]


@pytest.mark.parametrize(("changes", "message"), REFUSED)
def test_contradictory_exchanges_are_refused_before_writing(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        write(tmp_path / "p.warc.gz", [exchange(tmp_path, **changes)])
    assert not (tmp_path / "p.warc.gz").exists()
    assert not (tmp_path / "p.warc.gz.tmp").exists()


def test_large_body_streams_with_flat_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    size = 50 * 1024 * 1024
    block = hashlib.sha256(b"seed").digest() * 32768  # 1 MiB; compresses well: the test is of memory
    body = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with body.open("wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
            digest.update(block)
    del block
    ex = exchange(tmp_path, None, body_path=body, body_length=size,
                  response_headers=(("Content-Type", "application/octet-stream"), ("Content-Length", str(size))))  # fmt: skip
    dest = tmp_path / "big.warc.gz"

    tracemalloc.start()
    try:
        refs = write(dest, [ex])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 20 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
    assert refs[2].payload_sha256 == digest.hexdigest()
    with dest.open("rb") as handle:
        records = ArchiveIterator(handle)
        next(records), next(records)
        response = next(records)
        stored = hashlib.sha256()
        while chunk := response.raw_stream.read(1 << 20):
            stored.update(chunk)
    assert stored.hexdigest() == digest.hexdigest()


def test_incompressible_payloads_are_stored_not_deflated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noise = hashlib.shake_256(b"jpeg-like").digest(300_000)
    text = HTML * 4000
    dest = tmp_path / "p.warc.gz"
    refs = write(dest, [exchange(tmp_path, noise, name="noise"), exchange(tmp_path, text, name="text")])
    assert len(noise) < refs[2].length < len(noise) * 1.01  # stored: level 0, no deflate search
    assert refs[4].length < len(text) / 20  # deflated
    assert [payload for _, payload in read_all(dest)][2::2] == [noise, text]
    warcio_check(dest, capsys)
    assert check_warc(dest) == []


# -- concat_parts -------------------------------------------------------------------------------------------


def test_concat_parts_moves_every_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parts = [tmp_path / "part-000001.warc.gz", tmp_path / "part-000002.warc.gz"]
    first = write(parts[0], [exchange(tmp_path, name="a")], metadata={"n": 1}, record_id=ids(1))
    second = write(
        parts[1], [exchange(tmp_path, b"other", name="b", url="https://example.com/b")], record_id=ids(2)
    )
    dest = tmp_path / "capture.warc.gz"

    moved = concat_parts(parts, dest)

    assert dest.read_bytes() == parts[0].read_bytes() + parts[1].read_bytes()
    assert set(moved) == {(ref.file, ref.offset) for ref in first + second}
    for ref in first + second:
        name, offset = moved[(ref.file, ref.offset)]
        record, _ = read_at(dest, offset)
        assert name == "capture.warc.gz"
        assert record.rec_headers.get_header("WARC-Record-ID") == ref.record_id
    warcio_check(dest, capsys)
    assert check_warc(dest) == []


def test_concat_parts_refuses_broken_or_ambiguous_parts(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    good = tmp_path / "p.warc.gz"
    write(good, [exchange(tmp_path)])
    same_name = tmp_path / "x" / "p.warc.gz"
    same_name.write_bytes(good.read_bytes())
    with pytest.raises(ValueError, match="same file name"):
        concat_parts([good, same_name], tmp_path / "all.warc.gz")
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(b"not a warc at all\r\n\r\n")  # five words: warcio reads it as an ARC header
    with pytest.raises(WarcError, match=r"broken\.warc\.gz"):
        concat_parts([good, broken], tmp_path / "all.warc.gz")
    assert not (tmp_path / "all.warc.gz").exists() and not (tmp_path / "all.warc.gz.tmp").exists()


# -- write_cdxj ---------------------------------------------------------------------------------------------


def test_cdxj_of_a_broken_warc_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: x\r\n\r\n"))
    with pytest.raises(WarcError, match="cannot be indexed"):
        write_cdxj([broken], tmp_path / "index.cdxj")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.warc.gz"]


def test_cdxj_lines(tmp_path: Path) -> None:
    dest = tmp_path / "capture.warc.gz"
    refs = write(dest, [exchange(tmp_path, name="a"), exchange(tmp_path, b"<p>b", name="b", url="https://example.com/b"),
                        exchange(tmp_path, name="c", url="https://example.com/c")],
                 metadata={"n": 1}, previous=lambda url, digest: EARLIER if url.endswith("/c") else None)  # fmt: skip
    index = tmp_path / "capture.cdxj"

    count = write_cdxj([dest], index)

    lines = index.read_text(encoding="utf-8").splitlines()
    assert count == len(lines) == 4  # two responses, a revisit, the metadata: no request, no warcinfo
    assert lines == sorted(lines)
    by_url = {ref.url: ref for ref in refs if ref.record_type in ("response", "revisit", "metadata")}
    for line in lines:
        key, timestamp, data = line.split(" ", 2)
        fields = json.loads(data)
        ref = by_url[fields["url"]]
        assert re.fullmatch(r"\d{14}", timestamp)
        assert fields["offset"] == str(ref.offset) and fields["length"] == str(ref.length)
        assert fields["filename"] == "capture.warc.gz" and fields["digest"] == ref.payload_digest
        if ref.record_type != "metadata":
            assert key.startswith("com,example)/") and timestamp == "20240501120000"
    mimes = {
        json.loads(line.split(" ", 2)[2])["url"]: json.loads(line.split(" ", 2)[2])["mime"] for line in lines
    }
    assert mimes["https://example.com/c"] == "warc/revisit"
    assert mimes["https://example.com/story?id=7"] == "text/html"


# -- WACZ -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wacz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wacz")
    warc = folder / "capture.warc.gz"
    write(
        warc, [exchange(folder, name="a"), exchange(folder, b"<p>b", name="b", url="https://example.com/b")]
    )
    dest = folder / "archive.wacz"
    pages = [
        ("https://example.com/story?id=7", "2024-05-01T12:00:00.123456Z", "Story"),
        ("https://example.com/b", "20240501120000", None),  # a CDX timestamp is converted
    ]
    pack_wacz([warc], dest, pages=pages, title="Sources of story.html")
    return dest


def test_wacz_layout_and_pages(wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as archive:
        names = set(archive.namelist())
        assert {
            "archive/capture.warc.gz",
            "indexes/index.cdx.gz",
            "pages/pages.jsonl",
            "datapackage.json",
        } <= names
        assert archive.getinfo("archive/capture.warc.gz").compress_type == zipfile.ZIP_STORED
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").decode().splitlines()]
        package = json.loads(archive.read("datapackage.json"))
        for resource in package["resources"]:
            content = archive.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
            assert resource["bytes"] == len(content)
    assert pages[0]["format"] == "json-pages-1.0"
    assert [(p["url"], p["ts"], p.get("title")) for p in pages[1:]] == [
        ("https://example.com/story?id=7", "2024-05-01T12:00:00.123456Z", "Story"),
        ("https://example.com/b", "2024-05-01T12:00:00Z", None),
    ]
    assert package["title"] == "Sources of story.html" and package["wacz_version"] == "1.1.1"
    assert not wacz.with_name(wacz.name + ".tmp").exists()


def test_wacz_validates(wacz: Path) -> None:
    assert validate_wacz(wacz) == []


def _rezip(source: Path, dest: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(dest, "w") as new:
        for info in old.infolist():
            content = change(info.filename, old.read(info))
            if content is not None:
                new.writestr(info, content)


BROKEN_WACZ = [
    (lambda name, data: data + b"\n" if name == "pages/pages.jsonl" else data, "hash differs"),
    (lambda name, data: None if name.startswith("archive/") else data, "missing a WARC in archive/"),
    (lambda name, data: None if name == "datapackage.json" else data, "missing datapackage.json"),
    (
        lambda name, data: data.replace(b'"1.1.1"', b'"9.9"') if name == "datapackage.json" else data,
        "version",
    ),
]


@pytest.mark.parametrize(("change", "problem"), BROKEN_WACZ)
def test_wacz_problems_are_reported(
    wacz: Path, tmp_path: Path, change: Callable[[str, bytes], bytes | None], problem: str
) -> None:
    broken = tmp_path / "broken.wacz"
    _rezip(wacz, broken, change)
    problems = validate_wacz(broken)
    assert any(problem in p for p in problems), problems


def test_not_a_wacz(tmp_path: Path) -> None:
    path = tmp_path / "x.wacz"
    path.write_bytes(b"PK nope")
    assert "not a readable ZIP file" in validate_wacz(path)[0]


# -- check_warc ---------------------------------------------------------------------------------------------------


@pytest.fixture
def intact(tmp_path: Path) -> tuple[Path, list[RecordRef]]:
    dest = tmp_path / "p.warc.gz"
    refs = write(dest, [exchange(tmp_path, name="a"), exchange(tmp_path, name="b", url="https://example.com/b")],
                 metadata={"n": 1}, previous=lambda url, digest: EARLIER if url.endswith("/b") else None)  # fmt: skip
    assert check_warc(dest) == []
    return dest, refs


def _flip_payload(member: bytes) -> bytes:
    at = member.index(b"The source")
    return member[:at] + b"Tho source" + member[at + 10 :]


# (what is done to the file, given the refs; a fragment of the expected problem)
DAMAGE: list[tuple[str, Callable[[Path, list[RecordRef]], None], str]] = [
    ("payload byte flipped", lambda p, refs: rewrite_member(p, refs[2], _flip_payload), "payload digest failed"),
    ("header byte flipped", lambda p, refs: rewrite_member(p, refs[1], lambda m: m.replace(b"*/*", b"*/x")),
     "block digest failed"),
    ("revisit header changed", lambda p, refs: rewrite_member(p, refs[4], lambda m: m.replace(b"text/html", b"text/htmx")),
     "block digest failed"),
    ("cut inside a payload", lambda p, refs: p.write_bytes(p.read_bytes()[: refs[2].offset + refs[2].length - 30]),
     "truncated"),
    ("cut before the last record ends", lambda p, refs: p.write_bytes(p.read_bytes()[:-4]), "truncated file"),
    ("compressed byte flipped", lambda p, refs: p.write_bytes(_flip(p.read_bytes(), refs[2].offset + 40)),
     "corrupt gzip member"),
    ("emptied", lambda p, refs: p.write_bytes(b""), "no WARC records"),
    ("not a WARC", lambda p, refs: p.write_bytes(b"<html>oops</html>\n"), "unreadable record"),
    ("gone", lambda p, refs: p.unlink(), "cannot be read"),
]  # fmt: skip


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


@pytest.mark.parametrize(("what", "damage", "problem"), DAMAGE, ids=[row[0] for row in DAMAGE])
def test_check_warc_reports_damage(
    intact: tuple[Path, list[RecordRef]],
    what: str,
    damage: Callable[[Path, list[RecordRef]], None],
    problem: str,
) -> None:
    path, refs = intact
    damage(path, refs)
    problems = check_warc(path)
    assert any(problem in p for p in problems), problems


def test_check_warc_names_the_damaged_record(intact: tuple[Path, list[RecordRef]]) -> None:
    path, refs = intact
    rewrite_member(path, refs[2], _flip_payload)
    problems = check_warc(path)
    assert problems and all(f"offset {refs[2].offset} (response {refs[2].record_id})" in p for p in problems)


def test_check_warc_accepts_an_uncompressed_warc(intact: tuple[Path, list[RecordRef]]) -> None:
    path, _ = intact
    plain = path.with_name("p.warc")
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    assert check_warc(plain) == []
    with io.BytesIO(plain.read_bytes()) as handle:
        assert len(list(ArchiveIterator(handle))) == 6
