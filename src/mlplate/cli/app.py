"""The typer application every command registers on, and its output helpers.

Kept light on purpose: `mlplate --help` imports this module and the command modules
only, so rich's console and the core (copier, the update engine) load when a command runs.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer

from mlplate._version import __version__
from mlplate.errors import UserError
from mlplate.results import RESULT_VERSION

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    name="mlplate",
    help="Start, standardize and keep in sync ML repositories.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Output:
    """How the running command prints: set once by its --quiet/--json options."""

    quiet = False
    as_json = False


output = _Output()


class _LazyConsole:
    """A rich Console made on first use (importing rich costs ~50 ms that --help does not need)."""

    def __init__(self, *, to_stderr: bool) -> None:
        self._stderr = to_stderr
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console  # pylint: disable=import-outside-toplevel

            self._console = Console(stderr=self._stderr, highlight=False)
        return getattr(self._console, name)


stdout: Any = _LazyConsole(to_stderr=False)
stderr: Any = _LazyConsole(to_stderr=True)

QUIET_HELP = "Print nothing but errors."
JSON_HELP = "Print a machine-readable result (errors too, as JSON on stdout)."


def quiet_option() -> Any:
    """`-q/--quiet`, the same on every command."""
    return typer.Option(False, "--quiet", "-q", help=QUIET_HELP)


def json_option(help_text: str = JSON_HELP) -> Any:
    """`--json`, the same on every command."""
    return typer.Option(False, "--json", help=help_text)


def set_output(*, quiet: bool = False, as_json: bool = False) -> None:
    """Record the command's --quiet/--json for the error and progress printers."""
    output.quiet = quiet
    output.as_json = as_json


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mlplate {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Start, standardize and keep in sync ML repositories."""
    del show_version  # handled by its eager callback


def print_json(payload: dict[str, Any]) -> None:
    """Write a result envelope as JSON to stdout (no colour, no wrapping)."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")


def say(text: str) -> None:
    """Print one plain line of a command's report, unless --quiet or --json."""
    if not output.quiet and not output.as_json:
        stdout.print(text, markup=False, highlight=False, soft_wrap=True)


def fail(error: UserError, exit_code: int = 2) -> None:
    """Print one error line and its fix: on stderr, or as a JSON object on stdout with --json."""
    if output.as_json:
        print_json(
            {
                "mlplate_result_version": RESULT_VERSION,
                "error": {"message": error.message, "hint": error.hint, "exit_code": exit_code},
            }
        )
        return
    from rich.markup import escape  # pylint: disable=import-outside-toplevel

    stderr.print(f"[bold red]error:[/] {escape(error.message)}", markup=True, soft_wrap=True)
    if error.hint:
        stderr.print(f"[bold]hint:[/] {escape(error.hint)}", markup=True, soft_wrap=True)
