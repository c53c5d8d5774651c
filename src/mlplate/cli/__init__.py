"""mlplate's command line: parses options, calls the core, renders the result.

Every command module registers itself on `app`; `main` maps errors to exit codes.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
from typer.exceptions import TyperException

from mlplate.cli.app import app, fail, output, print_json, say, set_output, stderr, stdout
from mlplate.errors import EXIT_ERROR, EXIT_INTERRUPTED, Interrupted, MlplateError, UserError

__all__ = ["app", "entry", "fail", "main", "print_json", "say", "stderr", "stdout"]

_COMMANDS = ("new_cmd", "demo_cmd", "update_cmd", "check_cmd", "adopt_cmd")


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app and turn errors into exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    options = args[: args.index("--")] if "--" in args else args
    # Usage errors happen before a command sees its own --json: decide from the raw arguments.
    set_output(as_json="--json" in options, quiet="-q" in options or "--quiet" in options)
    try:
        command = _command()
        # Without standalone mode click returns a command's typer.Exit code instead of exiting.
        returned = command.main(args=args, prog_name="mlplate", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except (KeyboardInterrupt, typer.Abort, Interrupted) as error:
        # Interrupted: Ctrl-C after the command changed something, which it names.
        return interrupted(str(error) if isinstance(error, Interrupted) else "")
    except TyperException as error:  # click's usage errors: unknown option, missing argument, …
        return _usage_error(error)
    except Exception as error:  # pylint: disable=broad-exception-caught
        return _report(error)
    if returned == EXIT_INTERRUPTED:  # typer turns Ctrl-C inside a command into a silent 130
        return interrupted()
    return returned if isinstance(returned, int) else 0


def interrupted(kept: str = "") -> int:
    """Ctrl-C: one line, exit 130 (commands clean their temporary space on the way out)."""
    sys.stderr.write(f"interrupted: {kept or 'nothing was changed'}\n")
    return EXIT_INTERRUPTED


def _usage_error(error: TyperException) -> int:
    """Click's own errors in mlplate's `error:` + `hint:` form, exit 2."""
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else "mlplate"
    if type(error).__name__ == "NoArgsIsHelpError" and ctx is not None:
        sys.stdout.write(ctx.get_help() + "\n")
        return EXIT_ERROR
    format_message = getattr(error, "format_message", None)
    message = format_message() if callable(format_message) else str(error)
    message = message[0].lower() + message[1:] if message else "invalid usage"
    fail(UserError(message, f"see `{where} --help` for the options and arguments"), EXIT_ERROR)
    return int(getattr(error, "exit_code", EXIT_ERROR) or EXIT_ERROR)


def _report(error: Exception) -> int:
    """Print an error as one line and a hint; return its exit code."""
    if isinstance(error, UserError):
        fail(error, error.exit_code)
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


def _command() -> Any:
    """The click command of `app`, every command registered, its help free of type labels."""
    for name in _COMMANDS:
        importlib.import_module(f"mlplate.cli.{name}")
    command = typer.main.get_command(app)
    _tidy_help(command)
    return command


def _tidy_help(command: Any) -> None:
    """Show arguments as DEST / [PATH]... and options by their metavar, not `<list[str]>`.

    Typer labels every parameter with its Python type and wraps required arguments in
    braces; mlplate's help reads like copier's instead.
    """
    for param in getattr(command, "params", []):
        if param.param_type_name == "argument":
            label = (param.metavar or param.name or "").upper()
            shown = label if param.required else f"[{label}]"
            shown += "..." if param.nargs != 1 else ""
            param.metavar = label
            param.display_type_rich = lambda ctx: None
            # pylint: disable-next=protected-access
            param._usage_display_name = lambda shown=shown: shown
        elif param.param_type_name == "option" and not param.is_flag and param.metavar is None:
            described = getattr(param, "type_descriptor", None)
            choices = described.choices if described is not None and described.is_choice else None
            param.metavar = (
                "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
                if choices
                else (param.name or "value").upper()
            )
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)


def entry() -> None:
    """Run `mlplate` with the process's arguments and exit with its code."""
    try:
        code = main()
    except KeyboardInterrupt:  # Ctrl-C while printing the result
        code = interrupted()
    sys.exit(code)
