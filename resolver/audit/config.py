"""The audit's configuration file: `resolver.toml`, else `[tool.resolver]` in `pyproject.toml`.

    exclude = ["^https?://localhost", "example\\.com/private/"]   # URLs not checked
    per_host = 2                                                  # requests in flight per host

    [hosts."web.archive.org"]                                     # a host and its subdomains:
    limit = 1                                                     #   requests in flight
    interval = 2.0                                                #   seconds between two starts
    headers = { Cookie = "session=...", "Accept-Language" = "pt" } #  sent to it (and only to it)

    [[overrides]]                                                 # verdicts the user knows better
    pattern = "paywalled\\.example"
    verdict = "alive"

In `pyproject.toml` the same keys sit under `[tool.resolver]` (`[tool.resolver.hosts."..."]`,
`[[tool.resolver.overrides]]`). The file is looked for in the current folder (`--config FILE`
names another); neither its parents nor the inputs' folders are searched, so a command means
the same wherever its inputs are. When both files are there, `resolver.toml` wins (the
`pyproject.toml` is not read). Command-line options win over the file. A file that cannot be
read or holds an unknown key, a value of the wrong type, a bad pattern or verdict is a usage
error: one line, exit 2.
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
HOST_KEYS = frozenset({"limit", "interval", "headers"})
OVERRIDE_KEYS = frozenset({"pattern", "verdict"})


@dataclass(frozen=True, slots=True)
class AuditConfig:
    source: str | None = None  #: the file it came from (None: no file)
    exclude: tuple[str, ...] = ()
    per_host: int | None = None
    host_limits: dict[str, int] = field(default_factory=dict)
    host_intervals: dict[str, float] = field(default_factory=dict)
    host_headers: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
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
            tool = data.get("tool", {})
            data = tool.get("resolver") if isinstance(tool, dict) else None
            if data is None:
                continue
            if not isinstance(data, dict):
                raise UsageError(f"{candidate}: tool.resolver is a table ([tool.resolver])")
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
    # TOML's `true` is a bool, which Python also counts as an int: not a number of requests.
    if per_host is not None and (not isinstance(per_host, int) or isinstance(per_host, bool) or per_host < 1):
        raise UsageError(f"{source}: per_host is a whole number of at least 1")
    limits: dict[str, int] = {}
    intervals: dict[str, float] = {}
    headers: dict[str, tuple[tuple[str, str], ...]] = {}
    hosts = data.get("hosts", {})
    if not isinstance(hosts, dict):
        raise UsageError(f'{source}: hosts is a table of hosts ([hosts."example.com"])')
    for host, settings in hosts.items():
        name = host.lower().strip(".")
        if not isinstance(settings, dict):
            raise UsageError(f'{source}: hosts."{host}" is a table (limit, interval, headers)')
        unknown_keys = set(settings) - HOST_KEYS
        if unknown_keys:
            raise UsageError(
                f'{source}: hosts."{host}": unknown setting {", ".join(sorted(unknown_keys))} '
                f"(known: {', '.join(sorted(HOST_KEYS))})"
            )
        if "limit" in settings:
            limit = settings["limit"]
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise UsageError(f'{source}: hosts."{host}".limit is a whole number of at least 1')
            limits[name] = limit
        if "interval" in settings:
            interval = settings["interval"]
            number = isinstance(interval, int | float) and not isinstance(interval, bool)
            if not number or not 0 <= interval <= 3600:
                raise UsageError(f'{source}: hosts."{host}".interval is a number of seconds (0 to 3600)')
            intervals[name] = float(interval)
        if "headers" in settings:
            headers[name] = _headers(settings["headers"], f'{source}: hosts."{host}".headers')
    overrides = []
    rows = data.get("overrides", [])
    if not isinstance(rows, list):
        raise UsageError(f"{source}: overrides is a list of tables ([[overrides]]: a pattern and a verdict)")
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("pattern"), str) or "verdict" not in row:
            raise UsageError(f"{source}: each override has a pattern and a verdict")
        # A misspelt key (`verdit`, `reason`) would otherwise be ignored in silence.
        unknown_keys = set(row) - OVERRIDE_KEYS
        if unknown_keys:
            raise UsageError(
                f"{source}: override {row['pattern']!r}: unknown setting {', '.join(sorted(unknown_keys))} "
                f"(known: {', '.join(sorted(OVERRIDE_KEYS))})"
            )
        try:
            verdict = AuditVerdict(row.get("verdict"))
        except ValueError:
            known = ", ".join(v.value for v in AuditVerdict)
            raise UsageError(
                f"{source}: override verdict {row.get('verdict')!r} is not one of {known}"
            ) from None
        overrides.append((_compile(row["pattern"], source), verdict))
    return AuditConfig(source, tuple(exclude), per_host, limits, intervals, headers, tuple(overrides))


#: A header name is an RFC 9110 token; a value is visible ASCII or Latin-1 and spaces (no line
#: breaks: a value must never smuggle a second header in).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
#: Headers the tool owns: sending another would lie about the body or break the connection.
_RESERVED = frozenset({"host", "content-length", "transfer-encoding", "connection", "accept-encoding"})


def _headers(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise UsageError(f"{where} is a table of header names and values")
    pairs = []
    for name, text in value.items():
        if not _TOKEN.fullmatch(name):
            raise UsageError(f"{where}: {name!r} is not a header name")
        if name.lower() in _RESERVED:
            raise UsageError(f"{where}: {name} is set by the tool itself")
        if not isinstance(text, str) or not _VALUE.fullmatch(text):
            raise UsageError(f"{where}.{name}: a value is one line of text (Latin-1)")
        pairs.append((name, text.strip()))
    return tuple(pairs)


def _compile(pattern: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"{source}: {pattern!r} is not a regular expression ({exc})") from None


__all__ = ["AuditConfig", "load_config"]
