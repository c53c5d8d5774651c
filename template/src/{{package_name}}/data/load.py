"""The data: validate it against the contract, load it, split it.

`python -m <package>.data` (or `make data`) validates the configured raw data against
configs/schema.yaml. It never overwrites a file: it writes the bundled sample only when
the configured file is missing and the contract is the sample's.
`python -m <package>.data --check FILE` only validates FILE. Data that breaks the
contract gets a report naming each bad row and column, and exit code 1.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .. import jobs
from ..config import Config, get_config
from .contract import Contract, ContractError, load_contract, read_contract, read_table

_SHOWN = 20  # problems listed in a report; the count covers all of them


class DataError(ValueError):
    """A data file that cannot be used; the message says why."""

    hint = "check the file against configs/schema.yaml with `make data` (see the runbook)"


class MissingDataError(FileNotFoundError):
    """A data file that is not there."""

    hint = "put the file there, or point paths.raw_data in configs/config.yaml at your data"


class DataValidationError(DataError):
    """The data breaks the schema; `problems` holds one line per failing row and column."""

    def __init__(self, problems: list[str], *, source: Path | None = None) -> None:
        self.problems = problems
        more = f"\n  ... and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        listed = "\n".join(f"  {line}" for line in problems[:_SHOWN])
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{len(problems)} schema violation(s):\n{listed}{more}")


def _describe(cases: pd.DataFrame, schema: pa.DataFrameSchema, *, from_csv: bool) -> list[str]:
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
                what = f"is not a valid {schema.columns[case.column].dtype}"
            else:
                what = f"fails {case.check}"
            problems.append(f"{where}: {case.column} = {case.failure_case!r} {what}")
    return problems


def validate(
    frame: pd.DataFrame,
    *,
    with_target: bool = True,
    source: Path | None = None,
    contract: Contract | None = None,
) -> pd.DataFrame:
    """Return the frame with the contract's types, or raise DataValidationError.

    Without the target (new batches), only the feature columns are checked and a
    category never seen in training passes. With `source` (the file the frame was
    read from) the report also gives CSV lines.
    """
    contract = contract or load_contract()
    schema = contract.schema if with_target else contract.feature_schema(known_categories=False)
    try:
        if with_target:
            return schema.validate(frame, lazy=True)
        # Other columns (ids, labels) come along unchecked: a batch is scored by its features.
        checked = schema.validate(
            frame[[c for c in frame.columns if c in schema.columns]], lazy=True
        )
        return frame.assign(**{name: checked[name] for name in checked.columns})
    except SchemaErrors as errors:
        from_csv = source is not None and source.suffix.lower() == ".csv"
        problems = _describe(errors.failure_cases, schema, from_csv=from_csv)
        raise DataValidationError(problems, source=source) from None


def load(path: Path, *, with_target: bool = True, contract: Contract | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet file and validate it against the contract.

    A CSV's separator and encoding: those recorded in the contract for its own data file,
    else sniffed (tables.py).
    """
    if not path.is_file():
        raise MissingDataError(f"{path} does not exist")
    contract = contract or load_contract()
    try:
        # The file the contract was inferred from is read as recorded; any other is sniffed.
        frame = read_table(path, contract.read_options_for(path))
    except ContractError as error:
        raise DataError(f"{error} ({error.hint})") from None
    return validate(frame, with_target=with_target, source=path, contract=contract)


def labelled(frame: pd.DataFrame, contract: Contract) -> tuple[pd.DataFrame, int]:
    """The rows that have a target value, and how many had none (dropped for training)."""
    known = frame[contract.target].notna()
    return frame[known].reset_index(drop=True), int((~known).sum())


def load_raw(config: Config, contract: Contract) -> pd.DataFrame:
    """The training data (paths.raw_data), validated; a sample project writes its sample first."""
    path = config.path(config.paths.raw_data)
    if write_sample_if_missing(path, contract):
        print(f"wrote the bundled sample to {path}")
    return load(path, contract=contract)


