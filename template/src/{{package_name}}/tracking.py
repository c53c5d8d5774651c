"""The one small tracking interface training uses, implemented with MLflow.

Default: an embedded store (sqlite file + artifact folder under mlruns/) that needs
no server; set MLFLOW_TRACKING_URI to use a tracking server instead.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from .config import Config

# No usage telemetry and no background network calls from a training job.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

# pylint: disable=wrong-import-position,wrong-import-order
import mlflow  # noqa: E402
import mlflow.sklearn  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402

# MLflow narrates every step at INFO; a training job's output should be its results.
logging.getLogger("mlflow").setLevel(logging.WARNING)
logging.getLogger("mlflow.utils.environment").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Champion:
    """The registry's current champion and its metrics."""

    version: str
    run_id: str
    metrics: dict[str, float]


class Tracker:
    """Runs, metrics, the model artifact and the registry, behind five calls."""

    def __init__(self, config: Config) -> None:
        self.config = config
        mlflow.set_tracking_uri(config.tracking_uri)
        self.client = MlflowClient()
        name = config.tracking.experiment
        if self.client.get_experiment_by_name(name) is None:
            location = config.path(config.tracking.artifact_dir).as_uri()
            is_local = (
                config.tracking_uri.startswith(("sqlite:", "file:"))
                or "://" not in config.tracking_uri
            )
            self.client.create_experiment(name, artifact_location=location if is_local else None)
        mlflow.set_experiment(name)

    @contextmanager
    def run(self, tags: dict[str, str]) -> Iterator[str]:
        """Start a tracked run with `tags`; yields the run id."""
        with mlflow.start_run(tags=tags) as active:
            yield active.info.run_id

    @staticmethod
    def log(params: dict[str, Any], metrics: dict[str, float]) -> None:
        """Log parameters and metrics to the active run."""
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)

    def log_model(self, model: Any, example: np.ndarray, feature_names: tuple[str, ...]) -> str:
        """Log the fitted model with its signature and an input example; returns its URI."""
        import pandas as pd  # pylint: disable=import-outside-toplevel

        frame = pd.DataFrame(example, columns=list(feature_names))
        signature = infer_signature(frame, model.predict(example))
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=signature,
            input_example=frame,
            # skops refuses unknown callables on load; the column selector is ours.
            skops_trusted_types=[f"{__package__}.features.as_matrix"],
        )
        return info.model_uri

    def register(self, model_uri: str) -> str:
        """Register a logged model; returns the new version number."""
        version = mlflow.register_model(model_uri, self.config.tracking.registered_model)
        return str(version.version)

    def champion(self) -> Champion | None:
        """The model version the champion alias points at, with its run's metrics."""
        try:
            version = self.client.get_model_version_by_alias(
                self.config.tracking.registered_model, self.config.tracking.champion_alias
            )
        except MlflowException:
            return None
        metrics = self.client.get_run(version.run_id).data.metrics
        return Champion(version=str(version.version), run_id=version.run_id, metrics=dict(metrics))

    def promote(self, version: str) -> None:
        """Point the champion alias at `version`."""
        self.client.set_registered_model_alias(
            self.config.tracking.registered_model, self.config.tracking.champion_alias, version
        )
