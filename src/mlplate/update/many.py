"""Update many projects at once: one failure never stops the others.

Projects are updated in worker processes, `jobs` at a time; each worker imports
copier once and takes project after project, so the per-project cost is the
render and merge work, not the start-up. Renders of the same template version
with the same answers come from the shared render cache, so a fleet made with
the default answers renders each version once.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlplate.errors import MlplateError, UserError
from mlplate.results import envelope

STATUSES = ("updated", "conflicts", "up-to-date", "error")


@dataclass(frozen=True)
class ManyOutcome:
    """One project's result: its report's JSON, or the error that stopped it."""

    project: str
    status: str  # one of STATUSES
    detail: str
    report: dict[str, Any] | None = None
    hint: str = ""


def _one(path: str, options: Mapping[str, Any]) -> ManyOutcome:
    # Imported in the worker: the parent needs none of copier's start-up cost.
    from mlplate.update import update  # pylint: disable=import-outside-toplevel

    try:
        report = update(path, **options)
    except UserError as error:
        return ManyOutcome(path, "error", str(error), hint=error.hint)
    except MlplateError as error:
        return ManyOutcome(path, "error", str(error))
    except Exception as error:  # pylint: disable=broad-exception-caught
        return ManyOutcome(path, "error", f"unexpected {type(error).__name__}: {error}")
    return _outcome(path, report)


def _outcome(path: str, report: Any) -> ManyOutcome:
    """Classify one finished update."""
    payload = report.to_json()
    versions = f"{report.from_version} -> {report.to_version}"
    if report.conflicted:
        return ManyOutcome(path, "conflicts", f"{versions}: {report.where()}", payload)
    if report.lock.status == "failed":
        detail = f"{versions}: uv.lock: {report.lock.reason}; {report.where()}"
        return ManyOutcome(path, "conflicts", detail, payload)
    if report.up_to_date or report.changed == 0:
        return ManyOutcome(path, "up-to-date", f"at {report.to_version}", payload)
    verb = "would update" if report.dry_run else "updated"
    return ManyOutcome(path, "updated", f"{verb} {versions}: {report.where()}", payload)


def update_many(paths: list[Path], *, jobs: int = 2, **options: Any) -> list[ManyOutcome]:
    """Update every project in `paths`, `jobs` at a time; outcomes in the order given.

    `options` are `update()`'s keyword arguments (to, data, defaults, dry_run, lock).
    """
    unique = list(dict.fromkeys(str(Path(p).expanduser().resolve()) for p in paths))
    options = {**options, "defaults": True}  # workers have no terminal to prompt in
    if jobs <= 1 or len(unique) == 1:
        return [_one(p, options) for p in unique]
    context = multiprocessing.get_context("spawn")  # no inherited locks or threads
    workers = min(jobs, len(unique))
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_one, p, options) for p in unique]
        return [f.result() for f in futures]


def many_exit_code(outcomes: list[ManyOutcome]) -> int:
    """2 if any project failed, else 1 if any has conflicts, else 0."""
    statuses = {o.status for o in outcomes}
    return 2 if "error" in statuses else 1 if "conflicts" in statuses else 0


def many_json(outcomes: list[ManyOutcome]) -> dict[str, Any]:
    """The versioned JSON summary of a --many run."""
    return envelope(
        "update-many",
        {
            "counts": {s: sum(o.status == s for o in outcomes) for s in STATUSES},
            "projects": [
                {
                    "project": o.project,
                    "status": o.status,
                    "detail": o.detail,
                    "hint": o.hint,
                    "report": o.report,
                }
                for o in outcomes
            ],
        },
    )
