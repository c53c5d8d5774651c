"""The few git operations mlplate needs, on a project or on a template repository."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from mlplate import _proc
from mlplate.errors import CommandFailed, MlplateError

Blob = tuple[str, bytes]  # a git file mode ("100644", "100755", "120000") and its bytes

# Commits mlplate makes must not depend on the user's git identity being configured.
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlplate",
    "GIT_AUTHOR_EMAIL": "mlplate@localhost",
    "GIT_COMMITTER_NAME": "mlplate",
    "GIT_COMMITTER_EMAIL": "mlplate@localhost",
}


NETWORK_TIMEOUT = 30  # seconds for one git network command, so a pre-commit hook never hangs


class Unreachable(Exception):
    """A remote repository could not be reached; the message says why."""


def git(*args: str, cwd: Path, check: bool = True) -> str:
    """Run git in `cwd`; returns its stripped stdout."""
    return _proc.run(["git", *args], cwd=cwd, check=check).stdout.strip()


def is_repo_root(path: Path) -> bool:
    """True when `path` is the top of a git work tree."""
    return (path / ".git").exists()


def prefix(path: Path) -> str | None:
    """Where `path` sits in its enclosing work tree ('' at the top, 'sub/dir/' below it), or
    None when no git work tree holds it."""
    done = _proc.run(["git", "rev-parse", "--show-prefix"], cwd=path, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def toplevel(path: Path) -> Path | None:
    """The top of the work tree holding `path` (a directory), or None outside any."""
    done = _proc.run(["git", "rev-parse", "--show-toplevel"], cwd=path, check=False)
    return Path(done.stdout.strip()).resolve() if done.returncode == 0 else None


def remote_url(repo: Path, name: str = "origin") -> str | None:
    """The URL of the remote `name` of `repo`, or None when it has none."""
    done = _proc.run(["git", "remote", "get-url", name], cwd=repo, check=False)
    return done.stdout.strip() or None if done.returncode == 0 else None


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
    """Paths under `path` with uncommitted changes (and untracked files unless told otherwise),
    relative to `path`: in a subfolder of a larger repository, only that subfolder counts."""
    mode = "--untracked-files=all" if include_untracked else "--untracked-files=no"
    # -z: paths as they are; without it git quotes names with spaces or quotes (as the
    # template's `{% if … %}` file names have) and joins renames with " -> ".
    out = _proc.run(["git", "status", "--porcelain", "-z", mode, "--", "."], cwd=path).stdout
    under = prefix(path) or ""
    paths: list[str] = []
    entries = iter(out.split("\0"))
    for entry in entries:
        if not entry:
            continue
        paths.append(entry[3:].removeprefix(under))  # porcelain names are top-relative
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
    out = _proc.run_bytes(["git", "ls-files", "-z", "--", "."], cwd=path)
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
    """The text of `file` (relative to `path`) at commit `rev`, or None when it is not there."""
    # `./` makes the name relative to `path` (a project in a subfolder of a larger work
    # tree); a bare repository (a template mirror) has no work tree to be relative to.
    spec = f"{rev}:{file}" if _is_bare(path) else f"{rev}:./{file}"
    done = _proc.run(["git", "show", spec], cwd=path, check=False)
    return done.stdout if done.returncode == 0 else None


def _is_bare(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def commit_of(path: Path, ref: str) -> str:
    """The full hash `ref` names, or an empty string when it names no commit (never raises)."""
    done = _proc.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=path, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def is_ancestor(path: Path, older: str, newer: str) -> bool:
    """True when commit `older` is `newer` or one of its ancestors."""
    done = _proc.run(["git", "merge-base", "--is-ancestor", older, newer], cwd=path, check=False)
    return done.returncode == 0


def ignored(path: Path, paths: list[str]) -> list[str]:
    """The ones of `paths` (relative to `path`) that git ignores."""
    if not paths:
        return []
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "-z", "--stdin"],
        cwd=path,
        input="\0".join(paths).encode("utf-8", errors="surrogateescape"),
        capture_output=True,
        check=False,
    )
    return [p for p in done.stdout.decode("utf-8", errors="surrogateescape").split("\0") if p]


def binary_patch(old: Mapping[str, Blob], new: Mapping[str, Blob], scratch: Path) -> str:
    """`git diff --binary` from the files `old` to the files `new` (path → (mode, bytes)).

    Built in a throwaway bare repository under `scratch` from the bytes as they are (no
    attributes, no line-ending filters, symlinks as links), so CRLF, binary files and
    symlinks come out as a patch `git apply` takes, and the project's repository is never
    written to.
    """
    repo = scratch / "patch.git"
    env = {
        **os.environ,
        "GIT_DIR": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",  # no user or system setting shapes the patch
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": str(scratch),
    }
    subprocess.run(["git", "init", "--quiet", "--bare", str(repo)], env=env, check=True)
    trees = []
    for side, files in (("old", old), ("new", new)):
        entries = []
        for rel, (mode, content) in sorted(files.items()):
            sha = (
                subprocess.run(
                    ["git", "hash-object", "-w", "--no-filters", "--stdin"],
                    env=env,
                    input=content,
                    capture_output=True,
                    check=True,
                )
                .stdout.decode()
                .strip()
            )
            entries.append(f"{mode} {sha}\t{rel}\0")
        index = {**env, "GIT_INDEX_FILE": str(scratch / f"{side}.index")}
        subprocess.run(
            ["git", "update-index", "-z", "--index-info"],
            env=index,
            input="".join(entries).encode("utf-8", errors="surrogateescape"),
            check=True,
        )
        trees.append(
            subprocess.run(
                ["git", "write-tree"], env=index, capture_output=True, check=True, text=True
            ).stdout.strip()
        )
    done = subprocess.run(
        [
            "git",
            "-c",
            "core.attributesFile=/dev/null",
            "-c",
            "diff.noprefix=false",
            "diff-tree",
            "-p",
            "--binary",
            "--full-index",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            *trees,
        ],
        env=env,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", errors="surrogateescape")


def tree_of(path: Path, ref: str) -> str:
    """The hash of the file tree `ref` holds: equal trees are equal content, whatever the commit."""
    return git("rev-parse", "--verify", "--quiet", f"{ref}^{{tree}}", cwd=path, check=False)


def nearest_tag(path: Path, ref: str) -> str:
    """The newest tag `ref` descends from, or an empty string."""
    return git("describe", "--tags", "--abbrev=0", ref, cwd=path, check=False)


def listed_files(path: Path, *pathspecs: str) -> list[str] | None:
    """Tracked plus untracked-but-not-ignored files under `path` (relative to it), as git lists
    them; None when `path` is not in a git work tree."""
    done = _proc.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *pathspecs],
        cwd=path,
        check=False,
    )
    if done.returncode != 0:
        return None
    return sorted({p for p in done.stdout.split("\0") if p})


def config_value(path: Path, key: str) -> str | None:
    """A git config value as seen from `path`, or None (unset, or git missing)."""
    try:
        done = _proc.run(["git", "config", "--get", key], cwd=path, check=False)
    except MlplateError:
        return None
    return done.stdout.strip() or None


def names_in(path: Path, ref: str, folder: str) -> list[str]:
    """The names of the entries of `folder` at `ref` (empty when it is not there)."""
    done = _proc.run(
        ["git", "ls-tree", "-z", "--name-only", f"{ref}:{folder}"], cwd=path, check=False
    )
    return [n for n in done.stdout.split("\0") if n] if done.returncode == 0 else []


def merge_file(paths: tuple[str, str, str], labels: tuple[str, str, str]) -> tuple[bytes, int]:
    """`git merge-file --stdout` of (ours, base, theirs): the merged bytes and git's exit code
    (the number of conflicts, negative or > 127 on failure)."""
    _proc.require("git")
    label_args = [arg for label in labels for arg in ("-L", label)]
    done = subprocess.run(
        ["git", "merge-file", "--stdout", *label_args, *paths],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode < 0 or done.returncode > 127:
        raise CommandFailed(command="git merge-file", output=done.stderr.decode(errors="replace"))
    return done.stdout, done.returncode


def diff_name_status(old: Path, new: Path, *, renames: str = "50%") -> list[str]:
    """`git diff --no-index -z --name-status -M` of two folders, as its NUL-separated fields."""
    _proc.require("git")
    done = subprocess.run(
        [
            "git",
            "diff",
            "--no-index",
            "-z",
            "--name-status",
            f"-M{renames}",
            "--",
            str(old),
            str(new),
        ],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return done.stdout.decode("utf-8", errors="surrogateescape").split("\0")


# ── remote repositories: every network call has a timeout and never prompts ──


def _network(args: list[str], cwd: Path | None = None) -> str:
    """Run a git command that may reach the network; raise Unreachable on any failure."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=NETWORK_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unreachable(f"git {args[0]} failed: {exc}") from None
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise Unreachable(lines[-1] if lines else f"git {args[0]} exited {done.returncode}")
    return done.stdout


def remote_tags(url: str) -> list[str]:
    """The tag names of the repository at `url` (`git ls-remote`, no clone)."""
    out = _network(["ls-remote", "--tags", "--refs", url])
    refs = "refs/tags/"
    return [
        ref[len(refs) :]
        for line in out.splitlines()
        if (ref := line.partition("\t")[2]).startswith(refs)
    ]


def clone_mirror(url: str, dest: Path) -> None:
    """A bare mirror clone of `url` at `dest`."""
    _network(["clone", "--quiet", "--mirror", url, str(dest)])


def fetch_mirror(clone: Path) -> None:
    """Bring a mirror clone up to date with its origin."""
    _network(["fetch", "--quiet", "--prune", "origin"], cwd=clone)
