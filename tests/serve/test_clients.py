"""The stock Open Inference Protocol clients, unchanged, against the generated service."""

from __future__ import annotations

import csv
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Project

from .conftest import CLIENTS, HERE, Service, running, with_packages

pytestmark = pytest.mark.e2e


def _run_clients(service: Service, row: dict) -> dict:
    """What tritonclient and kserve saw (oip_clients.py, in their own environment)."""
    command = [
        *with_packages(*CLIENTS),
        str(HERE / "oip_clients.py"),
        service.base,
        service.project.package,
        json.dumps(row),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, env=service.project.env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_tritonclient_and_kserve_read_metadata_and_infer_batches_of_1_and_100(
    service: Service, contract: dict
) -> None:
    report = _run_clients(service, contract["row"])
    declared = {tensor["name"]: tensor["datatype"] for tensor in contract["metadata"]["inputs"]}
    outputs = [tensor["name"] for tensor in contract["metadata"]["outputs"]]
    for name, seen in report.items():
        assert seen["live"] and seen["ready"] and seen["model_ready"], name
        assert seen["inputs"] == declared, name  # every declared input, with its datatype
        for rows in ("1", "100"):
            assert set(seen["batches"][rows]) == set(outputs), name
            assert seen["batches"][rows]["predict"] == [int(rows)], name
        assert seen["id"] in ("t1", "k1")
    triton = report["tritonclient"]
    # Binary tensors are refused with an error the client decodes; the connection lives on.
    assert "binary tensor data is not supported" in triton["binary"]
    assert triton["after_binary_ready"]
    print(f"\nclients: tritonclient and kserve, inputs {declared}, batches 1 and 100: ok")


def _churn_csv(path: Path, rows: int = 300) -> None:
    """Numbers with gaps, categories with gaps, an id and a target that depends on them."""
    rng = random.Random(0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "age", "income", "city", "plan", "churn"])
        for index in range(rows):
            age = rng.randint(18, 80)
            plan = rng.choice(["basic", "pro"])
            income = "" if rng.random() < 0.1 else f"{rng.gauss(50, 15):.2f}"
            city = "" if rng.random() < 0.1 else rng.choice(["paris", "lyon", "nice"])
            churn = "yes" if plan == "basic" and age < 40 else "no"
            writer.writerow([index, age, income, city, plan, churn])


@pytest.fixture(name="categorical", scope="module")
def fixture_categorical(trained_scaffold: Project, tmp_path_factory: pytest.TempPathFactory):
    """The scaffold's code on another data set (categorical columns, missing values), trained
    in its own project root: the contract, registry and model live there."""
    project = trained_scaffold
    root = tmp_path_factory.mktemp("categorical")
    (root / "configs").mkdir()
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copy(project.root / "configs" / "config.yaml", root / "configs" / "config.yaml")
    _churn_csv(root / "data" / "raw" / "churn.csv")
    prefix = project.package.upper()
    env = {
        **project.env,
        f"{prefix}_ROOT": str(root),
        f"{prefix}_PATHS__RAW_DATA": "data/raw/churn.csv",
    }
    python = str(project.root / ".venv" / "bin" / "python")
    data = str(root / "data" / "raw" / "churn.csv")  # commands run in the scaffold's folder
    for step in (["data.contract", "--data", data, "--target", "churn"], ["train"]):
        done = project.run(python, "-m", f"{project.package}.{step[0]}", *step[1:], env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    with running(project, root=str(root), paths__raw_data="data/raw/churn.csv") as service:
        yield service


def test_stock_clients_send_bytes_tensors_for_categorical_features(categorical: Service) -> None:
    status, metadata = categorical.json(f"/v2/models/{categorical.project.package}")
    assert status == 200, metadata
    datatypes = {tensor["name"]: tensor["datatype"] for tensor in metadata["inputs"]}
    assert datatypes == {"age": "FP64", "income": "FP64", "city": "BYTES", "plan": "BYTES"}
    assert metadata["outputs"][0]["datatype"] == "BYTES"  # the labels are strings
    row = {"age": 30.0, "income": 50.0, "city": "paris", "plan": "basic"}
    report = _run_clients(categorical, row)
    for name, seen in report.items():
        assert seen["inputs"] == datatypes, name
        assert seen["batches"]["100"]["predict"] == [100], name
    # A missing number and a missing or unseen category are predicted, not refused.
    status, body = categorical.json(
        "/predict",
        {
            "rows": [
                {"age": 30, "income": None, "city": None, "plan": "basic"},
                {"age": 60, "income": 40, "city": "atlantis", "plan": "pro"},
            ]
        },
    )
    assert status == 200 and body["predictions"] == ["yes", "no"], body
