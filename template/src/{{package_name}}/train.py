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

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from .config import Config, get_config
from .data import FEATURES, DataError, file_sha256, load, split, to_arrays
from .features import build_model


@dataclass(frozen=True)
class GateResult:
    """Whether the quality gate passed, and why."""

    passed: bool
    reason: str


@dataclass(frozen=True)
class TrainResult:
    """What one training run produced; reports/last_run.json is its JSON form."""

    run_id: str
    model_version: str
    metrics: dict[str, float]
    params: dict[str, float | int]
    data_sha256: str
    gate: GateResult
    champion_version: str | None


def evaluate(model, X_test: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    """Accuracy and macro F1 on the held-out split."""
    predicted = model.predict(X_test)
    return {
        "accuracy": float(accuracy_score(y_test, predicted)),
        "f1_macro": float(f1_score(y_test, predicted, average="macro")),
    }


def quality_gate(
    metrics: dict[str, float], config: Config, champion_metrics: dict[str, float] | None
) -> GateResult:
    """Pass when the metric reaches the threshold and is not worse than the champion's."""
    name, value, floor = config.gate.metric, metrics[config.gate.metric], config.gate.min_value
    if value < floor:
        return GateResult(False, f"{name} {value:.4f} is below the threshold {floor:.4f}")
    best = (champion_metrics or {}).get(name)
    if best is not None and value < best:
        return GateResult(False, f"{name} {value:.4f} is worse than the champion's {best:.4f}")
    return GateResult(True, f"{name} {value:.4f} reaches the threshold {floor:.4f}")


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

    # First: a tracker that cannot work (e.g. online without its key) fails before any work.
    tracker = Tracker(config)
    raw_path = config.path(config.paths.raw_data)
    train_frame, test_frame = split(
        load(raw_path), test_size=config.split.test_size, seed=config.seed
    )
    _write_split(train_frame, test_frame, config.path(config.paths.processed_dir))
    (X_train, y_train), (X_test, y_test) = to_arrays(train_frame), to_arrays(test_frame)
    model = build_model(config.model, seed=config.seed).fit(X_train, y_train)
    metrics = evaluate(model, X_test, y_test)
    params = {**config.model.model_dump(), "seed": config.seed, "test_size": config.split.test_size}
    lockfile = config.root / "uv.lock"
    tags = {
        "git_commit": _git_commit(config.root),
        "data_sha256": file_sha256(raw_path),
        "lockfile_sha256": file_sha256(lockfile) if lockfile.is_file() else "none",
        "seed": str(config.seed),
    }
    champion = tracker.champion()
    with tracker.run(tags) as run_id:
        tracker.log(params, metrics)
        model_uri = tracker.log_model(model, X_train[:5], FEATURES)
    version = tracker.register(model_uri)
    gate = quality_gate(metrics, config, champion.metrics if champion else None)
    if gate.passed:
        tracker.promote(version)
    return TrainResult(
        run_id=run_id,
        model_version=version,
        metrics=metrics,
        params=params,
        data_sha256=tags["data_sha256"],
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
    except (DataError, FileNotFoundError, LookupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = write_report(result, config)
    metrics = ", ".join(f"{name}={value:.4f}" for name, value in result.metrics.items())
    print(f"run {result.run_id}: {metrics}; registered as version {result.model_version}")
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
