"""Fill docs/model-card.md, docs/data-card.md and reports/evaluation.html from the last run.

`python -m <package>.cards` (or `make docs-cards`) after `make train`. It reads
reports/last_run.json (the run and its gate decision), reports/metrics.json (its
train_, cv_ and baseline_ metrics), reports/params.json (every estimator parameter) and
reports/plots/ (copied to docs/figures/ for the card; embedded in evaluation.html).
The sections between `<!-- team:... -->` markers of the model card (intended use,
limitations) are the team's: a regeneration keeps their text.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from .. import jobs
from ..config import Config, get_config
from ..data.contract import Contract, ContractError, load_contract
from ..data.load import DataError, labelled, load, split_key
from ..train.scoring import LOWER_IS_BETTER
from .run_report import MetricRow, RunSummary, render_html, summarize

# The sections a team writes; their default text until it does.
TEAM_SECTIONS = {
    "intended-use": (
        "_To fill in (kept when the card is regenerated):_ who uses the predictions, for"
        " which decision, on which population; what the model must not be used for."
    ),
    "limitations": (
        "_To fill in (kept when the card is regenerated):_ known weak spots (groups,"
        " ranges or periods with little data), what the data leaves out, and the"
        " risks of a wrong prediction.\n\n"
        "- The model knows only the data it was trained on: inputs outside the contract's\n"
        "  ranges are refused, and the drift monitor (`make monitor`) flags batches that\n"
        "  stop looking like the training data.\n"
        "- A small held-out split makes metrics noisy: the gate asks for an improvement\n"
        "  beyond a bootstrap interval, and the CV spread in the evaluation table shows the noise."
    ),
}
_TEAM = re.compile(r"<!-- team:(?P<name>[a-z-]+) -->\n(?P<text>.*?)\n<!-- /team -->", re.S)


def md(value: Any) -> str:
    """User text (column names, labels) as literal Markdown: no HTML, no table breaks."""
    text = html.escape(str(value), quote=False)
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", text).replace("\n", " ")


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _bound(value: float | None) -> str:
    return "any" if value is None else f"{value:g}"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def what_it_is(contract: Contract) -> str:
    """A classifier of N classes, or a regressor, and of which target (Markdown)."""
    if contract.task == "classification":
        classes = ", ".join(md(c) for c in contract.classes)
        return (
            f"a classifier: it predicts **{md(contract.target)}**, one of"
            f" {len(contract.classes)} classes ({classes}), with a probability for each"
        )
    return f"a regressor: it estimates the number **{md(contract.target)}**"


def split_text(run: dict[str, Any], contract: Contract) -> str:
    """How the held-out rows were chosen (Markdown)."""
    params = run["params"]
    key = str(params.get("split_key") or ",".join(split_key(contract))).split(",")
    keyed = (
        f"its id column(s) {', '.join(md(k) for k in key)}"
        if contract.ids
        else "all its feature and target values (no id column)"
    )
    return (
        f"a row is held out when the SHA-256 hash of {keyed} falls below"
        f" `split.test_size` = {params.get('test_size')} (about"
        f" {float(params.get('test_size', 0)):.0%} of the rows). The side of a row depends"
        " on its key only: not on the seed, the row order or the other rows, so appended"
        " rows or a new model never move a held-out row into training"
    )


def _keep_team_text(text: str, old: str | None) -> str:
    """`text` with each team section replaced by its text in the `old` card, if any."""
    if not old:
        return text
    kept = {m["name"]: m["text"] for m in _TEAM.finditer(old)}

    def keep(match: re.Match[str]) -> str:
        body = kept.get(match["name"], match["text"])
        return f"<!-- team:{match['name']} -->\n{body}\n<!-- /team -->"

    return _TEAM.sub(keep, text)


def gate_text(summary: RunSummary) -> str:
    """The decision, both scores and the reason (Markdown)."""
    run, metric = summary.run, summary.gate_metric
    gate, champion = run["gate"], run.get("champion")
    decision = "passed: promoted" if gate["passed"] else "failed: refused"
    model = summary.metrics[0].model if summary.metrics else run["metrics"][metric]
    baseline = run["baseline"].get(metric)
    scores = [f"this model {model:.4f}", f"baseline (Dummy) {_number(baseline)}"]
    if champion:
        scores.append(
            f"champion (version {champion['version']}) {champion['champion']:.4f} against"
            f" {champion['challenger']:.4f} on the same {champion['rows']} held-out rows"
        )
    direction = "lower" if metric in LOWER_IS_BETTER else "higher"
    return (
        f"- Decision: **{decision}** on `{metric}` ({direction} is better)\n"
        f"- Scores: {'; '.join(scores)}\n"
        f"- Reason: {md(gate['reason'])}\n"
        f"- Champion now: version {run['champion_version'] or 'none'}"
    )


def model_card(
    summary: RunSummary, config: Config, contract: Contract, figures: dict[str, str]
) -> str:
    """The model card's Markdown; `figures` maps plot names to paths relative to the card."""
    run = summary.run
    has_champion = any(r.champion is not None for r in summary.metrics)
    header: tuple[str, ...] = ("metric", "model (held out)", "baseline (Dummy)")
    header += ("champion",) if has_champion else ()
    header += ("CV on training rows (mean ± std)", "training rows")

    def cells(r: MetricRow) -> tuple[str, ...]:
        found: tuple[str, ...] = (f"`{r.name}`", _number(r.model), _number(r.baseline))
        found += (_number(r.champion),) if has_champion else ()
        return (*found, r.cv_text, _number(r.train))

    metrics = _table([cells(r) for r in summary.metrics], header)
    against = (
        ", the champion before this run (the gate metric, on the same rows)" if has_champion else ""
    )
    if summary.per_class:
        metrics += "\n\nPer class (held out):\n\n" + _table(
            [(f"`{r.name}`", _number(r.model), _number(r.baseline)) for r in summary.per_class],
            ("metric", "model", "baseline (Dummy)"),
        )
    params = _table(
        [(md(k), md(v)) for k, v in summary.params.items()] or [("—", "not recorded")],
        ("parameter", "value"),
    )
    plots = (
        "\n\n".join(f"![{name.replace('_', ' ')}]({path})" for name, path in figures.items())
        or "No plots for this run."
    )
    notes = "".join(f"\n- {md(note)}" for note in summary.notes)
    team = {
        name: f"<!-- team:{name} -->\n{text}\n<!-- /team -->"
        for name, text in TEAM_SECTIONS.items()
    }
    return f"""# Model card

Generated by `make docs-cards` from `reports/` (the last training run) and
`{config.paths.contract}`. Edits are overwritten except between the `team:` markers;
change the rest in `src/{__package__}/model_card.py`.

## Model

- Registered model: `{config.tracking.registered_model}`, version **{run["model_version"]}**
  (champion: version {run["champion_version"] or "none"})
- Training run: `{run["run_id"]}`; data contract `{run["contract"][:12]}`
- Task: {contract.task}, {what_it_is(contract)}, from {len(contract.features)} feature(s).
- Pipeline: numeric features imputed (median) and scaled, categorical ones imputed and
  one-hot encoded (unknown categories ignored), then `{run["estimator"]}`.
- Evaluation report: `reports/evaluation.html` (metrics and plots on one page).

## Intended use

{team["intended-use"]}

## Training data

- `{config.paths.raw_data}`, SHA-256 `{run["data_sha256"]}`; see the [data card](data-card.md).
- Rows: {run["rows"]["train"]} for training, {run["rows"]["test"]} held out;
  {run["rows"]["no_target"]} without a target value left out.
- Split: {split_text(run, contract)}. The exact rows are in `{config.paths.processed_dir}/`.

## Evaluation

On the held-out rows, against scikit-learn's Dummy baseline (trained on the same rows){against}
and {config.evaluation.cv_folds}-fold cross-validation on the training rows (`evaluation.cv_folds`).

{metrics}
{notes}

## Quality gate

Rule: beat the Dummy baseline by `gate.baseline_margin` = {config.gate.baseline_margin}, and
beat the champion of the same data contract beyond the noise (the lower end of the
{config.gate.confidence:.0%} bootstrap interval of the improvement above 0).

{gate_text(summary)}

## Plots

On the held-out rows of this run.

{plots}

## Parameters

Every parameter of the fitted estimator (`model.*`) and the pipeline's steps.

{params}

## Limitations

{team["limitations"]}
"""


