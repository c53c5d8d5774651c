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

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mlplate import gitrepo, lockfile, migrations, questions, template_cache
from mlplate.answers_file import recording
from mlplate.errors import DirtyWorktree, MissingAnswer, UserError
from mlplate.update import answers as answers_file
from mlplate.update import apply, renders, source, steps
from mlplate.update import trust as trust_rules
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
    if gitrepo.prefix(root) is None:
        raise UserError(
            f"{root} is not in a git repository",
            "run mlplate update in a project under git (the update is reviewed and undone "
            "with git; a project may be a subfolder of a larger repository)",
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
    read_from: dict[str, str]  # the recorded source, the one read, and what named it

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
    trust: bool = False,
    allow_downgrade: bool = False,
    template: str | None = None,
) -> UpdateReport:
    """Update the project at `path` to template version `to` (default: the latest release).

    The template is read where `_src_path` points; `template` (--template), else the
    team's template (MLPLATE_TEMPLATE, the config file) when that cannot be reached here.
    The answers file keeps the recorded `_src_path`; the report says which was read.

    `data` answers new questions or changes answers; without `defaults` copier
    prompts for new questions (in a terminal). Template code (migrations) runs only
    for a trusted template (`trust`, see `update.trust`) and never in a dry run; `to`
    an older version needs `allow_downgrade`. Raises UserError subclasses for
    everything the user can fix; the project is then unchanged.
    """
    root = _project_root(path)
    with apply.exclusive(root):
        recovered: tuple[str, ...] = ()
        if not dry_run:  # a dry run writes nothing: it neither rolls back nor needs a clean tree
            recovered = tuple(apply.recover(root))
            dirty = gitrepo.dirty_paths(root)
            if dirty:
                raise DirtyWorktree(paths=dirty)
        answers_seen = apply.fingerprint(root / ANSWERS_FILE)
        request = _resolve(
            root, to, dict(data or {}), allow_downgrade=allow_downgrade, template=template
        )
        report = UpdateReport(
            root,
            *request.versions,
            template=request.read_from,
            answers=_changed_answers(request.recorded.rendered_with, request.answers),
            recovered=recovered,
            dry_run=dry_run,
        )
        if request.base.commit == request.target.commit and not request.target.worktree:
            if not report.answers:
                return replace(report, up_to_date=True, files={a.value: [] for a in Action})
        _check_trust(request, trusted=trust or dry_run)
        with tempfile.TemporaryDirectory(prefix="mlplate-update-") as tmp:
            scratch = Path(tmp)
            pair = _render(request, scratch, prompt=not defaults and request.unanswered)
            apply.fault("rendered")
            return _merge_and_apply(
                request, pair, scratch, report, lock=lock, answers_seen=answers_seen
            )


def _resolve(
    root: Path,
    to: str | None,
    given: dict[str, Any],
    *,
    allow_downgrade: bool,
    template: str | None = None,
) -> _Request:
    recorded = answers_file.read(root)
    src, origin = template_cache.reachable(root, recorded.src, given=template)
    base = source.recorded(root, src, recorded.commit)
    target = source.target(root, src, to)
    if src != recorded.src:  # read from elsewhere; the project keeps the portable source
        base, target = replace(base, src=recorded.src), replace(target, src=recorded.src)
    if target.repo is not None and base.commit and target.commit != base.commit:
        older = _older(target, base)
        if to is None and older:
            # The project follows a commit past the latest release (an update --to a branch
            # or commit): a plain update keeps it rather than going back to the release.
            target = base
        elif to is not None and not allow_downgrade and older:
            raise UserError(
                f"{to} is older than the project's template version {base.version}: "
                "downgrades are refused",
                "pass --allow-downgrade to go back anyway (migrations do not run backwards)",
            )
    asked = questions.load(target)
    questions.check_known(given, asked)
    return _Request(
        root=root,
        recorded=recorded,
        base=base,
        target=target,
        questions=asked,
        answers={**recorded.answers, **given},
        read_from={"recorded": recorded.src, "used": src, "via": origin},
    )


def _older(target: TemplateRef, base: TemplateRef) -> bool:
    """True when the target is behind the recorded version.

    Two different releases are ordered by version, as copier orders them: commit
    ancestry can say the opposite (the bundled template's cache repository stacks
    each build on the last one used, so an older release seeded later is a child
    of a newer one). Otherwise (the same release, `v2.0.0-3-gabc1234` past it, a
    commit) the target is behind when it is an ancestor of the recorded commit.
    """
    low, high = migrations.version_of(str(target.version)), migrations.version_of(str(base.version))
    if low is not None and high is not None and low != high:
        return low < high
    if target.repo is None or not base.commit:
        return False
    return gitrepo.is_ancestor(target.repo, target.commit or "", base.commit)


