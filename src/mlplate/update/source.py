"""Which template versions an update renders: the one the project records, and the target.

`_src_path` is taken as copier writes it: an absolute or project-relative path,
or a git URL (`gh:`, `gl:`, `https://…`, `file://…`). A URL is read from a mirror
clone in mlplate's cache (shared with `mlplate check`), so each version is
rendered from an exact commit and a second update needs no network if the
mirror already holds the target. The recorded `_src_path` text is what the
updated answers file keeps.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mlplate import gitrepo, template_source
from mlplate.errors import UserError
from mlplate.template_source import TemplateRef


def _local_repo(root: Path, src: str) -> Path:
    path = Path(src).expanduser()
    if not path.is_absolute():
        path = (root / path).resolve()
    if not path.exists():
        raise UserError(
            f"the template {src} recorded in .copier-answers.yml does not exist on this machine",
            "clone the template there, or point `_src_path` in .copier-answers.yml at a copy",
        )
    if not gitrepo.is_repo_root(path):
        raise UserError(
            f"the template {path} is not a git repository, so the version the project was made "
            "from cannot be rendered again",
            "update from the template's git repository (set `_src_path` to it)",
        )
    if _is_bundle_cache(path):
        template_source.bundled()  # commits and tags the template of the installed mlplate
    return path


def _is_bundle_cache(path: Path) -> bool:
    """True for the cache repository that holds the template of each installed mlplate."""
    cache = template_source._cache_dir()  # pylint: disable=protected-access
    return cache.exists() and path.resolve() == cache.resolve()


def _at(repo: Path, src: str, ref: str, *, what: str) -> TemplateRef:
    commit = gitrepo.commit_of(repo, ref)
    if not commit:
        raise UserError(
            f"the template {src} has no version '{ref}' ({what})",
            "list its versions with `git tag --list` in the template; pass --to a tag, branch "
            "or commit that exists",
        )
    return TemplateRef(src=src, repo=repo, commit=commit, version=gitrepo.describe(repo, commit))


def recorded(root: Path, src: str, commit: str) -> TemplateRef:
    """The template version the project records, keeping `_src_path` as written."""
    what = "the version recorded in .copier-answers.yml"
    if template_source.is_remote(src):
        ref = _remote(src, commit, what=what)
    else:
        ref = _at(_local_repo(root, src), src, commit, what=what)
    return replace(ref, version=commit)  # as recorded: `_commit` is compared and written as is


def target(root: Path, src: str, to: str | None) -> TemplateRef:
    """The version to update to: `to`, else the template's latest release, else its HEAD."""
    if template_source.is_remote(src):
        return _remote(src, to or _remote_latest(src), what="the target")
    repo = _local_repo(root, src)
    return _at(repo, src, to or template_source.latest_release(repo) or "HEAD", what="the target")


def _remote(src: str, ref: str | None, *, what: str) -> TemplateRef:
    # Imported here: mlplate check's cache module is only needed for remote templates.
    from mlplate.check import cache  # pylint: disable=import-outside-toplevel
    from mlplate.check.fixtures import git_url  # pylint: disable=import-outside-toplevel

    try:
        clone = cache.remote_clone(git_url(src), ref or "HEAD")
    except cache.Unreachable as error:
        raise UserError(
            f"the template {src} is unreachable: {error}",
            "check the network and your git credentials for it, then run again",
        ) from None
    return _at(clone, src, ref or "HEAD", what=what)


def _remote_latest(src: str) -> str | None:
    from mlplate.check import cache  # pylint: disable=import-outside-toplevel
    from mlplate.check.fixtures import git_url, release  # pylint: disable=import-outside-toplevel

    try:
        tags = cache.remote_tags(git_url(src))
    except cache.Unreachable as error:
        raise UserError(
            f"the template {src} is unreachable: {error}",
            "check the network, or pass --to a version the cache already holds",
        ) from None
    releases = [(v, t) for t in tags if (v := release(t)) is not None]
    return max(releases)[1] if releases else None
