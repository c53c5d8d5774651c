"""The generated project's template-sync workflow: its steps' shell, run with stand-in tools."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from mlplate.new import new


@pytest.fixture(name="workflow", scope="module")
def fixture_workflow(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """template-sync.yml of a project generated from the bundled template."""
    root = tmp_path_factory.mktemp("sync") / "proj"
    new(root, defaults=True, git=False, lock=False)
    return yaml.safe_load((root / ".github/workflows/template-sync.yml").read_text())


def _step(workflow: dict, job: str, name: str) -> dict:
    (step,) = [s for s in workflow["jobs"][job]["steps"] if s.get("name") == name]
    return step


def _run(script: str, tmp_path: Path, uvx: str) -> tuple[int, dict[str, str]]:
    """Run a step's script with a stand-in `uvx`; return its exit code and its outputs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "uvx"
    fake.write_text(f"#!/bin/sh\n{uvx}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    outputs = tmp_path / "outputs"
    outputs.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(tmp_path),
        "MLPLATE_SPEC": "mlplate==0.0.0",
    }
    done = subprocess.run(["bash", "-e", "-c", script], env=env, cwd=tmp_path, check=False)
    pairs = [line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line]
    return done.returncode, dict(pairs)


def test_the_workflow_runs_weekly_and_on_demand_and_needs_mlplate_spec(workflow):
    assert set(workflow[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads on: as True
    assert workflow["jobs"]["check"]["if"] == "vars.MLPLATE_SPEC != ''"
    assert workflow["jobs"]["check"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["update"]["needs"] == "check"


@pytest.mark.parametrize(
    ("exit_code", "behind", "step_fails"),
    [(0, "false", False), (3, "true", False), (2, None, True)],
    ids=["up-to-date", "behind", "mlplate-error"],
)
def test_behind_step_reads_mlplate_check_exit_codes(
    workflow, tmp_path, exit_code, behind, step_fails
):
    script = _step(workflow, "check", "Is a newer template release out?")["run"]
    status, outputs = _run(script, tmp_path, f"exit {exit_code}")
    assert (status != 0) is step_fails
    assert outputs.get("behind") == behind


# GitHub's runners have jq; a machine without it cannot run this step's script.
needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


@needs_jq
@pytest.mark.parametrize(
    ("exit_code", "conflicts"), [(0, "0"), (1, "1")], ids=["clean", "conflicts"]
)
def test_update_step_passes_on_the_version_and_conflicts(workflow, tmp_path, exit_code, conflicts):
    report = json.dumps({"to": "v2.0.0"})
    script = _step(workflow, "update", "Update to the latest template release")["run"]
    status, outputs = _run(script, tmp_path, f"echo '{report}'; exit {exit_code}")
    assert status == 0
    assert outputs == {"conflicts": conflicts, "version": "v2.0.0"}


def test_update_step_fails_on_an_mlplate_error(workflow, tmp_path):
    script = _step(workflow, "update", "Update to the latest template release")["run"]
    status, _ = _run(script, tmp_path, "echo 'error: dirty' >&2; exit 2")
    assert status == 2
