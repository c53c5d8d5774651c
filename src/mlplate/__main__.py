"""`python -m mlplate`: the same as the `mlplate` command."""

from mlplate._entry import entry

entry()
