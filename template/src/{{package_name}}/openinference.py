"""The Open Inference Protocol (v2) REST routes, so standard inference clients work.

Inputs are one [N, 4] tensor in FEATURES order (row-major `data`, flat or nested), or
one [N] tensor per feature, named after it. Errors are `{"error": "..."}`, as the
protocol specifies: 400 for a bad request, 404 for another model, 503 before a model
is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from . import __version__
from .data import CLASSES, FEATURES, MAX_CM, MIN_CM

if TYPE_CHECKING:  # serve imports this module; the type is only needed by the checker
    from .serve import LoadedModel


class Tensor(BaseModel):
    """An input tensor."""

    name: str
    shape: list[int]
    datatype: Literal["FP64", "FP32", "INT64", "INT32"]
    data: list[Any]


class RequestedOutput(BaseModel):
    """An output the client asks for by name."""

    name: str


class InferRequest(BaseModel):
    """An inference request."""

    id: str | None = None
    inputs: list[Tensor] = Field(min_length=1)
    outputs: list[RequestedOutput] | None = None


class InferenceError(Exception):
    """A request the protocol answers with `{"error": message}` and `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def to_matrix(inputs: list[Tensor]) -> np.ndarray:
    """The input tensors as a finite float matrix in FEATURES order, or InferenceError(400)."""
    try:
        if len(inputs) == 1:
            matrix = np.asarray(inputs[0].data, dtype=float).reshape(inputs[0].shape)
        else:
            by_name = {tensor.name: tensor for tensor in inputs}
            if missing := [name for name in FEATURES if name not in by_name]:
                raise ValueError(f"missing input tensors: {', '.join(missing)}")
            columns = [np.asarray(by_name[name].data, dtype=float).reshape(-1) for name in FEATURES]
            matrix = np.column_stack(columns)
    except (TypeError, ValueError) as error:
        raise InferenceError(400, f"bad input tensor: {error}") from None
    if matrix.ndim != 2 or matrix.shape[1] != len(FEATURES):
        raise InferenceError(400, f"expected shape [N, {len(FEATURES)}], got {list(matrix.shape)}")
    if not np.isfinite(matrix).all() or matrix.min() < MIN_CM or matrix.max() > MAX_CM:
        raise InferenceError(400, f"every value must be a number from {MIN_CM} to {MAX_CM}")
    return matrix


def _metadata(loaded: LoadedModel) -> dict[str, Any]:
    return {
        "name": loaded.name,
        "versions": [loaded.version],
        "platform": "sklearn",
        # Also accepted: one [-1] tensor per feature, named after it (see the module doc).
        "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, len(FEATURES)]}],
        "outputs": [
            {"name": "predict", "datatype": "INT64", "shape": [-1]},
            {"name": "probabilities", "datatype": "FP64", "shape": [-1, len(CLASSES)]},
        ],
    }


def add_open_inference_routes(
    service: FastAPI, get_model: Callable[[], LoadedModel | None]
) -> None:
    """Add the v2 routes to `service`; `get_model` returns the served model or None."""

    @service.exception_handler(InferenceError)
    async def inference_error(_request: Request, error: InferenceError) -> JSONResponse:
        return JSONResponse({"error": error.message}, status_code=error.status)

    def model_named(name: str, version: str | None = None) -> LoadedModel:
        loaded = get_model()
        if loaded is None:
            raise InferenceError(503, "no model loaded yet")
        if name != loaded.name or version not in (None, loaded.version):
            served = f"{loaded.name!r} version {loaded.version}"
            raise InferenceError(404, f"unknown model {name!r}; this server has {served}")
        return loaded

    @service.get("/v2")
    async def server_metadata() -> dict[str, Any]:
        return {"name": __package__, "version": __version__, "extensions": []}

    @service.get("/v2/health/live")
    async def live() -> dict[str, bool]:
        return {"live": True}

    @service.get("/v2/health/ready")
    async def ready() -> JSONResponse:
        is_ready = get_model() is not None
        return JSONResponse({"ready": is_ready}, status_code=200 if is_ready else 503)

    @service.get("/v2/models/{model_name}")
    @service.get("/v2/models/{model_name}/versions/{model_version}")
    async def model_metadata(model_name: str, model_version: str | None = None) -> dict[str, Any]:
        return _metadata(model_named(model_name, model_version))

    @service.get("/v2/models/{model_name}/ready")
    @service.get("/v2/models/{model_name}/versions/{model_version}/ready")
    async def model_ready(model_name: str, model_version: str | None = None) -> dict[str, Any]:
        return {"name": model_named(model_name, model_version).name, "ready": True}

    # `async def`: the prediction is cheaper than a hop to a worker thread (see serve.py).
    @service.post("/v2/models/{model_name}/infer")
    @service.post("/v2/models/{model_name}/versions/{model_version}/infer")
    async def infer(
        model_name: str, request: InferRequest, model_version: str | None = None
    ) -> dict[str, Any]:
        loaded = model_named(model_name, model_version)
        labels, probabilities = loaded.predict(to_matrix(request.inputs))
        rows = len(labels)
        outputs = [
            {"name": "predict", "datatype": "INT64", "shape": [rows], "data": labels},
            {
                "name": "probabilities",
                "datatype": "FP64",
                "shape": [rows, len(CLASSES)],
                "data": [p for row in probabilities for p in row],
            },
        ]
        if request.outputs is not None:
            wanted = {output.name for output in request.outputs}
            if unknown := wanted - {output["name"] for output in outputs}:
                raise InferenceError(400, f"unknown outputs: {', '.join(sorted(unknown))}")
            outputs = [output for output in outputs if output["name"] in wanted]
        return {
            "model_name": loaded.name,
            "model_version": loaded.version,
            "id": request.id,
            "outputs": outputs,
        }
