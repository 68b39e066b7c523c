"""Cache keys: one spelling for every way of writing the same URL.

`normalize_url` applies only the normalizations that cannot change what a server sees
(RFC 3986 §6.2.2 syntax-based normalization, and the scheme-based steps of §6.2.3), so two
spellings share a cache entry only when they name the same resource:

- scheme and host lower-cased (§6.2.2.1); a non-ASCII host IDNA-encoded to punycode, so that
  `bücher.de` and `xn--bcher-kva.de` are one key (IDNA 2008, as httpx encodes the host it
  connects to: the key must name the host that is fetched);
- the default port dropped (§6.2.3), and an empty one (`http://host:/`);
- the fragment dropped: it never reaches the server;
- an empty path becomes `/` (§6.2.3: `http://t.co` and `http://t.co/` are one request);
- percent-encoding: triplets of unreserved characters decoded, other triplets' hex digits
  upper-cased (§6.2.2.1, §6.2.2.2).

Everything else is kept exactly: the path's case and the query (t.co codes and query values are
case-sensitive), dot segments, `+`, empty queries (`?`), user info and trailing dots.
The result is a key, not a URL to request: fetch the URL as written.
"""

from __future__ import annotations

import re

import idna

__all__ = ["DEFAULT_PORTS", "normalize_url"]

#: Ports a scheme implies (RFC 7230 §2.7.1 for http/https, RFC 6455 §3 for ws/wss, RFC 1738 for ftp).
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

# RFC 3986 Appendix B, with the scheme held to its §3.1 grammar: no scheme, no key.
_URI_RE = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?://(?P<authority>[^/?#]*))?(?P<path>[^?#]*)"
    r"(?:\?(?P<query>[^#]*))?(?:#.*)?",
    re.DOTALL,
)
_TRIPLET_RE = re.compile(r"%[0-9A-Fa-f]{2}")
_LONE_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PORT_RE = re.compile(r"[0-9]{1,5}")
# What an IDNA-encoded host may hold: letters, digits, hyphens, dots (and "_", which real
# hosts carry). The codec's NFKC mapping can turn a full-width "／" or "＠" into a delimiter,
# which would move the host boundary: such hosts are garbage, not keys.
_IDNA_HOST_RE = re.compile(r"[a-z0-9_.\-]+")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def normalize_url(url: str) -> str:
    """The cache key of `url`; garbage (no scheme, a bad port or host) comes back stripped."""
    text = url.strip()
    try:
        normalized = _normalize(text)
    except (UnicodeError, ValueError):  # the IDNA codec's complaints: not a host, so not a key
        return text
    return text if normalized is None else normalized


def _normalize(text: str) -> str | None:
    match = _URI_RE.fullmatch(text)
    if match is None:
        return None
    scheme = match["scheme"].lower()
    out = [scheme, ":"]
    authority = match["authority"]
    path = _percent(match["path"])
    if authority is not None:
        normalized = _authority(authority, scheme)
        if normalized is None:
            return None
        out += ["//", normalized]
        # §6.2.3: with an authority, an empty path and "/" are the same request.
        path = path or "/"
    out.append(path)
    if match["query"] is not None:
        out += ["?", _percent(match["query"])]
    # Whitespace that stood before a dropped fragment ("https://t.co/x #top") is now at the end.
    return "".join(out).rstrip()


def _authority(authority: str, scheme: str) -> str | None:
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):  # an IP literal (§3.2.2): "[::1]" or "[::1]:8080"
        end = hostport.find("]")
        if end < 0:
            return None
        host, rest = hostport[: end + 1].lower(), hostport[end + 1 :]
        if "[" in host[1:] or (rest and not rest.startswith(":")):
            return None
        port = rest[1:] if rest else None
    else:
        host, colon, port_text = hostport.partition(":")
        port = port_text if colon else None
        if "]" in host:
            return None
        if host.isascii():
            host = _percent(host, lower=True)
        else:
            # IDNA 2008 through the `idna` package, lower-cased first: exactly what httpx does
            # with the host it connects to, so one key is one host. Python's "idna" codec is
            # IDNA 2003, which maps "ß" to "ss" and a final "ς" to "σ", drops joiners and folds
            # full-width letters: `faß.de` (xn--fa-hia.de to httpx and to today's browsers)
            # shared the key of `fass.de`, and a name httpx refuses (invalid-url) took the key
            # of an ASCII host, so each could be served the other's result (and a redirect
            # from one to the other looked like a loop to the expander, which keys hops so).
            # A host the package refuses raises IDNAError, a UnicodeError: no key, see above.
            host = idna.encode(host.lower()).decode("ascii").lower()
            if not _IDNA_HOST_RE.fullmatch(host):
                return None
    if port:
        if not _PORT_RE.fullmatch(port) or int(port) > 65535:
            return None
        number = int(port)  # "0080" is port 80
        port = None if DEFAULT_PORTS.get(scheme) == number else str(number)
    userinfo = _percent(userinfo) + at
    return f"{userinfo}{host}:{port}" if port else f"{userinfo}{host}"


def _percent(text: str, *, lower: bool = False) -> str:
    """§6.2.2.1/§6.2.2.2: decode unreserved triplets, upper-case the others' hex digits.

    A lone "%" (not followed by two hex digits) turns off the decoding for that component: a
    decoded digit could pair with it into a new triplet ("%%34%31" would become "%41"), and the
    key would change again on a second pass. Upper-casing alone never creates a triplet.
    `lower` lower-cases everything but the triplets (for hosts).
    """
    if "%" not in text:
        return text.lower() if lower else text
    decode = _LONE_PERCENT_RE.search(text) is None
    pieces: list[str] = []
    start = 0
    for match in _TRIPLET_RE.finditer(text):
        between = text[start : match.start()]
        pieces.append(between.lower() if lower else between)
        char = chr(int(match.group()[1:], 16))
        if decode and char in _UNRESERVED:
            pieces.append(char.lower() if lower else char)
        else:
            pieces.append(match.group().upper())
        start = match.end()
    tail = text[start:]
    pieces.append(tail.lower() if lower else tail)
    return "".join(pieces)
