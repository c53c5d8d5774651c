"""The data contract: the one place the project names its columns (configs/schema.yaml).

The file is pandera's own YAML form of a `DataFrameSchema`, inferred from a data file
by `pandera.infer_schema` and then adjusted: each column's `metadata.role` says whether
it is a feature, the target, an id or ignored, and the schema's `metadata.task` says
classification or regression. Everything else (validation, the feature pipeline, the
service, the drift monitor, the cards, the tests) reads it through `load_contract`.

Columns keep their names exactly as in the file ("mean radius", `class`, "naïve
score"); only an empty or duplicated name is refused. A CSV's separator and encoding
are recorded in `metadata.csv` (tables.py finds them).

`python -m <package>.data.contract --data PATH --target COLUMN [--task TASK] [--sep S]
[--encoding E]` (or `make contract DATA=... TARGET=...`) infers the contract of a CSV or
Parquet file and writes it; bad input gets one `error:` and one `hint:` line and exit
code 2.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
import yaml
from pandera.io import pandas_io

from ..config import Config
from . import tables

Task = Literal["classification", "regression"]
Kind = Literal["numeric", "categorical", "datetime"]
ROLES = ("feature", "target", "id", "ignored")
MAX_CLASSES = 20  # an integer target with more distinct values than this is a regression
_MAX_CATEGORIES = 50  # a text column with more distinct values (and mostly unique) is ignored
_ID_NAMES = ("id", "uuid", "key", "index")


class ContractError(ValueError):
    """Data a contract cannot be inferred from; `hint` says what to do instead."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Feature:  # pylint: disable=too-many-instance-attributes  # a record of the contract's fields
    """One input column of the model."""

    name: str
    kind: Kind
    nullable: bool
    minimum: float | None = None  # numeric only
    maximum: float | None = None
    categories: tuple[str, ...] = ()  # categorical only: seen in the data inferred from
    boolean: bool = False  # numeric 0/1 from a true/false column: requests may send booleans
    ordered: bool = False  # categorical whose categories are in order (low to high): ordinal


@dataclass(frozen=True)
class Contract:
    """The columns of the data, their roles, and the task the model learns."""

    schema: pa.DataFrameSchema  # every column, target included: what raw data validates against
    task: Task
    target: str
    features: tuple[Feature, ...]
    ids: tuple[str, ...]
    classes: tuple[str | int, ...]  # classification: the labels in predict_proba order
    fingerprint: str  # the same features, kinds, target, task and classes give the same value

    @property
    def read_options(self) -> dict[str, str]:
        """The separator, encoding and file name of the CSV the contract was inferred from."""
        return {str(k): str(v) for k, v in ((self.schema.metadata or {}).get("csv") or {}).items()}

    def read_options_for(self, path: Path) -> dict[str, str]:
        """The recorded CSV options when `path` is the file they were found in, else none."""
        options = self.read_options
        if options.get("file") != path.name:
            return {}  # another file (a split, a new batch): tables.py sniffs its own
        return {key: options[key] for key in ("sep", "encoding") if key in options}

    @property
    def target_nonnegative(self) -> bool:
        """Whether the regression target was never negative in the data inferred from."""
        column = self.schema.columns[self.target]
        return bool((column.metadata or {}).get("nonnegative", False))

    @property
    def feature_names(self) -> list[str]:
        """The feature columns, in file order."""
        return [feature.name for feature in self.features]

    def feature_schema(self, *, known_categories: bool = True) -> pa.DataFrameSchema:
        """The schema of the feature columns alone (new batches, requests).

        Without `known_categories`, a category never seen in training passes: the
        encoder ignores it and the drift monitor reports it.
        """
        schema = self.schema.select_columns(self.feature_names)
        if known_categories:
            return schema
        changes: dict[str, dict[str, Any]] = {
            f.name: {"checks": []} for f in self.features if f.kind == "categorical"
        }
        return schema.update_columns(changes) if changes else schema


def _role_of(column: pa.Column) -> str:
    return str((column.metadata or {}).get("role", "feature"))


def _range(column: pa.Column) -> tuple[float | None, float | None]:
    low = high = None
    for check in column.checks:
        stats = check.statistics or {}
        if "min_value" in stats:
            low = float(stats["min_value"])
        if "max_value" in stats:
            high = float(stats["max_value"])
    return low, high


