"""Merge pyproject.toml and YAML files by key rather than by line, keeping the project's formatting.

A text merge conflicts when the template bumps a pin on the line next to one the
project added; by key, those are two independent changes. Dependency arrays are
merged as sets of requirements keyed by package name. Anything both sides changed
differently is left to the text merge, which then marks the conflict inline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import tomlkit
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
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


def _merge_tables(base: Any, ours: Any, theirs: Any, merge: Callable[[Any, Any, Any], Any]) -> Any:
    """Merge two mappings key by key into `ours`; `merge` decides values both sides hold."""
    base = base if isinstance(base, dict) else {}
    for key in list(theirs.keys()) + [k for k in base.keys() if k not in theirs]:
        b, o, t = base.get(key), ours.get(key), theirs.get(key)
        if t is None and o is not None and o == b:
            del ours[key]  # removed by the template, untouched by the project
        elif t is not None and o is None and b is None:
            ours[key] = t
        elif t is not None and o is not None:
            merged = merge(b, o, t)
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
        return _merge_tables(base, ours, theirs, _merge)
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


def _key_of(item: Any) -> Any:
    """How a list item is matched across versions: a hook's `id`, a step's `name`, a requirement."""
    if isinstance(item, dict):
        for field in ("id", "name", "repo"):
            if field in item:
                return (field, str(item[field]))
        return None
    if isinstance(item, str):
        return _name(item)
    return None


def _merge_yaml_lists(base: Any, ours: Any, theirs: Any) -> Any:
    if theirs in (ours, base):
        return ours
    if ours == base:
        return theirs
    sides = [list(side or []) for side in (base, ours, theirs)]
    keyed = [{_key_of(item): item for item in side} for side in sides]
    if any(None in k or len(k) != len(side) for k, side in zip(keyed, sides)):
        raise Unresolved("list items cannot be matched across versions")
    old, mine, new = keyed
    for key in set(old) | set(new):
        b, o, t = old.get(key), mine.get(key), new.get(key)
        if o is None and b is None and t is not None:
            ours.append(t)
        elif t is None and o is not None and o == b:
            ours.remove(o)
        elif o is not None and t is not None:
            merged = _merge_yaml(b, o, t)
            if merged is not o:
                ours[ours.index(o)] = merged
    return ours


def _merge_yaml(base: Any, ours: Any, theirs: Any) -> Any:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return _merge_tables(base, ours, theirs, _merge_yaml)
    if isinstance(ours, list) and isinstance(theirs, list):
        return _merge_yaml_lists(base, ours, theirs)
    return _merge_value(base, ours, theirs)


def merge_yaml(base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    """The key-by-key merge of a YAML file (comments and order of the project's kept), or None."""
    yaml = YAML()  # round-trip: keeps comments, key order and quoting
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)  # the "  - item" style of workflows and pre-commit
    try:
        docs = [yaml.load(side.decode("utf-8")) for side in (base, ours, theirs)]
        merged = _merge_yaml(docs[0], docs[1], docs[2])
        out = StringIO()
        yaml.dump(merged, out)
        return out.getvalue().encode("utf-8")
    except (Unresolved, YAMLError, UnicodeDecodeError, ValueError, TypeError):
        return None
