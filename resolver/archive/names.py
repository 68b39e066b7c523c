"""File names for archived things, made from hostile input.

Every name written into an archive folder comes from someone else: a URL, a
`Content-Disposition` header, a tweet ID, an article's file name. Any of them may try to climb
out of the folder (`../../etc/passwd`), hide (`.bashrc`), look like an option (`-rf`), name a
Windows device (`CON`, `aux.tar.gz`), spoof its extension with a bidi override
(`invoice\u202egnp.exe`), or simply be too long for the file system (255 *bytes* on ext4 and
APFS, which is ~60 emoji or ~127 Arabic letters). The functions here turn any of that into one
plain file name, deterministically, so that the same input gives the same name on every run and
every platform:

- `safe_filename`: any text -> a safe name (the matcher; the rules are the tables below).
- `url_filename`: a URL -> `{host}_{path-slug}-{hash}{.ext}`, readable and unique.
- `filename_from_content_disposition`: the name a server suggests (RFC 6266 / RFC 5987).
- `extension_for`: a media type (or else the URL) -> an extension.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from urllib.parse import unquote, unquote_to_bytes, urlsplit

__all__ = [
    "ACTIVE_EXTENSIONS",
    "DROPPED_CHARACTERS",
    "EXTENSION_ALIASES",
    "MEDIA_EXTENSIONS",
    "MIN_BYTES",
    "RESERVED_NAMES",
    "SERVER_PAGE_EXTENSIONS",
    "UNSAFE_EXTENSIONS",
    "extension_for",
    "filename_from_content_disposition",
    "safe_filename",
    "saved_name",
    "sniff_media_type",
    "url_filename",
]

#: The smallest `max_bytes` accepted: room for a 4-byte character, a prefix and a short extension.
MIN_BYTES = 8

#: Characters removed outright. `/` and `\` separate paths (Windows accepts both); NUL ends a
#: C string; `:*?"<>|` are refused by Windows (and `:` by classic macOS APIs).
DROPPED_CHARACTERS = frozenset('/\\\x00:*?"<>|')

#: Unicode categories removed: controls (Cc: C0, DEL, C1), surrogates (Cs: a lone one cannot be
#: encoded in UTF-8 at all) and format characters (Cf: bidi overrides such as U+202E that make
#: `exe.pdf` display as `fdp.exe`, zero-width spaces, the BOM, soft hyphens, tag characters).
DROPPED_CATEGORIES = frozenset({"Cc", "Cs", "Cf"})

#: Format characters that are kept despite `DROPPED_CATEGORIES`: the zero-width (non-)joiners
#: are spelling in Persian, Urdu and Indic scripts and glue emoji sequences together.
KEPT_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})

#: Device names Windows reserves in every folder, whatever the extension (`con.txt`,
#: `aux.tar.gz`), compared case-insensitively. The superscript-digit forms are reserved too
#: (https://learn.microsoft.com/windows/win32/fileio/naming-a-file), as are the console
#: handles CONIN$ and CONOUT$.
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)

#: What a reserved name gets in front of it.
RESERVED_PREFIX = "_"

#: What a run of whitespace becomes: file names with spaces break naive shell scripts.
WHITESPACE_REPLACEMENT = "_"

#: Media types (lower-case, without parameters) -> the extension a file of that type gets.
#: The first form of a type is the registered one; the others are aliases seen in the wild
#: (`image/jpg` is wrong but common, `application/x-javascript` is pre-RFC 9239).
MEDIA_EXTENSIONS: dict[str, str] = {
    # pages and text
    "text/html": "html",
    "application/xhtml+xml": "xhtml",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/csv": "csv",
    "text/calendar": "ics",
    "text/css": "css",
    "text/javascript": "js",
    "application/javascript": "js",
    "application/x-javascript": "js",
    "application/ecmascript": "js",
    "application/json": "json",
    "application/ld+json": "jsonld",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    # documents
    "application/pdf": "pdf",
    "application/rtf": "rtf",
    "application/epub+zip": "epub",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    # images
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/pjpeg": "jpg",
    "image/png": "png",
    "image/apng": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "image/avif": "avif",
    "image/heic": "heic",
    "image/bmp": "bmp",
    "image/tiff": "tif",
    "image/x-icon": "ico",
    "image/vnd.microsoft.icon": "ico",
    # video and audio
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/ogg": "ogv",
    "video/quicktime": "mov",
    "video/mp2t": "ts",
    "application/vnd.apple.mpegurl": "m3u8",
    "application/x-mpegurl": "m3u8",
    "application/dash+xml": "mpd",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/ogg": "ogg",
    "audio/opus": "opus",
    "audio/webm": "weba",
    "audio/flac": "flac",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    # fonts
    "font/woff": "woff",
    "font/woff2": "woff2",
    "font/ttf": "ttf",
    "font/otf": "otf",
    "font/collection": "ttc",
    "application/font-woff": "woff",
    # Pre-RFC 8081 font types, still what many servers (and CDNs' defaults) send.
    "application/font-woff2": "woff2",
    "application/x-font-woff": "woff",
    "application/x-font-ttf": "ttf",
    "application/x-font-truetype": "ttf",
    "application/x-font-otf": "otf",
    "application/x-font-opentype": "otf",
    "application/vnd.ms-fontobject": "eot",
    # archives
    "application/zip": "zip",
    "application/gzip": "gz",
    "application/x-gzip": "gz",
    "application/x-tar": "tar",
    "application/warc": "warc",
    "application/wasm": "wasm",
}

#: Structured-syntax suffixes (RFC 6838 section 4.2.8): `application/vnd.api+json` is JSON.
SUFFIX_EXTENSIONS: dict[str, str] = {"+json": "json", "+xml": "xml", "+zip": "zip"}

#: Extensions a URL may spell differently from `MEDIA_EXTENSIONS` (`photo.JPEG`, `page.htm`).
EXTENSION_ALIASES: dict[str, str] = {"jpeg": "jpg", "jpe": "jpg", "htm": "html", "tiff": "tif", "mpeg": "mpg"}

#: URL extensions never reused: a desktop runs these on a double click, and an archive folder
#: is exactly where someone double-clicks. The body is kept, under `.bin`.
UNSAFE_EXTENSIONS = frozenset(
    {
        "exe", "com", "bat", "cmd", "scr", "pif", "cpl", "msi", "msp", "msc", "dll", "sys", "drv",
        "hta", "vbs", "vbe", "jse", "wsf", "wsh", "ps1", "psm1", "reg", "lnk", "url", "scf", "inf",
        "jar", "jnlp", "app", "command", "sh", "bash", "desktop", "appimage", "gadget", "application",
        "settingcontent-ms", "library-ms", "iso", "img", "vhd", "vhdx",
    }
)  # fmt: skip

#: URL extensions that say how the server made the page, not what it is: a `.php` URL may
#: serve HTML, JSON or a PDF, so without a media type the honest answer is "bin".
SERVER_PAGE_EXTENSIONS = frozenset(
    {"php", "php3", "php5", "asp", "aspx", "jsp", "jspx", "cgi", "pl", "cfm", "do"}
)

_NOT_FROM_URL = UNSAFE_EXTENSIONS | SERVER_PAGE_EXTENSIONS

#: An extension worth reusing from a URL: short, ASCII letters and digits only.
_URL_EXTENSION = re.compile(r"[a-z0-9]{1,8}")

#: The longest extension `safe_filename` keeps apart from the stem when it shortens a name.
_MAX_EXTENSION_BYTES = 16

_WHITESPACE_RUN = re.compile(r"\s+")
#: Leading characters removed: dots hide files, dashes read as options (`rm -rf`).
_LEADING = re.compile(r"^[\s.\-]+")
#: Trailing characters removed: Windows silently strips trailing dots and spaces, so `a.` and
#: `a` would be one file there and two elsewhere.
_TRAILING = re.compile(r"[\s.]+$")


def safe_filename(name: str, *, max_bytes: int = 120, default: str = "file") -> str:
    """A file name that is safe on Linux, macOS and Windows, made from any text.

    The name is NFC-normalised (macOS stores NFD, Linux whatever it is given: NFC makes the
    same name the same bytes); `DROPPED_CHARACTERS` and `DROPPED_CATEGORIES` are removed; leading
    dots, dashes and spaces and trailing dots and spaces are stripped; inner whitespace runs
    become `_`; a Windows device name gets `_` in front; the result is cut to `max_bytes` bytes
    of UTF-8 between two characters, keeping the extension. A name with nothing left (`..`,
    `   `, `///`) becomes `default`, itself made safe. The function is deterministic and
    idempotent: a safe name comes back unchanged.
    """
    if max_bytes < MIN_BYTES:
        raise ValueError(f"max_bytes must be at least {MIN_BYTES}, not {max_bytes}")
    cleaned = _clean(name, max_bytes)
    if not cleaned:
        cleaned = _clean(default, max_bytes) or _clean("file", max_bytes)
    return cleaned


def _clean(name: str, max_bytes: int) -> str:
    """`safe_filename` without the default: "" when nothing safe is left."""
    text = unicodedata.normalize("NFC", str(name))
    # Again after dropping: a dropped character between a letter and its accent kept them apart.
    text = unicodedata.normalize("NFC", "".join(" " if c.isspace() else c for c in text if _kept(c)))
    text = _strip_ends(text)
    text = _WHITESPACE_RUN.sub(WHITESPACE_REPLACEMENT, text)
    text = _fit(text, max_bytes)
    if _is_reserved(text):
        text = _fit(RESERVED_PREFIX + text, max_bytes)
    return text


def _kept(c: str) -> bool:
    if c.isspace():  # tabs and newlines are controls too, but they separate words: `_`
        return True
    if c in DROPPED_CHARACTERS:
        return False
    return c in KEPT_FORMAT_CHARACTERS or unicodedata.category(c) not in DROPPED_CATEGORIES


def _strip_ends(text: str) -> str:
    # Alternate until stable: stripping `. -x. ` at one end can expose more at the other only
    # when the name is all dots and spaces, which then ends up empty.
    while True:
        stripped = _TRAILING.sub("", _LEADING.sub("", text))
        if stripped == text:
            return text
        text = stripped


def _is_reserved(name: str) -> bool:
    # Windows looks at the part before the first dot, ignoring trailing spaces: `con .txt`.
    return name.split(".", 1)[0].rstrip(" ").upper() in RESERVED_NAMES


def _fit(name: str, max_bytes: int) -> str:
    """`name` cut to `max_bytes` of UTF-8 between two characters, its extension kept."""
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".")
    ext_bytes = len(ext.encode("utf-8")) + 1
    if not (dot and stem and ext_bytes <= min(_MAX_EXTENSION_BYTES, max_bytes // 3)):
        stem, ext, ext_bytes = name, "", 0
    stem = _cut(stem, max_bytes - ext_bytes)
    # The cut may end on a dot or a space; the stem's first character is neither, so
    # something is always left.
    stem = _TRAILING.sub("", stem)
    return f"{stem}.{ext}" if ext else stem


def _cut(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` that fits in `max_bytes` of UTF-8, never half a character."""
    # errors="ignore" drops the trailing bytes of a character cut in the middle.
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


