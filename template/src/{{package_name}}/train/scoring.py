"""Which metrics each task reports, computed with scikit-learn's scorers, and cross-validation.

Binary classification: roc_auc, average_precision, log_loss, brier_score, accuracy,
balanced_accuracy, f1 (the positive class is the contract's second class). Multiclass:
accuracy, balanced_accuracy, f1_macro, log_loss, and precision/recall/F1 per class.
Regression: rmse, mae, r2, and mape when the target holds no zero. Names follow
scikit-learn's scorers without their `neg_` prefix: every value here is the metric itself,
and LOWER_IS_BETTER says which ones improve downwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    get_scorer,
    log_loss,
    make_scorer,
    mean_absolute_error,
    mean_absolute_percentage_error,
    precision_recall_fscore_support,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.utils.metaestimators import available_if

from ..config import Config
from ..data.contract import Contract, ContractError

# The one place that knows the direction of each metric; the gate and tuning read it.
LOWER_IS_BETTER = frozenset({"log_loss", "brier_score", "rmse", "mae", "mape"})
BINARY = ("roc_auc", "average_precision", "log_loss", "brier_score", "accuracy",
          "balanced_accuracy", "f1")  # fmt: skip
MULTICLASS = ("accuracy", "balanced_accuracy", "f1_macro", "log_loss")
REGRESSION = ("rmse", "mae", "r2", "mape")
# The metric the gate compares when gate.metric is not set.
DEFAULT_GATE = {"binary": "accuracy", "multiclass": "accuracy", "regression": "rmse"}

# The gate's metrics of labels or values, for the bootstrap (`scorers` has every metric).
SCORERS = {
    "accuracy": accuracy_score,
    "balanced_accuracy": balanced_accuracy_score,
    "f1_macro": lambda y, p: f1_score(y, p, average="macro"),
    "rmse": root_mean_squared_error,
    "mae": mean_absolute_error,
    "mape": mean_absolute_percentage_error,
    "r2": r2_score,
}
# scikit-learn's own scorer names, where one fits as it is.
_SKLEARN_NAMES = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced_accuracy",
    "f1_macro": "f1_macro",
    "rmse": "neg_root_mean_squared_error",
    "mae": "neg_mean_absolute_error",
    "r2": "r2",
    "mape": "neg_mean_absolute_percentage_error",
}
# Rows per fold below which CV folds run one after the other: starting worker processes
# costs more than fitting a small model.
PARALLEL_FROM_ROWS = 20_000


def _roc_auc(y_true: Any, y_score: Any, *, pos_label: Any) -> float:
    # roc_auc_score takes no pos_label: binarize against the contract's positive class.
    return float(roc_auc_score(np.asarray(y_true) == pos_label, y_score))


def as_label_array(y: pd.Series) -> Any:
    """Text labels as a NumPy array of fixed-width strings; other targets unchanged.

    scikit-learn's metrics find the labels with np.unique, which is several times
    faster on fixed-width strings than on Python objects: on text labels most of the
    time of scoring 100,000 rows goes there. Models fitted on these labels predict
    the same strings (the same classes, in the same order).
    """
    textual = pd.api.types.is_object_dtype(y) or pd.api.types.is_string_dtype(y)
    if textual and not y.isna().any() and all(isinstance(v, str) for v in y.unique()):
        return y.to_numpy(dtype=str)
    return y


def kind(task: str, classes: Sequence[Any]) -> str:
    """binary, multiclass or regression."""
    if task != "classification":
        return "regression"
    return "binary" if len(classes) == 2 else "multiclass"


def metric_names(task: str, classes: Sequence[Any] = (), target: Any = None) -> tuple[str, ...]:
    """The task's metrics; mape only when `target` (the training target) holds no zero."""
    which = kind(task, classes)
    if which == "binary":
        return BINARY
    if which == "multiclass":
        return MULTICLASS
    has_zero = target is not None and bool((np.asarray(target) == 0).any())
    return tuple(n for n in REGRESSION if n != "mape" or not has_zero)


def allowed_gate_metrics(task: str, classes: Sequence[Any] = ()) -> tuple[str, ...]:
    """The metrics gate.metric may name for this task."""
    return metric_names(task, classes)


def default_gate_metric(task: str, classes: Sequence[Any] = ()) -> str:
    """The gate metric when gate.metric is empty."""
    return DEFAULT_GATE[kind(task, classes)]


def scorers(names: Sequence[str], classes: Sequence[Any]) -> dict[str, Callable[..., float]]:
    """scikit-learn scorer objects for `names`; `classes` in the contract's order."""
    pos_label = classes[1] if len(classes) == 2 else None
    proba = "predict_proba"
    built: dict[str, Callable[..., float]] = {}
    for name in names:
        if name in _SKLEARN_NAMES:
            built[name] = get_scorer(_SKLEARN_NAMES[name])
        elif name == "roc_auc":
            built[name] = make_scorer(_roc_auc, response_method=proba, pos_label=pos_label)
        elif name == "average_precision":
            built[name] = make_scorer(
                average_precision_score, response_method=proba, pos_label=pos_label
            )
        elif name == "brier_score":
            built[name] = make_scorer(
                brier_score_loss,
                response_method=proba,
                greater_is_better=False,
                pos_label=pos_label,
            )
        elif name == "f1":
            built[name] = make_scorer(f1_score, pos_label=pos_label)
        elif name == "log_loss":
            # labels=: a fold or a small test split may miss a class.
            built[name] = make_scorer(
                _log_loss, response_method=proba, greater_is_better=False, labels=list(classes)
            )
        else:
            raise KeyError(f"unknown metric {name!r}")
    return built


