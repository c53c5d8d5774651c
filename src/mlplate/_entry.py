"""The `mlplate` console script: Ctrl-C at any moment, imports included, is one line."""

from __future__ import annotations

import sys


def entry() -> None:
    """Import the CLI and run it; an interrupt before it is ready still exits 130 quietly."""
    try:
        from mlplate.cli import entry as run  # pylint: disable=import-outside-toplevel
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: nothing was changed\n")
        sys.exit(130)
    run()
