"""Whether a directory is a project mlplate can work on, said once, before any work."""

from __future__ import annotations

from pathlib import Path

from mlplate.errors import UserError

# A project made by `mlplate new`/`copier copy` has the answers file; one that lost it (or a
# repository to adopt) still has pyproject.toml, and the commands' own checks explain the rest.
_MARKERS = (".copier-answers.yml", "pyproject.toml")


class NotAProject(UserError):
    """The directory is neither a generated project nor a Python project."""

    def __init__(self, *, path: Path, command: str) -> None:
        super().__init__(
            f"{path} is not an mlplate project (it has no {' or '.join(_MARKERS)})",
            f"run `mlplate {command}` in a project made with `mlplate new` (or pass its path); "
            "`mlplate adopt` brings an existing repository under the template",
        )


def require(path: Path, command: str) -> Path:
    """The resolved `path`; raise a usage error when it is not a directory holding a project."""
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise UserError(f"{root} is not a directory", f"pass `mlplate {command}` a project's path")
    if not any((root / marker).is_file() for marker in _MARKERS):
        raise NotAProject(path=root, command=command)
    return root