def _categories(column: pa.Column) -> tuple[str, ...]:
    for check in column.checks:
        if "allowed_values" in (check.statistics or {}):
            return tuple(str(value) for value in check.statistics["allowed_values"])
    return ()


def _fingerprint(task: str, target: str, features: tuple[Feature, ...], classes: tuple) -> str:
    canonical = {
        "task": task,
        "target": target,
        "features": [[f.name, f.kind] for f in features],
        "classes": [str(label) for label in classes],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def from_schema(schema: pa.DataFrameSchema) -> Contract:
    """The contract a schema with roles and a task describes."""
    meta = schema.metadata or {}
    targets = [name for name, column in schema.columns.items() if _role_of(column) == "target"]
    if len(targets) != 1:
        raise ContractError(
            f"the contract has {len(targets)} target columns, expected one",
            "regenerate it: make contract DATA=<file> TARGET=<column>",
        )
    features = []
    for name, column in schema.columns.items():
        if _role_of(column) != "feature":
            continue
        numeric = pd.api.types.is_numeric_dtype(column.dtype.type)
        dated = pd.api.types.is_datetime64_any_dtype(column.dtype.type)
        low, high = _range(column) if numeric else (None, None)
        features.append(
            Feature(
                name=str(name),
                kind="datetime" if dated else "numeric" if numeric else "categorical",
                nullable=bool(column.nullable),
                minimum=low,
                maximum=high,
                categories=() if numeric else _categories(column),
                boolean=bool((column.metadata or {}).get("boolean", False)),
                ordered=not numeric and bool((column.metadata or {}).get("ordered", False)),
            )
        )
    task: Task = "regression" if meta.get("task") == "regression" else "classification"
    classes = tuple(meta.get("classes") or ()) if task == "classification" else ()
    ids = tuple(str(n) for n, c in schema.columns.items() if _role_of(c) == "id")
    return Contract(
        schema=schema,
        task=task,
        target=targets[0],
        features=tuple(features),
        ids=ids,
        classes=classes,
        fingerprint=_fingerprint(task, targets[0], tuple(features), classes),
    )


def load_contract(path: Path | None = None) -> Contract:
    """Read the contract file (default: `paths.contract` of the configuration)."""
    if path is None:
        from ..config import get_config  # pylint: disable=import-outside-toplevel

        config = get_config()
        path = config.path(config.paths.contract)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: run `make contract DATA=<file> TARGET=<column>`"
        )
    text = path.read_text(encoding="utf-8")
    schema = pandas_io.from_yaml(text)
    # pandera's YAML reader keeps the schema's metadata but not each column's: restore roles.
    serialized = yaml.safe_load(text)
    changes = {
        name: {"metadata": dict(column.get("metadata") or {})}
        for name, column in serialized["columns"].items()
    }
    return from_schema(schema.update_columns(changes))


def to_yaml(contract: Contract) -> str:
    """The contract as YAML: pandera's serialization plus each column's role."""
    serialized = yaml.safe_load(pandas_io.to_yaml(contract.schema))
    for name, column in contract.schema.columns.items():
        serialized["columns"][name]["metadata"] = {"role": _role_of(column)} | {
            key: value for key, value in (column.metadata or {}).items() if key != "role"
        }
    serialized["metadata"] = dict(contract.schema.metadata or {})
    header = (
        "# The data contract: every column, its type, role and allowed values. Written by\n"
        "# `make contract DATA=<file> TARGET=<column>`; edit roles, ranges or categories here.\n"
    )
    return header + yaml.safe_dump(serialized, sort_keys=False, allow_unicode=True)


def write_contract(contract: Contract, path: Path) -> None:
    """Write the contract to `path` in one step: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    ) as handle:
        handle.write(to_yaml(contract))
    os.replace(handle.name, path)


def read_table(
    path: Path, options: dict[str, str] | None = None, *, nrows: int | None = None
) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame, or ContractError saying why not (tables.py)."""
    try:
        return tables.read_table(path, options, nrows=nrows)
    except tables.TableError as error:
        raise ContractError(str(error), error.hint) from None


