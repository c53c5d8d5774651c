"""Which template versions an update renders: the one the project records, and the target.

Finding a version wherever `_src_path` points (a local repository, a git URL
mirrored in the cache, or mlplate's bundled template) is `mlplate.template_cache`'s
job, shared with `mlplate check`. The recorded `_src_path` text is what the
updated answers file keeps, except that a path into one machine's cache (what
older mlplates recorded for the bundled template) becomes `mlplate:bundled`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mlplate import template_cache, template_source
from mlplate.template_source import TemplateRef


def recorded(root: Path, src: str, commit: str) -> TemplateRef:
    """The template version the project records, keeping `_src_path` as written."""
    ref = template_cache.version(
        root, src, commit, what="the version recorded in .copier-answers.yml"
    )
    return replace(ref, version=commit)  # as recorded: `_commit` is compared and written as is


def target(root: Path, src: str, to: str | None) -> TemplateRef:
    """The version to update to: `to`, else the template's latest release, else its HEAD.

    For the bundled template the default is the template of the running mlplate.
    """
    if template_source.is_bundled(src) and not to:
        return template_source.bundled()
    return template_cache.version(
        root, src, to or template_cache.newest(root, src) or "HEAD", what="the target"
    )
