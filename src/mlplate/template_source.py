"""Where a template comes from, and which version of it to render.

A template is either a local git repository (rendered from an exact commit,
without cloning), a plain local directory, or a remote git URL (left to copier).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from mlplate import gitrepo
from mlplate._version import __version__
from mlplate.errors import NotACopierTemplate, TemplateNotFound, UserError

TEMPLATE_PATHS = ("copier.yml", "template", "hooks")
_CONFIG_NAMES = ("copier.yml", "copier.yaml")
_REMOTE_PREFIXES = ("gh:", "gl:", "git@", "git+", "https://", "http://", "ssh://", "file://")


@dataclass(frozen=True)
class TemplateRef:
    """One template version, resolved.

    `src` is what the answers file records as `_src_path` (absolute path or URL);
    `repo` is set for local git repositories; `commit` is the exact commit rendered;
    `version` is what `_commit` records (a tag, or tag-N-gHASH).
    """

    src: str
    repo: Path | None = None
    commit: str | None = None
    version: str | None = None
    worktree: bool = False

    @property
    def is_remote(self) -> bool:
        """True for a git URL (copier fetches it); False for local paths."""
        return self.repo is None and is_remote(self.src)


def is_remote(src: str) -> bool:
    """True for a git URL (copier fetches it); False for local paths."""
    return src.startswith(_REMOTE_PREFIXES) or src.endswith(".git") and not Path(src).exists()


def latest_release(repo: Path) -> str | None:
    """The highest tag that parses as a final PEP 440 release, as copier picks by default."""
    releases: list[tuple[Version, str]] = []
    for tag in gitrepo.tags(repo):
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            releases.append((version, tag))
    return max(releases)[1] if releases else None


def resolve(src: str | None, vcs_ref: str | None = None) -> TemplateRef:
    """Resolve `--template`/`--vcs-ref` (or the bundled template) to one version."""
    if src is None:
        return bundled(vcs_ref)
    if is_remote(src):
        return TemplateRef(src=src, version=vcs_ref)
    path = Path(src).expanduser()
    if not path.exists():
        raise TemplateNotFound(src=src)
    path = path.resolve()
    if not any((path / name).is_file() for name in _CONFIG_NAMES):
        raise NotACopierTemplate(src=src)
    if not gitrepo.is_repo_root(path):
        if vcs_ref:
            raise UserError(
                f"--vcs-ref {vcs_ref} needs a git repository, and {path} is a plain directory",
                "drop --vcs-ref, or point --template at a git repository",
            )
        return TemplateRef(src=str(path))
    return _at_ref(path, vcs_ref or latest_release(path) or "HEAD")


def _at_ref(repo: Path, ref: str, *, worktree: bool = False) -> TemplateRef:
    commit = gitrepo.resolve(repo, ref)
    if not commit:
        raise UserError(
            f"the template repository {repo} has no version '{ref}'",
            "pass --vcs-ref a tag, branch or commit that exists (git tag --list shows the tags)",
        )
    return TemplateRef(
        src=str(repo),
        repo=repo,
        commit=commit,
        version=gitrepo.describe(repo, commit),
        worktree=worktree,
    )


def bundled(vcs_ref: str | None = None) -> TemplateRef:
    """The template that ships with this mlplate.

    From a git checkout of mlplate it is the checkout itself (its working tree when
    no ref is asked for, so template edits show up at once). From an installed wheel
    it is a git repository in the user cache holding one commit per mlplate version,
    so `_commit` always names a version that later updates can render again.
    """
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "copier.yml").is_file() and gitrepo.is_repo_root(checkout):
        if vcs_ref:
            return _at_ref(checkout, vcs_ref)
        dirty = gitrepo.dirty_paths(checkout)
        worktree = any(p.split("/", 1)[0] in TEMPLATE_PATHS for p in dirty)
        return _at_ref(checkout, "HEAD", worktree=worktree)
    return _at_ref(_cached_bundle(), vcs_ref or f"v{__version__}")


def _cache_dir() -> Path:
    base = os.environ.get("MLPLATE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "mlplate" / "template"


def _cached_bundle() -> Path:
    bundle = Path(__file__).resolve().parent / "_bundled"
    repo = _cache_dir()
    tag = f"v{__version__}"
    if gitrepo.is_repo_root(repo) and tag in gitrepo.tags(repo):
        return repo
    repo.mkdir(parents=True, exist_ok=True)
    if not gitrepo.is_repo_root(repo):
        gitrepo.init(repo)
    for name in TEMPLATE_PATHS:
        target = repo / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        source = bundle / name
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.exists():
            shutil.copy2(source, target)
    gitrepo.commit_all(repo, f"mlplate template {tag}", allow_empty=True)
    gitrepo.git("tag", tag, cwd=repo)
    return repo