def _is_id(name: str, series: pd.Series, distinct: int) -> bool:
    lowered = name.lower()
    named = lowered in _ID_NAMES or lowered.endswith(("_id", "_uuid"))
    countable = pd.api.types.is_integer_dtype(series) or not pd.api.types.is_numeric_dtype(series)
    unique = distinct == len(series)  # every row has a value, and no value twice
    return bool((named and unique) or (countable and unique and len(series) >= 20))


def is_dated(series: pd.Series) -> bool:
    """Dates or datetimes: a datetime column, or text whose values all read as ISO 8601."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    sample = series.dropna().head(500).astype(str)
    if sample.empty or not sample.str.match(r"^\d{4}-\d{2}-\d{2}").all():
        return False  # ISO 8601 only: 03/04/2024 is a day or a month first, unknowable here
    parsed = pd.to_datetime(sample, format="ISO8601", errors="coerce")
    return bool(parsed.notna().all())


# One return per rule, in the order they apply.
def _role(  # noqa: PLR0911  # pylint: disable=too-many-return-statements
    name: str, series: pd.Series, target: str
) -> str:
    if name == target:
        return "target"
    # One count of distinct values per column: on a million rows, each pass is what costs.
    values = series.dropna()
    if pd.api.types.is_float_dtype(series) and name.lower() not in _ID_NAMES:
        # Real numbers are never an id: only a constant (or empty) one is left out.
        return "feature" if len(values) and values.min() < values.max() else "ignored"
    distinct = int(values.nunique())
    if distinct <= 1:
        return "ignored"  # empty or constant: nothing to learn from
    if is_dated(series):
        return "feature"  # learnt from its calendar parts (features.py), never an id
    if _is_id(name, series, distinct):
        return "id"
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return "feature"
    if distinct > _MAX_CATEGORIES and distinct > len(values) / 2:
        return "ignored"  # free text or a key: too many values to one-hot
    return "feature"


def infer_task(labels: pd.Series) -> Task:
    """Classification for text, booleans and integers with few values; regression otherwise."""
    values = labels.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    integral = bool((values == values.round()).all())
    return "classification" if integral and values.nunique() <= MAX_CLASSES else "regression"


# What pandas makes of an empty header cell ("Unnamed: 3") and of a repeated name ("a.1").
_UNNAMED = re.compile(r"^Unnamed: \d+$")


def check_header(names: list[str], *, mangled: bool = False) -> None:
    """Refuse a header with an empty or duplicated column name; any other name is fine."""
    empty, duplicated = tables.header_problems(names)
    if mangled:
        empty += [str(n) for n in names if _UNNAMED.match(str(n))]
    if empty:
        raise ContractError(
            f"the header has {len(empty)} column(s) without a name: "
            + tables.listed(empty, quote=False),
            "give every column a name in the file's first line (or drop the unnamed ones, "
            "e.g. a saved index: to_csv(index=False))",
        )
    if duplicated:
        raise ContractError(
            f"column name(s) {tables.listed(duplicated)} appear more than once",
            "give each column its own name in the file's first line",
        )


def _check_input(frame: pd.DataFrame, target: str) -> None:
    check_header([str(n) for n in frame.columns], mangled=True)
    if len(frame) == 0:
        raise ContractError("the data has a header but no rows", "give a file with data rows")
    if target not in frame.columns:
        raise ContractError(
            f"no column {target!r} in the data",
            f"the columns are: {', '.join(map(str, frame.columns))}",
        )


# One return per kind of column.
def _column(  # noqa: PLR0911  # pylint: disable=too-many-return-statements
    series: pd.Series, role: str, task: Task
) -> dict[str, Any]:
    """How one inferred column changes: types, generous bounds, categories, role."""
    values = series.dropna()
    change: dict[str, Any] = {"metadata": {"role": role}, "checks": []}
    if role == "feature":
        # The pipeline imputes every feature, so a gap never stops a prediction: features
        # are nullable whether or not this file had one. Set `nullable: false` in the
        # contract to require a value.
        change["nullable"] = True
    if role == "target" and task == "classification":
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        labels = sorted(values.astype("int64" if numeric else str).unique().tolist())
        return {**change, "dtype": "Int64" if numeric else str, "checks": [pa.Check.isin(labels)]}
    if role in ("id", "ignored"):
        return {**change, "dtype": None, "nullable": True, "required": role == "id"}
    if role == "feature" and is_dated(values):
        return {**change, "dtype": "datetime64[ns]"}
    if pd.api.types.is_bool_dtype(values) and role == "feature":
        # Learnt as 0/1; the request model also takes true/false (JSON or text) for it.
        change["metadata"]["boolean"] = True
        return {**change, "dtype": float, "checks": [pa.Check.in_range(0.0, 1.0)]}
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        if role == "target":
            # A target never negative here (a price, a count): negative predictions are warned of.
            change["metadata"]["nonnegative"] = bool(values.min() >= 0)
            return {**change, "dtype": float}
        low, high = float(values.min()), float(values.max())
        # Generous bounds: a value one observed span beyond the data is still plausible;
        # a column without negatives keeps a floor of 0.
        span = max(high - low, abs(high), 1.0)
        floor = 0.0 if low >= 0 else low - span
        return {**change, "dtype": float, "checks": [pa.Check.in_range(floor, high + span)]}
    if isinstance(series.dtype, pd.CategoricalDtype) and series.dtype.ordered:
        # A pandas ordered categorical (or Parquet written from one): keep its order.
        change["metadata"]["ordered"] = True
        ordered = [str(category) for category in series.dtype.categories]
        return {**change, "dtype": str, "checks": [pa.Check.isin(ordered)]}
    categories = sorted(values.astype(str).unique().tolist())
    return {**change, "dtype": str, "checks": [pa.Check.isin(categories)]}


def infer_contract(
    frame: pd.DataFrame,
    *,
    target: str,
    task: str | None = None,
    csv: dict[str, str] | None = None,
) -> Contract:
    """Infer the contract of a data set with pandera, then give every column its role.

    `csv` (file name, separator, encoding) is recorded for reading that file again.
    """
    _check_input(frame, target)
    if task not in (None, "classification", "regression"):
        raise ContractError(f"unknown task {task!r}", "use classification or regression")
    chosen: Task = infer_task(frame[target]) if task is None else task  # type: ignore[assignment]
    labels = frame[target].dropna()
    if labels.nunique() < 2:
        raise ContractError(
            f"the target {target!r} has {labels.nunique()} distinct value(s)",
            "a model needs at least two classes (or values) to learn: choose another target",
        )
    if chosen == "regression" and not pd.api.types.is_numeric_dtype(labels):
        raise ContractError(
            f"the target {target!r} is not numeric, so it cannot be a regression target",
            "use --task classification",
        )
    roles = {str(name): _role(str(name), frame[name], target) for name in frame.columns}
    if "feature" not in roles.values():
        raise ContractError(
            "no usable feature: every other column is an id, constant or free text",
            "add at least one numeric or categorical column besides the target",
        )
    # pandera infers types and nullability; the roles, bounds and categories are ours.
    inferred = pa.infer_schema(frame)
    assert isinstance(inferred, pa.DataFrameSchema)  # a DataFrame gives a DataFrameSchema
    changes = {name: _column(frame[name], role, chosen) for name, role in roles.items()}
    classes: list[Any] = []
    if chosen == "classification":
        classes = list(changes[target]["checks"][0].statistics["allowed_values"])
    schema = pa.DataFrameSchema(
        inferred.update_columns(changes).columns,
        strict=True,
        coerce=True,
        metadata={"task": chosen, "classes": classes, **({"csv": csv} if csv else {})},
    )
    return from_schema(schema)


def example_frame(contract: Contract, rows: int = 240, seed: int = 0) -> pd.DataFrame:
    """Rows that satisfy the contract, with a target the features predict well (for tests).

    Each row gets a signal in [0, 1] (its class, or a random level for regression);
    numeric features sit at that level within their allowed range, categorical ones take
    the category the signal picks, and a regression target is the signal scaled.
    """
    rng = np.random.default_rng(seed)
    if contract.task == "classification":
        label_index = np.arange(rows) % len(contract.classes)
        signal = label_index / max(len(contract.classes) - 1, 1)
    else:
        signal = rng.uniform(0.0, 1.0, rows)
    columns: dict[str, Any] = {}
    for feature in contract.features:
        if feature.kind == "numeric":
            low = 0.0 if feature.minimum is None else feature.minimum
            high = low + 10.0 if feature.maximum is None else feature.maximum
            level = low + (high - low) * (0.3 + 0.4 * signal)
            noise = rng.normal(0.0, (high - low) * 0.005, rows)
            columns[feature.name] = np.clip(level + noise, low, high)
        elif feature.kind == "datetime":
            days = np.rint(signal * 365 + rng.integers(0, 3, rows)).astype(int)
            columns[feature.name] = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
        else:
            categories = feature.categories or ("a", "b")
            picks = np.rint(signal * (len(categories) - 1)).astype(int)
            columns[feature.name] = [categories[i] for i in picks]
    for name in contract.ids:
        columns[name] = np.arange(rows)
    for name, column in contract.schema.columns.items():
        if _role_of(column) == "ignored":
            columns[str(name)] = [f"text {i}" for i in range(rows)]  # as free text in a file
    if contract.task == "classification":
        columns[contract.target] = [contract.classes[i] for i in label_index]
    else:
        columns[contract.target] = 100.0 * signal + rng.normal(0.0, 1.0, rows)
    order = [name for name in contract.schema.columns if name in columns]
    return pd.DataFrame(columns)[order]


def example_row(contract: Contract) -> dict[str, Any]:
    """A row the contract accepts: mid-range numbers, a known category (for docs and checks)."""
    return {feature.name: _example(feature) for feature in contract.features}


def _example(feature: Feature) -> Any:
    if feature.kind == "datetime":
        return "2024-01-01"
    if feature.kind == "categorical":
        return feature.categories[0] if feature.categories else None
    low, high = feature.minimum, feature.maximum
    if low is not None and high is not None:
        return (low + high) / 2
    return low if low is not None else high if high is not None else 0.0


def _read_for_inference(path: Path, given: dict[str, str | None]):
    """The file's rows and, for a CSV, the options it was read with (header checked first)."""
    options = tables.normalise({k: v for k, v in given.items() if v})
    csv: dict[str, str] | None = None
    if path.is_file() and path.suffix.lower() == ".csv":
        try:
            csv = {"file": path.name, **tables.csv_options(path, options)}
            check_header(tables.csv_header(path, csv))
        except tables.TableError as error:
            raise ContractError(str(error), error.hint) from None
        except (UnicodeDecodeError, OSError) as error:
            raise ContractError(f"{path} cannot be read: {error}", "check the file") from None
        options = {"sep": csv["sep"], "encoding": csv["encoding"]}
    return read_table(path, options), csv


