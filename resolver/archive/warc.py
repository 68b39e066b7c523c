"""WARC files of what the HTTP client saw, their CDXJ index, a WACZ package, and their verification.

The recorder hands over `Exchange`s (request line, headers, the raw body spooled to a file);
this module writes them as WARC/1.1 records with warcio's record builder, never through its
`capture_http` (which patches `http.client`, a layer httpx does not use):

    write_part   exchanges -> one gzip WARC file: warcinfo, request + response (or revisit) per
                 exchange, one metadata record; returns a `RecordRef` (offset, length, digests)
                 per record
    concat_parts part files -> one WARC (gzip members concatenate) + where each record moved
    write_cdxj   WARC files -> the CDXJ index replay tools read (cdxj-indexer)
    check_warc   a WARC file -> every problem found (digests, truncation, unreadable records)
    pack_wacz    WARC files -> a WACZ that ReplayWeb.page opens (the `wacz` package)
    validate_wacz a WACZ -> every problem found (the `wacz` package's validator, and more)

Every file is written atomically (a temp file beside it, fsync, rename, fsync of the folder):
a SIGKILL at any moment leaves either no file or a complete one. Bodies are streamed in
chunks: a 1 GB payload is read twice (hashes, then the record) with flat memory.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http
import io
import os
import re
import tempfile
import types
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, timestamp_to_iso_date
from warcio.warcwriter import WARCWriter

from resolver import fsutil
from resolver.errors import ResolverError
from resolver.report import json_bytes

WARC_VERSION = "WARC/1.1"
REVISIT_PROFILE = RecordBuilder.REVISIT_PROFILE_1_1
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"

#: Bytes per read when hashing and copying: large enough that the syscalls do not matter.
CHUNK = 1024 * 1024

#: gzip level of each record's member. warcio's own writer uses 9; 6 (gzip's default) measured
#: 4x faster on HTML (37 vs 10 MB/s) for files under 1% larger. The members are what warcio
#: writes with gzip=True: one per record.
GZIP_LEVEL = 6

#: A payload whose first bytes do not shrink below this ratio at level 1 (JPEG, MP4, gzip-encoded
#: bodies) is stored at level 0: deflate's searching gains nothing on it and costs 20 s a GB
#: (measured 50 MB/s at any level 1-9 on random bytes; level 0 runs at 2 GB/s).
INCOMPRESSIBLE = 0.97
_PROBE = 256 * 1024

#: Headers never stored: they carry the reader's credentials or session, not the source's
#: content, and a WARC is meant to be shared (WACZ, replay). Lower-case names.
PRIVATE_REQUEST_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
PRIVATE_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})

#: Responses whose body is empty by definition, whatever Content-Length says (RFC 9110 §8.6:
#: a 304's Content-Length describes the representation it did not send).
_BODYLESS_STATUSES = frozenset({204, 304})


class WarcError(ResolverError):
    """A WARC or WACZ file that cannot be written or read; the message names the file."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response as the HTTP client saw them (the recorder builds these)."""

    #: The request URL (absolute).
    url: str
    #: UTC, when the request was sent (WARC-Date); a naive datetime is taken as UTC.
    started_at: datetime
    #: "GET".
    method: str
    #: As sent, in order.
    request_headers: tuple[tuple[str, str], ...]
    status: int
    #: Reason phrase ("OK"); empty for HTTP/2, which has none (the standard phrase is written).
    reason: str
    #: "HTTP/1.1" (HTTP/2 exchanges are written as HTTP/1.1).
    http_version: str
    #: As received, in order.
    response_headers: tuple[tuple[str, str], ...]
    #: File with the raw payload: transfer-decoded (no chunk framing), content-encoding as
    #: received; None = empty body.
    body_path: Path | None
    body_length: int
    #: None, or the WARC-Truncated reason: "length" (over the cap), "time", "disconnect".
    truncated: str | None = None
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class RecordRef:
    """Where a record is and what it holds.

    `url` is the WARC-Target-URI (empty for warcinfo). `date` is the WARC-Date as written:
    warcio writes microseconds for WARC/1.1 only when they are not zero.
    """

    url: str
    record_type: str  # warcinfo | request | response | revisit | metadata | resource
    record_id: str  # "<urn:uuid:...>"
    date: str  # WARC-Date (ISO 8601 Z, second or microsecond precision as warcio writes for WARC/1.1)
    file: str  # the WARC file name (not path) it is in
    offset: int  # byte offset of the record's gzip member in that file
    length: int  # compressed length of that member
    payload_digest: str | None  # "sha1:BASE32" as WARC-Payload-Digest
    payload_sha256: str | None  # hex sha256 of the payload bytes (for the manifest)
    concurrent_to: str | None = None


