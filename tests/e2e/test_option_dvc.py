"""The `data_versioning` option, run for real: the default project has no DVC files and
evaluates with make; a `dvc` project runs its pipeline with `dvc repro` and pushes to
its default remote.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Project

pytestmark = pytest.mark.e2e

DVC_FILES = ("dvc.yaml", ".dvc", ".dvcignore")


def test_default_project_has_no_dvc_files(scaffold: Project) -> None:
    assert not [name for name in DVC_FILES if (scaffold.root / name).exists()]
    assert "dvc" not in (scaffold.root / "pyproject.toml").read_text()
    assert "repro" not in scaffold.must("make", "help").stdout


def test_default_project_evaluates_the_champion_after_make_train(
    trained_scaffold: Project,
) -> None:
    project = trained_scaffold
    done = project.must("make", "evaluate")
    assert "held-out rows: accuracy=" in done.stdout
    report = json.loads((project.root / "reports/evaluation.json").read_text())
    last_run = json.loads((project.root / "reports/last_run.json").read_text())
    assert report["model"]["version"] == last_run["champion_version"]
    assert report["split"]["path"] == "data/processed/test.csv"
    assert report["split"]["rows"] == 30
    assert report["metrics"] == pytest.approx(last_run["metrics"])


def test_evaluate_without_a_split_exits_2_with_one_line(scaffold: Project, tmp_path: Path) -> None:
    env = scaffold.env | {f"{scaffold.package.upper()}_PATHS__PROCESSED_DIR": str(tmp_path)}
    done = scaffold.run("make", "evaluate", env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if not line.startswith("make")]
    assert errors == [f"error: no held-out split at {tmp_path / 'test.csv'}: run `make train` first"]
