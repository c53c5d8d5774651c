"""schemathesis, every check, against the service's own OpenAPI document (bounded)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .conftest import HERE, SCHEMATHESIS, Service, with_packages

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = 25
MAX_SECONDS = 90


def test_schemathesis_all_checks_find_nothing(service: Service, tmp_path: Path) -> None:
    command = [
        *with_packages(SCHEMATHESIS),
        "st",
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        f"{service.base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(MAX_SECONDS),
        "--seed",
        "1",
        "--no-color",
    ]
    done = subprocess.run(  # in tmp_path: schemathesis keeps its example database in the cwd
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=service.project.env,
    )
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    counted = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert counted and counted.group(1) == counted.group(2), done.stdout[-3000:]
    assert service.alive()
    print(f"\nschemathesis --checks all: {counted.group(1)} cases, 0 failures")
