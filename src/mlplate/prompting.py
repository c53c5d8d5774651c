"""Copier's questions in a terminal, with a rejected answer's reason printed under the prompt.

prompt_toolkit (under questionary, under copier) shows a validator's message in a one-line
toolbar stretched to the terminal's last row and cut at its width, far from the question.
Here each typed answer is validated after it is entered instead: a rejected one prints its
whole reason, wrapped, right under the question, which is asked again with the answer kept
for editing.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

_TYPED = {"input", "password", "path"}  # choices and confirmations cannot be invalid


def _show(reason: str) -> None:
    # copier words it "Validation error for question 'name': why"; the question is right above.
    if reason.startswith("Validation error for question") and ": " in reason:
        reason = reason.split(": ", 1)[1]
    width = max(40, shutil.get_terminal_size().columns - 4)
    lines = textwrap.wrap(f"✗ {reason}", width=width, subsequent_indent="  ")
    colour, reset = ("\x1b[31m", "\x1b[0m") if sys.stdout.isatty() else ("", "")
    sys.stdout.write("".join(f"  {colour}{line}{reset}\n" for line in lines))
    sys.stdout.flush()


def inline_errors(ask: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Wrap questionary's `unsafe_prompt` so a typed answer is validated once entered."""

    def prompt(
        questions: list[Mapping[str, Any]], answers: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        questions = list(questions)
        if len(questions) != 1 or questions[0].get("type") not in _TYPED:
            return ask(questions, answers=answers, **kwargs)
        question = dict(questions[0])
        validate = question.pop("validate", None)
        cast = question.pop("filter", None)
        if validate is None:
            return ask([questions[0]], answers=answers, **kwargs)
        while True:
            raw = ask([question], answers=answers, **kwargs)[question["name"]]
            verdict = validate(raw)
            if verdict is True:
                return {question["name"]: cast(raw) if cast else raw}
            _show(str(verdict))
            question["default"] = raw

    return prompt


@contextmanager
def copier_prompts_with_inline_errors() -> Iterator[None]:
    """While the block runs, copier's questions show their validation errors inline."""
    from copier import _main  # pylint: disable=import-outside-toplevel

    original = _main.unsafe_prompt
    _main.unsafe_prompt = inline_errors(original)
    try:
        yield
    finally:
        _main.unsafe_prompt = original
