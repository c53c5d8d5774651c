"""`mlplate new` asks the template's questions when it runs in a terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sys
import time
from pathlib import Path

import yaml

from tests.test_new import SMALL_TEMPLATE


def _read_until(
    fd: int, needle: bytes, seen: bytearray, timeout: float = 30, *, after: int = 0
) -> None:
    deadline = time.monotonic() + timeout
    while seen.find(needle, after) < 0:
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


LONG_REASON = (
    "The package name is not a Python identifier: use lower-case letters, digits and "
    "underscores, not starting with a digit, for example churn_model or fraud_detector_v2."
)


def test_a_rejected_answer_is_explained_under_its_question(template_repo, tmp_path: Path) -> None:
    template = dict(SMALL_TEMPLATE)
    template["copier.yml"] = template["copier.yml"].replace("not a Python identifier", LONG_REASON)
    repo = template_repo(template)
    dest = tmp_path / "proj"
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["COLUMNS"], os.environ["LINES"] = "60", "40"
        os.execv(
            sys.executable,
            [sys.executable, "-m", "mlplate", "new", str(dest), "-t", str(repo.root), "--no-git",
             "--no-lock"],
        )  # fmt: skip
    seen = bytearray()
    try:
        _read_until(fd, b"project_name", seen)
        os.write(fd, b"\r")
        _read_until(fd, b"package_name", seen)
        time.sleep(0.2)
        os.write(fd, b"\x159lives\r")
        _read_until(fd, "✗".encode(), seen)
        rejected = seen.index("✗".encode())
        _read_until(fd, b"package_name", seen, after=rejected)  # the question, asked again
        time.sleep(0.2)
        os.write(fd, b"\x15churn_model\r")
        for question in (b"python_version", b"size"):
            _read_until(fd, question, seen)
            time.sleep(0.2)
            os.write(fd, b"\r")
        _read_until(fd, b"Next steps", seen, timeout=60)
    except AssertionError:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    text = seen.decode(errors="replace")
    # The whole reason, wrapped to the terminal's width, right under the question: the lines
    # between the mark and the question asked again.
    shown = text[text.index("✗") + 1 : text.index("package_name", text.index("✗"))]
    words = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", shown).split()
    assert " ".join(words).startswith(LONG_REASON)
    assert (
        max(len(line) for line in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown).splitlines()) <= 60
    )
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["package_name"] == (
        "churn_model"
    )
