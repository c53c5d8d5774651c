"""Every pairwise combination of template options generates a project that passes its own checks.

The default combination is the main end-to-end test (test_generated_project.py); the
rest of the all-pairs set (tests/e2e/pairwise.py) is generated here, and each project
is put through what its own CI would run: install, tests, the pipeline, pre-commit with
its chosen linter, the workflow and Dockerfile linters, the strict docs build, `dvc
repro` where chosen (Kubernetes manifests are validated by its own tests), and
`mlplate check`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlplate.check import check
from mlplate.new import new

from .conftest import Project, tool, workflow_linters_pass
from .pairwise import OPTIONS, all_pairs, allowed, as_data, label, valid_combinations

pytestmark = pytest.mark.e2e

DEFAULTS = {name: values[0] for name, values in OPTIONS.items()}
MATRIX = [combo for combo in all_pairs() if combo != DEFAULTS]


def test_the_matrix_covers_every_allowed_pair_of_option_values():
    covered = set()
    for combo in [DEFAULTS, *MATRIX]:
        assert allowed(combo), combo
        covered |= {(a, b) for a in combo.items() for b in combo.items() if a[0] < b[0]}
    for combo in valid_combinations():
        missing = {(a, b) for a in combo.items() for b in combo.items() if a[0] < b[0]} - covered
        assert not missing, missing
    assert len(MATRIX) < len(valid_combinations()) / 10


def _pipeline(project: Project, combo: dict[str, Any]) -> None:
    module = project.package
    for step in ("data", "train", "train.evaluate"):
        project.must("uv", "run", "--no-sync", "python", "-m", f"{module}.{step}")
    project.must("uv", "run", "--no-sync", "python", "-m", f"{module}.monitor", "demo-batches")
    if combo["serving"] == "batch":
        done = project.must(
            "uv", "run", "--no-sync", "python", "-m", f"{module}.serve.predict",
            "data/batches/clean.csv",
        )  # fmt: skip
        assert "predictions by" in done.stdout
        assert (project.root / "reports/predictions/clean.csv").is_file()


def _linters(project: Project, combo: dict[str, Any], site: Path) -> None:
    done = project.run("uv", "run", "--no-sync", "pre-commit", "run", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = done.stdout
    assert ("ruff check" in hooks) == (combo["linting"] == "ruff"), hooks
    assert ("pylint" in hooks) == (combo["linting"] == "black-pylint"), hooks
    workflow_linters_pass(project)
    dockerfiles = [
        name for name in ("Dockerfile", "Dockerfile.gpu") if (project.root / name).is_file()
    ]
    expected = ["Dockerfile"] * combo["docker"] + ["Dockerfile.gpu"] * combo["gpu_image"]
    assert dockerfiles == expected
    for dockerfile in dockerfiles:
        done = project.run(tool("hadolint"), dockerfile)
        assert done.returncode == 0 and done.stdout == "", done.stdout
    project.must("uv", "run", "--no-sync", "mkdocs", "build", "--strict", "--site-dir", site)


@pytest.mark.parametrize("combo", MATRIX, ids=[label(c) for c in MATRIX])
def test_option_combination_passes_its_own_checks(combo: dict[str, Any], tmp_path: Path):
    result = new(tmp_path / "project", data=as_data(combo), defaults=True)
    project = Project(root=tmp_path / "project", package=str(result.answers["package_name"]))
    project.must("uv", "sync", "--locked")

    tests = project.must("uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in tests.stdout and "failed" not in tests.stdout
    assert (project.root / "tests/test_kubernetes.py").is_file() == combo["kubernetes"]
    _pipeline(project, combo)
    _linters(project, combo, tmp_path / "site")
    if combo["data_versioning"] == "dvc":
        project.must("uv", "run", "--no-sync", "dvc", "repro", timeout=1200)
        assert (project.root / "reports/evaluation.json").is_file()

    failed = {o.id: o.details for o in check(project.root).failed}
    assert not failed, failed
    # Everything the pipeline wrote is ignored: the project stays committable.
    status = project.must("git", "status", "--porcelain").stdout.splitlines()
    assert set(status) <= {"?? dvc.lock"}, status
