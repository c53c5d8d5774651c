"""Train, evaluate, track, register, and promote past a quality gate.

`python -m <package>.train` exits 0 when the new model passed the gate and became
the champion, 1 when the gate refused it (the champion stays; the reason is printed),
2 on unusable data or configuration, 3 when the disk or the tracking store fails
(see jobs.py). The gate compares the new model and the champion on the same held-out
rows; docs/runbook.md explains the rule.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import bootstrap
from sklearn.dummy import DummyClassifier, DummyRegressor

from .. import jobs
from ..config import Config, get_config
from ..data.contract import Contract, read_contract
from ..data.load import (
    features_and_target,
    file_sha256,
    held_out_fraction,
    labelled,
    load_raw,
    split,
    split_key,
)
from ..features.pipeline import build_model, estimator_path
from . import evaluation
from .scoring import LOWER_IS_BETTER, SCORERS, Answers, gate_metric, score, scorers


@dataclass(frozen=True)
class GateResult:
    """Whether the quality gate passed, and why."""

    passed: bool
    reason: str


@dataclass(frozen=True)
class Comparison:
    """The new model and the champion scored on the same held-out rows."""

    version: str  # the champion's
    metric: str
    champion: float
    challenger: float
    rows: int
    # The bootstrap interval of the improvement (positive: the new model is better).
    interval: tuple[float, float]
    confidence: float


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
    # The champion before this run, scored on the same rows; None without a comparable one.
    champion: Comparison | None
    decision: str  # promoted | refused


def _predicted(model: Any, X: pd.DataFrame, y: pd.Series, task: str) -> tuple[Any, Any]:
    """Labels and predictions in comparable form: text labels for classification."""
    predicted = model.predict(X)
    if task == "classification":
        return y.astype(str).to_numpy(), pd.Series(predicted).astype(str).to_numpy()
    return y.to_numpy(), np.asarray(predicted)


def evaluate(model: Any, X_test: pd.DataFrame, y_test: pd.Series, task: str) -> dict[str, float]:
    """The task's metrics on the held-out split (scoring.py says which)."""
    return score(model, X_test, y_test, task)


def baseline_metrics(
    fit_on: tuple[pd.DataFrame, pd.Series], held_out: tuple[pd.DataFrame, pd.Series], task: str
) -> dict[str, float]:
    """The metrics of scikit-learn's Dummy estimator: the class shares, or the mean."""
    # "prior": predicts the most frequent class, with the class shares as probabilities.
    dummy = DummyClassifier(strategy="prior") if task == "classification" else DummyRegressor()
    return evaluate(dummy.fit(*fit_on), *held_out, task)


def improvement_interval(
    models: tuple[Any, Any],
    held_out: tuple[pd.DataFrame, pd.Series],
    task: str,
    metric: str,
    config: Config,
) -> tuple[float, float]:
    """The paired bootstrap interval of how much the new model beats the champion on `metric`.

    `models` is (new, champion).

    Both predict the same rows; each resample draws rows (with replacement) and scores
    both models on them, so the interval measures the noise of this held-out set, not
    of the split. Positive means the new model is better. The resampling is seeded
    with 0, not the run's seed: the decision depends on the predictions only.
    """
    truth, new = _predicted(models[0], *held_out, task)
    old = _predicted(models[1], *held_out, task)[1]
    sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
    if metric in SCORERS:  # a metric of labels or values: predict once, resample the answers

        def gain(rows: np.ndarray) -> float:
            on = SCORERS[metric]
            return sign * float(on(truth[rows], new[rows]) - on(truth[rows], old[rows]))

    else:  # a metric of probabilities (roc_auc, log_loss, ...): scikit-learn's scorer per
        # resample, on each model's answers predicted once and looked up by row
        scorer = scorers([metric], list(getattr(models[0], "classes_", ())))[metric]
        answers = [Answers.of(model, held_out[0]) for model in models]
        labels = held_out[1].to_numpy()

        def gain(rows: np.ndarray) -> float:
            on_rows = rows, labels[rows]
            return float(scorer(answers[0], *on_rows) - scorer(answers[1], *on_rows))

    if np.array_equal(new, old) and metric in SCORERS:
        return 0.0, 0.0  # the same predictions: no resample can tell them apart
    found = bootstrap(
        (np.arange(len(truth)),),
        gain,
        vectorized=False,
        n_resamples=config.gate.bootstrap_samples,
        confidence_level=config.gate.confidence,
        method="percentile",
        rng=np.random.default_rng(0),
    )
    return float(found.confidence_interval.low), float(found.confidence_interval.high)