class Answers(ClassifierMixin, BaseEstimator):
    """A fitted classifier's answers on fixed rows, looked up by row number.

    scikit-learn's scorers ask an estimator for its responses; this one answers a
    resample (an array of row numbers) from predictions made once, so the gate's
    bootstrap scores its resamples without running the pipeline for each of them.
    """

    def __init__(self, classes: Any = (), predicted: Any = None, probabilities: Any = None):
        self.classes = classes
        self.predicted = predicted
        self.probabilities = probabilities

    @classmethod
    def of(cls, model: Any, X: pd.DataFrame) -> Answers:
        """`model`'s labels (and probabilities, when it has them) for the rows of `X`."""
        probabilities = model.predict_proba(X) if hasattr(model, "predict_proba") else None
        return cls(np.asarray(model.classes_), np.asarray(model.predict(X)), probabilities)

    @property
    def classes_(self) -> Any:
        """The classes, in the order of the probability columns."""
        return self.classes

    def predict(self, rows: np.ndarray) -> Any:
        """The labels of these rows."""
        return self.predicted[rows]

    @available_if(lambda self: self.probabilities is not None)
    def predict_proba(self, rows: np.ndarray) -> Any:
        """The class probabilities of these rows."""
        return self.probabilities[rows]


def _log_loss(y_true: Any, y_proba: Any, *, labels: list[Any]) -> float:
    return float(log_loss(y_true, y_proba, labels=labels))


def as_metric(name: str, scorer_value: float) -> float:
    """The metric's own value from a scorer's (greater is better) value."""
    # Scorers return losses negated (greater is better); report the loss itself.
    return float(-scorer_value if name in LOWER_IS_BETTER else scorer_value)


def label_key(label: Any) -> str:
    """A class label as it may appear in a metric name."""
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", str(label))


def per_class(model: Any, X: pd.DataFrame, y: pd.Series, classes: Sequence[Any]) -> dict:
    """precision_<class>, recall_<class>, f1_<class> for each class of a multiclass task."""
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, model.predict(X), labels=list(classes), zero_division=0
    )
    found: dict[str, float] = {}
    for label, p, r, f in zip(classes, precision, recall, f1, strict=True):
        key = label_key(label)
        found |= {f"precision_{key}": float(p), f"recall_{key}": float(r), f"f1_{key}": float(f)}
    return found


def score(
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    task: str,
    classes: Sequence[Any] = (),
    names: Sequence[str] | None = None,
) -> dict[str, float]:
    """The task's metrics of a fitted `model` on rows `X`, `y`."""
    classes = list(classes) or list(getattr(model, "classes_", ()))
    names = names or metric_names(task, classes, y)
    found = {n: as_metric(n, s(model, X, y)) for n, s in scorers(names, classes).items()}
    if kind(task, classes) == "multiclass":
        found |= per_class(model, X, y, classes)
    return found


def folds(task: str, y: pd.Series, k: int, seed: int) -> KFold | StratifiedKFold | None:
    """The k shuffled folds, stratified for classification; None when too few rows to split."""
    if task == "classification":
        # Stratified folds need every class in every fold.
        k = min(k, int(pd.Series(y).value_counts().min()))  # y may be as_label_array()'s
        return StratifiedKFold(k, shuffle=True, random_state=seed) if k >= 2 else None
    k = min(k, len(y))
    return KFold(k, shuffle=True, random_state=seed) if k >= 2 else None


def cross_validation(  # pylint: disable=too-many-arguments  # noqa: PLR0913
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    task: str,
    classes: Sequence[Any],
    k: int,
    seed: int,
    n_jobs: int | None = None,
    names: Sequence[str] | None = None,
) -> dict[str, float]:
    """cv_<metric>_mean and cv_<metric>_std of an unfitted `model` over k folds of X, y."""
    splitter = folds(task, y, k, seed)
    if splitter is None:
        return {}
    names = names or metric_names(task, classes, y)
    if n_jobs is None:
        n_jobs = -1 if len(y) // splitter.get_n_splits() >= PARALLEL_FROM_ROWS else 1
    results = cross_validate(
        model, X, y, cv=splitter, scoring=scorers(names, classes), n_jobs=n_jobs
    )
    found: dict[str, float] = {}
    for name in names:
        values = np.array([as_metric(name, v) for v in results[f"test_{name}"]])
        found |= {f"cv_{name}_mean": float(values.mean()), f"cv_{name}_std": float(values.std())}
    return found


def better(metric: str, value: float, than: float) -> bool:
    """Whether `value` of `metric` is strictly better than `than`."""
    return value < than if metric in LOWER_IS_BETTER else value > than


def gate_metric(config: Config, contract: Contract) -> str:
    """The metric the gate compares: the configured one, else accuracy or rmse."""
    metric = config.gate.metric or default_gate_metric(contract.task, contract.classes)
    allowed = allowed_gate_metrics(contract.task, contract.classes)
    if metric not in allowed:
        raise ContractError(
            f"gate.metric {metric!r} does not fit a {contract.task} task",
            f"set gate.metric in configs/config.yaml to one of {', '.join(allowed)}",
        )
    return metric
