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

Two outcomes are mlplate's documented choice, not a loss, and are checked as
such: a file the project deleted stays deleted when the template changes it, and
a binary file both sides changed keeps the project's version; the report lists
each under "skipped" with its reason, and the project's side is exactly kept.

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

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlplate.new import new
from mlplate.update import update
from tests.conftest import TemplateRepo, git

EXAMPLES = int(os.environ.get("MLPLATE_FUZZ_EXAMPLES", "25"))

# Dimensions the engine does not pass yet; each is switched on once its fix lands.
# blocked on update preserving symlinks (issue 13 item 1): a project file replaced by
# a symlink comes back as a regular file, a retargeted template symlink is written
# as the target's contents, and a symlink the project made where the template
# deleted a file is kept without being reported.
SYMLINKS = os.environ.get("MLPLATE_FUZZ_SYMLINKS") == "1"
# blocked on the by-key YAML merge telling a null from a missing key (issue 13 item 4):
# a `key: null` the template adds next to a project edit is dropped.
YAML_NULLS = os.environ.get("MLPLATE_FUZZ_YAML_NULLS") == "1"
# blocked on the structured merge falling back to the text merge for changes it
# cannot represent (issue 13 item 5): a comment line the template adds where the
# project also added a key is dropped, "merged by key", exit 0.
COMMENTS = os.environ.get("MLPLATE_FUZZ_COMMENTS") == "1"

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
        doc.lines = [doc.line_for(f"{side}{next(tokens)}") for _ in range(draw(st.integers(1, 6)))]
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
    for path, doc in v1.items():
        fate = draw(st.sampled_from(["keep", "edit", "edit", "delete", "rename"]))
        if fate == "keep":
            v2[path] = doc.copy()
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
    kept_on_purpose: set[str]
    everywhere: set[str]
    report: Any


def _check(scenario: Scenario, generated: dict, ours: dict, result: dict, report) -> None:
    """Every change of either side is in `result` or inside a conflict block."""
    files = report.to_json()["files"]
    seen = Outcome(
        result,
        {entry["path"] for entry in files["skipped"]},
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
            if path in seen.kept_on_purpose:
                _assert_kept_on_purpose(path, ours, result, report)
            elif new_ is None:
                assert path not in result or _conflicted(result[path]), f"{side} deleted {path}"
            elif isinstance(new_, str) or b"\0" in new_[:8]:  # a symlink or binary: exactly
                at = path if side == "template" else scenario.renames.get(path, path)
                assert new_ in (result.get(at), result.get(path)), f"{side}'s {path} was lost"
            else:
                _assert_lines(f"{side} change of {path}", path, old or b"", new_, seen)
    for new_path in moved_to:
        assert new_path in result or new_path in seen.kept_on_purpose, f"move to {new_path} lost"

    marked = {p for p, c in result.items() if _conflicted(c)}
    unparsable = {e["path"] for e in files["conflicted"] if "does not parse" in e["reason"]}
    assert {e["path"] for e in files["conflicted"]} == marked | unparsable, files["conflicted"]
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
    """The two documented choices: the project's side is kept exactly, and the report says so."""
    (entry,) = [e for e in report.to_json()["files"]["skipped"] if e["path"] == path]
    assert entry["reason"] in (
        "deleted in the project: stays deleted",
        "binary file changed on both sides: kept the project's",
        "removed by the template; kept: the project changed it",
    ), entry
    assert result.get(path) == ours.get(path), f"{path}: the project's side was not kept"


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
        _check(scenario, generated, ours, result, report)
        assert _snapshot(root, skip=(project,)) == outside, "a file outside the project changed"

        git(project, "add", "--all")
        git(project, "commit", "--quiet", "--allow-empty", "-m", "update")
        again = update(project, lock=False)
        assert again.up_to_date and _project_files(project) == result
