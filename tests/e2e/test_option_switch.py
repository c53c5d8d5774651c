"""Adding and removing a component on an existing project through `mlplate update --data`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from mlplate.new import new

from .conftest import Project

pytestmark = pytest.mark.e2e


def _update(project: Project, *data: str) -> dict:
    args = [arg for pair in data for arg in ("--data", pair)]
    done = project.run("uv", "run", "--no-sync", "--project", Path(__file__).parents[2],
                       "mlplate", "update", "--to", "HEAD", "--json", *args)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    return {action: [f["path"] for f in files] for action, files in report["files"].items()}


def test_docker_off_then_on_removes_and_restores_exactly_its_files(tmp_path: Path):
    package = str(new(tmp_path / "p", defaults=True).answers["package_name"])
    project = Project(root=tmp_path / "p", package=package)
    image_files = [".dockerignore", ".github/workflows/cd.yml", "Dockerfile"]

    off = _update(project, "docker=false")
    assert sorted(off["deleted"]) == image_files and off["conflicted"] == []
    assert not any((project.root / f).exists() for f in image_files)
    assert "docker:" not in (project.root / ".github/workflows/ci.yml").read_text()
    project.must("git", "commit", "-qam", "no image")

    on = _update(project, "docker=true", "kubernetes=true")
    assert set(image_files) <= set(on["added"]) and on["deleted"] == []
    assert {"k8s/deployment.yaml", "tests/test_kubernetes.py"} <= set(on["added"])
    assert "kubernetes-validate" in (project.root / "pyproject.toml").read_text()


def test_switching_tracker_and_serving_keeps_edits_and_the_project_green(tmp_path: Path):
    package = str(new(tmp_path / "p", defaults=True).answers["package_name"])
    project = Project(root=tmp_path / "p", package=package)
    train = project.root / f"src/{package}/train/fit.py"
    train.write_text(train.read_text() + "# the team's note\n")
    project.must("git", "commit", "-qam", "a team edit")

    files = _update(project, "tracker=none", "serving=batch")
    assert {f"src/{package}/serve/predict.py", "tests/serve/test_predict.py"} <= set(files["added"])
    assert {f"src/{package}/serve/api.py", "tests/serve/test_serve.py"} <= set(files["deleted"])
    assert f"src/{package}/train/tracking.py" in files["updated"] and files["conflicted"] == []
    assert train.read_text().endswith("# the team's note\n")
    pyproject = tomllib.loads((project.root / "pyproject.toml").read_text(encoding="utf-8"))
    assert not [d for d in pyproject["project"]["dependencies"] if d.startswith("mlflow")]
    project.must("uv", "sync", "--locked")
    tests = project.must("uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in tests.stdout and "failed" not in tests.stdout
    predict = project.must("uv", "run", "--no-sync", "pytest", "-q", "tests/serve/test_predict.py")
    assert "4 passed" in predict.stdout
