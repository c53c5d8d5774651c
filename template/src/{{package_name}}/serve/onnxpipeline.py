"""The trained pipeline converted to ONNX: the same predictions without pandas per request.

skl2onnx converts the fitted scikit-learn pipeline when it loads (the registry keeps the
scikit-learn model as trained); onnxruntime runs it on one array per contract feature:
numbers as floats with NaN for a missing value, categories as strings. Many estimators
convert (linear models, forests, boosting); one that does not, or whose converted form
does not give the pipeline's answers on held-out rows, is served by scikit-learn
(see inference.py), so this path only ever makes the service faster, never different.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.contract import Contract

# The converter imputes a string column only when its missing marker is a string, while
# the pipeline was fitted with NaN as the marker: the converted copy uses this one, which
# no real category holds, and the fast path passes it for a missing category.
MISSING_CATEGORY = "\x00missing"
# float64 first, as the pipeline computes; float32 when a step has only float32 kernels
# (the check on held-out rows decides whether that is still exact).
NUMBER_TYPES = (np.float64, np.float32)


class NotConvertibleError(Exception):
    """The pipeline has no ONNX form (or onnxruntime cannot run it); the message says why."""


@dataclass(frozen=True)
class OnnxPipeline:
    """An onnxruntime session computing what the pipeline's predict/predict_proba compute."""

    session: Any
    contract: Contract
    number_type: Any
    outputs: tuple[str, ...]  # (values) for regression, (label, probabilities) otherwise

    def inputs(self, columns: Mapping[str, Sequence[Any]]) -> dict[str, np.ndarray]:
        """One [rows, 1] array per feature, straight from the values (None is missing)."""
        # skl2onnx makes each input name an identifier ("mean radius" -> "mean_radius") and
        # keeps their order: the session's inputs are the contract's features, by position.
        names = [node.name for node in self.session.get_inputs()]
        feeds = {}
        for name, feature in zip(names, self.contract.features, strict=True):
            values = columns[feature.name]
            if feature.kind == "numeric":
                array = np.array(values, dtype=self.number_type)  # None becomes NaN
            else:
                array = np.array(
                    [MISSING_CATEGORY if v is None else str(v) for v in values], dtype=object
                )
            feeds[name] = array.reshape(-1, 1)
        return feeds

    def predict(self, columns: Mapping[str, Sequence[Any]]) -> np.ndarray:
        """Regression values, or class probabilities in the pipeline's class order."""
        result = self.session.run([self.outputs[-1]], self.inputs(columns))[0]
        if self.contract.task == "classification":
            return np.asarray(result, dtype=float)
        return np.asarray(result, dtype=float).reshape(-1)


def _mark_missing_categories(pipeline: Any, contract: Contract) -> Any:
    """A copy of `pipeline` whose category imputers treat MISSING_CATEGORY as missing."""
    from sklearn.impute import SimpleImputer  # pylint: disable=import-outside-toplevel

    categorical = {f.name for f in contract.features if f.kind == "categorical"}
    converted = copy.deepcopy(pipeline)
    steps = getattr(converted, "steps", [])
    for _, transformer, columns in getattr(steps[0][1], "transformers_", []) if steps else []:
        if not isinstance(columns, list) or not set(columns) <= categorical:
            continue
        for step in getattr(transformer, "steps", [("", transformer)]):
            imputer = step[1]
            missing = getattr(imputer, "missing_values", None)
            if isinstance(imputer, SimpleImputer) and isinstance(missing, float):
                imputer.missing_values = MISSING_CATEGORY
    return converted


