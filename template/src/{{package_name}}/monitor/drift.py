"""Calibrated drift tests: one test per feature chosen by its type, corrected for their number.

Numbers: the two-sample Kolmogorov-Smirnov test (its effect: the KS distance, the
largest gap between the two distribution functions).
Categories and booleans: Fisher's exact test for two values, else chi-square on the
category counts with categories expected fewer than 5 times in the window pooled
(its effect: the total variation distance between the two mixes). Missing values:
Fisher's exact test on the missing and present counts (its effect: the difference of
the missing rates). The predictions are one more feature.

All p-values of a report form one family, adjusted with Holm's method, so a report on
rows from the training distribution alerts with probability at most `alpha` however
many features there are (docs/benchmarks.md has the measured rates). A test drifts
when its adjusted p-value is below `alpha` and its effect is at least `min_effect`:
on very large windows tiny, harmless differences are significant, and the effect floor
keeps them quiet. Besides the tests, a window raises findings that are always an
alert: numbers outside the contract's range, categories never seen in training, and
a feature missing in every row of the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..data.contract import Contract, Feature
from ..data.tables import listed

MIN_EXPECTED = 5  # chi-square's rule of thumb: rarer categories are pooled
HISTOGRAM_BINS = 10
SHOWN_CATEGORIES = 12
PREDICTION = "prediction"


@dataclass
class FeatureDrift:  # pylint: disable=too-many-instance-attributes  # a record
    """The tests and findings of one feature (or of the predictions)."""

    feature: str
    kind: str  # numeric | categorical
    test: str  # ks | chi2 | fisher | none
    effect: float
    pvalue: float
    adjusted_pvalue: float = 1.0
    missing_reference: float = 0.0  # missing rates
    missing_current: float = 0.0
    missing_pvalue: float = 1.0
    missing_adjusted_pvalue: float = 1.0
    findings: list[str] = field(default_factory=list)
    drifted: bool = False
    histogram: dict[str, list[Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class DriftReport:
    """Every feature's drift in a window of rows against the reference rows."""

    reference: str
    current: str
    reference_rows: int
    current_rows: int
    alpha: float
    min_effect: float
    features: list[FeatureDrift]

    @property
    def drifted(self) -> list[FeatureDrift]:
        """The drifted features, the strongest evidence first."""
        ranked = [f for f in self.features if f.drifted]
        return sorted(
            ranked,
            key=lambda f: (not f.findings, min(f.adjusted_pvalue, f.missing_adjusted_pvalue)),
        )

    @property
    def alert(self) -> bool:
        """True when any feature drifted or raised a finding."""
        return any(f.drifted for f in self.features)

    def summary(self, shown: int = 10) -> str:
        """The verdict, then at most `shown` drifted features, one per line."""
        if not self.alert:
            return (
                f"no drift: {len(self.features)} checks of {self.current}"
                f" ({self.current_rows} rows) against {self.reference}"
                f" ({self.reference_rows} rows), family-wise alpha {self.alpha}"
            )
        drifted = self.drifted
        lines = [
            f"ALERT: drift in {len(drifted)} of {len(self.features)} checks of {self.current}"
            f" ({self.current_rows} rows) against {self.reference} ({self.reference_rows} rows)"
        ]
        lines += [f"  {_describe(f)}" for f in drifted[:shown]]
        if len(drifted) > shown:
            lines.append(f"  ... and {len(drifted) - shown} more (see the HTML report)")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, with the verdict."""
        return {**asdict(self), "alert": self.alert, "summary": self.summary()}


def _describe(drift: FeatureDrift) -> str:
    parts = []
    if drift.adjusted_pvalue < 1.0 and drift.test != "none":
        parts.append(
            f"{drift.test} effect {drift.effect:.3f}, adjusted p={drift.adjusted_pvalue:.2g}"
        )
    if drift.missing_current != drift.missing_reference:
        parts.append(f"missing {drift.missing_reference:.0%} -> {drift.missing_current:.0%}")
    return f"{drift.feature}: " + "; ".join(parts + drift.findings)


def holm(pvalues: Iterable[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values: the family-wise error stays at most alpha."""
    values = np.asarray(list(pvalues), dtype=float)
    order = np.argsort(values)
    scaled = values[order] * (len(values) - np.arange(len(values)))
    adjusted = np.empty_like(values)
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return adjusted


