"""Train, evaluate, track, register, and promote past a quality gate.

`python -m <package>.train` exits 0 when the new model passed the gate and became
the champion, 1 when the gate refused it (the reason is printed), 2 on unusable data
or a tracker that cannot work (e.g. online without its key).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)

from .config import Config, get_config
from .contract import Contract, ContractError, load_contract
from .data import DataError, features_and_target, file_sha256, labelled, load, split
from .features import EstimatorError, build_model, estimator_path

LOWER_IS_BETTER = frozenset({"rmse", "mae"})


@dataclass(frozen=True)
class GateResult:
    """Whether the quality gate passed, and why."""

    passed: bool
    reason: str


@dataclass(frozen=True)
class TrainResult:  # pylint: disable=too-many-instance-attributes  # one field per report key
    """What one training run produced; reports/last_run.json is its JSON form."""

    run_id: str
    model_version: str
    task: str
    estimator: str
    contract: str
    metrics: dict[str, float]
    baseline: dict[str, float]
    params: dict[str, Any]
    data_sha256: str
    rows: dict[str, int]
    gate: GateResult
    champion_version: str | None


def evaluate(model: Any, X_test: pd.DataFrame, y_test: pd.Series, task: str) -> dict[str, float]:
    """The task's metrics on the held-out split."""
    predicted = model.predict(X_test)
    if task == "classification":
        labels = y_test.astype(str)
        guessed = pd.Series(predicted, index=y_test.index).astype(str)
        return {
            "accuracy": float(accuracy_score(labels, guessed)),
            "f1_macro": float(f1_score(labels, guessed, average="macro")),
        }
    return {
        "rmse": float(root_mean_squared_error(y_test, predicted)),
        "mae": float(mean_absolute_error(y_test, predicted)),
        "r2": float(r2_score(y_test, predicted)),
    }


def gate_metric(config: Config, contract: Contract) -> str:
    """The metric the gate compares: the configured one, else accuracy or rmse."""
    metric = config.gate.metric or ("accuracy" if contract.task == "classification" else "rmse")
    allowed = (
        ("accuracy", "f1_macro") if contract.task == "classification" else ("rmse", "mae", "r2")
    )
    if metric not in allowed:
        raise ContractError(
            f"gate.metric {metric!r} does not fit a {contract.task} task",
            f"set gate.metric in configs/config.yaml to one of {', '.join(allowed)}",
        )
    return metric


def baseline_metrics(
    fit_on: tuple[pd.DataFrame, pd.Series], held_out: tuple[pd.DataFrame, pd.Series], task: str
) -> dict[str, float]:
    """The metrics of scikit-learn's Dummy estimator: the most frequent class, or the mean."""
    dummy = (
        DummyClassifier(strategy="most_frequent") if task == "classification" else DummyRegressor()
    )
    return evaluate(dummy.fit(*fit_on), *held_out, task)


def quality_gate(
    metrics: dict[str, float],
    baseline: dict[str, float],
    config: Config,
    metric: str,
    champion_metrics: dict[str, float] | None,
) -> GateResult:
    """Pass when the model beats the baseline by the margin, any floor, and the champion."""
    value, lower = metrics[metric], metric in LOWER_IS_BETTER
    margin = config.gate.baseline_margin
    # Scores gain an absolute margin; errors must shrink by a fraction of the baseline's.
    needed = baseline[metric] * (1 - margin) if lower else baseline[metric] + margin
    if (value > needed) if lower else (value < needed):
        return GateResult(
            False,
            f"{metric} {value:.4f} does not beat the baseline's {baseline[metric]:.4f} by the"
            f" margin {margin} (needs {'at most' if lower else 'at least'} {needed:.4f})",
        )
    floor = config.gate.min_value
    if floor is not None and ((value > floor) if lower else (value < floor)):
        side = "above the ceiling" if lower else "below the threshold"
        return GateResult(False, f"{metric} {value:.4f} is {side} {floor:.4f}")
    best = (champion_metrics or {}).get(metric)
    if best is not None and ((value > best) if lower else (value < best)):
        return GateResult(False, f"{metric} {value:.4f} is worse than the champion's {best:.4f}")
    against = f"; the champion had {best:.4f}" if best is not None else ""
    return GateResult(
        True, f"{metric} {value:.4f} beats the baseline's {baseline[metric]:.4f}{against}"
    )


