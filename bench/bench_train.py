"""What the evaluation costs a training run: `python -m <pkg>.train` with and without it.

On synthetic data sets of --rows rows (default 10,000 and 100,000; a binary target
from 10 numeric and 3 categorical columns, some values missing, and an id column, and a regression
target from the same columns with --task regression), the generated project's whole
training job is timed twice in fresh project roots (so no run has a champion to
compare with): as configured (cross-validation, train_ metrics, plots with
permutation importance), and with `evaluation.cv_folds=0` and `evaluation.plots=false`
(set through the <PKG>__EVALUATION__* variables). Target: the full run takes at most
1.5x the bare one on 100,000 rows. The contract is inferred once per data set,
outside the timings. Wall-clock and CPU time (user + system of the training process)
are both reported: on a shared machine the CPU ratio is the steadier one.

Generates a project (or takes --project) and runs itself in that project's environment
(numpy and pandas write the data):

    uv run python bench/bench_train.py [--project DIR] [--rows 10000 100000]
        [--task classification|regression] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import generated_project, median_of, run, scratch, table

CHEAP = {"EVALUATION__CV_FOLDS": "0", "EVALUATION__PLOTS": "false"}


def synthetic(rows: int, task: str, path: Path) -> None:
    """Write a CSV of `rows` rows whose target the columns predict, with noise."""
    import numpy as np  # pylint: disable=import-outside-toplevel,import-error
    import pandas as pd  # pylint: disable=import-outside-toplevel,import-error

    rng = np.random.default_rng(0)
    numbers = rng.normal(0.0, 1.0, (rows, 10))
    frame = pd.DataFrame(numbers, columns=[f"x{i}" for i in range(10)])
    frame.insert(0, "customer_id", np.arange(rows) + 100_000)  # the split's key
    frame["plan"] = rng.choice(["basic", "plus", "pro"], rows, p=[0.5, 0.3, 0.2])
    frame["region"] = rng.choice(["north", "south", "east", "west"], rows)
    frame["channel"] = rng.choice([f"c{i}" for i in range(12)], rows)
    signal = numbers[:, :5] @ np.array([1.0, -0.8, 0.6, 0.4, -0.3])
    signal += np.where(frame["plan"] == "pro", 0.7, 0.0) + rng.normal(0.0, 1.0, rows)
    frame.loc[rng.random(rows) < 0.05, "x3"] = np.nan
    frame.loc[rng.random(rows) < 0.03, "plan"] = None
    if task == "classification":
        frame["target"] = np.where(signal > 0, "yes", "no")
    else:
        frame["target"] = 50.0 + 10.0 * signal
    frame.to_csv(path, index=False)


def _root(project: Path, package: str, rows: int, task: str, work: Path) -> Path:
    """A project root holding the config, the data and its inferred contract."""
    root = work / f"{task}-{rows}"
    (root / "configs").mkdir(parents=True)
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copyfile(project / "configs" / "config.yaml", root / "configs" / "config.yaml")
    data = root / "data" / "raw" / "data.csv"
    synthetic(rows, task, data)
    python = str(project / ".venv" / "bin" / "python")
    command = [python, "-m", f"{package}.data.contract", "--data", str(data), "--target", "target"]
    run([*command, "--task", task], cwd=project, env=_env(package, root))
    return root


def _env(package: str, root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    prefix = package.upper()
    env = {k: v for k, v in os.environ.items() if not k.startswith(f"{prefix}_")}
    env.pop("MLFLOW_TRACKING_URI", None)
    env |= {f"{prefix}_ROOT": str(root), f"{prefix}_PATHS__RAW_DATA": "data/raw/data.csv"}
    env |= {f"{prefix}_CONFIG_FILE": str(root / "configs" / "config.yaml")}
    return env | {f"{prefix}_{k}": v for k, v in (extra or {}).items()}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _train(project: Path, package: str, root: Path, extra: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one whole training job, in a copy of `root` (no champion)."""
    fresh = root.with_name(f"{root.name}-{time.monotonic_ns()}")
    shutil.copytree(root, fresh)
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-m", f"{package}.train"],
        cwd=project,
        env=_env(package, fresh, extra),
        capture_output=True,
        text=True,
        check=False,
    )
    took, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode != 0:
        sys.exit(f"training failed ({done.returncode}):\n{done.stderr[-3000:]}")
    shutil.rmtree(fresh, ignore_errors=True)
    return took, cpu


def main() -> None:
    """Measure and print the table (Markdown)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", type=Path, default=None, help="an already generated project")
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--task", choices=("classification", "regression"), default="classification"
    )
    parser.add_argument("--repeat", type=int, default=1, help="timings per case (the median)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    project, package = generated_project(args.project)
    if not args.inside:
        python = project / ".venv" / "bin" / "python"
        forwarded = ["--rows", *map(str, args.rows), "--task", args.task]
        forwarded += ["--repeat", str(args.repeat), "--project", str(project)]
        command = [str(python), __file__, "--inside", *forwarded]
        sys.exit(subprocess.run(command, check=False).returncode)
    work = scratch()
    rows = [
        ("rows", "task", "without evaluation", "with evaluation", "ratio (wall)", "ratio (CPU)")
    ]
    try:
        for size in args.rows:
            root = _root(project, package, size, args.task, work)
            bare = [_train(project, package, root, CHEAP) for _ in range(args.repeat)]
            full = [_train(project, package, root, {}) for _ in range(args.repeat)]
            (wall0, cpu0), (wall1, cpu1) = (
                tuple(median_of([t[i] for t in runs]) for i in (0, 1)) for runs in (bare, full)
            )
            rows.append(
                (
                    f"{size:,}",
                    args.task,
                    f"{wall0:.1f} s (CPU {cpu0:.1f} s)",
                    f"{wall1:.1f} s (CPU {cpu1:.1f} s)",
                    f"{wall1 / wall0:.2f}x",
                    f"{cpu1 / cpu0:.2f}x",
                )
            )
            print(" | ".join(rows[-1]), file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(rows))


if __name__ == "__main__":
    main()
