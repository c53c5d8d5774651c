"""`mlplate new DEST`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from mlplate.cli.app import (
    app,
    json_option,
    print_json,
    quiet_option,
    say,
    set_output,
    stderr,
    stdout,
)

if TYPE_CHECKING:
    from mlplate.results import NewResult

# The core (copier, jinja, the template source) loads when the command runs, not for --help.
# pylint: disable=import-outside-toplevel


@app.command("new")
def new_command(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    dest: Path = typer.Argument(
        ...,
        help="Directory to create (must be missing or empty); its name is the project's "
        "default name.",
    ),
    template: Optional[str] = typer.Option(
        None,
        "--template",
        "-t",
        metavar="SRC",
        help="Copier template: local path or git URL (default: $MLPLATE_TEMPLATE, the user "
        "config's template, else the bundled one).",
    ),
    vcs_ref: Optional[str] = typer.Option(
        None, "--vcs-ref", "-r", metavar="REF", help="Template version: tag, branch or commit."
    ),
    data: list[str] = typer.Option(
        [], "--data", "-d", metavar="KEY=VALUE", help="Answer a question (repeatable)."
    ),
    data_file: Optional[Path] = typer.Option(
        None, "--data-file", metavar="FILE", help="YAML file of answers (as copier's)."
    ),
    answers_file: Optional[Path] = typer.Option(
        None, "--answers-file", hidden=True, help="Deprecated spelling of --data-file."
    ),
    defaults: bool = typer.Option(
        False, "--defaults", "-l", help="Use defaults for unanswered questions; never prompt."
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        "--pretend",
        "-n",
        help="List the files that would be written; write nothing.",
    ),
    no_git: bool = typer.Option(False, "--no-git", help="Skip git init and the first commit."),
    no_lock: bool = typer.Option(False, "--no-lock", help="Skip locking dependencies with uv."),
    as_json: bool = json_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Create a complete, working ML project in DEST."""
    from mlplate import questions, team_template
    from mlplate.new import new

    set_output(quiet=quiet, as_json=as_json)
    if data_file is not None and answers_file is not None:
        from mlplate.errors import UserError

        raise UserError(
            "--answers-file is the old name of --data-file; give only one", "use --data-file FILE"
        )
    if answers_file is not None and not quiet and not as_json:
        stderr.print("warning: --answers-file is deprecated; use --data-file", highlight=False)
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
            template=team_template.default(template),
            vcs_ref=vcs_ref,
            data=questions.parse_data(data),
            answers_file=data_file or answers_file,
            defaults=not interactive,
            git=not no_git,
            lock=not no_lock,
            dry_run=dry_run,
            progress=progress if not interactive else (lambda _s: None),
        )
    finally:
        if status is not None:
            status.stop()
    for warning in result.warnings if not (as_json or quiet) else ():
        stderr.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    if as_json:
        print_json(result.to_json())
    elif quiet:
        return
    elif dry_run:
        _print_dry_run(result)
    else:
        _print_next_steps(result)


def _print_dry_run(result: NewResult) -> None:
    version = result.template_version or "unversioned"
    say(f"would create {result.destination} from {result.template} ({version}):")
    for rel in result.files:
        say(f"  {rel}")
    steps = [s for s in ("lock", "git") if s in result.steps]
    then = f", then {' and '.join(steps)}" if steps else ""
    say(f"{len(result.files)} files{then}. Nothing was written (--dry-run).")


def _print_next_steps(result: NewResult) -> None:
    from rich.panel import Panel

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
