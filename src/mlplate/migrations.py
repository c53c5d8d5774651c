"""Template migrations: scripts in the template's `hooks/migrations/`, run by mlplate.

A migration is `hooks/migrations/<version>.py` (e.g. `v2.0.0.py`), run as
`python <script> <project>` from the project's root after an update that crosses
that version: from the recorded version (exclusive) to the target (inclusive),
in version order. Because the answers file then records the target version, each
migration runs exactly once per project. copier's own `_migrations` would need
`--trust`; these do not, since mlplate runs them itself.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.version import InvalidVersion, Version

from mlplate import _proc, gitrepo
from mlplate.errors import UserError
from mlplate.template_source import TemplateRef

FOLDER = "hooks/migrations"


def _version(text: str) -> Version | None:
    try:
        return Version(text.split("-", maxsplit=1)[0])
    except InvalidVersion:
        return None


def pending(template: TemplateRef, from_version: str, to_version: str) -> list[str]:
    """Names of the migration scripts of `template` that an update from → to crosses."""
    if template.repo is None or template.commit is None:
        return []
    listed = _proc.run(
        ["git", "ls-tree", "--name-only", f"{template.commit}:{FOLDER}"],
        cwd=template.repo,
        check=False,
    )
    if listed.returncode != 0:
        return []
    low, high = _version(from_version), _version(to_version)
    if low is None or high is None:
        return []
    chosen = []
    for name in listed.stdout.split():
        version = _version(name.removesuffix(".py")) if name.endswith(".py") else None
        if version is not None and low < version <= high:
            chosen.append((version, name))
    return [name for _, name in sorted(chosen)]


def run(template: TemplateRef, names: list[str], project: Path) -> list[str]:
    """Run the named migrations on `project`; returns their names. Stops at the first failure."""
    if not names:
        return []
    assert template.repo is not None and template.commit is not None
    with tempfile.TemporaryDirectory(prefix="mlplate-migrations-") as tmp:
        gitrepo.export_tree(template.repo, template.commit, Path(tmp))
        for name in names:
            done = subprocess.run(
                [sys.executable, str(Path(tmp) / FOLDER / name), str(project)],
                cwd=project,
                capture_output=True,
                text=True,
                check=False,
                stdin=subprocess.DEVNULL,
            )
            if done.returncode != 0:
                last = (done.stderr or done.stdout).strip().splitlines()
                raise UserError(
                    f"template migration {name} failed: {last[-1] if last else 'no output'}",
                    "the files are updated but this migration did not finish: fix the cause, run "
                    f"`python {FOLDER}/{name} .` from the template, then commit",
                )
    return names
