"""`python -m mlplate`: the same as the `mlplate` command."""

from mlplate.cli import entry

entry()
