"""Feature preprocessing and the model pipeline built on it."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from .config import ModelConfig
from .data import FEATURES


def as_matrix(X) -> np.ndarray:
    """Features as a float matrix in FEATURES order, from a DataFrame or an array.

    DataFrames (MLflow's pyfunc input) are reordered by column name; arrays (the
    service's hot path) are taken as they are, so no DataFrame is built per request.
    """
    if hasattr(X, "columns"):
        return X[list(FEATURES)].to_numpy(dtype=float)
    return np.asarray(X, dtype=float)


def preprocessing() -> Pipeline:
    """Take the features in a fixed order, then scale each to zero mean and unit variance."""
    return Pipeline([("select", FunctionTransformer(as_matrix)), ("scale", StandardScaler())])


def build_model(params: ModelConfig, *, seed: int) -> Pipeline:
    """Preprocessing followed by a multinomial logistic regression.

    The pipeline is fitted on numpy arrays in `data.FEATURES` order, so serving can
    hand it a plain float matrix without building a DataFrame per request.
    """
    classifier = LogisticRegression(C=params.C, max_iter=params.max_iter, random_state=seed)
    return Pipeline([("preprocess", preprocessing()), ("classify", classifier)])