def read_contract(config: Config) -> Contract:
    """The project's data contract; a damaged schema file is a ContractError, not a traceback."""
    path = config.path(config.paths.contract)
    try:
        return load_contract(path)
    except (ContractError, FileNotFoundError):
        raise
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ContractError(
            f"{path} is not a valid data contract ({type(error).__name__}: {detail})",
            "restore it from git, or regenerate it: make contract DATA=<file> TARGET=<column>",
        ) from None


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (see jobs.py)."""
    # jobs.py reads contracts with this module: imported here, when this one is complete.
    from .. import jobs  # pylint: disable=import-outside-toplevel

    parser = jobs.parser("Infer the data contract of a data file.", "data.contract")
    parser.add_argument("--data", type=Path, required=True, help="CSV or Parquet file")
    parser.add_argument("--target", required=True, help="the column the model predicts")
    parser.add_argument("--task", choices=["classification", "regression"], default=None)
    parser.add_argument("--sep", default=None, help="CSV separator (default: sniffed)")
    parser.add_argument("--encoding", default=None, help="CSV encoding (default: sniffed)")
    parser.add_argument("--output", type=Path, default=None, help="default: paths.contract")
    args = parser.parse_args(argv)
    return jobs.run(lambda: _main(args))


def _main(args: Any) -> int:
    frame, csv = _read_for_inference(args.data, {"sep": args.sep, "encoding": args.encoding})
    contract = infer_contract(frame, target=args.target, task=args.task, csv=csv)
    if args.output is None:
        from ..config import get_config  # pylint: disable=import-outside-toplevel

        config = get_config()
        args.output = config.path(config.paths.contract)
    write_contract(contract, args.output)
    kinds = [f.kind for f in contract.features]
    dates = f", {kinds.count('datetime')} date" if "datetime" in kinds else ""
    print(
        f"wrote {args.output}: {contract.task} of {contract.target!r} from "
        f"{kinds.count('numeric')} numeric, {kinds.count('categorical')} categorical{dates} "
        f"feature(s)" + (f", ids {', '.join(contract.ids)}" if contract.ids else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
