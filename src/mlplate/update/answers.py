"""What the project's answers file records, and the answers its files were rendered with.

The two differ when someone edited `.copier-answers.yml` by hand to change an
answer. The files still show the old answer, so the recorded version is
rendered with the answers of the last commit that rendered files (generation or
update), found in git history, and the target with the edited ones: the change
then reaches the files like a `--data` would. A shallow clone has no history to
read, and the answers file is then taken as it is (what copier does).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlplate import answers_file, gitrepo
from mlplate.errors import InvalidAnswersFile
from mlplate.update.apply import state_dir

ANSWERS_FILE = answers_file.NAME
_HISTORY = 20  # answers-file commits read at most: the run since the last update is short


@dataclass(frozen=True)
class Recorded:
    """The answers file of a project."""

    src: str
    commit: str
    answers: dict[str, Any]  # as the file says now: hand edits included
    rendered_with: dict[str, Any]  # what the project's files were rendered with

    @property
    def changed(self) -> dict[str, tuple[Any, Any]]:
        """Answers edited by hand since the files were rendered: name → (was, now)."""
        names = dict.fromkeys([*self.rendered_with, *self.answers])
        return {
            name: (self.rendered_with.get(name), self.answers.get(name))
            for name in names
            if self.rendered_with.get(name) != self.answers.get(name)
        }


_parse = answers_file.parse
_public = answers_file.public


def read(root: Path) -> Recorded:
    """Read and check the answers file of the project at `root` (a git work tree)."""
    answers = answers_file.read(root)
    recorded = answers_file.source(answers)
    if recorded is None:
        missing = " and ".join(k for k in ("_src_path", "_commit") if not answers.get(k))
        raise InvalidAnswersFile(
            reason=f"records no {missing}: the template and the version the project came from"
        )
    src, commit = recorded
    return Recorded(
        src=src,
        commit=commit,
        answers=_public(answers),
        rendered_with=_public(_rendered_with(root, str(commit)) or answers),
    )


# The answers files (by content hash) whose answers this clone's files were rendered
# with, as mlplate wrote them: kept beside the update state in the git directory, so the
# answers file itself stays byte-for-byte what copier writes.
_RENDERED = "rendered-answers.txt"


def remember_rendered(root: Path) -> None:
    """Record that the project's files now follow its answers file as it is."""
    state = state_dir(root)
    state.mkdir(parents=True, exist_ok=True)
    with (state / _RENDERED).open("a", encoding="utf-8") as record:
        record.write(_digest((root / ANSWERS_FILE).read_bytes()) + "\n")


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _rendered_with(root: Path, commit: str) -> dict[str, Any] | None:
    """The answers the project's files follow.

    The newest answers file (working tree, then history at version `commit`) that
    mlplate wrote in this clone. Otherwise (another clone, or copier wrote it), the
    oldest commit of the newest run at version `commit`: the one that brought that
    `_commit` (an update, or the generation) rendered the files; a later one that kept
    it changed answers by hand, whatever else it committed with them.
    """
    try:
        known = set((state_dir(root) / _RENDERED).read_text(encoding="utf-8").split())
    except OSError:
        known = set()
    current = (root / ANSWERS_FILE).read_bytes()
    if _digest(current) in known:
        return _parse(current.decode("utf-8"))
    run = _run_at(root, commit)
    for text, answers in run:
        if _digest(text.encode("utf-8")) in known:
            return answers
    return run[-1][1] if run else None


def _run_at(root: Path, commit: str) -> list[tuple[str, dict[str, Any]]]:
    """The answers files (text and answers) of the newest commits that changed it while
    recording version `commit`, newest first, each read once."""
    run = []
    for sha, _paths in gitrepo.commits_touching(root, ANSWERS_FILE, limit=_HISTORY):
        text = gitrepo.show_file(root, sha, ANSWERS_FILE) or ""
        try:
            answers = _parse(text)
        except InvalidAnswersFile:
            break
        if str(answers.get("_commit")) != commit:
            break
        run.append((text, answers))
    return run