@dataclass(frozen=True, slots=True)
class Revisit:
    """An earlier run's record of an identical payload, which a `revisit` record points to."""

    record_id: str
    url: str
    date: str
    payload_digest: str


# -- atomic files ------------------------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable: without it a crash can forget the new name (ext4, XFS)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its rename is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _atomic_path(dest: Path) -> Iterator[Path]:
    """Yield `dest.tmp` to be written; then fsync it and rename it over `dest`, fsync the folder.

    On any error the temp file is removed and `dest` is untouched. A fixed temp name (not
    mkstemp) keeps the umask's permissions and lets the next attempt overwrite what a killed
    one left; one writer per destination is the callers' contract.
    """
    tmp = dest.with_name(dest.name + ".tmp")
    deferred = fsutil.syncs_deferred()
    try:
        yield tmp
        if not deferred:
            with tmp.open("r+b") as handle:  # fsync is per file, not per descriptor
                os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if deferred:  # an archive run syncs its files in one go before committing them
        fsutil.sync_later(dest)
        fsutil.sync_dir(dest.parent)
    else:
        _fsync_dir(dest.parent)


@contextlib.contextmanager
def _atomic(dest: Path) -> Iterator[IO[bytes]]:
    """`_atomic_path` with the temp file open for writing."""
    with _atomic_path(dest) as tmp, tmp.open("wb") as handle:
        yield handle


# -- write_part -------------------------------------------------------------------------------------


class _GzipMember:
    """A file-like that compresses one record into its own gzip member of the file under it.

    warcio calls `flush()` once at the end of each record, which closes the member: each
    record can then be read on its own from its offset (what CDXJ offsets point at).
    """

    def __init__(self, out: IO[bytes], level: int = GZIP_LEVEL) -> None:
        self._out = out
        self._zip = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)

    def write(self, data: bytes) -> int:
        self._out.write(self._zip.compress(data))
        return len(data)

    def flush(self) -> None:
        self._out.write(self._zip.flush())


@dataclass(frozen=True, slots=True)
class _Hashes:
    payload_sha1: str  # "sha1:BASE32", as warcio's Digester prints it
    payload_sha256: str  # hex
    block_sha1: str  # over the HTTP header block then the payload (a response record's block)
    gzip_level: int  # for the response record's member, from a sample of the payload


def _sha1_label(digest: bytes) -> str:
    return "sha1:" + base64.b32encode(digest).decode("ascii")


def _hash_body(exchange: Exchange, head: bytes) -> _Hashes:
    """Hash the body file in one pass, before any record is written.

    The payload digest decides whether the record is a response or a revisit, so it cannot be
    computed while writing (warcio would otherwise read the body once per digest).
    """
    sha1 = hashlib.sha1(usedforsecurity=False)
    sha256 = hashlib.sha256()
    block = hashlib.sha1(head, usedforsecurity=False)
    seen = 0
    sample = b""
    if exchange.body_path is not None:
        with exchange.body_path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                if not seen:
                    sample = chunk[:_PROBE]
                seen += len(chunk)
                sha1.update(chunk)
                sha256.update(chunk)
                block.update(chunk)
    if seen != exchange.body_length:
        raise ValueError(
            f"{exchange.url}: the body file holds {seen} bytes, the exchange says {exchange.body_length}"
        )
    return _Hashes(
        _sha1_label(sha1.digest()), sha256.hexdigest(), _sha1_label(block.digest()), _level_for(sample)
    )


def _level_for(sample: bytes) -> int:
    """The gzip level for a payload that starts with `sample`: 0 when it does not compress."""
    if len(sample) < 4096:  # too little to judge, and too little to matter
        return GZIP_LEVEL
    return 0 if len(zlib.compress(sample, 1)) > INCOMPRESSIBLE * len(sample) else GZIP_LEVEL


def _writable(name: str, value: str) -> bool:
    """False for an HTTP/2 pseudo-header (`:status`, `:path`): the status or request line
    already says it, and HTTP/1.1 has no spelling for it. Raises on a header that would break
    the record: a CR or LF would end it early and let the rest be read as another header or as
    the payload. h11 and h2 refuse those on the wire; this guards against a recorder that
    builds headers itself."""
    if name.startswith(":"):
        return False
    if not name or ":" in name or not name.isascii() or any(c in name or c in value for c in "\r\n"):
        raise ValueError(f"header {name!r} cannot be written in a WARC record")
    return True


#: Every printable ASCII character (and tab): what `_ascii` leaves as it is.
_ASCII_SAFE = "".join(map(chr, range(32, 127))) + "\t"


