"""Write into temporary space next to the destination, then move into place.

Nothing half-written is ever left at the destination: on any error, Ctrl-C
included, the staging directory is removed and the destination is untouched.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DestinationNotEmpty


@contextmanager
def staged_directory(dest: Path) -> Iterator[Path]:
    """Yield an empty directory on dest's filesystem; move it to `dest` if the block succeeds."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    holder = Path(tempfile.mkdtemp(prefix=f".{dest.name}.mlplate-", dir=dest.parent))
    try:
        work = holder / dest.name
        work.mkdir()
        yield work
        try:
            if dest.is_dir():
                dest.rmdir()  # only an empty destination gets here
            os.replace(work, dest)
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            # Filled while the project was built (another `mlplate new`, an editor): what
            # is there now stays as it is; the new project goes with the staging space.
            raise DestinationNotEmpty(path=dest) from None
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def is_empty_or_missing(path: Path) -> bool:
    """True when `path` can become a new project."""
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))
