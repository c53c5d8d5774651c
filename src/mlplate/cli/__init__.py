"""mlplate's command line: parses options, calls the core, renders the result.

Every command module registers itself on `app`; `main` maps errors to exit codes.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer
from typer.exceptions import TyperException

from mlplate.cli.app import app, fail, print_json, stderr, stdout
from mlplate.errors import EXIT_ERROR, EXIT_INTERRUPTED, MlplateError, UserError

__all__ = ["app", "entry", "fail", "main", "print_json", "stderr", "stdout"]


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app and turn errors into exit codes."""
    _register_commands()
    try:
        # Without standalone mode click returns a command's typer.Exit code instead of exiting.
        returned = app(args=argv, standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except (KeyboardInterrupt, typer.Abort):
        stderr.print("interrupted: nothing was changed")
        return EXIT_INTERRUPTED
    except TyperException as error:  # usage errors: unknown option, missing argument, bad value
        show = getattr(error, "show", None)
        if callable(show):
            show()  # pylint: disable=not-callable
            return EXIT_ERROR
        raise
    except Exception as error:  # pylint: disable=broad-exception-caught
        return _report(error)
    return returned if isinstance(returned, int) else 0


def _report(error: Exception) -> int:
    """Print an error as one line and a hint; return its exit code."""
    if isinstance(error, UserError):
        fail(error)
        return error.exit_code
    if isinstance(error, MlplateError):
        fail(UserError(str(error)))
        return EXIT_ERROR
    if os.environ.get("MLPLATE_DEBUG"):
        raise error
    fail(
        UserError(
            f"unexpected {type(error).__name__}: {error}",
            "rerun with MLPLATE_DEBUG=1 and report it",
        )
    )
    return EXIT_ERROR


def _register_commands() -> None:
    """Import the command modules; each one adds itself to `app`."""
    for name in ("new_cmd", "demo_cmd", "update_cmd", "check_cmd", "adopt_cmd"):
        try:
            importlib.import_module(f"mlplate.cli.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"mlplate.cli.{name}":
                raise


def entry() -> None:
    """The `mlplate` console script."""
    sys.exit(main())
