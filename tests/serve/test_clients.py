"""The stock Open Inference Protocol clients, unchanged, against the generated service."""

from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import CLIENTS, HERE, Service, with_packages

pytestmark = pytest.mark.e2e


def test_tritonclient_and_kserve_read_metadata_and_infer_batches_of_1_and_100(
    service: Service, contract: dict
) -> None:
    model = service.project.package
    command = [
        *with_packages(*CLIENTS),
        str(HERE / "oip_clients.py"),
        service.base,
        model,
        json.dumps(contract["row"]),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, env=service.project.env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
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
