"""Live performance: labels that arrive later, joined to the logged predictions by request id.

`python -m <package>.monitor --labels FILE` reads `request_id` (and `row`, needed when
a request held several rows) and the target column from FILE, finds those requests in
the whole prediction log, scores the logged predictions with the same metric code as
training, and compares the gate metric with the champion's held-out value
(reports/last_run.json). Exit 1 when it is worse by more than `monitor.max_metric_drop`
(absolute for scores; a fraction of the held-out error for rmse and mae).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import pandas as pd

from ..config import Config
from ..data.contract import Contract, ContractError, read_table
from ..data.tables import listed
from ..jobs import write_atomic
from ..train.scoring import LOWER_IS_BETTER, SCORERS, default_gate_metric, gate_metric, metric_names
from .rows import CannotCheckError, read_prediction_log


def joined(config: Config, contract: Contract, labels_file: Path) -> tuple[pd.DataFrame, int]:
    """Logged predictions with their label, and how many logged rows there are in all."""
    try:
        labels = read_table(config.path(labels_file))
    except ContractError as error:
        raise CannotCheckError(str(error), error.hint) from None
    if missing := {"request_id", contract.target} - set(labels.columns):
        raise CannotCheckError(
            f"{labels_file} has no column {listed(sorted(missing))}",
            f"give one row per answered row: request_id (and row), {contract.target}",
        )
    directory = config.path(config.serve.prediction_log.dir)
    logged = read_prediction_log(directory, sys.maxsize, contract)
    keys = ["request_id", "row"] if "row" in labels.columns else ["request_id"]
    labels = labels.dropna(subset=[contract.target]).astype({"request_id": str})
    merged = logged.astype({"request_id": str}).merge(
        labels[[*keys, contract.target]].drop_duplicates(keys), on=keys, how="inner"
    )
    return merged, len(logged)


def live_report(config: Config, contract: Contract, labels_file: Path) -> int:
    """Print and write reports/live.json; the exit code (0 fine, 1 dropped, 2 nothing to score)."""
    merged, logged_rows = joined(config, contract, labels_file)
    if merged.empty:
        raise CannotCheckError(
            f"no label in {labels_file} matches a logged request_id",
            "labels carry the x-request-id the service answered for each request",
        )
    target = merged[contract.target]
    if contract.task == "classification":
        target = target.astype(str)
    # The log holds the answers, not a model: the metrics of labels or values are scored.
    predicted = merged["prediction"]
    if contract.task == "classification":
        predicted = predicted.astype(str)  # as `target` is
    with warnings.catch_warnings():
        # The few rows labelled so far may lack a class the model predicted: scored all the same.
        warnings.simplefilter("ignore", UserWarning)
        live = {
            name: float(SCORERS[name](target.to_numpy(), predicted.to_numpy()))
            for name in metric_names(contract.task, contract.classes, target)
            if name in SCORERS
        }
    metric = gate_metric(config, contract)
    if metric not in live:  # e.g. gate.metric roc_auc: compare the task's default instead
        metric = default_gate_metric(contract.task, contract.classes)
    last_run = config.path(config.paths.reports_dir) / "last_run.json"
    held_out = json.loads(last_run.read_text())["metrics"][metric] if last_run.is_file() else None
    drop = config.monitor.max_metric_drop
    if held_out is None:
        worse = False
    elif metric in LOWER_IS_BETTER:
        worse = live[metric] > held_out * (1 + drop)
    else:
        worse = live[metric] < held_out - drop
    report = {
        "labelled_rows": len(merged),
        "logged_rows": logged_rows,
        "metrics": live,
        "gate_metric": metric,
        "held_out": held_out,
        "max_metric_drop": drop,
        "alert": worse,
    }
    write_atomic(config.path(config.paths.reports_dir) / "live.json", json.dumps(report, indent=2))
    shown = "no held-out value (reports/last_run.json)" if held_out is None else f"{held_out:.4f}"
    verdict = "ALERT: live" if worse else "live"
    print(
        f"{verdict} {metric} {live[metric]:.4f} on {len(merged)} labelled rows"
        f" of {logged_rows} logged (held-out: {shown}, allowed drop {drop})"
    )
    return 1 if worse else 0
