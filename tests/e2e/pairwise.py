"""An all-pairs set of template option combinations, honouring copier.yml's constraints.

Every value of every option meets every value of every other option in at least one
combination, wherever copier.yml's validators allow the two together. Greedy: it takes
the valid combination covering the most pairs not yet covered, defaults first on ties.
"""

from __future__ import annotations

from itertools import combinations, product
from typing import Any

# Each option's values, the template's default first.
OPTIONS: dict[str, tuple[Any, ...]] = {
    "tracker": ("mlflow", "wandb", "none"),
    "linting": ("black-pylint", "ruff"),
    "serving": ("fastapi", "batch"),
    "docker": (True, False),
    "gpu_image": (False, True),
    "data_versioning": ("none", "dvc"),
    "kubernetes": (False, True),
    "ci_python_versions": (("3.11",), ("3.11", "3.12")),
}


def allowed(combo: dict[str, Any]) -> bool:
    """What copier.yml's validators accept (gpu_image and kubernetes need docker; k8s, fastapi)."""
    if combo["gpu_image"] and not combo["docker"]:
        return False
    return not (combo["kubernetes"] and (not combo["docker"] or combo["serving"] != "fastapi"))


def _pairs(combo: dict[str, Any]) -> set[tuple[tuple[str, Any], tuple[str, Any]]]:
    return set(combinations(sorted(combo.items()), 2))


def valid_combinations() -> list[dict[str, Any]]:
    """Every combination of OPTIONS that the template accepts, defaults first."""
    every = (dict(zip(OPTIONS, values)) for values in product(*OPTIONS.values()))
    return [combo for combo in every if allowed(combo)]


def all_pairs() -> list[dict[str, Any]]:
    """A small set of valid combinations covering every pair that any valid one covers."""
    candidates = valid_combinations()
    uncovered = set().union(*(_pairs(c) for c in candidates))
    chosen: list[dict[str, Any]] = []
    while uncovered:
        best = max(candidates, key=lambda c: len(_pairs(c) & uncovered))
        chosen.append(best)
        uncovered -= _pairs(best)
    return chosen


def as_data(combo: dict[str, Any]) -> dict[str, Any]:
    """The combination as `mlplate new --data` values (lists for multiselect answers)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in combo.items()}


def label(combo: dict[str, Any]) -> str:
    """A readable test id: the options that differ from the defaults."""
    changed = [
        f"{k}={'+'.join(v) if isinstance(v, tuple) else v}"
        for k, v in combo.items()
        if v != OPTIONS[k][0]
    ]
    return ",".join(changed) or "defaults"
