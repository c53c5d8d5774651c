"""Property-based fuzz of `mlplate update` (hypothesis).

Each example builds a template as a local git repository (v1.0.0, then v2.0.0 with
random edits, additions, deletions and renames of text, YAML, TOML and binary
files), generates a project from v1.0.0, makes random project edits, commits
them, and updates to v2.0.0. Every line either side writes is a unique token
(`t7`, `p3`), so where each change went can be checked exactly:

- every line the project or the template added is in the result (a conflict
  block holds both sides, so a line inside one counts);
- a line either side removed is gone from the parts of the file outside
  conflict blocks;
- a file either side added or deleted is there or gone accordingly;
- the exit code is 1 exactly when the report names conflicts, and it names
  exactly the files holding conflict markers (plus merged YAML/TOML that no
  longer parses, which it says);
- nothing outside the project changes (the template repository included);
- running the update again, once the result is committed, changes nothing.

Some outcomes keep the project's side exactly, and are checked as such. Two are
mlplate's documented choices, listed under "skipped" with their reason: a file
the project deleted stays deleted when the template changes it, and a file the
template deleted stays when the project changed it. Where nothing can be written
(a binary file both sides changed, a file the project made a symlink and the
template changed, a symlink both sides changed) the path is a conflict without
markers: listed under "conflicted" (exit 1), saying no markers were written.

Symlinks (template and project), YAML keys set to null and comment lines in YAML
and TOML are drawn too; each can be switched off (`MLPLATE_FUZZ_SYMLINKS=0`,
`MLPLATE_FUZZ_YAML_NULLS=0`, `MLPLATE_FUZZ_COMMENTS=0`) to narrow a failure down.
CI runs MLPLATE_FUZZ_EXAMPLES (default 25) examples; a release run sets it
higher (docs/update.md).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mlplate.new import new
from mlplate.update import update
from tests.conftest import TemplateRepo, git

EXAMPLES = int(os.environ.get("MLPLATE_FUZZ_EXAMPLES", "25"))

# Dimensions, all on; "0" switches one off to narrow a failure down.
SYMLINKS = os.environ.get("MLPLATE_FUZZ_SYMLINKS", "1") == "1"  # template and project links
YAML_NULLS = os.environ.get("MLPLATE_FUZZ_YAML_NULLS", "1") == "1"  # `key: null` lines
COMMENTS = os.environ.get("MLPLATE_FUZZ_COMMENTS", "1") == "1"  # comment lines in YAML/TOML

KINDS = ("text", "yaml", "toml", "binary")
SUFFIX = {"text": "txt", "yaml": "yaml", "toml": "toml", "binary": "bin"}
COPIER_YML = "_subdirectory: template\n_preserve_symlinks: true\nproject_name:\n  default: demo\n"
ANSWERS_JINJA = "{{ _copier_answers|to_nice_yaml -}}\n"
MARKERS = re.compile(r"^<{7} .*?^>{7} [^\n]*\n?", re.S | re.M)


@dataclass
class Doc:
    """One file: lines of tokens (text, YAML, TOML), or bytes, or a symlink target."""

    kind: str
    lines: list[str] = field(default_factory=list)
    data: bytes = b""
    link: str = ""

    def line_for(self, token: str, *, null: bool = False, comment: bool = False) -> str:
        """A new line carrying `token`, in this file's syntax."""
        if comment and self.kind in ("yaml", "toml"):
            return f"# {token}"
        if self.kind == "yaml":
            return f"{token}: null" if null else f"{token}: {token}v"
        if self.kind == "toml":
            return f'{token} = "{token}v"'
        return token

    def content(self) -> bytes:
        """The file's bytes."""
        if self.kind == "binary":
            return b"\0BIN" + self.data
        body = "".join(line + "\n" for line in self.lines)
        return ("[tool]\n" + body if self.kind == "toml" else body).encode()

    def copy(self) -> Doc:
        """An independent copy."""
        return Doc(self.kind, list(self.lines), self.data, self.link)


Tree = dict[str, Doc]


