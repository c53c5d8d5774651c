"""The monitor: drift of served traffic or of a batch, and live performance once labels arrive.

`python -m <package>.monitor` checks the latest `monitor.window` rows of the service's
prediction log (`serve.prediction_log.dir`) against the champion's training rows
(`data/processed/train.csv` of the last training run, or `monitor.reference`);
`--current FILE` checks a batch file (CSV or Parquet) instead. The tests are in
drift.py. Reports go to `reports/drift/<UTC time>/drift.{json,html}` (kept, to follow
drift over time) and are copied to `reports/drift.json` and `reports/drift.html`.

`--labels FILE` (CSV or Parquet with `request_id`, optionally `row`, and the target
column) joins the labels to the logged predictions and compares the live metrics with
the champion's held-out ones (reports/last_run.json); it writes reports/live.json.

Exit codes: 0 no drift (or live metric within `monitor.max_metric_drop`), 1 drift or a
finding (or the live gate metric dropped further), 2 nothing could be checked (no rows,
unreadable input), with an `error:` and a `hint:` line. On exit 1 the report is also
POSTed as JSON to `monitor.webhook_url` when set (e.g. to start retraining).
`python -m <package>.monitor demo-batches` writes a clean and a drifted batch.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import jobs
from ..config import Config, get_config
from ..data.contract import Contract, read_contract
from .drift import DriftReport, compare
from .drift_html import render_html
from .rows import CannotCheckError, read_prediction_log, read_rows, reference_rows

REFERENCE_PREDICTIONS = 5_000  # reference rows the champion predicts for prediction drift


def _reference_predictions(config: Config, reference: pd.DataFrame, contract: Contract):
    """The champion's predictions on (a sample of) its training rows, or why there are none."""
    # MLflow is slow to import; only prediction drift needs the model.
    from ..train.tracking import load_served_model  # pylint: disable=import-outside-toplevel

    try:
        model = load_served_model(config)[0]
    except Exception as error:  # pylint: disable=broad-exception-caught  # any store failure
        return None, f"prediction drift not checked: no model ({str(error).splitlines()[0]})"
    rows = reference.sample(min(len(reference), REFERENCE_PREDICTIONS), random_state=config.seed)
    return pd.Series(model.predict(rows[contract.feature_names])), ""


def write_reports(report: DriftReport, directory: Path) -> Path:
    """The run's drift.json and drift.html under drift/<UTC time>/, copied as the latest."""
    run = directory / "drift" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    jobs.write_atomic(run / "drift.json", json.dumps(report.to_dict(), indent=2) + "\n")
    jobs.write_atomic(run / "drift.html", render_html(report))
    for name in ("drift.json", "drift.html"):
        jobs.write_atomic(directory / name, (run / name).read_text(encoding="utf-8"))
    return run


def send_alert(payload: dict[str, Any], url: str) -> str | None:
    """POST the alert to a webhook; returns what went wrong instead of raising."""
    if not url.startswith(("http://", "https://")):
        return "monitor.webhook_url must be an http(s) URL"
    body = json.dumps(payload, default=str).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10):  # the scheme is checked above
            return None
    except OSError as error:  # URLError, HTTPError and timeouts are all OSErrors
        return str(error)


def demo_batches(
    config: Config, contract: Contract, held_out: pd.DataFrame, directory: Path
) -> tuple[Path, Path]:
    """A clean batch (`held_out`: rows the model did not train on) and a drifted copy.

    The drifted batch moves every numeric feature up by one standard deviation (kept
    within the contract's bounds) and gives every categorical feature one category.
    """
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(config.seed)
    clean = held_out[contract.feature_names].reset_index(drop=True)
    drifted = clean.copy()
    for feature in contract.features:
        column = drifted[feature.name]
        if feature.kind == "numeric":
            spread = float(column.std()) or 1.0
            moved = column + spread * rng.normal(1.0, 0.2, len(column))
            drifted[feature.name] = moved.clip(feature.minimum, feature.maximum)
        else:
            common = column.dropna().astype(str).mode()
            drifted[feature.name] = common.iloc[-1] if len(common) else column
    paths = directory / "clean.csv", directory / "drifted.csv"
    clean.to_csv(paths[0], index=False)
    drifted.to_csv(paths[1], index=False)
    return paths


def check_drift(config: Config, contract: Contract, current_file: Path | None) -> DriftReport:
    """The drift report of a batch file, or of the latest prediction-log window."""
    if current_file is None:
        logged = config.serve.prediction_log
        current = read_prediction_log(config.path(logged.dir), config.monitor.window, contract)
        source = f"the last {len(current)} logged rows"
        # Columns left out of the log (personal data) cannot be judged: skip, not alert.
        kept = tuple(f for f in contract.features if f.name not in logged.exclude)
        contract = dataclasses.replace(contract, features=kept)
    else:
        current = read_rows(config.path(current_file), contract)
        source = str(current_file)
    reference = reference_rows(config, contract)
    predictions, note = None, ""
    if "prediction" in current.columns and current["prediction"].notna().any():
        expected, note = _reference_predictions(config, reference, contract)
        if expected is not None:
            predictions = (expected, current["prediction"])
    reference_name = str(config.monitor.reference or config.paths.processed_dir / "train.csv")
    report = compare(
        reference,
        current,
        contract,
        alpha=config.monitor.alpha,
        min_effect=config.monitor.min_effect,
        sources=(reference_name, source),
        predictions=predictions,
    )
    if note:
        print(note, file=sys.stderr)
    return report


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code (jobs.py: 1 = drift or a metric drop)."""
    parser = jobs.parser("Drift and live performance of the model.", "monitor")
    parser.add_argument("command", nargs="?", choices=["report", "demo-batches"], default="report")
    parser.add_argument("--current", type=Path, help="a batch (CSV/Parquet); default: the log")
    parser.add_argument("--labels", type=Path, help="request_id + target: live metrics")
    args = parser.parse_args(argv)
    return jobs.run(lambda: _main(args, config or get_config()))


def _main(args: argparse.Namespace, config: Config) -> int:
    contract = read_contract(config)
    if args.command == "demo-batches":
        held_out = config.path(config.paths.processed_dir / "test.csv")
        if not held_out.is_file():
            raise CannotCheckError(f"no held-out rows at {held_out}", "run `make train` first")
        rows = read_rows(held_out, contract)
        directory = config.path(config.paths.batches_dir)
        for path in demo_batches(config, contract, rows, directory):
            print(f"wrote {path}")
        return 0
    if args.labels is not None:
        # Training's metric code imports the tracker: only --labels pays for it.
        from .live import live_report  # pylint: disable=import-outside-toplevel

        return live_report(config, contract, args.labels)
    report = check_drift(config, contract, args.current)
    run = write_reports(report, config.path(config.paths.reports_dir))
    print(report.summary())
    print(f"reports: {run / 'drift.json'}, {run / 'drift.html'}")
    if not report.alert:
        return 0
    if url := config.monitor.webhook_url:
        problem = send_alert({"text": report.summary(), "report": report.to_dict()}, url)
        print(f"alert webhook: {'failed: ' + problem if problem else 'sent'}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
