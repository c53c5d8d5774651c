"""Reference server: the floor cost of HTTP + pipeline.

A bare FastAPI endpoint that turns each JSON row into a one-row DataFrame and calls
the same trained pipeline the generated service serves: no validation, no metrics,
no logging. Started by bench_serve.py:

    MODEL_URI=... FEATURES=a,b,c uvicorn bare_server:app
"""

from __future__ import annotations

import os

# This file runs in the generated project's environment, not in mlplate's.
# pylint: disable=import-error
import mlflow.sklearn
import pandas as pd
from fastapi import FastAPI, Request

FEATURES = os.environ["FEATURES"].split(",")
MODEL = mlflow.sklearn.load_model(os.environ["MODEL_URI"])
CLASSES = [c.item() if hasattr(c, "item") else c for c in MODEL.classes_]
app = FastAPI()


@app.post("/predict")
async def predict(request: Request) -> dict[str, list]:
    """JSON rows to a DataFrame to the pipeline: labels and probabilities, nothing else."""
    rows = (await request.json())["rows"]
    frame = pd.DataFrame([[row.get(name) for name in FEATURES] for row in rows], columns=FEATURES)
    probabilities = MODEL.predict_proba(frame)
    return {
        "predictions": [CLASSES[i] for i in probabilities.argmax(axis=1)],
        "probabilities": probabilities.tolist(),
    }