@st.composite
def _edited(draw: st.DrawFn, doc: Doc, tokens: itertools.count, side: str) -> Doc:
    """`doc` with random line replacements, insertions and deletions by `side`."""
    doc = doc.copy()
    if doc.link:
        return doc
    if doc.kind == "binary":
        doc.data = f"{side}{next(tokens)}".encode()
        return doc
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["replace", "insert", "delete"] if doc.lines else ["insert"]))
        at = draw(st.integers(0, max(len(doc.lines) - (op != "insert"), 0)))
        null = YAML_NULLS and draw(st.booleans())
        comment = COMMENTS and draw(st.integers(0, 2)) == 0
        line = doc.line_for(f"{side}{next(tokens)}", null=null, comment=comment)
        if op == "insert":
            doc.lines.insert(at, line)
        elif op == "replace":
            doc.lines[at] = line
        elif len(doc.lines) > 1 or doc.kind != "toml":
            del doc.lines[at]
    return doc


@st.composite
def _new_doc(draw: st.DrawFn, tokens: itertools.count, side: str) -> Doc:
    kind = draw(st.sampled_from(KINDS))
    doc = Doc(kind)
    if kind == "binary":
        doc.data = f"{side}{next(tokens)}".encode()
    else:
        doc.lines = [
            doc.line_for(f"{side}{next(tokens)}", null=YAML_NULLS and draw(st.integers(0, 3)) == 0)
            for _ in range(draw(st.integers(1, 6)))
        ]
    return doc


@dataclass
class Scenario:
    """Template v1 and v2, and the project's edits (None: the project deleted the path)."""

    v1: Tree
    v2: Tree
    edits: dict[str, Doc | None]
    renames: dict[str, str] = field(default_factory=dict)  # template moves: old → new


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Template v1, the template's changes for v2, and the project's edits."""
    tokens = itertools.count()
    v1: Tree = {}
    for i in range(draw(st.integers(1, 5))):
        doc = draw(_new_doc(tokens, "b"))
        folder = draw(st.sampled_from(["", "docs/", "conf/"]))
        v1[f"{folder}f{i}.{SUFFIX[doc.kind]}"] = doc
    if SYMLINKS and draw(st.booleans()):
        v1["link"] = Doc("link", link=sorted(v1)[0])
    v2, renames = draw(_template_v2(v1, tokens))
    return Scenario(v1, v2, draw(_project_edits(v1, v2, tokens)), renames)


@st.composite
def _template_v2(draw: st.DrawFn, v1: Tree, tokens: itertools.count) -> tuple[Tree, dict]:
    v2: Tree = {}
    renames: dict[str, str] = {}
    fates = ["keep", "edit", "edit", "delete", "rename"] + (["symlink"] if SYMLINKS else [])
    for path, doc in v1.items():
        fate = draw(st.sampled_from(fates))
        others = sorted(p for p in v1 if p != path)
        if fate == "keep":
            v2[path] = doc.copy()
        elif (fate == "symlink" or fate == "edit" and doc.link) and others:
            target = os.path.relpath(draw(st.sampled_from(others)), os.path.dirname(path) or ".")
            v2[path] = Doc("link", link=target)  # a file made a link, or a link retargeted
        elif fate == "edit":
            v2[path] = draw(_edited(doc, tokens, "t"))
        elif fate == "rename" and not doc.link:
            renames[path] = f"moved/{path.rsplit('/', 1)[-1]}"
            v2[renames[path]] = doc.copy()
    for i in range(draw(st.integers(0, 2))):
        v2[f"new{i}.txt"] = draw(_new_doc(tokens, "t")) if i else Doc("text", ["t-added"])
    return v2, renames


@st.composite
def _project_edits(
    draw: st.DrawFn, v1: Tree, v2: Tree, tokens: itertools.count
) -> dict[str, Doc | None]:
    edits: dict[str, Doc | None] = {}
    fates = ["keep", "keep", "edit", "edit", "delete"] + (["symlink"] if SYMLINKS else [])
    for path, doc in v1.items():
        fate = draw(st.sampled_from(fates))
        if fate == "edit":
            edits[path] = draw(_edited(doc, tokens, "p"))
        elif fate == "delete":
            edits[path] = None
        elif fate == "symlink" and len(v1) > 1:
            edits[path] = Doc("link", link=next(p for p in sorted(v1) if p != path))
    for i in range(draw(st.integers(0, 2))):
        edits[f"mine{i}.txt"] = Doc("text", [f"p{next(tokens)}"])
    if draw(st.booleans()) and "new0.txt" in v2:
        edits["new0.txt"] = Doc("text", [f"p{next(tokens)}"])  # both sides add one path
    return edits


# ── building and reading trees ───────────────────────────────────────────────


def _write(root: Path, tree: Tree) -> None:
    for path, doc in tree.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if doc.link:
            target.symlink_to(doc.link)
        else:
            target.write_bytes(doc.content())


def _snapshot(root: Path, *, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every path under `root` (but `skip`) with a hash of its bytes or its link target."""
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) not in skip]
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            else:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _project_files(project: Path) -> dict[str, bytes | str]:
    """The project's files: bytes, or the link target of a symlink."""
    return {
        rel: (
            os.readlink(project / rel)
            if (project / rel).is_symlink()
            else (project / rel).read_bytes()
        )
        for rel in _snapshot(project, skip=(project / ".git",))
    }


