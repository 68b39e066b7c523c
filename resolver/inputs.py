"""Reading articles: paths, directories, stdin and URLs, decoded and classified by content.

This is the input edge of the pipeline. It turns whatever the user pointed at into
`Article` objects (decoded text plus what is known about it), or an `InputError` that
names the input and the reason in one line. Nothing here looks for links.
"""

from __future__ import annotations

import codecs
import os
import re
import select
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from resolver.errors import InputError
from resolver.models import ArticleFormat

#: 50 MB: far above any real article (the largest news pages weigh a few MB), low enough
#: that a mistaken path to a video or a database dump is refused before it is read.
DEFAULT_MAX_SIZE = 50 * 1024 * 1024

#: What a directory walk picks up. A file named explicitly is scanned whatever its name;
#: in a directory, only these, so that images and sidecar files beside articles are skipped.
ARTICLE_EXTENSIONS = frozenset(
    {".html", ".htm", ".xhtml", ".xht", ".shtml", ".txt", ".text", ".md", ".markdown", ".mdown", ".mkd"}
)
MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd"})

#: Magic numbers of formats that are not articles: (prefix, offset, name).
#: Checked before decoding so the message can say what the file really is.
BINARY_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "PDF document"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"PK\x03\x04", 0, "ZIP archive"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"BZh", 0, "bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"\x7fELF", 0, "ELF executable"),
    (b"SQLite format 3\x00", 0, "SQLite database"),
    (b"\x00asm", 0, "WebAssembly module"),
    (b"OggS", 0, "Ogg media"),
    (b"ID3", 0, "MP3 audio"),
    (b"ftyp", 4, "MP4/QuickTime media"),
    (b"RIFF", 0, "RIFF media (WebP, WAV or AVI)"),
    (b"\x1a\x45\xdf\xa3", 0, "Matroska/WebM media"),
    (b"WARC/", 0, "WARC file (use an archive tool)"),
)

_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Tags that only HTML has; three of them in the first 64 KB make a document HTML even
# without a doctype (fragments saved from a CMS, e-mail bodies).
_HTML_TAG = re.compile(
    rb"<(?:/?(?:p|div|a|span|br|blockquote|article|section|h[1-6]|ul|ol|li|table|iframe|script|figure|img)"
    rb"\b[^>]*>|!doctype\s+html|html\b|head\b|body\b)",
    re.IGNORECASE,
)
_HTML_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html\b|head\b|body\b)",
    re.IGNORECASE | re.DOTALL,
)
_MARKDOWN_HINT = re.compile(r"\[[^\]\n]{1,300}\]\((?:https?://|/)|^#{1,6} \S|^```", re.MULTILINE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True, slots=True)
class Article:
    """One article, read and decoded, ready for the detectors."""

    name: str  #: how the user named it: path, URL or "-"
    text: str
    format: ArticleFormat
    encoding: str
    size: int  #: bytes as read
    url: str | None = None  #: where it was fetched from (final URL after redirects), for relative links
    warnings: tuple[str, ...] = ()


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def display_name(source: str) -> str:
    """`source` as output can write it: the bytes of a file name that are not UTF-8 (which
    Python holds as lone surrogates, and no UTF-8 output accepts) become `\\xNN`."""
    if source.isascii():
        return source
    try:
        source.encode("utf-8")
        return source
    except UnicodeEncodeError:
        pass
    try:
        return source.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that did not come from a byte
        return source.encode("utf-8", "backslashreplace").decode("ascii")


