"""Recording every exchange of an archive run: raw bodies to disk, bounded, replayed to the reader.

httpx is not seen by warcio's `capture_http`, so the records are written from what the
client saw: the engine (`Expander`) and the `Fetcher` hand each response to
`Recorder.exchange` as it arrives. The recorder streams the raw body (transfer-decoded,
still content-encoded, as a WARC response holds it) into a spool file, at most `max_body`
bytes (a longer body is cut and marked `WARC-Truncated: length`), and returns a response
that replays those bytes, so the engine reads the page (meta refresh, script relocation)
from disk as it would have from the socket. Memory stays flat whatever the body's size.

Exchanges are kept per item (a link, a tweet, a page's resources): the archiver names the
item with `Recorder.item(...)` around the work it starts, a context variable carries that
name into every task the work creates, and `take(item)` gives the item's exchanges when it
is done. An exchange shared by several items (two links reaching the same page share one
request) belongs to the first and is found by URL by the others (`by_url`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import itertools
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from resolver.archive.warc import Exchange

#: Bytes read from the network per write to the spool file.
CHUNK = 256 * 1024

_ITEM: contextvars.ContextVar[str | None] = contextvars.ContextVar("resolver_archive_item", default=None)
_CAP: contextvars.ContextVar[int | None] = contextvars.ContextVar("resolver_archive_cap", default=None)


class _FileStream(httpx.AsyncByteStream):
    """The recorded body, read back in chunks (what the engine reads instead of the socket)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.path is None:
            return
        with self.path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    async def aclose(self) -> None:
        return None


class Recorder:
    """Keeps every exchange of a run until its item is written to the WARC."""

    def __init__(self, spool_dir: Path, *, max_body: int) -> None:
        self.spool_dir = spool_dir
        self.max_body = max_body
        self._ids = itertools.count(1)
        self._items: dict[str, list[Exchange]] = {}
        self._by_url: dict[str, list[Exchange]] = {}
        self._claimed: set[int] = set()  #: ids of exchanges an item is writing
        self._owner: dict[int, str] = {}  #: exchange id -> the item it was recorded for
        self.bytes_recorded = 0

    @contextmanager
    def item(self, name: str, *, cap: int | None = None) -> Iterator[None]:
        """Attribute the exchanges of the work started inside to the item `name`; `cap`
        replaces `max_body` for them (media have a cap of their own, `--max-media`)."""
        token = _ITEM.set(name)
        cap_token = _CAP.set(cap)
        try:
            yield
        finally:
            _CAP.reset(cap_token)
            _ITEM.reset(token)

    async def exchange(
        self, url: str, request: httpx.Request, response: httpx.Response, sent_at: dt.datetime
    ) -> httpx.Response:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        path: Path | None = None
        length = 0
        truncated: str | None = None
        fd, name = tempfile.mkstemp(prefix=f"{next(self._ids):07d}-", suffix=".body", dir=self.spool_dir)
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                try:
                    cap = _CAP.get() or self.max_body
                    async for chunk in response.aiter_raw(CHUNK):
                        room = cap - length
                        if len(chunk) > room:
                            handle.write(chunk[:room])
                            length += room
                            truncated = "length"
                            break
                        handle.write(chunk)
                        length += len(chunk)
                except (httpx.HTTPError, OSError):
                    # A body cut by the network is still what was seen: recorded as such, and the
                    # caller learns of the failure from the exception.
                    truncated = "disconnect"
                    self._keep(url, request, response, sent_at, path, length, truncated)
                    raise
        except BaseException:
            if truncated != "disconnect":
                path.unlink(missing_ok=True)
            raise
        self._keep(url, request, response, sent_at, path, length, truncated)
        headers = [(k, v) for k, v in response.headers.raw]
        replay = httpx.Response(
            response.status_code,
            headers=headers,
            stream=_FileStream(path if length else None),
            request=request,
            extensions=dict(response.extensions),
        )
        return replay

    def _keep(
        self,
        url: str,
        request: httpx.Request,
        response: httpx.Response,
        sent_at: dt.datetime,
        path: Path,
        length: int,
        truncated: str | None,
    ) -> None:
        version = response.extensions.get("http_version", b"HTTP/1.1")
        reason = response.extensions.get("reason_phrase", b"")
        exchange = Exchange(
            url=url,
            started_at=sent_at,
            method=request.method,
            request_headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw),
            status=response.status_code,
            reason=(reason.decode("latin-1") if isinstance(reason, bytes) else str(reason))
            or response.reason_phrase,
            # HTTP/2 exchanges are written as HTTP/1.1, as web archiving tools do.
            http_version="HTTP/1.1"
            if not str(version).startswith(("HTTP/1.0", "b'HTTP/1.0"))
            else "HTTP/1.0",
            response_headers=tuple(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
            ),
            body_path=path if length else None,
            body_length=length,
            truncated=truncated,
        )
        if not length:
            path.unlink(missing_ok=True)
        self.bytes_recorded += length
        item = _ITEM.get()
        if item is not None:
            self._items.setdefault(item, []).append(exchange)
            self._owner[id(exchange)] = item
        self._by_url.setdefault(url, []).append(exchange)

    def take(self, item: str) -> list[Exchange]:
        """The exchanges of `item`, in the order they were made (forgotten here afterwards)."""
        taken = self._items.pop(item, [])
        for exchange in taken:
            self._owner.pop(id(exchange), None)
        return taken

    def by_url(self, url: str) -> list[Exchange]:
        """The exchanges for `url` not yet written (retries included), oldest first."""
        return list(self._by_url.get(url, ()))

    def claim(self, exchanges: list[Exchange]) -> list[Exchange]:
        """Of `exchanges`, those no other item has claimed, now this caller's to write (two
        pages loading one stylesheet share its request: the first to commit writes it, once;
        the exchanges of a chain are kept apart by the archiver, for every article citing the
        page, before they are claimed). Call it before any await, and write and `forget` only
        what it returns."""
        mine = []
        for exchange in exchanges:
            if id(exchange) in self._claimed:
                continue
            self._claimed.add(id(exchange))
            mine.append(exchange)
            kept = self._by_url.get(exchange.url)
            if kept is not None:
                kept[:] = [e for e in kept if e is not exchange]
                if not kept:
                    del self._by_url[exchange.url]
        return mine

    def forget(self, exchanges: list[Exchange]) -> None:
        """Written to the WARC: drop the spooled bodies and the exchanges themselves."""
        for exchange in exchanges:
            self._claimed.discard(id(exchange))
            # Written by whoever claimed it: its own item must not hand it out again.
            owner = self._owner.pop(id(exchange), None)
            if owner is not None and owner in self._items:
                self._items[owner] = [e for e in self._items[owner] if e is not exchange]
            if exchange.body_path is not None:
                exchange.body_path.unlink(missing_ok=True)
            kept = self._by_url.get(exchange.url)
            if kept is not None:
                kept[:] = [e for e in kept if e is not exchange]
                if not kept:
                    del self._by_url[exchange.url]


__all__ = ["CHUNK", "Recorder"]
