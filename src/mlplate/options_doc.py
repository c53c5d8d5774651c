"""The template's questions as Markdown (docs/options.md), generated from copier.yml.

`python -m mlplate.options_doc > docs/options.md`; a test fails when the page is stale,
or when an option has no entry in DETAILS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlplate.questions import specs

COPIER_YML = Path(__file__).resolve().parents[2] / "copier.yml"

HEADER = """# Template options

`mlplate new DIR --data NAME=VALUE` (or the questions `mlplate new` asks in a
terminal) chooses them; plain `copier copy --data NAME=VALUE` works the same. Each
option switches whole files or folders on or off rather than scattering conditions
through files. Every combination in the pairwise set of `tests/e2e/pairwise.py` is
generated in CI and put through its own tests, pipeline, pre-commit, workflow,
Dockerfile and docs linters, `dvc repro` where chosen, and `mlplate check`.

**Change an option later** on an existing project with
`mlplate update --to HEAD --data NAME=VALUE` (or `--to` a newer release). The update
adds exactly the files the new value brings, removes the template's files for the old
value (a file you edited is kept and reported as a conflict, never lost), merges the
shared files (`pyproject.toml`, `Makefile`, workflows) and re-locks `uv.lock`. Seeded
files (README, docs, the package's modules) are not rewritten: copy what you need from
a freshly generated project.

**Bad input** (an unknown value such as `--data tracker=nope`, or a combination that
cannot work such as `gpu_image=true` with `docker=false`) stops with one `error:` line
naming the question and the fix; nothing is written.
"""

# What each option generates; the table above it comes from copier.yml.
DETAILS: dict[str, str] = {
    "dataset": (
        "Your CSV or Parquet file. `mlplate new DIR --data dataset=PATH --data target=COLUMN` "
        "checks it (file, format, header, target column), copies it to `data/raw/<file>`, "
        "records that in-project path (never the path on your machine, so `mlplate update` "
        "and teammates replay the same answers) and writes `configs/schema.yaml` with the "
        "project's own `python -m <package>.data.contract` before the first commit. Blank: the "
        "bundled sample. With plain `copier copy`, put the file in `data/raw/` yourself and "
        "run `make contract DATA=data/raw/<file> TARGET=COLUMN`."
    ),
    "target": "The column to predict; asked only with a data set.",
    "task": (
        "`infer` (the default) makes a number column with many distinct values a regression "
        "and anything else a classification; `classification` or `regression` overrides it. "
        "Asked only with a data set."
    ),
    "tracker": (
        "`mlflow`: an embedded store in `mlruns/` (sqlite + artifacts), the MLflow model "
        "registry and a `champion` alias; `MLFLOW_TRACKING_URI` points it at a server. "
        "`wandb`: runs logged to Weights & Biases, offline under `wandb/` unless "
        "`WANDB_API_KEY` is set (`WANDB_MODE=online` without a key stops `make train` "
        "before any work, exit 2). `none`: `params.json`, `metrics.json` and `tags.json` "
        "per run in `runs/<id>/`. With `wandb` and `none` the registry is a folder, "
        "`models/registry/<name>/<version>/` (skops model files, loaded without running "
        "pickle code) with `aliases.json`. `train`, `serve`, `predict`, `evaluate` and "
        "`registry` use one `Tracker` interface and do not change with the choice."
    ),
    "linting": (
        "`black-pylint`: black and pylint (in the project's locked environment) as local "
        "pre-commit hooks. `ruff`: `ruff format` and `ruff check` with pyflakes, "
        "pycodestyle, pylint's rules (PL), naming, docstrings, bugbear, imports, upgrades "
        "and simplifications; every ignored rule carries its reason in `pyproject.toml`."
    ),
    "serving": (
        "`fastapi`: `serve/api.py` (FastAPI, Open Inference Protocol v2, Prometheus "
        "`/metrics`), `make serve`, `docs/api.md`, an image that serves on port 8000 with "
        "a HEALTHCHECK. `batch`: `serve/predict.py`, `make predict BATCH=file.csv` writing "
        "`reports/predictions/`, schema-checked input, no web server; the image's "
        "entrypoint is the predict command."
    ),
    "docker": (
        "`Dockerfile` (multi-stage, locked dependencies, non-root, HEALTHCHECK), "
        "`.dockerignore`, the CI image job and `cd.yml` (push and attest on tags). With "
        "`false` none of them exist and `mlplate check` skips MP303, saying why."
    ),
    "gpu_image": (
        "`Dockerfile.gpu` on a pinned `nvidia/cuda` runtime base (same user, port, health "
        "check and command as the CPU image), `docs/gpu.md` (`docker run --gpus all`), "
        "and CD steps pushing `-gpu` tags. Needs `docker=true`."
    ),
    "data_versioning": (
        "`dvc`: `dvc.yaml` with `data`, `train` and `evaluate` stages that run the same "
        "commands as the make targets, `.dvc/config` with a local default remote "
        "(`.dvcstore/`, ignored by git), `.dvcignore`, `make repro`, and `dvc` in the dev "
        "group. Every project has `make evaluate`."
    ),
    "kubernetes": (
        "`k8s/`: Deployment (probes on `/health` and `/ready`, requests and limits, "
        "non-root read-only pod), Service, HorizontalPodAutoscaler and kustomization "
        "(`kubectl apply -k k8s/`); `tests/test_kubernetes.py` validates them offline "
        "against the Kubernetes schemas; `docs/kubernetes.md`. Needs `docker=true` and "
        "`serving=fastapi`."
    ),
    "ci_python_versions": (
        "The Python versions of the CI test matrix; must include `python_version` and "
        "nothing older."
    ),
    "license": "`LICENSE` with the full text, and the `license` field of `pyproject.toml`.",
    "organization": "The repository URL in `pyproject.toml`, and image names.",
    "code_owners": (
        "`.github/CODEOWNERS`: the required reviewers once branch protection requires "
        "review from code owners."
    ),
}


def questions(config_text: str) -> dict[str, dict[str, Any]]:
    """The questions a user answers (no settings, no computed values), in order."""
    return {
        name: spec for name, spec in specs(config_text).items() if spec.get("when") is not False
    }


def _values(spec: dict[str, Any]) -> str:
    choices = spec.get("choices")
    if isinstance(choices, dict):
        return ", ".join(f"`{v}`" for v in choices.values())
    if isinstance(choices, list):
        return ", ".join(f"`{v}`" for v in choices) + (
            " (several)" if spec.get("multiselect") else ""
        )
    return "`true`, `false`" if spec.get("type") == "bool" else "text"


def _default(spec: dict[str, Any]) -> str:
    default = spec.get("default", "")
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, list):
        default = ", ".join(default)
    if default in ("", None):
        return "(blank)"
    if "{{" in str(default):
        return "derived"  # computed from earlier answers when asked
    return f"`{default}`"


def render(config_text: str | None = None) -> str:
    """The Markdown page."""
    text = config_text if config_text is not None else COPIER_YML.read_text(encoding="utf-8")
    asked = questions(text)
    lines = [
        HEADER,
        "| option | values | default | asked when | what it is |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, spec in asked.items():
        when = str(spec["when"]).strip("{} ") if "when" in spec else "always"
        help_text = " ".join(str(spec.get("help", "")).split()).replace("|", "\\|")
        lines.append(f"| `{name}` | {_values(spec)} | {_default(spec)} | {when} | {help_text} |")
    lines += ["", "## What each option generates", ""]
    for name in asked:
        if name in DETAILS:
            lines += [f"### `{name}`", "", DETAILS[name], ""]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(render(), end="")
