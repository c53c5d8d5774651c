"""mlplate: start, standardize and keep in sync ML repositories."""

from __future__ import annotations

from mlplate._version import __version__

__all__ = ["__version__", "new"]


def __getattr__(name: str):
    # Keep `import mlplate` cheap: copier is imported only when a command runs.
    if name == "new":
        from mlplate.new import new  # pylint: disable=import-outside-toplevel

        return new
    raise AttributeError(name)
