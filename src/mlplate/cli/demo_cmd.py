"""`mlplate demo [DIR]`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.panel import Panel

from mlplate.cli.app import app, stderr, stdout
from mlplate.demo import run_demo


@app.command("demo")
def demo_command(
    dest: Path = typer.Argument(
        Path("mlplate-demo"), help="Directory to create (must be missing or empty)."
    ),
) -> None:
    """Generate a project on the defaults, then train it, serve a prediction and report drift."""
    with stderr.status("Starting", spinner="dots") as status:
        result = run_demo(dest, progress=status.update)
    lines = [
        f"Project:     {result.project}",
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
    if result.clean_batch_exit != 0 or result.drifted_batch_exit != 1:
        raise typer.Exit(1)
