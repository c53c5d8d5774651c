"""Decide, file by file, what an update does: ownership, renames, deletions, merges.

Three versions of each path are compared: the template at the project's recorded
version (base), the project as committed (ours), and the template at the target
(theirs). A path neither side of the template changed is left alone and not
reported. The ownership policy is the one the update itself produces: the
project's `.mlplate.yml` merged with the template's is decided first.
"""

from __future__ import annotations

import os

from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from mlplate import gitrepo, ownership
from mlplate.errors import UserError
from mlplate.ownership import Owner, Policy
from mlplate.update.apply import fingerprint_of
from mlplate.update.merge import is_binary, three_way
from mlplate.update.renders import Renders
from mlplate.update.structured import is_valid, keeps_comments, merger

# A conflict that leaves no markers (a symlink or binary file is never written into):
# the project's side stays exactly as it was, and the report says what is not applied.
NO_MARKERS = "the template's change needs you (no markers written)"


class Action(str, Enum):
    """What happens to one path."""

    ADDED = "added"
    UPDATED = "updated"
    MERGED = "merged"
    CONFLICTED = "conflicted"
    DELETED = "deleted"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Change:
    """One path's outcome.

    `content` is what to write (None for deletions and skips); `executable` the mode
    to give it (None: the project's, or not executable for a new file); `replaced`
    the project's own version of a template-owned file the update overwrote.
    """

    path: str
    action: Action
    content: bytes | None = None
    reason: str = ""
    executable: bool | None = None
    replaced: bytes | None = None
    link: str | None = None  # the path becomes a symlink to this target

    @property
    def writes(self) -> bool:
        """True when applying this change writes or deletes a file."""
        return self.action is Action.DELETED or (
            (self.content is not None or self.link is not None)
            and self.action is not Action.SKIPPED
        )


@dataclass
class Plan:
    """Every change, in path order, and the ownership policy they followed."""

    changes: list[Change] = field(default_factory=list)
    policy: Policy = field(default_factory=Policy)
    # The fingerprint (apply.fingerprint) of each project path as the plan read it.
    seen: dict[str, str | None] = field(default_factory=dict)

    def by(self, action: Action) -> list[Change]:
        """The changes of one kind."""
        return [c for c in self.changes if c.action is action]

    def get(self, path: str) -> Change | None:
        """The change of `path`, if it has one."""
        return next((c for c in self.changes if c.path == path), None)


@dataclass(frozen=True)
class Side:
    """One version of one path: its bytes (None when absent or a symlink), executable bit,
    and symlink target (None unless it is a symlink, which is never followed)."""

    content: bytes | None
    executable: bool = False
    link: str | None = None

    @classmethod
    def read(cls, path: Path | None) -> Side:
        """The file or symlink at `path`, or an absent side."""
        if path is None:
            return cls(None)
        if path.is_symlink():
            return cls(None, link=os.readlink(path))
        if not path.is_file():
            return cls(None)
        return cls(path.read_bytes(), bool(path.stat().st_mode & 0o111))

    @property
    def fingerprint(self) -> str | None:
        """What apply.fingerprint() says of a path holding this side."""
        return fingerprint_of(self.content, executable=self.executable, link=self.link)


def _files(root: Path) -> dict[str, Path]:
    found = {}
    for folder, dirs, names in os.walk(root):
        for name in [*names, *(d for d in dirs if Path(folder, d).is_symlink())]:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path
    return found


def _refuse_outside_links(files: dict[str, Path]) -> None:
    """A template symlink must point inside the template: copier and `mlplate new` make it
    a link, and following one that leads out would copy a file of this machine."""
    for rel, path in files.items():
        if not path.is_symlink():
            continue
        target = os.readlink(path)
        inside = os.path.normpath(os.path.join(os.path.dirname(rel), target))
        if os.path.isabs(target) or inside == ".." or inside.startswith("../"):
            raise UserError(
                f"the template's symlink {rel} points outside the template (to {target})",
                "a template may only link to its own files: fix the symlink in the template "
                "(or ask its maintainers to), then run again",
            )


def _linked_folder(project: Path, rel: str, known: dict[str, bool]) -> str:
    """The first folder of `rel` that is a symlink in the project, or ''."""
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if folder not in known:
            known[folder] = (project / folder).is_symlink()
        if known[folder]:
            return folder
    return ""


def template_renames(base: Path, theirs: Path) -> dict[str, str]:
    """Paths the template moved between the two renders (old → new), as git detects renames."""
    fields = gitrepo.diff_name_status(base, theirs, renames="50%")
    renames = {}
    i = 0
    while i < len(fields):
        status = fields[i]
        if status.startswith(("R", "C")) and i + 2 < len(fields):
            if status.startswith("R"):
                old = Path(fields[i + 1]).relative_to(base).as_posix()
                renames[old] = Path(fields[i + 2]).relative_to(theirs).as_posix()
            i += 3
        else:
            i += 2
    return renames