def _lines(content: bytes | str) -> list[str]:
    return content.decode(errors="replace").splitlines() if isinstance(content, bytes) else []


def _outside_conflicts(content: bytes | str) -> list[str]:
    text = content.decode(errors="replace") if isinstance(content, bytes) else ""
    return MARKERS.sub("", text).splitlines()


def _conflicted(content: bytes | str) -> bool:
    return isinstance(content, bytes) and bool(MARKERS.search(content.decode(errors="replace")))


# ── the invariants ─────────────────────────────────────────────────────────


@dataclass
class Outcome:
    """What the update left, and what its report says."""

    result: dict[str, bytes | str]
    kept_on_purpose: set[str]  # skipped, or conflicted without markers: the project's side
    everywhere: set[str]
    report: Any


def _check(scenario: Scenario, generated: dict, ours: dict, result: dict, report) -> None:
    """Every change of either side is in `result` or inside a conflict block."""
    files = report.to_json()["files"]
    unmarked = {e["path"] for e in files["conflicted"] if "no markers written" in e["reason"]}
    seen = Outcome(
        result,
        {entry["path"] for entry in files["skipped"]} | unmarked,
        {line for content in result.values() for line in _lines(content)},
        report,
    )
    theirs = {p: d.content() if not d.link else d.link for p, d in scenario.v2.items()}
    base = {p: d.content() if not d.link else d.link for p, d in scenario.v1.items()}
    moved_to = {new: old for old, new in scenario.renames.items()}
    for side, before, after in (("project", generated, ours), ("template", base, theirs)):
        for path in sorted((set(before) | set(after)) - {".copier-answers.yml"}):
            old, new_ = before.get(path), after.get(path)
            if side == "template" and path in moved_to:  # a move: a change only if edited
                old = before.get(moved_to[path])
            if old == new_ or (new_ is None and side == "template" and path in scenario.renames):
                continue  # unchanged, or moved: checked at the new path
            if path in seen.kept_on_purpose or moved_to.get(path) in unmarked:
                _assert_kept_on_purpose(moved_to.get(path, path), ours, result, report)
            elif new_ is None:
                assert path not in result or _conflicted(result[path]), f"{side} deleted {path}"
            elif isinstance(new_, str) or b"\0" in new_[:8]:  # a symlink or binary: exactly
                at = path if side == "template" else scenario.renames.get(path, path)
                assert new_ in (result.get(at), result.get(path)), f"{side}'s {path} was lost"
            else:
                _assert_lines(f"{side} change of {path}", path, old or b"", new_, seen)
    for new_path, old_path in moved_to.items():
        assert (
            new_path in result or new_path in seen.kept_on_purpose or old_path in unmarked
        ), f"move to {new_path} lost"

    marked = {p for p, c in result.items() if _conflicted(c)}
    unparsable = {e["path"] for e in files["conflicted"] if "does not parse" in e["reason"]}
    assert {e["path"] for e in files["conflicted"]} == marked | unparsable | unmarked, files[
        "conflicted"
    ]
    assert report.exit_code == (1 if files["conflicted"] else 0), report.exit_code


