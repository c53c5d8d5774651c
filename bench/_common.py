"""Helpers shared by the benchmarks: timing, a tagged template clone, result tables."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script from this environment (falls back to PATH)."""
    candidate = BIN / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def run(cmd: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    """Run a command, raising with its output on failure."""
    subprocess.run(list(cmd), cwd=cwd, env=env, check=True, capture_output=True)


def timed(action: Callable[[], object]) -> float:
    """Wall-clock seconds `action` took."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_of(samples: list[float]) -> float:
    """The median of the samples."""
    return statistics.median(samples)


def tagged_template_clone(workdir: Path, tag: str = "v0.0.1") -> Path:
    """A local git repository of this checkout's template, committed and tagged."""
    clone = workdir / "template-repo"
    run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)])
    # Bring uncommitted template edits along so the benchmark measures what is on disk.
    for name in ("copier.yml", "template", "hooks"):
        src = REPO_ROOT / name
        dst = clone / name
        if src.is_dir():
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dst)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    run(["git", "add", "--all"], cwd=clone)
    run(["git", "commit", "--quiet", "--allow-empty", "-m", "bench"], cwd=clone, env=env)
    run(["git", "tag", tag], cwd=clone)
    return clone


def scratch() -> Path:
    """A fresh temporary directory for one benchmark run."""
    return Path(tempfile.mkdtemp(prefix="mlplate-bench-"))


def generated_project(given: Path | None) -> tuple[Path, str]:
    """`given`, or a project generated on the defaults; its path and package, installed."""
    if given is None:
        given = scratch() / "project"
        run([tool("mlplate"), "new", str(given), "--defaults", "-q"])
    answers = (given / ".copier-answers.yml").read_text()
    found = re.search(r"^package_name: (\S+)", answers, re.M)
    assert found, f"no package_name in {given}/.copier-answers.yml"
    if not (given / ".venv").is_dir():
        run(["uv", "sync", "--locked"], cwd=given)
    return given, found.group(1)


def table(rows: list[tuple[str, ...]]) -> str:
    """Left-aligned text table; the first row is the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@contextmanager
def template_bench(description: str, default_repeat: int) -> Iterator[tuple[int, Path, Path]]:
    """Parse `--repeat`, make a scratch dir with a tagged template clone; clean up after.

    Yields (repeat, scratch directory, template repository).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=default_repeat)
    args = parser.parse_args()
    work = scratch()
    try:
        yield args.repeat, work, tagged_template_clone(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
