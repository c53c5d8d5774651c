"""`mlplate check [PATH]`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from mlplate.check import CheckResult, all_checks, check
from mlplate.check.registry import Status
from mlplate.cli.app import app, print_json, stdout

EXIT_CHECKS_FAILED = 3


class Format(str, Enum):
    """How results are printed."""

    RICH = "rich"
    GITHUB = "github"


@app.command("check")
def check_command(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    path: Path = typer.Argument(Path("."), help="The project to check."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable result."),
    output: Format = typer.Option(Format.RICH, "--format", help="rich, or github (annotations)."),
    list_checks: bool = typer.Option(False, "--list", help="List every check and exit."),
    select: list[str] = typer.Option([], "--select", help="Only these IDs or prefixes (MP1)."),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these IDs or prefixes."),
) -> None:
    """Check template sync and team conventions; exit 3 when a check fails."""
    if list_checks:
        _print_list()
        return
    result = check(path, select=select, ignore=ignore)
    if as_json:
        print_json(result.to_json())
    elif output is Format.GITHUB:
        _print_github(result)
    else:
        _print_rich(result)
    if result.failed:
        raise typer.Exit(EXIT_CHECKS_FAILED)


def _print_list() -> None:
    table = Table("ID", "family", "check", "fix", show_lines=True)
    for cid, cls in all_checks().items():
        table.add_row(cid, cls.family, cls.title(), cls.fix())
    stdout.print(table)


_MARK = {
    Status.PASS: "[green]pass[/]",
    Status.FAIL: "[bold red]FAIL[/]",
    Status.SKIP: "[dim]skip[/]",
}


def _print_rich(result: CheckResult) -> None:
    table = Table("ID", "", "check", "details", title=f"mlplate check {result.project}")
    for outcome in result.outcomes:
        details = "\n".join(outcome.details) or (
            outcome.message if outcome.status is Status.SKIP else ""
        )
        table.add_row(outcome.id, _MARK[outcome.status], outcome.title, details)
    stdout.print(table)
    for outcome in result.failed:
        stdout.print(f"\n[bold red]{outcome.id}[/] {outcome.title}\n{outcome.message}")
    failed = len(result.failed)
    stdout.print(f"\n{len(result.outcomes) - failed} passed or skipped, {failed} failed")


def _print_github(result: CheckResult) -> None:
    """Workflow commands GitHub turns into annotations on the files named."""
    for outcome in result.failed:
        message = outcome.message.replace("\n", " ").replace("%", "%25")
        for detail in outcome.details or ("",):
            file_part = ""
            where = detail.split(":", 1)[0] if detail else ""
            if where and (result.project / where).exists():
                file_part = f"file={where},"
            text = f"{detail} — {message}" if detail else message
            print(f"::error {file_part}title={outcome.id} {outcome.title}::{text}")
    print(f"{len(result.failed)} check(s) failed" if result.failed else "all checks passed")
