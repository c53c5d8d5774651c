"""`mlplate new DEST`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.panel import Panel

from mlplate import questions
from mlplate.cli.app import app, print_json, stderr, stdout
from mlplate.new import new
from mlplate.results import NewResult


@app.command("new")
def new_command(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    dest: Path = typer.Argument(..., help="Directory to create (must be missing or empty)."),
    template: Optional[str] = typer.Option(
        None,
        "--template",
        "-t",
        help="Copier template: local path or git URL (default: the bundled one).",
    ),
    vcs_ref: Optional[str] = typer.Option(
        None, "--vcs-ref", help="Template version: tag, branch or commit."
    ),
    data: list[str] = typer.Option(
        [], "--data", "-d", help="Answer a question: key=value (repeatable)."
    ),
    answers_file: Optional[Path] = typer.Option(
        None, "--answers-file", help="YAML file of answers."
    ),
    defaults: bool = typer.Option(
        False, "--defaults", help="Use defaults for unanswered questions; never prompt."
    ),
    no_git: bool = typer.Option(False, "--no-git", help="Skip git init and the first commit."),
    no_lock: bool = typer.Option(False, "--no-lock", help="Skip locking dependencies with uv."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
) -> None:
    """Create a complete, working ML project in DEST."""
    interactive = not defaults and sys.stdin.isatty() and not as_json
    show_progress = not quiet and not as_json
    status = stderr.status("Starting", spinner="dots") if show_progress else None

    def progress(step: str) -> None:
        if status is not None:
            status.update(step)

    if status is not None and not interactive:
        status.start()
    try:
        result = new(
            dest,
            template=template,
            vcs_ref=vcs_ref,
            data=questions.parse_data(data),
            answers_file=answers_file,
            defaults=not interactive,
            git=not no_git,
            lock=not no_lock,
            progress=progress if not interactive else (lambda _s: None),
        )
    finally:
        if status is not None:
            status.stop()
    if as_json:
        print_json(result.to_json())
    elif not quiet:
        _print_next_steps(result)


def _print_next_steps(result: NewResult) -> None:
    where = result.destination
    try:
        where = where.relative_to(Path.cwd())
    except ValueError:
        pass
    answers = result.answers
    package = answers.get("package_name", "")
    tracker = {"wandb": "W&B, offline", "none": "runs/"}.get(answers.get("tracker"), "MLflow")
    if answers.get("serving") == "batch":
        serve = "  make predict     # score BATCH=file.csv into reports/predictions/"
    else:
        serve = f"  make serve       # FastAPI on :8000 (POST /predict, /v2/models/{package}/infer)"
    lines = [
        f"Created {where} from {result.template} ({result.template_version or 'unversioned'}).",
        "",
        "Next steps:",
        f"  cd {where}",
        "  make install     # uv sync: create .venv with the locked dependencies",
        "  make test        # the project's own tests",
        (
            f"  make data train  # check your data, then train, track ({tracker}), "
            "register the champion"
            if answers.get("dataset")
            else f"  make data train  # sample data, then train, track ({tracker}), "
            "register the champion"
        ),
        "  make drift-demo  # drift report on a clean and a drifted batch",
        serve,
    ]
    stdout.print(Panel("\n".join(lines), title="mlplate new", expand=False))
