"""`mlplate new`: create a complete project from a template in one step."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mlplate import _proc, dataset, gitrepo, lockfile, questions, template_source
from mlplate.answers_file import public as public_answers
from mlplate.errors import DestinationNotEmpty, UserError
from mlplate.render import render
from mlplate.results import NewResult
from mlplate.staging import is_empty_or_missing, staged_directory

Progress = Callable[[str], None]


def _quiet(_step: str) -> None:
    """Default progress callback: report nothing."""


def new(  # pylint: disable=too-many-arguments
    dest: Path | str,
    *,
    template: str | None = None,
    vcs_ref: str | None = None,
    data: Mapping[str, Any] | None = None,
    answers_file: Path | None = None,
    defaults: bool = True,
    git: bool = True,
    lock: bool = True,
    dry_run: bool = False,
    progress: Progress = _quiet,
) -> NewResult:
    """Render `template` (default: the bundled one) into `dest`, lock it and commit it.

    `dest` must be missing or empty. The project is built in temporary space on the
    same filesystem and moved into place only when every step succeeded. With `dry_run`
    it is rendered in temporary space only, and the result lists what would be written.
    """
    dest = Path(dest).expanduser().resolve()
    if not is_empty_or_missing(dest):
        raise DestinationNotEmpty(path=dest)
    if dest.exists() and not dest.is_dir():
        raise UserError(f"destination {dest} is a file", "choose a directory path")
    if git:
        _proc.require("git")
    if lock:
        _proc.require("uv")

    progress("Resolving the template")
    source, where = template_source.portable(template_source.resolve(template, vcs_ref), dest)
    answers: dict[str, Any] = {}
    if answers_file is not None:
        answers.update(questions.read_answers_file(Path(answers_file)))
    answers.update(data or {})
    asked = questions.load(source)
    questions.check_known(answers, asked)
    data_set = _data_set(answers)
    if data_set is not None:
        answers["dataset"] = data_set.in_project  # never a path only this machine has
    author = gitrepo.identity()
    user_defaults = _git_author_defaults(asked, author)
    warnings = (_identity_warnings(author) if git else []) + ([where] if where else [])

    if dry_run:
        return _dry_run(
            dest,
            source,
            answers,
            defaults=defaults,
            lock=lock,
            git=git,
            user_defaults=user_defaults,
        )
    steps: list[str] = []
    commit: str | None = None
    with staged_directory(dest) as work:
        progress("Rendering the template")
        rendered = render(
            source, work, data=answers, defaults=defaults, user_defaults=user_defaults
        )
        steps.append("render")
        if data_set is None and rendered.answers.get("dataset"):
            data_set = _data_set(dict(rendered.answers))  # answered at the prompt
            dataset.record(work / rendered.answers_file, data_set)
        if lock and (work / "pyproject.toml").is_file():
            progress("Locking dependencies with uv")
            lockfile.lock(work)
            steps.append("lock")
        if data_set is not None:
            progress(f"Inferring the data contract of {data_set.source.name}")
            dataset.install(data_set, work, str(rendered.answers["package_name"]))
            rendered.answers["dataset"] = data_set.in_project
            steps.append("contract")
        files = _files(work)
        if git:
            progress("Creating the first commit")
            gitrepo.init(work)
            commit = gitrepo.commit_all(
                work, f"Create {dest.name} from {source.src} {source.version or ''}".strip()
            )
            steps.append("git")
    return NewResult(
        destination=dest,
        template=source.src,
        template_version=source.version,
        answers=public_answers(rendered.answers),
        git_commit=commit,
        lockfile=lock and (dest / lockfile.LOCKFILE).is_file(),
        steps=steps,
        files=files,
        warnings=warnings,
    )


def _identity_warnings(author: tuple[str, str]) -> list[str]:
    """A warning when git has no identity: mlplate then authors the first commit itself."""
    if gitrepo.has_identity(known=author):
        return []
    return [
        "git has no user.name/user.email: the first commit is authored as "
        f"{gitrepo.FALLBACK_AUTHOR} (set them with `git config --global user.name/user.email`, "
        "then `git commit --amend --reset-author`)"
    ]


def _git_author_defaults(
    asked: Mapping[str, Any] | None, author: tuple[str, str]
) -> dict[str, str]:
    """The user's git name and e-mail as the defaults of the template's author questions."""
    name, email = author
    found = {"author_name": name, "author_email": email}
    return {k: v for k, v in found.items() if v and (asked is None or k in asked)}


def _dry_run(  # pylint: disable=too-many-arguments
    dest: Path,
    source: template_source.TemplateRef,
    answers: dict[str, Any],
    *,
    defaults: bool,
    lock: bool,
    git: bool,
    user_defaults: dict[str, str],
) -> NewResult:
    """Render into a temporary directory (so answers are fully validated), list it, discard it."""
    with tempfile.TemporaryDirectory(prefix="mlplate-dry-run-") as tmp:
        work = Path(tmp) / dest.name
        rendered = render(
            source, work, data=answers, defaults=defaults, user_defaults=user_defaults
        )
        files = _files(work)
        will_lock = lock and (work / "pyproject.toml").is_file()
    return NewResult(
        destination=dest,
        template=source.src,
        template_version=source.version,
        answers=public_answers(rendered.answers),
        git_commit=None,
        lockfile=False,
        steps=["render"] + (["lock"] if will_lock else []) + (["git"] if git else []),
        dry_run=True,
        files=files,
    )


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _data_set(answers: dict[str, Any]) -> dataset.DataSet | None:
    """The user's data set named by the answers, checked; None for the bundled sample."""
    path = str(answers.get("dataset") or "").strip()
    if not path:
        return None
    return dataset.check(
        path,
        str(answers.get("target") or ""),
        str(answers.get("task") or "infer"),
        sep=str(answers.get("sep") or ""),
        encoding=str(answers.get("encoding") or ""),
    )