def _register_float64_imputer() -> None:
    """Impute float64 numbers with IsNaN + Where: ONNX-ML's Imputer has float32 kernels only.

    Registered through skl2onnx's converter API; strings and float32 still go to its own
    converter.
    """
    # pylint: disable=import-outside-toplevel
    from onnx import TensorProto
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import DoubleTensorType
    from skl2onnx.operator_converters.common import concatenate_variables
    from skl2onnx.operator_converters.imputer_op import convert_sklearn_imputer
    from skl2onnx.shape_calculators.imputer import calculate_sklearn_imputer_output_shapes
    from sklearn.impute import SimpleImputer

    def convert_imputer(scope: Any, operator: Any, container: Any) -> None:
        imputer = operator.raw_operator
        float64 = isinstance(operator.inputs[0].type, DoubleTensorType)
        if not float64 or not isinstance(imputer.missing_values, float):
            convert_sklearn_imputer(scope, operator, container)
            return
        values = concatenate_variables(scope, operator.inputs, container)
        fill = scope.get_unique_variable_name("fill")
        statistics = np.asarray(imputer.statistics_, dtype=np.float64)
        container.add_initializer(fill, TensorProto.DOUBLE, [1, statistics.size], statistics)
        missing = scope.get_unique_variable_name("missing")
        container.add_node("IsNaN", [values], [missing])
        container.add_node("Where", [missing, fill, values], [operator.outputs[0].full_name])

    update_registered_converter(
        SimpleImputer,
        "SklearnSimpleImputer",
        calculate_sklearn_imputer_output_shapes,
        convert_imputer,
    )


def convert(pipeline: Any, contract: Contract, number_type: Any) -> OnnxPipeline:
    """The pipeline as an onnxruntime session with numbers as `number_type`.

    Raises NotConvertibleError when it has no ONNX form or onnxruntime cannot run it.
    """
    # pylint: disable=import-outside-toplevel
    import onnxruntime
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        StringTensorType,
    )

    number_tensor = DoubleTensorType if number_type is np.float64 else FloatTensorType
    types = [
        (f.name, (number_tensor if f.kind == "numeric" else StringTensorType)([None, 1]))
        for f in contract.features
    ]
    classifier = contract.task == "classification"
    if classifier and not hasattr(pipeline, "predict_proba"):
        raise NotConvertibleError("the classifier gives no probabilities")
    converted = _mark_missing_categories(pipeline, contract)
    try:
        _register_float64_imputer()
        model = convert_sklearn(
            converted,
            initial_types=types,
            options={id(converted): {"zipmap": False}} if classifier else None,
        )
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # pylint: disable=broad-exception-caught
        # skl2onnx and onnxruntime raise many kinds (no converter, no kernel, bad shape).
        first_line = (str(error).strip().splitlines() or [""])[0][:200]
        raise NotConvertibleError(f"{type(error).__name__}: {first_line}") from None
    outputs = tuple(output.name for output in session.get_outputs())
    return OnnxPipeline(session, contract, number_type, outputs[:2] if classifier else outputs[:1])


def agrees(fast: OnnxPipeline, expected: np.ndarray, columns: Mapping[str, Sequence[Any]]) -> str:
    """Why the fast path's answers differ from `expected` (the pipeline's), or "" if they agree.

    Probabilities must be within 1e-6 and pick the same class; regression values within a
    relative 1e-6 (of the largest value): float32 arithmetic stays inside that, a wrong
    conversion does not.
    """
    try:
        got = fast.predict(columns)
    except Exception as error:  # pylint: disable=broad-exception-caught
        return f"onnxruntime failed on held-out rows: {type(error).__name__}"
    if got.shape != expected.shape:
        return f"output shape {got.shape} is not the pipeline's {expected.shape}"
    if fast.contract.task == "classification":
        worst = float(np.abs(got - expected).max())
        if worst > 1e-6 or not np.array_equal(got.argmax(axis=1), expected.argmax(axis=1)):
            return f"probabilities differ from the pipeline's by up to {worst:.2g}"
        return ""
    scale = max(1.0, float(np.abs(expected).max()))
    worst = float(np.abs(got - expected).max()) / scale
    return "" if worst <= 1e-6 else f"values differ from the pipeline's by {worst:.2g} relative"
