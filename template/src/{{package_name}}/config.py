"""One typed configuration: configs/config.yaml, overridable by environment variables.

Environment variables use the package name as prefix and `__` for nesting, e.g.
`MY_PACKAGE_SEED=7` or `MY_PACKAGE_GATE__MIN_VALUE=0.95`. Relative paths are taken
from the project root.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

PACKAGE = __name__.split(".", maxsplit=1)[0]
ENV_PREFIX = f"{PACKAGE.upper()}_"


def project_root() -> Path:
    """The project directory: `<PREFIX>ROOT`, else the working directory if it holds configs/."""
    if os.environ.get(f"{ENV_PREFIX}ROOT"):
        return Path(os.environ[f"{ENV_PREFIX}ROOT"]).resolve()
    cwd = Path.cwd()
    if (cwd / "configs").is_dir():
        return cwd
    return Path(__file__).resolve().parents[2]


def config_file() -> Path:
    """The YAML file read: `<PREFIX>CONFIG_FILE`, else configs/config.yaml of the project."""
    return Path(
        os.environ.get(f"{ENV_PREFIX}CONFIG_FILE", project_root() / "configs" / "config.yaml")
    )


class PathsConfig(BaseModel):
    """Where each stage reads and writes."""

    raw_data: Path = Path("data/raw/iris.csv")
    processed_dir: Path = Path("data/processed")
    batches_dir: Path = Path("data/batches")
    reports_dir: Path = Path("reports")
    model_dir: Path = Path("models")


class SplitConfig(BaseModel):
    """The held-out evaluation split."""

    test_size: float = Field(0.2, gt=0, lt=1)


class ModelConfig(BaseModel):
    """Hyper-parameters of the classifier."""

    C: float = Field(1.0, gt=0)
    max_iter: int = Field(500, gt=0)


class GateConfig(BaseModel):
    """The quality gate a new model must pass to become the champion."""

    metric: Literal["accuracy", "f1_macro"] = "accuracy"
    min_value: float = Field(0.9, ge=0)


class DriftConfig(BaseModel):
    """Drift monitoring: the reference data and the alert thresholds."""

    reference: Path = Path("data/raw/iris.csv")
    psi_threshold: float = Field(0.2, gt=0)
    ks_pvalue_threshold: float = Field(0.01, gt=0, lt=1)


class TrackingConfig(BaseModel):
    """Experiment tracking and model registry settings."""

    uri: str = ""  # empty: the embedded sqlite store under mlruns/; MLFLOW_TRACKING_URI wins
    artifact_dir: Path = Path("mlruns/artifacts")
    experiment: str = PACKAGE
    registered_model: str = PACKAGE
    champion_alias: str = "champion"


class ServeConfig(BaseModel):
    """Which model the service loads."""

    model_uri: str = ""  # empty: the registry's champion; a local model directory works offline


class Config(BaseSettings):
    """Everything the pipeline reads; relative paths are taken from `root`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore"
    )

    root: Path = Field(default_factory=project_root)
    seed: int = 42
    paths: PathsConfig = PathsConfig()
    split: SplitConfig = SplitConfig()
    model: ModelConfig = ModelConfig()
    gate: GateConfig = GateConfig()
    drift: DriftConfig = DriftConfig()
    tracking: TrackingConfig = TrackingConfig()
    serve: ServeConfig = ServeConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Precedence: explicit arguments, then environment, then the YAML file. No .env or
        # secrets directory: configuration lives in one reviewed file plus the environment.
        yaml_source = YamlConfigSettingsSource(settings_cls, yaml_file=config_file())
        return init_settings, env_settings, yaml_source

    def path(self, relative: Path | str) -> Path:
        """Resolve a configured path against the project root."""
        relative = Path(relative)
        return relative if relative.is_absolute() else self.root / relative

    @property
    def tracking_uri(self) -> str:
        """MLFLOW_TRACKING_URI, else the configured URI, else the embedded store."""
        return (
            os.environ.get("MLFLOW_TRACKING_URI")
            or self.tracking.uri
            or f"sqlite:///{self.root / 'mlruns' / 'mlflow.db'}"
        )

    @property
    def serve_model_uri(self) -> str:
        """The model the service loads: a configured URI or directory, else the champion."""
        uri = self.serve.model_uri
        if not uri:
            return f"models:/{self.tracking.registered_model}@{self.tracking.champion_alias}"
        if ":" in uri and not Path(uri).is_absolute():
            return uri  # models:/…, runs:/…, s3://… and the like
        return str(self.path(uri))


@lru_cache(maxsize=1)
def get_config() -> Config:
    """The configuration, read once per process."""
    return Config()
