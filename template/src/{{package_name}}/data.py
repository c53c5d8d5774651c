"""Sample data: write it, load it, validate it against the schema, split it.

`python -m <package>.data` writes the sample raw CSV and validates it;
`python -m <package>.data --check FILE.csv` only validates. A file that breaks the
schema gets a report naming each bad row and column, and exit code 1.
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
MIN_CM, MAX_CM = 0.0, 30.0  # generous bounds for a flower part; the service checks the same

_MEASUREMENT = pa.Column(float, pa.Check.in_range(MIN_CM, MAX_CM), nullable=False, coerce=True)
SCHEMA = pa.DataFrameSchema(
    {
        **{name: _MEASUREMENT for name in FEATURES},
        TARGET: pa.Column(int, pa.Check.isin(list(range(len(CLASSES)))), coerce=True),
    },
    strict=True,
    ordered=False,
)
FEATURE_SCHEMA = SCHEMA.remove_columns([TARGET])
_SHOWN = 20  # problems listed in a report; the count covers all of them


class DataError(ValueError):
    """A data file that cannot be used; the message says why."""


class DataValidationError(DataError):
    """The data breaks the schema; `problems` holds one line per failing row and column."""

    def __init__(self, problems: list[str], *, source: Path | None = None) -> None:
        self.problems = problems
        more = f"\n  ... and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        listed = "\n".join(f"  {line}" for line in problems[:_SHOWN])
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{len(problems)} schema violation(s):\n{listed}{more}")


def _describe(cases: pd.DataFrame, *, from_csv: bool) -> list[str]:
    """The failure cases of pandera as sentences, without the echoes of a failed type coercion."""
    coerce = cases["check"].str.startswith("coerce_dtype")
    uncoercible = set(cases.loc[coerce, "column"])
    problems = []
    for case in cases.itertuples(index=False):
        if case.check == "column_in_dataframe":
            problems.append(f"column {case.failure_case!r} is missing")
        elif case.check == "column_in_schema":
            problems.append(f"column {case.failure_case!r} is not in the schema")
        elif case.column in uncoercible and not case.check.startswith("coerce_dtype"):
            continue  # later checks of a column that is not numeric repeat the same cells
        elif case.index is None or pd.isna(case.index):
            problems.append(f"column {case.column}: fails {case.check} ({case.failure_case})")
        else:
            where = f"row {case.index}" + (f" (line {int(case.index) + 2})" if from_csv else "")
            if case.check == "not_nullable":
                what = "is missing"
            elif case.check.startswith("coerce_dtype"):
                what = f"is not a valid {SCHEMA.columns[case.column].dtype}"
            else:
                what = f"fails {case.check}"
            problems.append(f"{where}: {case.column} = {case.failure_case!r} {what}")
    return problems


def validate(
    frame: pd.DataFrame, *, with_target: bool = True, source: Path | None = None
) -> pd.DataFrame:
    """Return the frame with schema types, or raise DataValidationError naming every failure.

    With `source` (the CSV file the frame was read from) the report also gives file lines.
    """
    schema = SCHEMA if with_target else FEATURE_SCHEMA
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        problems = _describe(errors.failure_cases, from_csv=source is not None)
        raise DataValidationError(problems, source=source) from None


def load(path: Path, *, with_target: bool = True) -> pd.DataFrame:
    """Read a CSV file and validate it against the schema."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `make data` first")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataError(f"{path} is not a readable CSV file: {error}") from None
    if not with_target:
        frame = frame.drop(columns=[TARGET], errors="ignore")  # labels may come along; not needed
    return validate(frame, with_target=with_target, source=path)


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


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, recorded with each training run."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split(frame: pd.DataFrame, *, test_size: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deterministic stratified train/test split: the same frame and seed give the same rows."""
    train, test = train_test_split(
        frame, test_size=test_size, random_state=seed, stratify=frame[TARGET]
    )
    return train, test


def to_arrays(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """A float feature matrix in FEATURES order and the integer labels."""
    return frame[list(FEATURES)].to_numpy(dtype=float), frame[TARGET].to_numpy(dtype=int)


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="Write the sample data and validate it.")
    parser.add_argument("--check", type=Path, metavar="CSV", help="only validate this file")
    args = parser.parse_args(argv)
    config = config or get_config()
    path = args.check or write_sample(config.path(config.paths.raw_data))
    try:
        frame = load(path)
    except (DataError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{path}: {len(frame)} rows valid against the schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