def make_plan(
    project: Path,
    renders: Renders,
    *,
    labels: tuple[str, str, str],
    skip: set[str],
    answers_changed: bool = False,
) -> Plan:
    """Compare the two renders with the project and decide every path's outcome.

    With `answers_changed` (an option switched on update), seeded files are merged like
    shared ones: the new answer's code must reach them, and a three-way merge keeps the
    project's edits.
    """
    base_files, their_files = _files(renders.base), _files(renders.theirs)
    _refuse_outside_links(their_files)
    renames = {
        old: new
        for old, new in template_renames(renders.base, renders.theirs).items()
        if old not in their_files and new not in base_files and not (project / new).exists()
    }
    moved_from = {new: old for old, new in renames.items()}
    plan = Plan()

    linked: dict[str, bool] = {}

    def decide(path: str, owner: Owner) -> Change | None:
        here = moved_from.get(path, path)
        ours = Side.read(project / here)
        plan.seen[here] = ours.fingerprint
        if here != path:
            plan.seen[path] = Side.read(project / path).fingerprint
        change = _decide(
            path,
            here,
            Side.read(base_files.get(here)),
            ours,
            Side.read(their_files.get(path)),
            owner=Owner.SHARED if answers_changed and owner is Owner.SEEDED else owner,
            labels=labels,
        )
        folder = _linked_folder(project, path, linked) or _linked_folder(project, here, linked)
        if change is not None and change.writes and folder:
            # Writing through it would change the link's target, maybe outside the project.
            return Change(
                path,
                Action.CONFLICTED,
                reason=f"in {folder}, a symlink: not written through it; {NO_MARKERS}",
            )
        unwritten = change is not None and change.action is Action.CONFLICTED and not change.writes
        if unwritten and here != path:
            # A conflict with nothing written at the new path: name the path the project has.
            return replace(
                change, path=here, reason=f"{change.reason} (moved by the template to {path})"
            )
        return change

    policy_change = decide(ownership.POLICY_FILE, Owner.SHARED)
    plan.policy = _merged_policy(project, renders.theirs, policy_change)
    if policy_change is not None:
        plan.changes.append(policy_change)
    for path in sorted(set(base_files) | set(their_files)):
        if path in skip or path in renames or path == ownership.POLICY_FILE:
            continue
        change = decide(path, plan.policy.owner(path))
        if change is None:
            continue
        if path in moved_from and change.writes:
            plan.changes.append(
                Change(moved_from[path], Action.DELETED, reason=f"moved by the template to {path}")
            )
        plan.changes.append(change)
    return plan


def _merged_policy(project: Path, theirs: Path, change: Change | None) -> Policy:
    """The policy in the updated `.mlplate.yml`; if that has conflicts, the template's rules
    plus the opt-outs the project recorded."""
    mine = project / ownership.POLICY_FILE
    if change is None or change.action is Action.SKIPPED or change.content is None:
        text = mine.read_bytes() if mine.is_file() else None
    else:
        text = change.content
    if text is not None and (change is None or change.action is not Action.CONFLICTED):
        try:
            return ownership.parse(text.decode("utf-8"), source=ownership.POLICY_FILE)
        except (UserError, UnicodeDecodeError):
            pass
    template_policy = ownership.load(theirs)
    try:
        opt_out = ownership.load(project).opt_out
    except UserError:
        opt_out = ()
    return Policy(
        template_policy.template,
        template_policy.seeded,
        template_policy.shared,
        tuple(dict.fromkeys(template_policy.opt_out + opt_out)),
    )


def _executable(base: Side, ours: Side, theirs: Side) -> bool:
    """The template's new mode if it changed the mode, else the project's."""
    return theirs.executable if theirs.executable != base.executable else ours.executable


