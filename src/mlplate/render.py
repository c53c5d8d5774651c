"""Render one template version into a directory with copier's API.

Local git templates are exported straight from the object store (`git archive`)
instead of being cloned, and the answers file is then pointed back at the real
source and version, so the result is byte-identical to `copier copy`.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlplate import answers_file, gitrepo, questions
from mlplate.errors import InvalidAnswer, MissingAnswer, UserError
from mlplate.prompting import copier_prompts_with_inline_errors
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
    user_defaults: Mapping[str, Any] | None = None,
) -> Rendered:
    """Render `template` into `dest` (created; must not exist or be empty).

    `user_defaults` replace the template's defaults (still asked, unlike `data`).
    """
    extra = {"user_defaults": dict(user_defaults or {})}
    if template.repo is None:
        return _copier_copy(
            template.src, dest, data=data, defaults=defaults, vcs_ref=template.version, **extra
        )
    with tempfile.TemporaryDirectory(prefix="mlplate-tpl-") as tmp:
        snapshot = Path(tmp)
        if template.worktree:
            _copy_worktree(template.repo, snapshot)
        else:
            ref = template.commit or "HEAD"
            gitrepo.export_tree(
                template.repo, ref, snapshot, paths=_paths_copier_reads(template.repo, ref)
            )
        rendered = _copier_copy(
            str(snapshot), dest, data=data, defaults=defaults, vcs_ref=None, **extra
        )
    recorded = dest / rendered.answers_file
    if recorded.is_file():  # the real source and version, as `copier copy` records them
        text = recorded.read_text(encoding="utf-8")
        text = answers_file.recording(text, version=template.version, src=template.src)
        recorded.write_text(text, encoding="utf-8")
    return rendered


# Settings through which copier reads files outside `_subdirectory` (or runs them).
_OUTSIDE_SUBDIRECTORY = (
    "_jinja_extensions", "_tasks", "_migrations", "_external_data", "!include",
)  # fmt: skip


def _paths_copier_reads(repo: Path, ref: str) -> list[str]:
    """What a render of `ref` needs: copier.yml and its `_subdirectory`, or everything ([]).

    A template repository often holds more than the template (mlplate's holds its own
    code, tests and docs); exporting only what copier reads saves writing those files.
    """
    for name in ("copier.yml", "copier.yaml"):
        text = gitrepo.show_file(repo, ref, name)
        if text is None:
            continue
        if any(marker in text for marker in _OUTSIDE_SUBDIRECTORY):
            return []
        try:
            config = questions.parse_config(text)
        except (ValueError, yaml.YAMLError):
            return []
        sub = str(config.get("_subdirectory") or "").strip("/") if isinstance(config, dict) else ""
        return [name, sub] if sub and not sub.startswith(".") and "{" not in sub else []
    return []


def _copy_worktree(repo: Path, dest: Path) -> None:
    """Copy the tracked and new (not ignored) template files as they are on disk."""
    for rel in gitrepo.listed_files(repo, *TEMPLATE_PATHS) or []:
        source = repo / rel
        if not source.is_file():
            continue  # deleted in the working tree
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _copier_copy(  # pylint: disable=too-many-arguments
    src: str,
    dest: Path,
    *,
    data: Mapping[str, Any],
    defaults: bool,
    vcs_ref: str | None,
    user_defaults: dict[str, Any],
) -> Rendered:
    # Imported here: copier pulls in a large dependency tree that `mlplate --help` does not need.
    from copier.errors import (  # pylint: disable=import-outside-toplevel
        CopierAnswersInterrupt,
        CopierError,
        ForbiddenPathError,
        UnsafeTemplateError,
    )

    prompts = contextlib.nullcontext() if defaults else copier_prompts_with_inline_errors()
    try:
        with warnings.catch_warnings(), prompts:
            warnings.simplefilter(
                "ignore"
            )  # copier's dirty-template notices: mlplate reports its own
            with _new_directory_worker()(
                src_path=src,
                dst_path=dest,
                data=dict(data),
                user_defaults=user_defaults,
                defaults=defaults,
                vcs_ref=vcs_ref,
                unsafe=False,
                quiet=True,
                overwrite=True,
            ) as worker:
                worker.run_copy()
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


@functools.cache
def _new_directory_worker() -> type:
    """copier's Worker (what `copier.run_copy` runs), for a destination that is a new directory.

    After writing each file, copier asks git (`git config core.fileMode`, one process per
    file) whether the destination's index needs the executable bit synced. mlplate always
    renders into a new, empty directory that no index tracks, so the answer is always no:
    skipping the question saves one git process per template file.
    """
    from copier import Worker  # pylint: disable=import-outside-toplevel

    class NewDirectoryWorker(Worker):  # pylint: disable=too-few-public-methods
        """A Worker whose destination no git index tracks yet."""

        def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
            del dst_relpath, src_mode  # nothing tracks the new files yet

    return NewDirectoryWorker


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
