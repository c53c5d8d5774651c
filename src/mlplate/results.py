"""Command results: frozen dataclasses with a versioned JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULT_VERSION = "1"


def envelope(command: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The JSON form every command prints with --json."""
    return {"mlplate_result_version": RESULT_VERSION, "command": command, **payload}


@dataclass(frozen=True)
class NewResult:  # pylint: disable=too-many-instance-attributes  # the JSON contract's fields
    """What `mlplate new` created."""

    destination: Path
    template: str
    template_version: str | None
    answers: dict[str, Any]
    git_commit: str | None
    lockfile: bool
    steps: list[str] = field(default_factory=list)
    dry_run: bool = False
    files: list[str] = field(default_factory=list)  # the project's files, relative, sorted
    warnings: list[str] = field(default_factory=list)  # one line each, shown before the summary

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON form printed by --json."""
        data = asdict(self)
        data["destination"] = str(self.destination)
        return envelope("new", data)