# --- URLs ---------------------------------------------------------------------------------

#: Hex digits of sha256(url) in `url_filename`: 40 bits, so two URLs of one page collide with
#: odds of one in a trillion, and the name stays readable.
HASH_HEX_DIGITS = 10

#: What the readable part of `url_filename` is made of: letters, marks (so that Devanagari vowel
#: signs and Arabic harakat stay with their letters), digits and `_`; everything else is `-`.
_SLUG_CATEGORIES = ("L", "M", "N")


def url_filename(url: str, *, ext: str | None = None, max_bytes: int = 120) -> str:
    """`{host}_{path-slug}-{hash}{.ext}`: a stable, readable, unique name for `url`.

    The slug is the path and query, percent-decoded, with every run of characters other than
    letters, marks, digits and `_` turned into `-`; the host is lower-case without `www.` or
    port. The hash (the first 10 hex digits of sha256 of the URL exactly as given) keeps apart
    URLs that slug alike (`/a-b` and `/a/b`, or two URLs differing only in case on a
    case-insensitive disk); the slug is shortened, never the hash. `ext` is given without a dot
    (`"jpg"`), or None for no extension; when the path already ends in it, it is not repeated
    in the slug (`photo.jpg` -> `photo-HASH.jpg`, not `photo-jpg-HASH.jpg`).
    """
    digest = hashlib.sha256(url.encode("utf-8", errors="surrogatepass")).hexdigest()[:HASH_HEX_DIGITS]
    extension = _safe_extension(ext)
    suffix = f"-{digest}" + (f".{extension}" if extension else "")
    if max_bytes < len(suffix) + MIN_BYTES:
        raise ValueError(f"max_bytes must be at least {len(suffix) + MIN_BYTES} for this URL name")
    host, path = _host_and_path(url)
    if extension and path.lower().endswith("." + extension):
        path = path[: -len(extension) - 1]
    slug = _slug(path)
    readable = f"{host}_{slug}" if host and slug else host or slug or "url"
    readable = _LEADING.sub("", _cut(readable, max_bytes - len(suffix)).rstrip("-.")) or "url"
    return safe_filename(readable + suffix, max_bytes=max_bytes)


