"""Merge TOML (pyproject.toml) and YAML files by key rather than by line.

A text merge conflicts when the template bumps a pin on the line next to one the
project added; by key, those are two independent changes. The project's document
is edited in place (tomlkit and ruamel.yaml round-trip), so its comments, key
order and layout stay. Tables and mappings merge key by key; lists merge as sets
of items matched across versions (a requirement by its package name, a
pre-commit hook or repo by `id`/`repo`, a workflow step or job by `name`/`id`,
any other scalar by its value), and an item the template adds goes after the
item it follows in the template. A value both sides changed differently is
Unresolved: the caller then keeps the text merge, with its conflict markers.
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

# A PEP 508 requirement: name, optional extras, then a version, marker or URL.
_REQUIREMENT = re.compile(
    r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"  # name
    r"\s*(?:\[[^\]]*\])?"  # extras
    r"\s*(?:[<>=!~;@(]|$)"  # version, marker, URL or nothing
)


class Unresolved(Exception):
    """Both sides changed the same value differently, or items cannot be matched."""


class _Missing:
    """A key a mapping does not have: unlike a key set to null (YAML `~`), which is a value."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def _key_of(item: Any) -> Any:
    """How a list item is matched across the three versions (None: it cannot be)."""
    if isinstance(item, dict):
        for field in ("id", "repo", "name", "uses"):
            if field in item:
                return (field, str(item[field]))
        return None
    if isinstance(item, str):
        match = _REQUIREMENT.match(item)
        if match:
            return ("requirement", re.sub(r"[-_.]+", "-", match.group(1)).lower())
        return ("value", item)
    if isinstance(item, (int, float, bool)):
        return ("value", item)
    return None


def _keyed(items: list[Any]) -> dict[Any, Any]:
    keyed = {_key_of(item): item for item in items}
    if None in keyed or len(keyed) != len(items):
        raise Unresolved("list items cannot be matched across versions")
    return keyed


def _merge_value(base: Any, ours: Any, theirs: Any) -> Any:
    if theirs in (ours, base):  # MISSING equals nothing else; a null only a null
        return ours
    if ours == base:
        return theirs
    raise Unresolved("both sides changed it")


def _merge_lists(base: Any, ours: Any, theirs: Any, merge: Callable[[Any, Any, Any], Any]) -> Any:
    """Merge `theirs` into the list `ours` in place, item by matched item."""
    if theirs in (ours, base):
        return ours
    old = _keyed(list(base or []))
    mine = _keyed(list(ours))
    new = _keyed(list(theirs))
    for key in list(mine):
        b, o, t = old.get(key), mine[key], new.get(key)
        index = next(i for i, item in enumerate(ours) if item is o)
        if t is None:
            if b is not None and o == b:
                del ours[index]  # removed by the template, untouched by the project
        elif b is None or t != b:
            merged = merge(b, o, t)
            if merged is not o:
                ours[index] = merged
    present = {_key_of(item) for item in ours}
    order = list(new)
    for position, key in enumerate(order):
        if key in present or key in old:
            continue  # kept, or deleted by the project: stays deleted
        before = next((k for k in reversed(order[:position]) if k in present), None)
        at = 0
        if before is not None:
            at = 1 + next(i for i, item in enumerate(ours) if _key_of(item) == before)
        ours.insert(at, new[key])
        present.add(key)
    return ours


def _merge_mappings(
    base: Any, ours: Any, theirs: Any, merge: Callable[[Any, Any, Any], Any]
) -> Any:
    """Merge `theirs` into the mapping `ours` in place, key by key (a null is a value)."""
    base = base if isinstance(base, dict) else {}
    for key in [*theirs.keys(), *(k for k in base.keys() if k not in theirs)]:
        b, o, t = (side.get(key, MISSING) for side in (base, ours, theirs))
        if t is MISSING:
            if o is not MISSING and b is not MISSING and o == b:
                del ours[key]  # removed by the template, untouched by the project
            elif o is not MISSING and b is not MISSING:
                raise Unresolved("the template removed a key the project changed")
        elif o is MISSING:
            if b is MISSING:
                _insert_after(ours, theirs, key, t)  # new in the template
            elif t != b:
                raise Unresolved("the template changed a key the project removed")
            # else: the project deleted it; it stays deleted
        elif b is MISSING or t != b:
            merged = merge(b, o, t)
            if merged is not o:
                ours[key] = merged
    return ours


