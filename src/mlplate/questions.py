"""The template's questions, read from its copier.yml, to check answers before rendering."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlplate import _proc
from mlplate.errors import UnknownQuestion, UserError
from mlplate.template_source import TemplateRef


@dataclass(frozen=True)
class Question:
    name: str
    help: str
    has_default: bool
    computed: bool


def _config_text(template: TemplateRef) -> str | None:
    if template.is_remote:
        return None
    if template.repo is not None and not template.worktree:
        for name in ("copier.yml", "copier.yaml"):
            done = _proc.run(["git", "show", f"{template.commit}:{name}"], cwd=template.repo, check=False)
            if done.returncode == 0:
                return done.stdout
        return None
    root = Path(template.src)
    for name in ("copier.yml", "copier.yaml"):
        if (root / name).is_file():
            return (root / name).read_text(encoding="utf-8")
    return None


def load(template: TemplateRef) -> dict[str, Question] | None:
    """The questions of `template`, or None when they cannot be read before rendering."""
    text = _config_text(template)
    if text is None:
        return None
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return None  # e.g. copier's !include tags: copier itself will read it
    questions: dict[str, Question] = {}
    for name, spec in config.items():
        if str(name).startswith("_"):
            continue
        spec = spec if isinstance(spec, dict) else {"default": spec}
        questions[name] = Question(
            name=name,
            help=str(spec.get("help", "")),
            has_default="default" in spec,
            computed=spec.get("when") is False,
        )
    return questions


def parse_data(pairs: list[str]) -> dict[str, Any]:
    """Turn repeated `--data key=value` options into a dict."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--data '{pair}' is not of the form key=value", "write it as --data name=value")
        data[key.strip()] = value
    return data


def check_known(data: dict[str, Any], questions: dict[str, Question] | None) -> None:
    """Reject answers to questions the template does not ask."""
    if questions is None:
        return
    asked = {name for name, q in questions.items() if not q.computed}
    for key in data:
        if key not in asked:
            raise UnknownQuestion(key=key, known=asked)


def read_answers_file(path: Path) -> dict[str, Any]:
    """Answers from a YAML file (`--answers-file`), without copier's private `_` keys."""
    if not path.is_file():
        raise UserError(f"answers file {path} does not exist", "pass --answers-file an existing YAML file")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(
            f"answers file {path} is not valid YAML ({exc.__class__.__name__})", "fix its syntax"
        ) from None
    if not isinstance(loaded, dict):
        raise UserError(f"answers file {path} is not a mapping of question: answer", "fix its contents")
    return {k: v for k, v in loaded.items() if not str(k).startswith("_")}