def _ascii(value: str) -> str:
    """A header value in ASCII: non-ASCII characters as %-encoded UTF-8, the rest untouched.

    warcio would %-encode the WHOLE value of such a header, colons and slashes included, which
    turns `Location: https://example.com/café` into `https%3A//example.com/caf%C3%A9` and breaks
    the redirect on replay. Encoding only what is not ASCII is what a browser does with such a
    Location, and leaves ASCII headers byte for byte as received.
    """
    return value if value.isascii() else quote(value, safe=_ASCII_SAFE)


def _request_headers(exchange: Exchange) -> StatusAndHeaders:
    """The request as sent, minus credentials: `GET /path?query HTTP/1.1` and its headers."""
    parts = urlsplit(exchange.url)
    target = parts.path or "/"
    if "?" in exchange.url.split("#", 1)[0]:
        target += "?" + parts.query
    # An IRI's path (`/café`, `/статья`) went out percent-encoded, as httpx sends it; a request
    # line holds ASCII only (warcio refuses anything else).
    target = _ascii(target)
    headers = []
    for name, value in exchange.request_headers:
        if _writable(name, value) and name.lower() not in PRIVATE_REQUEST_HEADERS:
            headers.append((name, _ascii(value)))
    return StatusAndHeaders(f"{target} {_wire_version(exchange)}", headers, protocol=exchange.method)


def _wire_version(exchange: Exchange) -> str:
    # HTTP/2 and HTTP/3 have no text form; web archiving tools write them as HTTP/1.1 (the
    # headers are the same, lower-cased) and warcio's reader expects HTTP/1.0 or HTTP/1.1.
    return exchange.http_version if exchange.http_version in ("HTTP/1.0", "HTTP/1.1") else "HTTP/1.1"


def _response_headers(exchange: Exchange) -> StatusAndHeaders:
    """The response's status line and headers as received, made true of the stored payload.

    - Set-Cookie and Set-Cookie2 are dropped (the reader's session).
    - Transfer-Encoding is dropped: the recorder stores the payload de-chunked, and a reader
      that sees `chunked` would try to de-chunk it again (warcio's `content_stream()` does).
    - Content-Length, when present, is set to the stored payload's length (it differs after a
      truncation); when Transfer-Encoding was dropped, one is added. A replay tool passes it to
      the browser, which would wait for bytes that are not there. Not for HEAD, 204, 304 and
      1xx responses, whose Content-Length does not frame a body.
    """
    headers: list[tuple[str, str]] = []
    dechunked = False
    for name, value in exchange.response_headers:
        lower = name.lower()
        if not _writable(name, value) or lower in PRIVATE_RESPONSE_HEADERS:
            continue
        if lower == "transfer-encoding":
            dechunked = True
            continue
        headers.append((name, _ascii(value)))
    bodyless = (
        exchange.method.upper() == "HEAD" or exchange.status in _BODYLESS_STATUSES or exchange.status < 200
    )
    if not bodyless:
        stored = str(exchange.body_length)
        lengths = [i for i, (name, _) in enumerate(headers) if name.lower() == "content-length"]
        if lengths:
            first = lengths[0]
            headers[first] = (headers[first][0], stored)
            headers = [h for i, h in enumerate(headers) if i == first or i not in lengths]
        elif dechunked:
            headers.append(("Content-Length", stored))
    reason = exchange.reason or _phrase(exchange.status)
    return StatusAndHeaders(f"{exchange.status} {reason}".rstrip(), headers, protocol=_wire_version(exchange))


