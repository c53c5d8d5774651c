"""Evaluate the served model on rows it never trained on.

`python -m <package>.train.evaluate` (or `make evaluate`) loads the model the service would
load (the registry's champion, or `serve.model_uri`), and scores it on the rows of the
configured data that its own training run held out: the split is a pure function of
each row's key and the run's `split.test_size` (see data.split), so those rows are
re-derived from the data, not read from whatever the last run wrote. It writes
reports/evaluation.json. Exit codes as in jobs.py (2: no model or no data yet).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from .. import jobs
from ..config import Config, get_config
from ..data.contract import Contract, read_contract
from ..data.load import (
    features_and_target,
    file_sha256,
    held_out_fraction,
    labelled,
    load,
    split_key,
)
from .fit import evaluate as held_out_metrics


def _champion_test_size(config: Config) -> tuple[float, str]:
    """The champion's recorded split.test_size, and where that number came from."""
    from .tracking import Tracker  # pylint: disable=import-outside-toplevel

    champion = Tracker(config).champion()
    if champion is not None and "test_size" in champion.params:
        return float(champion.params["test_size"]), f"the champion's run {champion.run_id}"
    return config.split.test_size, "split.test_size in configs/config.yaml"


def held_out_rows(config: Config, contract: Contract, frame: pd.DataFrame) -> pd.DataFrame:
    """The labelled rows of `frame` that the champion's training run held out."""
    rows, _ = labelled(frame, contract)
    test_size, _ = _champion_test_size(config)
    return rows[held_out_fraction(rows, contract) < test_size]


def _check_model_directory(config: Config) -> None:
    """A configured local model folder must exist (the model stores word this less clearly)."""
    uri = config.serve_model_uri
    if config.serve.model_uri and Path(uri).is_absolute() and not Path(uri).exists():
        raise FileNotFoundError(f"no model at {uri} (serve.model_uri): run `make train` first")


def evaluate(config: Config) -> dict[str, Any]:
    """Score the served model on its held-out rows; returns the report's content."""
    contract = read_contract(config)
    raw_path = config.path(config.paths.raw_data)
    frame = load(raw_path, contract=contract)  # checked first: it needs no model store
    _check_model_directory(config)
    # MLflow is slow to import; only this step (not the data check) needs it.
    from .tracking import load_served_model  # pylint: disable=import-outside-toplevel

    model, version, run_id, uri = load_served_model(config)
    rows = held_out_rows(config, contract, frame)
    if rows.empty:
        raise jobs.JobError(
            f"no row of {raw_path} is held out from the champion's training",
            "add rows, or retrain with a larger split.test_size",
        )
    test_size, origin = _champion_test_size(config)
    X_test, y_test = features_and_target(rows, contract)
    return {
        "model": {"version": version, "run_id": run_id, "uri": uri},
        "split": {
            "source": str(config.paths.raw_data),
            "sha256": file_sha256(raw_path),
            "rows": len(y_test),
            "never_trained_on": True,
            "rule": f"sha256 of ({', '.join(split_key(contract))}) below test_size {test_size}",
            "test_size_from": origin,
        },
        # The same metric code as training, so the numbers compare with the run's.
        "task": contract.task,
        "metrics": held_out_metrics(model, X_test, y_test, contract.task),
    }


def write_report(report: dict[str, Any], config: Config) -> Path:
    """Write reports/evaluation.json; returns its path."""
    path = config.path(config.paths.reports_dir) / "evaluation.json"
    jobs.write_atomic(path, json.dumps(report, indent=2) + "\n")
    return path


def _main(config: Config | None) -> int:
    config = config or get_config()
    report = evaluate(config)
    path = write_report(report, config)
    metrics = ", ".join(f"{name}={value:.4f}" for name, value in report["metrics"].items())
    model = report["model"]
    print(
        f"model version {model['version']} on {report['split']['rows']} rows it never trained"
        f" on: {metrics}"
    )
    print(f"wrote {path}")
    return jobs.DONE


def main(config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code (see jobs.py)."""
    return jobs.run(lambda: _main(config))


if __name__ == "__main__":
    sys.exit(main())
