"""`mlplate new` asks the template's questions when it runs in a terminal."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import yaml

from tests.test_new import SMALL_TEMPLATE


def _read_until(fd: int, needle: bytes, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        assert (
            remaining > 0
        ), f"no {needle!r} in the terminal output:\n{seen.decode(errors='replace')}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            assert chunk, f"process ended before {needle!r}:\n{seen.decode(errors='replace')}"
            seen.extend(chunk)


def test_new_prompts_for_answers_in_a_terminal(template_repo, tmp_path: Path) -> None:
    repo = template_repo(SMALL_TEMPLATE)
    dest = tmp_path / "proj"
    pid, fd = pty.fork()
    if pid == 0:  # child: the real CLI with a terminal on stdin/stdout
        os.execv(
            sys.executable,
            [
                sys.executable,
                "-m",
                "mlplate",
                "new",
                str(dest),
                "-t",
                str(repo.root),
                "--no-git",
                "--no-lock",
            ],
        )
    seen = bytearray()
    try:
        _read_until(fd, b"project_name", seen)
        os.write(fd, b"\x15churn-model\r")  # Ctrl-U clears the default, then the answer
        for question in (b"package_name", b"python_version", b"size"):
            _read_until(fd, question, seen)
            time.sleep(0.2)
            os.write(fd, b"\r")  # accept the proposed default
        _read_until(fd, b"Next steps", seen, timeout=60)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "churn-model"
    assert answers["package_name"] == "churn_model"
    assert (dest / "src/churn_model/__init__.py").is_file()
