"""The command-line reference (docs/cli.md), generated from the `--help` of every command.

`python -m mlplate.cli_doc > docs/cli.md`; a test fails when the page is stale.

The help is what a user sees: the console script's own entry point runs each
`mlplate … --help` in one child process (so the program is named `mlplate` and the
width is fixed at 80 columns), and the commands are listed from the click group the
typer app builds. A command or option added to the app appears here by regenerating.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEADER = """# CLI reference

Every command's `--help`, as `mlplate` prints it. Exit codes: **0** success, **1**
an update left conflicts to resolve, **2** bad input (one `error:` line and one
`hint:` line on stderr, nothing written), **3** `mlplate check` found a failing
check, **130** interrupted (Ctrl-C; nothing was changed).

This page is generated from the command line itself
(`python -m mlplate.cli_doc > docs/cli.md`); a test fails when it is stale.
"""

# Runs in the child: the help of the root command and of every (sub)command, in the app's order.
_COLLECT = """
import contextlib, io, json, sys
sys.argv[0] = "mlplate"
import typer
from mlplate.cli import main
from mlplate.cli.app import app

def help_of(path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main([*path, "--help"])
    return out.getvalue()

pages = [["mlplate", help_of([])]]  # also registers every command on the app

def walk(group, path):
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        if command is None or getattr(command, "hidden", False):
            continue
        pages.append([" ".join(["mlplate", *path, name]), help_of([*path, name])])
        if hasattr(command, "list_commands"):
            walk(command, [*path, name])

walk(typer.main.get_command(app), [])
json.dump(pages, sys.stdout)
"""


def collect() -> list[tuple[str, str]]:
    """(command line, help text) of `mlplate` and each of its commands."""
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-c", _COLLECT],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"collecting the CLI help failed:\n{done.stderr}")
    return [(str(name), str(text)) for name, text in json.loads(done.stdout)]


def render() -> str:
    """The Markdown page."""
    lines = [HEADER]
    for name, text in collect():
        lines += [f"## `{name}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(render(), end="")
