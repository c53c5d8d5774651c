"""Running external programs (git, uv) with one error shape."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from mlplate.errors import CommandFailed, ToolMissing

_INSTALL_HINTS = {
    "git": (
        "install git (e.g. apt-get install git), or pass --no-git",
        "initialise the repository",
    ),
    "uv": ("install uv (pip install uv), or pass --no-lock", "lock the project's dependencies"),
}


def require(tool: str, *, why: str = "", install: str = "") -> str:
    """Return the path of `tool`, or raise ToolMissing naming how to install it."""
    found = shutil.which(tool)
    if found:
        return found
    default_install, default_why = _INSTALL_HINTS.get(tool, (f"install {tool}", f"run {tool}"))
    raise ToolMissing(tool=tool, why=why or default_why, install=install or default_install)


def run(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    hint: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing output; raise CommandFailed on a non-zero exit when `check`."""
    require(args[0])
    done = subprocess.run(
        list(args),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if check and done.returncode != 0:
        raise CommandFailed(command=" ".join(args), output=done.stderr or done.stdout, hint=hint)
    return done


def run_bytes(args: Sequence[str], *, cwd: Path | None = None) -> bytes:
    """Run a command and return its raw stdout; raise CommandFailed on failure."""
    require(args[0])
    done = subprocess.run(
        list(args), cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise CommandFailed(command=" ".join(args), output=done.stderr.decode(errors="replace"))
    return done.stdout
