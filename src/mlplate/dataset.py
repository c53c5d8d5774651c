"""The user's own data set for `mlplate new`: checked, copied into the project, contracted.

Cheap checks (the file exists, is CSV or Parquet, its header reads with the separator
and encoding given or sniffed, no column name is empty or repeated, the target is a
column) run before anything is rendered. The data contract itself is inferred by the
generated project's own `python -m <package>.data.contract`, so mlplate and `make contract`
can never disagree on it; its `error:`/`hint:` lines are relayed as they are.
"""

from __future__ import annotations

import codecs
import csv
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from mlplate import _proc, answers_file
from mlplate.errors import EXIT_ERROR, UserError

RAW_DIR = "data/raw"
SUFFIXES = (".csv", ".parquet")
_PARQUET_MAGIC = b"PAR1"
SEPARATORS = ",;\t|"
_SEP_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_SAMPLE = 65_536


@dataclass(frozen=True)
class DataSet:
    """A data file on the user's machine and the column to predict."""

    source: Path
    target: str
    task: str  # "infer", "classification" or "regression"
    sep: str = ""  # a CSV's separator and encoding as given; blank: the project sniffs them
    encoding: str = ""

    @property
    def in_project(self) -> str:
        """Where the file lives in the project: what the answers file records."""
        return f"{RAW_DIR}/{self.source.name}"


def is_in_project(answer: str) -> bool:
    """True when `answer` is already a project path (a replayed answers file), not a local file."""
    return answer.startswith(f"{RAW_DIR}/") and "/" not in answer[len(RAW_DIR) + 1 :]


def check(  # pylint: disable=too-many-arguments
    path: str, target: str, task: str = "infer", *, sep: str = "", encoding: str = ""
) -> DataSet:
    """The data set at `path` (relative to the current directory), or a UserError saying why not."""
    source = Path(path).expanduser()
    if not source.is_absolute():
        source = Path.cwd() / source
    if not source.exists():
        raise UserError(
            f"data set {path} does not exist",
            "pass --data dataset=PATH with the path of a CSV or Parquet file",
        )
    if not source.is_file():
        raise UserError(f"data set {path} is not a file", "pass the path of a CSV or Parquet file")
    if source.suffix.lower() not in SUFFIXES:
        raise UserError(
            f"data set {path} is neither .csv nor .parquet",
            "save it as CSV or Parquet (pandas: to_csv / to_parquet) and pass that file",
        )
    if not target.strip():
        raise UserError(
            f"no target column given for data set {path}",
            "name the column to predict: --data target=COLUMN",
        )
    if task not in ("infer", "classification", "regression"):
        raise UserError(
            f"invalid value for 'task': '{task}'",
            "pass --data task=classification or --data task=regression (or leave it out)",
        )
    sep = _SEP_NAMES.get(sep.lower(), sep) if sep else ""
    _check_options(sep, encoding)
    columns = _columns(source, path, sep=sep, encoding=encoding)
    if columns is not None:
        _check_header(columns, path)
    if columns is not None and target not in columns:
        shown = ", ".join(columns[:12]) + (
            f" (+{len(columns) - 12} more)" if len(columns) > 12 else ""
        )
        raise UserError(
            f"data set {path} has no column '{target}' (its columns: {shown})",
            "pass one of its columns: --data target=COLUMN",
        )
    return DataSet(source=source.resolve(), target=target, task=task, sep=sep, encoding=encoding)


def _check_options(sep: str, encoding: str) -> None:
    if sep and (len(sep) != 1 or sep in "\"'\r\n"):
        raise UserError(
            f"unusable separator {sep!r}",
            "give one character: --data sep=';' (or sep=tab, sep=comma, sep=pipe)",
        )
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UserError(
                f"unknown encoding {encoding!r}",
                "give one Python knows, e.g. --data encoding=cp1252 (or utf-8, latin-1)",
            ) from None


def _check_header(columns: list[str], shown: str) -> None:
    """Any name is a column name, except an empty or a repeated one."""
    empty = [f"column {i + 1}" for i, name in enumerate(columns) if not str(name).strip()]
    counts = Counter(str(name).strip() for name in columns if str(name).strip())
    repeated = [repr(name) for name, count in counts.items() if count > 1]
    if empty:
        raise UserError(
            f"data set {shown} has {len(empty)} column(s) without a name: {', '.join(empty[:8])}",
            "give every column a name in the file's first line (a saved index: "
            "to_csv(index=False))",
        )
    if repeated:
        raise UserError(
            f"data set {shown} names column(s) {', '.join(repeated[:8])} more than once",
            "give each column its own name in the file's first line",
        )


def _sniff(sample: bytes, sep: str, encoding: str) -> tuple[str, str]:
    """The separator and encoding of a CSV sample: as given, else found (as the project does)."""
    if not encoding:
        if sample.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        else:
            try:
                codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "cp1252"
    text = sample.decode(encoding, errors="replace").lstrip("\ufeff")
    if not sep:
        lines = text.splitlines()
        try:
            sep = csv.Sniffer().sniff("\n".join(lines[:-1] or lines), SEPARATORS).delimiter
        except csv.Error:
            first = lines[0] if lines else ""
            sep = max(SEPARATORS, key=first.count) if any(c in first for c in SEPARATORS) else ","
    return sep, encoding


