"""`mlplate update`: bring a project to a newer template version without losing an edit.

The template is rendered twice in temporary space: at the project's recorded
version with the answers its files were made with (base), and at the target
version with the new answers (theirs). Each file is then decided against the
project (ours) under its ownership policy: taken, three-way merged (by key for
TOML and YAML), left alone or deleted (`plan`). Migrations and `uv lock` run on
a full copy of the result (`steps`). Only when everything is known is the
project touched, in one atomic step (`apply`). Nothing is committed: the update
is left in the work tree for review, like `copier update` does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mlplate import gitrepo, lockfile, migrations, questions
from mlplate.answers_file import recording
from mlplate.errors import DirtyWorktree, MissingAnswer, UserError
from mlplate.update import answers as answers_file
from mlplate.update import apply, renders, source, steps
from mlplate.update.apply import Write
from mlplate.update.plan import Action, Plan, make_plan
from mlplate.template_source import TemplateRef
from mlplate.update.report import UpdateReport, files_of, unified_diff

ANSWERS_FILE = answers_file.ANSWERS_FILE
__all__ = ["UpdateReport", "update"]


def _project_root(path: Path | str) -> Path:
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise UserError(f"{root} is not a directory", "pass the path of a generated project")
    if not gitrepo.is_repo_root(root):
        raise UserError(
            f"{root} is not the root of a git repository",
            "run mlplate update at the project's root (the update is reviewed and undone "
            "with git, so the project must be a repository)",
        )
    return root


@dataclass(frozen=True)
class _Request:
    """An update resolved: the project, its answers, the two template versions."""

    root: Path
    recorded: answers_file.Recorded
    base: TemplateRef
    target: TemplateRef
    questions: dict[str, questions.Question] | None
    answers: dict[str, Any]  # for the target: the recorded ones, with --data on top

    @property
    def versions(self) -> tuple[str, str]:
        """The recorded version and the target, as the report and the answers file name them."""
        return str(self.base.version), str(self.target.version)

    @property
    def unanswered(self) -> bool:
        """True when the target asks a question the answers do not cover."""
        asked = self.questions or {}
        return any(not q.computed and name not in self.answers for name, q in asked.items())


def update(  # pylint: disable=too-many-arguments
    path: Path | str = ".",
    *,
    to: str | None = None,
    data: Mapping[str, Any] | None = None,
    defaults: bool = True,
    dry_run: bool = False,
    lock: bool = True,
) -> UpdateReport:
    """Update the project at `path` to template version `to` (default: the latest release).

    `data` answers new questions or changes answers; without `defaults` copier
    prompts for new questions (in a terminal). Raises UserError subclasses for
    everything the user can fix; the project is then unchanged.
    """
    root = _project_root(path)
    with apply.exclusive(root):
        recovered = tuple(apply.recover(root))
        dirty = gitrepo.dirty_paths(root)
        if dirty:
            raise DirtyWorktree(paths=dirty)
        request = _resolve(root, to, dict(data or {}))
        report = UpdateReport(
            root,
            *request.versions,
            answers=_changed_answers(request.recorded.rendered_with, request.answers),
            recovered=recovered,
            dry_run=dry_run,
        )
        if request.base.commit == request.target.commit and not request.target.worktree:
            if not report.answers:
                return replace(report, up_to_date=True, files={a.value: [] for a in Action})
        with tempfile.TemporaryDirectory(prefix="mlplate-update-") as tmp:
            scratch = Path(tmp)
            pair = _render(request, scratch, prompt=not defaults and request.unanswered)
            apply.fault("rendered")
            return _merge_and_apply(request, pair, scratch, report, lock=lock)


def _resolve(root: Path, to: str | None, given: dict[str, Any]) -> _Request:
    recorded = answers_file.read(root)
    target = source.target(root, recorded.src, to)
    asked = questions.load(target)
    questions.check_known(given, asked)
    return _Request(
        root=root,
        recorded=recorded,
        base=source.recorded(root, recorded.src, recorded.commit),
        target=target,
        questions=asked,
        answers={**recorded.answers, **given},
    )


def _render(request: _Request, scratch: Path, *, prompt: bool) -> renders.Renders:
    try:
        return renders.Renders(
            renders.one(request.base, request.recorded.rendered_with, scratch, name="base"),
            renders.one(
                request.target, request.answers, scratch, name="theirs", defaults=not prompt
            ),
        )
    except MissingAnswer as missing:
        raise _explained(missing, request.questions) from None


def _merge_and_apply(
    request: _Request, pair: renders.Renders, scratch: Path, report: UpdateReport, *, lock: bool
) -> UpdateReport:
    """Plan every file, run the post-update steps, then apply it all (or diff it, dry)."""
    root, versions = request.root, request.versions
    labels = ("project", f"template {versions[0]}", f"template {versions[1]}")
    skip = {ANSWERS_FILE, lockfile.LOCKFILE}  # written from the target render / by uv
    # An answer switched (by --data or by hand): the seeded files it shapes are merged too.
    plan = make_plan(root, pair, labels=labels, skip=skip, answers_changed=bool(report.answers))
    writes = _writes(plan, _answers_at(pair.theirs / ANSWERS_FILE, versions[1]))
    todo = migrations.pending(request.target, *versions)
    extra: dict[str, tuple[Action, str]] = {}
    if todo or (lock and (root / lockfile.LOCKFILE).is_file()):
        writes, extra, outcome = _post_steps(
            root, plan, writes, scratch, (request.target, todo, versions), lock=lock
        )
    else:
        outcome = steps.LockOutcome(
            "skipped", "--no-lock" if not lock else "the project has no uv.lock"
        )
    name = apply.stamp()
    backup = _shown(root, apply.backup_dir(root, name))
    report = replace(
        report,
        files=files_of(plan, extra, backup, dry_run=report.dry_run),
        lock=outcome,
        migrations=tuple(todo),
    )
    if report.dry_run:
        return replace(report, diff=unified_diff(root, writes))
    backups = {c.path: c.replaced for c in plan.changes if c.replaced is not None}
    return replace(report, backup=apply.apply(root, writes, name=name, backups=backups))


def _changed_answers(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    def same(was: Any, now: Any) -> bool:
        # --data gives text: "false" for a recorded False is the same answer.
        typed = isinstance(was, (bool, int, float)) and isinstance(now, str)
        return was == now or (typed and str(was).lower() == now.lower())

    return {
        name: {"from": before.get(name), "to": after.get(name)}
        for name in dict.fromkeys([*before, *after])
        if name in after and not same(before.get(name), after.get(name))
    }


def _explained(missing: MissingAnswer, asked: Mapping[str, questions.Question] | None) -> UserError:
    """The MissingAnswer error again, with the question's help text from the template."""
    question = (asked or {}).get(missing.question)
    if question is None or missing.help_text:
        return missing
    return MissingAnswer(question=missing.question, help_text=question.help)


