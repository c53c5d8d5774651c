"""The template `mlplate new` uses when no --template is given: a team's own, or the bundled one.

A team points every member's mlplate at its template once, with the `MLPLATE_TEMPLATE`
environment variable or `template = "…"` in `$XDG_CONFIG_HOME/mlplate/config.toml`
(`~/.config/mlplate/config.toml`); the variable wins over the file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from mlplate.errors import UserError

ENV_VAR = "MLPLATE_TEMPLATE"


def config_path() -> Path:
    """The user's mlplate configuration file (it may not exist)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mlplate" / "config.toml"


def default(given: str | None) -> str | None:
    """`given` if set, else the team's template, else None (the bundled template)."""
    if given:
        return given
    found = configured()
    return found[0] if found else None


def configured() -> tuple[str, str] | None:
    """The team's template and where it is set (MLPLATE_TEMPLATE or the config file), or None."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return from_env, ENV_VAR
    template = _from_file()
    return (template, str(config_path())) if template else None


def _from_file() -> str | None:
    path = config_path()
    if not path.is_file():
        return None
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{path} is not valid TOML ({exc})", 'fix it; it holds one line: template = "SRC"'
        ) from None
    template = config.get("template")
    if template is not None and not isinstance(template, str):
        raise UserError(f"{path}: template must be a string", 'write template = "PATH-OR-URL"')
    return template or None
