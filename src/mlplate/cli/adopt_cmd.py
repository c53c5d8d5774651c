"""`mlplate adopt [PATH]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from mlplate.cli.app import app, json_option, print_json, quiet_option, set_output, stdout

if TYPE_CHECKING:
    from mlplate.adopt import AdoptResult

# The core loads when the command runs, not for --help.
# pylint: disable=import-outside-toplevel


@app.command("adopt")
def adopt_command(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    path: Path = typer.Argument(Path("."), help="The repository to put under the template."),
    template: Optional[str] = typer.Option(
        None,
        "--template",
        "-t",
        metavar="SRC",
        help="Copier template: local path or git URL (default: as for `mlplate new`).",
    ),
    vcs_ref: Optional[str] = typer.Option(
        None, "--vcs-ref", "-r", metavar="REF", help="Template version to record."
    ),
    data: list[str] = typer.Option(
        [], "--data", "-d", metavar="KEY=VALUE", help="Answer a question (repeatable)."
    ),
    defaults: bool = typer.Option(
        False, "--defaults", "-l", help="Questions not inferred take their defaults; never prompt."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", "--pretend", "-n", help="Show what would be written; write nothing."
    ),
    as_json: bool = json_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Put an existing repository under the template: infer answers, record the baseline."""
    from mlplate import questions, team_template
    from mlplate.adopt import adopt

    set_output(quiet=quiet, as_json=as_json)
    interactive = not defaults and not as_json and sys.stdin.isatty()
    result = adopt(
        path,
        template=team_template.default(template),
        vcs_ref=vcs_ref,
        data=questions.parse_data(data),
        defaults=not interactive,
        dry_run=dry_run,
    )
    if as_json:
        print_json(result.to_json())
    elif not quiet:
        _print(result)


def _print(result: AdoptResult) -> None:
    def say(text: str = "") -> None:
        stdout.print(text, markup=False, highlight=False, soft_wrap=True)

    verb = "would adopt" if result.dry_run else "adopted"
    say(f"{verb} {result.project} ({result.origin} layout) at template {result.version}")
    say(f"template: {result.template}")
    say("answers:")
    for key, value in sorted(result.answers.items()):
        say(f"  {key}: {value!r}  ({result.sources.get(key, 'default')})")
    for kind in ("missing", "differs", "identical"):
        listed = result.files.get(kind) or []
        say(f"{kind} ({len(listed)}): {', '.join(listed) if listed else '-'}")
    for note in result.notes:
        say(f"note: {note}")
    if result.dry_run:
        for rel, content in result.contents.items():
            say(f"\n--- would write {rel} ---")
            say(content.rstrip("\n"))
        say("\nnothing was written (--dry-run)")
        return
    say(f"wrote: {', '.join(result.written)}")
    say("next: review and commit; then `mlplate check` reports drift and `mlplate update` works.")