def _columns(source: Path, shown: str, *, sep: str, encoding: str) -> list[str] | None:
    """The header of the file, or None when it cannot be read without the project's libraries."""
    unreadable = UserError(
        f"data set {shown} cannot be read as {source.suffix.lower().lstrip('.')}",
        "check that the file is complete and not another format renamed",
    )
    try:
        if source.suffix.lower() == ".parquet":
            return _parquet_columns(source, unreadable)
        with source.open("rb") as raw:
            sample = raw.read(_SAMPLE)
        if b"\x00" in sample:
            raise unreadable  # binary, or UTF-16: not a CSV pandas reads as text
        sep, encoding = _sniff(sample, sep, encoding)
        with source.open(encoding=encoding, newline="") as handle:
            header = next(csv.reader(handle, delimiter=sep), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        raise UserError(
            f"data set {shown} cannot be read as csv with encoding {encoding or 'utf-8'}",
            "give its encoding: --data encoding=cp1252 (or latin-1, utf-8)",
        ) from None
    if not header or not any(name.strip() for name in header):
        raise UserError(
            f"data set {shown} is empty: it has no header row",
            "give a CSV whose first line names the columns",
        )
    return header


def _parquet_columns(source: Path, unreadable: UserError) -> list[str] | None:
    with source.open("rb") as handle:
        head = handle.read(4)
        handle.seek(0, os.SEEK_END)
        if handle.tell() < 12:
            raise unreadable
        handle.seek(-4, os.SEEK_END)
        tail = handle.read(4)
    if head != _PARQUET_MAGIC or tail != _PARQUET_MAGIC:
        raise unreadable
    try:
        # Only with a data set, and only if installed: the project's contract reads it anyway.
        import pyarrow.parquet  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    try:
        return list(pyarrow.parquet.read_schema(source).names)
    except Exception:  # pylint: disable=broad-exception-caught  # pyarrow's errors vary by version
        raise unreadable from None


def install(data_set: DataSet, project: Path, package: str) -> None:
    """Copy the data set into `project` and write its contract with the project's own code."""
    dest = project / data_set.in_project
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_set.source, dest)
    args = ["--data", data_set.in_project, "--target", data_set.target]
    if data_set.task != "infer":
        args += ["--task", data_set.task]
    if data_set.sep:
        args += ["--sep", data_set.sep]
    if data_set.encoding:
        args += ["--encoding", data_set.encoding]
    _run_contract(project, package, args)


def _run_contract(project: Path, package: str, args: list[str]) -> None:
    """`uv run python -m <package>.data.contract ...` in an environment outside the project.

    The environment is thrown away: a virtualenv does not survive being moved into
    place, and `make install` makes the project's own.
    """
    uv = _proc.require("uv", why="run the project's contract inference")
    had_lock = (project / "uv.lock").is_file()
    with tempfile.TemporaryDirectory(prefix="mlplate-contract-env-") as venv:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("VIRTUAL_ENV", f"{package.upper()}_"))
        }
        env["UV_PROJECT_ENVIRONMENT"] = venv
        env.setdefault("UV_PYTHON_DOWNLOADS", "never")
        # Compiling every installed module's bytecode (the project's uv setting) would cost
        # more than the inference itself in an environment used once.
        command = [uv, "run", "--quiet", "--no-dev", "--no-compile-bytecode"]
        command += ["--frozen"] if had_lock else []
        command += ["python", "-m", f"{package}.data.contract", *args]
        done = _proc.run(command, cwd=project, env=env, check=False)
    if not had_lock:
        (project / "uv.lock").unlink(missing_ok=True)
    if done.returncode == 0:
        return
    relayed = _error_and_hint(done.stderr)
    if done.returncode == EXIT_ERROR and relayed is not None:
        raise UserError(*relayed)
    last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
    raise UserError(
        f"inferring the data contract failed: {last}",
        f"run `uv run python -m {package}.data.contract {' '.join(args)}` in the project to see why",
    )


def _error_and_hint(stderr: str) -> tuple[str, str] | None:
    """The project's own `error:` and `hint:` lines, without their prefixes."""
    error = hint = None
    for line in stderr.splitlines():
        stripped = line.strip()
        if stripped.startswith("error:") and error is None:
            error = stripped[len("error:") :].strip()
        elif stripped.startswith("hint:") and hint is None:
            hint = stripped[len("hint:") :].strip()
    if error is None:
        return None
    return error, hint or "fix the data set, then run mlplate new again"


def record(answers_path: Path, data_set: DataSet) -> None:
    """Record the data set by its place in the project as the `dataset` answer (a prompt
    took the user's own path, which only this machine has)."""
    text = answers_path.read_text(encoding="utf-8")
    answers_path.write_text(
        answers_file.with_answer(text, "dataset", data_set.in_project), encoding="utf-8"
    )
