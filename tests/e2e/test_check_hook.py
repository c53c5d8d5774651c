"""The generated project's mlplate-check pre-commit hook runs the pinned mlplate."""

from __future__ import annotations

import subprocess

import pytest

from mlplate.new import new
from tests.conftest import REPO_ROOT

from .conftest import Project

pytestmark = pytest.mark.e2e


@pytest.fixture(name="project", scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict[str, str]]:
    """A default project, and an environment whose index (UV_FIND_LINKS) has this mlplate."""
    tmp = tmp_path_factory.mktemp("hook")
    dist = tmp / "dist"
    subprocess.run(["uv", "build", "--wheel", "-q", "-o", str(dist), str(REPO_ROOT)], check=True)
    new(tmp / "p", defaults=True)
    project = Project(root=tmp / "p", package="my_ml_project")
    project.must("uv", "sync", "--locked")
    index = {"UV_FIND_LINKS": str(dist), "UV_TOOL_DIR": str(tmp / "tools")}
    return project, index


def _hook(project: Project, index: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**project.env, **index}
    args = ("pre-commit", "run", "--hook-stage", "manual", "mlplate-check", "--all-files")
    return project.run("uv", "run", "--no-sync", *args, env=env)


def test_the_hook_is_manual_until_mlplate_is_on_the_index(project) -> None:
    project, _ = project
    done = project.must("uv", "run", "--no-sync", "pre-commit", "run", "--all-files")
    assert "mlplate check" not in done.stdout


def test_the_hook_passes_on_a_fresh_project_and_fails_on_a_conflict_marker(project) -> None:
    project, index = project
    done = _hook(project, index)
    assert done.returncode == 0 and "mlplate check" in done.stdout, done.stdout + done.stderr
    readme = project.root / "README.md"
    readme.write_text(readme.read_text() + "<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> v2\n")
    done = _hook(project, index)
    assert done.returncode != 0 and "README.md" in done.stdout, done.stdout + done.stderr
