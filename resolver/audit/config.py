"""The audit's configuration file: `resolver.toml`, else `[tool.resolver]` in `pyproject.toml`.

    exclude = ["^https?://localhost", "example\\.com/private/"]   # URLs not checked
    per_host = 2                                                  # requests in flight per host

    [hosts."web.archive.org"]
    limit = 1                                                     # this host's own limit

    [[overrides]]                                                 # verdicts the user knows better
    pattern = "paywalled\\.example"
    verdict = "alive"

In `pyproject.toml` the same keys sit under `[tool.resolver]` (`[tool.resolver.hosts."..."]`,
`[[tool.resolver.overrides]]`). The file is looked for in the current folder (`--config FILE`
names another); command-line options win over it. A file that cannot be read or holds an
unknown key, a bad pattern or verdict is a usage error: one line, exit 2.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resolver.audit.model import AuditVerdict
from resolver.errors import UsageError

KNOWN_KEYS = frozenset({"exclude", "per_host", "hosts", "overrides"})


@dataclass(frozen=True, slots=True)
class AuditConfig:
    source: str | None = None  #: the file it came from (None: no file)
    exclude: tuple[str, ...] = ()
    per_host: int | None = None
    host_limits: dict[str, int] = field(default_factory=dict)
    overrides: tuple[tuple[re.Pattern[str], AuditVerdict], ...] = ()

    def override(self, url: str) -> tuple[AuditVerdict, str] | None:
        for pattern, verdict in self.overrides:
            if pattern.search(url):
                return verdict, f"set to {verdict.value} by {self.source} (pattern {pattern.pattern!r})"
        return None


def load_config(path: str | Path | None = None, *, cwd: Path | None = None) -> AuditConfig:
    """The configuration of `path`, else of `resolver.toml` or `pyproject.toml` in `cwd`."""
    folder = cwd or Path.cwd()
    if path is not None:
        candidates = [(Path(path), False)]
    else:
        candidates = [(folder / "resolver.toml", False), (folder / "pyproject.toml", True)]
    for candidate, nested in candidates:
        if not candidate.is_file():
            if path is not None:
                raise UsageError(f"--config {candidate}: no such file")
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"{candidate}: cannot read the configuration: {exc}") from None
        if nested or candidate.name == "pyproject.toml":
            data = data.get("tool", {}).get("resolver")
            if data is None:
                continue
        return _parse(data, str(candidate))
    return AuditConfig()


def _parse(data: dict[str, Any], source: str) -> AuditConfig:
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise UsageError(
            f"{source}: unknown setting {', '.join(sorted(unknown))} (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    exclude = data.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(p, str) for p in exclude):
        raise UsageError(f"{source}: exclude is a list of regular expressions")
    for pattern in exclude:
        _compile(pattern, source)
    per_host = data.get("per_host")
    if per_host is not None and (not isinstance(per_host, int) or per_host < 1):
        raise UsageError(f"{source}: per_host is a whole number of at least 1")
    limits: dict[str, int] = {}
    for host, settings in (data.get("hosts") or {}).items():
        limit = settings.get("limit") if isinstance(settings, dict) else None
        if not isinstance(limit, int) or limit < 1:
            raise UsageError(f"{source}: hosts.{host}.limit is a whole number of at least 1")
        limits[host.lower()] = limit
    overrides = []
    for row in data.get("overrides") or []:
        if not isinstance(row, dict) or not isinstance(row.get("pattern"), str):
            raise UsageError(f"{source}: each override has a pattern and a verdict")
        try:
            verdict = AuditVerdict(row.get("verdict"))
        except ValueError:
            known = ", ".join(v.value for v in AuditVerdict)
            raise UsageError(
                f"{source}: override verdict {row.get('verdict')!r} is not one of {known}"
            ) from None
        overrides.append((_compile(row["pattern"], source), verdict))
    return AuditConfig(source, tuple(exclude), per_host, limits, tuple(overrides))


def _compile(pattern: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"{source}: {pattern!r} is not a regular expression ({exc})") from None


__all__ = ["AuditConfig", "load_config"]
