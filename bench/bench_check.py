"""`mlplate check` vs `copier check-update` on the same project, one run, alternating.

copier 9.19 has `copier check-update`: "is this project behind its template's
latest release?". `mlplate check --select MP102` answers the same question; the
full `mlplate check` also renders the recorded version to compare template-owned
files (cold: an empty cache; warm: the render cached by an earlier run, as in
pre-commit) and runs the conflict-marker, answers, structure, workflow, Dockerfile,
pre-commit and `uv lock --check` checks. The project is one release behind a
tagged clone of this checkout's template. Both tools run as installed tools do,
with compiled bytecode (cached under the scratch folder, so the environment's
PYTHONDONTWRITEBYTECODE does not make every run recompile every import), after
one untimed warm-up run each. Target: <= 0.5x.

    uv run python bench/bench_check.py [--repeat 7]
"""

from __future__ import annotations

import os
import shutil
import subprocess

from _common import median_of, run, table, template_bench, timed, tool


def main() -> None:
    """Time the commands on one project and print medians and ratios."""
    with template_bench(__doc__, 7) as (repeat, work, template):
        project = work / "project"
        cache = work / "cache"
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONPYCACHEPREFIX": str(work / "pycache"),
            "MLPLATE_CACHE_DIR": str(cache),
            "UV_PYTHON_DOWNLOADS": "never",
        }
        run([tool("mlplate"), "new", str(project), "-t", str(template), "--defaults", "-q"])
        run(["git", "commit", "-q", "--allow-empty", "-m", "v0.0.2"], cwd=template)
        run(["git", "tag", "v0.0.2"], cwd=template)

        def behind(cmd: list[str]) -> None:
            # Each reports "behind" with a non-zero exit: the expected answer here.
            done = subprocess.run(cmd, cwd=project, env=env, capture_output=True, check=False)
            assert done.returncode in (0, 1, 2, 3), done.stderr

        def cold() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            behind([tool("mlplate"), "check"])

        peers = {
            "copier check-update": lambda: behind([tool("copier"), "check-update"]),
            "mlplate check --select MP102": lambda: behind(
                [tool("mlplate"), "check", "--select", "MP102"]
            ),
            "mlplate check, all checks, warm cache": lambda: behind([tool("mlplate"), "check"]),
            "mlplate check, all checks, cold cache": cold,
        }
        for action in peers.values():
            action()  # warm-up: bytecode compiled, git and uv caches loaded
        samples: dict[str, list[float]] = {name: [] for name in peers}
        for _ in range(repeat):  # alternate, so a busy moment of the machine hits every peer
            for name, action in peers.items():
                samples[name].append(timed(action))
        med = {name: median_of(values) for name, values in samples.items()}
        base = med["copier check-update"]
        rows = [("command", "median s", "ratio to check-update")]
        rows += [(n, f"{v:.3f}", f"{v / base:.2f}x") for n, v in med.items()]
        print(table(rows))
        print(f"\nrepeat={repeat}; target <= 0.50x for the same question and for the warm full set")


if __name__ == "__main__":
    main()
