"""The project's `.copier-answers.yml`: the one reader and writer of it.

copier writes it after every copy and update: the answers given, plus `_src_path`
(where the template is) and `_commit` (the version the files were rendered
from). `mlplate update`, `mlplate check` and `mlplate adopt` read and write it
only through this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlplate.errors import InvalidAnswersFile, NoAnswersFile

NAME = ".copier-answers.yml"


def parse(text: str) -> dict[str, Any]:
    """The answers in `text`; raises InvalidAnswersFile when it is not a YAML mapping."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidAnswersFile(reason=f"is not valid YAML{where}", answers_file=NAME) from None
    if not isinstance(loaded, dict):
        raise InvalidAnswersFile(reason="is not a mapping of question: answer", answers_file=NAME)
    return loaded


def read(root: Path) -> dict[str, Any]:
    """The answers file of the project at `root`; raises NoAnswersFile or InvalidAnswersFile."""
    path = root / NAME
    if not path.is_file():
        raise NoAnswersFile(path=root, answers_file=NAME)
    return parse(path.read_text(encoding="utf-8"))


def load(root: Path) -> dict[str, Any] | None:
    """The answers file of the project at `root`, or None when it is missing or unreadable."""
    try:
        return read(root)
    except (InvalidAnswersFile, NoAnswersFile, OSError, UnicodeDecodeError):
        return None


def source(answers: dict[str, Any]) -> tuple[str, str] | None:
    """`_src_path` and `_commit` (the template and its version), or None unless both are set."""
    src, commit = answers.get("_src_path"), answers.get("_commit")
    return (str(src), str(commit)) if src and commit else None


def public(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to the template's questions, without copier's `_` settings."""
    return {k: v for k, v in answers.items() if not str(k).startswith("_")}


def recording(text: str, *, version: str | None, src: str | None = None) -> str:
    """`text` with `_commit` set to `version` (dropped when None) and `_src_path` to `src`
    (kept when None), each where copier writes it: every other line stays as it is."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("_commit:"):
            continue
        if line.startswith("_src_path:"):
            if version:
                out.append(_line("_commit", version))
            if src is not None:
                line = _line("_src_path", src)
        out.append(line)
    return "".join(out)


def with_answer(text: str, name: str, value: str) -> str:
    """`text` with the top-level answer `name` set to `value`; every other line stays as it is."""
    return "".join(
        _line(name, value) if line.startswith(f"{name}:") else line
        for line in text.splitlines(keepends=True)
    )


def _line(name: str, value: str) -> str:
    return yaml.safe_dump({name: value}, default_flow_style=False, width=1_000_000)
