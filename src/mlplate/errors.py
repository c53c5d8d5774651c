"""Errors mlplate shows to its users, and the exit codes they map to."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

EXIT_OK = 0
EXIT_CONFLICTS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class MlplateError(Exception):
    """Base of every error mlplate raises on purpose."""


class Interrupted(MlplateError):
    """Ctrl-C after a command had changed something: the message says what is kept."""


class UserError(MlplateError):
    """An error the user can fix: one line saying what is wrong, one saying how to fix it."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class DestinationNotEmpty(UserError):
    """The destination exists and holds files."""

    def __init__(self, *, path: Path) -> None:
        super().__init__(
            f"destination {path} already exists and is not empty",
            "choose a new directory name, or empty that directory first",
        )


class TemplateNotFound(UserError):
    """The template path does not exist."""

    def __init__(self, *, src: str) -> None:
        super().__init__(
            f"template {src} does not exist",
            "pass --template a local path or git URL of a copier template",
        )


class NotACopierTemplate(UserError):
    """The template directory has no copier.yml."""

    def __init__(self, *, src: str) -> None:
        super().__init__(
            f"{src} is not a copier template (no copier.yml or copier.yaml at its root)",
            "point --template at the directory or repository holding copier.yml",
        )


class UnknownQuestion(UserError):
    """An answer was given to a question the template does not ask."""

    def __init__(self, *, key: str, known: Iterable[str]) -> None:
        super().__init__(
            f"the template has no question named '{key}'",
            "use one of: " + ", ".join(sorted(known)),
        )


class InvalidAnswer(UserError):
    """An answer the template's question rejects.

    `question`, `value`, `reason` and `choices` are kept as given, for code that
    needs them (it never reads the message).
    """

    def __init__(
        self,
        *,
        key: str,
        reason: str,
        value: object = None,
        choices: Iterable[str] = (),
        hint: str = "",
    ) -> None:
        self.question = key
        self.value = value
        self.reason = reason
        self.choices = tuple(choices)
        if not hint and self.choices:
            hint = f"pass one of {', '.join(self.choices)}: --data {key}=VALUE"
        super().__init__(
            f"invalid value for '{key}': {reason}",
            hint or f"pass a valid value with --data {key}=VALUE",
        )


class MissingAnswer(UserError):
    """A question with no answer and no default, outside a terminal."""

    def __init__(self, *, question: str, help_text: str = "") -> None:
        self.question = question
        self.help_text = help_text
        about = f" ({help_text})" if help_text else ""
        super().__init__(
            f"the template asks '{question}'{about} and it has no default",
            f"pass --data {question}=VALUE",
        )


class ToolMissing(UserError):
    """An external program mlplate needs is not on PATH."""

    def __init__(self, *, tool: str, why: str, install: str) -> None:
        super().__init__(f"{tool} is not installed; it is needed to {why}", install)


class DirtyWorktree(UserError):
    """The project has uncommitted changes, so an update could not be undone."""

    def __init__(self, *, paths: Iterable[str]) -> None:
        listed = list(paths)
        shown = ", ".join(listed[:10]) + (
            f" (+{len(listed) - 10} more)" if len(listed) > 10 else ""
        )
        super().__init__(
            f"the work tree has uncommitted changes: {shown}",
            "commit or stash them (git stash -u), then run again",
        )
        self.paths = listed


class CommandFailed(UserError):
    """An external command exited non-zero; the last line of its output says why."""

    def __init__(self, *, command: str, output: str, hint: str = "") -> None:
        last = output.strip().splitlines()[-1] if output.strip() else "no output"
        super().__init__(
            f"`{command}` failed: {last}", hint or "run it by hand to see the whole output"
        )
        self.output = output


class NoAnswersFile(UserError):
    """The project records no template: it has no answers file."""

    def __init__(self, *, path: Path, answers_file: str = ".copier-answers.yml") -> None:
        super().__init__(
            f"{path} has no {answers_file}, so the template and version it follows are unknown",
            "run `mlplate adopt` in it to record them (projects made with mlplate new or "
            "copier copy have one)",
        )


class InvalidAnswersFile(UserError):
    """The answers file exists but cannot be used (not YAML, or no template recorded)."""

    def __init__(self, *, reason: str, answers_file: str = ".copier-answers.yml") -> None:
        super().__init__(
            f"{answers_file} {reason}",
            f"fix {answers_file} (`git log -p {answers_file}` shows its history), then run again",
        )
