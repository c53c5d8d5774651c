"""What an update did (or, with --dry-run, would do): the report and its JSON contract."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from mlplate.errors import EXIT_CONFLICTS, EXIT_OK
from mlplate.results import envelope
from mlplate.update.apply import Write
from mlplate.update.merge import is_binary
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
    recovered: list[str]  # interrupted updates rolled back before this one
    diff: str  # the unified diff (dry runs only)


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


def unified_diff(root: Path, writes: dict[str, Write]) -> str:
    """A git-style unified diff from the project to the update (`git apply` takes it)."""
    chunks: list[str] = []
    for rel, write in sorted(writes.items()):
        path = root / rel
        old = path.read_bytes() if path.is_file() else None
        new = write.content
        old_mode = _mode(path) if old is not None else None
        new_mode = None
        if new is not None:
            executable = write.executable
            if executable is None:
                executable = old_mode == "100755"
            new_mode = "100755" if executable else "100644"
        if old == new and old_mode == new_mode:
            continue
        chunks.append(f"diff --git a/{rel} b/{rel}\n")
        if old is None:
            chunks.append(f"new file mode {new_mode}\n")
        elif new is None:
            chunks.append(f"deleted file mode {old_mode}\n")
        elif old_mode != new_mode:
            chunks.append(f"old mode {old_mode}\nnew mode {new_mode}\n")
        if old == new:
            continue
        if is_binary(old, new):
            chunks.append(
                f"Binary files {_name('a', rel, old)} and {_name('b', rel, new)} differ\n"
            )
            continue
        chunks.extend(_text_diff(rel, old, new))
    return "".join(chunks)


def _mode(path: Path) -> str:
    return "100755" if path.stat().st_mode & 0o111 else "100644"


def _name(prefix: str, rel: str, content: bytes | None) -> str:
    return "/dev/null" if content is None else f"{prefix}/{rel}"


def _text_diff(rel: str, old: bytes | None, new: bytes | None) -> list[str]:
    before = (old or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    after = (new or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    out = []
    lines = difflib.unified_diff(
        before, after, fromfile=_name("a", rel, old), tofile=_name("b", rel, new)
    )
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return out
