"""Reference server: the floor cost of HTTP + model.

A bare FastAPI endpoint that turns the JSON rows into a numpy array and calls the
same model the generated service serves. Started by bench_serve.py:

    MODEL_URI=... FEATURES=a,b,c uvicorn bare_server:app
"""

from __future__ import annotations

import os

# This file runs in the generated project's environment, not in mlplate's.
# pylint: disable=import-error
import mlflow.sklearn
import numpy as np
from fastapi import FastAPI, Request

FEATURES = os.environ["FEATURES"].split(",")
MODEL = mlflow.sklearn.load_model(os.environ["MODEL_URI"])
app = FastAPI()


@app.post("/predict")
async def predict(request: Request) -> dict[str, list[int]]:
    """JSON rows to a numpy matrix to the model: nothing else."""
    rows = (await request.json())["rows"]
    matrix = np.array([[row[name] for name in FEATURES] for row in rows], dtype=float)
    return {"predictions": MODEL.predict(matrix).tolist()}
