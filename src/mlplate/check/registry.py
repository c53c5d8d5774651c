"""A small check framework in the spirit of repo-review.

A check is a class: its name is its stable ID (MP103), its docstring is its title,
`family` groups it, `requires` names checks that must pass first (otherwise it is
skipped, not failed), and `check()`'s docstring is the failure message with the fix.
`check()` takes its data as fixtures named by its parameters and returns True/None
(pass), False (fail with the docstring), a string or a list of strings (fail, with
those details), or a `Skip` (not applicable here). A fixture that cannot be
computed here returns a `Skip` too, and the check is skipped with its reason;
one the check cannot do without (the template is unreachable) returns
`CannotTell`, and the check fails with that reason and its fix.

Checks are found, as repo-review finds its plugins, through the `mlplate.checks`
entry point group (`mlplate.check.catalog`): mlplate's own families are listed
there in pyproject.toml, and a team's package adds its own the same way.

Why not repo-review itself (the model for this shape): its checks read a
`Traversable` root and fail with one message string. mlplate's checks run git
and uv on a real checkout, name the files at fault (which become GitHub
annotations), and must start fast inside a pre-commit hook. The shape is the
same (class name = ID, family, requires, docstrings, fixtures by parameter
name), so moving onto it later is mechanical.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar


class Status(str, Enum):
    """What a check concluded."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Skip:
    """Returned by a check that does not apply; `reason` says why."""

    reason: str


@dataclass(frozen=True)
class CannotTell:
    """Returned by a fixture whose data a check cannot do without (an unreachable template):
    the check fails with `reason` and `fix`, never passes or skips in silence."""

    reason: str
    fix: str


@dataclass(frozen=True)
class Outcome:
    """The result of one check on one project."""

    id: str
    family: str
    title: str
    status: Status
    message: str = ""
    details: tuple[str, ...] = field(default_factory=tuple)


class Check:
    """Base of every check; a check runs when an `mlplate.checks` entry point lists it."""

    family: ClassVar[str] = ""
    requires: ClassVar[frozenset[str]] = frozenset()
    file: ClassVar[str] = ""  # the file a failure is annotated on when its details name none

    @classmethod
    def title(cls) -> str:
        """The one-line title (the class docstring)."""
        return inspect.cleandoc(cls.__doc__ or cls.__name__).splitlines()[0]

    @classmethod
    def fix(cls) -> str:
        """The failure message with its fix (the `check` docstring)."""
        return inspect.cleandoc(getattr(cls, "check").__doc__ or "")


def _interpret(cls: type[Check], result: Any) -> Outcome:
    base = {"id": cls.__name__, "family": cls.family, "title": cls.title()}
    if isinstance(result, Skip):
        return Outcome(**base, status=Status.SKIP, message=result.reason)
    if result is None or result is True:
        return Outcome(**base, status=Status.PASS)
    if result is False:
        return Outcome(**base, status=Status.FAIL, message=cls.fix())
    details = (result,) if isinstance(result, str) else tuple(result)
    if not details:
        return Outcome(**base, status=Status.PASS)
    return Outcome(**base, status=Status.FAIL, message=cls.fix(), details=details)


def run_one(cls: type[Check], fixture: Callable[[str], Any]) -> Outcome:
    """Run one check, resolving each parameter through `fixture(name)`."""
    run = getattr(cls, "check")  # each subclass defines check() with its own fixtures
    kwargs = {}
    for name in inspect.signature(run).parameters:  # in order: cheap fixtures first, by convention
        kwargs[name] = fixture(name)
        if isinstance(kwargs[name], Skip):  # a fixture unavailable here skips the check, with why
            return _interpret(cls, kwargs[name])
        if isinstance(kwargs[name], CannotTell):  # not knowing is never a pass
            unknown = kwargs[name]
            return Outcome(
                cls.__name__,
                cls.family,
                cls.title(),
                Status.FAIL,
                message=f"cannot tell: {unknown.reason}\nFix: {unknown.fix}",
                details=(f"cannot tell: {unknown.reason}",),
            )
    return _interpret(cls, run(**kwargs))


def run_checks(checks: Iterable[type[Check]], fixture: Callable[[str], Any]) -> list[Outcome]:
    """Run `checks` in order, resolving each parameter through `fixture(name)`.

    A check whose requirement ran and did not pass is skipped, not run.
    """
    outcomes: dict[str, Outcome] = {}
    for cls in checks:
        unmet = [
            r for r in sorted(cls.requires) if r in outcomes and outcomes[r].status != Status.PASS
        ]
        if unmet:
            outcomes[cls.__name__] = _interpret(
                cls, Skip(f"needs {', '.join(unmet)} to pass first")
            )
            continue
        outcomes[cls.__name__] = run_one(cls, fixture)
    return list(outcomes.values())
