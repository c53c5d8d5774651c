"""The data checks read, computed once per run and only when a check asks for it."""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from mlplate import _proc, gitrepo, ownership, template_source
from mlplate.errors import MlplateError
from mlplate.render import render
from mlplate.template_source import TemplateRef

ANSWERS_FILE = ".copier-answers.yml"


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None


class Fixtures:  # pylint: disable=too-many-public-methods
    """Lazily computed views of one project; `get(name)` serves a check's parameter."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._scratch: Path | None = None

    def get(self, name: str) -> Any:
        """The fixture called `name`."""
        return getattr(self, name)

    def close(self) -> None:
        """Remove temporary renders."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    @cached_property
    def answers(self) -> dict[str, Any] | None:
        """The parsed answers file, or None when it is missing or unreadable."""
        loaded = _yaml(self.root / ANSWERS_FILE)
        return loaded if isinstance(loaded, dict) else None

    @cached_property
    def package(self) -> str | None:
        """The project's package name, from the answers or the src/ layout."""
        if self.answers and isinstance(self.answers.get("package_name"), str):
            return self.answers["package_name"]
        packages = sorted(p.parent.name for p in (self.root / "src").glob("*/__init__.py"))
        return packages[0] if packages else None

    @cached_property
    def policy(self) -> ownership.Policy:
        """The ownership policy recorded in .mlplate.yml."""
        return ownership.load(self.root)

    @cached_property
    def tracked(self) -> list[str]:
        """Files in the project: git's tracked and untracked-but-not-ignored, else every file."""
        if gitrepo.is_repo_root(self.root):
            out = _proc.run(
                ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=self.root
            ).stdout
            return sorted({line for line in out.splitlines() if (self.root / line).is_file()})
        return sorted(
            str(p.relative_to(self.root))
            for p in self.root.rglob("*")
            if p.is_file() and ".git" not in p.parts and ".venv" not in p.parts
        )

    @cached_property
    def pyproject(self) -> dict[str, Any] | None:
        """The parsed pyproject.toml."""
        try:
            return tomllib.loads((self.root / "pyproject.toml").read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return None

    @cached_property
    def precommit(self) -> dict[str, Any] | None:
        """The parsed .pre-commit-config.yaml."""
        loaded = _yaml(self.root / ".pre-commit-config.yaml")
        return loaded if isinstance(loaded, dict) else None

    @cached_property
    def workflows(self) -> dict[str, Any]:
        """Every GitHub Actions workflow, parsed, by file name."""
        folder = self.root / ".github" / "workflows"
        return {p.name: _yaml(p) for p in sorted(folder.glob("*.y*ml"))} if folder.is_dir() else {}

    @cached_property
    def dockerfile(self) -> str | None:
        """The Dockerfile's text."""
        path = self.root / "Dockerfile"
        return path.read_text(encoding="utf-8") if path.is_file() else None

    @cached_property
    def template(self) -> TemplateRef | None:
        """The template version the project records, when its source can be read here."""
        if not self.answers or not self.answers.get("_src_path") or not self.answers.get("_commit"):
            return None
        src = str(self.answers["_src_path"])
        if template_source.is_remote(src):
            return None  # fetching a remote template is `mlplate update`'s job, not a check's
        try:
            return template_source.resolve(src, str(self.answers["_commit"]))
        except MlplateError:
            return None

    @cached_property
    def latest(self) -> str | None:
        """The template's latest release tag."""
        if self.template is None or self.template.repo is None:
            return None
        return template_source.latest_release(self.template.repo)

    @cached_property
    def rendered(self) -> Path | None:
        """The recorded template version rendered with the recorded answers."""
        if self.template is None or self.answers is None:
            return None
        self._scratch = Path(tempfile.mkdtemp(prefix="mlplate-check-"))
        target = self._scratch / "rendered"
        data = {k: v for k, v in self.answers.items() if not str(k).startswith("_")}
        try:
            render(self.template, target, data=data, defaults=True)
        except MlplateError:
            return None
        return target
