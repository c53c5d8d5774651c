"""Every check mlplate ships, by ID: importing the families registers them."""

from __future__ import annotations

from typing import Any

# The families are imported for their side effect: defining a Check registers it.
from mlplate.check import conventions, structure, sync  # noqa: F401  pylint: disable=unused-import
from mlplate.check.registry import Check, Outcome, run_one


def all_checks() -> dict[str, type[Check]]:
    """Every registered check, by ID, in ID order."""
    return dict(sorted(Check.registry.items()))


def compute_check(cid: str, /, **fixtures: Any) -> Outcome:
    """Run one check on fixtures given inline (tests: `compute_check("MP302", workflows={...})`)."""
    cls = Check.registry[cid]

    def given(name: str) -> Any:
        if name not in fixtures:
            raise TypeError(f"{cid} needs the fixture {name!r}")
        return fixtures[name]

    return run_one(cls, given)
