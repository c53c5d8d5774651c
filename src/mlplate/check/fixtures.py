"""The data checks read, computed once per run and only when a check asks for it.

A check names the fixtures it needs as parameters. A fixture that cannot be
computed here returns a `Skip` with the reason, and every check that needs it is
skipped with that reason instead of crashing; one a check cannot do without (the
template's releases when the template cannot be reached, the recorded version
when the answers file is unreadable) returns `CannotTell`, and the check fails.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from packaging.version import Version

from mlplate import answers_file, gitrepo, ownership, questions, template_cache, template_source
from mlplate.check.registry import CannotTell, Skip
from mlplate.errors import MlplateError
from mlplate.template_source import TemplateRef

ANSWERS_FILE = answers_file.NAME
_REACH_FIX = (
    "give this machine read access to the template (in CI: a token that can read the "
    "template's repository), or point MLPLATE_TEMPLATE at a copy of it"
)
_DESCRIBED = re.compile(r"^(?P<tag>.+)-\d+-g[0-9a-f]+$")  # `git describe`: v1.2.0-3-gabc1234


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None


class Fixtures:  # pylint: disable=too-many-public-methods
    """Lazily computed views of one project; `get(name)` serves a check's parameter."""

    def __init__(self, root: Path, *, template: str | None = None) -> None:
        self.root = root
        self._given = template  # --template: read the template there
        self._scratch: Path | None = None

    def get(self, name: str) -> Any:
        """The fixture called `name`."""
        return getattr(self, name)

    def close(self) -> None:
        """Remove temporary renders."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    # ── the project ────────────────────────────────────────────────────────

    @cached_property
    def answers(self) -> dict[str, Any] | None:
        """The parsed answers file, or None when it is missing or unreadable."""
        return answers_file.load(self.root)

    @cached_property
    def package(self) -> str | None:
        """The project's package name, from the answers or the src/ layout."""
        if self.answers and isinstance(self.answers.get("package_name"), str):
            return self.answers["package_name"]
        packages = sorted(p.parent.name for p in (self.root / "src").glob("*/__init__.py"))
        return packages[0] if packages else None

    @cached_property
    def policy(self) -> ownership.Policy | Skip:
        """The ownership policy recorded in .mlplate.yml (everything shared without one)."""
        try:
            return ownership.load(self.root)
        except MlplateError as error:
            return Skip(f"{ownership.POLICY_FILE} cannot be read: {error}")

    @cached_property
    def tracked(self) -> list[str]:
        """Files in the project: git's tracked and untracked-but-not-ignored, else every file.

        Also right for a project in a sub-folder of a repository (git lists paths
        relative to the folder it runs in).
        """
        listed = gitrepo.listed_files(self.root)
        if listed is not None:
            return [line for line in listed if (self.root / line).is_file()]
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file() and not {".git", ".venv"} & set(p.relative_to(self.root).parts)
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

    # ── the template it records ────────────────────────────────────────────

    @cached_property
    def recorded(self) -> tuple[str, str] | CannotTell:
        """`_src_path` and `_commit` from the answers file."""
        recorded = answers_file.source(self.answers or {})
        if recorded is None:
            what = "is missing or unreadable" if self.answers is None else "lacks them"
            return CannotTell(
                f"the template and version are recorded in {ANSWERS_FILE}, which {what}",
                f"restore {ANSWERS_FILE} from git history, or run `mlplate adopt`",
            )
        return recorded

    @cached_property
    def source(self) -> tuple[str, str] | CannotTell:
        """The template source to read and what named it (`template_cache.reachable`)."""
        if isinstance(self.recorded, CannotTell):
            return self.recorded
        try:
            return template_cache.reachable(self.root, self.recorded[0], given=self._given)
        except MlplateError as error:
            return CannotTell(
                f"the template {self.recorded[0]} cannot be read: {error}", _REACH_FIX
            )

    @cached_property
    def template(self) -> TemplateRef | Skip:
        """The recorded template version, resolved (a remote one mirrored in the cache)."""
        if isinstance(self.source, CannotTell):
            return Skip(self.source.reason)
        commit = self.recorded[1]  # type: ignore[index]  # source is a CannotTell without it
        try:
            return template_cache.version(
                self.root, self.source[0], commit, what="the recorded version"
            )
        except MlplateError as error:
            return Skip(str(error))

    @cached_property
    def release_tags(self) -> list[str] | Skip | CannotTell:
        """The template's tags (a remote one is asked with `git ls-remote`, not cloned)."""
        if isinstance(self.source, CannotTell):
            return self.source
        try:
            return template_cache.release_tags(self.root, self.source[0])
        except MlplateError as error:
            return CannotTell(
                f"the template {self.recorded[0]} cannot be read: {error}", _REACH_FIX
            )

    @cached_property
    def recorded_version(self) -> Version | Skip | CannotTell:
        """The release the recorded `_commit` is (or follows, for `tag-N-gHASH`)."""
        if isinstance(self.recorded, CannotTell):
            return self.recorded
        commit = self.recorded[1]
        described = _DESCRIBED.match(commit)
        version = template_source.release(described.group("tag") if described else commit)
        if version is None and not template_source.is_remote(self.recorded[0]):
            template = self.template  # a bare hash: ask the local repository for the tag before
            if isinstance(template, TemplateRef) and template.repo and template.commit:
                nearest = gitrepo.nearest_tag(template.repo, template.commit)
                version = template_source.release(nearest) if nearest else Version("0")
        if version is None:
            return Skip(f"`_commit: {commit}` is not a release, so versions behind are not counted")
        return version

    @cached_property
    def template_config(self) -> dict[str, Any] | Skip:
        """The recorded version's copier.yml, parsed (questions and `_` settings)."""
        template = self.template
        if isinstance(template, Skip):
            return template
        text = questions.config_text(template)
        if text is None:
            return Skip("the template has no copier.yml at the recorded version")
        try:
            return questions.parse_config(text)
        except yaml.YAMLError:
            return Skip(
                "the template's copier.yml uses YAML tags (e.g. !include) mlplate cannot read"
            )
        except ValueError as error:
            return Skip(str(error))

    @cached_property
    def rendered(self) -> Path | Skip:
        """The recorded template version rendered with the recorded answers (cached)."""
        template = self.template
        if isinstance(template, Skip):
            return template
        data = {k: v for k, v in (self.answers or {}).items() if not str(k).startswith("_")}
        self._scratch = self._scratch or Path(tempfile.mkdtemp(prefix="mlplate-check-"))
        try:
            return template_cache.rendered(template, data, self._scratch / "rendered")
        except MlplateError as error:
            return Skip(f"the recorded template version cannot be rendered: {error}")
