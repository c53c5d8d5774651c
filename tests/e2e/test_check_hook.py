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
    made = new(tmp / "p", defaults=True)
    project = Project(root=tmp / "p", package=str(made.answers["package_name"]))
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


PLUGIN_PYPROJECT = """[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "mlplate-e2e-acme-checks"
version = "1.2"

[project.entry-points."mlplate.checks"]
acme = "acme_checks:checks"

[tool.hatch.build.targets.wheel]
packages = ["src/acme_checks"]
"""
PLUGIN = '''"""The acme team's checks."""

from mlplate.check import Check


class ACME001(Check):
    """README names an owner"""

    family = "acme"
    file = "README.md"

    @staticmethod
    def check(root):
        """
        README.md names no owner, so nobody answers for the model.
        Fix: add a line `Owner: <team>` to README.md.
        """
        return "Owner:" in (root / "README.md").read_text(encoding="utf-8")


def checks():
    return [ACME001]
'''


def test_a_plugin_named_in_mlplate_yml_is_installed_and_run_by_the_hook(project, tmp_path) -> None:
    project, index = project
    source = tmp_path / "acme"
    (source / "src" / "acme_checks").mkdir(parents=True)
    (source / "pyproject.toml").write_text(PLUGIN_PYPROJECT)
    (source / "src" / "acme_checks" / "__init__.py").write_text(PLUGIN)
    dist = index["UV_FIND_LINKS"]
    subprocess.run(["uv", "build", "--wheel", "-q", "-o", dist, str(source)], check=True)
    project.must("git", "checkout", "--", "README.md")  # the marker test's edit undone
    policy = project.root / ".mlplate.yml"
    original = policy.read_text()
    policy.write_text(original + 'check:\n  plugins: ["mlplate-e2e-acme-checks==1.2"]\n')
    try:
        done = _hook(project, index)
        assert done.returncode != 0 and "ACME001" in done.stdout, done.stdout + done.stderr
        readme = project.root / "README.md"
        readme.write_text(readme.read_text() + "\nOwner: acme\n")
        done = _hook(project, index)  # pre-commit prints a passing hook's output not at all
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        policy.write_text(original)