def _answers_at(path: Path, version: str) -> bytes:
    """The target's answers file, recording `version` (a cached render may name its commit
    by another of its tags)."""
    return recording(path.read_text(encoding="utf-8"), version=version).encode()


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _writes(plan: Plan, answers: bytes) -> dict[str, Write]:
    """Every path the update writes (bytes) or deletes (None), the answers file last."""
    writes = {
        c.path: Write(None if c.action is Action.DELETED else c.content, c.executable)
        for c in plan.changes
        if c.writes
    }
    writes[ANSWERS_FILE] = Write(answers)
    return writes


def _post_steps(  # pylint: disable=too-many-arguments
    root: Path,
    plan: Plan,
    writes: dict[str, Write],
    scratch: Path,
    migrations_todo: tuple[TemplateRef, list[str], tuple[str, str]],
    *,
    lock: bool,
) -> tuple[dict[str, Write], dict[str, tuple[Action, str]], steps.LockOutcome]:
    """Run migrations and `uv lock` on a full copy of the updated project; collect their writes."""
    copy = scratch / "project"
    tracked = steps.copy_project(root, writes, copy)
    extra: dict[str, tuple[Action, str]] = {}
    template, names, versions = migrations_todo
    if names:
        migrations.run(template, names, copy, versions=versions)
        for rel, write in steps.collect(root, copy, tracked).items():
            planned = writes.get(rel)
            if planned is None or planned.content != write.content:
                action = (
                    Action.DELETED
                    if write.content is None
                    else Action.UPDATED if (root / rel).exists() else Action.ADDED
                )
                extra[rel] = (action, "changed by a template migration")
    outcome = steps.LockOutcome("skipped", "--no-lock")
    if lock:
        pyproject = plan.get(steps.PYPROJECT)
        conflicted = pyproject is not None and pyproject.action is Action.CONFLICTED
        outcome = steps.relock(root, copy, conflicted=conflicted)
        if outcome.status == "regenerated":
            extra[lockfile.LOCKFILE] = (
                Action.UPDATED,
                "regenerated with uv lock, never text-merged",
            )
    return steps.collect(root, copy, tracked), extra, outcome
