"""Where a template comes from, and which version of it to render.

A template is either a local git repository (rendered from an exact commit,
without cloning), a plain local directory, a remote git URL (mirrored in the
cache by `template_cache`), or mlplate's own bundled template. The bundled one
is recorded in `_src_path` as `mlplate:bundled`, which every machine with the
same or a newer mlplate resolves to the template it ships, never as a path
inside one machine's cache. Projects that recorded that cache path before are
read as `mlplate:bundled` too.
"""

from __future__ import annotations

import os
import re
import shutil
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlparse

from packaging.version import InvalidVersion, Version

from mlplate import _proc, gitrepo
from mlplate._version import __version__
from mlplate.errors import MlplateError, NotACopierTemplate, TemplateNotFound, UserError

BUNDLED = "mlplate:bundled"  # `_src_path` of the template that ships with mlplate
TEMPLATE_PATHS = ("copier.yml", "template", "hooks")
_CONFIG_NAMES = ("copier.yml", "copier.yaml")
_REMOTE_PREFIXES = ("gh:", "gl:", "git@", "git+", "https://", "http://", "ssh://", "file://")
_SHORTHANDS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}  # copier's
_CACHE_TAIL = ("mlplate", "template")  # where older mlplates kept the bundle, below the cache
_BUNDLE = Path(__file__).resolve().parent / "_bundled"  # the template inside the wheel


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


def git_url(src: str) -> str:
    """A URL git understands for copier's `_src_path` forms (gh:, gl:, git+https:)."""
    for short, long in _SHORTHANDS.items():
        if src.startswith(short):
            return long + src[len(short) :]
    return src[len("git+") :] if src.startswith("git+") else src


def is_bundled(src: str) -> bool:
    """True for `mlplate:bundled`, and for the cache path older mlplates recorded instead."""
    if src == BUNDLED:
        return True
    path = Path(src).expanduser()
    if not path.is_absolute():
        return False
    if path.exists():
        cache = cache_dir()
        return cache.exists() and path.resolve() == cache.resolve()
    return path.parts[-2:] == _CACHE_TAIL  # another machine's cache: the bundle of its mlplate


def release(tag: str) -> Version | None:
    """The PEP 440 final release a tag names (copier's rule), or None."""
    try:
        version = Version(tag)
    except InvalidVersion:
        return None
    return None if version.is_prerelease else version


def names_release(recorded: str) -> bool:
    """Whether a recorded `_commit` claims a release tag (not a commit hash that happens to
    read as a number, such as `9080271`: copier records a commit for an untagged template)."""
    if re.fullmatch(r"[0-9a-f]{7,40}", recorded) and not re.fullmatch(r"[0-9]{1,6}", recorded):
        return False
    return release(recorded) is not None


def releases(tags: Iterable[str]) -> list[tuple[Version, str]]:
    """The tags that name final releases, oldest first, each with its version."""
    return sorted((version, tag) for tag in tags if (version := release(tag)) is not None)


def newest_release(tags: Iterable[str]) -> str | None:
    """The highest tag that parses as a final PEP 440 release, as copier picks by default."""
    found = releases(tags)
    return found[-1][1] if found else None


def latest_release(repo: Path) -> str | None:
    """The newest release tag of the local repository `repo`."""
    return newest_release(gitrepo.tags(repo))


def resolve(src: str | None, vcs_ref: str | None = None) -> TemplateRef:
    """Resolve `--template`/`--vcs-ref` (or the bundled template) to one version."""
    if src is None or is_bundled(src):
        return bundled(vcs_ref)
    if src.startswith("file://"):
        # Rendered from the repository in place; recorded as the URL given, which update
        # and check read as git does (a mirror clone in the cache).
        return replace(resolve(unquote(urlparse(src).path), vcs_ref), src=src)
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


def portable(template: TemplateRef, dest: Path) -> tuple[TemplateRef, str | None]:
    """`template` with the `_src_path` a project at `dest` should record, and a warning.

    A local template is recorded so every clone of the project finds it: relative to the
    project when both sit in one git repository; else as the template's `origin` URL
    when it has one; else as this machine's path, with a warning saying how teammates
    and CI point at the template instead.
    """
    if template.repo is None or template.src == BUNDLED or is_remote(template.src):
        return template, None  # a URL is portable; a plain directory has no versions to update
    path = Path(template.src)
    parent = next((p for p in [dest, *dest.parents] if p.is_dir()), None)
    top = gitrepo.toplevel(parent) if parent is not None else None
    if top is not None and path.resolve().is_relative_to(top):
        return replace(template, src=os.path.relpath(path.resolve(), dest)), None
    url = gitrepo.remote_url(template.repo) if template.repo is not None else None
    if url is not None and is_remote(url):
        return replace(template, src=url), None
    return template, (
        f"the template is recorded as {template.src}, a path of this machine only: on "
        "another machine or in CI, `mlplate update` and `mlplate check` need MLPLATE_TEMPLATE "
        "(or --template) pointing at a copy; give the template a git remote (origin) to "
        "record its URL instead"
    )


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


