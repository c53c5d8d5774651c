"""What `mlplate check` keeps between runs, so it stays fast enough for pre-commit.

Four things are cached under `$MLPLATE_CACHE_DIR/mlplate/check` (else the XDG or
home cache): renders of a template version with a set of answers, keyed by
(source, exact commit, answers, mlplate and copier versions) — a commit never
changes, so a render of it never goes stale; mirror clones of remote templates,
fetched again only when the recorded version is not in them yet, and their tag
lists for an hour; and the passes of deterministic checks, keyed by the exact
bytes they read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from mlplate._version import __version__
from mlplate.render import render
from mlplate.template_source import TemplateRef

KEEP_RENDERS = 32  # most recent renders kept; older ones are pruned
NETWORK_TIMEOUT = 30  # seconds for one git network command, so a hook never hangs
TAGS_FRESH_FOR = 3600  # seconds a remote's tag list is reused: one ls-remote an hour, not a commit


class Unreachable(Exception):
    """A remote template could not be reached; the message says why."""


def root() -> Path:
    """The folder of mlplate check's cache."""
    base = os.environ.get("MLPLATE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "mlplate" / "check"


def _key(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _copier_version() -> str:
    try:
        return metadata.version("copier")
    except metadata.PackageNotFoundError:  # pragma: no cover - copier is a dependency
        return "?"


def rendered(template: TemplateRef, answers: Mapping[str, Any], scratch: Path) -> Path:
    """`template` rendered with `answers`: from the cache when this exact render was made before.

    A template read from a work tree (uncommitted template edits) has no fixed
    content to key on, so it is rendered into `scratch` every time.
    """
    if template.worktree or not template.commit:
        target = scratch / "rendered"
        render(template, target, data=answers, defaults=True)
        return target
    key = _key(template.src, template.commit, dict(answers), __version__, _copier_version())
    renders = root() / "renders"
    final = renders / key
    if final.is_dir():
        os.utime(final)  # most recently used: pruned last
        return final
    renders.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=renders))
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
    entries = sorted(
        (p for p in renders.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[KEEP_RENDERS:]:
        shutil.rmtree(old, ignore_errors=True)


def passed_before(*inputs: Any) -> bool:
    """True when a check on exactly these inputs passed in an earlier run."""
    return (root() / "passes" / _key(*inputs)).is_file()


def remember_pass(*inputs: Any) -> None:
    """Record that a check on exactly these inputs passed."""
    folder = root() / "passes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _key(*inputs)).touch()
    entries = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_RENDERS * 8 :]:
        old.unlink(missing_ok=True)


def _git_network(args: list[str], cwd: Path | None = None) -> str:
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
    """The tag names of a remote repository: `git ls-remote`, reused for TAGS_FRESH_FOR seconds."""
    saved = root() / "tags" / f"{_key(url)}.json"
    try:
        if time.time() - saved.stat().st_mtime < TAGS_FRESH_FOR:
            return list(json.loads(saved.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    out = _git_network(["ls-remote", "--tags", "--refs", url])
    prefix = "refs/tags/"
    tags = [
        ref[len(prefix) :]
        for line in out.splitlines()
        if (ref := line.partition("\t")[2]).startswith(prefix)
    ]
    saved.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=saved.parent, prefix=".tags.")
    with os.fdopen(handle, "w", encoding="utf-8") as out_file:
        json.dump(tags, out_file)
    os.replace(tmp, saved)
    return tags


def remote_clone(url: str, ref: str) -> Path:
    """A mirror clone of `url` that holds `ref`, cloned or fetched only when needed."""
    clone = root() / "templates" / _key(url)
    if not (clone / "HEAD").is_file():
        clone.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(clone, ignore_errors=True)
        _git_network(["clone", "--quiet", "--mirror", url, str(clone)])
    if not _has(clone, ref):
        _git_network(["fetch", "--quiet", "--prune", "origin"], cwd=clone)
    return clone


def _has(clone: Path, ref: str) -> bool:
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=clone,
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode == 0