def _phrase(status: int) -> str:
    # HTTP/2 has no reason phrase; an HTTP/1.1 status line reads better with the standard one.
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _warc_date(moment: datetime) -> str:
    """WARC-Date as warcio writes it for WARC/1.1: UTC, microseconds only when not zero."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


def _default_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _warc_headers(*pairs: tuple[str, str | None]) -> StatusAndHeaders:
    """WARC headers in the order given, without the unset ones (warcio appends Content-Type and
    Content-Length when it writes the record)."""
    return StatusAndHeaders("", [(k, v) for k, v in pairs if v is not None], protocol=WARC_VERSION)


class _PartWriter:
    """Writes records one gzip member each and remembers where each one landed."""

    def __init__(self, out: IO[bytes], file_name: str) -> None:
        self.out = out
        self.file_name = file_name
        self.writer = WARCWriter(None, gzip=False, warc_version=WARC_VERSION)
        self.refs: list[RecordRef] = []

    def write(
        self,
        record: ArcWarcRecord,
        *,
        payload_sha256: str | None = None,
        payload_length: int | None = None,
        gzip_level: int = GZIP_LEVEL,
    ) -> RecordRef:
        start = self.out.tell()
        self.writer.out = _GzipMember(self.out, gzip_level)
        self.writer.write_record(record)
        if payload_length is not None and record.raw_stream.tell() != payload_length:
            # The body file shrank between the hashing pass and this one: the record's length
            # and digests would lie about its payload.
            raise ValueError(f"{self.file_name}: a body file changed while it was being written")
        headers = record.rec_headers
        ref = RecordRef(
            url=headers.get_header("WARC-Target-URI") or "",
            record_type=record.rec_type,
            record_id=headers.get_header("WARC-Record-ID"),
            date=headers.get_header("WARC-Date"),
            file=self.file_name,
            offset=start,
            length=self.out.tell() - start,
            payload_digest=headers.get_header("WARC-Payload-Digest"),
            payload_sha256=payload_sha256,
            concurrent_to=headers.get_header("WARC-Concurrent-To"),
        )
        self.refs.append(ref)
        return ref


def _sha1_of(data: bytes) -> str:
    return _sha1_label(hashlib.sha1(data, usedforsecurity=False).digest())


def _bytes_record(
    builder: WARCWriter, uri: str, record_type: str, data: bytes, content_type: str, headers: StatusAndHeaders
) -> ArcWarcRecord:
    """A record whose block is `data` (warcinfo, metadata), with its digests."""
    headers.add_header("WARC-Block-Digest", _sha1_of(data))
    if record_type != "warcinfo":  # no payload digest for warcinfo, as warcio does
        headers.add_header("WARC-Payload-Digest", _sha1_of(data))
    return builder.create_warc_record(
        uri, record_type, payload=io.BytesIO(data), length=len(data), warc_content_type=content_type,
        warc_headers=headers,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Prepared:
    """An exchange checked and hashed, ready to be written."""

    exchange: Exchange
    request: StatusAndHeaders
    response: StatusAndHeaders
    hashes: _Hashes
    #: The response's HTTP header block, as it will be written (a revisit's whole block).
    head: bytes


def _prepare(exchange: Exchange) -> _Prepared:
    request = _request_headers(exchange)
    response = _response_headers(exchange)
    head = response.to_ascii_bytes()
    return _Prepared(exchange, request, response, _hash_body(exchange, head), head)


def write_part(
    dest: Path,
    exchanges: Sequence[Exchange],
    *,
    software: str,
    metadata: Mapping[str, Any] | None = None,
    previous: Callable[[str, str], Revisit | None] | None = None,
    record_id: Callable[[], str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> list[RecordRef]:
    """Write `exchanges` as one gzip WARC/1.1 file at `dest` (atomically); a ref per record.

    Records, in order: `warcinfo`; per exchange a `request` then a `response` (or a `revisit`
    when `previous(url, payload_digest)` names an identical payload stored earlier), each
    pointing at the other with WARC-Concurrent-To; then, when `metadata` is given, one
    `metadata` record (application/json) concurrent to and referring to the first response.

    `record_id` and `clock` (the warcinfo and metadata dates; the exchanges carry their own)
    make the file byte-for-byte reproducible in tests. Raises ValueError when an exchange
    contradicts itself (a body file of another length, a header with a line break).
    """
    new_id = record_id or _default_record_id
    now = clock or (lambda: datetime.now(UTC))
    # Everything that can refuse an exchange runs before the file is created.
    prepared = [_prepare(exchange) for exchange in exchanges]
    with _atomic(dest) as out:
        part = _PartWriter(out, dest.name)
        info_id = new_id()
        fields = {"software": software, "format": "WARC File Format 1.1", "conformsTo": CONFORMS_TO}
        block = "".join(f"{name}: {value}\r\n" for name, value in fields.items()).encode("utf-8", "replace")
        headers = _warc_headers(
            ("WARC-Type", "warcinfo"),
            ("WARC-Record-ID", info_id),
            ("WARC-Date", _warc_date(now())),
            ("WARC-Filename", dest.name),
        )
        part.write(_bytes_record(part.writer, "", "warcinfo", block, "application/warc-fields", headers))

        first: RecordRef | None = None
        for item in prepared:
            request_id, response_id = new_id(), new_id()
            part.write(_request_record(part.writer, item, request_id, response_id, info_id))
            earlier = _revisit_of(item, previous)
            if earlier is not None:
                record = _revisit_record(part.writer, item, earlier, response_id, request_id, info_id)
                ref = part.write(record, payload_sha256=item.hashes.payload_sha256)
            else:
                with _open_body(item.exchange) as body:
                    record = _response_record(part.writer, item, body, response_id, request_id, info_id)
                    ref = part.write(
                        record,
                        payload_sha256=item.hashes.payload_sha256,
                        payload_length=item.exchange.body_length,
                        gzip_level=item.hashes.gzip_level,
                    )
            first = first or ref

        if metadata is not None:
            data = json_bytes(metadata, sort_keys=True, default=str)
            # A target URI of its own: under the page's URL, replay tools (pywb, ReplayWeb.page)
            # could serve this JSON in place of the page. The links to it are by record ID.
            uri = f"urn:resolver:metadata:{first.url if first else dest.name}"
            headers = _warc_headers(
                ("WARC-Type", "metadata"),
                ("WARC-Record-ID", new_id()),
                ("WARC-Date", _warc_date(now())),
                ("WARC-Target-URI", uri),
                ("WARC-Concurrent-To", first.record_id if first else None),
                ("WARC-Refers-To", first.record_id if first else None),
                ("WARC-Warcinfo-ID", info_id),
            )
            part.write(_bytes_record(part.writer, uri, "metadata", data, "application/json", headers))
        return part.refs


def _exchange_fields(
    exchange: Exchange, kind: str, record_id: str, concurrent_to: str, info_id: str
) -> tuple[tuple[str, str | None], ...]:
    """The headers every record of one exchange starts with (request, response, revisit)."""
    return (
        ("WARC-Type", kind),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", _warc_date(exchange.started_at)),
        ("WARC-Target-URI", exchange.url),
        ("WARC-Concurrent-To", concurrent_to),
        ("WARC-Warcinfo-ID", info_id),
        ("WARC-IP-Address", exchange.ip),
    )


def _request_record(
    builder: WARCWriter, item: _Prepared, request_id: str, response_id: str, info_id: str
) -> ArcWarcRecord:
    exchange = item.exchange
    headers = _warc_headers(
        *_exchange_fields(exchange, "request", request_id, response_id, info_id),
        ("WARC-Block-Digest", _sha1_of(item.request.to_ascii_bytes())),
    )
    return builder.create_warc_record(
        exchange.url, "request", http_headers=item.request, warc_headers=headers
    )


def _response_record(
    builder: WARCWriter,
    item: _Prepared,
    body: LimitReader | None,
    response_id: str,
    request_id: str,
    info_id: str,
) -> ArcWarcRecord:
    exchange = item.exchange
    headers = _warc_headers(
        *_exchange_fields(exchange, "response", response_id, request_id, info_id),
        ("WARC-Truncated", exchange.truncated),
        ("WARC-Payload-Digest", item.hashes.payload_sha1),
        ("WARC-Block-Digest", item.hashes.block_sha1),
    )
    # Both digests are set, so warcio does not read the body to compute them: writing the
    # record is the body's second and last read, straight into the gzip member.
    return builder.create_warc_record(
        exchange.url, "response", payload=body, length=exchange.body_length, http_headers=item.response,
        warc_headers=headers,
    )  # fmt: skip


def _revisit_record(
    builder: WARCWriter, item: _Prepared, earlier: Revisit, response_id: str, request_id: str, info_id: str
) -> ArcWarcRecord:
    """The response's headers and a pointer to the earlier record of the same payload."""
    exchange = item.exchange
    headers = _warc_headers(
        *_exchange_fields(exchange, "revisit", response_id, request_id, info_id),
        ("WARC-Profile", REVISIT_PROFILE),
        ("WARC-Refers-To", earlier.record_id),
        ("WARC-Refers-To-Target-URI", earlier.url),
        ("WARC-Refers-To-Date", earlier.date),
        ("WARC-Payload-Digest", item.hashes.payload_sha1),
        # No payload (WARC 1.1 §6.7.2): the block is the HTTP header block alone.
        ("WARC-Block-Digest", _sha1_of(item.head)),
    )
    return builder.create_warc_record(
        exchange.url, "revisit", http_headers=item.response, warc_headers=headers
    )


