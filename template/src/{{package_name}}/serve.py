"""HTTP service for the champion model: FastAPI, Open Inference Protocol v2, Prometheus.

Run with `uvicorn <package>.serve:app`. The model is the registry's champion
(`models:/<name>@champion`) unless `<PREFIX>SERVE__MODEL_URI` names another
(a local model directory works offline).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .config import Config, get_config
from .data import CLASSES, FEATURES
from .inference import Proba, serving_predictor
from .metrics import PrometheusMiddleware, render_metrics

_MEASUREMENT = Field(ge=0.0, le=30.0, description="centimetres")


class Row(BaseModel):
    """One flower's measurements; the same ranges as the data schema."""

    model_config = ConfigDict(extra="forbid")
    sepal_length: float = _MEASUREMENT
    sepal_width: float = _MEASUREMENT
    petal_length: float = _MEASUREMENT
    petal_width: float = _MEASUREMENT


class PredictRequest(BaseModel):
    """The /predict body: one or more rows."""

    rows: list[Row] = Field(min_length=1, max_length=10_000)


class Tensor(BaseModel):
    """An Open Inference Protocol v2 input tensor."""

    name: str
    shape: list[int]
    datatype: Literal["FP64", "FP32", "INT64", "INT32"]
    data: list[Any]


class InferRequest(BaseModel):
    """An Open Inference Protocol v2 inference request."""

    id: str | None = None
    inputs: list[Tensor] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedModel:
    """The model being served and where it came from."""

    model: Any
    name: str
    version: str
    run_id: str
    uri: str
    predict_proba: Proba = field(init=False, repr=False, compare=False)
    path: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        proba, path = serving_predictor(self.model, len(FEATURES))
        object.__setattr__(self, "predict_proba", proba)
        object.__setattr__(self, "path", path)


def load_model(config: Config) -> LoadedModel:
    """Load the configured model (default: the registry's champion) with the sklearn flavour."""
    # Imported here to keep importing the app cheap: mlflow is heavy.
    # pylint: disable=import-outside-toplevel
    import mlflow
    import mlflow.sklearn

    mlflow.set_tracking_uri(config.tracking_uri)
    name = config.tracking.registered_model
    uri = config.serve.model_uri or f"models:/{name}@{config.tracking.champion_alias}"
    version, run_id = "local", ""
    if not config.serve.model_uri:
        details = mlflow.MlflowClient().get_model_version_by_alias(
            name, config.tracking.champion_alias
        )
        version, run_id = str(details.version), details.run_id
    return LoadedModel(mlflow.sklearn.load_model(uri), name, version, run_id, uri)


def _predict(loaded: LoadedModel, matrix: np.ndarray) -> tuple[list[int], list[list[float]]]:
    probabilities = loaded.predict_proba(matrix)
    return probabilities.argmax(axis=1).tolist(), probabilities.round(6).tolist()


def _matrix_from_tensors(inputs: list[Tensor]) -> np.ndarray:
    """One [N, 4] tensor in FEATURES order, or one [N] tensor per feature, to a float matrix."""
    try:
        if len(inputs) == 1:
            matrix = np.asarray(inputs[0].data, dtype=float).reshape(inputs[0].shape)
        else:
            by_name = {tensor.name: tensor for tensor in inputs}
            missing = [name for name in FEATURES if name not in by_name]
            if missing:
                raise ValueError(f"missing input tensors: {', '.join(missing)}")
            columns = [np.asarray(by_name[name].data, dtype=float).reshape(-1) for name in FEATURES]
            matrix = np.column_stack(columns)
    except (TypeError, ValueError) as error:
        raise HTTPException(status_code=400, detail=f"bad input tensor: {error}") from None
    if matrix.ndim != 2 or matrix.shape[1] != len(FEATURES):
        raise HTTPException(
            status_code=400, detail=f"expected shape [N, {len(FEATURES)}], got {list(matrix.shape)}"
        )
    if not np.isfinite(matrix).all():
        raise HTTPException(status_code=400, detail="input contains NaN or infinite values")
    return matrix


