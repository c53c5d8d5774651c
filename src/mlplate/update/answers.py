"""What the project's answers file records, and the answers its files were rendered with.

The two differ when someone edited `.copier-answers.yml` by hand to change an
answer. The files still show the old answer, so the recorded version is
rendered with the answers of the last commit that rendered files (generation or
update), found in git history, and the target with the edited ones: the change
then reaches the files like a `--data` would. A shallow clone has no history to
read, and the answers file is then taken as it is (what copier does).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlplate import answers_file, gitrepo
from mlplate.errors import InvalidAnswersFile

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
        rendered_with=_public(_last_rendered(root, str(commit)) or answers),
    )


def _last_rendered(root: Path, commit: str) -> dict[str, Any] | None:
    """The answers file of the newest commit at version `commit` that also rendered files.

    Walks back through the commits that changed the answers file while they record
    the same `_commit`; a commit that changed only the answers file is a hand
    edit. When every one of them is, the oldest one's answers are used.
    """
    chosen = None
    for sha, paths in gitrepo.commits_touching(root, ANSWERS_FILE, limit=_HISTORY):
        text = gitrepo.show_file(root, sha, ANSWERS_FILE)
        try:
            answers = answers_file.parse(text or "")
        except InvalidAnswersFile:
            break
        if str(answers.get("_commit")) != commit:
            break
        chosen = answers
        if any(p != ANSWERS_FILE for p in paths):
            break
    return chosen
