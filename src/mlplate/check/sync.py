"""Sync checks (MP1xx): is the project on the template, and cleanly so?"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from mlplate import gitrepo, questions
from mlplate.check.registry import Check, Skip
from mlplate.ownership import Owner, Policy
from mlplate.template_source import TemplateRef

_MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.M)


class MP101(Check):
    """Answers file present and copier-standard"""

    family = "sync"

    @staticmethod
    def check(answers: dict[str, Any] | None) -> bool:
        """
        `.copier-answers.yml` is missing, unreadable, or lacks `_src_path` / `_commit`,
        so neither `mlplate update` nor `copier update` can find the template.
        Fix: restore it from git history, or write `_src_path` (the template's path or
        URL) and `_commit` (the template version the project matches) into it.
        """
        return bool(answers and answers.get("_src_path") and answers.get("_commit"))


class MP102(Check):
    """On the latest template release"""

    family = "sync"
    requires = frozenset({"MP101"})

    @staticmethod
    def check(template: TemplateRef | None, latest: str | None) -> bool | str | Skip:
        """
        The project is behind the template's latest release.
        Fix: run `copier update` in the project and review the result.
        """
        if template is None or template.repo is None:
            return Skip("the template source cannot be read from here")
        if latest is None:
            return Skip("the template has no release tags")
        recorded = str(template.version)
        if recorded == latest:
            return True
        behind = _releases_between(template, latest)
        if behind == 0:
            return True  # a commit after the latest release
        return f"{behind} release(s) behind: on {recorded}, latest is {latest}"


def _releases_between(template: TemplateRef, latest: str) -> int:
    assert template.repo is not None
    try:
        current = Version(str(template.version).split("-", maxsplit=1)[0])
    except InvalidVersion:
        current = Version("0")
    count = 0
    for tag in gitrepo.tags(template.repo):
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease and current < version <= Version(latest):
            count += 1
    return count


class MP103(Check):
    """Template-owned files are as the template made them"""

    family = "sync"
    requires = frozenset({"MP101"})

    @staticmethod
    def check(root: Path, rendered: Path | None, policy: Policy) -> list[str] | Skip:
        """
        Files the template owns (see `.mlplate.yml`) were edited in this project; the
        next update would have to overwrite or conflict with those edits.
        Fix: move the change into the template, or list the file under `opt_out:`
        in `.mlplate.yml` to take it over.
        """
        if rendered is None:
            return Skip("the recorded template version cannot be rendered here")
        drifted = []
        for path in sorted(p for p in rendered.rglob("*") if p.is_file()):
            rel = path.relative_to(rendered).as_posix()
            if policy.owner(rel) is not Owner.TEMPLATE:
                continue
            mine = root / rel
            if not mine.is_file():
                drifted.append(f"{rel}: deleted")
            elif mine.read_bytes() != path.read_bytes():
                drifted.append(f"{rel}: modified")
        return drifted


class MP104(Check):
    """No leftover conflict markers"""

    family = "sync"

    @staticmethod
    def check(root: Path, tracked: list[str]) -> list[str]:
        """
        Files still hold merge conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`).
        Fix: resolve each conflict, keeping the lines you want, and remove the markers.
        """
        found = []
        for rel in tracked:
            try:
                text = (root / rel).read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            match = _MARKER.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
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


class MP106(Check):
    """Answers match the template's questions"""

    family = "sync"
    requires = frozenset({"MP101"})

    @staticmethod
    def check(answers: dict[str, Any], template: TemplateRef | None) -> list[str] | Skip:
        """
        The answers file holds answers the template does not ask for, or lacks answers
        to questions without a default.
        Fix: correct `.copier-answers.yml` to answer exactly the template's questions.
        """
        if template is None:
            return Skip("the template source cannot be read from here")
        asked = questions.load(template)
        if asked is None:
            return Skip("the template's questions cannot be read before rendering")
        problems = []
        given = {k for k in answers if not str(k).startswith("_")}
        for key in sorted(given):
            if key not in asked or asked[key].computed:
                problems.append(f"{key}: not a question of the template")
        for name, question in asked.items():
            if not question.computed and not question.has_default and name not in given:
                problems.append(f"{name}: no answer and no default")
        return problems
