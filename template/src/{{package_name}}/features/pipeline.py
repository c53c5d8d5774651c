"""The model pipeline the contract describes: per-column preprocessing, then the estimator.

Numeric features are imputed (median) and scaled; categorical ones imputed (most frequent)
and one-hot encoded, with categories never seen in training ignored (ordered ones,
`metadata.ordered: true`, become their rank in the contract's order); a date or datetime
becomes its calendar parts (year, month, day of month, day of week, day of year), imputed
and scaled like numbers. Ids and ignored
columns are dropped. The estimator is `model.estimator` of configs/config.yaml (an
import path; empty: a linear model fitting the task) with `model.params`.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

from ..config import Config
from ..data.contract import Contract

DEFAULT_ESTIMATORS = {
    "classification": "sklearn.linear_model.LogisticRegression",
    "regression": "sklearn.linear_model.Ridge",
}
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "sklearn.linear_model.LogisticRegression": {"max_iter": 1000},
}


class EstimatorError(ValueError):
    """`model.estimator` names nothing that can be built; the message says why."""

    hint = "set model.estimator in configs/config.yaml to an importable class"


def estimator_path(config: Config, contract: Contract) -> str:
    """The import path of the estimator: the configured one, else the task's default."""
    return config.model.estimator or DEFAULT_ESTIMATORS[contract.task]


def build_estimator(config: Config, contract: Contract) -> Any:
    """An unfitted estimator from its import path and parameters, seeded when it takes a seed."""
    path = estimator_path(config, contract)
    module_name, _, class_name = path.rpartition(".")
    try:
        factory = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        raise EstimatorError(
            f"model.estimator {path!r} cannot be imported: give a class by its import path, "
            "e.g. sklearn.ensemble.RandomForestClassifier (add its package with `uv add`)"
        ) from None
    params = {**DEFAULT_PARAMS.get(path, {}), **config.model.params}
    accepts = inspect.signature(factory).parameters
    if "random_state" in accepts and "random_state" not in params:
        params["random_state"] = config.seed
    try:
        return factory(**params)
    except TypeError as error:
        raise EstimatorError(f"model.params do not fit {path}: {error}") from None


DATE_PARTS = ("year", "month", "day", "day_of_week", "day_of_year")


def date_parts(frame: Any) -> np.ndarray:
    """Each date column as its calendar parts (NaN for a missing or unreadable date).

    Takes datetimes (training) or ISO 8601 text (a request), so both give the same parts.
    """
    columns = []
    for name in pd.DataFrame(frame).columns:
        values = pd.to_datetime(pd.DataFrame(frame)[name], format="ISO8601", errors="coerce")
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        columns += [getattr(values.dt, part).astype(float) for part in DATE_PARTS]
    return np.column_stack(columns) if columns else np.empty((len(frame), 0))


def _date_part_names(_: Any, names: Any) -> list[str]:
    return [f"{name}_{part}" for name in names for part in DATE_PARTS]


def preprocessing(contract: Contract) -> ColumnTransformer:
    """Impute and scale numbers, impute and one-hot categories; every other column dropped."""
    numeric = [f.name for f in contract.features if f.kind == "numeric"]
    categorical = [f.name for f in contract.features if f.kind == "categorical" and not f.ordered]
    ordered = [f for f in contract.features if f.ordered]
    dated = [f.name for f in contract.features if f.kind == "datetime"]
    steps = []
    if numeric:
        scale = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        steps.append(("numeric", scale, numeric))
    if categorical:
        encode = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        steps.append(("categorical", encode, categorical))
    if ordered:
        # Ordered categories (metadata.ordered) as their rank: low to high as the contract lists.
        rank = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                (
                    "encode",
                    OrdinalEncoder(
                        categories=[list(f.categories) for f in ordered],
                        handle_unknown="use_encoded_value",
                        unknown_value=-1,
                    ),
                ),
                ("scale", StandardScaler()),
            ]
        )
        steps.append(("ordered", rank, [f.name for f in ordered]))
    if dated:
        parts = Pipeline(
            [
                ("parts", FunctionTransformer(date_parts, feature_names_out=_date_part_names)),
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
            ]
        )
        steps.append(("dates", parts, dated))
    return ColumnTransformer(steps, remainder="drop")


def build_model(config: Config, contract: Contract) -> Pipeline:
    """The pipeline trained on a DataFrame of the contract's feature columns, by name."""
    return Pipeline(
        [("preprocess", preprocessing(contract)), ("model", build_estimator(config, contract))]
    )


def trusted_types(model: Any, estimator: str) -> list[str]:
    """The types skops must be told to trust to load `model`, from libraries this project uses.

    skops loads only types it knows to be safe; scikit-learn's own estimators beyond those
    (e.g. a RandomForest's trees) and a third-party estimator (xgboost, lightgbm) must be
    named. Only types from numpy, scipy, scikit-learn and the configured estimator's package
    are trusted, so a model file holding anything else still fails to load.
    """
    import skops.io  # pylint: disable=import-outside-toplevel

    # This project's package too: the date step calls `date_parts`, a function of this module.
    project = __name__.split(".", maxsplit=1)[0]
    roots = {"numpy", "scipy", "sklearn", estimator.split(".", maxsplit=1)[0], project}
    found = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    return sorted(name for name in found if name.split(".", maxsplit=1)[0] in roots)
