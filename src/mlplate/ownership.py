"""Who owns each file of a generated project: the template, both sides, or the project.

The template declares the policy in `.mlplate.yml` (rendered into the project, so
`update` and `check` read the same policy); the project may opt paths out.

    ownership:
      template: [Dockerfile, .github/workflows/*.yml]   # merged; local edits are drift
      seeded: [LICENSE]                                  # written once, never updated
      shared: [pyproject.toml]                           # three-way merged (the default)
    opt_out: [Dockerfile]                                # the project's own from now on

Every path is three-way merged on update except opted-out paths (never touched) and
paths listed as seeded (write-once). Template-owned paths differ from shared ones only
in `check`: a local edit of one is drift.

Precedence: opt_out, then seeded, then template, then shared; unlisted paths are shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

import yaml

from mlplate.errors import UserError

POLICY_FILE = ".mlplate.yml"


class Owner(str, Enum):
    """The owner kinds a path can have."""

    TEMPLATE = "template"
    SHARED = "shared"
    SEEDED = "seeded"
    PROJECT = "project"  # opted out by the project


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a path glob (`*` within a segment, `**` across segments) to a regex."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: str, pattern: str) -> bool:
    """True when the POSIX path matches the glob (`**/` and a trailing `/` included)."""
    pattern = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    if pattern.endswith("/"):
        pattern += "**"
    return bool(_glob_regex(pattern).match(path))


@dataclass(frozen=True)
class Policy:
    """The ownership rules of one project."""

    template: tuple[str, ...] = ()
    seeded: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    opt_out: tuple[str, ...] = field(default_factory=tuple)

    def owner(self, path: str) -> Owner:
        """The owner of `path` (POSIX, relative to the project root)."""
        if any(matches(path, p) for p in self.opt_out):
            return Owner.PROJECT
        if any(matches(path, p) for p in self.seeded):
            return Owner.SEEDED
        if any(matches(path, p) for p in self.template):
            return Owner.TEMPLATE
        return Owner.SHARED


def parse(text: str, *, source: str = POLICY_FILE) -> Policy:
    """Read a policy from the text of .mlplate.yml."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise UserError(
            f"{source} is not valid YAML: {exc.__class__.__name__}", f"fix the syntax of {source}"
        ) from None
    if not isinstance(raw, dict):
        raise UserError(f"{source} must be a mapping", f"see the comment at the top of {source}")
    owners = raw.get("ownership") or {}
    unknown = (
        set(owners) - {o.value for o in Owner} if isinstance(owners, dict) else {"<not a mapping>"}
    )
    if unknown:
        raise UserError(
            f"{source} names unknown owners: {', '.join(sorted(map(str, unknown)))}",
            "use template, seeded or shared under `ownership:`",
        )

    def patterns(value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        return tuple(str(v) for v in value)

    return Policy(
        template=patterns(owners.get("template")),
        seeded=patterns(owners.get("seeded")),
        shared=patterns(owners.get("shared")),
        opt_out=patterns(raw.get("opt_out")),
    )


def check_plugins(project: Path) -> tuple[str, ...]:
    """The check plugin requirements `.mlplate.yml` names (`check: {plugins: [...]}`)."""
    path = project / POLICY_FILE
    if not path.is_file():
        return ()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return ()  # MP107 reports the file; the checks still run
    section = raw.get("check") if isinstance(raw, dict) else None
    plugins = section.get("plugins") if isinstance(section, dict) else None
    if plugins is None:
        return ()
    if isinstance(plugins, str) or not isinstance(plugins, list):
        raise UserError(
            f"{path}: check.plugins must be a list of requirements",
            'write check: {plugins: ["acme-checks==1.2"]}',
        )
    return tuple(str(p).strip() for p in plugins if str(p).strip())


def load(project: Path) -> Policy:
    """The policy recorded in `project`, or the default (everything shared) when it has none."""
    path = project / POLICY_FILE
    if not path.is_file():
        return Policy()
    return parse(path.read_text(encoding="utf-8"), source=str(path))
