"""Structure checks (MP2xx): the modules, tests, docs and configs every project keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlplate.check.registry import Check

# Each stage, as the template lays it out (a folder) or as projects before the stage
# folders had it (one module): either one is the stage being there.
STAGES = ("data", "features", "train", "monitor")
# Where serving lives, by the project's `serving` answer: the folder, or the old module.
SERVING = {"fastapi": ("serve/api.py", "serve.py"), "batch": ("serve/predict.py", "predict.py")}


def _stage_places(name: str) -> tuple[str, str]:
    return f"{name}/__init__.py", f"{name}.py"


class MP201(Check):
    """The pipeline modules are present"""

    family = "structure"

    @staticmethod
    def check(root: Path, package: str | None, answers: dict[str, Any] | None) -> list[str] | str:
        """
        The package lacks one of the pipeline stages (config, data, features, train,
        monitor, and serve's app or batch scorer by the `serving` answer) that the team's
        tooling, CI and runbook rely on.
        Fix: restore the module (`git log --diff-filter=D -- PATH` finds it).
        """
        if package is None:
            return "no package under src/ (src/<package>/__init__.py)"
        serving = (answers or {}).get("serving", "fastapi")
        wanted = [("config.py",), *(_stage_places(s) for s in STAGES)]
        wanted.append(SERVING.get(serving, SERVING["fastapi"]))
        base = root / "src" / package
        return [
            f"src/{package}/{places[0]}"
            for places in wanted
            if not any((base / place).is_file() for place in places)
        ]


class MP202(Check):
    """Tests are present"""

    family = "structure"

    @staticmethod
    def check(root: Path) -> bool:
        """
        There is no test module (`tests/**/test_*.py` or `*_test.py`), so CI proves nothing.
        Fix: keep the generated tests and add to them.
        """
        tests = root / "tests"
        return any(tests.rglob("test_*.py")) or any(tests.rglob("*_test.py"))


class MP203(Check):
    """Model card, data card and runbook are present"""

    family = "structure"

    @staticmethod
    def check(root: Path) -> list[str]:
        """
        A documentation page the team requires is missing.
        Fix: restore it; `make docs-cards` refills the model and data cards.
        """
        pages = ("docs/model-card.md", "docs/data-card.md", "docs/runbook.md")
        return [page for page in pages if not (root / page).is_file()]


class MP204(Check):
    """The pipeline configuration is present"""

    family = "structure"

    @staticmethod
    def check(root: Path) -> bool:
        """
        `configs/` holds no configuration file (`*.yaml`, `*.yml`, `*.toml`, `*.json`):
        training, serving and monitoring read their settings from it.
        Fix: restore `configs/config.yaml` from the template (git history has it).
        """
        return any(
            path.is_file() and path.suffix in {".yaml", ".yml", ".toml", ".json"}
            for path in (root / "configs").rglob("*")
        )


def checks() -> list[type[Check]]:
    """The structure family, as the `mlplate.checks` entry point in pyproject.toml lists it."""
    return [MP201, MP202, MP203, MP204]