def _insert_after(ours: Any, theirs: Any, key: Any, value: Any) -> None:
    """Add `key` to `ours` after the key it follows in `theirs` (where the mapping allows)."""
    insert = getattr(ours, "insert", None)
    keys = list(theirs.keys())
    before = next((k for k in reversed(keys[: keys.index(key)]) if k in ours), None)
    if insert is None or before is None or not hasattr(ours, "lc"):
        ours[key] = value
        return
    insert(list(ours.keys()).index(before) + 1, key, value)


def _merge(base: Any, ours: Any, theirs: Any) -> Any:
    """Merge one value of the three documents; containers are merged in place into `ours`."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return _merge_mappings(base, ours, theirs, _merge)
    if isinstance(ours, list) and isinstance(theirs, list):
        return _merge_lists(base if isinstance(base, list) else [], ours, theirs, _merge)
    return _merge_value(base, ours, theirs)


def merge_toml(base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    """The key-by-key merge of a TOML file in the project's layout, or None if undecidable."""
    try:
        docs = [tomlkit.parse(side.decode("utf-8")) for side in (base or b"", ours, theirs)]
        merged = _merge(docs[0], docs[1], docs[2])
        return tomlkit.dumps(merged).encode("utf-8")
    except (Unresolved, TOMLKitError, UnicodeDecodeError, ValueError, TypeError):
        return None


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: keeps comments, key order and quoting
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)  # the "  - item" style of workflows and pre-commit
    # A null written as `null`, not as nothing after the colon (which reads like a slip).
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def merge_yaml(base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    """The key-by-key merge of a YAML file (the project's comments and order kept), or None."""
    yaml = _yaml()
    try:
        docs = [yaml.load(side.decode("utf-8")) for side in (base or b"", ours, theirs)]
        if docs[1] is None or docs[2] is None:
            return None
        merged = _merge(docs[0], docs[1], docs[2])
        out = StringIO()
        yaml.dump(merged, out)
        return out.getvalue().encode("utf-8")
    except (Unresolved, YAMLError, UnicodeDecodeError, ValueError, TypeError):
        return None


# A comment: a `#` starting the line or following a blank (inside a string it rarely does).
_COMMENT = re.compile(r"(?:^|\s)(#.*)$")


def _comments(text: bytes) -> list[str]:
    found = []
    for line in text.decode("utf-8", errors="replace").splitlines():
        match = _COMMENT.search(line)
        if match:
            found.append(match.group(1).strip())
    return found


def keeps_comments(base: bytes, sides: tuple[bytes, ...], merged: bytes) -> bool:
    """True when every comment a side added is in the by-key merge: values are merged as
    data, and a comment the template added next to a value the project also changed has no
    place there; such a merge must fall back to the text merge rather than drop it."""
    have = _comments(merged)
    known = _comments(base)
    for side in sides:
        added = list(_comments(side))
        for comment in known:
            if comment in added:
                added.remove(comment)
        if any(comment not in have for comment in added):
            return False
    return True


def is_valid(path: str, content: bytes) -> bool:
    """True when `content` parses as the TOML or YAML its path says (duplicate keys fail)."""
    try:
        text = content.decode("utf-8")
        if path.endswith(".toml"):
            tomlkit.parse(text)
        else:
            list(_yaml().load_all(text))
    except (TOMLKitError, YAMLError, UnicodeDecodeError, ValueError):
        return False
    return True


def merger(path: str) -> Callable[[bytes, bytes, bytes], bytes | None] | None:
    """The by-key merge for `path`, or None for files merged as text only."""
    if path.endswith(".toml"):
        return merge_toml
    if path.endswith((".yaml", ".yml")):
        return merge_yaml
    return None