def _revisit_of(item: _Prepared, previous: Callable[[str, str], Revisit | None] | None) -> Revisit | None:
    """The earlier record this exchange's payload may be deduplicated against, if any.

    Never for an empty payload (nothing to save, and every redirect would point at some other
    redirect) nor for a truncated one (a cut body is not the payload, and an earlier cut one
    may have been cut elsewhere). A `Revisit` whose digest is not this payload's is ignored:
    the full response is written rather than a pointer to other bytes.
    """
    exchange, digest = item.exchange, item.hashes.payload_sha1
    if previous is None or exchange.body_length == 0 or exchange.truncated:
        return None
    earlier = previous(exchange.url, digest)
    if earlier is None or earlier.payload_digest != digest:
        return None
    return earlier


@contextlib.contextmanager
def _open_body(exchange: Exchange) -> Iterator[LimitReader | None]:
    if exchange.body_path is None:
        yield None
        return
    with exchange.body_path.open("rb") as handle:
        # At most body_length bytes, even if the file grew after it was hashed.
        yield LimitReader(handle, exchange.body_length)


# -- concat_parts -----------------------------------------------------------------------------------


def _record_offsets(path: Path) -> list[int]:
    """The offset of every record in a WARC file (one decompressing pass, payloads skipped)."""
    offsets = []
    with path.open("rb") as handle:
        records = ArchiveIterator(handle, no_record_parse=True)
        for record in records:
            # warcio also reads ARC files, and takes any line of five words for an ARC header.
            if record.format != "warc":
                raise ValueError(f"an {record.format} record at offset {records.offset}")
            offsets.append(records.get_record_offset())
    return offsets