def copy_figures(summary: RunSummary, docs: Path) -> dict[str, str]:
    """Copy the run's plots to docs/figures/ (replacing the last ones); name -> relative path."""
    figures = docs / "figures"
    if figures.is_dir():
        for stale in figures.glob("*.png"):
            stale.unlink()
    figures.mkdir(parents=True, exist_ok=True)
    copied = {}
    for plot in summary.plots:
        shutil.copyfile(plot, figures / plot.name)
        copied[plot.stem] = f"figures/{plot.name}"
    return copied


def _roles(contract: Contract) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, column in contract.schema.columns.items():
        role = str((column.metadata or {}).get("role", "feature"))
        found.setdefault(role, []).append(str(name))
    return found


def _names(names: list[str]) -> str:
    return ", ".join(md(n) for n in names) or "none"


def _categorical_rows(frame: pd.DataFrame, contract: Contract) -> list[tuple[Any, ...]]:
    rows = []
    for f in (f for f in contract.features if f.kind == "categorical"):
        counts = frame[f.name].astype("string").value_counts()
        top = ", ".join(f"{md(v)} ({n})" for v, n in counts.head(8).items())
        rows.append(
            (
                md(f.name),
                len(f.categories),
                len(counts),
                int(frame[f.name].isna().sum()),
                top + (" …" if len(counts) > 8 else ""),
            )
        )
    return rows


