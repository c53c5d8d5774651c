"""What a repository's own files say about the template's options, for `mlplate adopt`.

Each rule reads one kind of evidence (a dependency, a config file, a folder) and names
it as the answer's source, so the adopt report can say where every answer came from.
Only what the files show is inferred; anything else takes the template's default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_GITHUB_REMOTE = re.compile(r"github\.com[:/]([A-Za-z0-9][A-Za-z0-9-]*)/")

Evidence = tuple[str, Any, str]  # (question, answer, where it was read)


def read_pyproject(root: Path) -> dict[str, Any]:
    """pyproject.toml's tables, or nothing when it is missing or not TOML."""
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def dependencies(data: dict[str, Any]) -> set[str]:
    """Lower-cased names of every dependency a pyproject declares (all groups, extras)."""
    project = data.get("project") or {}
    specs = list(project.get("dependencies") or [])
    for group in (project.get("optional-dependencies") or {}).values():
        specs += group
    for group in (data.get("dependency-groups") or {}).values():
        specs += [s for s in group if isinstance(s, str)]
    names = (_NAME.match(str(s)) for s in specs)
    return {m.group(1).lower().replace("_", "-") for m in names if m}


def _hook_ids(root: Path) -> set[str]:
    try:
        config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return set()
    repos = (config or {}).get("repos") or []
    return {str(h.get("id")) for r in repos if isinstance(r, dict) for h in r.get("hooks") or []}


def _code_owners(root: Path) -> str | None:
    for place in (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"):
        path = root / place
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("* "):
                    return " ".join(line.split()[1:])
    return None


def _tooling(root: Path, deps: set[str]) -> Iterator[Evidence]:
    if "mlflow" in deps:
        yield "tracker", "mlflow", "pyproject.toml depends on mlflow"
    elif "wandb" in deps:
        yield "tracker", "wandb", "pyproject.toml depends on wandb"
    hooks = _hook_ids(root) | deps
    if hooks & {"black", "pylint"}:
        yield "linting", "black-pylint", "black or pylint in pre-commit or pyproject.toml"
    elif hooks & {"ruff", "ruff-format", "ruff-check"}:
        yield "linting", "ruff", "ruff in pre-commit or pyproject.toml"
    if deps & {"fastapi", "uvicorn"}:
        yield "serving", "fastapi", "pyproject.toml depends on fastapi"
    if (root / "dvc.yaml").is_file() or (root / ".dvc").is_dir():
        yield "data_versioning", "dvc", "dvc.yaml or .dvc/"


def _deployment(root: Path, deps: set[str]) -> Iterator[Evidence]:
    docker = (root / "Dockerfile").is_file()
    yield "docker", docker, "Dockerfile" if docker else "no Dockerfile"
    if docker:
        gpu = (root / "Dockerfile.gpu").is_file()
        yield "gpu_image", gpu, "Dockerfile.gpu" if gpu else "no Dockerfile.gpu"
    k8s = any((root / folder).is_dir() for folder in ("k8s", "kubernetes", "deploy/k8s"))
    if docker and k8s and deps & {"fastapi", "uvicorn"}:
        yield "kubernetes", True, "a k8s/ folder"


def infer_options(
    root: Path, pyproject: dict[str, Any], remote_url: str | None = None
) -> list[Evidence]:
    """The option answers the files at `root`, its pyproject and git remote URL support."""
    deps = dependencies(pyproject)
    found = [*_tooling(root, deps), *_deployment(root, deps)]
    org = _GITHUB_REMOTE.search(remote_url or "")
    if org:
        found.append(("organization", org.group(1), "git remote origin"))
    owners = _code_owners(root)
    if owners:
        found.append(("code_owners", owners, "CODEOWNERS"))
    return found
