"""Every check mlplate ships, by ID: importing the families registers them."""

from __future__ import annotations

# The families are imported for their side effect: defining a Check registers it.
from mlplate.check import conventions, structure, sync  # noqa: F401  pylint: disable=unused-import
from mlplate.check.registry import Check


def all_checks() -> dict[str, type[Check]]:
    """Every registered check, by ID, in ID order."""
    return dict(sorted(Check.registry.items()))
