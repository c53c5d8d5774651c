"""Fill docs/model-card.md and docs/data-card.md from the last training run.

`python -m <package>.model_card` (or `make docs-cards`) after `make train`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .config import Config, get_config
from .data import CLASSES, FEATURES, TARGET, load


def model_card(run: dict, config: Config) -> str:
    """The model card's Markdown, from the last run's report."""
    metrics = "\n".join(f"| {name} | {value:.4f} |" for name, value in run["metrics"].items())
    params = "\n".join(f"| {name} | {value} |" for name, value in run["params"].items())
    gate = run["gate"]
    return f"""# Model card

Filled by `make docs-cards` from `reports/last_run.json`; edit the prose, rerun to refresh the numbers.

## Model

- Registered model: `{config.tracking.registered_model}`, version **{run["model_version"]}**
  (champion: version {run["champion_version"]})
- MLflow run: `{run["run_id"]}`
- Pipeline: feature selection in a fixed order, standard scaling, multinomial logistic regression.
- Intended use: classify iris flowers from four measurements in centimetres. Not for other species.

## Training data

- Sample data SHA-256: `{run["data_sha256"]}`; see the [data card](data-card.md).

## Evaluation (held-out split)

| metric | value |
| --- | --- |
{metrics}

## Quality gate

- Rule: `{config.gate.metric}` at least {config.gate.min_value} and not worse than the champion.
- Result: {"passed" if gate["passed"] else "failed"} — {gate["reason"]}

## Parameters

| parameter | value |
| --- | --- |
{params}
"""


def data_card(config: Config) -> str:
    """The data card's Markdown, from the raw data."""
    frame = load(config.path(config.data.raw_path))
    stats = frame[list(FEATURES)].describe().T
    rows = "\n".join(
        f"| {name} | {row['mean']:.3f} | {row['std']:.3f} | {row['min']:.2f} | {row['max']:.2f} |"
        for name, row in stats.iterrows()
    )
    counts = frame[TARGET].value_counts().sort_index()
    classes = "\n".join(f"| {i} | {CLASSES[i]} | {count} |" for i, count in counts.items())
    return f"""# Data card

Filled by `make docs-cards` from `{config.data.raw_path}`.

## Source

The iris measurements bundled with scikit-learn (Fisher, 1936): {len(frame)} flowers, no download needed.
Validated by the pandera schema in `data.py` (types, ranges 0–30 cm, no missing values, known labels).

## Features

| feature | mean | std | min | max |
| --- | --- | --- | --- | --- |
{rows}

## Labels

| value | class | rows |
| --- | --- | --- |
{classes}
"""


def main(config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    config = config or get_config()
    last_run = config.path(config.reports_dir) / "last_run.json"
    if not last_run.is_file():
        print(f"error: {last_run} does not exist: run `make train` first", file=sys.stderr)
        return 1
    docs = config.root / "docs"
    docs.mkdir(exist_ok=True)
    run = json.loads(last_run.read_text(encoding="utf-8"))
    Path(docs / "model-card.md").write_text(model_card(run, config), encoding="utf-8")
    Path(docs / "data-card.md").write_text(data_card(config), encoding="utf-8")
    print(f"wrote {docs / 'model-card.md'} and {docs / 'data-card.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
