"""The template's questions, read from its copier.yml, to check answers before rendering."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlplate import gitrepo
from mlplate.errors import InvalidAnswer, UnknownQuestion, UserError
from mlplate.template_source import TemplateRef


@dataclass(frozen=True)
class Question:
    """What mlplate needs to know of one template question."""

    name: str
    help: str
    has_default: bool
    computed: bool
    type: str = "str"


CONFIG_NAMES = ("copier.yml", "copier.yaml")


def config_text(template: TemplateRef) -> str | None:
    """The text of `template`'s copier.yml at its version, or None (remote, or none there)."""
    if template.is_remote:
        return None
    if template.repo is not None and not template.worktree:
        for name in CONFIG_NAMES:
            text = gitrepo.show_file(template.repo, template.commit or "HEAD", name)
            if text is not None:
                return text
        return None
    root = template.repo if template.repo is not None else Path(template.src)
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return (root / name).read_text(encoding="utf-8")
    return None


def parse_config(text: str) -> dict[str, Any]:
    """A copier.yml's questions and `_` settings; raises ValueError when it is not a mapping
    and yaml.YAMLError when it cannot be read (e.g. copier's !include tags)."""
    config = yaml.safe_load(text) or {}
    if not isinstance(config, dict):
        raise ValueError("the template's copier.yml is not a mapping")
    return config


def specs(text: str) -> dict[str, dict[str, Any]]:
    """Each question of a copier.yml as a mapping (a bare value is its default); no settings."""
    return {
        str(name): spec if isinstance(spec, dict) else {"default": spec}
        for name, spec in parse_config(text).items()
        if not str(name).startswith("_")
    }


def settings(template: TemplateRef) -> dict[str, Any]:
    """The `_`-settings of a copier.yml (`_migrations`, `_tasks`, …); empty when unreadable."""
    try:
        config = parse_config(config_text(template) or "")
    except (ValueError, yaml.YAMLError):
        return {}
    return {str(k): v for k, v in config.items() if str(k).startswith("_")}


def load(template: TemplateRef) -> dict[str, Question] | None:
    """The questions of `template`, or None when they cannot be read before rendering."""
    text = config_text(template)
    if text is None:
        return None
    try:
        found = specs(text)
    except (yaml.YAMLError, ValueError):
        return None  # e.g. copier's !include tags: copier itself will read it
    questions: dict[str, Question] = {}
    for name, spec in found.items():
        questions[name] = Question(
            name=name,
            help=str(spec.get("help", "")),
            has_default="default" in spec,
            computed=spec.get("when") is False,
            type=str(spec.get("type", "str")),
        )
    return questions


def parse_data(pairs: list[str]) -> dict[str, Any]:
    """Turn repeated `--data key=value` options into a dict."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(
                f"--data '{pair}' is not of the form key=value", "write it as --data name=value"
            )
        data[key.strip()] = value
    return data


_BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "on", "off", "1", "0"}


def _type_problem(kind: str, value: Any) -> str | None:
    """Why `value` cannot be an answer of copier type `kind`, or None when it can."""
    if not isinstance(value, str):
        return None  # already typed (from an answers file): copier casts it
    casts = {"int": int, "float": float}
    if kind in casts:
        try:
            casts[kind](value)
        except ValueError:
            return f"'{value}' is not a{'n' if kind == 'int' else ''} {kind}"
    elif kind == "bool" and value.strip().lower() not in _BOOL_WORDS:
        return f"'{value}' is not a boolean (use true or false)"
    elif kind in {"json", "yaml"}:
        loader = json.loads if kind == "json" else yaml.safe_load
        try:
            loader(value)
        except ValueError:
            return f"'{value}' is not valid {kind.upper()}"
    return None


def check_known(data: dict[str, Any], questions: dict[str, Question] | None) -> None:
    """Reject answers to questions the template does not ask, and values of the wrong type."""
    if questions is None:
        return
    asked = {name for name, q in questions.items() if not q.computed}
    for key, value in data.items():
        if key not in asked:
            raise UnknownQuestion(key=key, known=asked)
        problem = _type_problem(questions[key].type, value)
        if problem:
            raise InvalidAnswer(key=key, reason=problem)


def read_answers_file(path: Path) -> dict[str, Any]:
    """Answers from a YAML file (`--data-file`), without copier's private `_` keys."""
    if not path.is_file():
        raise UserError(
            f"answers file {path} does not exist", "pass --data-file an existing YAML file"
        )
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(
            f"answers file {path} is not valid YAML ({exc.__class__.__name__})", "fix its syntax"
        ) from None
    if not isinstance(loaded, dict):
        raise UserError(
            f"answers file {path} is not a mapping of question: answer", "fix its contents"
        )
    return {k: v for k, v in loaded.items() if not str(k).startswith("_")}
