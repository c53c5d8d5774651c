"""`mlplate update [PATH]…`: parse, call `mlplate.update`, print the report."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from mlplate.cli.app import app, json_option, print_json, quiet_option, set_output, stdout
from mlplate.errors import UserError

if TYPE_CHECKING:
    from mlplate.update import UpdateReport
    from mlplate.update.many import ManyOutcome

# The update engine (copier, ruamel.yaml, tomlkit) loads when the command runs, not for --help.
# pylint: disable=import-outside-toplevel

_COLOUR = {"updated": "green", "up-to-date": "dim", "conflicts": "yellow", "error": "bold red"}


@app.command("update")
def update_command(  # pylint: disable=too-many-locals,too-many-arguments,too-many-positional-arguments
    paths: Optional[list[Path]] = typer.Argument(
        None,
        metavar="PATH",
        help="The project to update (default: the current directory); several with --many.",
    ),
    to: Optional[str] = typer.Option(
        None,
        "--vcs-ref",
        "-r",
        "--to",
        metavar="REF",
        help="Template version: tag, branch, commit or HEAD (default: latest release); "
        "--to is the older spelling.",
    ),
    data: list[str] = typer.Option(
        [], "--data", "-d", metavar="KEY=VALUE", help="Answer a new question or change an answer."
    ),
    defaults: bool = typer.Option(
        False, "--defaults", "-l", help="Use defaults for new questions; never prompt."
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        "--pretend",
        "-n",
        help="Print the diff the update would make; change nothing.",
    ),
    as_json: bool = json_option(),
    quiet: bool = quiet_option(),
    no_lock: bool = typer.Option(False, "--no-lock", help="Do not regenerate uv.lock."),
    many: bool = typer.Option(
        False, "--many", help="Update every PATH given (and those of --many-file), in parallel."
    ),
    many_file: Optional[Path] = typer.Option(
        None,
        "--many-file",
        metavar="FILE",
        help="A file listing project paths, one a line (# comments).",
    ),
    jobs: int = typer.Option(
        2, "--jobs", "-j", min=1, metavar="N", help="Projects updated at once (--many)."
    ),
    trust: bool = typer.Option(
        False, "--trust", help="Let the template run its migrations (read them first)."
    ),
    allow_downgrade: bool = typer.Option(
        False, "--allow-downgrade", help="Allow --to a version older than the project's."
    ),
    template: Optional[str] = typer.Option(
        None,
        "--template",
        metavar="SRC",
        help="Read the template here (path or git URL) instead of where the project records "
        "it (default when that cannot be reached: $MLPLATE_TEMPLATE, the user config file).",
    ),
) -> None:
    """Update a project to a newer template version: exit 0 clean, 1 conflicts left, 2 error."""
    from mlplate import project, questions
    from mlplate.update import update
    from mlplate.update.many import many_exit_code, many_json, update_many

    set_output(quiet=quiet, as_json=as_json)
    targets = list(paths or [])
    answers = questions.parse_data(data)
    if many or many_file is not None or len(targets) > 1:
        listed = targets + _listed(many_file)
        if not listed:
            raise UserError("--many names no project", "pass project paths, or --many-file FILE")
        outcomes = update_many(
            listed,
            jobs=jobs,
            to=to,
            data=answers,
            dry_run=dry_run,
            lock=not no_lock,
            trust=trust,
            allow_downgrade=allow_downgrade,
            template=template,
        )
        if as_json:
            print_json(many_json(outcomes))
        elif not quiet:
            _print_many(outcomes)
        raise typer.Exit(many_exit_code(outcomes))
    target = targets[0] if targets else Path(".")
    project.require(target, "update")
    interactive = not defaults and not as_json and sys.stdin.isatty()
    with _sigterm_interrupts():
        report = update(
            target,
            to=to,
            data=answers,
            defaults=not interactive,
            dry_run=dry_run,
            lock=not no_lock,
            trust=trust,
            allow_downgrade=allow_downgrade,
            template=template,
        )
    if as_json:
        print_json(report.to_json())
    elif not quiet:
        _print(report)
    raise typer.Exit(report.exit_code)


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM (a CI timeout, `kill`) like Ctrl-C: temporary files are removed on the way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _listed(listing: Optional[Path]) -> list[Path]:
    if listing is None:
        return []
    if not listing.is_file():
        raise UserError(
            f"--many-file {listing} does not exist", "pass a file with one project path a line"
        )
    lines = listing.read_text(encoding="utf-8").splitlines()
    base = listing.parent
    return [
        path if path.is_absolute() else base / path
        for path in (Path(line.strip()) for line in lines if line.strip())
        if not str(path).startswith("#")
    ]


def _print_many(outcomes: list[ManyOutcome]) -> None:
    from rich.table import Table

    table = Table("project", "status", "detail", title="mlplate update --many")
    for outcome in outcomes:
        detail = outcome.detail + (f"\nhint: {outcome.hint}" if outcome.hint else "")
        table.add_row(outcome.project, f"[{_COLOUR[outcome.status]}]{outcome.status}[/]", detail)
    stdout.print(table)
    counts = {s: sum(o.status == s for o in outcomes) for s in _COLOUR}
    stdout.print(", ".join(f"{n} {s}" for s, n in counts.items() if n), markup=False)


def _line(text: str) -> None:
    stdout.print(text, markup=False, soft_wrap=True, highlight=False)


def _print(report: UpdateReport) -> None:
    if report.dry_run and report.diff:
        sys.stdout.write(report.diff)
    for undone in report.recovered:
        _line(f"rolled back an interrupted update (started {undone}) before this one")
    used = report.template
    if used and used.get("used") != used.get("recorded"):
        _line(
            f"template read from {used['used']} (named by {used['via']}; recorded: "
            f"{used['recorded']}, kept)"
        )
    if report.up_to_date:
        _line(f"{report.project} is up to date with template {report.to_version}")
        return
    verb = "would update" if report.dry_run else "updated"
    _line(f"{verb} {report.project}: template {report.from_version} -> {report.to_version}")
    for name, change in report.answers.items():
        _line(f"  answer     {name}: {change['from']!r} -> {change['to']!r}")
    for action, entries in report.files.items():
        for entry in entries:
            reason = f"  ({entry['reason']})" if entry.get("reason") else ""
            _line(f"  {action:<10} {entry['path']}{reason}")
    for name in report.migrations:
        _line(f"  migration  {name} ({'would run' if report.dry_run else 'ran'} once)")
    if report.lock.status in ("regenerated", "failed") or "conflict" in report.lock.reason:
        _line(f"  uv.lock    {report.lock.status}: {report.lock.reason}")
    if report.conflicted:
        stdout.print(
            f"[bold yellow]{len(report.conflicted)} file(s) need you[/]: resolve the conflict "
            "markers (<<<<<<< project … >>>>>>> template), or where the reason says no markers "
            "were written (a symlink, a binary file) apply the template's change by hand, then "
            "commit; `mlplate check` finds any markers left.",
            soft_wrap=True,
        )
    if not report.dry_run:
        _line("Nothing is committed: review with `git diff`, then commit.")