def _host_and_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:  # "http://[x": not a URL, but still owed a name
        return "", url
    if host.startswith("www."):
        host = host[4:]
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not parts.scheme and not parts.netloc:
        path = url
    return _slug(host, keep="."), unquote(path, errors="replace")


def _slug(text: str, keep: str = "") -> str:
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for c in text:
        if c == "_" or c in keep or unicodedata.category(c).startswith(_SLUG_CATEGORIES):
            out.append(c)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-.")


def _safe_extension(ext: str | None) -> str | None:
    if not ext:
        return None
    ext = ext.strip().lstrip(".").lower()
    return ext if _URL_EXTENSION.fullmatch(ext) else None


# --- Content-Disposition ------------------------------------------------------------------

#: RFC 7230 token characters (the disposition type and parameter names).
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_DISPOSITION_TYPE = re.compile(rf"\s*({_TOKEN})\s*(?=;|$)")
#: One `; name=value` parameter; the value is a quoted-string (with `\x` escapes) or a token.
#: Real servers put spaces and non-ASCII in unquoted values, so "token" here is anything up to
#: the next `;`.
_PARAMETER = re.compile(
    rf"""\s*;\s*(?P<name>{_TOKEN})\s*=\s*
    (?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<token>[^;"]*?))\s*(?=;|$)""",
    re.VERBOSE | re.DOTALL,
)
#: RFC 5987 ext-value: charset'language'percent-encoded-bytes.
_EXT_VALUE = re.compile(r"(?P<charset>[!#$%&+^_`{}~0-9A-Za-z-]+)'(?P<lang>[^']*)'(?P<value>.*)", re.DOTALL)
#: The charsets RFC 5987 section 3.2.1 requires recipients to support.
_EXT_CHARSETS = frozenset({"utf-8", "iso-8859-1"})


