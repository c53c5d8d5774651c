"""How often the generated drift monitor alerts on unchanged data, and how often on a shift.

For each data set (the sample project's own data, scikit-learn's breast_cancer and wine,
and a customers table with numbers, a boolean, categories and gaps) the rows are split
at random, fresh for every trial, into reference rows and a 100-row window that shares
no row with them, then `<pkg>.drift.compare` judges the window (seeded, `--trials` per
case):
  - false alarms: the window as drawn (same distribution): target <= 5 % of reports;
  - a 15 % shift of a number: one numeric feature of the window times 1.15 (each
    numeric feature in turn; reported: the mean over features and the weakest one),
    and every numeric feature times 1.15 at once (a unit or scale change upstream);
  - one numeric feature moved by half its standard deviation (each in turn): what a
    shift is worth depends on the spread, and this one does not;
  - a changed category mix: the window drawn with the most common category of one
    categorical feature half as likely (each categorical feature in turn).
Target for both shifts: >= 95 % of reports alert. With --speed, the monitor
(`python -m <pkg>.monitor`) on --log-rows logged rows is timed against the drift
computation alone on the same rows, with its peak memory.

Runs inside a generated project's environment (it imports the project's package):

    uv run python bench/bench_monitor.py [--project DIR] [--trials 200] [--speed]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import generated_project, scratch, table

WINDOW = 100


def datasets(package: str):
    """(name, frame, target) of each data set measured."""
    import numpy as np  # pylint: disable=import-outside-toplevel,import-error
    import pandas as pd  # pylint: disable=import-outside-toplevel,import-error
    from sklearn import datasets as bundled  # pylint: disable=import-outside-toplevel,import-error

    config = importlib.import_module(f"{package}.config").get_config()
    contract = importlib.import_module(f"{package}.data.contract")
    own = contract.load_contract()
    yield "the project's data", contract.read_table(config.path(config.paths.raw_data)), own.target

    for name in ("breast_cancer", "wine"):
        loaded = getattr(bundled, f"load_{name}")(as_frame=True).frame
        # Contract columns are identifiers: "mean radius" -> "mean_radius".
        yield name, loaded.rename(columns=lambda c: re.sub(r"\W+", "_", c)), "target"
    rng = np.random.default_rng(7)
    n = 5_000
    customers = pd.DataFrame(
        {
            "age": np.where(rng.random(n) < 0.08, np.nan, rng.integers(18, 80, n)),
            "income": rng.normal(50_000, 15_000, n).round(),
            "tenure_years": rng.gamma(2.0, 2.0, n).round(1),
            "plan": np.where(
                rng.random(n) < 0.06,
                None,
                rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]),
            ),
            "region": rng.choice(["north", "south", "east", "west"], n),
            "newsletter": rng.choice(["yes", "no"], n, p=[0.28, 0.72]),
            "churned": rng.choice(["yes", "no"], n),
        }
    )
    yield "customers", customers, "churned"


def _alert_rate(case: dict, trials: int, change=None, weights=None) -> float:
    """The share of `trials` reports that alert; each window is new rows, maybe changed."""
    frame, rng = case["frame"], case["rng"]
    hits = 0
    for _ in range(trials):
        if weights is None:
            window_index = rng.permutation(len(frame))[:WINDOW]
        else:
            window_index = rng.choice(len(frame), WINDOW, replace=False, p=weights)
        reference = frame.drop(frame.index[window_index])
        window = frame.iloc[window_index].copy()
        if change is not None:
            change(window)
        hits += case["drift"].compare(reference, window, case["contract"]).alert
    return hits / trials


def _times(column: str, factor: float):
    def change(window) -> None:
        window[column] = window[column] * factor

    return change


def _plus(columns: list[str], amount: float, factor: float = 1.0):
    def change(window) -> None:
        window[columns] = window[columns] * factor + amount

    return change


def rates(package: str, trials: int) -> list[tuple[str, ...]]:
    """Rows of the rates table: false alarms and detections per data set."""
    import numpy as np  # pylint: disable=import-outside-toplevel,import-error

    drift = importlib.import_module(f"{package}.monitor.drift")
    infer_contract = importlib.import_module(f"{package}.data.contract").infer_contract
    rows = []
    for name, frame, target in datasets(package):
        contract = infer_contract(frame, target=target)
        case = {"frame": frame, "contract": contract, "drift": drift}
        case["rng"] = np.random.default_rng(0)
        numeric = [f.name for f in contract.features if f.kind == "numeric"]
        numeric = [column for column in numeric if frame[column].nunique() > 2]  # not booleans
        shifted = {c: _alert_rate(case, trials, _times(c, 1.15)) for c in numeric}
        moved = {
            c: _alert_rate(case, trials, _plus([c], float(frame[c].std()) / 2)) for c in numeric
        }
        mixed = {}
        for feature in (f for f in contract.features if f.kind == "categorical"):
            values = frame[feature.name].astype(str)
            weights = np.where(values == values.value_counts().index[0], 0.5, 1.0)
            mixed[feature.name] = _alert_rate(case, trials, weights=weights / weights.sum())
        rows.append(
            (
                name,
                f"{len(frame)} x {len(contract.features)}",
                f"{_alert_rate(case, trials):.1%}",
                _spread(shifted),
                f"{_alert_rate(case, trials, _plus(numeric, 0.0, 1.15)):.1%}",
                _spread(moved),
                _spread(mixed),
            )
        )
    return rows


def _spread(found: dict[str, float]) -> str:
    if not found:
        return "n/a"
    weakest = min(found, key=found.__getitem__)
    mean = sum(found.values()) / len(found)
    return f"mean {mean:.1%}, lowest {found[weakest]:.1%} ({weakest})"


def speed(project: Path, package: str, rows: int) -> list[tuple[str, ...]]:
    """The monitor on `rows` logged rows against the drift computation alone."""
    import pandas as pd  # pylint: disable=import-outside-toplevel,import-error

    config = importlib.import_module(f"{package}.config").get_config()
    monitor = importlib.import_module(f"{package}.monitor.check")
    drift = importlib.import_module(f"{package}.monitor.drift")
    contract = importlib.import_module(f"{package}.data.contract").load_contract()
    reference = monitor.reference_rows(config, contract)
    directory = scratch() / "log"
    directory.mkdir(parents=True)
    sample = reference.sample(rows, replace=True, random_state=0)
    with (directory / "predictions-20260101T000000000000Z-1.jsonl").open("w") as out:
        for i, record in enumerate(sample[contract.feature_names].to_dict("records")):
            clean = {k: (None if pd.isna(v) else v) for k, v in record.items()}
            out.write(
                json.dumps(
                    {
                        "request_id": str(i),
                        "row": 0,
                        "timestamp": "2026-01-01T00:00:00Z",
                        "model_version": "1",
                        "features": clean,
                        "prediction": None,
                    }
                )
                + "\n"
            )
    start = time.perf_counter()
    drift.compare(reference, sample, contract)
    alone = time.perf_counter() - start
    env = {
        **os.environ,
        f"{package.upper()}_SERVE__PREDICTION_LOG__DIR": str(directory),
        f"{package.upper()}_MONITOR__WINDOW": str(rows),
    }
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", f"{package}.monitor"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    whole = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode not in (0, 1):
        sys.exit(f"the monitor failed:\n{done.stderr}")
    return [
        (f"{rows:,}", f"{alone:.1f} s", f"{whole:.1f} s", f"{whole / alone:.2f}x", f"{peak:.0f} MB")
    ]


def main() -> None:
    """Measure and print the tables (Markdown)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", type=Path, default=None, help="an already generated project")
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--speed", action="store_true", help="also time the monitor on a large log")
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.inside:
        project, _ = generated_project(args.project)
        python = project / ".venv" / "bin" / "python"
        forwarded = [f"--trials={args.trials}", f"--log-rows={args.log_rows}"]
        forwarded += ["--speed"] if args.speed else []
        command = [str(python), __file__, "--inside", "--project", str(project), *forwarded]
        sys.exit(subprocess.run(command, cwd=project, check=False).returncode)
    sys.path.insert(0, str(Path(__file__).parent))
    project, package = generated_project(args.project)
    if args.trials:  # 0: only the speed table
        print(f"drift reports on {WINDOW}-row windows, {args.trials} trials per case\n")
        header = (
            "data set",
            "rows x features",
            "false alarms",
            "one number x 1.15",
            "every number x 1.15",
            "one number + 0.5 sd",
            "changed category mix",
        )
        print(table([header, *rates(package, args.trials)]))
    if args.speed:
        print()
        header = ("logged rows", "drift alone", "monitor", "ratio", "peak memory")
        print(table([header, *speed(project, package, args.log_rows)]))


if __name__ == "__main__":
    main()
