"""`mlplate adopt [PATH]`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mlplate import questions
from mlplate.adopt import adopt
from mlplate.cli.app import app, print_json, stdout


@app.command("adopt")
def adopt_command(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    path: Path = typer.Argument(Path("."), help="The repository to put under the template."),
    template: Optional[str] = typer.Option(
        None, "--template", "-t", help="Copier template (default: bundled)."
    ),
    vcs_ref: Optional[str] = typer.Option(None, "--vcs-ref", help="Template version to record."),
    data: list[str] = typer.Option([], "--data", "-d", help="Answer a question: key=value."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable result."),
) -> None:
    """Record the template and its version in an existing repository (answers inferred)."""
    result = adopt(
        path, template=template, vcs_ref=vcs_ref, data=questions.parse_data(data), dry_run=dry_run
    )
    if as_json:
        print_json(result.to_json())
        return
    verb = "would adopt" if dry_run else "adopted"
    stdout.print(f"{verb} {result.project} ({result.origin} layout) at template {result.version}")
    for key, value in sorted(result.answers.items()):
        stdout.print(f"  {key}: {value}", markup=False)
    stdout.print(
        f"{'would write' if dry_run else 'wrote'}: {', '.join(result.written)}", markup=False
    )
    for kind in ("differs", "missing"):
        if result.files.get(kind):
            stdout.print(f"{kind} from the template: {', '.join(result.files[kind])}", markup=False)
    stdout.print("next: review, commit, then `mlplate update` and `mlplate check` work on it.")