def concat_parts(parts: Sequence[Path], dest: Path) -> dict[tuple[str, int], tuple[str, int]]:
    """Join part files into `dest` (atomically) and say where each record moved.

    A multi-member gzip file is the concatenation of its members, so the parts are copied byte
    for byte. Returns {(part file name, old offset): (dest name, new offset)} for every record.
    Raises WarcError when a part is unreadable (it is read once to list its records).
    """
    names = [part.name for part in parts]
    if len(set(names)) != len(names):
        raise ValueError("concat_parts: two parts have the same file name; their offsets would be confused")
    moved: dict[tuple[str, int], tuple[str, int]] = {}
    with _atomic(dest) as out:
        base = 0
        for part in parts:
            try:
                offsets = _record_offsets(part)
            except Exception as exc:  # warcio raises plain Exceptions for broken gzip members
                raise WarcError(f"{part}: not a readable WARC file ({exc}); run `resolver verify`") from exc
            copied = 0
            with part.open("rb") as src:
                while chunk := src.read(CHUNK):
                    out.write(chunk)
                    copied += len(chunk)
            for offset in offsets:
                moved[(part.name, offset)] = (dest.name, base + offset)
            base += copied
    return moved


# -- write_cdxj -------------------------------------------------------------------------------------


class _LineCounter:
    """The text stream cdxj-indexer writes to: forwards to the file and counts lines."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.lines = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def write_cdxj(warcs: Sequence[Path], dest: Path) -> int:
    """Write the sorted CDXJ index of `warcs` to `dest` (atomically); returns its line count.

    Lines are `SURT TIMESTAMP {"url", "mime", "status", "digest", "length", "offset",
    "filename"}` as cdxj-indexer writes them for pywb; `filename` is the WARC's base name.
    """
    from cdxj_indexer.main import CDXJIndexer

    with _atomic(dest) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        counter = _LineCounter(text)
        # The record types are named, not left to the default: importing `wacz` appends
        # "warcinfo" to CDXJIndexer.DEFAULT_RECORDS for the whole process.
        indexer = CDXJIndexer(
            counter, [os.fspath(w) for w in warcs], sort=True, records="response,revisit,resource,metadata"
        )
        try:
            indexer.process_all()
        except Exception as exc:  # warcio raises bare Exceptions for unreadable records
            names = ", ".join(w.name for w in warcs)
            raise WarcError(
                f"{dest}: {names} cannot be indexed ({_one_line(exc)}); run `resolver verify`"
            ) from exc
        text.flush()
        text.detach()  # the file is _atomic's to close
    return counter.lines


# -- check_warc -------------------------------------------------------------------------------------


def check_warc(path: Path) -> list[str]:
    """Every problem found in a WARC file; [] when it is intact. Reads the file, no network.

    Three checks, because warcio's digest checking alone stays silent in two cases:
    - the gzip structure: every member complete and its CRC right (warcio prints a broken
      member on stderr and carries on with the bytes it got);
    - each record: readable, exactly as long as its Content-Length (a cut record is never
      digest-checked: warcio checks when the last byte arrives), and its digests right;
    - revisit records' block digests, which warcio skips (their headers are all they hold).
    """
    try:
        with path.open("rb") as handle:
            magic = handle.read(2)
    except OSError as exc:
        return [f"{path}: cannot be read ({exc.strerror or exc})"]
    problems = _gzip_problems(path) if magic == b"\x1f\x8b" else []
    revisits: list[tuple[int, str]] = []
    problems += _record_problems(path, revisits)
    for offset, label in revisits:
        problems += _revisit_block_problems(path, offset, label)
    return problems


def _gzip_problems(path: Path) -> list[str]:
    """Decompress every gzip member (output discarded, bounded) to find cut or corrupt ones."""
    member_start = 0
    position = 0  # file offset of data[0]
    data = b""
    unzip = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with path.open("rb") as handle:
        while True:
            if not data:
                data = handle.read(CHUNK)
                if not data:
                    break
            try:
                unzip.decompress(data, CHUNK)  # bounded output: a zip bomb stays small here
            except zlib.error as exc:
                return [f"offset {member_start}: corrupt gzip member ({exc})"]
            if unzip.eof:
                rest = unzip.unused_data
                position += len(data) - len(rest)
                data, member_start = rest, position
                unzip = zlib.decompressobj(zlib.MAX_WBITS | 16)
            else:
                rest = unzip.unconsumed_tail
                position += len(data) - len(rest)
                data = rest
    if position > member_start:
        try:
            while unzip.decompress(b"", CHUNK) and not unzip.eof:
                pass
        except zlib.error as exc:
            return [f"offset {member_start}: corrupt gzip member ({exc})"]
        if not unzip.eof:
            return [f"offset {member_start}: the file ends inside a gzip member (truncated file)"]
    return []


def _record_problems(path: Path, revisits: list[tuple[int, str]]) -> list[str]:
    """Read every record with warcio's digest checks; note the revisits to check afterwards."""
    problems: list[str] = []
    seen = 0
    with path.open("rb") as handle:
        records = ArchiveIterator(handle, check_digests=True)
        offset = 0
        try:
            for record in records:
                seen += 1
                offset = records.offset
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                rec_type = record.rec_headers.get_header("WARC-Type") or "?"
                label = f"offset {offset} ({rec_type} {record_id})"
                if record_id is None:
                    problems.append(f"offset {offset}: incomplete record headers (truncated file?)")
                    continue
                stream = record.raw_stream
                while stream.read(CHUNK):
                    pass
                missing = getattr(stream, "limit", 0)
                if missing:
                    problems.append(f"{label}: {missing} bytes missing (truncated file or corrupt gzip)")
                    continue
                checker = record.digest_checker
                if checker.passed is False:
                    problems.extend(f"{label}: {problem}" for problem in checker.problems)
                elif rec_type == "revisit":
                    if record.rec_headers.get_header("WARC-Block-Digest"):
                        revisits.append((offset, label))
                elif checker.passed is None:
                    problems.append(f"{label}: no digest to verify it against")
                errors_before = records.err_count
                records.read_to_end()
                if records.err_count > errors_before:
                    problems.append(f"{label}: not followed by the record separator (wrong Content-Length?)")
        except Exception as exc:  # warcio raises bare Exceptions and parser errors alike
            problems.append(f"offset {records.offset or offset}: unreadable record ({_one_line(exc)})")
    if not seen and not problems:
        problems.append(f"{path}: no WARC records")
    return problems


