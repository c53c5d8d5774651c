"""Shared fixtures: throwaway template repositories and a CLI runner."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlplate.cli import main
from mlplate.new import new

REPO_ROOT = Path(__file__).resolve().parents[1]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed test identity; returns stdout."""
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def write_tree(root: Path, files: Mapping[str, str | bytes | None]) -> None:
    """Write `files` (path → text/bytes) under root; a None value deletes the path."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


class TemplateRepo:
    """A template in a git repository, built inline: commit a dict of files, tag versions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        git(root, "init", "--quiet", "--initial-branch=main")

    def commit(self, files: Mapping[str, str | bytes | None], *, tag: str | None = None) -> str:
        """Write `files` into the repository, commit, and tag when asked."""
        write_tree(self.root, files)
        git(self.root, "add", "--all")
        git(self.root, "commit", "--quiet", "--allow-empty", "-m", f"template {tag or 'change'}")
        if tag:
            git(self.root, "tag", tag)
        return git(self.root, "rev-parse", "HEAD")


@pytest.fixture
def template_repo(tmp_path: Path) -> Callable[..., TemplateRepo]:
    """A factory of inline template repositories under tmp_path."""
    counter = iter(range(1000))

    def make(
        files: Mapping[str, str | bytes | None] | None = None, *, tag: str | None = "v1.0.0"
    ) -> TemplateRepo:
        repo = TemplateRepo(tmp_path / f"template{next(counter)}")
        if files is not None:
            repo.commit(files, tag=tag)
        return repo

    return make


@dataclass
class CliResult:
    """Exit code and captured output of one CLI run."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `mlplate ARGS` in-process through the real entry point."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


@pytest.fixture(name="scaffold", scope="session")
def fixture_scaffold(tmp_path_factory: pytest.TempPathFactory):
    """`mlplate new` on the default answers (rendered, locked, committed), then `uv sync`."""
    root = tmp_path_factory.mktemp("scaffold") / "my-ml-project"
    result = new(root, defaults=True)
    assert result.git_commit and result.lockfile
    # Imported here: tests/e2e/conftest.py is itself a conftest, loaded after this one.
    from tests.e2e.conftest import Project  # pylint: disable=import-outside-toplevel

    project = Project(root=root, package=str(result.answers["package_name"]))
    project.must("uv", "sync", "--locked")
    return project


@pytest.fixture(name="trained_scaffold", scope="session")
def fixture_trained_scaffold(scaffold):
    """The scaffold after `make data train`: a champion model in its local registry."""
    for step in ("data", "train"):
        scaffold.must("uv", "run", "--no-sync", "python", "-m", f"{scaffold.package}.{step}")
    return scaffold
