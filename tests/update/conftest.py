"""Throwaway templates, generated projects, and the checks every update scenario makes."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlplate.new import new
from tests.conftest import TemplateRepo, git, write_tree

BINARY_V1 = b"\x89PNG\0v1"
STEPS = "Step one.\nStep two.\nStep three.\nStep four.\nStep five.\n"
PRECOMMIT = """# the team's standard hooks
repos:
  - repo: local
    hooks:
      - id: black
        entry: black
        additional_dependencies: ["black==26.10.1"]
      - id: pylint
        entry: pylint
"""
CI = """name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - name: Check out
        uses: actions/checkout@v5
      - name: Install
        run: uv sync --locked
      - name: Test
        run: uv run pytest
"""
POLICY = (
    "# who owns what\n"
    "ownership:\n"
    "  template:\n"
    "    - Dockerfile\n"
    "    - .github/workflows/release.yml\n"
    "  seeded: [src/**, README.md]\n"
    "opt_out: []\n"
)
PYPROJECT = (
    "[project]\n"
    'name = "{{ project_name }}"\n'
    'version = "0.1.0"\n'
    'requires-python = ">=3.11"\n'
    "dependencies = [\n"
    "]\n"
)
TEMPLATE_V1: dict[str, str | bytes | None] = {
    "copier.yml": "_subdirectory: template\nproject_name:\n  type: str\n  default: demo\n",
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "template/.mlplate.yml": POLICY,
    "template/README.md.jinja": "# {{ project_name }}\n",
    "template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\n",
    "template/Dockerfile": "FROM python:3.11-slim\nUSER app\n",
    "template/src/app.py": "print('hello')\n",
    "template/docs/guide.md": "# Guide\n\n" + STEPS,
    "template/logo.bin": BINARY_V1,
    "template/Makefile": "test:\n\tpytest\n",
    "template/.pre-commit-config.yaml": PRECOMMIT,
    "template/.github/workflows/ci.yml": CI,
    "template/.github/workflows/release.yml": "name: Release\non: [push]\n",
    "template/pyproject.toml.jinja": PYPROJECT,
    "template/scripts/run.sh": "#!/bin/sh\necho run\n",
}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Renders and mirrors go to a cache of this test session, never the user's."""
    monkeypatch.setenv("MLPLATE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@dataclass
class Made:
    """A template repository at v1.0.0 and a committed project generated from it."""

    project: Path
    repo: TemplateRepo
    generated: dict[str, bytes]  # the project's files right after generation


@pytest.fixture(name="make_project")
def fixture_make_project(template_repo, tmp_path: Path) -> Callable[..., Made]:
    """`make_project(files=..., lock=..., data=...)`: template v1.0.0 and a project made from it."""

    def make(
        files: Mapping[str, str | bytes | None] | None = None,
        *,
        lock: bool = False,
        data: Mapping[str, str] | None = None,
    ) -> Made:
        repo = template_repo({**TEMPLATE_V1, **(files or {})}, tag="v1.0.0")
        # Named as the template's default name: `new` names a project after its directory.
        project = tmp_path / "demo"
        new(project, template=str(repo.root), lock=lock, data=dict(data or {}))
        return Made(project, repo, tree(project))

    return make


def commit_edits(project: Path, edits: Mapping[str, str | bytes | None]) -> None:
    """Make the project's edits and commit them, as a team would."""
    if not edits:
        return
    write_tree(project, edits)
    git(project, "add", "--all")
    git(project, "commit", "-qm", "project edits")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root except git's own, as bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def added_lines(before: bytes, after: bytes) -> list[str]:
    """The lines a user added or changed going from `before` to `after`."""
    old = before.decode(errors="replace").splitlines()
    new_lines = after.decode(errors="replace").splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new_lines, autojunk=False)
    return [
        line
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes()
        if tag in ("replace", "insert")
        for line in new_lines[j1:j2]
        if line.strip()
    ]


def backups(project: Path) -> dict[str, bytes]:
    """Files mlplate saved under .git/mlplate/backup/, by their project path."""
    folder = project / ".git" / "mlplate" / "backup"
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(stamp).as_posix(): p.read_bytes()
        for stamp in folder.iterdir()
        for p in stamp.rglob("*")
        if p.is_file()
    }


def assert_no_edit_lost(made: Made, edits: Mapping[str, str | bytes | None]) -> None:
    """Every line the project added is still in the project (any file) or in a backup."""
    after = tree(made.project)
    saved = backups(made.project)
    everywhere = "\n".join(
        content.decode(errors="replace") for content in [*after.values(), *saved.values()]
    )
    for rel, content in edits.items():
        if content is None:
            continue
        if isinstance(content, bytes):
            assert after.get(rel) == content or saved.get(rel) == content, f"{rel} was lost"
            continue
        for line in added_lines(made.generated.get(rel, b""), content.encode()):
            assert line in everywhere, f"the project's line {line!r} of {rel} was lost"


def assert_no_rej(project: Path) -> None:
    """No `.rej` or `.orig` leftovers anywhere, as cruft and old copier leave."""
    leftovers = [p for p in project.rglob("*") if p.suffix in (".rej", ".orig")]
    assert not leftovers, leftovers


def assert_report_true(project: Path, report: dict) -> None:
    """What the report says happened to each file is what is on disk."""
    files = report["files"]
    for entry in files["added"] + files["updated"] + files["merged"]:
        assert (project / entry["path"]).exists(), entry
    for entry in files["deleted"]:
        assert not (project / entry["path"]).exists(), entry
    for entry in files["conflicted"]:
        reason = entry.get("reason", "")
        if "no markers written" in reason:  # a symlink or binary file: the project's, as it was
            continue
        text = (project / entry["path"]).read_text()
        assert "<<<<<<< project" in text or "does not parse" in reason, entry
    assert sorted(report["conflicted"]) == sorted(e["path"] for e in files["conflicted"])
    for entry in files["skipped"]:
        assert entry.get("reason"), entry