def write_sample_if_missing(path: Path, contract: Contract) -> bool:
    """Write the bundled sample to `path` when it is missing and the contract is the sample's."""
    if path.exists():
        return False
    try:
        sample = importlib.import_module(f"{__package__}.sample")
    except ImportError:  # a project generated from its own data has no sample
        return False
    if set(sample.sample_frame().columns) != set(contract.schema.columns):
        return False
    sample.write_sample(path)
    return True


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, recorded with each training run."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split_key(contract: Contract) -> list[str]:
    """The columns that identify a row for the split: the contract's ids, else every column.

    Without an id column a row is known by its feature values and its target, so two
    identical rows always land on the same side (a duplicate never leaks into the test).
    """
    return list(contract.ids) or [*contract.feature_names, contract.target]


def _value_text(value: object) -> str:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
        return repr(float(value))
    return str(value)


def _key_text(column: pd.Series) -> pd.Series:
    """A column's values as the text its rows are hashed by; missing is the empty text.

    Numbers are written as floats, so a column re-read as int64, Int64 or float64 (as it
    becomes once appended rows have gaps) keeps every row's key.
    """
    missing = column.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        text = column.astype("float64").map(lambda number: repr(float(number)))
    else:
        # An object column holds numbers too once a gap made pandas give up the int dtype.
        text = column.astype(object).map(_value_text)
    return pd.Series(np.where(missing, "", text.to_numpy(dtype=object)), index=column.index)


def held_out_fraction(frame: pd.DataFrame, contract: Contract) -> pd.Series:
    """Each row's place in [0, 1): the first 8 bytes of SHA-256 over its key, as text.

    A pure function of the row's key: not of the seed, the row order or the other rows.
    Text (not pandas' in-memory hash) because it stays the same across pandas versions
    and dtypes that print alike.
    """
    keys: pd.Series | None = None
    for name in split_key(contract):
        text = _key_text(frame[name])
        keys = text if keys is None else keys + "\x1f" + text
    digests = (
        hashlib.sha256(key.encode("utf-8")).digest()[:8] for key in ([] if keys is None else keys)
    )
    return pd.Series(
        [int.from_bytes(d, "big") / 2**64 for d in digests], index=frame.index, dtype="float64"
    )


def split(
    frame: pd.DataFrame, contract: Contract, *, test_size: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train and held-out rows: a row is held out when its key hashes below `test_size`.

    So a new seed, a new model or appended rows never move a held-out row into
    training; the held-out share is `test_size` on average, not exactly. Raises
    DataError when a side is empty or the training rows hold a single class.
    """
    if frame.empty:
        raise DataError("the data has no rows with a target value: nothing to train on")
    held_out = held_out_fraction(frame, contract) < test_size
    train, test = frame[~held_out], frame[held_out]
    if train.empty or test.empty:
        side = "training" if train.empty else "held-out"
        raise DataError(
            f"{len(frame)} rows leave no {side} rows at split.test_size={test_size}:"
            " add rows or change split.test_size"
        )
    if contract.task == "classification" and train[contract.target].nunique() < 2:
        raise DataError(
            f"the target {contract.target!r} has a single class in the training rows"
            f" ({train[contract.target].iloc[0]!r}): a classifier needs at least two"
        )
    return train, test


def features_and_target(frame: pd.DataFrame, contract: Contract) -> tuple[pd.DataFrame, pd.Series]:
    """The feature columns (by name, in contract order) and the target."""
    target = frame[contract.target]
    if contract.task == "classification":
        # Plain labels (int64 or text), no pandas NA types: rows without a target are gone.
        numeric = pd.api.types.is_integer_dtype(target)
        target = target.astype("int64") if numeric else target.astype(object)
    return frame[contract.feature_names], target


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code (1: the data breaks the contract)."""
    parser = jobs.parser("Validate the data against the contract.", "data")
    parser.add_argument("--check", type=Path, metavar="FILE", help="only validate this file")
    args = parser.parse_args(argv)
    return jobs.run(lambda: _main(args.check, config or get_config()))


def _main(check: Path | None, config: Config) -> int:
    contract = read_contract(config)
    path = check or config.path(config.paths.raw_data)
    if not check and write_sample_if_missing(path, contract):
        print(f"wrote the bundled sample to {path}")
    try:
        frame = load(path, contract=contract)
    except DataError as error:
        # The job's own "no": the report names each bad row and column.
        print(f"error: {error}", file=sys.stderr)
        return 1
    _, unlabelled = labelled(frame, contract)
    note = f" ({unlabelled} without a {contract.target} value: left out of training)"
    print(f"{path}: {len(frame)} rows valid against the contract" + (note if unlabelled else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
