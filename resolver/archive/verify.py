"""`resolver verify`: is an archive folder still what its runs wrote? Offline, years later.

Checks, for one `NAME.archive/` folder:

- manifest.json reads, is a resolver manifest, and matches the SHA-256 it ends with (`changed`);
- every file the manifest lists exists, with its size and SHA-256 (`missing`, `changed`);
- every line of every run's SHA256SUMS matches its file (`sha256sums`);
- every WARC file's records read back with valid block and payload digests (`warc`);
- no file is there that the manifest does not list (`unexpected`).

Two findings do not make a folder "not intact", because they are what an interrupted run
leaves by design: files of an interrupted run that it had not committed yet (`uncommitted`:
the next `resolver archive` removes them and fetches those items again), and the temp files
of atomic writes (`leftover`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resolver.archive.archiver import MANIFEST, MANIFEST_VERSION, manifest_digest_problem
from resolver.fsutil import sha256_file

#: Findings that do not break the folder (see the module docstring).
BENIGN = frozenset({"uncommitted", "leftover"})


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  #: relative to the folder
    kind: str  #: missing | changed | unexpected | sha256sums | warc | manifest | uncommitted | leftover
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "problem": self.kind, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Report:
    folder: Path
    files: int  #: files checked against the manifest
    bytes: int
    problems: tuple[Problem, ...] = field(default=())

    @property
    def intact(self) -> bool:
        return all(p.kind in BENIGN for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "intact": self.intact,
            "files": self.files,
            "bytes": self.bytes,
            "problems": [p.to_json() for p in self.problems],
        }


def verify_folder(folder: Path) -> Report:
    problems: list[Problem] = []
    manifest_path = folder / MANIFEST
    try:
        raw = manifest_path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return Report(
            folder, 0, 0, (Problem(MANIFEST, "manifest", "no manifest.json: not an archive folder"),)
        )
    except (OSError, ValueError) as exc:
        return Report(folder, 0, 0, (Problem(MANIFEST, "manifest", f"cannot be read: {exc}"),))
    if not isinstance(manifest, dict) or manifest.get("manifest_version") != MANIFEST_VERSION:
        return Report(folder, 0, 0, (Problem(MANIFEST, "manifest", "not a resolver manifest of version 1"),))
    why = manifest_digest_problem(raw)
    if why is not None:
        problems.append(Problem(MANIFEST, "changed", why))
    files: dict[str, Any] = manifest.get("files") or {}
    checked = 0
    total = 0
    hashed: dict[str, str] = {}  #: path -> its sha256 as read now (each file is read once)
    for rel, info in sorted(files.items()):
        path = folder / rel
        if not _inside(folder, path):
            problems.append(Problem(rel, "manifest", "a path outside the folder"))
            continue
        if not path.is_file():
            problems.append(Problem(rel, "missing", "listed in the manifest, not on disk"))
            continue
        digest, size = sha256_file(path)
        hashed[rel] = digest
        checked += 1
        total += size
        if size != info.get("size") or digest != info.get("sha256"):
            problems.append(
                Problem(rel, "changed", f"sha256 {digest[:16]}…, {size:,} bytes; the manifest says "
                        f"{str(info.get('sha256'))[:16]}…, {info.get('size'):,} bytes")
            )  # fmt: skip
    incomplete = {run["id"] for run in manifest.get("runs", []) if not run.get("complete")}
    for run in manifest.get("runs", []):
        sums = run.get("sha256sums")
        if sums:
            problems += _check_sums(folder, sums, files, hashed)
        for warc in run.get("warc") or []:
            path = folder / warc
            if path.is_file() and _inside(folder, path):
                from resolver.archive.warc import check_warc

                problems += [Problem(warc, "warc", issue) for issue in check_warc(path)]
    listed = set(files) | {MANIFEST}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel in listed:
            continue
        if path.name.startswith(".tmp-") or path.name.endswith(".tmp"):
            problems.append(Problem(rel, "leftover", "a temp file of an interrupted write"))
        elif any(rel.startswith(f"runs/{run_id}/") for run_id in incomplete):
            problems.append(Problem(rel, "uncommitted", "written by an interrupted run, not committed"))
        else:
            problems.append(Problem(rel, "unexpected", "on disk, not in the manifest"))
    return Report(folder, checked, total, tuple(problems))


def _check_sums(folder: Path, sums: str, files: dict[str, Any], hashed: dict[str, str]) -> list[Problem]:
    """Every line of a run's SHA256SUMS against its file. A file that matches the manifest but
    not its line is intact: the line is what changed, and the finding names SHA256SUMS."""
    path = folder / sums
    if not path.is_file():
        return [Problem(sums, "missing", "the run's SHA256SUMS is gone")]
    problems = []
    base = path.parent
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        target = base / name
        rel = (Path(sums).parent / name).as_posix()
        if not name or not _inside(folder, target):
            problems.append(Problem(sums, "sha256sums", f"line {number} is malformed"))
        elif not target.is_file():
            problems.append(Problem(rel, "missing", f"listed in {sums}, not on disk"))
        else:
            actual = hashed.get(rel) or sha256_file(target)[0]
            if actual == digest.strip():
                continue
            listed = files.get(rel)
            if isinstance(listed, dict) and listed.get("sha256") == actual:
                problems.append(Problem(sums, "sha256sums", f"line {number}: a wrong digest for {name}"))
            else:
                problems.append(Problem(rel, "changed", f"does not match its line in {sums}"))
    return problems


def _inside(folder: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def render_report(report: Report, console: Any) -> None:
    """A line for the folder, then a line per finding (paths whole, never wrapped: people copy them)."""
    from rich.markup import escape

    state = "[green]intact[/green]" if report.intact else "[red]NOT intact[/red]"
    name = escape(str(report.folder))
    console.print(
        f"[bold]{name}[/bold]: {state}, {report.files} files, {report.bytes:,} bytes checked", soft_wrap=True
    )
    for problem in report.problems:
        colour = "yellow" if problem.kind in BENIGN else "red"
        detail = escape(problem.detail)
        console.print(
            f"  [{colour}]{problem.kind:<12}[/{colour}] {escape(problem.path)}  [dim]{detail}[/dim]",
            soft_wrap=True,
            highlight=False,
        )


__all__ = ["BENIGN", "Problem", "Report", "render_report", "verify_folder"]
