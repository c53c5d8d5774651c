"""The check plugins a project names in `.mlplate.yml`, installed wherever `mlplate check` runs.

    check:
      plugins: ["acme-checks==1.2"]

When one of them is not installed next to the running mlplate, `mlplate check`
runs itself again through `uv tool run --from <this mlplate> --with <plugin> …`,
so the pre-commit hook, CI and template-sync.yml run the team's checks with
nothing to install by hand (uv caches the environment). The mlplate run is the
same one: `MLPLATE_SPEC` when set (template-sync.yml sets it), else this
version.
"""

from __future__ import annotations

import os
import shutil
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from mlplate import ownership
from mlplate._version import __version__
from mlplate.errors import UserError

READY = "MLPLATE_CHECK_PLUGINS"  # set in the relaunched run: never relaunch twice


def missing(requirements: tuple[str, ...]) -> list[str]:
    """The requirements no installed distribution satisfies."""
    absent = []
    for text in requirements:
        try:
            wanted = Requirement(text)
        except InvalidRequirement:
            raise UserError(
                f"the check plugin {text!r} in {ownership.POLICY_FILE} is not a requirement",
                'write it as pip does: "acme-checks==1.2" or "acme-checks @ git+https://…"',
            ) from None
        try:
            have = metadata.version(wanted.name)
        except metadata.PackageNotFoundError:
            absent.append(text)
            continue
        if wanted.specifier and not wanted.specifier.contains(have, prereleases=True):
            absent.append(text)
    return absent


def relaunch(root: Path, argv: list[str]) -> list[str] | None:
    """The command running `mlplate check` with the project's missing plugins, or None when
    every plugin is installed. Raises UserError when they cannot be installed here."""
    absent = missing(ownership.check_plugins(root))
    if not absent:
        return None
    if os.environ.get(READY):
        raise UserError(
            f"the check plugin(s) {', '.join(absent)} named in {ownership.POLICY_FILE} did "
            "not install",
            "check the names and versions against your package index",
        )
    uv = shutil.which("uv")
    if uv is None:
        raise UserError(
            f"{ownership.POLICY_FILE} names check plugins ({', '.join(absent)}) and uv is "
            "not installed to add them",
            f"install uv, or install them next to mlplate: uv tool install mlplate "
            f"{' '.join('--with ' + a for a in absent)}",
        )
    spec = os.environ.get("MLPLATE_SPEC") or f"mlplate=={__version__}"
    withs = [arg for plugin in absent for arg in ("--with", plugin)]
    return [uv, "tool", "run", "--quiet", "--from", spec, *withs, "mlplate", "check", *argv]