def create_app(model: LoadedModel | None = None, config: Config | None = None) -> FastAPI:
    """Build the service; with `model` given, nothing is loaded from the registry."""
    state: dict[str, Any] = {"model": model, "error": None}

    @asynccontextmanager
    async def lifespan(_service: FastAPI):
        if state["model"] is None:
            try:
                state["model"] = load_model(config or get_config())
            except Exception as error:  # pylint: disable=broad-exception-caught
                # Stay up and say why on /ready instead of crash-looping the container.
                state["error"] = f"{type(error).__name__}: {error}"
        yield

    service = FastAPI(title="Model service", lifespan=lifespan)
    service.add_middleware(PrometheusMiddleware)

    def current() -> LoadedModel:
        if state["model"] is None:
            raise HTTPException(
                status_code=503, detail=f"no model loaded: {state['error'] or 'starting'}"
            )
        return state["model"]

    @service.get("/health")
    async def health() -> dict[str, Any]:
        loaded = state["model"]
        if loaded is None:
            return {"status": "degraded", "model": None, "error": state["error"]}
        served = {
            "name": loaded.name,
            "version": loaded.version,
            "run_id": loaded.run_id,
            "uri": loaded.uri,
            "inference": loaded.path,
        }
        return {"status": "ok", "model": served}

    @service.get("/ready")
    async def ready() -> Response:
        if state["model"] is None:
            return JSONResponse({"ready": False, "error": state["error"]}, status_code=503)
        return JSONResponse({"ready": True})

    @service.post("/predict")
    async def predict(request: PredictRequest) -> dict[str, Any]:
        loaded = current()
        matrix = np.array([[row.sepal_length, row.sepal_width, row.petal_length, row.petal_width]
                           for row in request.rows])  # fmt: skip
        labels, probabilities = _predict(loaded, matrix)
        return {
            "predictions": labels,
            "classes": [CLASSES[i] for i in labels],
            "probabilities": probabilities,
            "model_version": loaded.version,
        }

    @service.get("/metrics")
    async def metrics() -> Response:
        body, content_type = render_metrics()
        return Response(body, media_type=content_type)

    _add_open_inference_routes(service, current, state)
    return service


def _add_open_inference_routes(service: FastAPI, current, state: dict[str, Any]) -> None:
    """The Open Inference Protocol v2 REST routes, so standard inference clients work."""

    def named(model_name: str) -> LoadedModel:
        loaded = current()
        if model_name != loaded.name:
            raise HTTPException(
                status_code=404, detail=f"unknown model {model_name!r}; this serves {loaded.name!r}"
            )
        return loaded

    @service.get("/v2/health/live")
    async def live() -> dict[str, bool]:
        return {"live": True}

    @service.get("/v2/health/ready")
    async def v2_ready() -> Response:
        is_ready = state["model"] is not None
        return JSONResponse({"ready": is_ready}, status_code=200 if is_ready else 503)

    @service.get("/v2/models/{model_name}")
    async def model_metadata(model_name: str) -> dict[str, Any]:
        loaded = named(model_name)
        return {
            "name": loaded.name,
            "versions": [loaded.version],
            "platform": "sklearn",
            "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, len(FEATURES)]}],
            "outputs": [
                {"name": "predict", "datatype": "INT64", "shape": [-1]},
                {"name": "probabilities", "datatype": "FP64", "shape": [-1, len(CLASSES)]},
            ],
        }

    @service.get("/v2/models/{model_name}/ready")
    async def model_ready(model_name: str) -> dict[str, Any]:
        return {"name": named(model_name).name, "ready": True}

    @service.post("/v2/models/{model_name}/infer")
    async def infer(model_name: str, request: InferRequest) -> dict[str, Any]:
        loaded = named(model_name)
        matrix = _matrix_from_tensors(request.inputs)
        labels, probabilities = _predict(loaded, matrix)
        rows = len(labels)
        return {
            "model_name": loaded.name,
            "model_version": loaded.version,
            "id": request.id,
            "outputs": [
                {"name": "predict", "datatype": "INT64", "shape": [rows], "data": labels},
                {
                    "name": "probabilities",
                    "datatype": "FP64",
                    "shape": [rows, len(CLASSES)],
                    "data": [p for row in probabilities for p in row],
                },
            ],
        }


app = create_app()
