"""Render the two template versions an update compares.

A render of an exact commit with a given set of answers never changes, so both
are taken from (and kept in) the render cache `mlplate check` also fills: after
a `mlplate check` in pre-commit or CI, the recorded version is usually there
already, and a fleet of projects on the same answers renders each version once.
A template read from a work tree, or a render that may prompt, is rendered into
scratch space instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from mlplate import template_cache
from mlplate.render import render
from mlplate.template_source import TemplateRef


class Renders(NamedTuple):
    """The template rendered at the project's recorded version (base) and at the target."""

    base: Path
    theirs: Path


@contextlib.contextmanager
def _no_index_sync() -> Iterator[None]:
    """Skip copier's per-file `git config`/`git ls-files` calls while rendering into scratch.

    copier asks git, once per rendered file, whether the destination's git index
    needs an executable-bit fix. A fresh render directory has no index, so the
    answer is always no; on the real template that is ~90 git processes (0.2 s)
    per render saved.
    """
    try:
        from copier import _main  # pylint: disable=import-outside-toplevel
    except ImportError:  # pragma: no cover - copier is a dependency
        yield
        return
    original = getattr(_main, "is_git_available", None)
    if original is None:
        yield
        return
    _main.is_git_available = lambda: False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _main.is_git_available = original  # type: ignore[attr-defined]


def one(
    template: TemplateRef,
    answers: Mapping[str, Any],
    scratch: Path,
    *,
    name: str,
    defaults: bool = True,
) -> Path:
    """`template` rendered with `answers`: a cached tree, or a fresh one under `scratch/name`."""
    with _no_index_sync():
        if defaults and template.commit and not template.worktree:
            return template_cache.rendered(template, dict(answers), scratch / name)
        target = scratch / name
        render(template, target, data=answers, defaults=defaults)
        return target
