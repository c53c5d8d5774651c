"""The rows the monitor checks: batch files, the service's prediction log, the reference.

Values are judged, never refused: a file only has to be readable, hold rows and every
feature column of the contract. Anything that cannot be checked is CannotCheckError (exit 2).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from pyarrow import json as pa_json

from ..config import Config
from ..data.contract import Contract, ContractError, read_table
from ..data.tables import listed
from ..jobs import JobError

LOG_PATTERN = "predictions-*.jsonl"  # the files the service's prediction_log.py writes


class CannotCheckError(JobError):
    """Nothing to check (exit 2): the message and a hint on what to do."""


def _features(frame: pd.DataFrame, contract: Contract, source: str) -> pd.DataFrame:
    if missing := [name for name in contract.feature_names if name not in frame.columns]:
        raise CannotCheckError(
            f"{source} has no column {listed(missing)}",
            "give rows with every feature column of configs/schema.yaml",
        )
    if frame.empty:
        raise CannotCheckError(f"{source} has no rows", "give a file with a header and rows")
    return frame


def read_rows(path: Path, contract: Contract) -> pd.DataFrame:
    """A batch file's rows (the feature columns must be there; values are judged, not refused)."""
    try:
        frame = read_table(path)
    except ContractError as error:
        raise CannotCheckError(str(error), error.hint) from None
    return _features(frame, contract, str(path))


def _log_schema(contract: Contract) -> pa.Schema:
    """The types of the fields the monitor needs; the others are inferred."""
    features = [
        pa.field(f.name, pa.float64() if f.kind == "numeric" else pa.string())
        for f in contract.features
    ]
    return pa.schema(
        [
            ("request_id", pa.string()),
            ("model_version", pa.string()),
            ("features", pa.struct(features)),
        ]
    )


def _read_log_file(path: Path, contract: Contract) -> pd.DataFrame:
    """One log file as rows, features as columns: pyarrow's reader, else line by line."""
    options = pa_json.ParseOptions(
        explicit_schema=_log_schema(contract), unexpected_field_behavior="infer"
    )
    try:
        frame = pa_json.read_json(path, parse_options=options).flatten().to_pandas()
        return frame.rename(columns=lambda name: name.removeprefix("features."))
    except (pa.ArrowInvalid, OSError):
        pass  # a line torn by a crash or a full disk, or values of another type: go slowly
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # only the torn line is lost
    features = pd.DataFrame.from_records([r.pop("features", {}) for r in records])
    return pd.concat([pd.DataFrame.from_records(records), features], axis=1)


def read_prediction_log(directory: Path, window: int, contract: Contract) -> pd.DataFrame:
    """The latest `window` records of the prediction log, features flattened into columns."""
    files = sorted(directory.glob(LOG_PATTERN)) if directory.is_dir() else []
    parts: list[pd.DataFrame] = []
    rows = 0
    for path in reversed(files):  # newest first: read only as far back as the window needs
        part = _read_log_file(path, contract)
        parts.insert(0, part)
        rows += len(part)
        if rows >= window:
            break
    if not rows:
        serves = importlib.util.find_spec(f"{__package__}.serve") is not None
        raise CannotCheckError(
            f"no prediction log at {directory}",
            (
                "serve the model and send requests first, or check a batch: --current FILE"
                if serves
                else "this project scores batches (no service, no log): give --current FILE"
            ),
        )
    frame = pd.concat(parts, ignore_index=True).tail(window).reset_index(drop=True)
    for name in contract.feature_names:  # a column excluded from the log (PII) stays empty
        if name not in frame.columns:
            frame[name] = None
    return _features(frame, contract, f"the prediction log {directory}")


def reference_rows(config: Config, contract: Contract) -> pd.DataFrame:
    """The champion's training rows (the last run's train split), or `monitor.reference`."""
    path = config.path(config.monitor.reference or config.paths.processed_dir / "train.csv")
    if not path.is_file():
        raise CannotCheckError(
            f"no reference rows at {path}", "run `make train` first (it writes them)"
        )
    return read_rows(path, contract)
