"""`mlplate check`: team conventions and template sync, for CI and pre-commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from mlplate.check.catalog import all_checks, compute_check
from mlplate.check.fixtures import Fixtures
from mlplate.check.registry import CannotTell, Check, Outcome, Skip, Status, run_checks
from mlplate.errors import UserError
from mlplate.results import envelope

# `from mlplate.check import Check, Skip` is what a team's check plugin imports.
__all__ = [
    "CannotTell",
    "Check",
    "CheckJSON",
    "CheckResult",
    "OutcomeJSON",
    "Skip",
    "all_checks",
    "check",
    "compute_check",
]


class OutcomeJSON(TypedDict):
    """One check's entry in `mlplate check --json`."""

    id: str
    family: str
    title: str
    status: str  # pass, fail or skip
    message: str  # the failure message with its fix, or why the check was skipped
    details: list[str]  # what failed, each `path` or `path: why` or `path:line`


class CheckJSON(TypedDict):
    """`mlplate check --json`: version 1 of the contract (tests lock its keys)."""

    mlplate_result_version: str
    command: str
    project: str
    passed: bool
    counts: dict[str, int]
    checks: list[OutcomeJSON]


@dataclass(frozen=True)
class CheckResult:
    """Every outcome of one `mlplate check` run."""

    project: Path
    outcomes: tuple[Outcome, ...]

    @property
    def failed(self) -> list[Outcome]:
        """The checks that failed."""
        return [o for o in self.outcomes if o.status is Status.FAIL]

    def to_json(self) -> CheckJSON:
        """The versioned JSON form printed by --json."""
        return CheckJSON(  # type: ignore[typeddict-item]  # envelope() adds the first two keys
            **envelope(
                "check",
                {
                    "project": str(self.project),
                    "passed": not self.failed,
                    "counts": {s.value: sum(o.status is s for o in self.outcomes) for s in Status},
                    "checks": [
                        {
                            "id": o.id,
                            "family": o.family,
                            "title": o.title,
                            "status": o.status.value,
                            "message": o.message,
                            "details": list(o.details),
                        }
                        for o in self.outcomes
                    ],
                },
            )
        )


def check(
    path: Path | str = ".",
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    template: str | None = None,
) -> CheckResult:
    """Run the registered checks (or the selected ones) on the project at `path`.

    The sync checks read the template where `_src_path` points; `template` (--template),
    else MLPLATE_TEMPLATE or the config file when that cannot be reached here.
    """
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise UserError(f"{root} is not a directory", "pass the path of a project")
    registry = all_checks()
    wanted, skipped = _ids(select, registry), _ids(ignore, registry)
    chosen = [
        cls for cid, cls in registry.items() if (not wanted or cid in wanted) and cid not in skipped
    ]
    fixtures = Fixtures(root, template=template)
    try:
        outcomes = run_checks(chosen, fixtures.get)
    finally:
        fixtures.close()
    return CheckResult(project=root, outcomes=tuple(outcomes))


def _ids(given: Iterable[str], registry: dict[str, Any]) -> set[str]:
    """Expand IDs, prefixes (`MP1`) and family names (`sync`) to check IDs."""
    ids: set[str] = set()
    for item in given:
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            matched = {
                cid
                for cid, cls in registry.items()
                if cid.startswith(part.upper()) or cls.family == part.lower()
            }
            if not matched:
                raise UserError(f"no check matches '{part}'", "see `mlplate check --list`")
            ids |= matched
    return ids
