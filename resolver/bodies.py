"""Reading HTTP bodies and headers safely: bounded, decoded by the tool, never whole in memory.

httpx would inflate a gzip body in one go (`response.read()` of a 1 GiB gzip bomb is 1 GiB
of RAM), so every network stage asks for the raw bytes and decodes them here, a bounded
window at a time, with the helpers below.
"""

from __future__ import annotations

import email.utils
import time
import zlib
from typing import Any

import httpx


def content_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or headers.get("transfer-encoding"):
        return None
    try:
        return int(value.split(",")[0])
    except ValueError:
        return None


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def decoder_for(response: httpx.Response) -> Any:
    return decoder_for_encoding(response.headers.get("content-encoding"))


def decoder_for_encoding(encoding: str | None) -> Any:
    """A bounded decoder (`.decompress(data, max_length)`) for a Content-Encoding value: None
    for none (identity), False for an encoding we did not ask for."""
    encoding = (encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return Deflate()
    return False  # an encoding we did not ask for: do not look inside


class Deflate:
    """`deflate` is zlib-wrapped by the RFC and raw in the wild; try one, then the other."""

    def __init__(self) -> None:
        self._inner: Any = zlib.decompressobj()
        self._first = True

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._first:
            self._first = False
            try:
                return self._inner.decompress(data, max_length)
            except zlib.error:
                self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inner.decompress(data, max_length)


async def read_bounded(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """The decoded body, up to `limit` bytes, and whether that was all of it.

    A body in an encoding we did not ask for gives (b"", False): nothing is decoded blindly.
    """
    decoder = decoder_for(response)
    if decoder is False:
        return b"", False
    buffer = bytearray()
    try:
        async for chunk in response.aiter_raw():
            room = limit + 1 - len(buffer)
            buffer += decoder.decompress(chunk, room) if decoder is not None else chunk[:room]
            if len(buffer) > limit or (decoder is not None and getattr(decoder, "unconsumed_tail", b"")):
                return bytes(buffer[:limit]), False
    except zlib.error:
        return b"", False
    return bytes(buffer), True


def decode_text(data: bytes, content_type: str | None) -> str:
    """Bytes as text in the charset the Content-Type names (else UTF-8); bad bytes replaced."""
    charset = "utf-8"
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"'")
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


__all__ = [
    "Deflate",
    "content_length",
    "decode_text",
    "decoder_for",
    "decoder_for_encoding",
    "read_bounded",
    "retry_after",
]
