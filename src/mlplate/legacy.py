"""What `mlplate adopt` knows of the layouts repositories come from.

A cruft-linked project records its cookiecutter answers in `.cruft.json`; a
cookiecutter-data-science (CCDS) project is recognised by its folders, and its
modules map onto the template's pipeline modules. Plain repositories are read
from `pyproject.toml`, `.python-version`, the package layout and git config.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlplate import gitrepo
from mlplate.option_inference import infer_options, read_pyproject
from mlplate.errors import UserError

CRUFT_FILE = ".cruft.json"
CCDS_FOLDERS = ("data", "models", "notebooks", "references", "reports")

# Cookiecutter context names (CCDS v1 and v2, common cruft templates) → the template's questions.
CONTEXT_NAMES = {
    "project_name": "project_name",
    "repo_name": "project_name",
    "project_slug": "project_name",
    "module_name": "package_name",
    "package_name": "package_name",
    "description": "description",
    "project_short_description": "description",
    "author_name": "author_name",
    "author": "author_name",
    "full_name": "author_name",
    "author_email": "author_email",
    "email": "author_email",
    "python_version_number": "python_version",
    "python_version": "python_version",
    "open_source_license": "license",
    "license": "license",
}

# CCDS modules → the template's (src/<package>/...). v2 keeps them in <module_name>/,
# v1 in src/ with one folder per stage.
CCDS_MODULES = {
    "config.py": "config.py",
    "dataset.py": "data/load.py",
    "features.py": "features/pipeline.py",
    "modeling/train.py": "train/fit.py",
    "modeling/predict.py": "serve/inference.py",
}
CCDS_V1_MODULES = {
    "src/data/make_dataset.py": "data/load.py",
    "src/features/build_features.py": "features/pipeline.py",
    "src/models/train_model.py": "train/fit.py",
    "src/models/predict_model.py": "serve/inference.py",
}


@dataclass
class Inferred:
    """Answers read from a repository, where each came from, and notes for the report."""

    origin: str = "plain"
    answers: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    opt_out: list[str] = field(default_factory=list)

    def add(self, key: str, value: Any, source: str) -> None:
        """Record an answer unless one is known already: the first source read wins."""
        if value in (None, "") or key in self.answers:
            return
        self.answers[key] = value
        self.sources[key] = source


def layout(root: Path) -> str:
    """`cruft`, `cookiecutter-data-science` or `plain`."""
    if (root / CRUFT_FILE).is_file():
        return "cruft"
    if sum((root / name).is_dir() for name in CCDS_FOLDERS) >= 4:
        return "cookiecutter-data-science"
    return "plain"


def read_cruft(root: Path) -> dict[str, Any]:
    """The parsed `.cruft.json`; a clear error when it is not one."""
    try:
        data = json.loads((root / CRUFT_FILE).read_text(encoding="utf-8"))
        if not isinstance(data["context"]["cookiecutter"], dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(
            f"{CRUFT_FILE} is not a cruft file (no context.cookiecutter mapping)",
            f"fix {CRUFT_FILE}, or remove it to adopt the repository as a plain one",
        ) from None
    return data


def _context(found: Inferred, context: Mapping[str, Any], source: str) -> None:
    for theirs, ours in CONTEXT_NAMES.items():
        value = context.get(theirs)
        if isinstance(value, (int, float)) and ours == "python_version":
            value = str(value)
        if isinstance(value, str) and value and "{{" not in value and "{%" not in value:
            found.add(ours, value, f"{source} {theirs}")


def _site_name(root: Path) -> str | None:
    path = root / "mkdocs.yml"
    if not path.is_file():
        return None
    match = re.search(r"^site_name:\s*(.+?)\s*$", path.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        return None
    try:
        value = yaml.safe_load(match.group(1))  # one scalar: mkdocs.yml may hold !!python tags
    except yaml.YAMLError:
        return None
    return value if isinstance(value, str) else None


def _pyproject(data: dict[str, Any], found: Inferred) -> None:
    project = data.get("project") or {}
    found.add("project_name", project.get("name"), "pyproject.toml [project] name")
    found.add("description", project.get("description"), "pyproject.toml [project] description")
    authors = project.get("authors") or []
    if authors and isinstance(authors[0], dict):
        found.add("author_name", authors[0].get("name"), "pyproject.toml [project] authors")
        found.add("author_email", authors[0].get("email"), "pyproject.toml [project] authors")
    licence = project.get("license")
    licence = licence.get("text") if isinstance(licence, dict) else licence
    found.add("license", licence, "pyproject.toml [project] license")
    requires = re.search(r"(\d+\.\d+)", str(project.get("requires-python", "")))
    if requires:
        found.add("python_version", requires.group(1), "pyproject.toml requires-python")


def _git_config(root: Path, key: str) -> str | None:
    return gitrepo.config_value(root, key)


def _packages(root: Path, origin: str) -> list[str]:
    """Importable packages: under src/ first, else at the top level."""
    under_src = sorted(p.parent.name for p in (root / "src").glob("*/__init__.py"))
    if origin == "cookiecutter-data-science" and (root / "src" / "__init__.py").is_file():
        return []  # CCDS v1: `src` is the package itself, and its folders are stages
    if under_src:
        return under_src
    skip = {"tests", "test", "docs", "notebooks", "scripts", "src"}
    return sorted(p.parent.name for p in root.glob("*/__init__.py") if p.parent.name not in skip)


def infer(root: Path) -> Inferred:
    """Everything `adopt` can tell about the repository at `root`."""
    found = Inferred(origin=layout(root))
    if found.origin == "cruft":
        cruft = read_cruft(root)
        _context(found, cruft["context"]["cookiecutter"], CRUFT_FILE)
        found.notes.append(
            f"was linked by cruft to {cruft.get('template', '?')} at "
            f"{str(cruft.get('commit', '?'))[:12]}; its answers were carried over"
        )
        skipped = [str(s) for s in cruft.get("skip") or [] if str(s) not in {".git", ".git/"}]
        found.opt_out.extend(skipped)
    version_file = root / ".python-version"
    if version_file.is_file():
        text = version_file.read_text(encoding="utf-8").strip()
        found.add("python_version", ".".join(text.split(".")[:2]), ".python-version")
    # The docs' site name holds the project's title as written (pyproject's `name` is the
    # distribution name: "Churn Radar" there is "churn-radar").
    found.add("project_name", _site_name(root), "mkdocs.yml site_name")
    pyproject = read_pyproject(root)
    _pyproject(pyproject, found)
    packages = _packages(root, found.origin)
    if packages:
        found.add("package_name", packages[0], f"package {packages[0]}/")
        if len(packages) > 1:
            found.notes.append(f"several packages ({', '.join(packages)}): took {packages[0]}")
    found.add("author_name", _git_config(root, "user.name"), "git config user.name")
    found.add("author_email", _git_config(root, "user.email"), "git config user.email")
    found.add("project_name", root.name, "the directory name")
    remote = _git_config(root, "remote.origin.url")
    for key, value, source in infer_options(root, pyproject, remote):
        found.add(key, value, source)
    return found


def ccds_moves(root: Path, package: str | None) -> list[str]:
    """How a CCDS project's modules map onto the template's layout (nothing is moved).

    `package` is the package name the project is adopted with.
    """
    notes = []
    target = f"src/{package or '<package>'}"
    if package and (root / package / "__init__.py").is_file():
        notes.append(f"the package is at {package}/; the template keeps it at {target}/")
        pairs = {f"{package}/{theirs}": ours for theirs, ours in CCDS_MODULES.items()}
    else:
        pairs = dict(CCDS_V1_MODULES)
        if (root / "src" / "__init__.py").is_file():
            notes.append(
                f"CCDS v1 layout: the code is in src/ by stage; the template uses {target}/"
            )
    for theirs, ours in pairs.items():
        if (root / theirs).is_file():
            notes.append(f"{theirs} corresponds to the template's {target}/{ours}")
    return notes
