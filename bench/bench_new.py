"""`mlplate new` vs `copier copy` of the same template from a local git repository.

Same answers (the defaults), same machine, one run, alternating the two tools.
Prints median wall times and the ratio mlplate / copier (target ≤ 0.8), and the CLI's
start-up: `mlplate --help` against `copier --help` (target < 0.2 s).

Both tools run with their bytecode cached, as after their first run on a user's machine:
PYTHONDONTWRITEBYTECODE is dropped and each command runs once before it is timed.

    uv run python bench/bench_new.py [--repeat 7]
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from _common import (
    template_bench,
    median_of,
    run,
    table,
    timed,
    tool,
)


def main() -> None:
    """Run the comparison and print medians and ratios."""
    with template_bench(__doc__, 7) as (repeat, work, template):
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        peers = {
            "copier --help (start-up)": lambda _d: run([tool("copier"), "--help"], env=env),
            "mlplate --help (start-up)": lambda _d: run([tool("mlplate"), "--help"], env=env),
            "copier copy (render)": lambda d: run(
                [tool("copier"), "copy", "-q", "--defaults", str(template), d], env=env
            ),
            "mlplate new --no-git --no-lock (render)": lambda d: run(
                [
                    tool("mlplate"),
                    "new",
                    d,
                    "-t",
                    str(template),
                    "--defaults",
                    "--no-git",
                    "--no-lock",
                    "-q",
                ],
                env=env,
            ),
            "copier copy + uv lock + git init/commit": lambda d: _copier_full(
                template, Path(d), env
            ),
            "mlplate new (render + lock + commit)": lambda d: run(
                [tool("mlplate"), "new", d, "-t", str(template), "--defaults", "-q"], env=env
            ),
        }
        samples: dict[str, list[float]] = {name: [] for name in peers}
        for name, action in peers.items():  # warm-up: bytecode written, caches filled
            action(str(work / f"warm-{abs(hash(name))}"))
        for i in range(repeat):
            for name, action in peers.items():
                dest = work / f"out-{i}-{len(samples[name])}-{abs(hash(name))}"
                samples[name].append(timed(lambda a=action, d=dest: a(str(d))))
                shutil.rmtree(dest, ignore_errors=True)
        med = {name: median_of(s) for name, s in samples.items()}
        render_ratio = med["mlplate new --no-git --no-lock (render)"] / med["copier copy (render)"]
        full_ratio = (
            med["mlplate new (render + lock + commit)"]
            / med["copier copy + uv lock + git init/commit"]
        )
        rows = [("command", "median s")] + [(name, f"{value:.3f}") for name, value in med.items()]
        print(table(rows))
        startup = med["mlplate --help (start-up)"]
        print(f"\nmlplate --help start-up: {startup:.3f} s (target < 0.2 s)")
        print(f"ratio render only (mlplate / copier): {render_ratio:.2f}x (target <= 0.80)")
        print(
            "ratio full new    (mlplate / copier + uv + git by hand): "
            f"{full_ratio:.2f}x (target <= 0.80)"
        )


def _copier_full(template: Path, dest: Path, env: dict[str, str]) -> None:
    run([tool("copier"), "copy", "-q", "--defaults", str(template), str(dest)], env=env)
    run(["uv", "lock", "--quiet"], cwd=dest, env=env)
    run(["git", "init", "--quiet"], cwd=dest)
    run(["git", "add", "--all"], cwd=dest)
    run(["git", "commit", "--quiet", "--no-verify", "-m", "init"], cwd=dest)


if __name__ == "__main__":
    main()
