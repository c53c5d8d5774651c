"""The typer application every command registers on, and its output helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from mlplate._version import __version__
from mlplate.errors import UserError

app = typer.Typer(
    name="mlplate",
    help="Start, standardize and keep in sync ML repositories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def _version(value: bool) -> None:
    if value:
        stdout.print(f"mlplate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Start, standardize and keep in sync ML repositories."""
    del show_version  # handled by its eager callback


def print_json(payload: dict[str, Any]) -> None:
    """Write a result envelope as JSON to stdout (no colour, no wrapping)."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")


def fail(error: UserError) -> None:
    """Print one error line and its fix to stderr."""
    stderr.print(f"[bold red]error:[/] {escape(error.message)}", markup=True, soft_wrap=True)
    if error.hint:
        stderr.print(f"[bold]hint:[/] {escape(error.hint)}", markup=True, soft_wrap=True)
