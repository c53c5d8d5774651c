"""The evaluation plots of a fitted model on held-out rows, as PNG files.

Made with scikit-learn's Display classes on matplotlib Figures (files only, no display
needed). Binary: confusion_matrix, roc_curve, precision_recall_curve, calibration.
Multiclass: confusion_matrix (normalized per true class), roc_curve (one curve per class).
Regression: residuals, predicted_vs_actual. Every task: permutation_importance, by the
contract's column names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.calibration import CalibrationDisplay
from sklearn.inspection import permutation_importance
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    PredictionErrorDisplay,
    RocCurveDisplay,
)

from .scoring import as_label_array, kind

PLOTS = {
    "binary": ("confusion_matrix", "roc_curve", "precision_recall_curve", "calibration"),
    "multiclass": ("confusion_matrix", "roc_curve"),
    "regression": ("residuals", "predicted_vs_actual"),
}
# Predictions permutation importance may make (columns x repeats): its cost is per call.
IMPORTANCE_PREDICTIONS = 150


def plot_names(task: str, classes: Sequence[Any]) -> tuple[str, ...]:
    """The file stems plots() writes for this task."""
    return (*PLOTS[kind(task, classes)], "permutation_importance")


def _binary(model: Any, X: pd.DataFrame, y: pd.Series, pos: Any) -> dict[str, Callable]:
    return {
        "confusion_matrix": lambda ax: ConfusionMatrixDisplay.from_estimator(model, X, y, ax=ax),
        "roc_curve": lambda ax: RocCurveDisplay.from_estimator(
            model, X, y, pos_label=pos, ax=ax, plot_chance_level=True
        ),
        "precision_recall_curve": lambda ax: PrecisionRecallDisplay.from_estimator(
            model, X, y, pos_label=pos, ax=ax, plot_chance_level=True
        ),
        "calibration": lambda ax: CalibrationDisplay.from_estimator(
            model, X, y, pos_label=pos, n_bins=10, strategy="quantile", ax=ax
        ),
    }


def _per_class_roc(model: Any, X: pd.DataFrame, y: pd.Series, ax: Any) -> None:
    """One-vs-rest ROC curve of each class on one axes."""
    proba = model.predict_proba(X)
    for column, label in enumerate(model.classes_):
        if (y == label).any() and not (y == label).all():
            RocCurveDisplay.from_predictions(
                y == label, proba[:, column], name=f"{label} vs rest", ax=ax
            )
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    ax.set_xlabel("false positive rate (one class vs the rest)")
    ax.set_ylabel("true positive rate")
    ax.legend(loc="lower right", fontsize="small")


def _importance(  # pylint: disable=too-many-arguments
    model: Any, X: pd.DataFrame, y: pd.Series, scoring: Any, seed: int, repeats: int, ax: Any
) -> None:
    """Permutation importance of each input column: how much the score drops when shuffled."""
    # Each repeat predicts once per column: a wide table gets fewer repeats (at least one),
    # so 300 columns cost about what 60 do instead of most of the training.
    repeats = max(1, min(repeats, IMPORTANCE_PREDICTIONS // max(1, X.shape[1])))
    found = permutation_importance(
        model, X, y, scoring=scoring, n_repeats=repeats, random_state=seed
    )
    order = np.argsort(found.importances_mean)[-20:]  # the 20 most important, on top
    ax.boxplot(found.importances[order].T, orientation="horizontal", tick_labels=X.columns[order])
    ax.axvline(0, color="grey", linestyle="--")
    times = "once" if repeats == 1 else f"{repeats} times"
    ax.set_xlabel(f"drop in score when the column is shuffled ({times})")


def plots(  # pylint: disable=too-many-arguments  # noqa: PLR0913
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    task: str,
    classes: Sequence[Any],
    directory: Path,
    label: str,
    scoring: Any,
    seed: int = 0,
    importance_rows: int = 5000,
    importance_repeats: int = 5,
) -> list[Path]:
    """Write the task's plots of `model` on rows X, y into `directory`; returns the files.

    `label` (e.g. the estimator and run) goes into every title; `scoring` is the scorer
    permutation importance measures with (the gate metric's).
    """
    directory.mkdir(parents=True, exist_ok=True)
    which = kind(task, classes)
    draw: dict[str, Callable] = {}
    if which == "binary":
        draw = _binary(model, X, y, classes[1])
    elif which == "multiclass":
        draw = {
            "confusion_matrix": lambda ax: ConfusionMatrixDisplay.from_estimator(
                model, X, y, normalize="true", values_format=".2f", ax=ax
            ),
            "roc_curve": lambda ax: _per_class_roc(model, X, y, ax),
        }
    else:
        draw = {
            "residuals": lambda ax: PredictionErrorDisplay.from_estimator(
                model, X, y, kind="residual_vs_predicted", ax=ax
            ),
            "predicted_vs_actual": lambda ax: PredictionErrorDisplay.from_estimator(
                model, X, y, kind="actual_vs_predicted", ax=ax
            ),
        }
    # Permutation importance refits nothing but predicts n_columns x repeats times: a
    # sample of the held-out rows keeps it fast on large data.
    sample = X.sample(min(len(X), importance_rows), random_state=seed)
    draw["permutation_importance"] = lambda ax: _importance(
        model, sample, as_label_array(y.loc[sample.index]), scoring, seed, importance_repeats, ax
    )
    written = []
    for name, paint in draw.items():
        # A Figure without pyplot: no global state, no display, freed when it goes out of scope.
        figure = Figure(figsize=(7, 5.5), layout="constrained")
        ax = figure.add_subplot()
        paint(ax)
        ax.set_title(f"{name.replace('_', ' ')} on {len(y)} held-out rows\n{label}")
        path = directory / f"{name}.png"
        figure.savefig(path, dpi=100)
        written.append(path)
    return written
