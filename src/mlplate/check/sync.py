"""Sync checks (MP1xx): is the project on the template, and cleanly so?"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.version import Version

from mlplate import answers_file, ownership, template_source
from mlplate.check.registry import Check, Skip
from mlplate.errors import MlplateError
from mlplate.update import apply
from mlplate.ownership import Owner, Policy

# A conflict always leaves a `<<<<<<< ` and a `>>>>>>> ` line; a lone `=======` is more
# often a Markdown or reStructuredText heading underline than a leftover marker.
_MARKER = re.compile(rb"^(?:<{7}|>{7})(?: |\r?$)", re.M)
_MAX_SCAN = 5_000_000  # bytes: larger files are data, not merged text


class MP101(Check):
    """Answers file present and copier-standard"""

    family = "sync"
    file = answers_file.NAME

    @staticmethod
    def check(answers: dict[str, Any] | None) -> bool:
        """
        `.copier-answers.yml` is missing, unreadable, or lacks `_src_path` / `_commit`,
        so neither `mlplate update` nor `copier update` can find the template.
        Fix: restore it from git history, or run `mlplate adopt` to record the template
        version the project matches.
        """
        return bool(answers and answers.get("_src_path") and answers.get("_commit"))


class MP102(Check):
    """On the latest template release"""

    family = "sync"
    file = answers_file.NAME

    @staticmethod
    def check(
        recorded: tuple[str, str], release_tags: list[str], recorded_version: Version
    ) -> str | Skip | None:
        """
        The project is behind the template's latest release, or the version it records
        is not a tag of the template.
        Fix: run `mlplate update` (or `copier update`) in the project and review the result.
        """
        named = recorded[1]
        if template_source.names_release(named) and named not in release_tags:
            return (
                f"the recorded version {named} is not a tag of the template {recorded[0]}: "
                "restore the tag in the template, or run `mlplate adopt` to record the version "
                "the project matches"
            )
        releases = template_source.releases(release_tags)
        if not releases:
            return Skip("the template has no release tags")
        newer = [tag for version, tag in releases if version > recorded_version]
        if not newer:
            return None
        return f"{len(newer)} release(s) behind: on {recorded[1]}, latest is {releases[-1][1]}"


def _normalized(data: bytes) -> bytes:
    # A checkout with core.autocrlf turns every line ending into CRLF: that is not an edit.
    return data.replace(b"\r\n", b"\n")


class MP103(Check):
    """Template-owned files are as the template made them"""

    family = "sync"
    requires = frozenset({"MP101"})

    @staticmethod
    def check(root: Path, policy: Policy, rendered: Path) -> list[str]:
        """
        Files the template owns (see `.mlplate.yml`) were edited or deleted in this
        project; the next update would have to overwrite or conflict with those edits.
        Fix: move the change into the template, restore the template's version, or list
        the file under `opt_out:` in `.mlplate.yml` to take it over.
        """
        drifted = []
        for path in sorted(p for p in rendered.rglob("*") if p.is_file()):
            rel = path.relative_to(rendered).as_posix()
            if policy.owner(rel) is not Owner.TEMPLATE:
                continue
            mine = root / rel
            if not mine.is_file():
                drifted.append(f"{rel}: deleted")
            elif _normalized(mine.read_bytes()) != _normalized(path.read_bytes()):
                drifted.append(f"{rel}: modified")
        return drifted


class MP104(Check):
    """No leftover conflict markers"""

    family = "sync"

    @staticmethod
    def check(root: Path, tracked: list[str]) -> list[str]:
        """
        Files still hold merge conflict markers (`<<<<<<<`, `=======`, `>>>>>>>` at the
        start of a line), left by an update or a merge.
        Fix: resolve each conflict, keeping the lines you want, and remove the markers.
        """
        found = []
        # The files an update left markers in, also when git ignores them (no ls-files).
        for rel in dict.fromkeys([*tracked, *apply.recorded_conflicts(root)]):
            path = root / rel
            try:
                if path.stat().st_size > _MAX_SCAN:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" in data[:8192]:
                continue  # binary
            match = _MARKER.search(data)
            if match:
                line = data.count(b"\n", 0, match.start()) + 1
                found.append(f"{rel}:{line}")
        return found


class MP105(Check):
    """No rejected-patch or backup files"""

    family = "sync"

    @staticmethod
    def check(tracked: list[str]) -> list[str]:
        """
        `.rej` or `.orig` files were left by an update or a merge.
        Fix: apply what they hold by hand, then delete them.
        """
        return [rel for rel in tracked if rel.endswith((".rej", ".orig"))]


def _choices(spec: Any) -> list[Any] | None:
    """The values a question's `choices` allow, or None when they are computed by Jinja."""
    if isinstance(spec, dict):
        values = [v.get("value") if isinstance(v, dict) else v for v in spec.values()]
    elif isinstance(spec, list):
        values = [v[1] if isinstance(v, (list, tuple)) and len(v) == 2 else v for v in spec]
    else:
        return None
    if any(isinstance(v, str) and "{{" in v for v in values):
        return None
    return values


def _allowed(value: Any, choices: list[Any]) -> bool:
    return value in choices or str(value) in {str(c) for c in choices}


class MP106(Check):
    """Answers match the template's questions"""

    family = "sync"
    file = answers_file.NAME
    requires = frozenset({"MP101"})

    @staticmethod
    def check(answers: dict[str, Any], template_config: dict[str, Any]) -> list[str]:
        """
        The answers file holds answers the template does not ask for, answers outside a
        question's choices, or no answer to a question that has no default.
        Fix: correct `.copier-answers.yml` to answer the template's questions
        (`copier.yml` at the recorded `_commit` lists them), then commit it.
        """
        asked = {
            str(name): spec if isinstance(spec, dict) else {"default": spec}
            for name, spec in template_config.items()
            if not str(name).startswith("_")
        }
        given = {str(k): v for k, v in answers.items() if not str(k).startswith("_")}
        problems = []
        for key, value in sorted(given.items()):
            spec = asked.get(key)
            if spec is None or spec.get("when") is False:
                problems.append(f"{key}: not a question of the template")
                continue
            choices = _choices(spec.get("choices"))
            if choices is None:
                continue
            values = value if spec.get("multiselect") and isinstance(value, list) else [value]
            for bad in (v for v in values if not _allowed(v, choices)):
                shown = ", ".join(str(c) for c in choices)
                problems.append(f"{key}: {bad!r} is not one of the choices ({shown})")
        for name, spec in asked.items():
            # A conditional (`when:`) or secret question is legitimately absent from answers.
            if name not in given and not {"default", "when", "secret"} & set(spec):
                problems.append(f"{name}: no answer and no default")
        return problems


class MP107(Check):
    """The ownership policy is readable"""

    family = "sync"
    file = ".mlplate.yml"

    @staticmethod
    def check(root: Path) -> str | None:
        """
        `.mlplate.yml` is not valid: `mlplate update` and `mlplate check` cannot tell
        which files the template owns.
        Fix: correct it; it maps `ownership:` (template, seeded, shared) to path globs
        and lists `opt_out:` paths (the template's version shows the format).
        """
        try:
            ownership.load(root)
        except MlplateError as error:
            return str(error)
        return None


def checks() -> list[type[Check]]:
    """The sync family, as the `mlplate.checks` entry point in pyproject.toml lists it."""
    return [MP101, MP102, MP103, MP104, MP105, MP106, MP107]
