"""The generated project's service under real uvicorn on 127.0.0.1, for the serving tests.

The trained project comes from the session fixture `trained_scaffold` (tests/conftest.py).
Third-party clients and fuzzers (tritonclient, kserve, schemathesis) run in their own
cached environment through `uv run --with`, so they never enter mlplate's own.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import Project

HERE = Path(__file__).resolve().parent
# Test-only tools, pinned; uv caches the environment they make.
CLIENTS = ("tritonclient[http]==2.73.0", "kserve==0.21.0")
SCHEMATHESIS = "schemathesis==4.32.5"


def with_packages(*packages: str) -> list[str]:
    """The command prefix that runs Python with `packages` installed, outside any project."""
    command = ["uv", "run", "--no-project", "--python", "3.11"]
    for package in packages:
        command += ["--with", package]
    return command


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(
    url: str,
    body: bytes | None = None,
    *,
    method: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, bytes]:
    """One HTTP request with exactly the headers given; returns the status and the body."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class Service:
    """A running service: its base URL and process."""

    base: str
    process: subprocess.Popen
    project: Project

    def rss_kib(self) -> int:
        """The resident memory of the server process, in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1])

    def json(self, path: str, body: object | None = None) -> tuple[int, object]:
        """GET (or POST `body` as JSON) and decode the answer."""
        data = None if body is None else json.dumps(body).encode()
        status, raw = call(self.base + path, data, headers={"Content-Type": "application/json"})
        return status, json.loads(raw)

    def alive(self) -> bool:
        """Whether the process runs and answers /health."""
        return self.process.poll() is None and call(f"{self.base}/health")[0] == 200


@contextmanager
def running(project: Project, **settings: str) -> Iterator[Service]:
    """uvicorn serving `project` on a free loopback port; `settings` override the
    configuration (`serve__max_rows="5"` sets serve.max_rows)."""
    port = free_port()
    env = project.env
    prefix = f"{project.package.upper()}_"
    env.update({prefix + key.upper(): value for key, value in settings.items()})
    # uvicorn itself, not `uv run`: SIGTERM must reach the server, as in a container.
    command = [
        str(project.root / ".venv" / "bin" / "uvicorn"),
        f"{project.package}.serve:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--timeout-graceful-shutdown",
        "20",
        "--no-access-log",
    ]
    # A file, not a pipe: nobody reads the output while the service runs.
    with (
        tempfile.TemporaryFile() as log,
        subprocess.Popen(
            command, cwd=project.root, env=env, stdout=log, stderr=subprocess.STDOUT
        ) as process,
    ):
        service = Service(f"http://127.0.0.1:{port}", process, project)
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise AssertionError(f"the service exited {process.returncode}:\n{output}")
                try:
                    if call(f"{service.base}/health", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError("the service did not answer /health within 120 s")
                time.sleep(0.3)
            yield service
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture(name="service", scope="session")
def fixture_service(trained_scaffold: Project) -> Iterator[Service]:
    """The trained scaffold's service, serving its champion."""
    with running(trained_scaffold) as service:
        status, ready = service.json("/ready")
        assert status == 200, ready
        yield service


@pytest.fixture(name="contract", scope="session")
def fixture_contract(service: Service) -> dict:
    """The service's model metadata and a valid row, read from the service itself."""
    status, metadata = service.json(f"/v2/models/{service.project.package}")
    assert status == 200, metadata
    status, document = service.json("/openapi.json")
    assert status == 200
    example = document["paths"]["/predict"]["post"]["requestBody"]["content"]
    row = example["application/json"]["example"]["rows"][0]
    return {"metadata": metadata, "row": row}
