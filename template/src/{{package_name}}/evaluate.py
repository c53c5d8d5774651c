"""Evaluate the served model on the held-out split that training wrote.

`python -m <package>.evaluate` (or `make evaluate`) loads the model the service would
load (the registry's champion, or `serve.model_uri`), scores it on the test rows of
the last training run and writes reports/evaluation.json. Exit code 0 when the report
was written, 2 when there is no model or no split yet (one line says what to run).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .config import Config, get_config
from .contract import ContractError, load_contract
from .data import DataError, features_and_target, file_sha256, load
from .train import evaluate as held_out_metrics


def held_out_split(config: Config) -> Path:
    """The held-out rows training kept, or FileNotFoundError saying how to get them."""
    path = config.path(config.paths.processed_dir) / "test.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no held-out split at {path}: run `make train` first")
    return path


def _check_model_directory(config: Config) -> None:
    """A configured local model folder must exist (the model stores word this less clearly)."""
    uri = config.serve_model_uri
    if config.serve.model_uri and Path(uri).is_absolute() and not Path(uri).exists():
        raise FileNotFoundError(f"no model at {uri} (serve.model_uri): run `make train` first")


def evaluate(config: Config) -> dict[str, Any]:
    """Score the served model on the held-out split; returns the report's content."""
    split_path = held_out_split(config)  # checked first: it needs no model store
    _check_model_directory(config)
    # MLflow is slow to import; only this step (not the split check) needs it.
    from .tracking import load_served_model  # pylint: disable=import-outside-toplevel

    model, version, run_id, uri = load_served_model(config)
    contract = load_contract(config.path(config.paths.contract))
    X_test, y_test = features_and_target(load(split_path, contract=contract), contract)
    return {
        "model": {"version": version, "run_id": run_id, "uri": uri},
        "split": {
            "path": str(config.paths.processed_dir / "test.csv"),
            "rows": len(y_test),
            "sha256": file_sha256(split_path),
        },
        # The same metric code as training, so the numbers compare with the run's.
        "task": contract.task,
        "metrics": held_out_metrics(model, X_test, y_test, contract.task),
    }


def write_report(report: dict[str, Any], config: Config) -> Path:
    """Write reports/evaluation.json; returns its path."""
    path = config.path(config.paths.reports_dir) / "evaluation.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


def main(config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    config = config or get_config()
    try:
        report = evaluate(config)
    except (LookupError, FileNotFoundError, DataError, ContractError) as error:
        # LookupError: no champion in the registry; FileNotFoundError: no split, or a
        # configured model directory that is not there.
        print(f"error: {error}", file=sys.stderr)
        return 2
    path = write_report(report, config)
    metrics = ", ".join(f"{name}={value:.4f}" for name, value in report["metrics"].items())
    model = report["model"]
    print(f"model version {model['version']} on {report['split']['rows']} held-out rows: {metrics}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
