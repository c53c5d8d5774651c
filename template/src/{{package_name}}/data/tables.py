"""Reading a data file as it comes: CSV (any common separator and encoding) or Parquet.

A CSV's separator (comma, semicolon, tab or pipe) and encoding (UTF-8, UTF-8 with a
byte-order mark, else Windows-1252 / Latin-1) are found from the first 64 KiB, with the
standard library's `csv.Sniffer`; pandas' fast reader then reads the whole file with
them. The contract records what was found for the file it was inferred from
(`metadata.csv` in configs/schema.yaml); an option given there (or to
`make contract SEP=... ENCODING=...`) is used instead of sniffing.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

SEPARATORS = (",", ";", "\t", "|")
_SAMPLE = 65_536  # bytes sniffed: enough lines for csv.Sniffer, cheap on any file


class TableError(ValueError):
    """A file that cannot be read as a table; `hint` says what to do instead."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def sniff_encoding(sample: bytes) -> str:
    """The encoding of a CSV sample: utf-8-sig (a byte-order mark), utf-8, else cp1252.

    Windows-1252 leaves five bytes undefined; a file holding one is Latin-1.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A sample may end inside a multi-byte character: an incremental decoder allows it.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def sniff_separator(text: str) -> str:
    """The separator of CSV `text`: csv.Sniffer's, else the candidate most common in the header."""
    lines = text.splitlines()
    complete = "\n".join(lines[:-1] if len(lines) > 2 else lines)
    try:
        return csv.Sniffer().sniff(complete, delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        counts = Counter({sep: lines[0].count(sep) for sep in SEPARATORS} if lines else {})
        best, seen = counts.most_common(1)[0] if counts else (",", 0)
        return best if seen else ","


def csv_options(path: Path, given: Mapping[str, str] | None = None) -> dict[str, str]:
    """The separator and encoding of the CSV at `path`: those `given`, the others sniffed."""
    options = {key: value for key, value in (given or {}).items() if value}
    _check_given(options)
    if "sep" in options and "encoding" in options:
        return options
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE)
    encoding = options.get("encoding") or sniff_encoding(sample)
    if "sep" not in options:
        text = sample.decode(encoding, errors="replace")
        options["sep"] = sniff_separator(text.lstrip("\ufeff"))
    return {"sep": options["sep"], "encoding": encoding}


def _check_given(options: Mapping[str, str]) -> None:
    sep = options.get("sep")
    if sep is not None and (len(sep) != 1 or sep in "\"'\r\n"):
        raise TableError(
            f"unusable separator {sep!r}",
            "give one character: sep=',' sep=';' sep='|' or sep=tab (a tab)",
        )
    encoding = options.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise TableError(
                f"unknown encoding {encoding!r}",
                "give one Python knows, e.g. utf-8, utf-8-sig, cp1252 or latin-1",
            ) from None


def normalise(options: Mapping[str, str] | None) -> dict[str, str]:
    """Options as a user types them (`sep=tab`, `sep=semicolon`) in the form pandas takes."""
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    result = {key: value for key, value in (options or {}).items() if value}
    if "sep" in result:
        result["sep"] = named.get(result["sep"].lower(), result["sep"])
    return result


def read_table(
    path: Path, options: Mapping[str, str] | None = None, *, nrows: int | None = None
) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame, or TableError saying why not and what to try."""
    if not path.is_file():
        raise TableError(f"{path} does not exist", "give the path of a CSV or Parquet file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except (ValueError, OSError, ImportError) as error:
            raise TableError(
                f"{path} is not a readable parquet file: {_first(error)}",
                "check that the file is complete and not another format renamed",
            ) from None
        return frame if nrows is None else frame.head(nrows)
    if suffix != ".csv":
        raise TableError(
            f"{path} is neither .csv nor .parquet", "save the data as CSV or Parquet first"
        )
    found = csv_options(path, normalise(options))
    try:
        return pd.read_csv(path, sep=found["sep"], encoding=found["encoding"], nrows=nrows)
    except UnicodeDecodeError:
        raise TableError(
            f"{path} is not text in the {found['encoding']} encoding",
            "give its encoding: --data encoding=... (or metadata.csv.encoding in the contract)",
        ) from None
    except (ValueError, OSError, csv.Error) as error:
        shown = "tab" if found["sep"] == "\t" else repr(found["sep"])
        raise TableError(
            f"{path} is not a readable csv file with separator {shown}: {_first(error)}",
            "a CSV needs a header row and the same separator on every line; give the "
            "separator if it is another one: --data sep=...",
        ) from None


def _first(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def header_problems(names: list[str]) -> tuple[list[str], list[str]]:
    """The header's empty names (by position) and its duplicated names."""
    empty = [f"column {i + 1}" for i, name in enumerate(names) if not str(name).strip()]
    counts = Counter(str(name).strip() for name in names if str(name).strip())
    duplicated = [name for name, count in counts.items() if count > 1]
    return empty, duplicated


def listed(names: Iterable[object], *, most: int = 5, quote: bool = True) -> str:
    """The first `most` names, comma-separated, then how many were left out.

    An error about a file with hundreds of columns (or a window with hundreds of new
    categories) names a few and says how many more, instead of all of them or a silent cut.
    """
    shown = [repr(str(name)) if quote else str(name) for name in names]
    more = f" (+{len(shown) - most} more)" if len(shown) > most else ""
    return ", ".join(shown[:most]) + more


def csv_header(path: Path, options: Mapping[str, str] | None = None) -> list[str]:
    """The names in the first line of the CSV at `path`, exactly as written."""
    found = csv_options(path, normalise(options))
    with path.open(encoding=found["encoding"], newline="") as handle:
        return next(csv.reader(handle, delimiter=found["sep"]), [])
