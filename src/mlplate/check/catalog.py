"""Every check `mlplate check` runs, found through the `mlplate.checks` entry point group.

Each entry point names a callable returning a list of `Check` classes. mlplate's
own families are registered that way in its pyproject.toml, explicitly, so a
family left out of the list is visible there; a team's package adds its checks
with the same few lines (docs/check.md shows them), no fork and no import side
effect needed.
"""

from __future__ import annotations

import functools
from importlib import metadata
from typing import Any

from mlplate.check.registry import Check, Outcome, run_one
from mlplate.errors import UserError

GROUP = "mlplate.checks"


@functools.cache
def all_checks() -> dict[str, type[Check]]:
    """Every check the installed packages provide, by ID, in ID order."""
    found: dict[str, type[Check]] = {}
    for entry in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
        for cls in _provided(entry):
            if cls.__name__ in found and found[cls.__name__] is not cls:
                raise UserError(
                    f"two check plugins define the check {cls.__name__} "
                    f"({found[cls.__name__].__module__} and {cls.__module__})",
                    "rename one of them: a check's class name is its ID",
                )
            found[cls.__name__] = cls
    return dict(sorted(found.items()))


def _provided(entry: metadata.EntryPoint) -> list[type[Check]]:
    where = f"the check plugin '{entry.name}' ({entry.value})"
    hint = "fix or uninstall the package that provides it (`uv pip list` shows it)"
    try:
        provided = list(entry.load()())
    except Exception as exc:  # pylint: disable=broad-exception-caught  # a plugin's own bug
        raise UserError(f"{where} cannot be loaded: {exc}", hint) from None
    wrong = [repr(c) for c in provided if not (isinstance(c, type) and issubclass(c, Check))]
    if wrong:
        raise UserError(f"{where} returned what is not a Check class: {', '.join(wrong)}", hint)
    return provided


def compute_check(cid: str, /, **fixtures: Any) -> Outcome:
    """Run one check on fixtures given inline (tests: `compute_check("MP302", workflows={...})`)."""
    cls = all_checks()[cid]

    def given(name: str) -> Any:
        if name not in fixtures:
            raise TypeError(f"{cid} needs the fixture {name!r}")
        return fixtures[name]

    return run_one(cls, given)