def filename_from_content_disposition(value: str) -> str | None:
    """The file name a `Content-Disposition` header suggests, made safe; None if it has none.

    RFC 6266: `filename*` (RFC 5987: `UTF-8''%e2%82%ac%20rates.pdf`) wins over `filename`,
    which recipients that understand both must ignore (section 4.3). Only the last path
    segment is kept (section 4.3: "recipients MUST NOT be able to write into any location
    other than one to which they are specifically entitled"), so `../../etc/passwd` gives
    `passwd`. A header that does not parse (no disposition type, an unterminated quote) or names
    nothing usable gives None, and the caller names the file after its URL.
    """
    if not isinstance(value, str):
        return None
    value = value.strip().rstrip(";")  # `attachment; filename=a.pdf;` is common and harmless
    head = _DISPOSITION_TYPE.match(value)
    if head is None:
        return None
    params: dict[str, str] = {}
    pos = head.end()
    while pos < len(value):
        m = _PARAMETER.match(value, pos)
        if m is None:
            return None
        name = m.group("name").lower()
        raw = m.group("quoted")
        raw = re.sub(r"\\(.)", r"\1", raw, flags=re.DOTALL) if raw is not None else m.group("token")
        params.setdefault(name, raw)  # a repeated parameter: the first one counts
        pos = m.end()
    candidates = [_decode_ext_value(params["filename*"]) if "filename*" in params else None]
    if "filename" in params:
        candidates.append(_fix_raw_utf8(params["filename"]))
    for candidate in candidates:
        if candidate is None:
            continue
        last = re.split(r"[/\\]", candidate.strip())[-1]
        name = _clean(last, 120)
        if name:
            return name
    return None


def _decode_ext_value(value: str) -> str | None:
    m = _EXT_VALUE.fullmatch(value.strip())
    if m is None:
        return None
    charset = m.group("charset").lower()
    try:
        if charset not in _EXT_CHARSETS and codecs.lookup(charset).name not in ("utf-8", "iso8859-1"):
            return None
        return unquote_to_bytes(m.group("value")).decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def _fix_raw_utf8(value: str) -> str:
    """Undo the common mojibake of a `filename=` value sent as raw UTF-8 and read as Latin-1.

    RFC 6266 wants non-ASCII in `filename*`, but many servers send UTF-8 bytes in `filename`,
    and an HTTP client hands header bytes over as Latin-1 (`â\x82¬` for `€`). Browsers decode
    those bytes as UTF-8 when they are valid UTF-8; so do we.
    """
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


# --- extensions ---------------------------------------------------------------------------


