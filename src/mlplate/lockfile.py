"""The project's lockfile: always produced by uv, never merged as text."""

from __future__ import annotations

import os
from pathlib import Path

from mlplate import _proc

LOCKFILE = "uv.lock"


def lock(project: Path) -> Path:
    """Resolve the project's dependencies into uv.lock with uv."""
    _proc.require("uv")
    env = dict(os.environ)
    # A lock is a resolution, not an install: never fetch an interpreter for it.
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    _proc.run(
        ["uv", "lock", "--quiet"],
        cwd=project,
        env=env,
        hint="check the dependencies in pyproject.toml, or pass --no-lock and run `uv lock` later",
    )
    return project / LOCKFILE
