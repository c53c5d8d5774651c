"""Data drift: compare a new batch with the reference data, feature by feature.

`python -m <package>.monitor --current BATCH.csv [--reference REF.csv]` writes
reports/drift.json and reports/drift.html and exits 1 (alert) when any feature
passes the configured PSI or KS thresholds, 0 otherwise, 2 on unreadable input.
If `<PREFIX>ALERT_WEBHOOK_URL` is set, an alert is also POSTed there as JSON.
`python -m <package>.monitor demo-batches` writes a clean and a drifted batch.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .config import ENV_PREFIX, Config, get_config
from .data import FEATURES, DataValidationError, load, sample_frame

_EPSILON = 1e-6


@dataclass(frozen=True)
class FeatureDrift:
    """Drift statistics of one feature."""

    feature: str
    psi: float
    ks_statistic: float
    ks_pvalue: float
    drifted: bool


@dataclass(frozen=True)
class DriftReport:
    """Drift of every feature of a batch against the reference."""

    reference_rows: int
    current_rows: int
    psi_threshold: float
    ks_pvalue_threshold: float
    features: list[FeatureDrift]

    @property
    def alert(self) -> bool:
        """True when any feature drifted."""
        return any(f.drifted for f in self.features)

    def to_dict(self) -> dict:
        """The report as JSON-ready data, with the overall alert."""
        return {**asdict(self), "alert": self.alert}


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Population stability index over the reference's quantile bins."""
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    expected = np.histogram(reference, edges)[0] / len(reference) + _EPSILON
    actual = np.histogram(current, edges)[0] / len(current) + _EPSILON
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def compare(reference: pd.DataFrame, current: pd.DataFrame, config: Config) -> DriftReport:
    """Compute PSI and KS for every feature of `current` against `reference`."""
    features = []
    for name in FEATURES:
        ref, cur = reference[name].to_numpy(float), current[name].to_numpy(float)
        ks = stats.ks_2samp(ref, cur)
        value = psi(ref, cur)
        drifted = bool(
            value > config.drift.psi_threshold or ks.pvalue < config.drift.ks_pvalue_threshold
        )
        features.append(
            FeatureDrift(
                name, round(value, 6), round(float(ks.statistic), 6), float(ks.pvalue), drifted
            )
        )
    return DriftReport(
        len(reference),
        len(current),
        config.drift.psi_threshold,
        config.drift.ks_pvalue_threshold,
        features,
    )


def render_html(report: DriftReport) -> str:
    """A self-contained HTML page of the report."""
    rows = "\n".join(
        f"<tr class={'drift' if f.drifted else 'ok'}><td>{html.escape(f.feature)}</td>"
        f"<td>{f.psi:.4f}</td><td>{f.ks_statistic:.4f}</td><td>{f.ks_pvalue:.4g}</td>"
        f"<td>{'DRIFT' if f.drifted else 'ok'}</td></tr>"
        for f in report.features
    )
    verdict = "ALERT: drift detected" if report.alert else "No drift detected"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report</title>
<style>body{{font-family:sans-serif}}td,th{{padding:4px 10px}}.drift{{background:#fdd}}.ok{{background:#dfd}}</style>
</head><body><h1>{verdict}</h1>
<p>Reference rows: {report.reference_rows}; current rows: {report.current_rows};
PSI threshold {report.psi_threshold}; KS p-value threshold {report.ks_pvalue_threshold}.</p>
<table><tr><th>feature</th><th>PSI</th><th>KS statistic</th><th>KS p-value</th><th>status</th></tr>
{rows}
</table></body></html>
"""


def write_reports(report: DriftReport, directory: Path) -> tuple[Path, Path]:
    """Write drift.json and drift.html into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, html_path = directory / "drift.json", directory / "drift.html"
    json_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path


def send_alert(report: DriftReport, url: str) -> str | None:
    """POST the report to a webhook; returns an error text instead of raising."""
    drifted = [f.feature for f in report.features if f.drifted]
    body = json.dumps(
        {"text": f"Data drift in {', '.join(drifted)}", "report": report.to_dict()}
    ).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 (operator-configured URL)
            return None
    except OSError as error:
        return str(error)


def demo_batches(config: Config, directory: Path) -> tuple[Path, Path]:
    """A clean resample of the sample data and a drifted one (shifted, rescaled petals)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(config.seed)
    frame = sample_frame()
    clean = frame.sample(n=120, replace=True, random_state=config.seed).reset_index(drop=True)
    drifted = clean.copy()
    drifted["petal_length"] = (drifted["petal_length"] * 1.4 + 1.0).clip(upper=29.0)
    drifted["petal_width"] = (drifted["petal_width"] + rng.normal(0.8, 0.2, len(drifted))).clip(
        0.0, 29.0
    )
    paths = directory / "clean.csv", directory / "drifted.csv"
    clean.to_csv(paths[0], index=False)
    drifted.to_csv(paths[1], index=False)
    return paths


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        description="Report data drift of a batch against the reference."
    )
    parser.add_argument("command", nargs="?", choices=["report", "demo-batches"], default="report")
    parser.add_argument("--current", type=Path, help="the new batch (CSV with the feature columns)")
    parser.add_argument("--reference", type=Path, help="reference CSV (default: the training data)")
    args = parser.parse_args(argv)
    config = config or get_config()
    if args.command == "demo-batches":
        for path in demo_batches(config, config.path(Path("data/batches"))):
            print(f"wrote {path}")
        return 0
    if args.current is None:
        parser.error("--current is required")
    try:
        reference = load(
            args.reference or config.path(config.drift.reference_path), with_target=False
        )
        current = load(config.path(args.current), with_target=False)
    except (DataValidationError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = compare(reference, current, config)
    json_path, html_path = write_reports(report, config.path(config.drift.report_dir))
    drifted = [f.feature for f in report.features if f.drifted]
    if not report.alert:
        print(f"no drift: {len(FEATURES)} features within thresholds ({json_path}, {html_path})")
        return 0
    print(f"ALERT: drift in {', '.join(drifted)} ({json_path}, {html_path})")
    webhook = os.environ.get(f"{ENV_PREFIX}ALERT_WEBHOOK_URL")
    if webhook:
        problem = send_alert(report, webhook)
        print(f"alert webhook: {'failed: ' + problem if problem else 'sent'}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
