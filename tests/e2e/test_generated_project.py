"""A project generated on the default answers runs its own commands green.

Generates with `mlplate new` (lock + first commit), installs with uv, then runs the
project's tests, its training (with the quality gate), a real uvicorn server on
127.0.0.1, and its drift monitor.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mlplate.check import check as run_check
from mlplate.check.registry import Status
from mlplate.demo import serving
from mlplate.new import new

pytestmark = pytest.mark.e2e

PACKAGE = "my_ml_project"
ROW = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 5.1, "petal_width": 1.8}


def _env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MLFLOW_", "MY_ML_PROJECT_", "VIRTUAL_ENV"))
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def project_run(
    project: Path, *args: str, check: bool = True, timeout: int = 600
) -> subprocess.CompletedProcess:
    """Run a command in the project's environment; fail with its output."""
    done = subprocess.run(
        ["uv", "run", "--no-sync", *args],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


@pytest.fixture(name="project", scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project generated on the defaults (locked, committed) and installed with uv."""
    dest = tmp_path_factory.mktemp("generated") / "my-ml-project"
    result = new(dest, defaults=True)
    assert result.lockfile and result.git_commit
    subprocess.run(
        ["uv", "sync", "--locked"], cwd=dest, env=_env(), check=True, capture_output=True
    )
    return dest


@pytest.fixture(name="trained", scope="module")
def fixture_trained(project: Path) -> Path:
    """The project after `data` and one `train`."""
    project_run(project, "python", "-m", f"{PACKAGE}.data")
    project_run(project, "python", "-m", f"{PACKAGE}.train")
    return project


def test_generated_project_is_committed_with_its_lockfile(project: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "uv.lock",
        ".copier-answers.yml",
        f"src/{PACKAGE}/train/fit.py",
        f"src/{PACKAGE}/serve/api.py",
    ):
        assert path in tracked.splitlines()


def test_generated_tests_pass(project: Path) -> None:
    done = project_run(project, "pytest", "-q", "-p", "no:cacheprovider", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and " failed" not in done.stdout
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    assert status == "", f"the project's tests left files behind:\n{status}"


def test_retraining_the_same_model_is_deterministic_and_keeps_the_champion(
    trained: Path,
) -> None:
    first = json.loads((trained / "reports/last_run.json").read_text())
    assert first["decision"] == "promoted"
    # The same model on the same rows ties the champion: a tie is within the noise, so the
    # gate refuses it (exit 1) and the champion does not move.
    done = project_run(trained, "python", "-m", f"{PACKAGE}.train", check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    second = json.loads((trained / "reports/last_run.json").read_text())
    assert first["metrics"] == second["metrics"]
    assert first["run_id"] != second["run_id"]
    assert second["decision"] == "refused"
    assert second["champion_version"] == first["model_version"]
    assert "noise" in second["gate"]["reason"]
    assert (trained / "mlruns").is_dir()


def test_quality_gate_failure_exits_non_zero_with_a_clear_message(trained: Path) -> None:
    env_key = f"{PACKAGE.upper()}_GATE__MIN_VALUE"
    done = subprocess.run(
        ["uv", "run", "--no-sync", "python", "-m", f"{PACKAGE}.train"],
        cwd=trained,
        env={**_env(), env_key: "1.01"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "gate" in (done.stdout + done.stderr).lower()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(url: str, payload: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_real_uvicorn_server_answers_predict_and_open_inference_protocol(trained: Path) -> None:
    with serving(trained, PACKAGE, _env()) as base:
        status, health = _request(f"{base}/health")
        assert status == 200 and json.dumps(health).count(PACKAGE) >= 1

        status, body = _request(f"{base}/predict", {"rows": [ROW, {**ROW, "petal_length": 1.4}]})
        assert status == 200, body
        assert len(body["predictions"]) == 2

        tensors = [
            {"name": name, "shape": [1], "datatype": "FP64", "data": [value]}
            for name, value in ROW.items()
        ]
        status, body = _request(f"{base}/v2/models/{PACKAGE}/infer", {"inputs": tensors})
        assert status == 200, body
        assert body["model_name"] == PACKAGE and body["outputs"][0]["shape"][0] == 1

        status, body = _request(f"{base}/predict", {"rows": [{**ROW, "sepal_length": "wide"}]})
        assert status == 422 and "sepal_length" in json.dumps(body)
        status, _ = _request(f"{base}/v2/models/nope/infer", {"inputs": tensors})
        assert status == 404

        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
            assert b"# TYPE" in response.read()


def test_monitor_alerts_on_a_drifted_batch_only(trained: Path) -> None:
    project_run(trained, "python", "-m", f"{PACKAGE}.monitor", "demo-batches")

    def monitor(batch: str) -> subprocess.CompletedProcess:
        current = f"data/batches/{batch}.csv"
        return project_run(
            trained, "python", "-m", f"{PACKAGE}.monitor", "--current", current, check=False
        )

    clean, drifted = monitor("clean"), monitor("drifted")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    report = json.loads((trained / "reports/drift.json").read_text())
    assert report
    assert (trained / "reports/drift.html").read_text().lower().count("<html") == 1


def test_mlplate_check_passes_on_the_generated_project(project: Path) -> None:
    result = run_check(project)
    failed = {o.id: o.details for o in result.failed}
    assert not failed, failed
    statuses = {o.id: o.status for o in result.outcomes}
    assert statuses["MP103"] is Status.PASS  # the template-owned files really were compared
