"""In a terminal, `mlplate adopt` asks only the questions it could not infer."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time

import yaml

from .conftest import TEMPLATE

ASKS_TEAM = {
    **TEMPLATE,
    "copier.yml": TEMPLATE["copier.yml"] + "team:\n  type: str\n  help: Owning team\n",
}


def _read_all(fd: int, timeout: float = 30) -> bytes:
    """Everything the child writes until it exits (or `timeout`)."""
    seen = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen.extend(chunk)
            if b"Owning team" in seen and b"answered" not in seen:
                time.sleep(0.2)
                os.write(fd, b"Risk\r")
                seen.extend(b"[answered]")
    return bytes(seen)


def test_adopt_asks_only_what_it_could_not_infer(template_repo, make_repo):
    template = template_repo(ASKS_TEAM, tag="v1.0.0")
    project = make_repo(
        "churn",
        {
            "pyproject.toml": '[project]\nname = "churn"\nrequires-python = ">=3.12"\n',
            "src/churn/__init__.py": "",
        },
    )
    pid, fd = pty.fork()
    if pid == 0:  # child: the real CLI with a terminal on stdin/stdout
        os.execv(
            sys.executable,
            [sys.executable, "-m", "mlplate", "adopt", str(project), "-t", str(template.root)],
        )
    try:
        output = _read_all(fd)
    finally:
        done, status = os.waitpid(pid, os.WNOHANG)
        if not done:  # still waiting for an answer: the test fails below, without hanging
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")
    assert b"Owning team" in output
    assert b"project_name" not in output.split(b"adopted")[0]  # inferred: not asked
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["team"] == "Risk" and answers["project_name"] == "churn"
