"""`mlplate check [PATH]`."""

from __future__ import annotations

import os
import re
import subprocess
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from mlplate.cli.app import app, json_option, print_json, set_output, stdout

if TYPE_CHECKING:
    from mlplate.check import CheckResult
    from mlplate.check.registry import Outcome

# The checks load when the command runs, not for --help.
# pylint: disable=import-outside-toplevel

EXIT_CHECKS_FAILED = 3  # as repo-review: 1 is left to crashes of the Python interpreter


class Format(str, Enum):
    """How results are printed."""

    RICH = "rich"
    GITHUB = "github"
    JSON = "json"


@app.command("check")
def check_command(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    path: Path = typer.Argument(Path("."), help="The project to check (default: here)."),
    as_json: bool = json_option(),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Print nothing; the exit code says whether checks passed."
    ),
    output: Format = typer.Option(
        Format.RICH, "--format", help="rich, github (annotations and step summary), or json."
    ),
    list_checks: bool = typer.Option(False, "--list", help="List every check and exit."),
    select: list[str] = typer.Option(
        [], "--select", metavar="IDS", help="Only these IDs, prefixes (MP1) or families (sync)."
    ),
    ignore: list[str] = typer.Option(
        [], "--ignore", metavar="IDS", help="Skip these IDs, prefixes or families."
    ),
    template: Optional[str] = typer.Option(
        None,
        "--template",
        metavar="SRC",
        help="Read the template here instead of where the project records it (default when "
        "that cannot be reached: $MLPLATE_TEMPLATE, the user config file).",
    ),
) -> None:
    """Check template sync and team conventions; exit 3 when a check fails, 2 on bad input."""
    from mlplate import project
    from mlplate.check import check

    as_json = as_json or output is Format.JSON
    set_output(quiet=quiet, as_json=as_json)
    if list_checks:
        if not quiet:
            _print_list()
        return
    root = project.require(path, "check")
    args = [str(root), "--format", "json" if as_json else output.value, *(["-q"] if quiet else [])]
    args += [f"--select={s}" for s in select] + [f"--ignore={i}" for i in ignore]
    _with_plugins(root, args + ([f"--template={template}"] if template else []))
    result = check(root, select=select, ignore=ignore, template=template)
    if as_json:
        print_json(dict(result.to_json()))
    elif quiet:
        pass
    elif output is Format.GITHUB:
        _print_github(result)
    else:
        _print_rich(result)
    if result.failed:
        raise typer.Exit(EXIT_CHECKS_FAILED)


def _with_plugins(root: Path, args: list[str]) -> None:
    """Run again with the check plugins `.mlplate.yml` names, when some are not installed."""
    from mlplate.check import plugins

    command = plugins.relaunch(root, args)
    if command is None:
        return
    done = subprocess.run(command, env={**os.environ, plugins.READY: "1"}, check=False)
    raise typer.Exit(done.returncode)


def _print_list() -> None:
    from rich.table import Table

    from mlplate.check import all_checks

    table = Table("ID", "family", "check", "failure message and fix", show_lines=True)
    for cid, cls in all_checks().items():
        needs = f"\n(needs {', '.join(sorted(cls.requires))})" if cls.requires else ""
        fix = " ".join(cls.fix().split()).replace(" Fix: ", "\nFix: ")  # reflowed to the column
        table.add_row(cid, cls.family, cls.title() + needs, fix)
    stdout.print(table, markup=False)


_MARK = {"pass": "[green]pass[/]", "fail": "[bold red]FAIL[/]", "skip": "[dim]skip[/]"}


def _print_rich(result: CheckResult) -> None:
    from rich.table import Table

    from mlplate.check.registry import Status

    table = Table("ID", "", "check", "details", title=f"mlplate check {result.project}")
    for outcome in result.outcomes:
        details = "\n".join(outcome.details) or (
            outcome.message if outcome.status is Status.SKIP else ""
        )
        table.add_row(outcome.id, _MARK[outcome.status.value], outcome.title, details)
    stdout.print(table, markup=True)
    for outcome in result.failed:
        stdout.print(f"\n{outcome.id} {outcome.title}\n{outcome.message}", markup=False)
    counts = {s: sum(o.status is s for o in result.outcomes) for s in Status}
    stdout.print(
        f"\n{counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, "
        f"{counts[Status.SKIP]} skipped",
        markup=False,
    )


# ── GitHub Actions ─────────────────────────────────────────────────────────

_PLACE = re.compile(r"^(?P<file>[^\s:]+)(?::(?P<line>\d+))?(?::|$)")


def _escape(text: str, *, prop: bool = False) -> str:
    """Escape a workflow command's data (or property value), as the Actions toolkit does."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _annotation(outcome: Outcome, detail: str, root: Path, prefix: str) -> str:
    """One `::error file=…,line=…,title=…::message` line.

    A detail that starts with an existing path (`path`, `path: why`, `path:line`) is
    annotated on that file; any other falls back to the file the check is about.
    """
    from mlplate.check import all_checks

    props = []
    place = _PLACE.match(detail)
    if place and (root / place.group("file")).exists():
        file = place.group("file")
    else:
        place = None
        file = getattr(all_checks().get(outcome.id), "file", "")
    if file:
        props.append(f"file={_escape(prefix + file, prop=True)}")
        if place and place.group("line"):
            props.append(f"line={place.group('line')}")
    props.append(f"title={_escape(f'{outcome.id} {outcome.title}', prop=True)}")
    message = " ".join(outcome.message.split())
    text = f"{detail} — {message}" if detail else message
    return f"::error {','.join(props)}::{_escape(text)}"


def _print_github(result: CheckResult) -> None:
    """Workflow commands GitHub turns into annotations, and a table for the step summary."""
    relative = os.path.relpath(result.project, Path.cwd())
    prefix = "" if relative == "." or relative.startswith("..") else relative + "/"
    for outcome in result.failed:
        for detail in outcome.details or ("",):
            print(_annotation(outcome, detail, result.project, prefix))
    failed = len(result.failed)
    print(f"mlplate check: {failed} check(s) failed" if failed else "mlplate check: all passed")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(_summary_markdown(result))


def _summary_markdown(result: CheckResult) -> str:
    from mlplate.check.registry import Status

    icon = {Status.PASS: "✅", Status.FAIL: "❌", Status.SKIP: "⏭️"}
    lines = ["## mlplate check", "", "| | ID | check | details |", "| --- | --- | --- | --- |"]
    for o in result.outcomes:
        shown = "<br>".join(o.details) or (o.message if o.status is Status.SKIP else "")
        shown = shown.replace("|", r"\|")
        lines.append(f"| {icon[o.status]} | {o.id} | {o.title} | {shown} |")
    return "\n".join(lines) + "\n\n"
