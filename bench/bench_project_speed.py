"""Generated-project speed: `uv run` start-up, and the pylint pre-commit hook on one changed file.

A project generated on the defaults, synced once per variant. Measured in one run,
alternating, medians:

- `uv run` with `[tool.uv] compile-bytecode` on, off, and off with the bytecode compiled
  once by `uv sync --compile-bytecode` (as `make install` does), for an empty command and
  for one that imports the package's modules, with `PYTHONDONTWRITEBYTECODE=1` (CI, containers,
  this machine) and without it (a laptop).
- `pre-commit run pylint --files <one changed file>` with the template's pylint settings
  and with its previous settings (`extension-pkg-allow-list` instead of `ignored-modules`:
  pylint then infers through the libraries' source).

    uv run python bench/bench_project_speed.py [--repeat 5] [--part uv-run|pylint]
        [--files serve/api.py]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

from _common import median_of, run, table, timed, tool

CHANGED = ("train/fit.py", "monitor/check.py", "serve/api.py")


def _set_compile_bytecode(project: Path, value: bool) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    line = f"compile-bytecode = {str(value).lower()}"
    if re.search(r"^compile-bytecode = \w+$", text, flags=re.M):
        text = re.sub(r"^compile-bytecode = \w+$", line, text, flags=re.M)
    elif "[tool.uv]\n" in text:
        text = text.replace("[tool.uv]\n", f"[tool.uv]\n{line}\n")
    else:
        text += f"\n[tool.uv]\n{line}\n"
    pyproject.write_text(text, encoding="utf-8")


PREVIOUS = 'extension-pkg-allow-list = ["numpy", "pandas", "scipy", "sklearn"]\n'


def _previous_pylint_settings(text: str) -> str:
    """The pyproject text with `ignored-modules` replaced by the template's previous setting."""
    return re.sub(r"^ignored-modules = \[[^\]]*\]\n", PREVIOUS, text, flags=re.M)


def _timed_cpu(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all child processes) of one command.

    On a busy shared machine the CPU time is what the command costs on an idle core
    (pylint is single-threaded); the wall time is what this run waited.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(lambda: run(cmd, cwd=cwd, env=env))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _uv_run_part(work: Path, project: Path, package: str, repeat: int, env: dict[str, str]) -> None:
    # (setting, extra `uv sync` flag at install): the last is `make install`'s way.
    shapes = {
        "compile-bytecode = true": (True, []),
        "compile-bytecode = false": (False, []),
        "false, `uv sync --compile-bytecode` at install": (False, ["--compile-bytecode"]),
    }
    variants = {}
    for n, (name, (value, flags)) in enumerate(shapes.items()):
        copy = work / f"bytecode-{n}"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".venv"))
        _set_compile_bytecode(copy, value)
        run(["uv", "sync", "--locked", "--quiet", *flags], cwd=copy, env=env)
        variants[name] = copy
    commands = {
        "uv run python -c pass": ["uv", "run", "python", "-c", "pass"],
        f"uv run python -c 'import {package}.train.fit, .serve.api'": [
            "uv",
            "run",
            "python",
            "-c",
            f"import {package}.train.fit, {package}.serve.api",
        ],
    }
    rows = [("PYTHONDONTWRITEBYTECODE", "setting", "command", "median s")]
    # Without bytecode writing first: once Python may write .pyc files, the 'off' venv gets them.
    for dont_write in (True, False):
        run_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        if dont_write:
            run_env["PYTHONDONTWRITEBYTECODE"] = "1"
        for label, cmd in commands.items():
            samples: dict[str, list[float]] = {name: [] for name in variants}
            for i in range(repeat + 1):
                for name, copy in variants.items():
                    took = timed(lambda c=copy, e=run_env, k=cmd: run(k, cwd=c, env=e))
                    if i:  # the first round warms the OS cache (and, when allowed, writes .pyc)
                        samples[name].append(took)
            for name, times in samples.items():
                rows.append(
                    ("1" if dont_write else "unset", name, label, f"{median_of(times):.3f}")
                )
    print(table(rows))


def _pylint_part(
    project: Path, package: str, repeat: int, env: dict[str, str], changed: list[str]
) -> None:
    pyproject = project / "pyproject.toml"
    shipped = pyproject.read_text(encoding="utf-8")
    peer = _previous_pylint_settings(shipped)
    if peer == shipped:
        print("the template sets no pylint ignored-modules: both rows measure the same settings")
    pre_commit = [str(project / ".venv" / "bin" / "pre-commit")]
    run([*pre_commit, "install-hooks"], cwd=project, env=env)
    settings = {"template settings": shipped, "previous (extension-pkg-allow-list)": peer}
    rows = [("changed file", "pylint settings", "wall s", "CPU s", "ratio (CPU)")]
    for name in changed:
        path = project / "src" / package / name
        original = path.read_text(encoding="utf-8")
        path.write_text(original + "# edited\n", encoding="utf-8")
        walls: dict[str, list[float]] = {label: [] for label in settings}
        cpus: dict[str, list[float]] = {label: [] for label in settings}
        try:
            for i in range(repeat + 1):
                for label, text in settings.items():
                    pyproject.write_text(text, encoding="utf-8")
                    cmd = [*pre_commit, "run", "pylint", "--files", str(path.relative_to(project))]
                    wall, cpu = _timed_cpu(cmd, project, env)
                    if i:
                        walls[label].append(wall)
                        cpus[label].append(cpu)
        finally:
            path.write_text(original, encoding="utf-8")
            pyproject.write_text(shipped, encoding="utf-8")
        base = median_of(cpus["previous (extension-pkg-allow-list)"])
        for label in settings:
            wall, cpu = median_of(walls[label]), median_of(cpus[label])
            rows.append((name, label, f"{wall:.2f}", f"{cpu:.2f}", f"{cpu / base:.2f}x"))
        print(table(rows), flush=True)  # a table per file: each takes minutes on a busy machine


def main() -> None:
    """Generate one project and print both tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--part", choices=["uv-run", "pylint", "all"], default="all")
    parser.add_argument(
        "--files", nargs="+", default=list(CHANGED), help="the package's modules to change"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mlplate-project-speed-"))
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    try:
        project = work / "project"
        run([tool("mlplate"), "new", str(project), "--defaults", "-q"], env=env)
        package = next(p.parent.name for p in (project / "src").glob("*/__init__.py"))
        if args.part in ("uv-run", "all"):
            _uv_run_part(work, project, package, args.repeat, env)
        if args.part in ("pylint", "all"):
            # As `make install` does: the hook then starts from compiled bytecode.
            run(["uv", "sync", "--locked", "--quiet", "--compile-bytecode"], cwd=project, env=env)
            _pylint_part(project, package, args.repeat, env, args.files)
    except subprocess.CalledProcessError as failed:
        print(failed.stdout.decode(errors="replace"), failed.stderr.decode(errors="replace"))
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
