"""The passes `mlplate check` remembers between runs, so it stays fast enough for pre-commit.

A deterministic check that passed on exactly the bytes it reads passes again
without running. The template mirrors and renders checks read live in
`mlplate.template_cache`, shared with `mlplate update`.
"""

from __future__ import annotations

import stat
from typing import Any

from mlplate import template_cache

_KEEP_PASSES = 256  # most recent passes kept; older ones are pruned


def passed_before(*inputs: Any) -> bool:
    """True when a check on exactly these inputs passed in an earlier run."""
    return (template_cache.root() / "passes" / template_cache.key(*inputs)).is_file()


def remember_pass(*inputs: Any) -> None:
    """Record that a check on exactly these inputs passed."""
    folder = template_cache.root() / "passes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / template_cache.key(*inputs)).touch()
    for old in template_cache.beyond_newest(folder, _KEEP_PASSES, stat.S_ISREG):
        old.unlink(missing_ok=True)
