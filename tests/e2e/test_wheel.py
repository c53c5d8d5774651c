"""An installed wheel (no checkout) carries the template and records a version updates can find."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

import mlplate
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e


def test_wheel_install_generates_from_the_bundled_template(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env |= {"UV_PYTHON_DOWNLOADS": "never", "MLPLATE_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run(
        ["uv", "build", "--wheel", "-q", "-o", str(tmp_path / "dist"), str(REPO_ROOT)],
        check=True,
        env=env,
    )
    wheel = next((tmp_path / "dist").glob("mlplate-*.whl"))
    subprocess.run(["uv", "venv", "-q", str(tmp_path / "venv")], check=True, env=env)
    python = tmp_path / "venv/bin/python"
    subprocess.run(
        ["uv", "pip", "install", "-q", "-p", str(python), str(wheel)], check=True, env=env
    )

    # The second run reuses the cached template repository; both directories have one
    # name, since a project is named after its directory.
    first, second = tmp_path / "first/project", tmp_path / "second/project"
    for target in (first, second):
        target.parent.mkdir()
        done = subprocess.run(
            [
                str(tmp_path / "venv/bin/mlplate"),
                "new",
                str(target),
                "--defaults",
                "--no-lock",
                "-q",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    answers = yaml.safe_load((first / ".copier-answers.yml").read_text())
    assert answers["_commit"] == f"v{mlplate.__version__}"
    assert answers["_src_path"] == "mlplate:bundled"  # not this machine's cache path
    cached = tmp_path / "cache/mlplate/template"
    tags = subprocess.run(
        ["git", "tag"], cwd=cached, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tags == [f"v{mlplate.__version__}"]
    assert (first / "pyproject.toml").read_text() == (second / "pyproject.toml").read_text()

    # A teammate: a clone of the project, their own cache, the same mlplate.
    subprocess.run(["git", "clone", "-q", str(first), str(tmp_path / "c")], check=True)
    teammate = env | {"MLPLATE_CACHE_DIR": str(tmp_path / "their-cache")}
    done = subprocess.run(
        [str(tmp_path / "venv/bin/mlplate"), "update", "--no-lock", "--json"],
        cwd=tmp_path / "c",
        env=teammate,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"up_to_date": true' in done.stdout
