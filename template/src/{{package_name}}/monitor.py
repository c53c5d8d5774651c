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
from .data import FEATURES, DataError, load, sample_frame

_EPSILON = 1e-6  # keeps PSI finite when a bin is empty on one side
WEBHOOK_ENV = f"{ENV_PREFIX}ALERT_WEBHOOK_URL"


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

    reference: str
    current: str
    reference_rows: int
    current_rows: int
    psi_threshold: float
    ks_pvalue_threshold: float
    features: list[FeatureDrift]

    @property
    def alert(self) -> bool:
        """True when any feature drifted."""
        return any(f.drifted for f in self.features)

    def summary(self) -> str:
        """One line for logs and alerts: the verdict and the drifted features' statistics."""
        drifted = [
            f"{f.feature} (PSI {f.psi:.3f}, KS p={f.ks_pvalue:.2g})"
            for f in self.features
            if f.drifted
        ]
        if not drifted:
            return f"no drift: {len(self.features)} features of {self.current} within thresholds"
        return (
            f"ALERT: drift in {self.current}: {', '.join(drifted)}"
            f" (thresholds: PSI > {self.psi_threshold}, KS p < {self.ks_pvalue_threshold})"
        )

    def to_dict(self) -> dict:
        """The report as JSON-ready data, with the overall alert and summary."""
        return {**asdict(self), "alert": self.alert, "summary": self.summary()}


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Population stability index over the reference's quantile bins."""
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    expected = np.histogram(reference, edges)[0] / len(reference) + _EPSILON
    actual = np.histogram(current, edges)[0] / len(current) + _EPSILON
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def compare(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    config: Config,
    *,
    sources: tuple[str, str] = ("reference", "current"),
) -> DriftReport:
    """Compute PSI and KS for every feature of `current` against `reference`."""
    features = []
    for name in FEATURES:
        ref, cur = reference[name].to_numpy(float), current[name].to_numpy(float)
        ks = stats.ks_2samp(ref, cur)
        value = psi(ref, cur)
        drifted = value > config.drift.psi_threshold or ks.pvalue < config.drift.ks_pvalue_threshold
        features.append(
            FeatureDrift(
                feature=name,
                psi=round(value, 6),
                ks_statistic=round(float(ks.statistic), 6),
                ks_pvalue=float(ks.pvalue),
                drifted=bool(drifted),
            )
        )
    return DriftReport(
        reference=sources[0],
        current=sources[1],
        reference_rows=len(reference),
        current_rows=len(current),
        psi_threshold=config.drift.psi_threshold,
        ks_pvalue_threshold=config.drift.ks_pvalue_threshold,
        features=features,
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
<style>
body{{font-family:sans-serif}} td,th{{padding:4px 10px}}
.drift{{background:#fdd}} .ok{{background:#dfd}}
</style>
</head><body><h1>{verdict}</h1>
<p>Current: {html.escape(report.current)} ({report.current_rows} rows);
reference: {html.escape(report.reference)} ({report.reference_rows} rows).
A feature drifts when its PSI is above {report.psi_threshold}
or its KS p-value is below {report.ks_pvalue_threshold}.</p>
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
    """POST the report to a webhook; returns what went wrong instead of raising."""
    if not url.startswith(("http://", "https://")):
        return f"{WEBHOOK_ENV} must be an http(s) URL"
    body = json.dumps({"text": report.summary(), "report": report.to_dict()}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10):
            return None
    except OSError as error:  # URLError, HTTPError and timeouts are all OSErrors
        return str(error)


def demo_batches(config: Config, directory: Path) -> tuple[Path, Path]:
    """A clean resample of the sample data and a drifted one (longer, wider petals)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(config.seed)
    clean = sample_frame().sample(n=120, replace=True, random_state=config.seed)
    clean = clean.reset_index(drop=True)
    drifted = clean.copy()
    drifted["petal_length"] = (drifted["petal_length"] * 1.4 + 1.0).clip(upper=29.0)
    shift = rng.normal(0.8, 0.2, len(drifted))
    drifted["petal_width"] = (drifted["petal_width"] + shift).clip(0.0, 29.0)
    paths = directory / "clean.csv", directory / "drifted.csv"
    clean.to_csv(paths[0], index=False)
    drifted.to_csv(paths[1], index=False)
    return paths


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="Report data drift of a batch.")
    parser.add_argument("command", nargs="?", choices=["report", "demo-batches"], default="report")
    parser.add_argument("--current", type=Path, help="the new batch (CSV with the feature columns)")
    parser.add_argument("--reference", type=Path, help="reference CSV (default: from the config)")
    args = parser.parse_args(argv)
    config = config or get_config()
    if args.command == "demo-batches":
        for path in demo_batches(config, config.path(config.paths.batches_dir)):
            print(f"wrote {path}")
        return 0
    if args.current is None:
        parser.error("--current is required")
    reference_path = config.path(args.reference or config.drift.reference)
    current_path = config.path(args.current)
    if not current_path.is_file():
        print(f"error: the batch {current_path} does not exist", file=sys.stderr)
        return 2
    try:
        reference = load(reference_path, with_target=False)
        current = load(current_path, with_target=False)
    except (DataError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sources = (str(args.reference or config.drift.reference), str(args.current))
    report = compare(reference, current, config, sources=sources)
    json_path, html_path = write_reports(report, config.path(config.paths.reports_dir))
    print(f"{report.summary()} (reports: {json_path}, {html_path})")
    if not report.alert:
        return 0
    if webhook := os.environ.get(WEBHOOK_ENV):
        problem = send_alert(report, webhook)
        print(f"alert webhook: {'failed: ' + problem if problem else 'sent'}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
