"""Archive file names from hostile input: one row per trick, properties for everything else."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from resolver.archive.names import (
    EXTENSION_ALIASES,
    MEDIA_EXTENSIONS,
    MIN_BYTES,
    RESERVED_NAMES,
    SERVER_PAGE_EXTENSIONS,
    UNSAFE_EXTENSIONS,
    extension_for,
    filename_from_content_disposition,
    safe_filename,
    saved_name,
    sniff_media_type,
    url_filename,
)

ARABIC_500 = "تقرير" * 100  # 500 characters, 2 bytes each in UTF-8

# (name as received, the safe name)
SAFE_CASES: list[tuple[str, str]] = [
    ("report.pdf", "report.pdf"),
    # climbing out of the folder, in either separator, or percent-encoded (not decoded: literal)
    ("../../x", "x"),
    ("..\\..\\x", "x"),
    ("/etc/passwd", "etcpasswd"),
    ("C:\\Windows\\system.ini", "CWindowssystem.ini"),
    ("%2e%2e%2f", "%2e%2e%2f"),
    ("..", "file"),
    (".", "file"),
    ("...", "file"),
    ("./.", "file"),
    # Windows devices, with or without extensions, in any case
    ("CON", "_CON"),
    ("con.txt", "_con.txt"),
    ("aux.tar.gz", "_aux.tar.gz"),
    ("Nul", "_Nul"),
    ("COM1", "_COM1"),
    ("lpt9.log", "_lpt9.log"),
    ("COM¹", "_COM¹"),
    ("CONOUT$", "_CONOUT$"),
    ("console.txt", "console.txt"),  # only the exact stem is reserved
    ("COM10", "COM10"),
    # NUL, controls, Windows-forbidden characters
    ("a\x00b", "ab"),
    ("a\x1b[31mred", "a[31mred"),
    ("a\x7fb\x9bc", "abc"),  # DEL, a C1 control
    ("a\tb\nc\x85d", "a_b_c_d"),  # whitespace controls (NEL too) still separate words
    ('what?*:"<>|.txt', "what.txt"),
    # nothing left
    ("", "file"),
    ("   ", "file"),
    ("\t\n", "file"),
    ("///", "file"),
    # hidden files and options
    (".bashrc", "bashrc"),
    ("-rf", "rf"),
    ("--help", "help"),
    ("- .x", "x"),
    # Windows strips trailing dots and spaces: `a.` and `a` would be one file there
    ("name.", "name"),
    ("name. . ", "name"),
    ("name   ", "name"),
    # whitespace runs, any kind
    ("a  b\tc\u00a0d\u3000e.txt", "a_b_c_d_e.txt"),
    # bidi overrides spoof extensions: `invoice\u202egnp.exe` displays as `invoiceexe.png`
    ("invoice\u202egnp.exe", "invoicegnp.exe"),
    ("a\u200bb\ufeffc\u00add", "abcd"),  # zero-width space, BOM, soft hyphen
    # kept: scripts, emoji (with their joiners), Persian ZWNJ
    ("Минобороны.html", "Минобороны.html"),
    ("👨\u200d👩\u200d👧.png", "👨\u200d👩\u200d👧.png"),
    ("می\u200cخواهم", "می\u200cخواهم"),
    # NFC: macOS hands over decomposed names
    ("cafe\u0301.txt", "café.txt"),
    ("e\u200b\u0301", "é"),  # the accent joins its letter once the zero-width space is gone
]


@pytest.mark.parametrize(("name", "expected"), SAFE_CASES)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


# (name, max_bytes, expected)
LENGTH_CASES: list[tuple[str, int, str]] = [
    (ARABIC_500 + ".pdf", 120, ("تقرير" * 12)[:58] + ".pdf"),  # 116 bytes of Arabic, never half a letter
    ("😀" * 100 + ".png", 120, "😀" * 29 + ".png"),
    ("a" * 300, 120, "a" * 120),
    ("a" * 300 + ".tar.gz", 20, "a" * 17 + ".gz"),  # only the last extension is kept apart
    ("abc." + "x" * 50, 20, "abc." + "x" * 16),  # an "extension" longer than a third is not kept apart
    ("ab.  cd.txt", 9, "ab._cd.tx"),  # no room to keep `.txt` apart
    ("COM1....yyyy.a", 8, "_COM1.a"),  # cut back into a device name
]


@pytest.mark.parametrize(("name", "max_bytes", "expected"), LENGTH_CASES)
def test_safe_filename_length(name: str, max_bytes: int, expected: str) -> None:
    result = safe_filename(name, max_bytes=max_bytes)
    assert result == expected
    assert len(result.encode("utf-8")) <= max_bytes


def test_default_is_made_safe_too() -> None:
    assert safe_filename("..", default="article") == "article"
    assert safe_filename("", default="../..") == "file"
    assert safe_filename("", default="con") == "_con"


def test_max_bytes_has_a_floor() -> None:
    with pytest.raises(ValueError, match="at least"):
        safe_filename("x", max_bytes=MIN_BYTES - 1)


def test_reserved_names_table() -> None:
    assert all(n == n.upper() for n in RESERVED_NAMES)
    assert {"CON", "PRN", "AUX", "NUL", "COM1", "COM9", "LPT1", "LPT9"} <= RESERVED_NAMES
    assert "COM0" not in RESERVED_NAMES


def _is_reserved(name: str) -> bool:
    return name.split(".", 1)[0].rstrip(" ").upper() in RESERVED_NAMES


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=MIN_BYTES, max_value=255))
@example("\ud800x", 8)  # a lone surrogate cannot be encoded: dropped
@example("COM1" * 10 + ".a", 8)
@example("\u0958" * 50, 10)  # NFC lengthens QA (composition exclusion): cut after normalising
def test_safe_filename_properties(name: str, max_bytes: int) -> None:
    result = safe_filename(name, max_bytes=max_bytes)
    assert result
    assert len(result.encode("utf-8")) <= max_bytes
    assert not set(result) & set('/\\\x00:*?"<>|')
    assert result not in (".", "..")
    assert not result.startswith((".", "-"))
    assert not result.endswith((".", " "))
    assert not _is_reserved(result)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in result)
    assert unicodedata.is_normalized("NFC", result)
    assert safe_filename(name, max_bytes=max_bytes) == result  # deterministic
    assert safe_filename(result, max_bytes=max_bytes) == result  # idempotent: safe names survive


# --- url_filename ---------------------------------------------------------------------------

URL_CASES: list[tuple[str, str | None, str]] = [
    (
        "https://www.example.com/2015/10/21/some-story.html?x=1#f",
        None,
        "example.com_2015-10-21-some-story-html-x-1-1163b7a931",
    ),
    ("https://pbs.twimg.com/media/CRz8z.jpg", "jpg", "pbs.twimg.com_media-CRz8z-d2ce2e4da9.jpg"),
    ("https://pbs.twimg.com/media/CRz8z.jpg", ".JPG", "pbs.twimg.com_media-CRz8z-d2ce2e4da9.jpg"),
    ("https://ex.com/", None, "ex.com-0556d990b9"),
    ("https://t.co/AbC", None, "t.co_AbC-7c84bf3b40"),
    ("https://EX.com:8443/%D0%BC%D0%B8%D1%80", "html", "ex.com_мир-13fc790fff.html"),
    ("https://ex.com/a/../../etc/passwd", None, "ex.com_a-etc-passwd-2e81894050"),
    ("http://[x", None, "http-x-3fb5d36ed9"),
    ("https://ex.com/x", "exe/../..", "ex.com_x-79a36607e7"),  # an unusable extension is dropped
]


@pytest.mark.parametrize(("url", "ext", "expected"), URL_CASES)
def test_url_filename(url: str, ext: str | None, expected: str) -> None:
    assert url_filename(url, ext=ext) == expected


def test_url_filename_keeps_apart_urls_that_slug_alike() -> None:
    urls = [
        "https://ex.com/a-b",
        "https://ex.com/a/b",
        "https://ex.com/a-b?",
        "https://ex.com/a%2Db",
        "https://ex.com/A-B",
        "https://ex.com/a-b#x",
        "http://ex.com/a-b",
    ]
    names = [url_filename(u) for u in urls]
    assert len({n.lower() for n in names}) == len(urls)  # unique even on a case-insensitive disk


def test_url_filename_long_url_keeps_its_hash() -> None:
    url = "https://ar.example/" + "مقال" * 200
    name = url_filename(url, ext="html", max_bytes=60)
    assert len(name.encode()) <= 60
    assert re.search(r"-[0-9a-f]{10}\.html$", name)
    assert name.startswith("ar.example_مقال")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from([None, "html", "jpg", "bin"]))
def test_url_filename_properties(url: str, ext: str | None) -> None:
    name = url_filename(url, ext=ext)
    assert name == url_filename(url, ext=ext)
    assert safe_filename(name) == name
    assert re.search(r"-[0-9a-f]{10}(\.[a-z]+)?$", name)


# --- Content-Disposition --------------------------------------------------------------------

# (header value, the file name); RFC 6266 appendix D first, then tc2231-style cases
DISPOSITION_CASES: list[tuple[str, str | None]] = [
    ("Attachment; filename=example.html", "example.html"),
    ('INLINE; FILENAME= "an example.html"', "an_example.html"),
    ("attachment; filename*= UTF-8''%e2%82%ac%20rates", "€_rates"),
    ("attachment; filename=\"EURO rates\"; filename*=utf-8''%e2%82%ac%20rates", "€_rates"),
    ("attachment; filename*=UTF-8''%e2%82%ac%20rates.pdf; filename=\"EURO rates.pdf\"", "€_rates.pdf"),
    # quoted strings and their escapes
    ('attachment; filename="f\\oo.html"', "foo.html"),
    ('attachment; filename="\\"quoting\\" tested.html"', "quoting_tested.html"),
    ('attachment; filename="Here\'s a semicolon;.html"', "Here's_a_semicolon;.html"),
    ('attachment; foo="bar"; filename="foo.html"', "foo.html"),
    ('attachment; filename="foo.html";', "foo.html"),
    ("attachment; filename=foo-%41.html", "foo-%41.html"),  # filename= is not percent-decoded
    # RFC 5987 charsets and decoding
    ("attachment; filename*=UTF-8''foo-a%cc%88.html", "foo-ä.html"),  # NFC
    ("attachment; filename*=iso-8859-1''foo-%E4.html", "foo-ä.html"),
    ("attachment; filename*=UTF-8'en'%D0%BC%D0%B8%D1%80.txt", "мир.txt"),
    ("attachment; filename*=UTF-8''foo-%E4.html; filename=fallback.html", "fallback.html"),  # bad UTF-8
    ("attachment; filename*=x-unknown''foo.html; filename=ok.html", "ok.html"),
    # raw UTF-8 in filename=, read as Latin-1 by the HTTP client
    ('attachment; filename="caf\u00c3\u00a9.pdf"', "café.pdf"),
    # hostile names: never a path
    ('attachment; filename="../../etc/passwd"', "passwd"),
    ('attachment; filename="..\\..\\windows\\win.ini"', "windowswin.ini"),  # `\w` is an escaped `w`
    ("attachment; filename=..\\..\\windows\\win.ini", "win.ini"),
    ("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", "passwd"),
    ('attachment; filename=".htaccess"', "htaccess"),
    ('attachment; filename="CON.txt"', "_CON.txt"),
    ('attachment; filename="a\\u202egnp.exe"', "au202egnp.exe"),
    ("attachment; filename*=UTF-8''a%E2%80%AEgnp.exe", "agnp.exe"),
    # junk and nothing
    ("attachment", None),
    ("inline", None),
    ("", None),
    ("filename=foo.html", None),  # no disposition type
    ('"attachment"; filename=foo.html', None),
    ('attachment; filename="foo.html', None),  # unterminated quote
    ('attachment; filename="foo"bar.html', None),
    ('attachment; filename=".."', None),
    ('attachment; filename="/"', None),
    ("attachment; filename*=UTF-8''", None),
]


@pytest.mark.parametrize(("value", "expected"), DISPOSITION_CASES)
def test_filename_from_content_disposition(value: str, expected: str | None) -> None:
    assert filename_from_content_disposition(value) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_content_disposition_never_gives_a_path(value: str) -> None:
    for header in (value, f"attachment; filename={value}", f'attachment; filename="{value}"'):
        name = filename_from_content_disposition(header)
        assert name is None or (name == safe_filename(name) and name not in (".", ".."))


# --- extensions -----------------------------------------------------------------------------

# (content type, URL, extension)
EXTENSION_CASES: list[tuple[str | None, str | None, str]] = [
    ("text/html; charset=utf-8", None, "html"),
    ("TEXT/HTML", None, "html"),
    ("application/xhtml+xml", None, "xhtml"),
    ("application/pdf", "https://x/a.exe", "pdf"),
    ("image/jpeg", None, "jpg"),
    ("image/jpg", None, "jpg"),
    ("image/png", None, "png"),
    ("image/gif", None, "gif"),
    ("image/webp", None, "webp"),
    ("image/svg+xml", None, "svg"),
    ("image/avif", None, "avif"),
    ("video/mp4", None, "mp4"),
    ("video/webm", None, "webm"),
    ("audio/mpeg", None, "mp3"),
    ("application/json", None, "json"),
    ("application/vnd.api+json", None, "json"),
    ("application/xml", None, "xml"),
    ("application/vnd.custom+xml", None, "xml"),
    ("text/plain", None, "txt"),
    ("text/css", None, "css"),
    ("application/javascript", None, "js"),
    ("application/zip", None, "zip"),
    # fonts, under their registered and their pre-RFC 8081 types
    ("font/woff2", None, "woff2"),
    ("application/font-woff2", None, "woff2"),
    ("application/x-font-ttf", None, "ttf"),
    ("application/vnd.ms-fontobject", None, "eot"),
    ("application/octet-stream", "https://x/fonts/a.woff2?v=4.7.0", "woff2"),
    # unknown type: the URL's extension, when it is safe and informative
    ("application/octet-stream", "https://x/report.PDF", "pdf"),
    (None, "https://x/photo.jpeg?w=300", "jpg"),
    (None, "https://x/page.htm", "html"),
    (None, "https://x/%D1%84.webp", "webp"),
    (None, "https://x/setup.exe", "bin"),
    (None, "https://x/a.hta", "bin"),
    (None, "https://x/index.php", "bin"),
    (None, "https://x/a.verylongext", "bin"),
    (None, "https://x/a.t%00xt", "bin"),
    (None, "https://x.com/dir.d/", "bin"),
    (None, "http://[x", "bin"),
    ("", "", "bin"),
    (None, None, "bin"),
]


@pytest.mark.parametrize(("content_type", "url", "expected"), EXTENSION_CASES)
def test_extension_for(content_type: str | None, url: str | None, expected: str) -> None:
    assert extension_for(content_type, url) == expected


def test_extension_tables() -> None:
    plain = re.compile(r"[a-z0-9]{1,8}")
    for media, ext in MEDIA_EXTENSIONS.items():
        assert media == media.lower().strip() and "/" in media and ";" not in media, media
        assert plain.fullmatch(ext) and ext not in UNSAFE_EXTENSIONS, ext
    assert all(plain.fullmatch(a) and plain.fullmatch(e) for a, e in EXTENSION_ALIASES.items())
    assert not UNSAFE_EXTENSIONS & set(MEDIA_EXTENSIONS.values())
    assert not SERVER_PAGE_EXTENSIONS & set(MEDIA_EXTENSIONS.values())


# (suggested name, Content-Type, URL, the name a body saved as it came gets)
SAVED_CASES: list[tuple[str | None, str | None, str, str]] = [
    ("report.pdf", "application/pdf", "https://x.example/d", "report.pdf"),
    ("photo.JPEG", "image/jpeg", "https://x.example/d", "photo.JPEG"),  # jpeg is jpg, any case
    # the type names the extension: a name that lies is corrected, never opened as a page
    ("evil.html", "application/pdf", "https://x.example/d", "evil.pdf"),
    ("run.exe", "application/pdf", "https://x.example/d", "run.pdf"),
    ("invoicefdp.exe", "application/pdf", "https://x.example/d", "invoicefdp.pdf"),  # U+202E dropped
    ("passwd", "application/pdf", "https://x.example/d", "passwd.pdf"),
    ("CON", "application/pdf", "https://x.example/d", "_CON.pdf"),
    ("report.2015", "application/pdf", "https://x.example/d", "report.2015.pdf"),  # not an extension
    ("report.pdf.tmp", "application/pdf", "https://x.example/d", "report.pdf.pdf"),
    # "some bytes": the suggested name's extension, else the URL's, never an active one
    ("data.csv", "application/octet-stream", "https://x.example/d", "data.csv"),
    ("page.html", "application/octet-stream", "https://x.example/d", "page.bin"),
    ("tool.exe", "application/octet-stream", "https://x.example/d", "tool.bin"),
    (None, "application/octet-stream", "https://x.example/page.html", "x.example_page-html-2a5b9ec6e8.bin"),
    (None, None, "https://x.example/a.js", "x.example_a-js-0a3e7ad1e4.bin"),
    (None, "text/javascript", "https://x.example/a", "x.example_a-fbc0a8bb1b.bin"),  # WSH runs .js
    (None, "image/svg+xml", "https://x.example/i.svg", "x.example_i-0b8a2a5e7c.svg"),  # an image
    (None, "application/pdf", "https://x.example/r.pdf", "x.example_r-8a1a3ae0a1.pdf"),
]


@pytest.mark.parametrize(("given", "content_type", "url", "expected"), SAVED_CASES)
def test_saved_name(given: str | None, content_type: str | None, url: str, expected: str) -> None:
    name = saved_name(given, content_type, url)
    if given is None:  # the hash part is url_filename's: compare the rest
        assert re.sub(r"-[0-9a-f]{10}\.", "-HASH.", name) == re.sub(r"-[0-9a-f]{10}\.", "-HASH.", expected)
    else:
        assert name == expected
    assert safe_filename(name) == name


# (the first bytes of a body that came without a type, what it is)
SNIFF_CASES: list[tuple[bytes, str | None]] = [
    (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
    (b"PK\x03\x04\x14\x00", "application/zip"),
    (b"\x00\x01\x02garbage", "application/octet-stream"),
    (b"<!doctype html><title>x</title>", None),  # text: a page, as browsers take it
    (b"  \n<p>plain words", None),
    ("Привет, мир".encode(), None),  # UTF-8 text is not binary
]


@pytest.mark.parametrize(("head", "expected"), SNIFF_CASES)
def test_sniff_media_type(head: bytes, expected: str | None) -> None:
    assert sniff_media_type(head) == expected
