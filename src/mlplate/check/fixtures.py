"""The data checks read, computed once per run and only when a check asks for it.

A check names the fixtures it needs as parameters. A fixture that cannot be
computed here (the template is unreachable, the project records no version)
returns a `Skip` with the reason, and every check that needs it is skipped with
that reason instead of failing or crashing.
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
from packaging.version import InvalidVersion, Version

from mlplate import _proc, gitrepo, ownership, template_source
from mlplate.check import cache
from mlplate.check.registry import Skip
from mlplate.errors import MlplateError
from mlplate.template_source import TemplateRef

ANSWERS_FILE = ".copier-answers.yml"
_DESCRIBED = re.compile(r"^(?P<tag>.+)-\d+-g[0-9a-f]+$")  # `git describe`: v1.2.0-3-gabc1234
_SHORTHANDS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}  # copier's


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None


def release(tag: str) -> Version | None:
    """The PEP 440 final release a tag names (copier's rule), or None."""
    try:
        version = Version(tag)
    except InvalidVersion:
        return None
    return None if version.is_prerelease else version


def git_url(src: str) -> str:
    """A URL git understands for copier's `_src_path` forms (gh:, gl:, git+https:)."""
    for short, long in _SHORTHANDS.items():
        if src.startswith(short):
            return long + src[len(short) :]
    return src[len("git+") :] if src.startswith("git+") else src


def _remote_template(src: str, commit: str) -> TemplateRef | Skip:
    """A git URL's recorded version, from a mirror in the cache (cloned or fetched if needed)."""
    try:
        clone = cache.remote_clone(git_url(src), commit)
    except cache.Unreachable as error:
        return Skip(f"the template {src} is unreachable: {error}")
    sha = _proc.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"], cwd=clone, check=False
    ).stdout.strip()
    if not sha:
        return Skip(f"the template {src} has no version {commit}")
    return TemplateRef(src=src, repo=clone, commit=sha, version=commit)


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

    # ── the project ────────────────────────────────────────────────────────

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
        listed = _proc.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=self.root,
            check=False,
        )
        if listed.returncode == 0:
            return sorted(
                {line for line in listed.stdout.splitlines() if (self.root / line).is_file()}
            )
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
    def recorded(self) -> tuple[str, str] | Skip:
        """`_src_path` and `_commit` from the answers file."""
        answers = self.answers or {}
        if not answers.get("_src_path") or not answers.get("_commit"):
            return Skip(f"{ANSWERS_FILE} records no `_src_path` and `_commit`")
        return str(answers["_src_path"]), str(answers["_commit"])

    @cached_property
    def template(self) -> TemplateRef | Skip:
        """The recorded template version, resolved (a remote one mirrored in the cache)."""
        if isinstance(self.recorded, Skip):
            return self.recorded
        src, commit = self.recorded
        if template_source.is_remote(src):
            return _remote_template(src, commit)
        if not Path(src).is_absolute():  # relative to the project, as copier reads it there
            src = str((self.root / src).resolve())
        if not Path(src).exists():
            return Skip(f"the template {src} does not exist on this machine")
        try:
            return template_source.resolve(src, commit)
        except MlplateError as error:
            return Skip(f"the template {src} at {commit} cannot be read: {error}")

    @cached_property
    def release_tags(self) -> list[str] | Skip:
        """The template's tags (a remote one is asked with `git ls-remote`, not cloned)."""
        if isinstance(self.recorded, Skip):
            return self.recorded
        src = self.recorded[0]
        if template_source.is_remote(src):
            try:
                return cache.remote_tags(git_url(src))
            except cache.Unreachable as error:
                return Skip(f"the template {src} is unreachable: {error}")
        template = self.template
        if isinstance(template, Skip):
            return template
        if template.repo is None:
            return Skip(f"the template {src} is not a git repository, so it has no releases")
        return gitrepo.tags(template.repo)

    @cached_property
    def recorded_version(self) -> Version | Skip:
        """The release the recorded `_commit` is (or follows, for `tag-N-gHASH`)."""
        if isinstance(self.recorded, Skip):
            return self.recorded
        commit = self.recorded[1]
        described = _DESCRIBED.match(commit)
        version = release(described.group("tag") if described else commit)
        if version is None and not template_source.is_remote(self.recorded[0]):
            template = self.template  # a bare hash: ask the local repository for the tag before
            if isinstance(template, TemplateRef) and template.repo and template.commit:
                nearest = _proc.run(
                    ["git", "describe", "--tags", "--abbrev=0", template.commit],
                    cwd=template.repo,
                    check=False,
                ).stdout.strip()
                version = release(nearest) if nearest else Version("0")
        if version is None:
            return Skip(f"`_commit: {commit}` is not a release, so versions behind are not counted")
        return version

    @cached_property
    def template_config(self) -> dict[str, Any] | Skip:
        """The recorded version's copier.yml, parsed (questions and `_` settings)."""
        template = self.template
        if isinstance(template, Skip):
            return template
        text = None
        for name in ("copier.yml", "copier.yaml"):
            if template.repo is not None and not template.worktree:
                done = _proc.run(
                    ["git", "show", f"{template.commit}:{name}"], cwd=template.repo, check=False
                )
                text = done.stdout if done.returncode == 0 else None
            elif (Path(template.src) / name).is_file():
                text = (Path(template.src) / name).read_text(encoding="utf-8")
            if text is not None:
                break
        if text is None:
            return Skip("the template has no copier.yml at the recorded version")
        try:
            config = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            return Skip(
                "the template's copier.yml uses YAML tags (e.g. !include) mlplate cannot read"
            )
        return (
            config
            if isinstance(config, dict)
            else Skip("the template's copier.yml is not a mapping")
        )

    @cached_property
    def rendered(self) -> Path | Skip:
        """The recorded template version rendered with the recorded answers (cached)."""
        template = self.template
        if isinstance(template, Skip):
            return template
        data = {k: v for k, v in (self.answers or {}).items() if not str(k).startswith("_")}
        self._scratch = self._scratch or Path(tempfile.mkdtemp(prefix="mlplate-check-"))
        try:
            return cache.rendered(template, data, self._scratch)
        except MlplateError as error:
            return Skip(f"the recorded template version cannot be rendered: {error}")
