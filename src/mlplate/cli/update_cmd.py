"""`mlplate update [PATH]`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mlplate import questions
from mlplate.cli.app import app, print_json, stdout
from mlplate.update import UpdateReport, update


@app.command("update")
def update_command(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    path: Path = typer.Argument(Path("."), help="The project to update."),
    to: Optional[str] = typer.Option(
        None, "--to", help="Template version (default: latest release)."
    ),
    data: list[str] = typer.Option(
        [], "--data", "-d", help="Answer or change a question: key=value."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the diff; change nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable report."),
    no_lock: bool = typer.Option(False, "--no-lock", help="Do not re-lock uv.lock."),
) -> None:
    """Update a project to a newer template version; exit 1 if conflicts are left."""
    report = update(path, to=to, data=questions.parse_data(data), dry_run=dry_run, lock=not no_lock)
    if as_json:
        print_json(report.to_json())
    else:
        _print(report)
    raise typer.Exit(report.exit_code)


def _print(report: UpdateReport) -> None:
    if report.dry_run and report.diff:
        print(report.diff, end="")
    verb = "would update" if report.dry_run else "updated"
    stdout.print(
        f"{verb} {report.project} from template {report.from_version} to {report.to_version}"
    )
    for action, entries in report.changes.items():
        for entry in entries:
            if action == "skipped" and entry.get("reason") == "unchanged":
                continue
            reason = f" ({entry['reason']})" if entry.get("reason") else ""
            stdout.print(f"  {action:<10} {entry['path']}{reason}", markup=False)
    if report.relocked:
        stdout.print("  relocked   uv.lock (regenerated with uv, never text-merged)", markup=False)
    if report.conflicted:
        stdout.print(
            f"[bold red]{len(report.conflicted)} file(s) have conflict markers[/]: "
            "resolve them, then commit "
            "(`mlplate check` finds any left)."
        )