def _check_trust(request: _Request, *, trusted: bool) -> None:
    """Refuse, before anything renders, an update that would run code of an untrusted template
    (a dry run runs none: it passes `trusted`) or copier `_migrations` mlplate cannot run."""
    versions = request.versions
    copier_code = trust_rules.copier_code(questions.settings(request.target), versions)
    if copier_code is not None:
        raise trust_rules.refuse_copier_migrations(request.recorded.src, copier_code)
    if trusted or trust_rules.is_trusted(request.target, flag=False):
        return
    todo = migrations.pending(request.target, *versions)
    if todo:
        code = ", ".join(f"{migrations.FOLDER}/{name}" for name in todo)
        raise trust_rules.Untrusted(src=request.recorded.src, code=code)


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


def _merge_and_apply(  # pylint: disable=too-many-locals,too-many-arguments
    request: _Request,
    pair: renders.Renders,
    scratch: Path,
    report: UpdateReport,
    *,
    lock: bool,
    answers_seen: str | None,
) -> UpdateReport:
    """Plan every file, run the post-update steps, then apply it all (or diff it, dry)."""
    root, versions = request.root, request.versions
    labels = ("project", f"template {versions[0]}", f"template {versions[1]}")
    skip = {ANSWERS_FILE, lockfile.LOCKFILE}  # written from the target render / by uv
    # An answer switched (by --data or by hand): the seeded files it shapes are merged too.
    plan = make_plan(root, pair, labels=labels, skip=skip, answers_changed=bool(report.answers))
    writes = _writes(plan, _answers_at(pair.theirs / ANSWERS_FILE, versions[1]))
    todo = migrations.pending(request.target, *versions)
    # A dry run runs no template code: it names the migrations a real run would run.
    run_now = [] if report.dry_run else todo
    extra: dict[str, tuple[Action, str]] = {}
    expected: dict[str, str | None] = {}
    if run_now or (lock and (root / lockfile.LOCKFILE).is_file()):
        writes, extra, outcome, expected = _post_steps(
            root, plan, writes, scratch, (request.target, run_now, versions), lock=lock
        )
    else:
        outcome = steps.LockOutcome(
            "skipped", "--no-lock" if not lock else "the project has no uv.lock"
        )
    expected.update(plan.seen)
    expected[ANSWERS_FILE] = answers_seen
    if request.base.commit == request.target.commit and not _changes_anything(root, writes):
        # Answers changed since the files were rendered, yet the files already follow them
        # (an update with --data at this version, since committed): nothing to do.
        return replace(report, up_to_date=True, answers={}, files={a.value: [] for a in Action})
    name = apply.stamp()
    backup = _shown(root, apply.backup_dir(root, name))
    plan = _noting_ignored(root, plan)
    report = replace(
        report,
        files=files_of(plan, extra, backup, dry_run=report.dry_run),
        lock=outcome,
        migrations=tuple(todo),
    )
    if report.dry_run:
        return replace(report, diff=unified_diff(root, writes, scratch))
    backups = {c.path: c.replaced for c in plan.changes if c.replaced is not None}
    kept = apply.apply(root, writes, name=name, backups=backups, expected=expected)
    apply.record_conflicts(root, report.conflicted)
    answers_file.remember_rendered(root)
    return replace(report, backup=kept)


def _changes_anything(root: Path, writes: Mapping[str, Write]) -> bool:
    """True when applying `writes` would change a file of the project."""
    for rel, write in writes.items():
        now = apply.fingerprint(root / rel)
        mode = bool(now and now.startswith("x:")) if write.executable is None else write.executable
        if now != apply.fingerprint_of(write.content, executable=mode, link=write.link):
            return True
    return False


def _noting_ignored(root: Path, plan: Plan) -> Plan:
    """Say so for conflicted files git ignores: `git status` will not show them."""
    conflicted = [c.path for c in plan.by(Action.CONFLICTED)]
    hidden = set(gitrepo.ignored(root, conflicted))
    if not hidden:
        return plan
    plan.changes = [
        (
            replace(c, reason=f"{c.reason} (git ignores this file: `git status` does not show it)")
            if c.path in hidden and c.action is Action.CONFLICTED
            else c
        )
        for c in plan.changes
    ]
    return plan


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
        c.path: (
            Write(None)
            if c.action is Action.DELETED
            else Write(c.content, c.executable, link=c.link)
        )
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
) -> tuple[
    dict[str, Write], dict[str, tuple[Action, str]], steps.LockOutcome, dict[str, str | None]
]:
    """Run migrations and `uv lock` on a full copy of the updated project; collect their writes
    and the fingerprint of each project file as it was copied."""
    copy = scratch / "project"
    tracked, seen = steps.copy_project(root, writes, copy)
    extra: dict[str, tuple[Action, str]] = {}
    template, names, versions = migrations_todo
    if names:
        migrations.run(template, names, copy, versions=versions)
        for rel, write in steps.collect(root, copy, tracked).items():
            planned = writes.get(rel)
            if planned is None or planned != write:
                action = (
                    Action.DELETED
                    if write.deletes
                    else Action.UPDATED if os.path.lexists(root / rel) else Action.ADDED
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
    return steps.collect(root, copy, tracked), extra, outcome, seen
