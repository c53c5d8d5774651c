"""The one small tracking interface the pipeline uses, implemented with MLflow.

Default: an embedded store (a sqlite file and an artifact folder under mlruns/) that
needs no server; set MLFLOW_TRACKING_URI to use a tracking server instead. Every use
of MLflow in this project goes through this module, so its settings apply everywhere.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature

from .config import Config

# MLflow narrates every step at INFO; a training job's output should be its results.
logging.getLogger("mlflow").setLevel(logging.WARNING)
# uv environments have no pip, and MLflow warns about that on every model it logs.
logging.getLogger("mlflow.utils.environment").setLevel(logging.ERROR)


@dataclass(frozen=True)
class ModelVersion:
    """A registered model version, the run that made it, and that run's metrics."""

    version: str
    run_id: str
    metrics: dict[str, float]
    aliases: tuple[str, ...] = ()


class Tracker:
    """Runs, metrics, the model artifact and the registry, behind a handful of calls."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.name = config.tracking.registered_model
        self.alias = config.tracking.champion_alias
        mlflow.set_tracking_uri(config.tracking_uri)
        self.client = MlflowClient()

    def _use_experiment(self) -> None:
        name = self.config.tracking.experiment
        if self.client.get_experiment_by_name(name) is None:
            # The embedded store keeps artifacts inside the project; a server decides its own.
            is_local = self.config.tracking_uri.startswith(("sqlite:", "file:"))
            location = self.config.path(self.config.tracking.artifact_dir).as_uri()
            self.client.create_experiment(name, artifact_location=location if is_local else None)
        mlflow.set_experiment(name)

    @contextmanager
    def run(self, tags: dict[str, str]) -> Iterator[str]:
        """Start a tracked run with `tags`; yields the run id."""
        self._use_experiment()
        with mlflow.start_run(tags=tags) as active:
            yield active.info.run_id

    @staticmethod
    def log(params: dict[str, Any], metrics: dict[str, float]) -> None:
        """Log parameters and metrics to the active run."""
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)

    @staticmethod
    def log_model(model: Any, example: np.ndarray, feature_names: tuple[str, ...]) -> str:
        """Log the fitted model with its signature and an input example; returns its URI."""
        # A named-column signature: a pyfunc client may send the columns in any order.
        frame = pd.DataFrame(example, columns=list(feature_names))
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(frame, model.predict(example)),
            input_example=frame,
            # skops refuses unknown callables on load; the column selector is this project's.
            skops_trusted_types=[f"{__package__}.features.as_matrix"],
        )
        return info.model_uri

    def register(self, model_uri: str) -> str:
        """Register a logged model under the configured name; returns the new version."""
        return str(mlflow.register_model(model_uri, self.name).version)

    def _describe(self, version, aliases: tuple[str, ...] = ()) -> ModelVersion:
        metrics = self.client.get_run(version.run_id).data.metrics if version.run_id else {}
        return ModelVersion(str(version.version), version.run_id or "", dict(metrics), aliases)

    def champion(self) -> ModelVersion | None:
        """The version the champion alias points at, or None before the first promotion."""
        try:
            version = self.client.get_model_version_by_alias(self.name, self.alias)
        except MlflowException:
            return None
        return self._describe(version, (self.alias,))

    def versions(self) -> list[ModelVersion]:
        """Every registered version, newest first."""
        try:
            aliases = self.client.get_registered_model(self.name).aliases
        except MlflowException:  # nothing registered yet
            return []
        found = self.client.search_model_versions(f"name = '{self.name}'")
        described = [
            self._describe(v, tuple(a for a, n in aliases.items() if str(n) == str(v.version)))
            for v in found
        ]
        return sorted(described, key=lambda v: int(v.version), reverse=True)

    def promote(self, version: str) -> None:
        """Point the champion alias at `version`, and copy that model to the model folder."""
        self.client.set_registered_model_alias(self.name, self.alias, version)
        self.export(f"models:/{self.name}/{version}", self.champion_dir)

    @property
    def champion_dir(self) -> Path:
        """Where the champion's model files are copied, for serving without the registry."""
        return self.config.path(self.config.paths.model_dir) / self.alias

    @staticmethod
    def export(model_uri: str, destination: Path) -> Path:
        """Copy a model's files to `destination`, replacing what was there in one step."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=destination.parent, prefix=".export-"))
        try:
            mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=str(staging))
            # Swap directories so a service reading `destination` never sees half a model.
            retired = destination.with_name(f".{destination.name}-retired")
            if destination.exists():
                destination.rename(retired)
            staging.rename(destination)
            shutil.rmtree(retired, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return destination


def load_served_model(config: Config) -> tuple[Any, str, str, str]:
    """Load the model to serve with the sklearn flavour: (model, version, run id, URI).

    The configured `serve.model_uri`, else the registry's champion; a local directory
    is reported as version "local".
    """
    mlflow.set_tracking_uri(config.tracking_uri)
    uri, version, run_id = config.serve_model_uri, "local", ""
    if not config.serve.model_uri:
        # Resolve the alias once and load that version, so /health names what is served.
        champion = Tracker(config).champion()
        if champion is None:
            raise LookupError(
                f"no {config.tracking.champion_alias!r} version of "
                f"{config.tracking.registered_model!r} in the registry at "
                f"{config.tracking_uri}: run `make train` first"
            )
        version, run_id = champion.version, champion.run_id
        uri = f"models:/{config.tracking.registered_model}/{version}"
    return mlflow.sklearn.load_model(uri), version, run_id, uri
