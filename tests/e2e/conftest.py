"""Generated projects and how to run their commands (the session fixtures `scaffold` and
`trained_scaffold` are in tests/conftest.py, shared with tests/serve)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Project:
    """A generated project on disk, and how to run commands in it."""

    root: Path
    package: str

    @property
    def env(self) -> dict[str, str]:
        """The environment a developer has: none of the test runner's virtualenv or overrides."""
        # uv's other settings (cache, index) are the machine's and stay.
        prefix = f"{self.package.upper()}_"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("VIRTUAL_ENV", "MLFLOW_", "WANDB_", "UV_PROJECT_ENVIRONMENT", prefix)
            )
            # A developer's Python writes bytecode once; with this set (as CI machines
            # often set it) every process of the project recompiles MLflow, pandas and
            # scikit-learn: about 11 of a training's 20 seconds.
            and key != "PYTHONDONTWRITEBYTECODE"
        }
        env["UV_PYTHON_DOWNLOADS"] = "never"  # use the machine's Python; nothing to download here
        return env

    def run(
        self, *args: str | Path, timeout: float = 900, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the project; the caller checks the outcome."""
        return subprocess.run(
            [str(a) for a in args],
            cwd=self.root,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def uv_run(self, *args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """Run a command in the project's locked environment, as the Makefile does."""
        return self.run("uv", "run", "--no-sync", *args, timeout=timeout)

    def must(self, *args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """Run a command in the project and fail the test, with its output, if it fails."""
        done = self.run(*args, timeout=timeout)
        if done.returncode != 0:
            output = f"{done.stdout}\n{done.stderr}"
            raise AssertionError(f"{_show(args)} exited {done.returncode}:\n{output}")
        return done


def _show(args: Sequence[str | Path]) -> str:
    return " ".join(str(a) for a in args)


def tool(name: str) -> str:
    """A linter installed with mlplate's dev group (next to this Python), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `uv sync --group dev` in the mlplate checkout")
    return found


def workflow_linters_pass(project: Project) -> str:
    """actionlint (with shellcheck) and zizmor (pedantic, offline) find nothing in the
    project's workflows; returns zizmor's stderr, which lists the files it audited."""
    done = project.run(tool("actionlint"), "-color=false", "-shellcheck", tool("shellcheck"))
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    done = project.run(tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress", ".")
    assert done.returncode == 0 and "No findings to report" in done.stdout, (
        done.stdout + done.stderr
    )
    return done.stderr
