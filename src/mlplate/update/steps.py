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
from mlplate.update.apply import Write, fingerprint_of

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class LockOutcome:
    """What happened to uv.lock: regenerated, unchanged, skipped or failed, and why."""

    status: str
    reason: str = ""


def copy_project(
    root: Path, writes: dict[str, Write], dest: Path
) -> tuple[list[str], dict[str, str | None]]:
    """Copy the tracked files of `root` into `dest` (symlinks as symlinks), then apply `writes`.

    Returns the tracked paths and the fingerprint of each as it was copied: what the
    steps' changes are based on, re-checked before they are written.
    """
    tracked = gitrepo.tracked_files(root)
    seen: dict[str, str | None] = {}
    for rel in tracked:
        source, target = root / rel, dest / rel
        if source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            link = os.readlink(source)
            os.symlink(link, target)
            seen[rel] = fingerprint_of(None, link=link)
            continue
        if not source.is_file():
            seen[rel] = None
            continue
        content = source.read_bytes()
        executable = bool(source.stat().st_mode & 0o111)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        os.chmod(target, 0o755 if executable else 0o644)
        seen[rel] = fingerprint_of(content, executable=executable)
    for rel, write in writes.items():
        target = dest / rel
        if os.path.lexists(target):
            target.unlink()
        if write.deletes:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if write.link is not None:
            os.symlink(write.link, target)
            continue
        target.write_bytes(write.content or b"")
        mode = write.executable
        if mode is None:
            mode = (root / rel).is_file() and bool((root / rel).stat().st_mode & 0o111)
        os.chmod(target, 0o755 if mode else 0o644)
    return tracked, seen


def _entries(folder: Path) -> set[str]:
    """Every file and symlink under `folder` (symlinked folders are not entered)."""
    found = set()
    for current, dirs, names in os.walk(folder):
        for name in [*names, *(d for d in dirs if Path(current, d).is_symlink())]:
            found.add(Path(current, name).relative_to(folder).as_posix())
    return found


def collect(root: Path, copy: Path, paths: list[str]) -> dict[str, Write]:
    """Every difference between the copy and the project: the writes that make one the other."""
    writes: dict[str, Write] = {}
    in_copy = _entries(copy)
    for rel in sorted(set(paths) | in_copy):
        mine, theirs = root / rel, copy / rel
        if rel not in in_copy:
            if os.path.lexists(mine):
                writes[rel] = Write(None)
            continue
        if theirs.is_symlink():
            link = os.readlink(theirs)
            if not (mine.is_symlink() and os.readlink(mine) == link):
                writes[rel] = Write(None, link=link)
            continue
        content = theirs.read_bytes()
        executable = bool(theirs.stat().st_mode & 0o111)
        if mine.is_file() and not mine.is_symlink() and mine.read_bytes() == content:
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
