"""The served model: the trained pipeline, where it came from, and its predictions.

Every prediction of the project (the service and batch `predict`) is made here. Rows
arrive as columns (one sequence of values per contract feature, None for a missing
value). When the pipeline converts to ONNX and the converted form gives the pipeline's
answers on held-out rows, onnxruntime computes them from numpy arrays (onnxpipeline.py);
otherwise the pipeline gets a DataFrame with the feature columns by name, exactly as in
training. Classification answers labels and class probabilities, regression values.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data.contract import Contract, example_frame, example_row, read_table
from .onnxpipeline import NUMBER_TYPES, NotConvertibleError, OnnxPipeline, agrees, convert

log = logging.getLogger(__name__)
HELD_OUT_ROWS = 2_000  # enough to compare the two paths, bounded so loading stays quick


@dataclass(frozen=True)
class Prediction:
    """One answer per row: labels or values, and class probabilities for a classifier."""

    predictions: list[Any]
    probabilities: list[list[float]] | None = None


def frame(contract: Contract, columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """The feature columns as the pipeline was trained on them; None is a missing value."""
    data: dict[str, np.ndarray] = {}
    for feature in contract.features:
        values = columns[feature.name]
        if feature.kind == "numeric":
            data[feature.name] = np.array(values, dtype=float)  # None becomes NaN
        else:
            data[feature.name] = np.array(
                [np.nan if value is None else value for value in values], dtype=object
            )
    return pd.DataFrame(data)


def columns_of(rows: pd.DataFrame, contract: Contract) -> dict[str, list[Any]]:
    """The feature columns of `rows` as plain values, None for a missing one."""
    columns: dict[str, list[Any]] = {}
    for feature in contract.features:
        cast: Any = {"numeric": float, "datetime": _iso}.get(feature.kind, str)
        columns[feature.name] = [
            None if pd.isna(value) else cast(value) for value in rows[feature.name]
        ]
    return columns


def _iso(value: Any) -> str:
    return pd.Timestamp(value).isoformat()


def held_out_columns(contract: Contract, test_file: Path | None) -> dict[str, list[Any]]:
    """Rows the model did not train on, plus rows with every gap and unseen categories.

    The held-out split of the last training run when it is there and fits the contract,
    else rows made from the contract; a missing value in each nullable feature and a
    category never seen are added, so both are compared too.
    """
    columns = None
    if test_file is not None and test_file.is_file():
        try:
            columns = columns_of(read_table(test_file).head(HELD_OUT_ROWS), contract)
        except Exception:  # pylint: disable=broad-exception-caught
            columns = None  # a split from another contract: use made-up rows instead
    if columns is None:
        columns = columns_of(example_frame(contract, rows=60), contract)
    edge = example_row(contract)
    for feature in contract.features:
        if feature.nullable:
            edge[feature.name] = None
        elif feature.kind == "categorical":
            edge[feature.name] = "\x01never seen"
        columns[feature.name].append(edge[feature.name])
    return columns


@dataclass(frozen=True)
class LoadedModel:  # pylint: disable=too-many-instance-attributes  # a record, no behaviour state
    """The model being served, where it came from, and what computes its predictions."""

    model: Any
    name: str
    version: str
    run_id: str
    uri: str
    contract: Contract
    fast: OnnxPipeline | None = None
    fallback: str = "not checked"  # why scikit-learn serves; empty when onnxruntime does

    @property
    def runtime(self) -> str:
        """What computes the predictions: "onnxruntime" or "scikit-learn"."""
        return "onnxruntime" if self.fast is not None else "scikit-learn"

    @property
    def classes(self) -> list[Any]:
        """The class labels in probability order (empty for regression)."""
        if self.contract.task != "classification":
            return []
        labels = getattr(self.model, "classes_", None)
        return _plain(labels) if labels is not None else list(self.contract.classes)

    @property
    def has_probabilities(self) -> bool:
        """Whether the model gives class probabilities (most classifiers do)."""
        return self.contract.task == "classification" and hasattr(self.model, "predict_proba")

    def predict(self, columns: Mapping[str, Sequence[Any]]) -> Prediction:
        """Predictions for the rows given as one sequence per contract feature."""
        if self.fast is not None:
            answers = self.fast.predict(columns)
            if self.contract.task != "classification":
                return self._values(answers.tolist())
            return self._labelled(answers)
        features = frame(self.contract, columns)
        if not self.has_probabilities:
            return self._values(_plain(self.model.predict(features)))
        return self._labelled(np.asarray(self.model.predict_proba(features), dtype=float))

    def _values(self, values: list[Any]) -> Prediction:
        if self.contract.task == "regression" and self.contract.target_nonnegative:
            negative = sum(1 for value in values if value < 0)
            if negative:
                # A linear model extrapolates below zero; the data never did. Say so, once per
                # call: a log-target (TransformedTargetRegressor) or a tree model avoids it.
                log.warning(
                    "%d of %d predictions of %s are negative, which it never is in the data",
                    negative, len(values), self.contract.target,
                )  # fmt: skip
        return Prediction(values)

    def _labelled(self, probabilities: np.ndarray) -> Prediction:
        labels = np.asarray(self.classes, dtype=object)[probabilities.argmax(axis=1)]
        return Prediction(_plain(labels), probabilities.round(6).tolist())

    def _pipeline_answers(self, columns: Mapping[str, Sequence[Any]]) -> np.ndarray:
        features = frame(self.contract, columns)
        if self.contract.task == "classification":
            return np.asarray(self.model.predict_proba(features), dtype=float)
        return np.asarray(self.model.predict(features), dtype=float).reshape(-1)

    def with_fast_path(self, held_out: Mapping[str, Sequence[Any]]) -> LoadedModel:
        """Serve this model by onnxruntime if its ONNX form answers as it does on `held_out`.

        Otherwise (no converter for a step, no kernel, answers that differ) it stays on
        scikit-learn, and `fallback` says why.
        """
        if self.contract.task == "classification" and not self.has_probabilities:
            return replace(self, fast=None, fallback="the classifier gives no probabilities")
        expected = self._pipeline_answers(held_out)
        reasons = []
        for number_type in NUMBER_TYPES:
            try:
                fast = convert(self.model, self.contract, number_type)
            except NotConvertibleError as error:
                reasons.append(str(error))
                continue
            differs = agrees(fast, expected, held_out)
            if not differs:
                return replace(self, fast=fast, fallback="")
            reasons.append(differs)
        return replace(self, fast=None, fallback="; ".join(dict.fromkeys(reasons)))

    def check(self) -> None:
        """Predict one row built from the contract: a model that does not fit it fails here."""
        self.predict({name: [value] for name, value in example_row(self.contract).items()})


def _plain(values: Any) -> list[Any]:
    """Turn numpy scalars into the Python values JSON can hold."""
    return [value.item() if isinstance(value, np.generic) else value for value in values]
