"""`mlplate update [PATH]`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from mlplate import questions
from mlplate.cli.app import app, print_json, stdout
from mlplate.errors import UserError
from mlplate.update import UpdateReport, update
from mlplate.update.many import many_exit_code, many_json, update_many


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
    many: list[Path] = typer.Option([], "--many", help="Update these projects too (repeatable)."),
    many_file: Optional[Path] = typer.Option(None, "--many-file", help="File listing projects."),
    jobs: int = typer.Option(2, "--jobs", "-j", min=1, help="Projects updated at once."),
) -> None:
    """Update a project to a newer template version; exit 1 if conflicts are left."""
    if many or many_file:
        _update_many([path, *many], many_file, to=to, jobs=jobs, lock=not no_lock, as_json=as_json)
        return
    report = update(path, to=to, data=questions.parse_data(data), dry_run=dry_run, lock=not no_lock)
    if as_json:
        print_json(report.to_json())
    else:
        _print(report)
    raise typer.Exit(report.exit_code)


def _update_many(  # pylint: disable=too-many-arguments
    paths: list[Path],
    listing: Optional[Path],
    *,
    to: Optional[str],
    jobs: int,
    lock: bool,
    as_json: bool,
) -> None:
    if listing is not None:
        if not listing.is_file():
            raise UserError(
                f"--many-file {listing} does not exist", "pass a file with one project path a line"
            )
        lines = listing.read_text(encoding="utf-8").splitlines()
        paths = paths + [
            Path(line.strip()) for line in lines if line.strip() and not line.startswith("#")
        ]
    if Path(".") in paths and len(paths) > 1 and not (Path(".") / ".copier-answers.yml").is_file():
        paths = [p for p in paths if p != Path(".")]  # the default PATH, when only --many was meant
    outcomes = update_many(paths, to=to, jobs=jobs, lock=lock)
    if as_json:
        print_json(many_json(outcomes))
    else:
        table = Table("project", "status", "detail", title="mlplate update --many")
        colour = {
            "updated": "green",
            "up-to-date": "dim",
            "conflicts": "yellow",
            "error": "bold red",
        }
        for outcome in outcomes:
            table.add_row(
                outcome.project, f"[{colour[outcome.status]}]{outcome.status}[/]", outcome.detail
            )
        stdout.print(table)
    raise typer.Exit(many_exit_code(outcomes))


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
    for name in report.migrations:
        stdout.print(
            f"  migrated   {name} ({'would run' if report.dry_run else 'ran'} once)", markup=False
        )
    if report.relocked:
        stdout.print("  relocked   uv.lock (regenerated with uv, never text-merged)", markup=False)
    if report.conflicted:
        stdout.print(
            f"[bold red]{len(report.conflicted)} file(s) have conflict markers[/]: "
            "resolve them, then commit "
            "(`mlplate check` finds any left)."
        )
