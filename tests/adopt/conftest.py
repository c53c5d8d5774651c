"""Realistic repositories to adopt, and a small template to adopt them onto."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git, write_tree

TEMPLATE = {
    "copier.yml": (
        "_subdirectory: template\n"
        "project_name:\n  type: str\n  default: demo\n"
        "package_name:\n  type: str\n"
        "  default: \"{{ project_name | lower | replace('-', '_') | replace(' ', '_') }}\"\n"
        "python_version:\n  type: str\n  choices: ['3.11', '3.12']\n  default: '3.11'\n"
        "author_name:\n  type: str\n  default: ML Team\n"
        "author_email:\n  type: str\n  default: ml@example.com\n"
        "pins:\n  type: yaml\n  when: false\n  default: {black: '26.10.1'}\n"
    ),
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "template/.mlplate.yml.jinja": (
        "ownership:\n  template: [Dockerfile]\n"
        "  seeded: [README.md, 'src/{{ package_name }}/**']\n  shared: [Makefile]\nopt_out: []\n"
    ),
    "template/Dockerfile": "FROM python:3.11-slim\nUSER app\n",
    "template/Makefile": "test:\n\tuv run pytest\n",
    "template/README.md.jinja": "# {{ project_name }}\n",
    "template/src/{{package_name}}/__init__.py": "",
}

CCDS_FOLDERS = {
    f"{name}/.gitkeep": ""
    for name in ("data/raw", "data/processed", "models", "notebooks", "references", "reports")
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mlplate check's cache goes to this test's own folder."""
    monkeypatch.setenv("MLPLATE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(name="template")
def fixture_template(template_repo):
    """The template, tagged v1.0.0."""
    return template_repo(TEMPLATE, tag="v1.0.0")


@pytest.fixture(name="make_repo")
def fixture_make_repo(tmp_path: Path):
    """A factory of committed git repositories with a configured git identity."""

    def make(name: str, files: dict[str, str]) -> Path:
        root = tmp_path / name
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.name", "Grace Hopper")
        git(root, "config", "user.email", "grace@example.org")
        write_tree(root, files)
        git(root, "add", "--all")
        git(root, "commit", "-qm", "existing work")
        return root

    return make


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (outside .git), by path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
