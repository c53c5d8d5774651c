"""Slow clients: a body trickling in gets 408 within serve.body_timeout_s, and is let go."""

from __future__ import annotations

import socket
import time

import pytest

from tests.e2e.conftest import Project

from .conftest import running

pytestmark = pytest.mark.e2e

TIMEOUT_S = 1.0


def test_a_body_slower_than_the_timeout_gets_408_and_the_connection_closes(
    trained_scaffold: Project,
) -> None:
    with running(trained_scaffold, serve__body_timeout_s=str(TIMEOUT_S)) as service:
        host, port = service.base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as client:
            client.sendall(
                b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n" + b'{"rows": ['  # and then nothing more
            )
            started = time.monotonic()
            answer = b""
            while chunk := client.recv(65536):  # until the server closes the connection
                answer += chunk
            waited = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
        assert b"connection: close" in answer.lower()
        assert TIMEOUT_S <= waited < TIMEOUT_S + 3, waited
        assert service.alive()
