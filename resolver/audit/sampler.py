"""What the audit reads of each page: its first KBs, turned at once into small `PageFacts`.

The expansion engine reads only what it needs to follow a chain (16 KB of an HTML body).
The audit needs a little more of the page the chain ends on: its title, headings, the start
of its text and its scripts' markers (for soft-404, parked-domain and bot-wall signals). The
sampler sits in the engine's recorder seam: for an HTML answer it reads the first
`SAMPLE_BYTES` (decoded if compressed, bounded: no bomb inflates), keeps its `PageFacts`
(a few KB; the markup sample at most 64 KB) in a small bounded memo keyed by URL, and hands
the engine a response that replays what was read. Other answers pass through untouched.
Bodies are never kept: a run over 100,000 links holds at most `MEMO` facts.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import OrderedDict

import httpx

from resolver.audit.signals import PageFacts, page_facts
from resolver.bodies import decode_text, decoder_for_encoding

#: How much of an HTML page is read: enough for the head, the headings and the first text.
SAMPLE_BYTES = 64 * 1024
#: Page facts kept at once (the most recent). A page's facts are read by the audit as soon as
#: its chain ends, so only the chains in flight need theirs kept (a few hundred at most); a
#: short link whose target is also cited reads them again a moment later. Each holds up to
#: SAMPLE_BYTES of markup: this bounds the sampler's memory whatever the size of the run.
MEMO = 512
_HTML = ("text/html", "application/xhtml+xml", "")


class PageSampler:
    """A recorder for the engine (`Expander(recorder=...)`) that keeps `PageFacts`."""

    def __init__(self, *, sample_bytes: int = SAMPLE_BYTES, memo: int = MEMO) -> None:
        self.sample_bytes = sample_bytes
        self.memo = memo
        self._facts: OrderedDict[str, PageFacts] = OrderedDict()

    async def exchange(
        self, url: str, request: httpx.Request, response: httpx.Response, sent_at: dt.datetime
    ) -> httpx.Response:
        media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if not (200 <= response.status_code < 300) or media not in _HTML:
            return response
        raw = bytearray()
        async for chunk in response.aiter_raw():
            raw += chunk
            if len(raw) >= self.sample_bytes:
                break
        text = _decode(bytes(raw), response.headers, self.sample_bytes)
        headers = {k.lower(): v for k, v in response.headers.items()}
        self._keep(url, page_facts(url, url, response.status_code, headers, text))
        return httpx.Response(
            response.status_code,
            headers=list(response.headers.raw),
            stream=httpx.ByteStream(bytes(raw)),  # `content=` would count as already read
            request=request,
            extensions=dict(response.extensions),
        )

    def _keep(self, url: str, facts: PageFacts) -> None:
        self._facts[url] = facts
        self._facts.move_to_end(url)
        while len(self._facts) > self.memo:
            self._facts.popitem(last=False)

    def facts(self, url: str) -> PageFacts | None:
        return self._facts.get(url)


def _decode(raw: bytes, headers: httpx.Headers, limit: int) -> str:
    decoder = decoder_for_encoding(headers.get("content-encoding")) or None
    try:
        data = decoder.decompress(raw, limit) if decoder is not None else raw[:limit]
    except zlib.error:
        data = b""
    return decode_text(data, headers.get("content-type"))


__all__ = ["MEMO", "SAMPLE_BYTES", "PageSampler"]
