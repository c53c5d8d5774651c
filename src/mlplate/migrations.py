"""Template migrations: scripts in the template's `hooks/migrations/`, run by mlplate.

A migration is `hooks/migrations/<version>.py` (e.g. `v2.0.0.py`). An update
that crosses that version (from the recorded version, exclusive, to the target,
inclusive, compared as PEP 440 versions) runs it once, in version order, after
the files are merged and before `uv.lock` is regenerated:

    python <script> <project>          # cwd: <project>

with `MLPLATE_UPDATE_FROM` and `MLPLATE_UPDATE_TO` set to the two versions, in
a minimal environment (PATH, HOME, locale and temp settings: no tokens or
credentials of the user's shell). The answers file then records the target, so
each migration runs exactly once per project. Like copier's `_migrations`, they
run only for a trusted template (`mlplate.update.trust`), and never in a dry
run. The format is described in `hooks/README.md`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from packaging.version import InvalidVersion, Version

from mlplate import _proc, gitrepo
from mlplate.errors import UserError
from mlplate.template_source import TemplateRef

FOLDER = "hooks/migrations"
# What a migration's interpreter needs, and nothing that could hold a secret.
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT")


def minimal_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment template code runs with: what Python needs, plus `extra`."""
    return {**{k: os.environ[k] for k in _KEPT if k in os.environ}, **extra}


def version_of(text: str) -> Version | None:
    """The release a version string names: `v2.0.0`, or `v2.0.0-3-gabc1234` (after v2.0.0)."""
    try:
        return Version(text.split("-", maxsplit=1)[0])
    except InvalidVersion:
        return None


def pending(template: TemplateRef, from_version: str, to_version: str) -> list[str]:
    """Names of the migration scripts of `template` that an update from → to crosses."""
    if template.repo is None or template.commit is None:
        return []
    low, high = version_of(from_version), version_of(to_version)
    if low is None or high is None or high <= low:
        return []
    chosen = []
    for name in gitrepo.names_in(template.repo, template.commit, FOLDER):
        version = version_of(name.removesuffix(".py")) if name.endswith(".py") else None
        if version is not None and low < version <= high:
            chosen.append((version, name))
    return [name for _, name in sorted(chosen)]


def run(
    template: TemplateRef, names: list[str], project: Path, *, versions: tuple[str, str]
) -> list[str]:
    """Run the named migrations on `project`; returns their names. Stops at the first failure."""
    if not names:
        return []
    if template.repo is None or template.commit is None:
        raise UserError(
            "template migrations need the template's git repository",
            "update from a local clone of the template",
        )
    env = minimal_env({"MLPLATE_UPDATE_FROM": versions[0], "MLPLATE_UPDATE_TO": versions[1]})
    with tempfile.TemporaryDirectory(prefix="mlplate-migrations-") as tmp:
        gitrepo.export_tree(template.repo, template.commit, Path(tmp))
        for name in names:
            done = _proc.run(
                [sys.executable, str(Path(tmp) / FOLDER / name), str(project)],
                cwd=project,
                env=env,
                check=False,
            )
            if done.returncode != 0:
                last = (done.stderr or done.stdout).strip().splitlines()
                raise UserError(
                    f"template migration {name} failed: {last[-1] if last else 'no output'}",
                    "nothing was changed; fix the cause the migration names, then run again",
                )
    return names
