"""Everything a training run logs beyond its held-out metrics, so runs can be compared.

Training rows' metrics (`train_<metric>`, on at most TRAIN_SCORE_ROWS of them),
cross-validation on the training rows (`cv_<metric>_mean`, `cv_<metric>_std`), the Dummy
baseline's metrics (`baseline_<metric>`), every parameter of the fitted estimator
(`model.<name>`), the pipeline's steps, and the plots (artifacts under `plots/`, also in
reports/plots/). reports/metrics.json holds all metrics of the last run and
reports/params.json its estimator's parameters (the model card reads both). (`make
evaluate`, in evaluate.py, scores the served champion.)
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import jobs
from ..config import Config
from ..data.contract import Contract
from ..features.pipeline import build_model
from .scoring import as_label_array, cross_validation, metric_names, score, scorers

# train_<metric> shows how much better the model fits its training rows than the held-out
# ones; a seeded sample this large measures that fit within about 0.01 (accuracy, 95 %)
# and keeps scoring (slow for text labels) from growing with the data.
TRAIN_SCORE_ROWS = 20_000
# MLflow refuses parameter values over 6000 characters; a long repr says little anyway.
MAX_PARAM_CHARS = 500


def _param_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    text = getattr(value, "__name__", None) or repr(value)
    return text[:MAX_PARAM_CHARS]


def model_params(model: Any) -> dict[str, Any]:
    """`model.<name>` for every get_params() of the pipeline's estimator, and its steps."""
    estimator = model.steps[-1][1] if hasattr(model, "steps") else model
    found = {f"model.{k}": _param_value(v) for k, v in estimator.get_params(deep=False).items()}
    if hasattr(model, "steps"):
        found["pipeline.steps"] = " > ".join(
            f"{name}:{type(step).__name__}" for name, step in model.steps
        )
    return found


def classes_of(model: Any, contract: Contract) -> list[Any]:
    """The class labels in predict_proba order (the model's, of the training labels' type)."""
    return list(model.classes_) if contract.task == "classification" else []


def write_plots(  # pylint: disable=too-many-arguments
    model: Any,
    held_out: tuple[pd.DataFrame, pd.Series],
    config: Config,
    contract: Contract,
    *,
    label: str,
    gate_metric: str,
    publish: Callable[[Path], None] | None = None,
) -> Path:
    """The task's plots in reports/plots/ (replaced as a whole); returns that folder.

    `publish` gets this run's own plots before they replace the folder: another training
    running at once may replace reports/plots in the meantime.
    """
    from .plots import plots  # pylint: disable=import-outside-toplevel  # matplotlib is slow

    classes = classes_of(model, contract)
    target = config.path(config.paths.reports_dir) / "plots"
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".plots-"))
    try:
        plots(
            model,
            *held_out,
            task=contract.task,
            classes=classes,
            directory=staging,
            label=label,
            scoring=scorers([gate_metric], classes)[gate_metric],
            seed=config.seed,
            importance_rows=config.evaluation.importance_rows,
            importance_repeats=config.evaluation.importance_repeats,
        )
        if publish is not None:
            publish(staging)
        jobs.replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def extra_metrics(
    model: Any,
    config: Config,
    contract: Contract,
    fit_on: tuple[pd.DataFrame, pd.Series],
    names: Sequence[str] | None = None,
) -> dict[str, float]:
    """`train_<metric>` of the fitted model, `cv_<metric>_*` of fresh ones, on training rows."""
    classes = classes_of(model, contract)
    names = names or metric_names(contract.task, classes, fit_on[1])
    X, y = fit_on
    if len(X) > TRAIN_SCORE_ROWS:
        X = X.sample(TRAIN_SCORE_ROWS, random_state=config.seed)
        y = y.loc[X.index]
    found = {
        f"train_{k}": v
        for k, v in score(model, X, as_label_array(y), contract.task, classes, names).items()
    }
    if config.evaluation.cv_folds >= 2:
        found |= cross_validation(
            build_model(config, contract),
            fit_on[0],
            as_label_array(fit_on[1]),
            task=contract.task,
            classes=classes,
            k=config.evaluation.cv_folds,
            seed=config.seed,
            n_jobs=config.evaluation.n_jobs,
            names=names,
        )
    return found


def log_run(  # pylint: disable=too-many-arguments  # noqa: PLR0913
    tracker: Any,
    config: Config,
    contract: Contract,
    model: Any,
    *,
    data: tuple[tuple[pd.DataFrame, pd.Series], tuple[pd.DataFrame, pd.Series]],
    metrics: dict[str, float],
    baseline: dict[str, float],
    logged: dict[str, Any],
    label: str,
    gate_metric: str,
) -> dict[str, float]:
    """Log the extra metrics, params and plots to the active run; returns every metric.

    `data` is (training rows, held-out rows); `metrics` the held-out metrics and `logged`
    the params the run already has (not logged twice).
    """
    fit_on, held_out = data
    every = {
        **metrics,
        **extra_metrics(model, config, contract, fit_on, names=None),
        **{f"baseline_{k}": v for k, v in baseline.items()},
    }
    params = {k: v for k, v in model_params(model).items() if k not in logged}
    tracker.log(params, every)
    if config.evaluation.plots:
        write_plots(
            model,
            held_out,
            config,
            contract,
            label=label,
            gate_metric=gate_metric,
            publish=lambda folder: tracker.log_artifacts(folder, "plots"),
        )
    else:  # the last run's plots would pass for this run's in the reports and the cards
        shutil.rmtree(config.path(config.paths.reports_dir) / "plots", ignore_errors=True)
    reports = config.path(config.paths.reports_dir)
    reports.mkdir(parents=True, exist_ok=True)
    for name, values in (("metrics.json", every), ("params.json", model_params(model))):
        jobs.write_atomic(reports / name, json.dumps(values, indent=2, sort_keys=True) + "\n")
    return every
