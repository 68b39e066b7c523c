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

import codecs
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
#: Error answers whose page is read too: bot walls answer 403, 405 (AWS WAF's CAPTCHA), 429
#: and 503 (Cloudflare's and Akamai's challenge and block pages), and such a page makes the
#: link `blocked`, not dead nor a server error. A 404 or 410 says all there is to say.
_ERROR_PAGES_READ = frozenset(range(400, 600)) - {404, 410}


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
        status = response.status_code
        if not (200 <= status < 300 or status in _ERROR_PAGES_READ) or media not in _HTML:
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
    decoder = decoder_for_encoding(headers.get("content-encoding"))
    if decoder is False:
        # An encoding we did not ask for (br, zstd sent anyway): its bytes read as text would be
        # noise for the matchers and the sibling comparison. The headers still count.
        return ""
    try:
        data = decoder.decompress(raw, limit) if decoder is not None else raw[:limit]
    except zlib.error:
        data = b""
    return html_text(data, headers.get("content-type"))


def html_text(data: bytes, content_type: str | None) -> str:
    """The start of an HTML page as text, its charset found as a browser finds it.

    Pages mislabel and omit charsets all the time: valid UTF-8 wins (a page labelled latin-1
    that is UTF-8 is common; the reverse does not decode), then the header's charset, then a
    `<meta charset>` (old Russian and Japanese sites declare windows-1251 or Shift_JIS only
    there), then detection. Without this a not-found page in windows-1251 read as UTF-8 says
    nothing (its "Страница не найдена" turns into replacement characters).
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    try:
        # Not final: a sample cut in the middle of a character is still UTF-8.
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        pass
    from resolver.inputs import _declared_encoding, _detect

    # UTF-8 did not decode: a header or <meta> that says UTF-8 is wrong (Apache's
    # `AddDefaultCharset UTF-8` in front of latin-1 pages), so the next witness is asked.
    encoding = _declared_encoding(data, is_html=True, content_type=content_type)
    if encoding in (None, "utf-8"):
        encoding = _declared_encoding(data, is_html=True, content_type=None)
    if encoding in (None, "utf-8"):
        encoding = _detect(data)
    if encoding:
        try:
            return data.decode(encoding, errors="replace")
        except LookupError:
            pass
    return decode_text(data, content_type)


__all__ = ["MEMO", "SAMPLE_BYTES", "PageSampler", "html_text"]
