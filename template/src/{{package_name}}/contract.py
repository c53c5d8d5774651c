"""The data contract: the columns the model takes, their kinds and ranges, and the task.

This version describes the bundled sample from `data.py`; it is what the service is
built from (request models, Open Inference Protocol tensors, task-aware outputs).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandera.pandas as pa

from .data import CLASSES, FEATURES, MAX_CM, MIN_CM, SCHEMA, TARGET


@dataclass(frozen=True)
class Feature:
    """One input column of the model."""

    name: str
    kind: Literal["numeric", "categorical"]
    nullable: bool
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contract:
    """What the data looks like and what the model predicts from it."""

    schema: pa.DataFrameSchema
    task: Literal["classification", "regression"]
    target: str
    features: tuple[Feature, ...]
    ids: tuple[str, ...]
    classes: tuple[str | int, ...]
    fingerprint: str


def load_contract(path: Path | None = None) -> Contract:  # pylint: disable=unused-argument
    """The contract of the bundled sample."""
    features = tuple(Feature(name, "numeric", False, MIN_CM, MAX_CM) for name in FEATURES)
    classes = tuple(range(len(CLASSES)))
    canonical = json.dumps([[f.name, f.kind, f.minimum, f.maximum] for f in features])
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()
    return Contract(SCHEMA, "classification", TARGET, features, (), classes, fingerprint)