def _assert_lines(where: str, path: str, old: bytes, changed: bytes, seen: Outcome) -> None:
    """Lines one side added are in the result; lines it removed are not back (outside conflicts)."""
    for line in _lines(changed):
        if line not in _lines(old):
            assert line in seen.everywhere, f"{where}: the line {line!r} was lost"
    if path in seen.result:
        kept = _outside_conflicts(seen.result[path])
        for line in _lines(old):
            if line not in _lines(changed):
                assert line not in kept, f"{where}: the removed line {line!r} is back"


def _assert_kept_on_purpose(path: str, ours: dict, result: dict, report) -> None:
    """The project's side is kept exactly, and the report says why: one of the documented
    skips, or a conflict that no markers could be written into."""
    files = report.to_json()["files"]
    (entry,) = [e for e in files["skipped"] + files["conflicted"] if e["path"] == path]
    if entry in files["skipped"]:
        assert entry["reason"] in (
            "deleted in the project: stays deleted",
            "removed by the template; kept: the project changed it",
        ), entry
    else:
        assert "no markers written" in entry["reason"], entry
    assert result.get(path) == ours.get(path), f"{path}: the project's side was not kept"


def _count(scenario: Scenario, report) -> None:
    """Tell hypothesis's statistics how often each dimension and outcome was drawn."""
    docs = [*scenario.v1.values(), *scenario.v2.values()]
    edits = [doc for doc in scenario.edits.values() if doc is not None]
    lines = [line for doc in docs + edits for line in doc.lines]
    conflicts = report.to_json()["files"]["conflicted"]
    for label, drawn in (
        ("template symlink", any(doc.link for doc in docs)),
        ("project symlink", any(doc.link for doc in edits)),
        ("yaml null", any(line.endswith(": null") for line in lines)),
        ("comment line", any(line.startswith("# ") for line in lines)),
        ("template rename", bool(scenario.renames)),
        ("conflict with markers", any("no markers" not in e["reason"] for e in conflicts)),
        ("conflict without markers", any("no markers" in e["reason"] for e in conflicts)),
    ):
        if drawn:
            event(label)


@settings(
    max_examples=EXAMPLES,
    deadline=None,  # one example renders twice with copier and runs git: seconds, not ms
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # the autouse cache fixture: shared on purpose
    ],
    print_blob=True,
)
@given(scenario=scenarios())
def test_update_keeps_every_change_of_either_side(scenario: Scenario) -> None:
    with tempfile.TemporaryDirectory(prefix="mlplate-fuzz-") as tmp:
        root = Path(tmp)
        repo = TemplateRepo(root / "template")
        repo.commit(
            {
                "copier.yml": COPIER_YML,
                "template/{{_copier_conf.answers_file}}.jinja": ANSWERS_JINJA,
            }
        )
        _write(repo.root / "template", scenario.v1)
        repo.commit({}, tag="v1.0.0")
        project = root / "project"
        new(project, template=str(repo.root), lock=False)
        generated = _project_files(project)

        for path in scenario.v1:
            (repo.root / "template" / path).unlink()
        _write(repo.root / "template", scenario.v2)
        repo.commit({}, tag="v2.0.0")

        for path, doc in scenario.edits.items():
            target = project / path
            if target.is_symlink() or target.exists():
                target.unlink()
            if doc is not None:
                _write(project, {path: doc})
        git(project, "add", "--all")
        git(project, "commit", "--quiet", "--allow-empty", "-m", "project edits")
        ours = _project_files(project)
        outside = _snapshot(root, skip=(project,))

        report = update(project, lock=False)

        result = _project_files(project)
        _count(scenario, report)
        _check(scenario, generated, ours, result, report)
        assert _snapshot(root, skip=(project,)) == outside, "a file outside the project changed"

        git(project, "add", "--all")
        git(project, "commit", "--quiet", "--allow-empty", "-m", "update")
        again = update(project, lock=False)
        assert again.up_to_date and _project_files(project) == result
