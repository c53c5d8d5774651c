"""`mlplate new`: create a complete project from a template in one step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mlplate import _proc, dataset, gitrepo, lockfile, questions, template_source
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
    progress: Progress = _quiet,
) -> NewResult:
    """Render `template` (default: the bundled one) into `dest`, lock it and commit it.

    `dest` must be missing or empty. The project is built in temporary space on the
    same filesystem and moved into place only when every step succeeded.
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
    source = template_source.resolve(template, vcs_ref)
    answers: dict[str, Any] = {}
    if answers_file is not None:
        answers.update(questions.read_answers_file(Path(answers_file)))
    answers.update(data or {})
    questions.check_known(answers, questions.load(source))
    data_set = _data_set(answers)
    if data_set is not None:
        answers["dataset"] = data_set.in_project  # never a path only this machine has

    steps: list[str] = []
    commit: str | None = None
    with staged_directory(dest) as work:
        progress("Rendering the template")
        rendered = render(source, work, data=answers, defaults=defaults)
        steps.append("render")
        if data_set is None and rendered.answers.get("dataset"):
            data_set = _data_set(dict(rendered.answers))  # answered at the prompt
            _record_answer(work / rendered.answers_file, "dataset", data_set.in_project)
        if lock and (work / "pyproject.toml").is_file():
            progress("Locking dependencies with uv")
            lockfile.lock(work)
            steps.append("lock")
        if data_set is not None:
            progress(f"Inferring the data contract of {data_set.source.name}")
            dataset.install(data_set, work, str(rendered.answers["package_name"]))
            rendered.answers["dataset"] = data_set.in_project
            steps.append("contract")
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
        answers={k: v for k, v in rendered.answers.items() if not k.startswith("_")},
        git_commit=commit,
        lockfile=lock and (dest / lockfile.LOCKFILE).is_file(),
        steps=steps,
    )


def _data_set(answers: dict[str, Any]) -> dataset.DataSet | None:
    """The user's data set named by the answers, checked; None for the bundled sample."""
    path = str(answers.get("dataset") or "").strip()
    if not path:
        return None
    return dataset.check(
        path, str(answers.get("target") or ""), str(answers.get("task") or "infer")
    )


def _record_answer(answers_path: Path, key: str, value: str) -> None:
    """Replace one top-level answer in the answers file, keeping the rest as copier wrote it."""
    if not answers_path.is_file():
        return
    line = yaml.safe_dump({key: value}, default_flow_style=False, width=1_000_000)
    lines = answers_path.read_text(encoding="utf-8").splitlines(keepends=True)
    answers_path.write_text(
        "".join(line if old.startswith(f"{key}:") else old for old in lines), encoding="utf-8"
    )
