"""Three-way merge of one file: the template's old version, the project's, the template's new.

Conflicts are written inline with standard markers, never as `.rej` files.
"""

from __future__ import annotations


import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlplate import gitrepo


@dataclass(frozen=True)
class Merged:
    """The merged bytes, and whether they hold conflict markers."""

    content: bytes
    conflicted: bool


def is_binary(*contents: bytes | None) -> bool:
    """True when any side looks binary (a NUL byte in its first 8 KiB), as git decides."""
    return any(c is not None and b"\0" in c[:8192] for c in contents)


def three_way(base: bytes, ours: bytes, theirs: bytes, *, labels: tuple[str, str, str]) -> Merged:
    """Merge `theirs` into `ours` relative to `base` with `git merge-file`."""
    with tempfile.TemporaryDirectory(prefix="mlplate-merge-") as tmp:
        paths = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(content)
            paths.append(str(path))
        merged, conflicts = gitrepo.merge_file((paths[0], paths[1], paths[2]), labels)
    return Merged(merged, conflicted=conflicts > 0)