def _one_line(exc: Exception) -> str:
    """An exception as a short printable line: warcio quotes the raw bytes it could not parse."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = "".join(c if c.isprintable() and ord(c) < 128 else "?" for c in text)
    return f"{type(exc).__name__}: {text[:100]}"


def _revisit_block_problems(path: Path, offset: int, label: str) -> list[str]:
    with path.open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle, no_record_parse=True)))
        expected = record.rec_headers.get_header("WARC-Block-Digest")
        algorithm, _, value = expected.partition(":")
        try:
            digest = hashlib.new(algorithm.lower().replace("-", ""))
        except ValueError:
            return [f"{label}: unknown block digest algorithm {algorithm!r}"]
        while chunk := record.raw_stream.read(CHUNK):
            digest.update(chunk)
    if not _digest_equals(digest.digest(), value):
        return [f"{label}: block digest failed: {expected}"]
    return []


def _digest_equals(actual: bytes, written: str) -> bool:
    """Compare a digest with its WARC spelling: base32 (usual), base16 or base64 (all allowed)."""
    for decode in (base64.b32decode, base64.b16decode, base64.b64decode):
        with contextlib.suppress(ValueError):
            if decode(written.upper() if decode is not base64.b64decode else written) == actual:
                return True
    return False


# -- WACZ --------------------------------------------------------------------------------------------

_TIMESTAMP_14 = re.compile(r"\d{14}")


def _page_ts(ts: str) -> str:
    """A page's `ts` as WACZ wants it (ISO 8601); a 14-digit CDX timestamp is converted."""
    return timestamp_to_iso_date(ts) if _TIMESTAMP_14.fullmatch(ts) else ts


