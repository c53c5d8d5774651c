"""HTTP service for the champion model: FastAPI, Open Inference Protocol v2, Prometheus.

Run with `uvicorn <package>.serve:app`. The model is the registry's champion
(`<scheme>:/<name>@champion`, see config.serve_model_uri) unless
`<PREFIX>SERVE__MODEL_URI` names another (a local model directory, such as
models/champion, works offline).
"""

from __future__ import annotations

import math
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .config import Config, get_config
from .data import CLASSES, FEATURES, MAX_CM, MIN_CM
from .inference import Proba, serving_predictor
from .metrics import PrometheusMiddleware, render_metrics
from .openinference import add_open_inference_routes

_MEASUREMENT = Field(ge=MIN_CM, le=MAX_CM, description="centimetres", allow_inf_nan=False)


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


@dataclass(frozen=True)
class LoadedModel:
    """The model being served, where it came from, and its fastest exact predict_proba."""

    model: Any
    name: str
    version: str
    run_id: str
    uri: str
    predict_proba: Proba = field(init=False, repr=False, compare=False)
    inference: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        proba, inference = serving_predictor(self.model, len(FEATURES))
        object.__setattr__(self, "predict_proba", proba)
        object.__setattr__(self, "inference", inference)

    def predict(self, matrix: np.ndarray) -> tuple[list[int], list[list[float]]]:
        """Class indices and class probabilities for a float matrix in FEATURES order."""
        probabilities = self.predict_proba(matrix)
        return probabilities.argmax(axis=1).tolist(), probabilities.round(6).tolist()


def _finite_or_text(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def load_model(config: Config) -> LoadedModel:
    """Load the configured model (default: the registry's champion)."""
    # MLflow is slow to import: the app module stays cheap until a model is needed.
    from .tracking import load_served_model  # pylint: disable=import-outside-toplevel

    model, version, run_id, uri = load_served_model(config)
    return LoadedModel(model, config.tracking.registered_model, version, run_id, uri)


def create_app(model: LoadedModel | None = None, config: Config | None = None) -> FastAPI:
    """Build the service; with `model` given, nothing is loaded from the registry."""
    state: dict[str, Any] = {"model": model, "error": None}

    @asynccontextmanager
    async def lifespan(_service: FastAPI):
        if state["model"] is None:
            try:
                state["model"] = load_model(config or get_config())
            except Exception as error:  # pylint: disable=broad-exception-caught
                # Stay up and say why on /health and /ready instead of crash-looping.
                state["error"] = f"{type(error).__name__}: {error}"
        yield

    service = FastAPI(title="Model service", lifespan=lifespan)
    service.add_middleware(PrometheusMiddleware)

    @service.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes the input and fails (500) on NaN or infinity, which
        # JSON cannot hold: send them back as text.
        detail = jsonable_encoder(error.errors(), custom_encoder={float: _finite_or_text})
        return JSONResponse({"detail": detail}, status_code=422)

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
            "inference": loaded.inference,
        }
        return {"status": "ok", "model": served}

    @service.get("/ready")
    async def ready() -> Response:
        if state["model"] is None:
            return JSONResponse({"ready": False, "error": state["error"]}, status_code=503)
        return JSONResponse({"ready": True})

    # `async def` on purpose: a prediction takes microseconds of CPU, less than the hop to
    # a worker thread that a plain `def` endpoint costs on every request.
    @service.post("/predict")
    async def predict(request: PredictRequest) -> dict[str, Any]:
        loaded = current()
        rows = request.rows
        matrix = np.array(
            [(r.sepal_length, r.sepal_width, r.petal_length, r.petal_width) for r in rows]
        )
        labels, probabilities = loaded.predict(matrix)
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

    add_open_inference_routes(service, lambda: state["model"])
    return service


app = create_app()
