"""Reading articles: encodings, formats and bad input, each a row."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resolver
from resolver.errors import InputError
from resolver.inputs import decode, iter_sources, sniff_binary
from resolver.models import ArticleFormat
from tests.web.scenarios import Web

RUSSIAN = "Минобороны России сообщило: https://t.co/abcDEF123 - подробности"

ENCODING_CASES = [
    (RUSSIAN.encode("utf-8"), "utf-8"),
    (RUSSIAN.encode("utf-8-sig"), "utf-8"),
    (RUSSIAN.encode("utf-16"), "utf-16"),
    (RUSSIAN.encode("cp1251"), "cp1251"),
    (
        f"<html><head><meta charset='windows-1251'></head><body><p>{RUSSIAN}</p></body></html>".encode(
            "cp1251"
        ),
        "cp1251",
    ),
    (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r"></head>'
        f"<body><p>{RUSSIAN}</p></body></html>".encode("koi8-r"),
        "koi8-r",
    ),
    ("Ação é já: https://bit.ly/x1 e mais um parágrafo em português.".encode("latin-1"), None),
]


@pytest.mark.parametrize(("data", "encoding"), ENCODING_CASES)
def test_encodings(data: bytes, encoding: str | None) -> None:
    article = decode(data, "x")
    if encoding is not None:
        assert article.encoding == encoding
    assert "https://" in article.text
    if "Минобороны" in RUSSIAN and encoding in ("utf-8", "utf-16", "cp1251", "koi8-r"):
        assert "Минобороны" in article.text


def test_latin1_text_decodes_to_the_right_letters() -> None:
    article = decode("Ação é já: https://bit.ly/x1 e mais um parágrafo em português.".encode("latin-1"), "x")
    assert "Ação" in article.text


FORMAT_CASES = [
    (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "a.txt", ArticleFormat.HTML),
    (
        b"<?xml version='1.0' encoding='utf-8'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>",
        "a.xhtml",
        ArticleFormat.HTML,
    ),
    (b"<p>para</p><div>x</div><a href='http://e.com'>l</a>", "fragment", ArticleFormat.HTML),
    (b"Plain text with a <3 heart and https://bit.ly/x.", "a.html", ArticleFormat.TEXT),
    (b"# Title\n\nSee [the source](https://example.com/a).\n", "notes", ArticleFormat.MARKDOWN),
    (b"Just words.\n#FOOTAGE hashtag line\n", "a.md", ArticleFormat.MARKDOWN),
    (b"Just words.\n#FOOTAGE hashtag line\n", "a.txt", ArticleFormat.TEXT),
    # UTF-16 and UTF-32 are not ASCII-compatible: the markup is found in the decoded text.
    ("<html><body><p>Привет</p></body></html>".encode("utf-16"), "a.html", ArticleFormat.HTML),
    ("<html><body><p>Привет</p></body></html>".encode("utf-32"), "a", ArticleFormat.HTML),
    ("<!DOCTYPE html><p>Hello</p><div>x</div>".encode("utf-16-le"), "a", ArticleFormat.HTML),
]


@pytest.mark.parametrize(("data", "name", "fmt"), FORMAT_CASES)
def test_format_by_content(data: bytes, name: str, fmt: ArticleFormat) -> None:
    assert decode(data, name).format is fmt


BAD_INPUT_CASES = [
    (b"", "empty file"),
    (b"   \n\t ", "only whitespace"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
    (gzip.compress(b"<html></html>"), "gzip archive"),
    (b"\x00\x01\x02\x03binary\x00\x00", "binary data"),
    (bytes(range(256)) * 4, "binary data"),
]


@pytest.mark.parametrize(("data", "reason"), BAD_INPUT_CASES)
def test_bad_input_is_one_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as info:
        decode(data, "bad.html")
    assert reason in str(info.value)
    assert str(info.value).startswith("bad.html: ")


def test_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"a" * 2000 + b"</p>")
    with pytest.raises(InputError, match=r"over the 1\.0 KB limit"):
        resolver.scan(big, max_size=1024)
    assert resolver.scan(big, max_size=4096).format is ArticleFormat.HTML


def test_missing_and_unreadable_paths(tmp_path: Path) -> None:
    items = list(iter_sources([str(tmp_path / "nope.html")]))
    assert isinstance(items[0], InputError) and "no such file" in items[0].reason


def test_paths_that_cannot_be_opened_say_why(tmp_path: Path) -> None:
    (tmp_path / "file.html").write_text("<p>x</p>")
    (tmp_path / "loop.html").symlink_to("loop.html")
    (tmp_path / "dangling.html").symlink_to("gone.html")
    names = ["file.html/child", "loop.html", "dangling.html"]
    items = list(iter_sources([str(tmp_path / name) for name in names]))
    reasons = [item.reason if isinstance(item, InputError) else item for item in items]
    assert reasons == [
        "cannot read: Not a directory",
        "cannot read: Too many levels of symbolic links",
        "broken symbolic link",
    ]


UTF16_TEXT = "<html><body><p>Ação https://bit.ly/u16 já</p></body></html>"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_decoded_not_binary(codec: str) -> None:
    article = decode(UTF16_TEXT.encode(codec), "a.html")
    assert (article.encoding, article.format, article.text) == (codec, ArticleFormat.HTML, UTF16_TEXT)


def test_a_socket_is_refused_by_name(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock.html"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(InputError, match="not a file: a socket"):
            resolver.scan(path)


def test_a_named_pipe_is_read_and_one_nobody_writes_to_times_out(tmp_path: Path) -> None:
    import os
    import threading
    import time

    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)

    def unblock() -> None:  # a reader stuck in open() (the bug) gets a writer: fail, not hang
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    guard = threading.Timer(10, unblock)
    guard.daemon = True
    guard.start()
    started = time.monotonic()
    with pytest.raises(InputError, match=r"named pipe: nothing written to it in 0\.3 s"):
        resolver.scan(fifo, timeout=0.3)
    assert time.monotonic() - started < 5
    guard.cancel()

    def write() -> None:
        time.sleep(0.2)  # the writer comes after the reader, as with `mkfifo p; cmd > p &`
        with open(fifo, "wb") as handle:
            handle.write(b"<p>From a pipe https://bit.ly/pipe</p><div>x</div><p>y</p>")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        result = resolver.scan(fifo, timeout=10)
    finally:
        writer.join()
    assert [link.url for link in result.links] == ["https://bit.ly/pipe"]


def test_names_are_made_writable_and_one_line() -> None:
    from resolver.inputs import display_name, one_line

    undecodable = b"bad\xff\xfe.html".decode("utf-8", "surrogateescape")  # as os.listdir gives it
    assert display_name(undecodable) == "bad\\xff\\xfe.html"
    assert display_name("Ação.html") == "Ação.html"
    assert one_line("new\nline\x1b[2J.html") == "new\\nline\\x1b[2J.html"
    assert one_line(undecodable).encode("utf-8")


def test_directory_walk_is_recursive_sorted_and_skips_non_articles(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.html").write_text("<p>x</p>")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "c.md").write_text("x")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / ".hidden.html").write_text("x")
    (tmp_path / "story.archive").mkdir()
    (tmp_path / "story.archive" / "index.html").write_text("x")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in iter_sources([str(tmp_path)])]  # type: ignore[arg-type]
    assert found == ["a.txt", "c.md", "b/2.html"]


def test_deeply_nested_html_is_scanned_not_crashed() -> None:
    markup = "<html><body>" + "<div>" * 50_000 + "<a href='https://bit.ly/deep'>x</a>" + "</div>" * 50_000
    markup += "<p>https://t.co/after1</p></body></html>"
    result = resolver.scan_bytes(markup.encode(), "deep.html")
    urls = {link.url for link in result.links}
    assert {"https://bit.ly/deep", "https://t.co/after1"} <= urls
    assert any("scanned as text" in w for w in result.warnings)


def test_sniff_binary_lets_text_through() -> None:
    assert sniff_binary("Olá, mundo\n".encode("utf-16")) is None
    assert sniff_binary(b"plain ascii\n") is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise_anything_but_input_error(data: bytes) -> None:
    with contextlib.suppress(InputError):
        resolver.scan_bytes(data, "fuzz")


_TAGS = st.sampled_from(
    [
        "p",
        "div",
        "a",
        "blockquote",
        "script",
        "style",
        "iframe",
        "amp-twitter",
        "br",
        "noscript",
        "figure",
        "span",
        "template",
    ]
)
_ATTRS = st.sampled_from(
    [
        ' class="twitter-tweet"',
        ' href="https://twitter.com/a/status/123"',
        ' data-tweet-id="99"',
        ' src="https://platform.twitter.com/embed/Tweet.html?id=5"',
        ' data-attrs="{bad json"',
        ' lang="pt"',
        ' data-html="&lt;blockquote class=&quot;twitter-tweet&quot;&gt;"',
        ' href="pic.twitter.com/x"',
        "",
    ]
)
_TEXTS = st.sampled_from(
    [
        "— Name (@handle) 21 outubro 2015",
        "https://t.co/abc",
        "pic.twitter.com/X1",
        "[tweet 123]",
        "&mdash;",
        "(@",
        "text",
        "\n",
        "<",
        "&",
        "]]>",
        "\u00e9\u2014",
    ]
)


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        choice = draw(st.integers(0, 2))
        if choice == 0:
            parts.append(f"<{draw(_TAGS)}{draw(_ATTRS)}>")
        elif choice == 1:
            parts.append(f"</{draw(_TAGS)}>")
        else:
            parts.append(draw(_TEXTS))
    return "<html><body>" + "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_soup())
def test_arbitrary_html_never_raises(markup: str) -> None:
    result = resolver.scan_bytes(markup.encode("utf-8", "replace"), "fuzz.html")
    for link in result.links:
        assert link.tweet is None or 0 <= link.tweet < len(result.tweets)
    for tweet in result.tweets:
        assert tweet.quoted_in is None or 0 <= tweet.quoted_in < len(result.tweets)


def test_an_article_url_that_drips_is_stopped_by_the_whole_fetch_timeout(
    local_web: Web, proxy_env: Web
) -> None:
    """--timeout bounds the whole fetch: a byte every 0.2 s keeps each read under the limit."""
    import time

    local_web.drip("https://drip.example/story", b"<html><body><p>" + b"x" * 200 + b"</p></body></html>", 0.2)
    started = time.monotonic()
    with pytest.raises(resolver.ResolverError, match="timed out after 1 s"):
        resolver.scan("https://drip.example/story", timeout=1.0)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "data",
    [
        RUSSIAN.encode("utf-8") + b" \xff " + RUSSIAN.encode("utf-8"),  # a stray byte
        (RUSSIAN + " Минобороны").encode("utf-8")[:-1],  # cut in the middle of a character
        "Olá, não é já".encode() + b" \xe9 " + b"https://bit.ly/x1",  # one latin-1 letter pasted in
    ],
)
def test_mostly_utf8_text_keeps_its_letters_and_says_what_was_replaced(data: bytes) -> None:
    article = decode(data, "x.txt")
    assert article.encoding == "utf-8"
    assert ("Минобороны" in article.text) or ("não é já" in article.text)
    assert any("undecodable" in warning for warning in article.warnings)


def test_legacy_text_is_not_taken_for_mostly_utf8() -> None:
    pt = "O Ministério da Defesa da Rússia informou que aviões atacaram posições na Síria. " * 3
    ru = "Министерство обороны России сообщило, что самолёты нанесли удары по позициям. " * 3
    for text, codec in ((pt, "latin-1"), (ru, "cp1251"), (ru, "koi8_r")):
        article = decode(text.encode(codec), "x.txt")
        assert article.text == text and not article.warnings, codec
