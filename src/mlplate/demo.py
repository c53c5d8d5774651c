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

from mlplate import _proc
from mlplate.errors import CommandFailed, UserError
from mlplate.new import new

SAMPLE_ROW = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 5.1, "petal_width": 1.8}


@dataclass(frozen=True)
class DemoResult:
    """What the demo observed at each step."""

    project: Path
    package: str
    prediction: dict[str, Any]
    v2_prediction: dict[str, Any]
    clean_batch_exit: int
    drifted_batch_exit: int


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
            deadline = time.monotonic() + 60
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
                        "the demo server did not become ready in 60 s",
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


def run_demo(dest: Path, *, progress: Callable[[str], None] = lambda _s: None) -> DemoResult:
    """Create a project in `dest` on the default answers and run it end to end."""
    _proc.require("uv")
    created = new(dest, defaults=True, progress=progress)
    project, package = created.destination, str(created.answers["package_name"])
    env = dict(os.environ)
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")

    def step(message: str, *args: str, check: bool = True) -> int:
        progress(message)
        done = subprocess.run(
            ["uv", "run", *args], cwd=project, env=env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise CommandFailed(
                command="uv run " + " ".join(args), output=done.stderr or done.stdout
            )
        return done.returncode

    progress("Installing the project (uv sync)")
    _proc.run(["uv", "sync", "--locked"], cwd=project, env=env)
    step("Writing and validating the sample data", "python", "-m", f"{package}.data")
    step(
        "Training, tracking in MLflow and registering the champion",
        "python",
        "-m",
        f"{package}.train",
    )
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
    )
    drifted = step(
        "Drift report: drifted batch",
        "python",
        "-m",
        f"{package}.monitor",
        "--current",
        "data/batches/drifted.csv",
        check=False,
    )
    return DemoResult(project, package, prediction, v2, clean, drifted)