def pack_wacz(
    warcs: Sequence[Path], dest: Path, *, pages: Sequence[tuple[str, str, str | None]], title: str
) -> None:
    """Package `warcs` as a WACZ at `dest` (atomically) with py-wacz's `create_wacz`.

    `pages` are (url, ts, title) rows: the entry points ReplayWeb.page lists. They are written
    as pages/pages.jsonl and handed over in the package's copy mode (`--copy-pages`), so each
    page is listed as given instead of being dropped when its ts is not a record's second.
    The package indexes the WARCs itself (indexes/index.cdx.gz + index.idx) and lists every
    file with its sha256 and size in datapackage.json.
    """
    from wacz.main import create_wacz

    names = [w.name for w in warcs]
    if len(set(names)) != len(names):
        raise ValueError("pack_wacz: two WARC files have the same name; the WACZ keeps base names")
    with tempfile.TemporaryDirectory(prefix="resolver-wacz-") as scratch:
        pages_path = Path(scratch) / "pages.jsonl"
        lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Pages"}]
        for url, ts, page_title in pages:
            when = _page_ts(ts)
            page: dict[str, str] = {
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"{when} {url}").hex,
                "url": url,
                "ts": when,
            }
            if page_title:
                page["title"] = page_title
            lines.append(page)
        pages_path.write_bytes(b"".join(json_bytes(line) + b"\n" for line in lines))

        with _atomic_path(dest) as tmp:
            options = types.SimpleNamespace(
                inputs=[os.fspath(w) for w in warcs],
                output=os.fspath(tmp),
                pages=os.fspath(pages_path),
                copy_pages=True,
                extra_pages=None,
                detect_pages=False,
                text=False,
                hash_type="sha256",
                log_directory=None,
                split_seeds=False,
                ts=None,
                url=None,
                date=None,
                title=title,
                desc=None,
                signing_url=None,
                signing_token=None,
            )
            said = io.StringIO()
            try:
                with contextlib.redirect_stdout(said):  # the package reports progress by print()
                    failed = create_wacz(options)
            except Exception as exc:
                raise WarcError(f"{dest}: the WACZ could not be written ({exc})") from exc
            if failed:
                raise WarcError(f"{dest}: the WACZ could not be written: {_last_line(said.getvalue())}")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no reason given"


#: What a WACZ must hold (WACZ 1.1.1, "Directory layout"): a description and the names that
#: satisfy it. py-wacz's own check of these compares lists with False and never fails.
_WACZ_REQUIRED: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("datapackage.json", lambda name: name == "datapackage.json"),
    ("a WARC in archive/", lambda name: name.startswith("archive/") and name.endswith((".warc", ".warc.gz"))),
    ("an index in indexes/", lambda name: name.startswith("indexes/index.")),
    ("pages/pages.jsonl", lambda name: name == "pages/pages.jsonl"),
)


def validate_wacz(path: Path) -> list[str]:
    """Every problem found in a WACZ file; [] when valid. No network (no signature check).

    The required files are checked here; then py-wacz's validator runs its checks as
    `wacz validate` does: the WACZ version, datapackage.json against the Data Package
    schema (frictionless), every file listed, every file's hash, datapackage-digest.json.
    """
    from wacz.util import WACZ_VERSION
    from wacz.validate import Validation

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            broken = archive.testzip()
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path}: not a readable ZIP file ({exc})"]
    problems = [f"{path}: missing {what}" for what, matches in _WACZ_REQUIRED if not any(map(matches, names))]
    if broken is not None:
        problems.append(f"{path}: {broken} is corrupt (CRC mismatch)")
    if "datapackage.json" not in names:
        return problems

    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        try:
            validation = Validation(os.fspath(path))
        except Exception as exc:
            return [*problems, f"{path}: datapackage.json cannot be read ({exc})"]
        try:
            if validation.version != WACZ_VERSION:
                problems.append(f"{path}: WACZ version {validation.version!r}, expected {WACZ_VERSION}")
                return problems
            checks = (
                ("datapackage.json is not a valid Data Package", validation.frictionless_validate),
                ("a file is not listed in datapackage.json", validation.check_file_paths),
                ("a file's hash differs from datapackage.json", validation.check_file_hashes),
                (
                    "datapackage.json differs from datapackage-digest.json",
                    validation.check_data_package_hash_and_sig,
                ),
            )
            for what, check in checks:
                before = len(said.getvalue())
                if check() is False:
                    detail = _last_line(said.getvalue()[before:])
                    problems.append(f"{path}: {what} ({detail})")
        except Exception as exc:
            problems.append(f"{path}: the validator failed ({type(exc).__name__}: {exc})")
        finally:
            validation.dir.cleanup()
    return problems


__all__ = [
    "Exchange",
    "RecordRef",
    "Revisit",
    "WarcError",
    "check_warc",
    "concat_parts",
    "pack_wacz",
    "validate_wacz",
    "write_cdxj",
    "write_part",
]