def data_card(config: Config, contract: Contract) -> str:
    """The data card's Markdown, from the raw data and its contract."""
    frame = load(config.path(config.paths.raw_data), contract=contract)
    _, unlabelled = labelled(frame, contract)
    roles = _roles(contract)
    kinds = {
        kind: [f.name for f in contract.features if f.kind == kind]
        for kind in ("numeric", "categorical", "datetime")
    }
    columns = _table(
        [
            ("feature, numeric", len(kinds["numeric"]), _names(kinds["numeric"])),
            ("feature, categorical", len(kinds["categorical"]), _names(kinds["categorical"])),
            ("feature, date", len(kinds["datetime"]), _names(kinds["datetime"])),
            ("target", 1, md(contract.target)),
            ("id (dropped before training)", len(contract.ids), _names(list(contract.ids))),
            (
                "ignored (constant, empty or free text)",
                len(roles.get("ignored", [])),
                _names(roles.get("ignored", [])),
            ),
        ],
        ("role", "columns", "names"),
    )
    sections = [f"## Columns by role\n\n{columns}"]
    rows: list[tuple[Any, ...]]
    if kinds["numeric"]:
        rows = []
        for f in (f for f in contract.features if f.kind == "numeric"):
            column = frame[f.name]
            rows.append(
                (
                    md(f.name),
                    f"{column.mean():.3f}",
                    f"{column.std():.3f}",
                    f"{column.min():.4g}",
                    f"{column.max():.4g}",
                    int(column.isna().sum()),
                    f"{_bound(f.minimum)}–{_bound(f.maximum)}",
                )
            )
        sections.append(
            "## Numeric features\n\n"
            + _table(rows, ("feature", "mean", "std", "min", "max", "missing", "allowed"))
        )
    if kinds["categorical"]:
        sections.append(
            "## Categorical features\n\n"
            + _table(
                _categorical_rows(frame, contract),
                ("feature", "in the contract", "in the data", "missing", "rows per value"),
            )
        )
    if kinds["datetime"]:
        rows = [
            (
                md(f.name),
                str(frame[f.name].min())[:19],
                str(frame[f.name].max())[:19],
                int(frame[f.name].isna().sum()),
            )
            for f in contract.features
            if f.kind == "datetime"
        ]
        sections.append(
            "## Date features (learnt as year, month, day, day of week, day of year)\n\n"
            + _table(rows, ("feature", "first", "last", "missing"))
        )
    target = frame[contract.target]
    if contract.task == "classification":
        counts = target.astype(str).value_counts()
        rows = [(md(label), int(counts.get(str(label), 0))) for label in contract.classes]
        rows.append(("missing", int(target.isna().sum())))
        body = _table(rows, ("class", "rows"))
    else:
        summary = target.describe()
        rows = [(name, f"{summary[name]:.4g}") for name in ("mean", "std", "min", "max")]
        rows.append(("missing", f"{int(target.isna().sum())}"))
        body = _table(rows, ("statistic", "value"))
    sections.append(f"## Target {md(contract.target)} ({contract.task})\n\n{body}")
    missing = int(frame.isna().sum().sum())
    return f"""# Data card

Generated by `make docs-cards` from `{config.paths.raw_data}` and `{config.paths.contract}`,
so edits here are overwritten: change the text in `src/{__package__}/model_card.py`.

## Source

`{config.paths.raw_data}`: {len(frame)} rows, {len(frame.columns)} columns, {unlabelled}
rows without a target value (left out of training), {missing} missing values in all.
Validated against the data contract `{config.paths.contract}` (types, ranges, categories,
missing values).

{chr(10).join(s + chr(10) for s in sections)}"""


def main(config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code (see jobs.py)."""
    return jobs.run(lambda: _main(config or get_config()))


def _main(config: Config) -> int:
    reports = config.path(config.paths.reports_dir)
    last_run = reports / "last_run.json"
    if not last_run.is_file():
        raise jobs.JobError(f"{last_run} does not exist", "run `make train` first")
    try:
        run = json.loads(last_run.read_text(encoding="utf-8"))
        contract = load_contract(config.path(config.paths.contract))
        summary = summarize(run, config, contract)
        data = data_card(config, contract)
    except (DataError, ContractError, FileNotFoundError, KeyError, ValueError) as error:
        raise jobs.JobError(
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
            f"run `make data train` again to rewrite {last_run}",
        ) from None
    docs = config.root / "docs"
    card = docs / "model-card.md"
    old = card.read_text(encoding="utf-8") if card.is_file() else None
    text = model_card(summary, config, contract, copy_figures(summary, docs))
    jobs.write_atomic(card, _keep_team_text(text, old))
    jobs.write_atomic(docs / "data-card.md", data)
    page = reports / "evaluation.html"
    jobs.write_atomic(page, render_html(summary, contract))
    print(f"wrote {card}, {docs / 'data-card.md'}, {docs / 'figures'}/ and {page}")
    return jobs.DONE


if __name__ == "__main__":
    sys.exit(main())
