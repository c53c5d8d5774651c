"""What the last run's reports say, and reports/evaluation.html: that on one page.

summarize() gathers the run's metrics (held out, baseline, champion, CV, training rows),
parameters and plots for the model card (model_card.py) and for the page. The page shows
its metrics against the Dummy baseline, the champion and cross-validation, the gate's
decision, the features by kind, and its plots embedded as base64 PNGs (the page opens
anywhere, e.g. as a CI artifact). Every text from the data (column names, class
labels, the gate's reason) is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..data.contract import Contract
from ..train.scoring import LOWER_IS_BETTER, default_gate_metric, metric_names


@dataclass(frozen=True)
class MetricRow:
    """One metric of the run, against the baseline, the champion and cross-validation."""

    name: str
    model: float
    baseline: float | None
    champion: float | None  # the champion before this run, on the same rows (gate metric)
    cv: tuple[float, float] | None  # mean, std over the folds of the training rows
    train: float | None

    @property
    def cv_text(self) -> str:
        """`mean ± std`, or a dash without cross-validation."""
        return "—" if self.cv is None else f"{self.cv[0]:.4f} ± {self.cv[1]:.4f}"


@dataclass(frozen=True)
class RunSummary:
    """What the cards and evaluation.html say about the last run."""

    run: dict[str, Any]  # reports/last_run.json
    gate_metric: str
    metrics: list[MetricRow]  # the task's main metrics, the gate metric first
    per_class: list[MetricRow]  # multiclass: precision/recall/f1 of each class
    params: dict[str, Any]  # model.* and pipeline.steps, from reports/params.json
    plots: list[Path] = field(default_factory=list)  # PNG files that exist
    notes: list[str] = field(default_factory=list)  # what is missing, and why


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def gate_metric_of(run: dict[str, Any], config: Config, contract: Contract) -> str:
    """The metric the run's gate compared (its reason starts with it)."""
    champion = run.get("champion") or {}
    if champion.get("metric"):
        return str(champion["metric"])
    reason = str(run["gate"]["reason"])
    named = [n for n in run["metrics"] if reason.startswith(f"{n} ")]
    if named:
        return max(named, key=len)
    return config.gate.metric or default_gate_metric(contract.task, contract.classes)


def summarize(run: dict[str, Any], config: Config, contract: Contract) -> RunSummary:
    """Gather the run's metrics, parameters and plots; a report from another run is left out."""
    reports = config.path(config.paths.reports_dir)
    notes = []
    every = _read_json(reports / "metrics.json") or {}
    # metrics.json is written during a run and last_run.json at its end: after a crashed
    # run they describe different runs, and the card must not mix them.
    if any(every.get(k) != v for k, v in run["metrics"].items()):
        if every:
            notes.append("reports/metrics.json is from another run: no CV or training metrics")
        every = {}
    elif not any(k.startswith("cv_") for k in every):
        notes.append("no cross-validation in this run (evaluation.cv_folds is 0 or too few rows)")
    gate = gate_metric_of(run, config, contract)
    champion = run.get("champion") or {}

    def row(name: str) -> MetricRow:
        cv = None
        if f"cv_{name}_mean" in every:
            cv = (float(every[f"cv_{name}_mean"]), float(every[f"cv_{name}_std"]))
        return MetricRow(
            name=name,
            model=float(run["metrics"][name]),
            baseline=run["baseline"].get(name),
            champion=champion.get("champion") if name == champion.get("metric") else None,
            cv=cv,
            train=every.get(f"train_{name}"),
        )

    names = [n for n in metric_names(contract.task, contract.classes) if n in run["metrics"]]
    names = sorted(names, key=lambda n: n != gate)
    params = _read_json(reports / "params.json")
    if params is None or not every:
        notes.append("reports/params.json is missing or from another run: no estimator parameters")
        params = {}
    plots = []
    if (reports / "plots").is_dir():
        plots = sorted(p for p in (reports / "plots").glob("*.png") if p.stat().st_size > 0)
    if not every:  # the plots, too, may be another run's
        plots = []
    elif not plots:
        notes.append("no plots in this run (evaluation.plots is false)")
    return RunSummary(
        run=run,
        gate_metric=gate,
        metrics=[row(n) for n in names],
        per_class=[row(n) for n in run["metrics"] if n not in names],
        params=params,
        plots=plots,
        notes=notes,
    )


_STYLE = """
body{font-family:sans-serif;max-width:75em;margin:auto;padding:0 1em}
td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #eee} th{background:#f4f4f4}
.passed{background:#efe;padding:.5em} .failed{background:#fdd;padding:.5em}
figure{display:inline-block;margin:.5em} img{max-width:34em;border:1px solid #ddd}
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _metrics_table(summary: RunSummary) -> str:
    has_champion = any(r.champion is not None for r in summary.metrics)
    head = ["metric", "model (held out)", "baseline (Dummy)"]
    head += ["champion (same rows)"] if has_champion else []
    head += ["CV mean ± std (training rows)", "training rows"]
    rows = []
    for r in summary.metrics:
        direction = "lower is better" if r.name in LOWER_IS_BETTER else "higher is better"
        cells = [f"{_e(r.name)} <small>({direction})</small>", _n(r.model), _n(r.baseline)]
        cells += [_n(r.champion)] if has_champion else []
        cells += [_e(r.cv_text), _n(r.train)]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    for r in summary.per_class:
        cells = [_e(r.name), _n(r.model), _n(r.baseline)]
        cells += [""] * (len(head) - len(cells))
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"


def _features(contract: Contract) -> str:
    items = []
    for kind in ("numeric", "categorical", "datetime"):
        names = [f.name for f in contract.features if f.kind == kind]
        if names:
            items.append(f"<li>{kind} ({len(names)}): {_e(', '.join(names))}</li>")
    if contract.ids:
        items.append(f"<li>id, not used: {_e(', '.join(contract.ids))}</li>")
    return f"<ul>{''.join(items)}</ul>"


def render_html(summary: RunSummary, contract: Contract) -> str:
    """The page's HTML; the plots are read from their files and embedded."""
    run, gate = summary.run, summary.run["gate"]
    status = "passed" if gate["passed"] else "failed"
    what = (
        f"classifier of {_e(contract.target)} ({len(contract.classes)} classes:"
        f" {_e(', '.join(map(str, contract.classes)))})"
        if contract.task == "classification"
        else f"regressor of {_e(contract.target)}"
    )
    figures = "".join(
        f"<figure><img alt='{_e(p.stem)}' src='data:image/png;base64,"
        f"{base64.b64encode(p.read_bytes()).decode('ascii')}'>"
        f"<figcaption>{_e(p.stem.replace('_', ' '))}</figcaption></figure>"
        for p in summary.plots
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in summary.notes)
    champion = run["champion_version"] or "none"
    version = _e(run["model_version"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation of version {version}</title>
<style>{_STYLE}</style></head><body>
<h1>Evaluation: version {version} ({_e(run["estimator"])})</h1>
<p>A {what}; run {_e(run["run_id"])}; {run["rows"]["train"]} training rows,
{run["rows"]["test"]} held out (by the hash of each row's key). Champion now: version
{_e(champion)}.</p>
<p class="{status}"><b>Gate {status}</b> on {_e(summary.gate_metric)}: {_e(gate["reason"])}</p>
<h2>Metrics</h2>{_metrics_table(summary)}
{f"<ul>{notes}</ul>" if notes else ""}
<h2>Features</h2>{_features(contract)}
<h2>Plots (held-out rows)</h2>{figures or "<p>No plots for this run.</p>"}
</body></html>
"""
