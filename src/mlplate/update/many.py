"""Update many projects at once: one failure never stops the others.

Projects are updated in worker processes (`jobs` at a time); each worker imports
copier once and renders every project it is handed, so the per-repository cost
is the merge work, not the start-up.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlplate.errors import MlplateError
from mlplate.results import envelope


@dataclass(frozen=True)
class ManyOutcome:
    """One project's result: its report's JSON, or the error that stopped it."""

    project: str
    status: str  # "updated", "conflicts", "up-to-date" or "error"
    detail: str
    report: dict[str, Any] | None = None


def _one(path: str, to: str | None, lock: bool) -> ManyOutcome:
    # Imported in the worker: the parent needs none of copier's start-up cost.
    from mlplate.update import update  # pylint: disable=import-outside-toplevel

    try:
        report = update(path, to=to, lock=lock)
    except MlplateError as error:
        return ManyOutcome(path, "error", str(error))
    except Exception as error:  # pylint: disable=broad-exception-caught
        return ManyOutcome(path, "error", f"unexpected {type(error).__name__}: {error}")
    payload = report.to_json()
    changed = sum(len(v) for k, v in report.changes.items() if k != "skipped")
    if report.conflicted:
        return ManyOutcome(path, "conflicts", ", ".join(report.conflicted), payload)
    if changed == 0 and report.from_version == report.to_version:
        return ManyOutcome(path, "up-to-date", report.to_version, payload)
    detail = f"{report.from_version} -> {report.to_version}, {changed} file(s)"
    return ManyOutcome(path, "updated", detail, payload)


def update_many(
    paths: list[Path], *, to: str | None = None, jobs: int = 2, lock: bool = True
) -> list[ManyOutcome]:
    """Update every project in `paths`, `jobs` at a time; outcomes in the order given."""
    unique = list(dict.fromkeys(str(Path(p).expanduser().resolve()) for p in paths))
    if jobs <= 1 or len(unique) == 1:
        return [_one(p, to, lock) for p in unique]
    context = multiprocessing.get_context("spawn")  # no inherited locks or threads
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_one, p, to, lock) for p in unique]
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
            "counts": {
                s: sum(o.status == s for o in outcomes)
                for s in ("updated", "conflicts", "up-to-date", "error")
            },
            "projects": [
                {"project": o.project, "status": o.status, "detail": o.detail, "report": o.report}
                for o in outcomes
            ],
        },
    )