def _numbers(
    reference: pd.Series, current: pd.Series
) -> tuple[FeatureDrift, np.ndarray, np.ndarray]:
    ref = pd.to_numeric(reference, errors="coerce").dropna().to_numpy(float)
    cur = pd.to_numeric(current, errors="coerce").dropna().to_numpy(float)
    if len(ref) == 0 or len(cur) == 0:
        return FeatureDrift(reference.name, "numeric", "none", 0.0, 1.0), ref, cur
    # KS rather than Cramér-von Mises: CvM has more power on shifts of the centre, but its
    # asymptotic p-values run high with ties and unequal sizes (measured: 6 % of reports
    # alerting on unchanged 100-row windows against 4,000 rows); KS stays below alpha.
    result = stats.ks_2samp(ref, cur)
    drift = FeatureDrift(
        str(reference.name), "numeric", "ks", float(result.statistic), float(result.pvalue)
    )
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, HISTOGRAM_BINS + 1)))
    inner = edges[1:-1]
    ref_share = np.bincount(np.searchsorted(inner, ref), minlength=len(edges) - 1) / len(ref)
    cur_share = np.bincount(np.searchsorted(inner, cur), minlength=len(edges) - 1) / len(cur)
    labels = [f"{low:.4g} - {high:.4g}" for low, high in pairwise(edges)] or [f"{edges[0]:.4g}"]
    drift.histogram = _bars(labels, ref_share, cur_share)
    return drift, ref, cur


def _categories(reference: pd.Series, current: pd.Series, known: Iterable[str]) -> FeatureDrift:
    ref = reference.dropna().astype(str).value_counts()
    cur = current.dropna().astype(str).value_counts()
    name = str(reference.name)
    drift = FeatureDrift(name, "categorical", "none", 0.0, 1.0)
    if ref.empty or cur.empty:
        return drift
    names = ref.index.union(cur.index)
    ref_counts = ref.reindex(names, fill_value=0).to_numpy(float)
    cur_counts = cur.reindex(names, fill_value=0).to_numpy(float)
    ref_share, cur_share = ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum()
    drift.effect = float(0.5 * np.abs(ref_share - cur_share).sum())
    if new := sorted(set(cur.index) - set(ref.index) - set(known)):
        drift.findings.append(f"categories never seen in training: {listed(new)}")
    # Pool the categories too rare in the window for chi-square's approximation.
    rare = ref_share * cur_counts.sum() < MIN_EXPECTED
    table = np.vstack([ref_counts[~rare], cur_counts[~rare]])
    if rare.any():
        table = np.column_stack([table, [ref_counts[rare].sum(), cur_counts[rare].sum()]])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] == 2:
        drift.test, drift.pvalue = two_by_two(table)
    elif table.shape[1] > 2:
        drift.test, drift.pvalue = "chi2", float(stats.chi2_contingency(table).pvalue)
    top = np.argsort(-(ref_share + cur_share))[:SHOWN_CATEGORIES]
    drift.histogram = _bars([str(names[i]) for i in top], ref_share[top], cur_share[top])
    return drift


