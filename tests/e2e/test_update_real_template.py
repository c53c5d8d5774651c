"""`mlplate update` on a project of the real template: edits kept, pins bumped, lock regenerated."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mlplate.new import new
from mlplate.update import update
from tests.conftest import REPO_ROOT, git

pytestmark = pytest.mark.e2e


def _template_clone(tmp_path: Path) -> Path:
    """This checkout's template, committed as it is on disk, tagged v0.0.1."""
    clone = tmp_path / "template"
    git(tmp_path, "clone", "--quiet", str(REPO_ROOT), str(clone))
    for name in ("copier.yml", "template"):
        subprocess.run(["cp", "-a", str(REPO_ROOT / name), str(clone)], check=True)
    git(clone, "add", "--all")
    git(clone, "commit", "--quiet", "--allow-empty", "-m", "as on disk")
    git(clone, "tag", "v0.0.1")
    return clone


def test_update_keeps_edits_bumps_a_pin_and_relocks(tmp_path: Path) -> None:
    template = _template_clone(tmp_path)
    project = tmp_path / "project"
    new(project, template=str(template))
    config = project / "configs" / "config.yaml"
    config.write_text(config.read_text().replace("min_value: 0.9 ", "min_value: 0.92"))
    train = project / "src" / "my_ml_project" / "train.py"
    train.write_text(train.read_text() + "\n# The team's note on training.\n")
    git(project, "commit", "--quiet", "-am", "team edits")

    copier_yml = template / "copier.yml"
    copier_yml.write_text(copier_yml.read_text().replace('pyyaml: "6.0.3"', 'pyyaml: "6.0.2"'))
    makefile = template / "template" / "Makefile.jinja"
    makefile.write_text(makefile.read_text().replace("PORT ?= 8000", "PORT ?= 8080"))
    git(template, "commit", "--quiet", "-am", "template v0.0.2")
    git(template, "tag", "v0.0.2")

    report = update(project)

    assert report.exit_code == 0 and not report.conflicted
    assert report.relocked
    assert "min_value: 0.92" in config.read_text()
    assert train.read_text().endswith("# The team's note on training.\n")
    assert '"pyyaml==6.0.2"' in (project / "pyproject.toml").read_text()
    assert 'name = "pyyaml"\nversion = "6.0.2"' in (project / "uv.lock").read_text()
    assert "PORT ?= 8080" in (project / "Makefile").read_text()
    assert not list(project.rglob("*.rej"))
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {
        "UV_PYTHON_DOWNLOADS": "never"
    }
    subprocess.run(["uv", "sync", "--locked", "-q"], cwd=project, env=env, check=True)
    tests = subprocess.run(
        ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
