"""Headless Chromium for the tests that open what the tool writes (they skip without it)."""

from __future__ import annotations

import shutil
from pathlib import Path


def chromium() -> str | None:
    """The Chromium on PATH (Debian's `chromium`, else `chromium-browser`), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def offline_command(browser: str, profile: Path, *extra: str) -> list[str]:
    """Headless Chromium with every flag that would make it reach the network on its own off:
    what it shows comes from the page alone. `extra` goes before the caller's own arguments."""
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *extra,
    ]