def quality_gate(
    metrics: dict[str, float],
    baseline: dict[str, float],
    config: Config,
    metric: str,
    champion: Comparison | None,
) -> GateResult:
    """Pass when the model beats the baseline by the margin, any floor, and the champion.

    Beating the champion means more than the noise: the lower end of the bootstrap
    interval of the improvement on the same held-out rows is above 0. A tie keeps it.
    """
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
    if champion is None:
        return GateResult(True, f"{metric} {value:.4f} beats the baseline's {baseline[metric]:.4f}")
    low, high = champion.interval
    against = (
        f"{metric} {champion.challenger:.4f} against the champion's (version"
        f" {champion.version}) {champion.champion:.4f} on the same {champion.rows} held-out rows;"
        f" {champion.confidence:.0%} interval of the improvement [{low:+.4f}, {high:+.4f}]"
    )
    if low <= 0:
        return GateResult(
            False, f"{against}: not better than the noise (needs a lower end above 0)"
        )
    return GateResult(True, f"{against}: better beyond the noise")


def _git_commit(root: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:  # no git on this machine
        return "none"
    return done.stdout.strip() if done.returncode == 0 else "none"


def _write_split(train_rows: pd.DataFrame, test_rows: pd.DataFrame, directory: Path) -> None:
    """Keep the exact rows of this run's split: the evaluation can be inspected and redone."""
    jobs.write_atomic(directory / "train.csv", train_rows.to_csv(index=False))
    jobs.write_atomic(directory / "test.csv", test_rows.to_csv(index=False))


def compare_with_champion(
    tracker: Any, model: Any, held_out_rows: pd.DataFrame, contract: Contract, config: Config
) -> tuple[Comparison | None, str]:
    """Score the champion and `model` on the held-out rows neither trained on.

    Returns the comparison (None when there is no champion of this contract, or it
    cannot be loaded) and a note for the gate's reason saying why there is none.
    """
    champion = tracker.champion()
    if champion is None:
        return None, ""
    if champion.contract != contract.fingerprint:
        return None, f"; the champion (version {champion.version}) has another data contract"
    # Its held-out rows are those below its own test_size (same key): the rows below
    # both test sizes are unseen by both models.
    its_size = float(champion.params.get("test_size", config.split.test_size))
    rows = held_out_rows
    if its_size < config.split.test_size:
        rows = rows[held_out_fraction(rows, contract) < its_size]
    try:
        old = tracker.load(champion.version)
    except jobs.JobError as error:
        return None, f"; the champion (version {champion.version}) is not usable: {error}"
    metric = gate_metric(config, contract)
    held_out = features_and_target(rows, contract)
    interval = improvement_interval((model, old), held_out, contract.task, metric, config)
    same_key = champion.params.get("split_key", "") in ("", ",".join(split_key(contract)))
    comparison = Comparison(
        version=champion.version,
        metric=metric,
        champion=evaluate(old, *held_out, contract.task)[metric],
        challenger=evaluate(model, *held_out, contract.task)[metric],
        rows=len(rows),
        interval=interval,
        confidence=config.gate.confidence,
    )
    return comparison, "" if same_key else "; the champion was split by other key columns"


def _judge_and_promote(tracker: Any, version: str, gate: GateResult, check: Any) -> None:
    """Record the gate's decision on `version`; move the champion to it when it passed."""
    if not gate.passed:
        tracker.judge(version, passed=False, reason=gate.reason)
        return
    try:
        tracker.promote(version, check)
    except BaseException as error:
        tracker.judge(version, passed=False, reason=f"promotion failed: {error}")
        raise
    tracker.judge(version, passed=True, reason=gate.reason)


@dataclass(frozen=True)
class Candidate:
    """A registered model waiting for the gate, with its scores on the held-out rows."""

    version: str
    model: Any
    held_out_rows: pd.DataFrame
    metrics: dict[str, float]
    baseline: dict[str, float]


def _decide(
    tracker: Any, candidate: Candidate, contract: Contract, config: Config
) -> tuple[GateResult, Comparison | None]:
    """Judge the candidate against the baseline and the champion; promote it if it passes."""
    metric = gate_metric(config, contract)
    held_out = features_and_target(candidate.held_out_rows, contract)
    # Read the champion, compare, move: one process at a time, so each report is true.
    with jobs.promotion_lock(config):
        # The challenger alias names the version being judged now: set under the lock,
        # where no other training sets it at the same moment (the store's alias write is a
        # read-then-insert, and two at once failed one run with a duplicate key).
        tracker.challenge(candidate.version)
        champion, note = compare_with_champion(
            tracker, candidate.model, candidate.held_out_rows, contract, config
        )
        if champion is not None:
            tracker.log({}, {f"champion_{metric}": champion.champion})
        gate = quality_gate(candidate.metrics, candidate.baseline, config, metric, champion)
        gate = GateResult(gate.passed, gate.reason + note)
        # Promotion reloads the stored model and scores it before the alias moves.
        _judge_and_promote(
            tracker,
            candidate.version,
            gate,
            lambda stored: evaluate(stored, *held_out, contract.task),
        )
    return gate, champion


def _run_tags(config: Config, contract: Contract, raw_path: Path) -> dict[str, str]:
    """What makes a run reproducible: code, data, locked dependencies, seed and contract."""
    lockfile = config.root / "uv.lock"
    return {
        "git_commit": _git_commit(config.root),
        "data_sha256": file_sha256(raw_path),
        "lockfile_sha256": file_sha256(lockfile) if lockfile.is_file() else "none",
        "seed": str(config.seed),
        "contract": contract.fingerprint,
        "task": contract.task,
    }


def train(config: Config) -> TrainResult:
    """Run one training job end to end; the caller decides what a failed gate means."""
    # MLflow is slow to import; only training and serving need it.
    from .tracking import Tracker  # pylint: disable=import-outside-toplevel

    contract = read_contract(config)
    metric = gate_metric(config, contract)  # one that does not fit the task fails before any work
    # First: a tracker that cannot work (e.g. online without its key) fails before any work.
    tracker = Tracker(config)
    raw_path = config.path(config.paths.raw_data)
    frame, unlabelled = labelled(load_raw(config, contract), contract)
    train_frame, test_frame = split(frame, contract, test_size=config.split.test_size)
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
        "split_key": ",".join(split_key(contract)),
    }
    tags = _run_tags(config, contract, raw_path)
    with tracker.run(tags) as run_id:
        tracker.log(params, metrics)
        tracker.log_split({"train": train_frame, "test": test_frame}, raw_path, contract.target)
        evaluation.log_run(
            tracker,
            config,
            contract,
            model,
            data=(fit_on, held_out),
            metrics=metrics,
            baseline=baseline,
            logged=params,
            label=f"{estimator} run {run_id[:8]}",
            gate_metric=metric,
        )
        model_uri = tracker.log_model(model, fit_on[0].head(5), estimator)
        version = tracker.register(model_uri)
        candidate = Candidate(version, model, test_frame, metrics, baseline)
        gate, champion = _decide(tracker, candidate, contract, config)
        now = tracker.champion()
    # Only a completed run replaces the split files (a failed run leaves the last good ones).
    _write_split(train_frame, test_frame, config.path(config.paths.processed_dir))
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
        champion_version=now.version if now else None,
        champion=champion,
        decision="promoted" if gate.passed else "refused",
    )


def write_report(result: TrainResult, config: Config) -> Path:
    """Write reports/last_run.json (in one step); returns its path."""
    path = config.path(config.paths.reports_dir) / "last_run.json"
    jobs.write_atomic(path, json.dumps(asdict(result), indent=2) + "\n")
    return path


def _main(config: Config | None) -> int:
    config = config or get_config()
    result = train(config)
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
        return jobs.REFUSED
    print(f"quality gate passed: {result.gate.reason}; version {result.model_version} is champion")
    return jobs.DONE


def main(config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code (see jobs.py)."""
    return jobs.run(lambda: _main(config))


if __name__ == "__main__":
    sys.exit(main())
