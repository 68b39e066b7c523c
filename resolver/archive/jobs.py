"""Work for the archiver's worker processes: readable copies and stylesheets, from spooled bodies.

A module of its own so that a worker imports only what the jobs need (lxml, the readable-copy
code, the body decoders), not the whole tool: a job's function is pickled by name, and the
worker imports its module. The forkserver preloads this module and `readable`, so that the
workers fork from a process that has imported them once, and share those pages with it.

Memory is the constraint here, not speed ("a 1 GB body passes with under 200 MB", counted over
every process of the run): a page is read from its spool file in the worker, never shipped
through the main process; at most `READABLE_LIMIT` of it is parsed, one tree at a time
(`readable.make_readable`); and a worker that has parsed a large page gives the freed heap back
to the system (`_give_back`), since it stays alive, idle, while the main process commits.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

from resolver.bodies import decode_text, decoder_for_encoding

#: The most of a page's body decoded to make its readable copy; a page past it gets the copy
#: of its first part. News pages weigh 50 KB to 3 MB, so this keeps every one of them whole.
#: It is what bounds a worker's memory: libxml2's tree takes 3.5 times a text-heavy page's
#: bytes, more for denser markup. Peak PSS summed over the run's processes, for a 1 GB body:
#: - the bench corpus' markup repeated: 134 MB at 4 MB, 150 at 6, 162 at 8, 245 at 16;
#: - the memory test's denser markup (an element every 70 bytes): 158 MB at 4 MB, 191 at 6,
#:   358 at 16 (the limit was 16 MB: 365 MB with the corpus' markup before this module).
READABLE_LIMIT = 4 * 1024 * 1024
#: A page that large (decoded) leaves a worker's heap large once freed: glibc keeps it
#: unless told otherwise (`_give_back`). Smaller pages' memory is reused by the next job.
_TRIM_ABOVE = 1024 * 1024

#: A spooled body as the workers get it: (body file, Content-Encoding, Content-Type).
Body = tuple[str, str | None, str | None]
#: A readable copy as the workers return it: (html, main text, title).
Readable = tuple[str, str, str | None]
#: A saved stylesheet's body as the workers get it: (body file or None when empty,
#: Content-Encoding, Content-Type, URL).
SheetBody = tuple[str | None, str | None, str | None, str]


def page_job(
    body: Body, url: str, max_resources: int, captured_at: dt.datetime
) -> tuple[list[tuple[str, str]], Readable | None]:
    """The resources worth saving with a page; when it has none, its readable copy at once.
    With resources, the copy is made by `readable_job` once they are saved (the page is read
    again from its spool file then: cheaper than holding or shipping it meanwhile)."""
    page = decode_file(body, READABLE_LIMIT)
    if page is None:
        return [], None
    try:
        wanted: list[tuple[str, str]] = []
        if max_resources:
            from resolver.archive.readable import resource_urls

            wanted = resource_urls(page, url)[:max_resources]
        if wanted:
            return wanted, None
        return [], _readable(page, url, captured_at, {})
    finally:
        if len(page) > _TRIM_ABOVE:
            del page
            _give_back()


def readable_job(body: Body, url: str, captured_at: dt.datetime, local: dict[str, str]) -> Readable | None:
    """The readable copy of the page in `body`, its resources saved at the paths `local` gives."""
    page = decode_file(body, READABLE_LIMIT)
    if page is None:
        return None
    try:
        return _readable(page, url, captured_at, local)
    finally:
        if len(page) > _TRIM_ABOVE:
            del page
            _give_back()


def _readable(page: str, url: str, captured_at: dt.datetime, local: dict[str, str]) -> Readable:
    from resolver.archive.readable import make_readable

    copy = make_readable(page, url=url, captured_at=captured_at, resources=local)
    return copy.html, copy.text, copy.title


def _give_back() -> None:
    """Return the freed heap to the system (glibc's `malloc_trim`). libxml2's nodes are small
    allocations from the main heap, which glibc does not shrink past the highest one still in
    use: after a 16 MB page, with its tree, text and copy all freed, a process kept 192 MB of
    RSS, and 36 MB once trimmed; a worker stays alive, idle, for the rest of the run. Nothing
    happens where there is no such function (musl, macOS)."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def stylesheet_text(body: SheetBody, limit: int) -> str | None:
    from resolver.archive.readable import decode_stylesheet

    path, encoding, content_type, _url = body
    if path is None:
        return ""
    raw = read_decoded(Path(path), encoding, limit)
    return None if raw is None else decode_stylesheet(raw, content_type)


def stylesheet_urls_job(bodies: list[SheetBody], limit: int) -> list[list[tuple[str, str]]]:
    """What each stylesheet names (`stylesheet_urls`); nothing for one that cannot be read."""
    from resolver.archive.readable import stylesheet_urls

    out = []
    for body in bodies:
        css = stylesheet_text(body, limit)
        out.append(stylesheet_urls(css, body[3]) if css else [])
    return out


def clean_stylesheets_job(
    jobs: list[tuple[str | None, str | None, str | None, str, dict[str, str]]], limit: int
) -> list[str | None]:
    """Each stylesheet rewritten (`clean_stylesheet`) with the paths of the saved files
    relative to it; None for one that cannot be read."""
    from resolver.archive.readable import clean_stylesheet

    out: list[str | None] = []
    for path, encoding, content_type, url, local in jobs:
        css = stylesheet_text((path, encoding, content_type, url), limit)
        out.append(None if css is None else clean_stylesheet(css, url, local))
    return out


def decode_file(body: Body, limit: int) -> str | None:
    """The body of an HTML answer as text (decoded from gzip/deflate, bounded)."""
    path, encoding, content_type = body
    raw = read_decoded(Path(path), encoding, limit)
    return None if raw is None else decode_text(raw, content_type)


def read_decoded(path: Path, encoding: str | None, limit: int) -> bytes | None:
    """A spooled body, content-decoded (gzip/deflate, a bounded window at a time), at most
    `limit` bytes; None if it cannot be read."""
    raw = bytearray()
    decoder = decoder_for_encoding(encoding) or None
    try:
        with path.open("rb") as handle:
            while len(raw) < limit and (chunk := handle.read(256 * 1024)):
                raw += decoder.decompress(chunk, limit - len(raw)) if decoder else chunk[: limit - len(raw)]
    except (OSError, zlib.error):
        return None
    return bytes(raw)


__all__ = [
    "READABLE_LIMIT",
    "Body",
    "Readable",
    "SheetBody",
    "clean_stylesheets_job",
    "decode_file",
    "page_job",
    "read_decoded",
    "readable_job",
    "stylesheet_urls_job",
]
