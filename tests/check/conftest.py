"""A throwaway project on an inline template, and a private check cache for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlplate.check import check
from mlplate.check.registry import Outcome
from mlplate.new import new

TEMPLATE = {
    "copier.yml": (
        "_subdirectory: template\n"
        "project_name:\n  type: str\n  default: demo\n"
        "package_name:\n  type: str\n  default: demo\n"
        "python_version:\n  type: str\n  choices: ['3.11', '3.12']\n  default: '3.11'\n"
        "token:\n  type: str\n  secret: true\n  default: none\n"
        "gpu:\n  type: bool\n  default: false\n"
        "cuda:\n  type: str\n  when: '{{ gpu }}'\n"
    ),
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "template/.mlplate.yml": (
        "ownership:\n  template: [Dockerfile, .github/workflows/*.yml]\n"
        "  seeded: [README.md]\nopt_out: []\n"
    ),
    "template/Dockerfile": "FROM python:3.11-slim\nUSER app\nHEALTHCHECK CMD true\n",
    "template/README.md.jinja": "# {{ project_name }}\n",
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Renders and template clones go to this test's own cache, never the user's."""
    monkeypatch.setenv("MLPLATE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(name="template")
def fixture_template(template_repo):
    """The inline template, tagged v1.0.0."""
    return template_repo(TEMPLATE, tag="v1.0.0")


@pytest.fixture(name="project")
def fixture_project(template, tmp_path: Path) -> Path:
    """A project generated from the v1.0.0 template, committed."""
    dest = tmp_path / "proj"
    new(dest, template=str(template.root), data={"token": "s3cret"}, lock=False)
    return dest


def outcome(project: Path, cid: str) -> Outcome:
    """The outcome of one check on `project`."""
    (result,) = check(project, select=[cid]).outcomes
    return result
