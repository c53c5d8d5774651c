"""Sample data: write it, load it, validate it against the schema, split it.

`python -m <package>.data` writes the sample raw CSV and validates it; a file that
breaks the schema gets a report naming rows and columns and exit code 1.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

from .config import Config, get_config

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
TARGET = "target"
CLASSES = ("setosa", "versicolor", "virginica")

_MEASUREMENT = pa.Column(float, pa.Check.in_range(0.0, 30.0), nullable=False, coerce=True)
SCHEMA = pa.DataFrameSchema(
    {
        **{name: _MEASUREMENT for name in FEATURES},
        TARGET: pa.Column(int, pa.Check.isin([0, 1, 2]), coerce=True),
    },
    strict=True,
    ordered=False,
)
FEATURE_SCHEMA = SCHEMA.remove_columns([TARGET])


class DataValidationError(ValueError):
    """The data breaks the schema; `report` names the failing rows and columns."""

    def __init__(self, report: pd.DataFrame) -> None:
        self.report = report
        lines = [
            f"row {row['index']}: column {row['column']}: {row['check']}"
            f" (value {row['failure_case']!r})"
            for _, row in report.head(20).iterrows()
        ]
        more = f"\n... and {len(report) - 20} more" if len(report) > 20 else ""
        super().__init__(f"{len(report)} schema violation(s):\n" + "\n".join(lines) + more)


def sample_frame() -> pd.DataFrame:
    """The iris measurements bundled with scikit-learn, with identifier column names."""
    bunch = load_iris()
    frame = pd.DataFrame(bunch.data, columns=list(FEATURES))
    frame[TARGET] = bunch.target.astype(int)
    return frame


def write_sample(path: Path) -> Path:
    """Write the sample data as CSV to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sample_frame().to_csv(path, index=False)
    return path


def validate(frame: pd.DataFrame, *, with_target: bool = True) -> pd.DataFrame:
    """Return the frame with schema types, or raise DataValidationError naming every failure."""
    schema = SCHEMA if with_target else FEATURE_SCHEMA
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases.rename(columns={"index": "index"})
        cases["index"] = cases["index"].astype("object").fillna("-")
        cases["column"] = cases["column"].astype("object").fillna(cases["schema_context"])
        raise DataValidationError(cases) from None


def load(path: Path, *, with_target: bool = True) -> pd.DataFrame:
    """Read a CSV and validate it against the schema."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `make data` first")
    frame = pd.read_csv(path)
    if not with_target:
        frame = frame.drop(columns=[TARGET], errors="ignore")  # labels may come along; not needed
    return validate(frame, with_target=with_target)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, recorded with each training run."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split(
    frame: pd.DataFrame, *, test_size: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Deterministic stratified split into float feature matrices (FEATURES order) and labels."""
    X = frame[list(FEATURES)].to_numpy(dtype=float)
    y = frame[TARGET].to_numpy(dtype=int)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    return X_train, X_test, y_train, y_test


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="Write the sample data and validate it.")
    parser.add_argument("--check", type=Path, help="only validate this CSV file")
    args = parser.parse_args(argv)
    config = config or get_config()
    path = args.check or write_sample(config.path(config.data.raw_path))
    try:
        frame = load(path)
    except (DataValidationError, FileNotFoundError) as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 1
    print(f"{path}: {len(frame)} rows valid against the schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
