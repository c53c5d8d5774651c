"""`mlplate demo`: generate a project on the defaults and run it end to end.

The newcomer's first command: create, install, train, serve a prediction from the
running service, and produce drift reports for a clean and a drifted batch.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlplate import _proc
from mlplate.errors import CommandFailed, UserError
from mlplate.new import new
from mlplate.results import envelope
from mlplate.staging import is_empty_or_missing

# Written into the demo's .git directory (so the project itself stays clean): the directory
# is a demo mlplate made, which a later `mlplate demo` may run again instead of refusing.
DEMO_MARKER = "mlplate-demo"

SAMPLE_ROW = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 5.1, "petal_width": 1.8}

# A first start compiles the bytecode of mlflow, scikit-learn and pandas: over a minute on a
# busy two-core machine, seconds afterwards.
READY_TIMEOUT_S = 180


@dataclass(frozen=True)
class DemoResult:
    """What the demo observed at each step."""

    project: Path
    package: str
    prediction: dict[str, Any]
    v2_prediction: dict[str, Any]
    clean_batch_exit: int
    drifted_batch_exit: int
    reused: bool = False  # an earlier (perhaps interrupted) demo was run again

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON form printed by --json."""
        return envelope(
            "demo",
            {
                "project": str(self.project),
                "package": self.package,
                "prediction": self.prediction,
                "v2_prediction": self.v2_prediction,
                "clean_batch_exit": self.clean_batch_exit,
                "drifted_batch_exit": self.drifted_batch_exit,
                "reused": self.reused,
            },
        )


def _earlier_demo(dest: Path) -> str | None:
    """The package of the demo mlplate made in `dest` before, or None when `dest` is not one."""
    marker = dest / ".git" / DEMO_MARKER
    answers = dest / ".copier-answers.yml"
    if not (marker.is_file() and answers.is_file()):
        return None
    try:
        package = (yaml.safe_load(answers.read_text(encoding="utf-8")) or {}).get("package_name")
    except yaml.YAMLError:
        return None
    return str(package) if package else None


def _project(dest: Path, progress: Callable[[str], None]) -> tuple[Path, str, bool]:
    """A fresh demo project in `dest`, or the earlier demo there: (path, package, reused)."""
    dest = dest.expanduser().resolve()
    if not is_empty_or_missing(dest):
        package = _earlier_demo(dest)
        if package is None:
            raise UserError(
                f"{dest} already exists, is not empty, and is not a demo mlplate made",
                "pass a new directory (mlplate demo DIR); an earlier demo directory is run again",
            )
        progress("Running the earlier demo again")
        return dest, package, True
    created = new(dest, defaults=True, progress=progress)
    (created.destination / ".git" / DEMO_MARKER).write_text(
        "made by mlplate demo; mlplate demo runs this directory again\n", encoding="utf-8"
    )
    return created.destination, str(created.answers["package_name"]), False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read())


@contextmanager
def serving(project: Path, package: str, env: dict[str, str]) -> Iterator[str]:
    """Run the project's uvicorn server on a free loopback port until the block ends."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        "uv",
        "run",
        "--no-sync",
        "uvicorn",
        f"{package}.serve:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with subprocess.Popen(
        cmd, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as server:
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while True:
                if server.poll() is not None:
                    raise CommandFailed(
                        command=" ".join(cmd), output=server.stdout.read() if server.stdout else ""
                    )
                try:
                    with urllib.request.urlopen(f"{base}/ready", timeout=2) as ready:  # noqa: S310
                        if ready.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError):
                    pass
                if time.monotonic() > deadline:
                    raise UserError(
                        f"the demo server did not become ready in {READY_TIMEOUT_S} s",
                        f"run `make serve` in {project}",
                    )
                time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _has_champion(project: Path) -> bool:
    """The last training run's report names a champion (a refused run keeps the old one)."""
    try:
        report = json.loads((project / "reports" / "last_run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and report.get("champion_version") is not None


def run_demo(dest: Path, *, progress: Callable[[str], None] = lambda _s: None) -> DemoResult:
    """Create a project in `dest` on the default answers and run it end to end.

    Re-runnable: a `dest` holding an earlier demo (finished or interrupted) is run again
    from its installation step on, so the README's first command never needs a cleanup.
    """
    _proc.require("uv")
    project, package, reused = _project(Path(dest), progress)
    env = dict(os.environ)
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")

    def step(message: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        progress(message)
        done = subprocess.run(
            ["uv", "run", *args], cwd=project, env=env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise CommandFailed(
                command="uv run " + " ".join(args), output=done.stderr or done.stdout
            )
        return done

    progress("Installing the project (uv sync)")
    _proc.run(["uv", "sync", "--locked"], cwd=project, env=env)
    step("Writing and validating the sample data", "python", "-m", f"{package}.data")
    trained = step(
        "Training, tracking in MLflow and registering the champion",
        "python",
        "-m",
        f"{package}.train",
        check=False,
    )
    if trained.returncode != 0 and not (trained.returncode == 1 and _has_champion(project)):
        raise CommandFailed(
            command=f"uv run python -m {package}.train", output=trained.stderr or trained.stdout
        )
    if trained.returncode == 1:
        # A demo run again retrains the same model on the same rows: the gate refuses a tie
        # (exit 1) and the earlier champion keeps serving, which is what a team wants.
        progress("The gate kept the earlier champion: the same model ties it")
    progress("Serving the champion model")
    with serving(project, package, env) as base:
        prediction = _post(f"{base}/predict", {"rows": [SAMPLE_ROW]})
        v2 = _post(
            f"{base}/v2/models/{package}/infer",
            {
                "inputs": [
                    {"name": name, "shape": [1], "datatype": "FP64", "data": [value]}
                    for name, value in SAMPLE_ROW.items()
                ]
            },
        )
    step("Making a clean and a drifted batch", "python", "-m", f"{package}.monitor", "demo-batches")
    clean = step(
        "Drift report: clean batch",
        "python",
        "-m",
        f"{package}.monitor",
        "--current",
        "data/batches/clean.csv",
        check=False,
    ).returncode
    drifted = step(
        "Drift report: drifted batch",
        "python",
        "-m",
        f"{package}.monitor",
        "--current",
        "data/batches/drifted.csv",
        check=False,
    ).returncode
    return DemoResult(project, package, prediction, v2, clean, drifted, reused)
