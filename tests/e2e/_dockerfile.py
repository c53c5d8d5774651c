"""Read a Dockerfile and a .dockerignore the way Docker does, enough to replay a build.

There is no Docker engine where mlplate's tests run, so the scaffolding tests check
the image by replaying its instructions: the build context that .dockerignore lets
through, the COPY sources it must contain, the RUN steps, ENV, HEALTHCHECK and CMD.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    """One instruction of a Dockerfile."""

    keyword: str  # upper case: FROM, RUN, COPY, …
    args: str  # the rest, continuation lines joined
    stage: str  # the `AS` name of the stage it belongs to ("" before the first FROM)

    def exec_form(self) -> list[str]:
        """The JSON array of a CMD/ENTRYPOINT/RUN (the form without a shell)."""
        value = json.loads(self.args)
        if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            raise ValueError(f"{self.keyword} is not in exec form: {self.args}")
        return value


def parse(text: str) -> list[Instruction]:
    """Instructions in order, each tagged with its stage name."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    if pending:
        logical.append(pending)

    instructions = []
    stage = ""
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        args = re.sub(r"\s+", " ", args.strip())
        if keyword == "FROM":
            words = args.split()
            stage = (
                words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(instructions))
            )
        instructions.append(Instruction(keyword, args, stage))
    return instructions


def only(instructions: list[Instruction], keyword: str, stage: str | None = None) -> Instruction:
    """The one instruction with `keyword` (in `stage`): Docker would silently use the last."""
    found = [i for i in instructions if i.keyword == keyword and stage in (None, i.stage)]
    if len(found) != 1:
        raise AssertionError(f"expected exactly one {keyword}, found {len(found)}")
    return found[0]


def env_of(instructions: list[Instruction], stage: str) -> dict[str, str]:
    """The ENV key=value pairs a stage sets, in order, without variable expansion."""
    env: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "ENV" and instruction.stage == stage:
            for word in shlex.split(instruction.args):
                key, _, value = word.partition("=")
                env[key] = value
    return env


def copy_sources(instruction: Instruction) -> tuple[list[str], str]:
    """(sources, destination) of a COPY, flags dropped."""
    words = [w for w in shlex.split(instruction.args) if not w.startswith("--")]
    return words[:-1], words[-1]


def copy_from(instruction: Instruction) -> str | None:
    """The stage or image of a `COPY --from=…`, None for a copy from the build context."""
    for word in shlex.split(instruction.args):
        if word.startswith("--from="):
            return word.removeprefix("--from=")
    return None


def healthcheck_command(instruction: Instruction) -> list[str]:
    """The exec-form command of a `HEALTHCHECK [options] CMD [...]`."""
    _, sep, command = instruction.args.partition("CMD ")
    if not sep:
        raise AssertionError(f"HEALTHCHECK has no CMD: {instruction.args}")
    return json.loads(command)


# ── .dockerignore ────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    negated: bool
    text: str


def _compile(pattern: str) -> re.Pattern[str]:
    """Go's filepath.Match syntax plus `**`, as moby's patternmatcher reads it."""
    out = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
            continue
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            continue
        out += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))
        i += 1
    return re.compile(out + r"\Z")


def read_dockerignore(path: Path) -> list[_Pattern]:
    """The patterns of a .dockerignore, in order (none when there is no file)."""
    patterns = []
    if not path.is_file():
        return patterns
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        text = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        patterns.append(_Pattern(_compile(text), negated, text))
    return patterns


def is_ignored(patterns: list[_Pattern], rel: str) -> bool:
    """Whether .dockerignore keeps `rel` (a path relative to the context) out of the context."""
    parts = rel.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        if any(pattern.regex.match(candidate) for candidate in candidates):
            ignored = not pattern.negated
    return ignored


def build_context(root: Path, patterns: list[_Pattern]) -> Iterator[str]:
    """The files (relative paths) Docker would send as the build context of `root`."""
    # An ignored directory can be skipped unless a `!` pattern might re-include something in it.
    reopeners = [p.text for p in patterns if p.negated]
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath).relative_to(root).as_posix()
        base = "" if base == "." else base + "/"
        kept = []
        for name in dirnames:
            rel = base + name
            could_reopen = any(r.startswith(rel + "/") or r[:1] in "*?[" for r in reopeners)
            if not is_ignored(patterns, rel) or could_reopen:
                kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            if not is_ignored(patterns, base + name):
                yield base + name
