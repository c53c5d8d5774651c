"""Merge pyproject.toml by key rather than by line, keeping the project's formatting.

A text merge conflicts when the template bumps a pin on the line next to one the
project added; by key, those are two independent changes. Dependency arrays are
merged as sets of requirements keyed by package name. Anything both sides changed
differently is left to the text merge, which then marks the conflict inline.
"""

from __future__ import annotations

import re
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class Unresolved(Exception):
    """Both sides changed the same value differently."""


def _name(requirement: Any) -> str | None:
    match = _NAME.match(str(requirement))
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def _merge_requirements(base: list, ours: list, theirs: list) -> list:
    keyed = [{_name(r): str(r) for r in side} for side in (base, ours, theirs)]
    if any(None in side or len(side) != len(raw) for side, raw in zip(keyed, (base, ours, theirs))):
        raise Unresolved("not a list of distinct requirements")
    old, mine, new = keyed
    merged = dict(mine)
    for name in set(old) | set(new):
        merged_value = _merge_value(old.get(name), mine.get(name), new.get(name))
        if merged_value is None:
            merged.pop(name, None)
        else:
            merged[name] = merged_value
    return list(merged.values())


def _merge_value(base: Any, ours: Any, theirs: Any) -> Any:
    if theirs in (ours, base):
        return ours
    if ours == base:
        return theirs
    raise Unresolved("both sides changed it")


def _merge_tables(base: Any, ours: Any, theirs: Any) -> Any:
    base = base if isinstance(base, dict) else {}
    for key in list(theirs.keys()) + [k for k in base.keys() if k not in theirs]:
        b, o, t = base.get(key), ours.get(key), theirs.get(key)
        if t is None and o is not None and o == b:
            del ours[key]  # removed by the template, untouched by the project
        elif t is not None and o is None and b is None:
            ours[key] = t
        elif t is not None and o is not None:
            merged = _merge(b, o, t)
            if merged is not o:
                ours[key] = merged
    return ours


def _merge_arrays(base: Any, ours: Any, theirs: Any) -> Any:
    if theirs in (ours, base):
        return ours
    merged = _merge_requirements(list(base or []), list(ours), list(theirs))
    by_name = {_name(r): r for r in merged}
    for index in reversed(range(len(ours))):  # edit the project's array in place: keeps its layout
        name = _name(ours[index])
        if name not in by_name:
            del ours[index]
        elif by_name[name] != str(ours[index]):
            ours[index] = by_name[name]
    present = {_name(r) for r in ours}
    ours.extend(r for r in merged if _name(r) not in present)
    return ours


def _merge(base: Any, ours: Any, theirs: Any) -> Any:
    """Merge `theirs` into `ours` (a tomlkit container, edited in place where possible)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return _merge_tables(base, ours, theirs)
    if (
        isinstance(ours, list)
        and isinstance(theirs, list)
        and all(isinstance(x, str) for x in ours + theirs)
    ):
        return _merge_arrays(base, ours, theirs)
    return _merge_value(base, ours, theirs)


def merge_toml(base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    """The key-by-key merge, or None when it cannot decide (the caller falls back to text)."""
    try:
        docs = [tomlkit.parse(side.decode("utf-8")) for side in (base, ours, theirs)]
        merged = _merge(docs[0], docs[1], docs[2])
        return tomlkit.dumps(merged).encode("utf-8")
    except (Unresolved, TOMLKitError, UnicodeDecodeError, ValueError):
        return None
