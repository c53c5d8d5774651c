"""Reading the template version a project records, wherever it lives, with a cache.

`mlplate update` and `mlplate check` both stand on this module. `_src_path` is
taken as copier writes it (an absolute or project-relative path, or a git URL:
`gh:`, `gl:`, `https://…`, `file://…`), or as `mlplate:bundled`. A URL is read
from a mirror clone in the cache, fetched again only when the asked version is
not in it yet; its tag list is reused for an hour.

Under `$MLPLATE_CACHE_DIR/mlplate/check` (else the XDG or home cache) live the
mirrors, the tag lists and the renders of a template version with a set of
answers. A render is keyed by the *content* it came from (the hash of the
template's file tree at that commit), the answers and the mlplate and copier
versions, so a render never goes stale and one made from another build of the
same version name is never reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from mlplate import gitrepo, team_template, template_source
from mlplate._version import __version__
from mlplate.errors import UserError
from mlplate.render import render
from mlplate.template_source import TemplateRef

KEEP_RENDERS = 32  # most recent renders kept; older ones are pruned
TAGS_FRESH_FOR = 3600  # seconds a remote's tag list is reused: one ls-remote an hour, not a commit
_RECORDED_IN = ".copier-answers.yml"


def root() -> Path:
    """The folder of mlplate's template cache (shared with `mlplate check`'s own entries)."""
    base = os.environ.get("MLPLATE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "mlplate" / "check"


def key(*parts: Any) -> str:
    """A short stable hash of `parts` (JSON-encoded), for file names in the cache."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _copier_version() -> str:
    try:
        return metadata.version("copier")
    except metadata.PackageNotFoundError:  # pragma: no cover - copier is a dependency
        return "?"


# ── finding a version ───────────────────────────────────────────────────────


def version(project: Path, src: str, ref: str, *, what: str) -> TemplateRef:
    """Version `ref` of the template recorded as `src` by the project at `project`.

    Raises UserError (the template is missing, unreachable, not a git
    repository, or has no such version); `what` names the version in the message.
    """
    if template_source.is_bundled(src):
        return template_source.bundled(ref)
    if template_source.is_remote(src):
        return _at(mirror(src, ref), src, ref, what=what)
    return _at(_local_repo(project, src), src, ref, what=what)


def reachable(project: Path, src: str, *, given: str | None = None) -> tuple[str, str]:
    """The template to read for the project at `project` recording `src`, and whence it came.

    `given` (--template) wins; else `src`, when it can be read here; else the team's
    template (MLPLATE_TEMPLATE, then the config file), as `mlplate new` finds it. A path
    given here is read from the current directory. Raises UserError naming the source
    tried and how to point at the right one.
    """
    if given:
        return _readable(_absolute(given), "--template"), "--template"
    try:
        return _readable(src, _RECORDED_IN, project=project), _RECORDED_IN
    except UserError as error:
        found = team_template.configured()
        if found is None:
            raise UserError(
                error.message,
                f"{error.hint}; or point MLPLATE_TEMPLATE (or --template) at the template",
            ) from None
    fallback, origin = found
    return _readable(_absolute(fallback), origin), origin


def _absolute(src: str) -> str:
    if template_source.is_bundled(src) or template_source.is_remote(src):
        return src
    return str(Path(src).expanduser().resolve())


def _readable(src: str, origin: str, *, project: Path | None = None) -> str:
    """`src` if this machine can read its versions, else UserError naming it and `origin`."""
    if template_source.is_bundled(src):
        return src
    if template_source.is_remote(src):
        remote_tags(src)
        return src
    if project is not None:
        _local_repo(project, src)
        return src
    path = Path(src)
    if not path.is_dir() or not gitrepo.is_repo_root(path):
        raise UserError(
            f"the template {src} (from {origin}) is not a git repository on this machine",
            f"point {origin} at a clone of the template, or a git URL of it",
        )
    return src


def newest(project: Path, src: str) -> str | None:
    """The template's newest release tag (None when it has none)."""
    return template_source.newest_release(release_tags(project, src))


def release_tags(project: Path, src: str) -> list[str]:
    """Every tag of the template (a remote one asked with `git ls-remote`, not cloned)."""
    if template_source.is_bundled(src):
        repo = template_source.bundled().repo
        return gitrepo.tags(repo) if repo is not None else []
    if template_source.is_remote(src):
        return remote_tags(src)
    return gitrepo.tags(_local_repo(project, src))