def _decide(  # pylint: disable=too-many-arguments,too-many-return-statements
    path: str,
    here: str,
    base: Side,
    ours: Side,
    theirs: Side,
    *,
    owner: Owner,
    labels: tuple[str, str, str],
) -> Change | None:
    """One path's outcome; None when there is nothing to do or say."""
    moved = here != path
    if not moved and theirs == base:
        return None  # the template did not change it: whatever the project did stands
    if owner is Owner.PROJECT:
        return Change(path, Action.SKIPPED, reason="opted out in .mlplate.yml: left as it is")
    if base.link is not None or ours.link is not None or theirs.link is not None:
        return _symlinked(path, base, ours, theirs)
    if theirs.content is None:
        return _removed_by_template(path, base, ours)
    if ours.content is None:
        if base.content is None:
            return Change(path, Action.ADDED, theirs.content, executable=theirs.executable)
        return Change(path, Action.SKIPPED, reason="deleted in the project: stays deleted")
    mode = _executable(base, ours, theirs)
    if owner is Owner.SEEDED:
        return _seeded(path, here, base, ours, mode)
    if theirs.content in (ours.content, base.content):
        if not moved and mode == ours.executable:
            return None
        reason = f"moved from {here}" if moved else "mode changed by the template"
        return Change(path, Action.UPDATED, ours.content, reason, mode)
    if ours.content == base.content:
        reason = f"moved from {here}" if moved else ""
        return Change(path, Action.UPDATED, theirs.content, reason, mode)
    # Template-owned files are merged like shared ones: the project's edit on other lines
    # stays (and `check` keeps reporting it as drift); the same lines are a conflict.
    # Never an overwrite: a replaced edit would leave the work tree and the pull request.
    change = _merge(
        path, base.content or b"", ours.content, theirs.content, labels=labels, mode=mode
    )
    if owner is Owner.TEMPLATE and change.action is Action.MERGED:
        change = replace(change, reason="template-owned: the project's edit kept (drift for check)")
    if moved and change.action is Action.MERGED:
        # The report says where the merged edits came from, as for a file moved unedited.
        change = replace(
            change, reason="; ".join(filter(None, (f"moved from {here}", change.reason)))
        )
    return change


def _symlinked(  # pylint: disable=too-many-return-statements
    path: str, base: Side, ours: Side, theirs: Side
) -> Change | None:
    """A path that is a symlink on some side: links are compared as links, never followed.

    When both sides changed it, the project's side is kept as it is and, unless one
    side deleted it (the usual deletion rules), the path is a conflict without
    markers: nothing is written into a link.
    """
    if ours == theirs:
        return None
    if ours != base:
        if ours.content is None and ours.link is None:
            return Change(path, Action.SKIPPED, reason="deleted in the project: stays deleted")
        if theirs.content is None and theirs.link is None:
            return Change(
                path, Action.SKIPPED, reason="removed by the template; kept: the project changed it"
            )
        if ours.link is not None and base.link is None:
            what = f"the project made it a symlink (to {ours.link}): kept"
        elif theirs.link is not None and base.link is None:
            what = (
                f"the template made it a symlink (to {theirs.link}); the project changed it: kept"
            )
        else:
            what = "the template changed this symlink and the project changed it too: kept"
        return Change(path, Action.CONFLICTED, reason=f"{what}; {NO_MARKERS}")
    if theirs.link is not None:
        action = Action.UPDATED if base.link is not None or base.content else Action.ADDED
        return Change(path, action, reason=f"symlink to {theirs.link}", link=theirs.link)
    if theirs.content is None:
        return Change(path, Action.DELETED, reason="symlink removed by the template")
    return Change(
        path, Action.UPDATED, theirs.content, "the template replaced the symlink", theirs.executable
    )


def _removed_by_template(path: str, base: Side, ours: Side) -> Change | None:
    if ours.content is None:
        return None
    if ours.content == base.content:
        return Change(path, Action.DELETED, reason="removed by the template")
    return Change(
        path, Action.SKIPPED, reason="removed by the template; kept: the project changed it"
    )


def _seeded(path: str, here: str, base: Side, ours: Side, mode: bool) -> Change:
    """Files listed under `seeded:` are the project's once written: moves are followed,
    contents never updated. Only listed files are: every other file is merged."""
    if here != path:
        return Change(
            path, Action.UPDATED, ours.content, f"seeded: moved from {here}, content kept", mode
        )
    if base.content is None:
        return Change(path, Action.SKIPPED, reason="seeded: the project already has this file")
    return Change(path, Action.SKIPPED, reason="seeded: written once, never updated")


def _merge(  # pylint: disable=too-many-arguments
    path: str,
    base: bytes,
    ours: bytes,
    theirs: bytes,
    *,
    labels: tuple[str, str, str],
    mode: bool,
) -> Change:
    if is_binary(base, ours, theirs):
        return Change(
            path,
            Action.CONFLICTED,
            reason=f"binary file changed on both sides: kept the project's; {NO_MARKERS}",
        )
    merged = three_way(base, ours, theirs, labels=labels)
    by_key = merger(path)
    if by_key is not None and (merged.conflicted or not is_valid(path, merged.content)):
        structured = by_key(base, ours, theirs)
        if structured is not None and not keeps_comments(base, (ours, theirs), structured):
            structured = None  # a comment the by-key merge cannot place: the text merge shows it
        if structured is not None:
            return Change(path, Action.MERGED, structured, "merged by key", mode)
        if not merged.conflicted:
            return Change(
                path,
                Action.CONFLICTED,
                merged.content,
                "the merged text does not parse: both sides changed related keys; review it",
                mode,
            )
    if merged.conflicted:
        return Change(
            path, Action.CONFLICTED, merged.content, "both sides changed the same lines", mode
        )
    return Change(path, Action.MERGED, merged.content, executable=mode)
