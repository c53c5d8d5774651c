"""Which templates may run code on the user's machine during an update, as copier decides.

Template code is the template's migrations (`hooks/migrations/<version>.py`) and
copier's `_migrations` and `_tasks`. It runs only for a trusted template: the one
bundled with mlplate, one named with `--trust`, one listed in
`MLPLATE_TRUSTED_TEMPLATES` (whitespace-separated; an entry ending in `/` trusts
every source it prefixes), or one copier's own settings trust (`trust:` in
copier's settings.yml). A dry run never runs any. Code runs with a minimal
environment (`migrations.minimal_env`): never the user's tokens.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion, Version

from mlplate import template_source
from mlplate.errors import UserError
from mlplate.template_source import TemplateRef

ENV = "MLPLATE_TRUSTED_TEMPLATES"


class Untrusted(UserError):
    """The template would run code and is not trusted."""

    def __init__(self, *, src: str, code: str) -> None:
        super().__init__(
            f"the template {src} runs code on update ({code}); run again with --trust to "
            "allow it",
            "read that code first; to trust the template for good, list it in "
            f"{ENV} (or in copier's `trust:` setting)",
        )


def _prefixes() -> list[str]:
    listed = os.environ.get(ENV, "").replace(",", " ").split()
    try:  # copier's own list: a team that trusts a template for copier trusts it here
        from copier._settings import (  # pylint: disable=import-outside-toplevel
            SettingsModel,
        )

        listed += list(SettingsModel.from_file().trust)
    except Exception:  # pylint: disable=broad-exception-caught  # an unreadable copier setting
        pass
    return listed


def _matches(prefix: str, src: str) -> bool:
    prefix = os.path.expanduser(prefix)
    if prefix.endswith("/"):
        return src.startswith(prefix) or f"{src}/".startswith(prefix)
    return src == prefix or src.rstrip("/") == prefix.rstrip("/")


def _bundled(template: TemplateRef) -> bool:
    if template_source.is_bundled(template.src):
        return True
    if template.repo is None:
        return False
    checkout = Path(template_source.__file__).resolve().parents[2]
    return template.repo.resolve() in (checkout, template_source.cache_dir().resolve())


def is_trusted(template: TemplateRef, *, flag: bool) -> bool:
    """True when `template` may run code: --trust, bundled, or listed as trusted."""
    if flag or _bundled(template):
        return True
    candidates = {template.src}
    if template.repo is not None:
        candidates.add(str(template.repo.resolve()))
    return any(_matches(p, src) for p in _prefixes() for src in candidates)


def _version(text: object) -> Version | None:
    try:
        return Version(str(text).lstrip("v").split("-", 1)[0])
    except InvalidVersion:
        return None


def copier_code(settings: Mapping[str, object], versions: tuple[str, str]) -> str | None:
    """The copier `_migrations` an update from → to crosses (or its `_tasks`), named; None if
    there are none. mlplate does not run copier's own migrations: such an update is refused
    (pointing at `copier update --trust`), never done with them silently skipped."""
    low, high = _version(versions[0]), _version(versions[1])
    crossed = []
    for entry in settings.get("_migrations") or []:
        wanted = _version(entry.get("version")) if isinstance(entry, dict) else None
        if wanted is None or low is None or high is None or low < wanted <= high:
            crossed.append(str(entry.get("version", "?")) if isinstance(entry, dict) else "?")
    if crossed:
        return "copier _migrations for " + ", ".join(crossed)
    if settings.get("_tasks"):
        return "copier _tasks"
    return None


def refuse_copier_migrations(src: str, code: str) -> UserError:
    """The error for a template whose copier `_migrations` an update would have to run."""
    return UserError(
        f"the template {src} has {code}, which mlplate update does not run",
        "update this project with `copier update --trust` (after reading the migrations), "
        "then use mlplate update again",
    )