def _local_repo(project: Path, src: str) -> Path:
    path = Path(src).expanduser()
    if not path.is_absolute():  # relative to the project, as copier reads it there
        path = (project / path).resolve()
    if not path.exists():
        raise UserError(
            f"the template {src} recorded in {_RECORDED_IN} does not exist on this machine",
            f"clone the template there, or point `_src_path` in {_RECORDED_IN} at a copy",
        )
    if not gitrepo.is_repo_root(path):
        raise UserError(
            f"the template {path} is not a git repository, so the version the project was made "
            "from cannot be rendered again",
            "update from the template's git repository (set `_src_path` to it)",
        )
    return path


def _at(repo: Path, src: str, ref: str, *, what: str) -> TemplateRef:
    commit = gitrepo.commit_of(repo, ref)
    if not commit:
        raise UserError(
            f"the template {src} has no version '{ref}' ({what})",
            "list its versions with `git tag --list` in the template; pass --to a tag, branch "
            "or commit that exists",
        )
    return TemplateRef(src=src, repo=repo, commit=commit, version=gitrepo.describe(repo, commit))


# ── remote templates ────────────────────────────────────────────────────────


def _unreachable(src: str, error: gitrepo.Unreachable) -> UserError:
    return UserError(
        f"the template {src} is unreachable: {error}",
        "check the network and your git credentials for it, then run again",
    )


def remote_tags(src: str) -> list[str]:
    """The tag names of a remote template: `git ls-remote`, reused for TAGS_FRESH_FOR seconds."""
    url = template_source.git_url(src)
    saved = root() / "tags" / f"{key(url)}.json"
    try:
        if time.time() - saved.stat().st_mtime < TAGS_FRESH_FOR:
            return list(json.loads(saved.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    try:
        tags = gitrepo.remote_tags(url)
    except gitrepo.Unreachable as error:
        raise _unreachable(src, error) from None
    saved.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=saved.parent, prefix=".tags.")
    with os.fdopen(handle, "w", encoding="utf-8") as out_file:
        json.dump(tags, out_file)
    os.replace(tmp, saved)
    return tags


def mirror(src: str, ref: str) -> Path:
    """A mirror clone of the remote template `src` that holds `ref`, cloned or fetched if needed."""
    url = template_source.git_url(src)
    clone = root() / "templates" / key(url)
    try:
        if not (clone / "HEAD").is_file():
            clone.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(clone, ignore_errors=True)
            gitrepo.clone_mirror(url, clone)
        if not gitrepo.commit_of(clone, ref):
            gitrepo.fetch_mirror(clone)
    except gitrepo.Unreachable as error:
        raise _unreachable(src, error) from None
    return clone


# ── renders ─────────────────────────────────────────────────────────────────


def rendered(template: TemplateRef, answers: Mapping[str, Any], scratch: Path) -> Path:
    """`template` rendered with `answers`: from the cache when this exact render was made before.

    A template read from a work tree (uncommitted template edits) has no fixed
    content to key on, so it is rendered into `scratch` every time.
    """
    tree = (
        gitrepo.tree_of(template.repo, template.commit)
        if template.repo is not None and template.commit and not template.worktree
        else ""
    )
    if not tree:
        render(template, scratch, data=answers, defaults=True)
        return scratch
    # The source is part of the render (its answers file records it); the version name is
    # not: update writes `_commit` itself, and a tag moved to other content changes `tree`.
    name = key(tree, template.src, dict(answers), __version__, _copier_version())
    renders = root() / "renders"
    final = renders / name
    if final.is_dir():
        os.utime(final)  # most recently used: pruned last
        return final
    renders.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=renders))
    try:
        render(template, building / "tree", data=answers, defaults=True)
        try:
            os.rename(building / "tree", final)
        except OSError:
            if not final.is_dir():  # not a concurrent run that got there first
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    _prune(renders)
    return final


def _prune(renders: Path) -> None:
    for old in beyond_newest(renders, KEEP_RENDERS, stat.S_ISDIR):
        shutil.rmtree(old, ignore_errors=True)


def beyond_newest(folder: Path, keep: int, kind: Callable[[int], bool]) -> list[Path]:
    """The entries of `folder` of `kind` (stat.S_ISDIR, S_ISREG) past the `keep` most recent.

    Other processes (a `--many` update's workers, parallel `mlplate check` hooks) prune
    the same folder at the same time: an entry that vanishes between the listing and
    its `stat` is theirs to remove, not an error of this run. Names starting with a dot
    are work in progress (a render being built) and never listed.
    """
    used: list[tuple[float, Path]] = []
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            if kind((status := entry.stat()).st_mode):
                used.append((status.st_mtime, entry))
    used.sort(reverse=True)
    return [entry for _, entry in used[keep:]]
