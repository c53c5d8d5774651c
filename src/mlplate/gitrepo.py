"""The few git operations mlplate needs, on a project or on a template repository."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
from collections.abc import Sequence
from pathlib import Path

from mlplate import _proc

# Commits mlplate makes must not depend on the user's git identity being configured.
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlplate",
    "GIT_AUTHOR_EMAIL": "mlplate@localhost",
    "GIT_COMMITTER_NAME": "mlplate",
    "GIT_COMMITTER_EMAIL": "mlplate@localhost",
}


def git(*args: str, cwd: Path, check: bool = True) -> str:
    """Run git in `cwd`; returns its stripped stdout."""
    return _proc.run(["git", *args], cwd=cwd, check=check).stdout.strip()


def is_repo_root(path: Path) -> bool:
    """True when `path` is the top of a git work tree."""
    return (path / ".git").exists()


def init(path: Path) -> None:
    """Create an empty repository on branch main."""
    git("init", "--quiet", "--initial-branch=main", cwd=path)


def commit_all(path: Path, message: str, *, allow_empty: bool = False) -> str:
    """Stage everything and commit; returns the new commit's hash."""
    git("add", "--all", cwd=path)
    env = dict(os.environ)
    if not _has_identity(path):
        env.update(_FALLBACK_IDENTITY)
    extra = ["--allow-empty"] if allow_empty else []
    _proc.run(["git", "commit", "--quiet", "--no-verify", *extra, "-m", message], cwd=path, env=env)
    return git("rev-parse", "HEAD", cwd=path)


FALLBACK_AUTHOR = (
    f"{_FALLBACK_IDENTITY['GIT_AUTHOR_NAME']} <{_FALLBACK_IDENTITY['GIT_AUTHOR_EMAIL']}>"
)


def _has_identity(path: Path) -> bool:
    if os.environ.get("GIT_AUTHOR_EMAIL") and os.environ.get("GIT_COMMITTER_EMAIL"):
        return True
    name, email = identity(path)
    return bool(name and email)


def identity(path: Path | None = None) -> tuple[str, str]:
    """git's configured user.name and user.email (empty strings where unset, or without git)."""
    if shutil.which("git") is None:
        return "", ""
    where = path if path is not None and path.is_dir() else None
    values = []
    for key, variable in (("user.name", "GIT_AUTHOR_NAME"), ("user.email", "GIT_AUTHOR_EMAIL")):
        value = os.environ.get(variable, "").strip()
        if not value:
            done = _proc.run(["git", "config", "--get", key], cwd=where, check=False)
            value = done.stdout.strip()
        values.append(value)
    return values[0], values[1]


def has_identity(*, known: tuple[str, str] | None = None) -> bool:
    """True when a commit would carry the user's own name and e-mail (`known`: identity())."""
    if os.environ.get("GIT_AUTHOR_EMAIL") and os.environ.get("GIT_COMMITTER_EMAIL"):
        return True
    name, email = known if known is not None else identity()
    return bool(name and email)


def dirty_paths(path: Path, *, include_untracked: bool = True) -> list[str]:
    """Paths with uncommitted changes (and untracked files unless told otherwise)."""
    mode = "--untracked-files=all" if include_untracked else "--untracked-files=no"
    # -z: paths as they are; without it git quotes names with spaces or quotes (as the
    # template's `{% if … %}` file names have) and joins renames with " -> ".
    out = _proc.run(["git", "status", "--porcelain", "-z", mode], cwd=path).stdout
    paths: list[str] = []
    entries = iter(out.split("\0"))
    for entry in entries:
        if not entry:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":
            next(entries, None)  # the path it was renamed or copied from
    return paths


def resolve(path: Path, ref: str) -> str:
    """The full hash `ref` points at, or an empty string."""
    return git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=path)


def describe(path: Path, ref: str) -> str:
    """A human version for `ref`: the tag itself, or tag-N-gHASH, or a short hash."""
    return git("describe", "--tags", "--always", ref, cwd=path)


def tags(path: Path) -> list[str]:
    """Every tag of the repository."""
    out = git("tag", "--list", cwd=path)
    return [t for t in out.splitlines() if t]


def export_tree(repo: Path, ref: str, dest: Path, *, paths: Sequence[str] = ()) -> None:
    """Write the files of `ref` (only `paths`, when given) into `dest`, without .git."""
    archive = _proc.run_bytes(["git", "archive", "--format=tar", ref, "--", *paths], cwd=repo)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
        tar.extractall(dest, filter="tar")


def git_dir(path: Path) -> Path:
    """The absolute git directory of the work tree at `path` (`.git`, or a worktree's own)."""
    return Path(git("rev-parse", "--absolute-git-dir", cwd=path))


def tracked_files(path: Path) -> list[str]:
    """Every file git tracks under `path`, relative to it."""
    out = _proc.run_bytes(["git", "ls-files", "-z", "--full-name", "--", "."], cwd=path)
    return [p for p in out.decode("utf-8", errors="surrogateescape").split("\0") if p]


def commits_touching(path: Path, file: str, *, limit: int = 20) -> list[tuple[str, list[str]]]:
    """The newest `limit` commits that changed `file`, each with every path it changed."""
    out = git(
        "log", f"-n{limit}", "--format=%x00%H", "--name-only", "--full-diff", "--", file, cwd=path
    )
    commits = []
    for chunk in out.split("\0"):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if lines:
            commits.append((lines[0], lines[1:]))
    return commits


def show_file(path: Path, rev: str, file: str) -> str | None:
    """The text of `file` at commit `rev`, or None when it is not there."""
    done = _proc.run(["git", "show", f"{rev}:{file}"], cwd=path, check=False)
    return done.stdout if done.returncode == 0 else None


def commit_of(path: Path, ref: str) -> str:
    """The full hash `ref` names, or an empty string when it names no commit (never raises)."""
    done = _proc.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=path, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else ""
