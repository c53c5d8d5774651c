"""`mlplate demo [DIR]`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mlplate.cli.app import app, json_option, print_json, quiet_option, set_output, stderr, stdout

# The core loads when the command runs, not for --help.
# pylint: disable=import-outside-toplevel


@app.command("demo")
def demo_command(
    dest: Path = typer.Argument(
        Path("mlplate-demo"),
        help="Directory to create (missing, empty, or an earlier demo to run again).",
    ),
    as_json: bool = json_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Generate a project on the defaults, then train it, serve a prediction and report drift."""
    from mlplate.demo import run_demo

    set_output(quiet=quiet, as_json=as_json)
    try:
        if quiet or as_json:
            result = run_demo(dest)
        else:
            with stderr.status("Starting", spinner="dots") as status:
                result = run_demo(dest, progress=status.update)
    except KeyboardInterrupt:
        if not dest.is_dir() or not any(dest.iterdir()):
            raise  # interrupted before the project was moved into place: nothing changed
        from mlplate.errors import Interrupted

        # The project is in place (made now or by an earlier run): say so, not "nothing".
        raise Interrupted(
            f"the demo project in {dest} is kept; run the same command again to finish it"
        ) from None
    ok = result.clean_batch_exit == 0 and result.drifted_batch_exit == 1
    if as_json:
        print_json(result.to_json())
    elif not quiet:
        from rich.panel import Panel

        lines = [
            f"Project:     {result.project}",
            *(["Again:       an earlier demo, run again"] if result.reused else []),
            f"Prediction:  POST /predict -> {json.dumps(result.prediction)}",
            f"Open Inference Protocol: POST /v2/models/{result.package}/infer -> "
            f"{json.dumps(result.v2_prediction)}",
            f"Drift:       clean batch exit {result.clean_batch_exit} (no alert), "
            f"drifted batch exit {result.drifted_batch_exit} (alert) — "
            f"reports in {result.project / 'reports'}",
            "",
            f"Next: cd {result.project} && make help",
        ]
        stdout.print(Panel("\n".join(lines), title="mlplate demo", expand=False))
    if not ok:
        raise typer.Exit(1)
