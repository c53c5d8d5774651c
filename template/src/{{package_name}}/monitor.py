"""Data drift: compare a new batch with the reference data, feature by feature.

Numeric features: population stability index (PSI) over the reference's quantile bins
and the Kolmogorov-Smirnov test. Categorical features: PSI over category frequencies and
a chi-square test, with categories never seen in the reference reported by name. The
features come from the data contract; the reference is the training data by default.

`python -m <package>.monitor --current BATCH.csv [--reference REF.csv]` writes
reports/drift.json and reports/drift.html and exits 1 (alert) when any feature
passes the configured PSI or p-value thresholds, 0 otherwise, 2 on unreadable input.
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
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .config import ENV_PREFIX, Config, get_config
from .contract import Contract, ContractError, load_contract
from .data import DataError, load

_EPSILON = 1e-6  # keeps PSI finite when a bin is empty on one side
WEBHOOK_ENV = f"{ENV_PREFIX}ALERT_WEBHOOK_URL"


@dataclass(frozen=True)
class FeatureDrift:
    """Drift statistics of one feature (KS for numbers, chi-square for categories)."""

    feature: str
    kind: str
    psi: float
    statistic: float
    pvalue: float
    drifted: bool
    new_categories: list[str]


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
            f"{f.feature} (PSI {f.psi:.3f}, p={f.pvalue:.2g}"
            + (f", new: {', '.join(f.new_categories)})" if f.new_categories else ")")
            for f in self.features
            if f.drifted
        ]
        if not drifted:
            return f"no drift: {len(self.features)} features of {self.current} within thresholds"
        return (
            f"ALERT: drift in {self.current}: {', '.join(drifted)}"
            f" (thresholds: PSI > {self.psi_threshold}, p < {self.ks_pvalue_threshold})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, with the overall alert and summary."""
        return {**asdict(self), "alert": self.alert, "summary": self.summary()}


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Population stability index over the reference's quantile bins."""
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    expected = np.histogram(reference, edges)[0] / len(reference) + _EPSILON
    actual = np.histogram(current, edges)[0] / len(current) + _EPSILON
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def category_psi(reference: pd.Series, current: pd.Series) -> tuple[float, float, list[str]]:
    """PSI and chi-square p-value of category frequencies, and the categories never seen."""
    ref = reference.astype(object).fillna("<missing>").astype(str)
    cur = current.astype(object).fillna("<missing>").astype(str)
    categories = sorted(set(ref) | set(cur))
    expected = ref.value_counts().reindex(categories, fill_value=0).to_numpy(float)
    actual = cur.value_counts().reindex(categories, fill_value=0).to_numpy(float)
    share_expected = expected / expected.sum() + _EPSILON
    share_actual = actual / actual.sum() + _EPSILON
    value = float(np.sum((share_actual - share_expected) * np.log(share_actual / share_expected)))
    table = np.vstack([expected, actual])
    table = table[:, table.sum(axis=0) > 0]
    pvalue = float(stats.chi2_contingency(table).pvalue) if table.shape[1] > 1 else 1.0
    return value, pvalue, sorted(set(cur) - set(ref))


def compare(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    config: Config,
    contract: Contract,
    *,
    sources: tuple[str, str] = ("reference", "current"),
) -> DriftReport:
    """Compute the drift of every contract feature of `current` against `reference`."""
    features = []
    for feature in contract.features:
        name = feature.name
        if feature.kind == "datetime":
            continue  # every new batch is a new period: its dates always differ
        if feature.kind == "numeric":
            ref = reference[name].dropna().to_numpy(float)
            cur = current[name].dropna().to_numpy(float)
            if len(ref) == 0 or len(cur) == 0:
                continue  # nothing to compare: validation already reports missing values
            ks = stats.ks_2samp(ref, cur)
            new: list[str] = []
            value, statistic, pvalue = psi(ref, cur), float(ks.statistic), float(ks.pvalue)
        else:
            value, pvalue, new = category_psi(reference[name], current[name])
            statistic = value
        drifted = value > config.drift.psi_threshold or pvalue < config.drift.ks_pvalue_threshold
        features.append(
            FeatureDrift(
                feature=name,
                kind=feature.kind,
                psi=round(value, 6),
                statistic=round(statistic, 6),
                pvalue=pvalue,
                drifted=bool(drifted or new),
                new_categories=new,
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
        f"<td>{f.kind}</td><td>{f.psi:.4f}</td><td>{f.statistic:.4f}</td><td>{f.pvalue:.4g}</td>"
        f"<td>{html.escape(', '.join(f.new_categories))}</td>"
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
A feature drifts when its PSI is above {report.psi_threshold}, its p-value (KS for numbers,
chi-square for categories) is below {report.ks_pvalue_threshold}, or it has new categories.</p>
<table><tr><th>feature</th><th>kind</th><th>PSI</th><th>statistic</th><th>p-value</th>
<th>new categories</th><th>status</th></tr>
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


def demo_batches(
    config: Config, contract: Contract, reference: pd.DataFrame, directory: Path
) -> tuple[Path, Path]:
    """A clean resample of the reference data and a drifted one.

    The drifted batch moves every numeric feature up by one standard deviation (kept
    within the contract's bounds) and gives every categorical feature one category.
    """
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(config.seed)
    rows = reference[contract.feature_names]
    clean = rows.sample(n=max(len(rows), 120), replace=True, random_state=config.seed)
    clean = clean.reset_index(drop=True)
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


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="Report data drift of a batch.")
    parser.add_argument("command", nargs="?", choices=["report", "demo-batches"], default="report")
    parser.add_argument("--current", type=Path, help="the new batch (CSV with the feature columns)")
    parser.add_argument("--reference", type=Path, help="reference CSV (default: from the config)")
    args = parser.parse_args(argv)
    config = config or get_config()
    if args.command == "report" and args.current is None:
        parser.error("--current is required")
    reference_name = args.reference or config.drift.reference or config.paths.raw_data
    try:
        contract = load_contract(config.path(config.paths.contract))
        reference = load(config.path(reference_name), with_target=False, contract=contract)
        if args.command == "demo-batches":
            directory = config.path(config.paths.batches_dir)
            for path in demo_batches(config, contract, reference, directory):
                print(f"wrote {path}")
            return 0
        current_path = config.path(args.current)
        if not current_path.is_file():
            raise FileNotFoundError(f"the batch {current_path} does not exist")
        current = load(current_path, with_target=False, contract=contract)
    except (DataError, ContractError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sources = (str(reference_name), str(args.current))
    report = compare(reference, current, config, contract, sources=sources)
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
