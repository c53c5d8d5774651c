"""How every job ends: one `error:` and one `hint:` line, and an exit code that means one thing.

Exit codes of `python -m <package>.<job>`:

- 0: done (for training: the new model passed the gate and is the champion);
- 1: the job's own "no" (the gate refused the model, drift was found): nothing is broken;
- 2: bad input or configuration (config.yaml, schema.yaml, the data, a version number);
- 3: the environment (a full disk, a tracking store that cannot be reached).

A job adopts it by parsing its arguments with `parser` and returning its exit code
from a function that `run` calls:

    def main(argv: list[str] | None = None, config: Config | None = None) -> int:
        args = jobs.parser("What the job does.", "train").parse_args(argv)
        return jobs.run(lambda: _main(args, config))

Errors that this module does not know are bugs: they keep their traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from .config import Config

DONE, REFUSED, BAD_INPUT, ENVIRONMENT = 0, 1, 2, 3
INTERRUPTED = 130  # what a shell reports for Ctrl-C

# OSError numbers that mean the machine, not the input: no space, no quota, read-only.
_ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES})


class JobError(Exception):
    """An error to show as is: `message`, the `hint` that fixes it, and its exit code."""

    code = BAD_INPUT

    def __init__(self, message: str, hint: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        if code is not None:
            self.code = code


def _as_job_error(error: BaseException) -> JobError | None:
    """The error as the user should see it, or None for a bug (keeps its traceback)."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, JobError):
        return error
    # The project's own errors (ContractError, ConfigError, DataError, EstimatorError, ...)
    # carry the hint that fixes them: checked by attribute, so this module imports none of
    # the modules that raise them (they import this one).
    hint = getattr(error, "hint", None)
    if isinstance(error, (ValueError, OSError, LookupError)) and isinstance(hint, str):
        return JobError(first, hint)
    hints: list[tuple[type[BaseException] | tuple[type[BaseException], ...], str]] = [
        (ValidationError, "fix the value in configs/config.yaml or the environment"),
        ((FileNotFoundError, LookupError), "run the step that creates it first (see `make help`)"),
    ]
    for kinds, hint in hints:
        if isinstance(error, kinds):
            return JobError(first, hint)
    if isinstance(error, OSError) and error.errno in _ENVIRONMENT_ERRNOS:
        where = f" ({error.filename})" if error.filename else ""
        return JobError(
            f"{error.strerror or first}{where}",
            "free disk space or fix the permissions there, then run the job again",
            code=ENVIRONMENT,
        )
    if isinstance(error, (ConnectionError, TimeoutError)) or type(error).__module__.startswith(
        ("mlflow", "requests", "urllib3", "wandb")
    ):
        return JobError(
            first,
            "check that the tracking store is reachable (MLFLOW_TRACKING_URI, tracking.uri)",
            code=ENVIRONMENT,
        )
    return None


@contextmanager
def promotion_lock(config: Config) -> Iterator[None]:
    """Hold the project's promotion lock (models/.promotion.lock) for the block.

    Read champion → compare → move the alias and models/champion happen under it, so
    two trainings (or a training and `registry promote`) never decide on a champion
    that moved meanwhile. The operating system frees the lock when a process dies.
    """
    path = config.path(config.paths.model_dir) / ".promotion.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file of its own: never half-written.

    The temporary name is unique, so two processes writing the same report at once each
    replace it whole (the last one wins) instead of tripping over one `.partial` file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", delete=False, encoding="utf-8"
    ) as out:
        try:
            out.write(text)
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    os.replace(out.name, path)


def replace_dir(staging: Path, destination: Path) -> None:
    """Put the folder `staging` in place of `destination` by renames; the last writer wins.

    A reader never sees half a folder. Another process may put its own folder in place
    between the two renames (two trainings writing reports/plots at once): that one is
    retired in turn, so neither process fails.
    """
    while True:
        retired = destination.with_name(f".{destination.name}-retired-{uuid.uuid4().hex[:8]}")
        with contextlib.suppress(FileNotFoundError):
            destination.rename(retired)
        try:
            staging.rename(destination)
            return
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        finally:
            shutil.rmtree(retired, ignore_errors=True)


class _Parser(argparse.ArgumentParser):
    """argparse, with a wrong argument reported as every job reports an error."""

    def error(self, message: str):  # type: ignore[override]
        print(f"error: {message}\nhint: `{self.prog} --help` lists the options", file=sys.stderr)
        raise SystemExit(BAD_INPUT)


def parser(description: str, job: str) -> argparse.ArgumentParser:
    """The argument parser of `python -m <package>.<job>`.

    A wrong argument is one error and one hint, exit 2, as for every other bad input.
    """
    return _Parser(prog=f"python -m {__package__}.{job}", description=description)


def report(error: JobError) -> int:
    """Print the error and its hint on stderr; returns its exit code."""
    print(f"error: {error}\nhint: {error.hint}", file=sys.stderr)
    return error.code


def run(job: Callable[[], int]) -> int:
    """Call `job`; map the errors a user can fix to one error/hint pair and an exit code."""
    try:
        return job()
    except KeyboardInterrupt:
        print("error: interrupted\nhint: run the job again", file=sys.stderr)
        return INTERRUPTED
    except Exception as error:  # pylint: disable=broad-exception-caught
        known = _as_job_error(error)
        if known is None:
            raise
        return report(known)
