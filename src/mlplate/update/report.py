"""What an update did (or, with --dry-run, would do): the report and its JSON contract."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from mlplate import gitrepo
from mlplate.errors import EXIT_CONFLICTS, EXIT_OK
from mlplate.results import envelope
from mlplate.update.apply import Write
from mlplate.update.plan import Action, Plan
from mlplate.update.steps import LockOutcome


class FileJSON(TypedDict, total=False):
    """One path in a report: `reason` says why, when it is not obvious."""

    path: str
    reason: str


class LockJSON(TypedDict):
    """What happened to uv.lock."""

    status: str  # regenerated, unchanged, skipped or failed
    reason: str


class UpdateJSON(TypedDict):
    """`mlplate update --json`: version 1 of the contract (tests lock its keys)."""

    mlplate_result_version: str
    command: str
    project: str
    from_: str  # spelled "from" in the JSON
    to: str
    dry_run: bool
    up_to_date: bool
    files: dict[str, list[FileJSON]]  # added, updated, merged, conflicted, deleted, skipped
    conflicted: list[str]
    answers: dict[str, dict[str, Any]]  # changed answers: name → {"from": …, "to": …}
    lock: LockJSON
    migrations: list[str]
    backup: str | None  # where replaced edits of template-owned files were saved
    template: dict[str, str]  # {"recorded", "used", "via"}: the template source read
    recovered: list[str]  # interrupted updates rolled back before this one
    diff: str  # the unified diff (dry runs only)


# The report's one-line summary, in the order a reviewer needs it.
_WHERE = (
    (Action.CONFLICTED, "conflicts"),
    (Action.MERGED, "merged, the project's edits kept"),
    (Action.UPDATED, "updated"),
    (Action.ADDED, "added"),
    (Action.DELETED, "deleted"),
)

JSON_KEYS = tuple(k.rstrip("_") for k in UpdateJSON.__annotations__)


@dataclass(frozen=True)
class UpdateReport:  # pylint: disable=too-many-instance-attributes
    """What an update did (or, with dry_run, would do)."""

    project: Path
    from_version: str
    to_version: str
    files: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: LockOutcome = LockOutcome("unchanged", "pyproject.toml did not change")
    migrations: tuple[str, ...] = ()
    backup: Path | None = None
    recovered: tuple[str, ...] = ()
    dry_run: bool = False
    up_to_date: bool = False
    diff: str = ""
    template: dict[str, str] = field(default_factory=dict)

    @property
    def conflicted(self) -> list[str]:
        """Paths left with conflict markers (or that need a look)."""
        return [entry["path"] for entry in self.files.get(Action.CONFLICTED.value, [])]

    @property
    def relocked(self) -> bool:
        """True when uv.lock was regenerated."""
        return self.lock.status == "regenerated"

    @property
    def changed(self) -> int:
        """How many paths the update writes or deletes."""
        return sum(len(v) for k, v in self.files.items() if k != Action.SKIPPED.value)

    @property
    def exit_code(self) -> int:
        """0 clean (or nothing to do), 1 conflicts left or uv.lock not regenerated."""
        return EXIT_CONFLICTS if self.conflicted or self.lock.status == "failed" else EXIT_OK

    def where(self) -> str:
        """What changed where, in one line: conflicts, merges, then every other file written."""
        parts = []
        for action, label in _WHERE:
            paths = [entry["path"] for entry in self.files.get(action.value, [])]
            if paths:
                parts.append(f"{label} ({len(paths)}): {', '.join(paths)}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON form printed by --json."""
        return envelope(
            "update",
            {
                "project": str(self.project),
                "from": self.from_version,
                "to": self.to_version,
                "dry_run": self.dry_run,
                "up_to_date": self.up_to_date,
                "files": self.files,
                "conflicted": self.conflicted,
                "answers": self.answers,
                "lock": {"status": self.lock.status, "reason": self.lock.reason},
                "migrations": list(self.migrations),
                "backup": str(self.backup) if self.backup else None,
                "template": dict(self.template),
                "recovered": list(self.recovered),
                "diff": self.diff,
            },
        )


def files_of(
    plan: Plan, extra: dict[str, tuple[Action, str]], backup: str, *, dry_run: bool = False
) -> dict[str, list[dict[str, str]]]:
    """The report's file lists: the plan's changes, then what the post-update steps changed."""
    files: dict[str, list[dict[str, str]]] = {a.value: [] for a in Action}
    planned = set()
    for change in plan.changes:
        planned.add(change.path)
        entry = {"path": change.path}
        reason = change.reason
        if change.replaced is not None:
            saved = "would be saved" if dry_run else "is saved"
            reason = f"{reason}; the project's version {saved} in {backup}"
        if reason:
            entry["reason"] = reason
        files[change.action.value].append(entry)
    for rel, (action, reason) in sorted(extra.items()):
        if rel not in planned:
            files[action.value].append({"path": rel, "reason": reason})
    return files


def unified_diff(root: Path, writes: dict[str, Write], scratch: Path) -> str:
    """The update as `git diff --binary` shows it: a patch `git apply` takes (CRLF, binary
    files and symlinks included), from the project as it is on disk to the update. Paths
    are the repository's, as git's are: in a monorepo they start with the project's folder."""
    old: dict[str, gitrepo.Blob] = {}
    new: dict[str, gitrepo.Blob] = {}
    under = gitrepo.prefix(root) or ""
    for name, write in writes.items():
        path, rel = root / name, under + name
        if path.is_symlink():
            old[rel] = ("120000", os.readlink(path).encode("utf-8", errors="surrogateescape"))
        elif path.is_file():
            old[rel] = (_mode(path.stat().st_mode & 0o111), path.read_bytes())
        if write.link is not None:
            new[rel] = ("120000", write.link.encode("utf-8", errors="surrogateescape"))
        elif write.content is not None:
            executable = write.executable
            if executable is None:
                executable = rel in old and old[rel][0] == "100755"
            new[rel] = (_mode(executable), write.content)
    work = scratch / "dry-run-patch"
    work.mkdir()
    return gitrepo.binary_patch(old, new, work)


def _mode(executable: int | bool) -> str:
    return "100755" if executable else "100644"
