"""Decide, file by file, what an update does: the policy, renames, deletions, merges."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple
from pathlib import Path

from mlplate.ownership import Owner, Policy
from mlplate.update.merge import is_binary, three_way
from mlplate.update.structured import merge_toml, merge_yaml

# Merged by key when their text merge conflicts.
STRUCTURED = ("pyproject.toml", ".yaml", ".yml")


class Action(str, Enum):
    """What happens to one path."""

    ADDED = "added"
    UPDATED = "updated"
    MERGED = "merged"
    CONFLICTED = "conflicted"
    DELETED = "deleted"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Change:
    """One path's outcome; `content` is None for deletions and skips."""

    path: str
    action: Action
    content: bytes | None = None
    reason: str = ""


@dataclass
class Plan:
    """Every change, in path order."""

    changes: list[Change] = field(default_factory=list)

    def add(self, change: Change) -> None:
        """Record one change."""
        self.changes.append(change)

    def by(self, action: Action) -> list[Change]:
        """The changes of one kind."""
        return [c for c in self.changes if c.action is action]


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None and path.is_file() else None


def template_renames(base: Path, theirs: Path) -> dict[str, str]:
    """Paths the template moved between the two renders (old → new), as git detects renames."""
    done = subprocess.run(
        ["git", "diff", "--no-index", "--name-status", "-M50%", "--", str(base), str(theirs)],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    renames = {}
    for line in done.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].startswith("R"):
            old = Path(parts[1]).relative_to(base).as_posix()
            new = Path(parts[2]).relative_to(theirs).as_posix()
            renames[old] = new
    return renames


class Renders(NamedTuple):
    """The template rendered at the project's recorded version (base) and at the target."""

    base: Path
    theirs: Path


def make_plan(  # pylint: disable=too-many-locals
    project: Path,
    renders: Renders,
    *,
    policy: Policy,
    labels: tuple[str, str, str],
    skip: set[str],
) -> Plan:
    """Compare the two renders with the project and decide every path's outcome."""
    base, theirs = renders
    base_files, their_files = _files(base), _files(theirs)
    renames = {
        old: new for old, new in template_renames(base, theirs).items() if old not in their_files
    }
    plan = Plan()
    for path in sorted(set(base_files) | set(their_files)):
        if path in skip:
            continue
        if path in renames:
            continue  # handled with its new path
        old_path = next((old for old, new in renames.items() if new == path), None)
        here = old_path or path
        ours = _read(project / here) if (project / here).is_file() else None
        base_bytes = _read(base_files.get(here))
        their_bytes = _read(their_files.get(path))
        owner = policy.owner(path)
        change = _decide(path, here, ours, base_bytes, their_bytes, owner=owner, labels=labels)
        if old_path and change.action is not Action.SKIPPED:
            plan.add(Change(old_path, Action.DELETED, reason=f"moved by the template to {path}"))
        plan.add(change)
    return plan


def _decide(  # pylint: disable=too-many-arguments,too-many-return-statements
    path: str,
    here: str,
    ours: bytes | None,
    base: bytes | None,
    theirs: bytes | None,
    *,
    owner: Owner,
    labels: tuple[str, str, str],
) -> Change:
    if owner is Owner.PROJECT:
        return Change(path, Action.SKIPPED, reason="opted out in .mlplate.yml")
    if theirs is None:  # the template deleted it
        if ours is None:
            return Change(path, Action.SKIPPED, reason="already gone")
        if ours == base:
            return Change(path, Action.DELETED, reason="removed by the template")
        return Change(
            path, Action.SKIPPED, reason="removed by the template, kept: the project changed it"
        )
    if base is None:  # new in the template
        if ours is None:
            return Change(path, Action.ADDED, theirs)
        if ours == theirs:
            return Change(path, Action.SKIPPED, reason="already as the template has it")
        return _merge(path, b"", ours, theirs, labels)
    if ours is None:
        return Change(path, Action.SKIPPED, reason="deleted in the project: stays deleted")
    if owner is Owner.SEEDED:
        return Change(path, Action.SKIPPED, reason="seeded: written once, never updated")
    if theirs in (base, ours):
        if here != path:
            return Change(path, Action.UPDATED, ours, reason=f"moved from {here}")
        return Change(path, Action.SKIPPED, reason="unchanged")
    if ours == base:
        return Change(path, Action.UPDATED, theirs)
    return _merge(path, base, ours, theirs, labels)


def _merge(
    path: str, base: bytes, ours: bytes, theirs: bytes, labels: tuple[str, str, str]
) -> Change:
    if is_binary(base, ours, theirs):
        return Change(
            path, Action.SKIPPED, reason="binary file changed on both sides: kept the project's"
        )
    merged = three_way(base, ours, theirs, labels=labels)
    if merged.conflicted and path.endswith(STRUCTURED):
        by_key = (merge_toml if path.endswith(".toml") else merge_yaml)(base, ours, theirs)
        if by_key is not None:
            return Change(path, Action.MERGED, by_key, reason="merged by key")
    if merged.conflicted:
        return Change(
            path, Action.CONFLICTED, merged.content, reason="both sides changed the same lines"
        )
    return Change(path, Action.MERGED, merged.content)
