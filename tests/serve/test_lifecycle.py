"""The service's life: it follows the champion without a restart, and shuts down gracefully."""

from __future__ import annotations

import json
import signal
import socket
import time

import pytest

from tests.e2e.conftest import Project

from .conftest import call, running

pytestmark = pytest.mark.e2e


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_readiness_recovers_when_a_champion_appears(trained_scaffold: Project) -> None:
    project = trained_scaffold
    # A champion alias nobody has set yet: the service starts without a model.
    with running(project, tracking__champion_alias="next", serve__reload_interval_s="1") as service:
        status, ready = service.json("/ready")
        assert status == 503 and "make promote" in ready["error"], ready
        assert str(project.root) not in json.dumps(ready) and "/tmp" not in json.dumps(ready)
        status, health = service.json("/health")
        assert status == 200 and health["status"] == "degraded"
        env = {**project.env, f"{project.package.upper()}_TRACKING__CHAMPION_ALIAS": "next"}
        done = project.run(
            "uv",
            "run",
            "--no-sync",
            "python",
            "-m",
            f"{project.package}.train.registry",
            "promote",
            "1",
            env=env,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        # No /reload, no restart: the periodic check finds the new champion.
        assert _wait_for(lambda: call(f"{service.base}/ready")[0] == 200, 30)
        status, health = service.json("/health")
        assert health["model"]["version"] == "1"


def test_sigterm_lets_the_request_in_flight_finish(trained_scaffold: Project) -> None:
    with running(trained_scaffold) as service:
        _, document = service.json("/openapi.json")
        example = document["paths"]["/predict"]["post"]["requestBody"]["content"]
        body = json.dumps(example["application/json"]["example"]).encode()
        port = int(service.base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            head = (
                f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            sock.sendall(head + body[:5])  # a slow client: half a request so far
            time.sleep(0.5)
            service.process.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            assert service.process.poll() is None  # still finishing the request
            sock.sendall(body[5:])
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert b'"predictions"' in answer
        # Then it exits by itself; uvicorn re-raises the signal once it has shut down.
        assert service.process.wait(timeout=30) in (0, -signal.SIGTERM)