def two_by_two(table: np.ndarray) -> tuple[str, float]:
    """Fisher's exact test when a cell is expected fewer than 5 times, else chi-square."""
    if (table.sum() == 0) or (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return "fisher", 1.0
    expected = stats.contingency.expected_freq(table)
    if expected.min() < MIN_EXPECTED:
        return "fisher", float(stats.fisher_exact(table.astype(int)).pvalue)
    return "chi2", float(stats.chi2_contingency(table).pvalue)


def _bars(labels: list[str], reference: np.ndarray, current: np.ndarray) -> dict[str, list[Any]]:
    return {
        "labels": labels,
        "reference": np.round(reference, 4).tolist(),
        "current": np.round(current, 4).tolist(),
    }


def _missing(drift: FeatureDrift, reference: pd.Series, current: pd.Series) -> None:
    ref_missing, cur_missing = int(reference.isna().sum()), int(current.isna().sum())
    drift.missing_reference = round(ref_missing / max(len(reference), 1), 4)
    drift.missing_current = round(cur_missing / max(len(current), 1), 4)
    if len(current) and cur_missing == len(current):
        drift.findings.append("missing in every row of the window")
    if ref_missing or cur_missing:
        table = np.array(
            [[ref_missing, len(reference) - ref_missing], [cur_missing, len(current) - cur_missing]]
        )
        drift.missing_pvalue = two_by_two(table)[1]


def _out_of_range(drift: FeatureDrift, feature: Feature, values: np.ndarray) -> None:
    low = np.sum(values < feature.minimum) if feature.minimum is not None else 0
    high = np.sum(values > feature.maximum) if feature.maximum is not None else 0
    if low or high:
        drift.findings.append(
            f"{low + high} values outside the contract's range"
            f" [{feature.minimum}, {feature.maximum}]"
        )


def feature_drift(feature: Feature, reference: pd.Series, current: pd.Series) -> FeatureDrift:
    """The unadjusted tests and the findings of one contract feature."""
    # Booleans (and numbers with at most two values) are counts, like categories.
    if feature.kind == "numeric" and reference.dropna().nunique() > 2:
        drift, _, values = _numbers(reference, current)
        _out_of_range(drift, feature, values)
        unreadable = int(current.notna().sum() - len(values))
        if unreadable:
            drift.findings.append(f"{unreadable} values that are not numbers")
    elif feature.kind == "numeric":  # 0/1 from a CSV and 1.0 from JSON are one value
        as_number = pd.to_numeric
        drift = _categories(
            as_number(reference, errors="coerce"), as_number(current, errors="coerce"), ()
        )
    else:
        drift = _categories(reference, current, feature.categories)
    drift.feature = feature.name
    _missing(drift, reference, current)
    return drift


def prediction_drift(reference: pd.Series, current: pd.Series, task: str) -> FeatureDrift:
    """The unadjusted test of the predictions (labels or values) against the reference ones."""
    if task == "classification":
        drift = _categories(reference.rename(PREDICTION), current.rename(PREDICTION), ())
        drift.findings = [
            f.replace("categories never seen", "classes never predicted") for f in drift.findings
        ]
        return drift
    return _numbers(reference.rename(PREDICTION), current.rename(PREDICTION))[0]


_ADJUSTED = {"pvalue": "adjusted_pvalue", "missing_pvalue": "missing_adjusted_pvalue"}


def decide(checks: list[FeatureDrift], alpha: float, min_effect: float) -> None:
    """Adjust the family of p-values (Holm) and mark what drifted, in place."""
    # Only tests that ran count in the family: a feature without gaps has no missing test.
    family = [(c, "pvalue") for c in checks if c.test != "none"]
    family += [(c, "missing_pvalue") for c in checks if c.missing_reference or c.missing_current]
    adjusted = holm(getattr(check, name) for check, name in family) if family else np.array([])
    for (check, name), value in zip(family, adjusted, strict=True):
        setattr(check, _ADJUSTED[name], float(value))
    for check in checks:
        gap = abs(check.missing_current - check.missing_reference)
        check.drifted = bool(
            check.findings
            or (check.adjusted_pvalue < alpha and check.effect >= min_effect)
            or (check.missing_adjusted_pvalue < alpha and gap >= min_effect)
        )


def compare(  # pylint: disable=too-many-arguments
    reference: pd.DataFrame,
    current: pd.DataFrame,
    contract: Contract,
    *,
    alpha: float = 0.05,
    min_effect: float = 0.1,
    sources: tuple[str, str] = ("reference", "current"),
    predictions: tuple[pd.Series, pd.Series] | None = None,
) -> DriftReport:
    """Drift of every contract feature (and the predictions, when given) of `current`."""
    # Dates are left out: every new window is a new period, so its dates always differ.
    compared = [f for f in contract.features if f.kind != "datetime"]
    checks = [feature_drift(f, reference[f.name], current[f.name]) for f in compared]
    if predictions is not None:
        checks.append(prediction_drift(*predictions, contract.task))
    decide(checks, alpha, min_effect)
    return DriftReport(
        reference=sources[0],
        current=sources[1],
        reference_rows=len(reference),
        current_rows=len(current),
        alpha=alpha,
        min_effect=min_effect,
        features=checks,
    )
