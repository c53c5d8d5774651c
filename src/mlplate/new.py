"""`mlplate new`: create a complete project from a template in one step."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mlplate import _proc, dataset, gitrepo, lockfile, questions, template_source
from mlplate.answers_file import public as public_answers
from mlplate.answers_file import with_answer
from mlplate.errors import DestinationNotEmpty, UserError
from mlplate.render import Rendered, render
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
    user_defaults = {**_directory_name_default(dest, asked), **_git_author_defaults(asked, author)}
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
            _describe_by_task(work, rendered, given="description" in answers)
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


# The template's default description while the task is still to be inferred (copier.yml).
_UNKNOWN_TASK_WORDS = "monitors a tabular model."
# Where the template renders the description: its answers file is rewritten apart.
_DESCRIBED = ("README.md", "docs/index.md", "pyproject.toml", "mkdocs.yml")


def _describe_by_task(work: Path, rendered: Rendered, *, given: bool) -> None:
    """Say classifier or regressor in the default description once the contract knows the task.

    With `task=infer` the task is known only after the contract is inferred, which follows
    rendering: the template's default then says "a tabular model". A description the user
    gave is theirs and stays as it is.
    """
    description = str(rendered.answers.get("description") or "")
    schema = work / "configs" / "schema.yaml"
    if given or not description.endswith(_UNKNOWN_TASK_WORDS) or not schema.is_file():
        return
    task = ((yaml.safe_load(schema.read_text(encoding="utf-8")) or {}).get("metadata") or {}).get(
        "task"
    )
    word = {"classification": "classifier", "regression": "regressor"}.get(str(task))
    if word is None:
        return
    said = description[: -len(_UNKNOWN_TASK_WORDS)] + f"monitors a tabular {word}."
    for rel in _DESCRIBED:
        path = work / rel
        if path.is_file():
            path.write_text(
                path.read_text(encoding="utf-8").replace(description, said), encoding="utf-8"
            )
    answers_path = work / rendered.answers_file
    answers_path.write_text(
        with_answer(answers_path.read_text(encoding="utf-8"), "description", said),
        encoding="utf-8",
    )
    rendered.answers["description"] = said


def _identity_warnings(author: tuple[str, str]) -> list[str]:
    """A warning when git has no identity: mlplate then authors the first commit itself."""
    if gitrepo.has_identity(known=author):
        return []
    return [
        "git has no user.name/user.email: the first commit is authored as "
        f"{gitrepo.FALLBACK_AUTHOR} (set them with `git config --global user.name/user.email`, "
        "then `git commit --amend --reset-author`)"
    ]


def _directory_name_default(dest: Path, asked: Mapping[str, Any] | None) -> dict[str, str]:
    """The destination's name as the default project name, as `uv init` and `cargo new` do.

    Only a default: `--data project_name=...` and an answers file still win, and the prompt
    still asks. A directory name the template's validator would refuse (no ASCII letter or
    digit, a quote or a backslash) leaves the template's own default in place, so `-l` never
    fails on a name the user did not type. The package name follows from the template's
    own derivation of it (copier.yml), which keeps it a valid, keyword-safe identifier.
    """
    name = dest.name.strip()
    usable = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if (
        not usable
        or '"' in name
        or "\\" in name
        or (asked is not None and "project_name" not in asked)
    ):
        return {}
    return {"project_name": name}


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
