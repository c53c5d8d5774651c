"""Render one template version into a directory with copier's API.

Local git templates are exported straight from the object store (`git archive`)
instead of being cloned, and the answers file is then pointed back at the real
source and version, so the result is byte-identical to `copier copy`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlplate import answers_file, gitrepo
from mlplate.errors import InvalidAnswer, MissingAnswer, UserError
from mlplate.template_source import TEMPLATE_PATHS, TemplateRef


@dataclass(frozen=True)
class Rendered:
    """Where the answers file was written and the answers copier used."""

    answers_file: str
    answers: dict[str, Any]


def render(
    template: TemplateRef,
    dest: Path,
    *,
    data: Mapping[str, Any],
    defaults: bool = True,
) -> Rendered:
    """Render `template` into `dest` (created; must not exist or be empty)."""
    if template.repo is None:
        return _copier_copy(
            template.src, dest, data=data, defaults=defaults, vcs_ref=template.version
        )
    with tempfile.TemporaryDirectory(prefix="mlplate-tpl-") as tmp:
        snapshot = Path(tmp)
        if template.worktree:
            _copy_worktree(template.repo, snapshot)
        else:
            gitrepo.export_tree(template.repo, template.commit or "HEAD", snapshot)
        rendered = _copier_copy(str(snapshot), dest, data=data, defaults=defaults, vcs_ref=None)
    recorded = dest / rendered.answers_file
    if recorded.is_file():  # the real source and version, as `copier copy` records them
        text = recorded.read_text(encoding="utf-8")
        text = answers_file.recording(text, version=template.version, src=template.src)
        recorded.write_text(text, encoding="utf-8")
    return rendered


def _copy_worktree(repo: Path, dest: Path) -> None:
    """Copy the tracked and new (not ignored) template files as they are on disk."""
    for rel in gitrepo.listed_files(repo, *TEMPLATE_PATHS) or []:
        source = repo / rel
        if not source.is_file():
            continue  # deleted in the working tree
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _copier_copy(
    src: str, dest: Path, *, data: Mapping[str, Any], defaults: bool, vcs_ref: str | None
) -> Rendered:
    # Imported here: copier pulls in a large dependency tree that `mlplate --help` does not need.
    import copier  # pylint: disable=import-outside-toplevel
    from copier.errors import (  # pylint: disable=import-outside-toplevel
        CopierAnswersInterrupt,
        CopierError,
        ForbiddenPathError,
        UnsafeTemplateError,
    )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # copier's dirty-template notices: mlplate reports its own
            worker = copier.run_copy(
                src,
                str(dest),
                data=dict(data),
                defaults=defaults,
                vcs_ref=vcs_ref,
                unsafe=False,
                quiet=True,
                overwrite=True,
            )
    except UnsafeTemplateError as exc:
        raise UserError(
            f"the template runs code on generation ({exc})",
            "read the template, then generate it with `copier copy --trust`",
        ) from None
    except (CopierAnswersInterrupt, KeyboardInterrupt):
        raise
    except ForbiddenPathError as exc:  # a ValueError too, but no answer is at fault
        path = str(exc).split("\n", 1)[0]
        raise UserError(
            f"the template would write outside the project: {path}",
            "the template renders a path that leaves its destination (`..` or an absolute "
            "path, maybe from an answer): fix the template or that answer",
        ) from None
    except ValueError as exc:
        raise _answer_error(str(exc), data) from None
    except CopierError as exc:
        raise UserError(
            f"copier could not render the template: {exc}", "check the template and answers"
        ) from None
    return Rendered(answers_file=str(worker.answers_relpath), answers=dict(worker.answers.combined))


def _answer_error(message: str, data: Mapping[str, Any]) -> UserError:
    """copier's ValueError about an answer, as mlplate's structured error.

    copier raises plain ValueErrors, so their text is all there is to read here;
    mlplate's own errors carry the question, value, reason and choices as fields.
    """
    required = re.search(r'Question "([^"]+)" is required', message)
    if required:
        return MissingAnswer(question=required.group(1))
    # copier words these "Validation error for question 'x': why" or "Invalid choice for 'x': why".
    for marker in ("question '", "for '"):
        if marker in message:
            key = message.split(marker, 1)[1].split("'", 1)[0]
            reason = message.split(": ", 1)[1] if ": " in message else message
            return InvalidAnswer(key=key, value=data.get(key), **_reason_and_fix(reason))
    return UserError(
        f"invalid answer: {message}", "check the --data values against the template's questions"
    )


def _reason_and_fix(reason: str) -> dict[str, Any]:
    """Split a validator's "problem: fix" message; name the choices of a rejected choice."""
    choices = re.search(r" is not in \[(.*)\]$", reason)
    if choices:
        return {
            "reason": reason,
            "choices": [c.strip(" '\"") for c in choices.group(1).split(",")],
        }
    fix = re.search(r": ((?:pass|add|drop|use|give) .*)$", reason)
    if fix:
        return {"reason": reason[: fix.start()], "hint": fix.group(1).rstrip(".")}
    return {"reason": reason}
