"""A readable copy opened in a real browser: headless Chromium shows its own images, stylesheet,
background image and font, from disk (file://) and from a web server, and asks the web for
nothing.

The copy has no script and its CSP forbids script, so nothing can be asked from inside the
page: the test looks at it from outside. Its pictures are plain colours placed by its
stylesheet, so a screenshot's pixels say which loaded (`naturalWidth > 0`, computed style);
Chromium's console (`--enable-logging=stderr`) says what the CSP refused and which files were
read; Chromium's proxy is the local web, whose log says whether anything went out.

What this guards: `'self'` in the copy's CSP. In Chromium a file: document's `'self'` is
"file: with no host" (`ComputeSelfOrigin` in services/network and blink), so the copy's files
load; CSP 3 alone would give a file: document an opaque origin that `'self'` never matches,
and Chromium carries a TODO to do just that. Should it, this test fails with the refusals.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest

from resolver.archive.readable import CSP
from tests.browser import chromium, offline_command
from tests.web.model import Response
from tests.web.twitter import TwitterWeb

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("proxy_env")]

PAGE = "https://colours.example/2015/story"
#: Each picture of the copy: a point inside it (the stylesheet places them, 40x40 each), and its
#: colour. Without the stylesheet nothing is there; without the file, no colour.
RED, BLUE, GREEN, TEAL = (255, 0, 0), (0, 0, 255), (0, 160, 0), (0, 128, 128)
PICTURES = {
    "own image (<img>, same site)": ((20, 100), RED),
    "remote image (<img>, another host)": ((80, 100), BLUE),
    "background-image of the stylesheet": ((140, 100), GREEN),
    "page background from the stylesheet": ((300, 250), TEAL),
}
#: Junk where a font should be: Chromium reads it from disk and reports that it could not
#: decode it, which proves the CSP let the request through (no font file is needed).
FONT = b"wOF2" + bytes(range(64))
#: A URL that would reach the network: a scheme or `//` in `url()`, `@import` or a fetched attribute.
REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
#: Chromium's own services, which it calls whatever page it opens, flags or not (network time
#: on clients2.google.com, preconnects to www.google.com, accounts.google.com): not the copy.
CHROMIUM_OWN = re.compile(r"(?:^|\.)(?:google\.com|gstatic\.com|googleapis\.com)$")


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-colour RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pixels(data: bytes) -> tuple[int, list[bytes]]:
    """(bytes per pixel, rows) of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's
    --screenshot writes), unfiltered (PNG spec, section 9)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * bpp, [], bytes(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return bpp, rows


def colour_at(shot: tuple[int, list[bytes]], x: int, y: int) -> tuple[int, int, int]:
    bpp, rows = shot
    r, g, b = rows[y][x * bpp : x * bpp + 3]
    return r, g, b


def close_to(got: tuple[int, int, int], want: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 8 for a, b in zip(got, want, strict=True))


def screenshot(browser: str, url: str, tmp: Path, proxy: str) -> tuple[tuple[int, list[bytes]], str]:
    """The page's screenshot (400x300) and Chromium's log, its console included.

    Every flag that would make Chromium reach the network on its own is off, and whatever it
    still asks for goes to `proxy` (the local web, which logs it). Loopback is not proxied.
    """
    shot = tmp / "shot.png"
    command = [
        *offline_command(
            browser,
            tmp / "profile",
            "--disable-features=MediaRouter,OptimizationHints,Translate",
            f"--proxy-server={proxy}",
        ),
        "--enable-logging=stderr",
        "--v=0",
        "--hide-scrollbars",
        "--window-size=400,300",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=5000",
        f"--screenshot={shot}",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and shot.is_file(), f"chromium failed: {done.stderr[-2000:]}"
    return pixels(shot.read_bytes()), done.stderr


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """`folder` served over HTTP on loopback, as a copy is when someone puts an archive online."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kw: object) -> None:
            super().__init__(*args, directory=str(folder), **kw)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def archive_the_page(web: TwitterWeb, tmp_path: Path) -> tuple[Path, Path]:
    """(the archive folder, the copy's HTML file) of a page with two images (one on another
    host), a stylesheet with a background image and a font."""
    site = web.web
    site.page(
        PAGE,
        '<html><head><title>Colours</title><link rel="stylesheet" href="/css/site.css"></head><body>'
        '<img class="own" src="/img/red.png" alt="red">'
        '<img class="remote" src="https://cdn.example/pics/blue.png" alt="blue">'
        '<div class="tile"></div><p class="text">Text in the page font.</p></body></html>',
    )
    css = (
        '@font-face { font-family: Page; src: url("../fonts/page.woff2") format("woff2"); }\n'
        "body { background: rgb(0, 128, 128); font-family: Page, sans-serif; }\n"
        ".own, .remote, .tile { position: absolute; top: 80px; width: 40px; height: 40px; }\n"
        ".own { left: 0 } .remote { left: 60px } .tile { left: 120px; background: url(../img/green.png) }\n"
        ".text { position: absolute; top: 140px; left: 0; margin: 0 }\n"
    )
    for url, kind, body in (
        ("https://colours.example/css/site.css", "text/css", css.encode()),
        ("https://colours.example/img/red.png", "image/png", png(40, 40, RED)),
        ("https://colours.example/img/green.png", "image/png", png(40, 40, GREEN)),
        ("https://colours.example/fonts/page.woff2", "font/woff2", FONT),
        ("https://cdn.example/pics/blue.png", "image/png", png(40, 40, BLUE)),
    ):
        site.route(url, Response(200, (("Content-Type", kind),), body))
    article = tmp_path / "story.txt"
    article.write_text(PAGE + "\n", encoding="utf-8")
    command = ["archive", "--no-cache", "--no-tweets", "--no-wayback", "-f", "json", str(article)]
    done = subprocess.run(
        [sys.executable, "-m", "resolver", *command],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "story.archive"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    [link] = [link for link in manifest["links"] if link["url"] == PAGE]
    assert link["verdict"] == "ok" and link["copy"]["html"]
    return folder, folder / link["copy"]["html"]


def assert_nothing_remote(page: Path) -> None:
    """Every URL the copy (and its stylesheet) would fetch is a relative file name (one
    stylesheet among them). Links (<a>) may stay remote: they are only followed on a click."""
    doc = lxml.html.document_fromstring(page.read_text(encoding="utf-8"))
    fetched = [
        (el.tag, name, value)
        for el in doc.iter()
        if isinstance(el.tag, str) and el.tag not in ("a", "area")
        for name, value in el.attrib.items()
        if name in ("src", "href", "poster", "srcset", "data", "background")
    ]
    assert fetched and not [f for f in fetched if REMOTE.match(f[2])], fetched
    sheets = [page.parent / unquote(v) for tag, name, v in fetched if tag == "link"]
    assert len(sheets) == 1
    for css in [*sheets, *(el.text or "" for el in doc.iter("style"))]:
        text = css.read_text(encoding="utf-8") if isinstance(css, Path) else css
        urls = re.findall(r"""url\(\s*["']?([^"')]*)""", text) + re.findall(
            r"""@import\s*["']([^"']*)""", text
        )
        assert not [u for u in urls if REMOTE.match(u)], urls
    assert "<script" not in page.read_text(encoding="utf-8").lower()


@pytest.mark.skipif(chromium() is None, reason="no chromium on PATH (Debian: apt-get install chromium)")
@pytest.mark.parametrize("opened", ["file", "http"])
def test_a_copy_shows_its_own_files_and_asks_the_web_for_nothing(
    opened: str, twitter_web: TwitterWeb, tmp_path: Path
) -> None:
    browser = chromium()
    assert browser is not None
    folder, page = archive_the_page(twitter_web, tmp_path)
    assert f'content="{CSP}"' in page.read_text(encoding="utf-8").replace("&#39;", "'")
    assert_nothing_remote(page)
    [font] = [p for p in folder.rglob("*") if p.is_file() and p.read_bytes() == FONT]
    web = twitter_web.web
    web.reset_log()
    if opened == "file":
        shot, log = screenshot(browser, page.as_uri(), tmp_path, web.proxy_url or "")
    else:
        with static_server(folder) as root:
            url = f"{root}/{page.relative_to(folder).as_posix()}"
            shot, log = screenshot(browser, url, tmp_path, web.proxy_url or "")
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    # Nothing refused: images, the stylesheet, its background and its font all passed the CSP.
    assert not [line for line in console if "Content Security Policy" in line], console
    # Each picture is where the stylesheet put it, in its colour (a banner sits above them).
    seen = {what: colour_at(shot, *xy) for what, (xy, _) in PICTURES.items()}
    assert all(close_to(seen[what], want) for what, (_, want) in PICTURES.items()), seen
    # The font was read (junk, so Chromium says it could not decode it: it had it in hand).
    assert [line for line in console if font.name in line and "Security Policy" not in line], console
    # And the copy asked the web for nothing: the local web (Chromium's proxy) saw no request
    # to the page's hosts, nor to any host but Chromium's own services.
    hosts = {r.host for r in web.requests} | {c.host for c in web.connects}
    assert not [h for h in hosts if not CHROMIUM_OWN.search(h)], hosts
    assert web.count("colours.example") == web.count("cdn.example") == 0