def one_line(text: str) -> str:
    """`text` for a one-line message on a terminal: control characters (a newline or an escape
    sequence in a file name) written as escapes, so the line stays one line and inert."""
    text = display_name(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def local_path(source: str) -> str | None:
    """`source` when it names a local file, None for stdin (`-`) and article URLs."""
    return None if source == "-" or is_url(source) else source


def iter_sources(inputs: Iterable[str]) -> Iterator[str | InputError]:
    """Expand directories (recursively, in a stable order) into the files to scan.

    Missing paths come out as `InputError` in their place so that the caller can
    report them and go on with the rest.
    """
    for source in inputs:
        if source == "-" or is_url(source):
            yield source
            continue
        path = Path(source)
        try:
            if path.is_dir():
                yield from _walk(path)
            else:
                # stat, not exists(): a symlink loop or a path through a file ("a.html/x") is
                # not "no such file", and its own reason says what to fix.
                os.stat(source)
                yield source
        except FileNotFoundError:
            broken = os.path.islink(source)
            yield InputError(source, "broken symbolic link" if broken else "no such file or directory")
        except OSError as exc:
            yield InputError(source, f"cannot read: {exc.strerror or exc}")


def _walk(root: Path) -> Iterator[str | InputError]:
    # Iterative, sorted, hidden entries and our own `*.archive/` output folders skipped;
    # directory symlinks are followed once (a loop cannot make the walk endless).
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield InputError(str(folder), f"cannot read directory: {exc.strerror or exc}")
            continue
        subdirs: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    if not entry.name.endswith(".archive"):
                        subdirs.append(Path(entry.path))
                elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in ARTICLE_EXTENSIONS:
                    yield entry.path
            except OSError:
                continue
        stack.extend(reversed(subdirs))


def _read_upto(handle: BinaryIO, limit: int, chunk: int = 1 << 20) -> bytes:
    """At most `limit` bytes, a chunk at a time (`read(limit)` allocates `limit` bytes at once:
    50 MB for every article under the default --max-size)."""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        part = handle.read(min(chunk, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_bytes(source: str, *, max_size: int = DEFAULT_MAX_SIZE, timeout: float = 30.0) -> bytes:
    """Read a path or `-` (stdin) whole, refusing anything over `max_size` before reading it.

    `timeout`: how long a named pipe may keep us waiting for a writer, or for more data.
    """
    if source == "-":
        data = _read_upto(sys.stdin.buffer, max_size + 1)
        if len(data) > max_size:
            raise InputError("-", f"standard input is over the {_size(max_size)} limit (--max-size)")
        return data
    try:
        st = os.stat(source)
        if stat.S_ISSOCK(st.st_mode):
            raise InputError(source, "not a file: a socket")
        if stat.S_ISFIFO(st.st_mode):
            return _read_pipe(source, max_size, timeout)
        size = st.st_size
        if size > max_size:
            raise InputError(source, f"file is {_size(size)}, over the {_size(max_size)} limit (--max-size)")
        with open(source, "rb") as handle:
            # The size it has now, and the rest if it grows (or is a device, of size 0).
            data = handle.read(size + 1)
            if len(data) > size:
                data += _read_upto(handle, max_size + 1 - len(data))
    except IsADirectoryError:
        raise InputError(source, "is a directory") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_size:  # grew while we read it, or a device
        raise InputError(source, f"file is over the {_size(max_size)} limit (--max-size)")
    return data


def _read_pipe(source: str, max_size: int, timeout: float) -> bytes:
    """A named pipe, or `<(command)`'s /dev/fd/N: open() would block until a writer comes
    (forever, for a FIFO nobody writes to), so it is opened without blocking and each read
    waits at most `timeout` for the writer or for more data, as an article URL's would."""
    fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        parts: list[bytes] = []
        total = 0
        while total <= max_size:
            # Linux reports nothing on a FIFO that no writer has opened yet, POLLHUP once the
            # last writer has closed it (then read() gives the rest, then b"").
            if not poller.poll(timeout * 1000):
                what = "no data" if total else "nothing written to it"
                raise InputError(source, f"named pipe: {what} in {timeout:g} s (--timeout)")
            try:
                part = os.read(fd, 1 << 20)
            except BlockingIOError:  # woken by a writer that has written nothing yet
                continue
            if not part:
                break
            parts.append(part)
            total += len(part)
    finally:
        os.close(fd)
    if total > max_size:
        raise InputError(source, f"named pipe gave over the {_size(max_size)} limit (--max-size)")
    return b"".join(parts)


def load(
    source: str,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    timeout: float = 30.0,
) -> Article:
    """Read and decode one input (path, `-` or URL)."""
    return load_with_bytes(source, max_size=max_size, timeout=timeout)[1]


def load_with_bytes(
    source: str,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    timeout: float = 30.0,
) -> tuple[bytes, Article]:
    """`load`, with the bytes as read (the archive keeps and hashes them)."""
    if is_url(source):
        from resolver.net import fetch_article  # network only when asked for

        fetched = fetch_article(source, max_size=max_size, timeout=timeout)
        return fetched.body, decode(
            fetched.body,
            source,
            content_type=fetched.content_type,
            url=fetched.url,
        )
    data = read_bytes(source, max_size=max_size, timeout=timeout)
    return data, decode(data, source)


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None when it may be text."""
    for magic, offset, name in BINARY_SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return name
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS) or _bomless_utf16(head):
        return None
    # A stray NUL happens in real pages; many of them do not.
    if head.count(b"\x00") > max(2, len(head) // 200):
        return "binary data"
    # Text has few control characters besides \t \n \r \f and ESC; media and compressed
    # data are full of them.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if head and controls / len(head) > 0.05:
        return "binary data"
    return None


def _bomless_utf16(head: bytes) -> str | None:
    """`utf-16-le`/`utf-16-be` for UTF-16 saved without a byte-order mark (Windows tools do),
    None otherwise. Markup and Latin text in UTF-16 are half NULs, all on the same side of
    each pair (the high byte of ASCII); binary data has them anywhere."""
    pairs = len(head) // 2
    if pairs < 16:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.02:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.02:
        return "utf-16-be"
    return None


def decode(
    data: bytes,
    name: str,
    *,
    content_type: str | None = None,
    url: str | None = None,
) -> Article:
    """Decode bytes into an `Article`, choosing the encoding and the format by content."""
    if not data.strip():
        raise InputError(name, "empty file" if data == b"" else "file holds only whitespace")
    binary = sniff_binary(data)
    if binary:
        raise InputError(name, f"not an article: {binary}")

    is_html = _looks_like_html(data, name, content_type)
    text, encoding, warnings = _to_text(data, is_html=is_html, content_type=content_type)
    if not is_html and encoding.startswith(("utf-16", "utf-32")):
        # The markup tests read bytes as ASCII, which UTF-16 and UTF-32 are not: ask the text.
        is_html = _looks_like_html(text[:65536].encode("utf-8"), name, content_type)
    if is_html:
        fmt = ArticleFormat.HTML
        text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input that declares an encoding
    elif _looks_like_markdown(text, name, content_type):
        fmt = ArticleFormat.MARKDOWN
    else:
        fmt = ArticleFormat.TEXT
    # One line convention for every detector: offsets and line numbers count "\n" only.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Article(
        name=name, text=text, format=fmt, encoding=encoding, size=len(data), url=url, warnings=tuple(warnings)
    )


def _looks_like_html(data: bytes, name: str, content_type: str | None) -> bool:
    if content_type:
        ctype = content_type.split(";")[0].strip().lower()
        if ctype in ("text/html", "application/xhtml+xml"):
            return True
        if ctype in ("text/plain", "text/markdown"):
            return False
    head = data[:65536]
    if _HTML_START.match(head):
        return True
    # Count distinct tag hits: a text that mentions "<p>" once is still text.
    hits = 0
    for _ in _HTML_TAG.finditer(head):
        hits += 1
        if hits >= 3:
            return True
    ext = os.path.splitext(name)[1].lower()
    return ext in {".html", ".htm", ".xhtml", ".xht", ".shtml"} and hits >= 1


def _looks_like_markdown(text: str, name: str, content_type: str | None) -> bool:
    if content_type and content_type.split(";")[0].strip().lower() == "text/markdown":
        return True
    if os.path.splitext(name)[1].lower() in MARKDOWN_EXTENSIONS:
        return True
    return _MARKDOWN_HINT.search(text[:65536]) is not None


def _to_text(data: bytes, *, is_html: bool, content_type: str | None) -> tuple[str, str, list[str]]:
    """Decode, trusting in order: a BOM, valid UTF-8, the declared charset, then detection."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", ""), []
            except UnicodeDecodeError:
                break
    utf16 = _bomless_utf16(data[:8192])
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16, []
        except UnicodeDecodeError:
            pass
    # Valid UTF-8 with non-ASCII bytes is almost never an accident, and pages often
    # declare a legacy charset they stopped using years ago: UTF-8 wins when it decodes.
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    declared = _declared_encoding(data, is_html=is_html, content_type=content_type)
    if declared:
        try:
            return data.decode(declared), declared, []
        except (UnicodeDecodeError, LookupError):
            pass
    guess = _detect(data)
    if guess:
        try:
            return data.decode(guess), guess, []
        except (UnicodeDecodeError, LookupError):
            pass
    text = data.decode("utf-8", errors="replace")
    return text, "utf-8", ["invalid UTF-8 and no usable encoding: undecodable bytes replaced"]


#: How many well-formed non-ASCII UTF-8 characters a text needs per invalid byte to be read
#: as UTF-8 with that byte replaced. Legacy text almost never forms valid UTF-8 sequences by
#: accident (a latin-1 "é" is followed by ASCII; windows-1251 letters by letters), so a text
#: with many of them and a stray bad byte (a file cut mid-character, one pasted latin-1 quote)
#: is UTF-8, and detection would have mangled every one of its characters (cp775 was seen).
MOSTLY_UTF8_RATIO = 3


def _mostly_utf8(data: bytes) -> tuple[str, str, list[str]] | None:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad
    if bad <= 0 or good < MOSTLY_UTF8_RATIO * bad:
        return None
    return text, "utf-8", [f"invalid UTF-8: {bad} undecodable byte sequence(s) replaced"]


def _declared_encoding(data: bytes, *, is_html: bool, content_type: str | None) -> str | None:
    if content_type:
        match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
        if match:
            return _codec_name(match.group(1))
    if is_html:
        from bs4.dammit import EncodingDetector  # bs4 knows every way a page declares its charset

        found = EncodingDetector.find_declared_encoding(
            data[:65536], is_html=True, search_entire_document=False
        )
        if found:
            return _codec_name(found)
    return None


def _codec_name(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    # WHATWG: pages labelled latin-1/ascii are really windows-1252.
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return name


#: Single-byte encodings of Latin-script languages that detection cannot tell apart on
#: short texts (it picked cp1250 for Portuguese latin-1). Undeclared Western legacy text
#: on the web is overwhelmingly windows-1252 (the WHATWG default), so it wins among these.
LATIN_FAMILY = frozenset(
    {
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "cp1258",
        "latin_1",
        "iso8859_2",
        "iso8859_3",
        "iso8859_4",
        "iso8859_9",
        "iso8859_10",
        "iso8859_13",
        "iso8859_14",
        "iso8859_15",
        "iso8859_16",
        "mac_roman",
        "mac_iceland",
        "mac_latin2",
        "mac_turkish",
        "hp_roman8",
        "cp850",
        "cp852",
        "cp437",
        "cp858",
    }
)


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # slow to import; only for undeclared legacy bytes

    sample = data[:200_000]
    best = from_bytes(sample).best()
    if best is None:
        return None
    if best.encoding in LATIN_FAMILY:
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return best.encoding


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"
