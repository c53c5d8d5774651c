"""The drift report as one self-contained HTML page.

The verdict, then each feature's tests and its distribution in the reference rows and
in the window, side by side.
"""

from __future__ import annotations

import html

from .drift import DriftReport, FeatureDrift

_STYLE = """
body{font-family:sans-serif;max-width:70em;margin:auto} td,th{padding:2px 8px;text-align:left}
.drift{background:#fdd} .ok{background:#efe} section{border-top:1px solid #ccc;padding:.5em 0}
.bar{height:.8em;display:inline-block} .ref{background:#888} .cur{background:#d62}
"""


def _bars(drift: FeatureDrift) -> str:
    bins = drift.histogram
    if not bins:
        return "<p>no values to compare</p>"
    rows = "".join(
        f"<tr><td>{html.escape(str(label))}</td>"
        f"<td><span class='bar ref' style='width:{300 * ref:.0f}px'></span> {ref:.1%}</td>"
        f"<td><span class='bar cur' style='width:{300 * cur:.0f}px'></span> {cur:.1%}</td></tr>"
        for label, ref, cur in zip(bins["labels"], bins["reference"], bins["current"], strict=True)
    )
    return f"<table><tr><th>value</th><th>reference</th><th>window</th></tr>{rows}</table>"


def _section(drift: FeatureDrift) -> str:
    status = "drift" if drift.drifted else "ok"
    findings = "".join(f"<li>{html.escape(item)}</li>" for item in drift.findings)
    return (
        f"<section class={status}><h3>{html.escape(drift.feature)} ({drift.kind}):"
        f" {'DRIFT' if drift.drifted else 'ok'}</h3>"
        f"<p>test {drift.test}: effect {drift.effect:.3f}, p={drift.pvalue:.3g},"
        f" adjusted p={drift.adjusted_pvalue:.3g}; missing {drift.missing_reference:.1%}"
        f" in the reference, {drift.missing_current:.1%} in the window"
        f" (adjusted p={drift.missing_adjusted_pvalue:.3g})</p>"
        f"{'<ul>' + findings + '</ul>' if findings else ''}{_bars(drift)}</section>"
    )


def render_html(report: DriftReport) -> str:
    """A self-contained HTML page of the report, drifted features first."""
    verdict = "ALERT: drift detected" if report.alert else "No drift detected"
    shown = report.drifted + [f for f in report.features if not f.drifted]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report</title>
<style>{_STYLE}</style></head><body><h1>{verdict}</h1>
<p>Window: {html.escape(report.current)} ({report.current_rows} rows); reference:
{html.escape(report.reference)} ({report.reference_rows} rows). Each feature has one test
chosen by its type (ks: Kolmogorov-Smirnov; chi2: chi-square, fisher: Fisher's exact) and
one on its missing rate; all p-values are adjusted together (Holm), so a report on
unchanged data alerts with probability at most {report.alpha}. A test drifts when its
adjusted p-value is below {report.alpha} and its effect is at least {report.min_effect};
values outside the contract, categories never seen and an all-missing feature always do.</p>
{"".join(_section(f) for f in shown)}
</body></html>
"""
