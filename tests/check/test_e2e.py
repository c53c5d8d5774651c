"""`mlplate check` through the installed console script on a real generated project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlplate.new import new

pytestmark = pytest.mark.e2e


def _mlplate(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "mlplate"
    command = [str(script)] if script.is_file() else [shutil.which("mlplate") or "mlplate"]
    env = {**os.environ, "MLPLATE_CACHE_DIR": str(cache), "UV_PYTHON_DOWNLOADS": "never"}
    return subprocess.run(
        [*command, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_a_generated_project_passes_every_check(tmp_path):
    project = tmp_path / "fraud-radar"
    new(project, data={"project_name": "fraud-radar"}, defaults=True)
    cache = tmp_path / "cache"

    done = _mlplate("check", "--format", "github", cwd=project, cache=cache)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("mlplate check: all passed")

    payload = json.loads(_mlplate("check", "--json", cwd=project, cache=cache).stdout)
    status = {c["id"]: c["status"] for c in payload["checks"]}
    assert payload["passed"] and payload["counts"]["fail"] == 0
    # Really compared and really checked, not skipped: the render, the lockfile, the image.
    for cid in ("MP101", "MP103", "MP106", "MP107", "MP201", "MP301", "MP302", "MP303", "MP305"):
        assert status[cid] == "pass", (cid, payload["checks"])


def test_an_edit_to_a_template_owned_workflow_fails_with_an_annotation(tmp_path):
    project = tmp_path / "p"
    new(project, defaults=True, lock=False)
    workflow = project / ".github/workflows/ci.yml"
    workflow.write_text(
        workflow.read_text().replace("persist-credentials: false", "fetch-depth: 0")
    )

    done = _mlplate(
        "check", "--format", "github", "--select", "MP103,MP302", cwd=project, cache=tmp_path
    )

    assert done.returncode == 3
    assert "::error file=.github/workflows/ci.yml,title=MP103 " in done.stdout
    assert "::error file=.github/workflows/ci.yml,title=MP302 " in done.stdout
