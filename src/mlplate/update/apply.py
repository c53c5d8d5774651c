"""Write an update into the project atomically, and undo one a hard kill cut short.

Every new file is first written in full under `.git/mlplate/update-…/new/`
(the project's own filesystem, outside its work tree, so `git status` never
sees it). Then, in one short critical section with Ctrl-C and SIGTERM
deferred, each file is moved into place with an atomic rename, the replaced
originals kept as hard links under `old/`. A journal written before the first
rename and removed after the last marks the section: if the process is killed
inside it (SIGKILL, power loss), the next `mlplate update` finds the journal
and puts every original back before doing anything else. Killed before the
journal, the project was never touched. Template-owned files whose local edits
the update replaced are kept under `.git/mlplate/backup/<time>/`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from mlplate import gitrepo
from mlplate.errors import UserError

STATE_DIR = "mlplate"  # under the project's git directory
KEEP_BACKUPS = 10
_FAULT = "MLPLATE_UPDATE_FAULT"  # tests: `stage` kills the process at that stage (see fault())


@dataclass(frozen=True)
class Write:
    """One file to write (`content`) or delete (`content` None)."""

    content: bytes | None
    executable: bool | None = None  # None: keep the current mode (new files: not executable)


def state_dir(root: Path) -> Path:
    """Where mlplate keeps update state for the project: inside its git directory."""
    return gitrepo.git_dir(root) / STATE_DIR


def fault(stage: str) -> None:
    """Kill this process at `stage` when MLPLATE_UPDATE_FAULT names it (interruption tests).

    `MLPLATE_UPDATE_FAULT=stage` sends SIGKILL; `stage:INT` or `stage:TERM` sends that
    signal instead, so the tests exercise what a user's Ctrl-C or a CI timeout does.
    """
    wanted = os.environ.get(_FAULT, "")
    name, _, sig = wanted.partition(":")
    if name == stage:
        os.kill(os.getpid(), getattr(signal, f"SIG{sig or 'KILL'}"))
        time.sleep(5)  # the signal is delivered before this returns


@contextlib.contextmanager
def _deferred_signals() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block ends: the renames are never cut in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, lambda signum, _frame: held.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        # A signal that arrived during the renames is dropped: the update is complete, and
        # all that is left is printing what it did.


def _mode(path: Path, write: Write) -> int:
    if write.executable is None:
        if path.exists():
            return path.stat().st_mode & 0o777
        return 0o644
    return 0o755 if write.executable else 0o644


def stamp() -> str:
    """The name of one update's folders: its start time."""
    return time.strftime("%Y%m%d-%H%M%S")


def backup_dir(root: Path, name: str) -> Path:
    """Where an update named `name` saves the local edits it replaced."""
    return state_dir(root) / "backup" / name


def apply(
    root: Path, writes: Mapping[str, Write], *, name: str, backups: Mapping[str, bytes]
) -> Path | None:
    """Apply `writes` to the project at `root`; returns the backup folder if one was kept."""
    work = state_dir(root) / f"update-{name}-{os.getpid()}"
    new, old = work / "new", work / "old"
    new.mkdir(parents=True)
    old.mkdir()
    try:
        for (
            rel,
            write,
        ) in writes.items():  # everything written in full before the project is touched
            if write.content is None:
                continue
            staged = new / rel
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_bytes(write.content)
            os.chmod(staged, _mode(root / rel, write))
        kept = _keep_backups(backup_dir(root, name), backups)
        fault("staged")
        created_dirs = sorted(
            {
                str(parent.relative_to(root))
                for rel in writes
                for parent in (root / rel).parents
                if parent != root and root in parent.parents and not parent.exists()
            }
        )
        journal = {
            "started": name,
            "writes": [{"path": rel, "existed": (root / rel).exists()} for rel in writes],
            "created_dirs": created_dirs,
        }
        (work / "journal.tmp").write_text(json.dumps(journal), encoding="utf-8")
        with _deferred_signals():
            os.replace(work / "journal.tmp", work / "journal.json")  # from here, undoable
            try:
                for index, (rel, write) in enumerate(writes.items()):
                    if index == 1:
                        fault("applying")
                    _swap(root, rel, write, new, old)
            except BaseException:  # e.g. a full disk: put every original back, then report it
                _roll_back(root, old, journal)
                raise
            (work / "journal.json").unlink()  # the update is in place
        return kept
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _swap(root: Path, rel: str, write: Write, new: Path, old: Path) -> None:
    target = root / rel
    saved = old / rel
    saved.parent.mkdir(parents=True, exist_ok=True)
    if write.content is None:
        if target.exists():
            os.replace(target, saved)
            _remove_empty_parents(root, target.parent)
        return
    if target.exists():
        try:
            os.link(target, saved)
        except OSError:
            shutil.copy2(target, saved)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(new / rel, target)


def _remove_empty_parents(root: Path, folder: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _keep_backups(folder: Path, backups: Mapping[str, bytes]) -> Path | None:
    """Save the project's versions of the files listed in `backups`; prune old backups."""
    if not backups:
        return None
    for rel, content in backups.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    kept = sorted((p for p in folder.parent.iterdir() if p.is_dir()), reverse=True)
    for stale in kept[KEEP_BACKUPS:]:
        shutil.rmtree(stale, ignore_errors=True)
    return folder


def recover(root: Path) -> list[str]:
    """Undo any update a kill cut short in its critical section; returns what was undone.

    Leftover staging folders without a journal (killed before the first rename) are
    simply removed: the project was not touched.
    """
    state = state_dir(root)
    if not state.is_dir():
        return []
    undone = []
    for work in sorted(state.glob("update-*")):
        journal_path = work / "journal.json"
        if journal_path.is_file():
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
            _roll_back(root, work / "old", journal)
            undone.append(str(journal.get("started", work.name)))
        shutil.rmtree(work, ignore_errors=True)
    return undone


def _roll_back(root: Path, old: Path, journal: dict) -> None:
    for entry in journal.get("writes", []):
        rel = entry["path"]
        target, saved = root / rel, old / rel
        if saved.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(saved, target)
        elif not entry.get("existed") and target.exists():
            target.unlink()
    for rel in sorted(journal.get("created_dirs", []), reverse=True):
        with contextlib.suppress(OSError):
            (root / rel).rmdir()


@contextlib.contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """One update of a project at a time (an advisory lock the OS drops if the process dies)."""
    try:
        import fcntl  # pylint: disable=import-outside-toplevel
    except ImportError:  # Windows: no advisory locks here; updates are rarely concurrent
        yield
        return
    state = state_dir(root)
    state.mkdir(parents=True, exist_ok=True)
    with open(state / "update.lock", "w", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UserError(
                f"another mlplate update is running on {root}",
                "wait for it to finish, then run again",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
