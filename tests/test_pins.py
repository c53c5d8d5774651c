"""mlplate's own tooling and the generated projects' share one set of pins and settings.

copier.yml's `pins` is the single source; mlplate's dev group, its pre-commit config
and its black/pylint settings must agree with what the template generates from it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from packaging.requirements import Requirement

from mlplate._version import __version__

REPO = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    return yaml.safe_load((REPO / "copier.yml").read_text())["pins"]["default"]


def _pin_key(name: str) -> str:
    """The `pins` key of a distribution name: pre-commit-hooks → pre_commit_hooks."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _exact_version(requirement: str) -> tuple[str, str]:
    req = Requirement(requirement)
    specs = list(req.specifier)
    assert len(specs) == 1 and specs[0].operator == "==", f"{requirement} is not pinned with =="
    return _pin_key(req.name), specs[0].version


def _render(relative: str, **context: Any) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string((REPO / "template" / relative).read_text())
    return template.render(pins=_pins(), **context)


def _answers() -> dict[str, Any]:
    """copier.yml's default answers (the defaults that are themselves templates, rendered)."""
    questions = yaml.safe_load((REPO / "copier.yml").read_text())
    answers: dict[str, Any] = {}
    for name, spec in questions.items():
        if name.startswith("_") or name == "pins" or not isinstance(spec, dict):
            continue
        default = spec.get("default")
        answers[name] = (
            jinja2.Template(default).render(**answers) if isinstance(default, str) else default
        )
    return answers


def _repo_pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _template_pyproject() -> dict[str, Any]:
    return tomllib.loads(_render("pyproject.toml.jinja", **_answers()))


def _hooks(config: dict[str, Any]) -> list[dict[str, Any]]:
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


@pytest.mark.parametrize("tool", ["black", "pylint", "pre-commit"])
def test_dev_group_pins_the_template_versions(tool: str) -> None:
    pins = _pins()
    dev = dict(_exact_version(r) for r in _repo_pyproject()["dependency-groups"]["dev"])
    assert dev[_pin_key(tool)] == pins[_pin_key(tool)]


def test_pre_commit_config_installs_the_template_versions() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    pins = _pins()
    pinned = {
        _exact_version(dep)
        for hook in _hooks(config)
        for dep in hook.get("additional_dependencies", [])
    }
    assert {name for name, _ in pinned} >= {"black", "pre_commit_hooks", "uv"}
    for name, version in pinned:
        assert (
            version == pins[name]
        ), f"{name}=={version} in .pre-commit-config.yaml, {pins[name]} in pins"
    assert config["minimum_pre_commit_version"] == pins["pre_commit"]


def test_pre_commit_config_is_the_generated_projects_standard() -> None:
    ours = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    generated = yaml.safe_load(_render(".pre-commit-config.yaml.jinja", **_answers()))
    assert ours.pop("exclude") == "^template/"  # Jinja sources are not Python or YAML
    # mlplate checks itself from its checkout (.pre-commit-hooks.yaml), not from an index.
    # mypy type-checks the generated project's src/; mlplate's own code is not typed yet.
    local = generated["repos"][0]["hooks"]
    skipped = {"mlplate-check", "mypy"}
    generated["repos"][0]["hooks"] = [h for h in local if h["id"] not in skipped]
    assert ours == generated


def test_generated_projects_run_the_bundling_mlplate_version() -> None:
    assert _pins()["mlplate"] == __version__


@pytest.mark.parametrize("linting", ["black-pylint", "ruff"])
def test_every_hook_is_local_python_with_pinned_dependencies(linting: str) -> None:
    answers = {**_answers(), "linting": linting}
    config = yaml.safe_load(_render(".pre-commit-config.yaml.jinja", **answers))
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    for hook in _hooks(config):
        assert hook["language"] == "python", hook["id"]
        assert hook["additional_dependencies"], hook["id"]
        for dep in hook["additional_dependencies"]:
            _exact_version(dep)


@pytest.mark.parametrize(
    ("section", "keys"),
    [
        ("black", ["line-length"]),
        ("pylint.format", ["max-line-length"]),
        ("pylint.basic", ["no-docstring-rgx"]),
        ("pylint.messages control", ["disable"]),
    ],
)
def test_black_and_pylint_settings_match_the_template(section: str, keys: list[str]) -> None:
    def lookup(pyproject: dict[str, Any]) -> dict[str, Any]:
        table = pyproject["tool"]
        for part in section.split(".", 1):
            table = table[part]
        return {key: table.get(key) for key in keys}

    assert lookup(_repo_pyproject()) == lookup(_template_pyproject())


def test_ci_installs_the_pinned_uv() -> None:
    script = (REPO / ".ci" / "run").read_text()
    assert re.findall(r"uv==([\w.]+)", script) == [_pins()["uv"]]