def _git_commit(root: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:  # no git on this machine
        return "none"
    return done.stdout.strip() if done.returncode == 0 else "none"


def _write_split(train_rows, test_rows, directory: Path) -> None:
    """Keep the exact rows of this run's split: the evaluation can be inspected and redone."""
    directory.mkdir(parents=True, exist_ok=True)
    train_rows.to_csv(directory / "train.csv", index=False)
    test_rows.to_csv(directory / "test.csv", index=False)


def train(config: Config) -> TrainResult:
    """Run one training job end to end; the caller decides what a failed gate means."""
    # MLflow is slow to import; only training and serving need it.
    from .tracking import Tracker  # pylint: disable=import-outside-toplevel

    contract = load_contract(config.path(config.paths.contract))
    metric = gate_metric(config, contract)
    # First: a tracker that cannot work (e.g. online without its key) fails before any work.
    tracker = Tracker(config)
    raw_path = config.path(config.paths.raw_data)
    frame, unlabelled = labelled(load(raw_path, contract=contract), contract)
    train_frame, test_frame = split(
        frame, contract, test_size=config.split.test_size, seed=config.seed
    )
    _write_split(train_frame, test_frame, config.path(config.paths.processed_dir))
    fit_on = features_and_target(train_frame, contract)
    held_out = features_and_target(test_frame, contract)
    model = build_model(config, contract).fit(*fit_on)
    metrics = evaluate(model, *held_out, contract.task)
    baseline = baseline_metrics(fit_on, held_out, contract.task)
    estimator = estimator_path(config, contract)
    params = {
        **{f"model.{k}": v for k, v in config.model.params.items()},
        "estimator": estimator,
        "seed": config.seed,
        "test_size": config.split.test_size,
    }
    lockfile = config.root / "uv.lock"
    tags = {
        "git_commit": _git_commit(config.root),
        "data_sha256": file_sha256(raw_path),
        "lockfile_sha256": file_sha256(lockfile) if lockfile.is_file() else "none",
        "seed": str(config.seed),
        "contract": contract.fingerprint,
        "task": contract.task,
    }
    # Only a champion trained on the same contract is a fair comparison.
    champion = tracker.champion()
    rival = champion if champion and champion.contract == contract.fingerprint else None
    with tracker.run(tags) as run_id:
        tracker.log(params, metrics)
        model_uri = tracker.log_model(model, fit_on[0].head(5), estimator)
    version = tracker.register(model_uri)
    gate = quality_gate(metrics, baseline, config, metric, rival.metrics if rival else None)
    if gate.passed:
        tracker.promote(version)
    return TrainResult(
        run_id=run_id,
        model_version=version,
        task=contract.task,
        estimator=estimator,
        contract=contract.fingerprint,
        metrics=metrics,
        baseline=baseline,
        params=params,
        data_sha256=tags["data_sha256"],
        rows={"train": len(train_frame), "test": len(test_frame), "no_target": unlabelled},
        gate=gate,
        champion_version=version if gate.passed else (champion.version if champion else None),
    )


def write_report(result: TrainResult, config: Config) -> Path:
    """Write reports/last_run.json; returns its path."""
    path = config.path(config.paths.reports_dir) / "last_run.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    return path


def main(config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    config = config or get_config()
    try:
        result = train(config)
    except ContractError as error:
        print(f"error: {error}\nhint: {error.hint}", file=sys.stderr)
        return 2
    except (DataError, EstimatorError, FileNotFoundError, LookupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = write_report(result, config)
    metrics = ", ".join(f"{name}={value:.4f}" for name, value in result.metrics.items())
    print(f"run {result.run_id}: {metrics}; registered as version {result.model_version}")
    if result.rows["no_target"]:
        print(f"left out {result.rows['no_target']} rows without a target value")
    if not result.gate.passed:
        champion = result.champion_version or "none"
        print(
            f"quality gate failed: {result.gate.reason}; the champion stays version {champion}"
            f" (details in {report})",
            file=sys.stderr,
        )
        return 1
    print(f"quality gate passed: {result.gate.reason}; version {result.model_version} is champion")
    return 0


if __name__ == "__main__":
    sys.exit(main())
