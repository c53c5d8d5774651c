"""The served model: the trained pipeline, where it came from, and its predictions.

Requests arrive as columns (one list of values per contract feature); the pipeline
gets them as a DataFrame with the feature columns by name, exactly as in training.
Classification answers labels and class probabilities, regression answers values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .contract import Contract


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


@dataclass(frozen=True)
class LoadedModel:
    """The model being served and where it came from."""

    model: Any
    name: str
    version: str
    run_id: str
    uri: str
    contract: Contract

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
        features = frame(self.contract, columns)
        if not self.has_probabilities:
            return Prediction(_plain(self.model.predict(features)))
        probabilities = np.asarray(self.model.predict_proba(features), dtype=float)
        labels = np.asarray(self.classes, dtype=object)[probabilities.argmax(axis=1)]
        return Prediction(_plain(labels), probabilities.round(6).tolist())

    def check(self) -> None:
        """Predict one row built from the contract: a model that does not fit it fails here."""
        self.predict({name: [value] for name, value in example_row(self.contract).items()})


def _plain(values: Any) -> list[Any]:
    """numpy scalars as the Python values JSON can hold."""
    return [value.item() if isinstance(value, np.generic) else value for value in values]


def example_row(contract: Contract) -> dict[str, Any]:
    """A row the contract accepts: mid-range numbers, a known category (for docs and checks)."""
    return {feature.name: _example(feature) for feature in contract.features}


def _example(feature) -> Any:
    if feature.kind == "categorical":
        return feature.categories[0] if feature.categories else None
    low, high = feature.minimum, feature.maximum
    if low is not None and high is not None:
        return (low + high) / 2
    return low if low is not None else high if high is not None else 0.0
