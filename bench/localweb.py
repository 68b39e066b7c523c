"""What the benchmarks share: the local web in a child process, and measuring the tool.

The local web runs in its own process (each bench script's `--serve` mode), so that its CPU is
not counted as the tool's; it prints one JSON line, `{"proxy": URL, "ca": PATH}`, when it is
ready. The tool runs as a real process behind that proxy, with the environment of a user
behind it (`clean_env`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def clean_env() -> dict[str, str]:
    """This process's environment without proxy variables, with the repository importable."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


class WebProcess:
    """`with WebProcess(argv) as web:` the local web started by `argv`, stopped on exit."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.proc: subprocess.Popen[str] | None = None
        self.proxy = ""
        self.ca = ""

    def __enter__(self) -> WebProcess:
        self.proc = subprocess.Popen(
            self.argv, cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True, env=clean_env()
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the local web did not start")
        info = json.loads(line)
        self.proxy, self.ca = info["proxy"], info["ca"]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def control(self, path: str) -> dict[str, Any]:
        """The web's own control endpoint `/_web/PATH` (stats, reset), asked directly."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.proxy}/_web/{path}", timeout=60) as response:
            body = response.read()
        data: dict[str, Any] = json.loads(body) if body.strip() else {}
        return data

    def stats(self) -> dict[str, Any]:
        """The web's counters (requests and tunnels, per host)."""
        return self.control("stats")


def group_pss(pgid: int) -> int:
    """PSS bytes of every process in a process group (the tool and any worker it starts)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) != pgid:
                continue
            text = Path(f"/proc/{entry}/smaps_rollup").read_text()
        except (OSError, ProcessLookupError):
            continue
        m = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
        if m:
            total += int(m.group(1)) * 1024
    return total


__all__ = ["REPO", "WebProcess", "clean_env", "group_pss"]
