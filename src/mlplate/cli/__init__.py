"""mlplate's command line: parses options, calls the core, renders the result.

Every command module registers itself on `app`; `main` maps errors to exit codes.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from mlplate import __version__
from mlplate.errors import EXIT_ERROR, EXIT_INTERRUPTED, MlplateError, UserError

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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Start, standardize and keep in sync ML repositories."""


def print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")


def fail(error: UserError) -> None:
    """Print one error line and its fix to stderr."""
    stderr.print(f"[bold red]error:[/] {escape(error.message)}", markup=True, soft_wrap=True)
    if error.hint:
        stderr.print(f"[bold]hint:[/] {escape(error.hint)}", markup=True, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app and turn errors into exit codes."""
    # pylint: disable=import-outside-toplevel,unused-import
    from mlplate.cli import new_cmd  # noqa: F401  (registers the command)

    _register_optional_commands()
    try:
        app(args=argv, standalone_mode=False)
    except UserError as error:
        fail(error)
        return error.exit_code
    except MlplateError as error:
        fail(UserError(str(error)))
        return EXIT_ERROR
    except KeyboardInterrupt:
        stderr.print("interrupted: nothing was changed")
        return EXIT_INTERRUPTED
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        stderr.print("aborted: nothing was changed")
        return EXIT_INTERRUPTED
    except Exception as error:  # pylint: disable=broad-exception-caught
        import click

        if isinstance(error, click.ClickException):
            error.show()
            return EXIT_ERROR
        if os.environ.get("MLPLATE_DEBUG"):
            raise
        fail(UserError(f"unexpected {type(error).__name__}: {error}", "rerun with MLPLATE_DEBUG=1 and report it"))
        return EXIT_ERROR
    return 0


def _register_optional_commands() -> None:
    """Import the other command modules; each one adds itself to `app`."""
    import importlib  # pylint: disable=import-outside-toplevel

    for name in ("demo_cmd", "update_cmd", "check_cmd", "adopt_cmd"):
        try:
            importlib.import_module(f"mlplate.cli.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"mlplate.cli.{name}":
                raise


def entry() -> None:
    sys.exit(main())
