"""`make tune` in a generated project: time in the number of trials, and two workers on one study.

Each measurement tunes into a study of its own (a fresh sqlite file through
`<PACKAGE>_TUNE__STORAGE`), with `TRAIN=no`: only the trials, not the training of the best,
which is one `make train` whatever N is. Measured, medians of `--repeat` rounds:

- one `make tune TRIALS=N` and one `make tune TRIALS=2N`: linear in N when 2N costs twice
  the trial part; the difference over N is the cost of one trial, and 2·t(N) − t(2N) the
  fixed start-up (imports, data, the study);
- two `make tune TRIALS=N/2` at once on one study against one `make tune TRIALS=N`:
  the wall-time ratio (goal: at most 0.6 on 2 cores), and the trial count in the study
  afterwards (must be N).

    uv run python bench/bench_tune.py [--project DIR] [--trials 20] [--repeat 3]

Without `--project`, a project is generated on the defaults and installed (minutes).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import time
from pathlib import Path

from _common import median_of, run, scratch, table, tool


def _project(work: Path) -> Path:
    project = work / "tune-bench"
    run([tool("mlplate"), "new", str(project), "-l", "-q"])
    run(["make", "install"], cwd=project)
    return project


def _package(project: Path) -> str:
    (package,) = [p.name for p in (project / "src").iterdir() if (p / "train" / "tune.py").is_file()]
    return package


def _tune(project: Path, trials: int, storage: Path, env: dict[str, str]) -> subprocess.Popen:
    prefix = f"{_package(project).upper()}_"
    return subprocess.Popen(
        ["make", "--no-print-directory", "tune", f"TRIALS={trials}", "TRAIN=no"],
        cwd=project,
        env={**env, f"{prefix}TUNE__STORAGE": f"sqlite:///{storage}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wall(project: Path, runs: list[tuple[int, Path]], env: dict[str, str]) -> float:
    """Seconds until every `make tune` of `runs` (trials, storage) started at once has ended."""
    start = time.perf_counter()
    workers = [_tune(project, trials, storage, env) for trials, storage in runs]
    for worker in workers:
        _, err = worker.communicate()
        if worker.returncode != 0:
            raise SystemExit(f"make tune failed ({worker.returncode}): {err.decode()[-2000:]}")
    return time.perf_counter() - start


def _finished(storage: Path) -> int:
    with sqlite3.connect(storage) as db:
        return db.execute("SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'").fetchone()[0]


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--project", type=Path, help="a generated, installed project")
    parser.add_argument("--trials", type=int, default=20, help="N (even)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = scratch()
    project = args.project.resolve() if args.project else _project(work)
    env = dict(os.environ)
    n = args.trials
    # Warm-up: the tracking store, the OS file cache and the bytecode exist before timing.
    _wall(project, [(1, work / "warm.db")], env)
    samples: dict[str, list[float]] = {"N": [], "2N": [], "2 x N/2": []}
    counts = []
    for i in range(args.repeat):
        samples["N"].append(_wall(project, [(n, work / f"n-{i}.db")], env))
        samples["2N"].append(_wall(project, [(2 * n, work / f"2n-{i}.db")], env))
        shared = work / f"shared-{i}.db"
        # The study's tables first, as a running study has them: the workers only add trials.
        _wall(project, [(0, shared)], env)
        samples["2 x N/2"].append(_wall(project, [(n // 2, shared), (n // 2, shared)], env))
        counts.append(_finished(shared))
    one, double, two = (median_of(samples[k]) for k in ("N", "2N", "2 x N/2"))
    rows = [
        ("run", "median s", "note"),
        (f"make tune TRIALS={n}", f"{one:.2f}", "one process"),
        (f"make tune TRIALS={2 * n}", f"{double:.2f}", f"ratio to N {double / one:.2f}"),
        (
            f"2 x make tune TRIALS={n // 2}, one study",
            f"{two:.2f}",
            f"ratio to one process {two / one:.2f}; trials in the study {sorted(set(counts))}",
        ),
        ("one trial", f"{(double - one) / n:.3f}", "(t(2N) - t(N)) / N"),
        ("start-up", f"{2 * one - double:.2f}", "2 t(N) - t(2N)"),
    ]
    print(f"project {project}, {os.cpu_count()} cores, {args.repeat} rounds")
    print(table(rows))


if __name__ == "__main__":
    main()
