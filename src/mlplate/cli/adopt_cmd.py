"""`mlplate adopt [PATH]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from mlplate import questions
from mlplate.adopt import AdoptResult, adopt
from mlplate.cli.app import app, print_json, stdout


@app.command("adopt")
def adopt_command(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    path: Path = typer.Argument(Path("."), help="The repository to put under the template."),
    template: Optional[str] = typer.Option(
        None, "--template", "-t", help="Copier template: local path or git URL (default: bundled)."
    ),
    vcs_ref: Optional[str] = typer.Option(None, "--vcs-ref", help="Template version to record."),
    data: list[str] = typer.Option([], "--data", "-d", help="Answer a question: key=value."),
    defaults: bool = typer.Option(
        False, "--defaults", help="Questions not inferred take their defaults; never prompt."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would be written; write nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable result."),
) -> None:
    """Put an existing repository under the template: infer answers, record the baseline."""
    interactive = not defaults and not as_json and sys.stdin.isatty()
    result = adopt(
        path,
        template=template,
        vcs_ref=vcs_ref,
        data=questions.parse_data(data),
        defaults=not interactive,
        dry_run=dry_run,
    )
    if as_json:
        print_json(result.to_json())
    else:
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