def extension_for(content_type: str | None, url: str | None = None) -> str:
    """The extension (without a dot) for a body of `content_type` fetched from `url`.

    The media type decides when `MEDIA_EXTENSIONS` (or a `+json`/`+xml` suffix) knows it.
    Otherwise the URL path's own extension is reused when it is short and plain (`[a-z0-9]`,
    1-8 characters), after `EXTENSION_ALIASES`, unless it is in `UNSAFE_EXTENSIONS` (runs on a
    double click) or `SERVER_PAGE_EXTENSIONS` (says nothing about the body). Else "bin".
    """
    if content_type:
        media = content_type.split(";", 1)[0].strip().lower()
        if media in MEDIA_EXTENSIONS:
            return MEDIA_EXTENSIONS[media]
        for suffix, ext in SUFFIX_EXTENSIONS.items():
            if media.endswith(suffix):
                return ext
    if url:
        try:
            path = urlsplit(url).path
        except ValueError:
            path = ""
        last = unquote(path.rsplit("/", 1)[-1])
        if "." in last:
            ext = last.rsplit(".", 1)[1].lower()
            ext = EXTENSION_ALIASES.get(ext, ext)
            if _URL_EXTENSION.fullmatch(ext) and ext not in _NOT_FROM_URL:
                return ext
    return "bin"


# --- bodies saved as they came ------------------------------------------------------------

#: Extensions under which a browser or a desktop runs what the file holds when it is opened:
#: a page (its scripts run from file://, and it may load anything), a script that Windows hands
#: to its script host on a double click. A body saved as it came (not a readable copy) never
#: gets one of these, nor an `UNSAFE_EXTENSIONS` one: whatever the server's name or type says,
#: it is kept under `.bin` (the WARC has it as served). SVG is an image, kept as `.svg`.
ACTIVE_EXTENSIONS = frozenset({"html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "js", "mjs"})

#: Signatures of the formats a cited file usually is (WHATWG MIME Sniffing, sections 6.1-6.2):
#: (offset, bytes, media type). What a body with no Content-Type is, as a browser would tell.
SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WEBP", "image/webp"),  # after "RIFF" and a length
    (0, b"\x00\x00\x01\x00", "image/x-icon"),
    (4, b"ftyp", "video/mp4"),  # an ISO BMFF box (MP4, MOV, M4A, HEIC: mp4 reads the most)
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
    (0, b"OggS\x00", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\x1f\x8b\x08", "application/gzip"),
    (0, b"wOFF", "font/woff"),
    (0, b"wOF2", "font/woff2"),
)

#: WHATWG's "binary data bytes": no text (HTML included) holds them.
_BINARY_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])


def sniff_media_type(head: bytes) -> str | None:
    """The media type of a body that came without one, from its first bytes: a known signature,
    else `application/octet-stream` when it holds binary bytes, else None (text, maybe HTML).

    A server that sends a PDF or a JPEG without a Content-Type is common (a bare file server, a
    misconfigured CDN); taken for HTML, such a body would get a "readable copy" of its bytes.
    """
    for offset, magic, media in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return media
    if any(byte in _BINARY_BYTES for byte in head):
        return "application/octet-stream"
    return None


def _type_extension(content_type: str | None) -> str | None:
    """The extension a media type names, or None when it says nothing (absent, unknown, or
    `application/octet-stream`: "some bytes")."""
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media in MEDIA_EXTENSIONS:
        return MEDIA_EXTENSIONS[media]
    return next((ext for suffix, ext in SUFFIX_EXTENSIONS.items() if media.endswith(suffix)), None)


def _own_extension(name: str) -> str | None:
    """The extension of a suggested name, when it is one (`report.pdf`, not `report.2015`)."""
    stem, dot, ext = name.rpartition(".")
    ext = EXTENSION_ALIASES.get(ext.lower(), ext.lower())
    if not (dot and stem and _URL_EXTENSION.fullmatch(ext) and any(c.isalpha() for c in ext)):
        return None
    return ext


def saved_name(given: str | None, content_type: str | None, url: str) -> str:
    """The file name of a body saved as it came: the server's suggested name (`given`, already
    made safe by `filename_from_content_disposition`) or else one from the URL, with the
    extension of what the body is.

    The media type decides the extension when it names one: a PDF suggested as `evil.html` is
    `evil.pdf` (opened as a page, its bytes could run script; the name lies). Else the suggested
    name's own extension, else the URL's (`extension_for`). Never an `ACTIVE_EXTENSIONS` or
    `UNSAFE_EXTENSIONS` one: those become `bin`.
    """
    own = _own_extension(given) if given else None
    ext = _type_extension(content_type)
    if ext is None:
        ext = own if own is not None and own not in _NOT_FROM_URL else extension_for(None, url)
    if ext in ACTIVE_EXTENSIONS or ext in UNSAFE_EXTENSIONS:
        ext = "bin"
    if not given:
        return url_filename(url, ext=ext)
    if own == ext:
        return given
    stem = given.rpartition(".")[0] if own is not None else given
    return safe_filename(f"{stem}.{ext}")
