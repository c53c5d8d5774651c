"""The `data_versioning` option, run for real: the default project has no DVC files and
evaluates with make; a `dvc` project runs its pipeline with `dvc repro` and pushes to
its default remote.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from mlplate.new import new

from .conftest import Project

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
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
    assert "rows it never trained on: accuracy=" in done.stdout
    report = json.loads((project.root / "reports/evaluation.json").read_text())
    last_run = json.loads((project.root / "reports/last_run.json").read_text())
    assert report["model"]["version"] == last_run["champion_version"]
    # The held-out rows are found again from the raw data by each row's hash.
    assert report["split"]["source"].startswith("data/raw/")
    assert report["split"]["sha256"] == last_run["data_sha256"]
    assert report["split"]["rows"] == last_run["rows"]["test"]
    assert report["split"]["never_trained_on"] is True
    assert report["metrics"] == pytest.approx(last_run["metrics"])


def test_evaluate_without_a_champion_exits_2_with_one_error_and_one_hint(
    trained_scaffold: Project,
) -> None:
    project = trained_scaffold
    env = project.env | {f"{project.package.upper()}_TRACKING__CHAMPION_ALIAS": "nobody"}
    done = project.run("make", "evaluate", env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if not line.startswith("make")]
    assert len(errors) == 2 and errors[1].startswith("hint: "), errors
    # A version is registered, but the alias names none: the hint says where to look.
    assert errors[0].startswith("error: no 'nobody' version: 1 version of ")
    assert "none of them promoted" in errors[0] and "make models" in errors[1]


# ── data_versioning=dvc ────────────────────────────────────────────────────


def _make_recipe(project: Project, target: str) -> str:
    """The command a make target runs, as make prints it (without running it)."""
    done = project.must("make", "--dry-run", "--no-print-directory", target)
    commands = [line for line in done.stdout.splitlines() if "python -m" in line]
    assert len(commands) == 1, done.stdout
    return commands[0]


def _dvc_project(root: Path, *, lock: bool) -> Project:
    result = new(root, data={"data_versioning": "dvc"}, defaults=True, lock=lock)
    return Project(root=root, package=str(result.answers["package_name"]))


def test_dvc_stages_run_exactly_what_the_make_targets_run(tmp_path: Path) -> None:
    project = _dvc_project(tmp_path / "files", lock=False)
    pipeline = yaml.safe_load((project.root / "dvc.yaml").read_text())
    assert list(pipeline["stages"]) == ["data", "train", "evaluate"]
    for name, stage in pipeline["stages"].items():
        # Training alone accepts exit 1, the gate keeping the champion, as a decision.
        kept = " || [ $? -eq 1 ]" if name == "train" else ""
        assert stage["cmd"] == _make_recipe(project, name) + kept, name
    assert "uv run --no-sync dvc repro" in project.must("make", "--dry-run", "repro").stdout
    pins = yaml.safe_load((REPO / "copier.yml").read_text())["pins"]["default"]
    dev = tomllib.loads((project.root / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    assert f"dvc=={pins['dvc']}" in dev
    assert ".dvcstore/" in (project.root / ".gitignore").read_text().splitlines()


def test_dvc_pipeline_reproduces_pushes_and_leaves_only_dvc_lock_to_commit(
    tmp_path: Path,
) -> None:
    """One project through its whole DVC story (each step needs the one before it)."""
    project = _dvc_project(tmp_path / "my-ml-project", lock=True)
    project.must("uv", "sync", "--locked")

    first = project.must("uv", "run", "dvc", "repro")
    for stage in ("data", "train", "evaluate"):
        assert f"Running stage '{stage}'" in first.stdout, first.stdout
    report = json.loads((project.root / "reports/evaluation.json").read_text())
    assert {"accuracy", "balanced_accuracy", "f1_macro", "log_loss"} <= set(report["metrics"])
    assert report["metrics"]["accuracy"] >= 0.9
    metrics = json.loads(project.must("uv", "run", "dvc", "metrics", "show", "--json").stdout)
    assert metrics, "dvc metrics show found no metrics"
    assert project.must("git", "status", "--porcelain").stdout == "?? dvc.lock\n"

    again = project.must("uv", "run", "dvc", "repro")
    assert "Running stage" not in again.stdout, again.stdout
    assert "Data and pipelines are up to date." in again.stdout

    pushed = project.must("uv", "run", "dvc", "push")
    assert "files pushed" in pushed.stdout, pushed.stdout
    lock = yaml.safe_load((project.root / "dvc.lock").read_text())
    raw = next(o for o in lock["stages"]["data"]["outs"] if o["path"] == "data/raw/iris.csv")
    remote = project.root / ".dvcstore" / "files" / "md5"
    assert (remote / raw["md5"][:2] / raw["md5"][2:]).is_file()
    status = project.must("uv", "run", "dvc", "status", "--cloud").stdout
    assert "are in sync" in status, status

    tests = project.uv_run("pytest", "-q", "-p", "no:cacheprovider")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert project.must("git", "status", "--porcelain").stdout == "?? dvc.lock\n"
