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
import hashlib
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
from mlplate.errors import MlplateError, UserError

STATE_DIR = "mlplate"  # under the project's git directory
KEEP_BACKUPS = 10
_FAULT = "MLPLATE_UPDATE_FAULT"  # tests: `stage` kills the process at that stage (see fault())


@dataclass(frozen=True)
class Write:
    """One file to write (`content`), symlink to make (`link`), or path to delete (neither)."""

    content: bytes | None
    executable: bool | None = None  # None: keep the current mode (new files: not executable)
    link: str | None = None  # the target of a symlink to write

    @property
    def deletes(self) -> bool:
        """True when the path is removed."""
        return self.content is None and self.link is None


class ChangedMeanwhile(UserError):
    """A file the update is about to write is no longer what the update was planned on."""

    def __init__(self, *, path: str) -> None:
        super().__init__(
            f"{path} changed while the update ran; nothing was changed",
            "save your work, commit it, then run mlplate update again",
        )
        self.path = path


def fingerprint(path: Path) -> str | None:
    """What is at `path` now: None (nothing), a symlink's target, or a file's hash and mode."""
    if path.is_symlink():
        return "link:" + os.readlink(path)
    if not path.exists():
        return None
    if path.is_dir():
        return "dir"
    executable = "x" if path.stat().st_mode & 0o111 else "-"
    return f"{executable}:{hashlib.sha256(path.read_bytes()).hexdigest()}"


def fingerprint_of(content: bytes | None, *, executable: bool = False, link: str | None = None):
    """The fingerprint() a file with this content, mode or link target has."""
    if link is not None:
        return "link:" + link
    if content is None:
        return None
    return f"{'x' if executable else '-'}:{hashlib.sha256(content).hexdigest()}"


def state_dir(root: Path) -> Path:
    """Where mlplate keeps update state for the project: inside its git directory (a project
    in a subfolder of a larger repository has its own folder there)."""
    under = (gitrepo.prefix(root) or "").strip("/")
    state = gitrepo.git_dir(root) / STATE_DIR
    return state / "projects" / under.replace("/", "%") if under else state


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
        if path.exists() and not path.is_symlink():
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
    root: Path,
    writes: Mapping[str, Write],
    *,
    name: str,
    backups: Mapping[str, bytes],
    expected: Mapping[str, str | None],
) -> Path | None:
    """Apply `writes` to the project at `root`; returns the backup folder if one was kept.

    `expected` is each path's fingerprint when the update read it: a path that no longer
    matches (the user saved it meanwhile) stops the update with the tree untouched, checked
    for all paths before the first rename and again for each one right before its own.
    """
    work = state_dir(root) / f"update-{name}-{os.getpid()}"
    new, old = work / "new", work / "old"
    new.mkdir(parents=True)
    old.mkdir()
    try:
        for (
            rel,
            write,
        ) in writes.items():  # everything written in full before the project is touched
            if write.deletes:
                continue
            staged = new / rel
            staged.parent.mkdir(parents=True, exist_ok=True)
            if write.link is not None:
                os.symlink(write.link, staged)
                continue
            staged.write_bytes(write.content or b"")
            os.chmod(staged, _mode(root / rel, write))
        kept = _keep_backups(backup_dir(root, name), backups)
        fault("staged")
        for rel in writes:
            _recheck(root, rel, expected)
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
            "writes": [
                {
                    "path": rel,
                    "existed": os.path.lexists(root / rel),
                    "old": expected.get(rel, fingerprint(root / rel)),
                    "new": None if write.deletes else fingerprint(new / rel),
                }
                for rel, write in writes.items()
            ],
            "created_dirs": created_dirs,
        }
        (work / "journal.tmp").write_text(json.dumps(journal), encoding="utf-8")
        with _deferred_signals():
            os.replace(work / "journal.tmp", work / "journal.json")  # from here, undoable
            try:
                for index, (rel, write) in enumerate(writes.items()):
                    if index == 1:
                        fault("applying")
                    _recheck(root, rel, expected)
                    _swap(root, rel, write, new, old)
            except BaseException:  # e.g. a full disk: put every original back, then report it
                _roll_back(root, old, journal)
                raise
            (work / "journal.json").unlink()  # the update is in place
        return kept
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _recheck(root: Path, rel: str, expected: Mapping[str, str | None]) -> None:
    """Stop when `rel` is not what the update was planned on (saved by the user meanwhile)."""
    if rel in expected and fingerprint(root / rel) != expected[rel]:
        raise ChangedMeanwhile(path=rel)


def _swap(root: Path, rel: str, write: Write, new: Path, old: Path) -> None:
    target = root / rel
    saved = old / rel
    saved.parent.mkdir(parents=True, exist_ok=True)
    if write.deletes:
        if os.path.lexists(target):
            os.replace(target, saved)
            _remove_empty_parents(root, target.parent)
        return
    if os.path.lexists(target):
        try:
            os.link(target, saved, follow_symlinks=False)
        except OSError:
            shutil.copy2(target, saved, follow_symlinks=False)
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

    Only what the update wrote is put back: a file that is neither what the update wrote
    nor what was there before changed since (the user's edit after the kill), and then
    nothing is rolled back and the error names it. Leftover staging folders without a
    journal (killed before the first rename) are simply removed: the project was not
    touched.
    """
    state = state_dir(root)
    if not state.is_dir():
        return []
    undone = []
    for work in sorted(state.glob("update-*")):
        journal_path = work / "journal.json"
        if journal_path.is_file():
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
            for entry in journal.get("writes", []):
                now = fingerprint(root / entry["path"])
                if "new" in entry and now not in (entry["new"], entry["old"]):
                    raise UserError(
                        f"an interrupted update ({journal.get('started', work.name)}) cannot be "
                        f"rolled back: {entry['path']} changed since it was written",
                        f"keep your change of {entry['path']} elsewhere, `git restore` it, then "
                        "run mlplate update again (it rolls back the interrupted one first)",
                    )
            _roll_back(root, work / "old", journal)
            undone.append(str(journal.get("started", work.name)))
        shutil.rmtree(work, ignore_errors=True)
    return undone


def record_conflicts(root: Path, paths: list[str]) -> None:
    """Remember the files this update left conflict markers in, for `mlplate check` (MP104):
    a git-ignored one is in no `git ls-files` or `git status`."""
    path = state_dir(root) / "conflicts.json"
    if paths:
        path.write_text(json.dumps(sorted(paths)), encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def recorded_conflicts(root: Path) -> list[str]:
    """The files the last update left conflict markers in (those still there)."""
    try:
        path = state_dir(root) / "conflicts.json"
        listed = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    except (OSError, ValueError, MlplateError):
        return []
    return [rel for rel in listed if isinstance(rel, str) and (root / rel).is_file()]


def pending(root: Path) -> bool:
    """True when an interrupted update waits to be rolled back."""
    state = state_dir(root)
    return state.is_dir() and any(state.glob("update-*/journal.json"))


def _roll_back(root: Path, old: Path, journal: dict) -> None:
    for entry in journal.get("writes", []):
        rel = entry["path"]
        target, saved = root / rel, old / rel
        if "new" in entry and fingerprint(target) != entry["new"]:
            continue  # never replaced (killed before its turn): left as it is
        if os.path.lexists(saved):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(saved, target)
        elif not entry.get("existed") and os.path.lexists(target):
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
