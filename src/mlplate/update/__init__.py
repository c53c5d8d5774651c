"""`mlplate update`: bring a project to a newer template version without losing an edit.

Both template versions are rendered into temporary space (the project's recorded
version with its recorded answers, and the target with the new answers); each
file is then three-way merged against the project. Nothing in the project
changes until every file's outcome is known; then the changes are written, each
through a temporary file and an atomic rename.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from mlplate import gitrepo, lockfile, migrations, ownership, questions, template_source
from mlplate.errors import DirtyWorktree, MlplateError, UserError
from mlplate.render import render
from mlplate.results import envelope
from mlplate.update.plan import Action, Plan, Renders, make_plan

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class UpdateReport:  # pylint: disable=too-many-instance-attributes
    """What an update did (or, with dry_run, would do)."""

    project: Path
    from_version: str
    to_version: str
    changes: dict[str, list[dict[str, str]]]
    relocked: bool
    dry_run: bool
    diff: str = ""
    migrations: tuple[str, ...] = ()

    @property
    def conflicted(self) -> list[str]:
        """Paths left with conflict markers."""
        return [c["path"] for c in self.changes.get(Action.CONFLICTED.value, [])]

    @property
    def exit_code(self) -> int:
        """0 clean (or nothing to do), 1 updated with conflicts."""
        return 1 if self.conflicted else 0

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON form printed by --json."""
        return envelope(
            "update",
            {
                "project": str(self.project),
                "from": self.from_version,
                "to": self.to_version,
                "dry_run": self.dry_run,
                "relocked": self.relocked,
                "conflicted": self.conflicted,
                "migrations": list(self.migrations),
                "files": self.changes,
            },
        )


def _read_answers(root: Path) -> dict[str, Any]:
    path = root / ANSWERS_FILE
    if not path.is_file():
        raise UserError(
            f"{root} has no {ANSWERS_FILE}, so its template and version are unknown",
            "generate projects with mlplate new, or record `_src_path` and `_commit` in "
            f"{ANSWERS_FILE}",
        )
    try:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(
            f"{ANSWERS_FILE} is not valid YAML ({exc.__class__.__name__})",
            f"fix {ANSWERS_FILE} (git diff shows what changed in it)",
        ) from None
    if not isinstance(answers, dict) or not answers.get("_src_path") or not answers.get("_commit"):
        raise UserError(
            f"{ANSWERS_FILE} lacks `_src_path` or `_commit`",
            "restore them from git history: they name the template and the version generated",
        )
    return answers


def update(  # pylint: disable=too-many-locals
    path: Path | str = ".",
    *,
    to: str | None = None,
    data: Mapping[str, Any] | None = None,
    dry_run: bool = False,
    lock: bool = True,
) -> UpdateReport:
    """Update the project at `path` to template version `to` (default: latest release)."""
    root = Path(path).expanduser().resolve()
    if not gitrepo.is_repo_root(root):
        raise UserError(
            f"{root} is not the root of a git repository",
            "run mlplate update from the project's root",
        )
    dirty = gitrepo.dirty_paths(root)
    if dirty:
        raise DirtyWorktree(paths=dirty)
    recorded = _read_answers(root)
    src = str(recorded["_src_path"])
    base_ref = template_source.resolve(src, str(recorded["_commit"]))
    target_ref = _target(src, to)
    old_answers = {k: v for k, v in recorded.items() if not str(k).startswith("_")}
    new_answers = {**old_answers, **(data or {})}
    questions.check_known(dict(data or {}), questions.load(target_ref))
    from_version, to_version = str(base_ref.version), str(target_ref.version)

    with tempfile.TemporaryDirectory(prefix="mlplate-update-") as tmp:
        base, theirs = Path(tmp) / "base", Path(tmp) / "theirs"
        render(base_ref, base, data=old_answers, defaults=True)
        render(target_ref, theirs, data=new_answers, defaults=True)
        policy = (
            ownership.load(theirs)
            if (theirs / ownership.POLICY_FILE).is_file()
            else ownership.load(root)
        )
        policy = _with_project_opt_outs(policy, ownership.load(root))
        labels = ("project", f"template {from_version}", f"template {to_version}")
        skip = {ANSWERS_FILE, lockfile.LOCKFILE}  # written from the target render / by uv
        plan = make_plan(root, Renders(base, theirs), policy=policy, labels=labels, skip=skip)
        answers_bytes = (theirs / ANSWERS_FILE).read_bytes()
        relock = lock and _pyproject_changed(plan) and (root / lockfile.LOCKFILE).is_file()
        lock_bytes = (
            _relock(root, plan, Path(tmp) / "lock")
            if relock and not plan.by(Action.CONFLICTED)
            else None
        )
        versions = (from_version, to_version)
        report = _report(root, plan, versions, relocked=lock_bytes is not None, dry_run=dry_run)
        todo = tuple(migrations.pending(target_ref, from_version, to_version))
        report = replace(report, migrations=todo)
        if dry_run:
            return _with_diff(report, root, plan, answers_bytes, lock_bytes)
        _apply(root, plan, answers_bytes, lock_bytes)
        migrations.run(target_ref, list(todo), root)
    return report


