"""The steps after the merge that need the whole updated project: migrations and re-locking.

They run on a copy of the project's tracked files with the merged files already
written, in temporary space: a failing migration or lock leaves the project
untouched, a dry run shows their effect in its diff, and what they change is
applied with the rest of the update, in the same atomic step.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from mlplate import gitrepo, lockfile
from mlplate.errors import MlplateError
from mlplate.update.apply import Write

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class LockOutcome:
    """What happened to uv.lock: regenerated, unchanged, skipped or failed, and why."""

    status: str
    reason: str = ""


def copy_project(root: Path, writes: dict[str, Write], dest: Path) -> list[str]:
    """Copy the tracked files of `root` into `dest`, then apply `writes`; returns the tracked."""
    tracked = gitrepo.tracked_files(root)
    for rel in tracked:
        source = root / rel
        if not source.is_file() or source.is_symlink():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for rel, write in writes.items():
        target = dest / rel
        if write.content is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(write.content)
        if write.executable is not None:
            os.chmod(target, 0o755 if write.executable else 0o644)
    return tracked


def collect(root: Path, copy: Path, paths: list[str]) -> dict[str, Write]:
    """Every difference between the copy and the project: the writes that make one the other."""
    writes: dict[str, Write] = {}
    in_copy = {p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()}
    for rel in sorted(set(paths) | in_copy):
        mine, theirs = root / rel, copy / rel
        if rel not in in_copy:
            if mine.is_file():
                writes[rel] = Write(None)
            continue
        content = theirs.read_bytes()
        executable = bool(theirs.stat().st_mode & 0o111)
        if mine.is_file() and mine.read_bytes() == content:
            if bool(mine.stat().st_mode & 0o111) == executable:
                continue
        writes[rel] = Write(content, executable)
    return writes


def relock(root: Path, copy: Path, *, conflicted: bool) -> LockOutcome:
    """Re-lock the copy with uv when its pyproject.toml changed; never merge uv.lock as text."""
    mine, theirs = root / PYPROJECT, copy / PYPROJECT
    if not (root / lockfile.LOCKFILE).is_file():
        return LockOutcome("skipped", "the project has no uv.lock")
    if mine.is_file() and theirs.is_file() and mine.read_bytes() == theirs.read_bytes():
        return LockOutcome("unchanged", "pyproject.toml did not change")
    if conflicted:
        return LockOutcome(
            "skipped", "pyproject.toml has conflict markers: run `uv lock` once they are resolved"
        )
    try:
        lockfile.lock(copy)
    except MlplateError as error:
        shutil.copy2(root / lockfile.LOCKFILE, copy / lockfile.LOCKFILE)
        return LockOutcome("failed", f"{error} (uv.lock left as it was: run `uv lock`)")
    if (copy / lockfile.LOCKFILE).read_bytes() == (root / lockfile.LOCKFILE).read_bytes():
        return LockOutcome("unchanged", "uv lock found nothing to change")
    return LockOutcome("regenerated", "re-locked with uv from the merged pyproject.toml")