def _checkout() -> Path | None:
    """The git checkout of mlplate this code runs from, or None for an installed wheel."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "copier.yml").is_file() and gitrepo.is_repo_root(checkout):
        return checkout
    return None


def bundled(vcs_ref: str | None = None) -> TemplateRef:
    """The template that ships with mlplate, as `mlplate:bundled`.

    From a git checkout of mlplate it is the checkout itself (its working tree when
    no ref is asked for, so template edits show up at once). From an installed wheel
    it is a git repository in the user cache holding one commit per mlplate build,
    tagged with its version, so `_commit` names a version that later updates can
    render again. A release this machine has not used yet (a teammate's project
    made with an older mlplate) is added to it from that release's wheel.
    """
    checkout = _checkout()
    if checkout is not None:
        if vcs_ref:
            return replace(_at_ref(checkout, vcs_ref), src=BUNDLED)
        dirty = gitrepo.dirty_paths(checkout)
        worktree = any(p.split("/", 1)[0] in TEMPLATE_PATHS for p in dirty)
        return replace(_at_ref(checkout, "HEAD", worktree=worktree), src=BUNDLED)
    repo = _cached_bundle(_BUNDLE, __version__)
    if vcs_ref and not gitrepo.commit_of(repo, vcs_ref):
        _from_release(vcs_ref)
    if vcs_ref and not gitrepo.commit_of(repo, vcs_ref):
        raise UserError(
            f"the bundled template has no version '{vcs_ref}' on this machine (this mlplate "
            f"is {__version__})",
            _missing_hint(release(vcs_ref)),
        )
    return replace(_at_ref(repo, vcs_ref or f"v{__version__}"), src=BUNDLED)


def _missing_hint(shipped: Version | None) -> str:
    if shipped is None:
        return "update from the template's git repository (set `_src_path` to its URL)"
    if shipped > Version(__version__):
        return f"upgrade mlplate: the project was made with a newer one ({shipped})"
    return (
        f"run `uvx --from mlplate=={shipped} mlplate check` once in the project (it caches "
        "that version's template), then run again"
    )


# Run by the older mlplate release with `uv tool run`: its `bundled()` adds its own
# template to the shared cache repository, under its version's tag.
_SEED = "from mlplate import template_source; template_source.bundled()"


def _from_release(vcs_ref: str) -> None:
    """Add the template of the mlplate release `vcs_ref` names to the cache, from its wheel."""
    shipped = release(vcs_ref)
    if shipped is None or shipped >= Version(__version__):
        return  # not a release tag, or one this mlplate cannot have shipped yet
    try:
        _proc.run(
            [
                "uv",
                "tool",
                "run",
                "--quiet",
                "--from",
                f"mlplate=={shipped}",
                "python",
                "-c",
                _SEED,
            ],
            check=False,
        )
    except MlplateError:  # no uv here: the error that follows says what to do
        return


def cache_dir() -> Path:
    """The git repository holding the bundled template of each mlplate build used here."""
    base = os.environ.get("MLPLATE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache").joinpath(*_CACHE_TAIL)


def _content_hash(bundle: Path) -> str:
    """A hash of every file of the bundled template: two builds of one version can differ."""
    digest = hashlib.sha256()
    for path in sorted(p for p in bundle.rglob("*") if p.is_file() or p.is_symlink()):
        digest.update(path.relative_to(bundle).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() if not path.is_symlink() else str(path.readlink()).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _cached_bundle(bundle: Path, version: str) -> Path:
    """The cache repository, with tag v<version> on a commit of exactly this build's template.

    Each build's content gets its own ref (refs/mlplate/<hash>), so a cache filled by
    another build of the same version is never taken for this one: the tag moves to
    this build's commit, and the other build's commit stays readable for the
    projects that recorded it.
    """
    repo = cache_dir()
    tag = f"v{version}"
    build = f"refs/mlplate/{_content_hash(bundle)}"
    if gitrepo.is_repo_root(repo):
        commit = gitrepo.commit_of(repo, build)
        if commit and gitrepo.commit_of(repo, tag) == commit:
            return repo
        if commit:
            gitrepo.git("tag", "--force", tag, commit, cwd=repo)
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
    commit = gitrepo.commit_all(repo, f"mlplate template {tag}", allow_empty=True)
    gitrepo.git("update-ref", build, commit, cwd=repo)
    gitrepo.git("tag", "--force", tag, commit, cwd=repo)
    return repo