def _target(src: str, to: str | None) -> template_source.TemplateRef:
    if to:
        return template_source.resolve(src, to)
    ref = template_source.resolve(src, None)
    return ref


def _with_project_opt_outs(
    template_policy: ownership.Policy, project_policy: ownership.Policy
) -> ownership.Policy:
    """The template's rules, plus the opt-outs the project recorded."""
    opt_out = tuple(dict.fromkeys(template_policy.opt_out + project_policy.opt_out))
    return ownership.Policy(
        template_policy.template, template_policy.seeded, template_policy.shared, opt_out
    )


def _pyproject_changed(plan: Plan) -> bool:
    return any(
        c.path == "pyproject.toml" and c.action in {Action.UPDATED, Action.MERGED, Action.ADDED}
        for c in plan.changes
    )


def _relock(root: Path, plan: Plan, workdir: Path) -> bytes:
    """Lock the merged pyproject.toml with uv in a copy of the project: never merge lockfiles."""
    shutil.copytree(
        root, workdir, ignore=shutil.ignore_patterns(".git", ".venv", "mlruns", "__pycache__")
    )
    pyproject = next(c for c in plan.changes if c.path == "pyproject.toml")
    (workdir / "pyproject.toml").write_bytes(pyproject.content or b"")
    return lockfile.lock(workdir).read_bytes()


def _report(
    root: Path, plan: Plan, versions: tuple[str, str], *, relocked: bool, dry_run: bool
) -> UpdateReport:
    changes: dict[str, list[dict[str, str]]] = {a.value: [] for a in Action}
    for change in plan.changes:
        entry = {"path": change.path}
        if change.reason:
            entry["reason"] = change.reason
        changes[change.action.value].append(entry)
    return UpdateReport(root, *versions, changes, relocked, dry_run)


def _writes(plan: Plan, answers: bytes, lock: bytes | None) -> dict[str, bytes | None]:
    """Every path to write (bytes) or delete (None)."""
    writes: dict[str, bytes | None] = {}
    for change in plan.changes:
        if change.action is Action.DELETED:
            writes[change.path] = None
        elif change.content is not None and change.action is not Action.SKIPPED:
            writes[change.path] = change.content
    writes[ANSWERS_FILE] = answers
    if lock is not None:
        writes[lockfile.LOCKFILE] = lock
    return writes


def _with_diff(
    report: UpdateReport, root: Path, plan: Plan, answers: bytes, lock: bytes | None
) -> UpdateReport:
    chunks = []
    for rel, new in _writes(plan, answers, lock).items():
        old = (root / rel).read_bytes() if (root / rel).is_file() else b""
        if old == (new or b""):
            continue
        chunks.extend(
            difflib.unified_diff(
                old.decode(errors="replace").splitlines(keepends=True),
                (new or b"").decode(errors="replace").splitlines(keepends=True),
                fromfile=f"a/{rel}",
                tofile=f"b/{rel}" if new is not None else "/dev/null",
            )
        )
    return replace(report, diff="".join(chunks))


def _apply(root: Path, plan: Plan, answers: bytes, lock: bytes | None) -> None:
    """Write every file through a temporary sibling and an atomic rename; deletions last."""
    writes = _writes(plan, answers, lock)
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, content in writes.items():
            if content is None:
                continue
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp_name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".mlplate", dir=target.parent
            )
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            if target.exists():
                shutil.copymode(target, tmp_name)
            staged.append((Path(tmp_name), target))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, target in staged:  # the short critical section: renames only
        os.replace(tmp, target)
    for rel, content in writes.items():
        if content is None and (root / rel).exists():
            (root / rel).unlink()


__all__ = ["UpdateReport", "update", "MlplateError"]
