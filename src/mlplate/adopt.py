"""`mlplate adopt`: put an existing repository under the template.

Infers the answers (`.cruft.json`, `.python-version`, `pyproject.toml`, the
package layout, git config, the directory name; `--data` wins), renders the
template with them in temporary space to report which files are missing, differ
or are identical, then records the template and its version in a copier-standard
`.copier-answers.yml` (and `.mlplate.yml` if the repository has none), so that
`mlplate update`, `copier update` and `mlplate check` work from then on. No other
file is written, and an existing file is never overwritten.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlplate import answers_file, legacy, ownership, questions, template_source
from mlplate.errors import InvalidAnswer, UserError
from mlplate.render import Rendered, render
from mlplate.results import envelope
from mlplate.template_source import TemplateRef

ANSWERS_FILE = answers_file.NAME


@dataclass(frozen=True)
class AdoptResult:  # pylint: disable=too-many-instance-attributes
    """What adopt inferred, wrote (or would write), and found different from the template."""

    project: Path
    template: str
    version: str | None
    origin: str
    answers: dict[str, Any]
    sources: dict[str, str]
    written: list[str]
    files: dict[str, list[str]] = field(default_factory=dict)
    template_owned_differs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    contents: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON form printed by --json."""
        data = asdict(self)
        data["project"] = str(self.project)
        return envelope("adopt", data)


def _compare(root: Path, rendered: Path) -> dict[str, list[str]]:
    files: dict[str, list[str]] = {"missing": [], "differs": [], "identical": []}
    for path in sorted(p for p in rendered.rglob("*") if p.is_file()):
        rel = path.relative_to(rendered).as_posix()
        if rel in (ANSWERS_FILE, ownership.POLICY_FILE):
            continue
        mine = root / rel
        if not mine.is_file():
            files["missing"].append(rel)
        elif mine.read_bytes().replace(b"\r\n", b"\n") == path.read_bytes().replace(b"\r\n", b"\n"):
            files["identical"].append(rel)
        else:
            files["differs"].append(rel)
    return files


def _write_atomic(target: Path, content: bytes) -> None:
    """Write through a temporary sibling and a rename: never a half-written file."""
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _absent_template_files(policy: str, missing: list[str]) -> list[str]:
    """The missing files the template owns.

    Recorded as they are (absent), an adopted baseline says the project has them: `check`
    would report each as deleted while `update` (nothing changed in the template) keeps it
    absent. Opting them out makes both tell the same story.
    """
    try:
        parsed = ownership.parse(policy)
    except UserError:
        return []
    return [rel for rel in missing if parsed.owner(rel) is ownership.Owner.TEMPLATE]


def _with_opt_out(policy: str, paths: list[str]) -> tuple[str, bool]:
    """The rendered policy with `paths` listed under `opt_out:` (only its `opt_out: []` form)."""
    if not paths:
        return policy, True
    lines = policy.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.rstrip() == "opt_out: []":
            listed = "".join(f"  - {p!r}\n".replace("'", '"') for p in paths)
            lines[i] = f"opt_out:\n{listed}"
            return "".join(lines), True
    return policy, False


def _render_with(  # pylint: disable=too-many-arguments
    source: TemplateRef,
    scratch: Path,
    inferred: dict[str, Any],
    given: Mapping[str, Any],
    *,
    defaults: bool,
    sources: Mapping[str, str],
) -> tuple[Rendered, Path, list[str]]:
    """Render with the inferred answers; one the template rejects stops adoption.

    Adopting must not change what the repository is (e.g. move it from Python 3.10 to the
    template's 3.11) behind the user's back: a rejected inferred answer is an error whose
    hint is the explicit `--data` that accepts the change.
    """
    try:
        rendered = render(
            source, scratch / "rendered", data={**inferred, **given}, defaults=defaults
        )
    except InvalidAnswer as error:
        key = error.question
        if key not in inferred or key in given:
            raise
        raise UserError(
            f"the repository's {key} {inferred[key]!r} (from {sources.get(key, 'the repository')}) "
            f"is not one the template accepts ({error.reason})",
            f"adopt with a value it accepts, knowing the project moves to it on its next update: "
            f"--data {key}=VALUE",
        ) from None
    return rendered, scratch / "rendered", []


def _policy(root: Path, to_write: Mapping[str, str]) -> ownership.Policy:
    """The policy the project will have: the one written now, else its own (if readable)."""
    text = to_write.get(ownership.POLICY_FILE)
    try:
        if text is None:
            return ownership.load(root)
        return ownership.parse(text)
    except UserError:
        return ownership.Policy()


def adopt(  # pylint: disable=too-many-arguments,too-many-locals
    path: Path | str = ".",
    *,
    template: str | None = None,
    vcs_ref: str | None = None,
    data: Mapping[str, Any] | None = None,
    defaults: bool = True,
    dry_run: bool = False,
) -> AdoptResult:
    """Record the template (default: the bundled one) as the baseline of the repository.

    With `defaults=False` copier asks, in the terminal, the questions neither inferred
    nor given in `data`; otherwise they take the template's defaults.
    """
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise UserError(f"{root} is not a directory", "pass the path of the repository to adopt")
    if (root / ANSWERS_FILE).is_file():
        raise UserError(
            f"{root} already has {ANSWERS_FILE}: it is under a template",
            "use `mlplate update` to bring it to a newer template version, `mlplate check` "
            "to see its drift",
        )
    found = legacy.infer(root)
    source = template_source.resolve(template, vcs_ref)
    asked = questions.load(source)
    given = dict(data or {})
    questions.check_known(given, asked)
    inferred = {
        k: v
        for k, v in found.answers.items()
        if asked is None or (k in asked and not asked[k].computed)
    }
    with tempfile.TemporaryDirectory(prefix="mlplate-adopt-") as tmp:
        result, rendered_dir, dropped = _render_with(
            source, Path(tmp), inferred, given, defaults=defaults, sources=found.sources
        )
        files = _compare(root, rendered_dir)
        to_write = {ANSWERS_FILE: (rendered_dir / result.answers_file).read_text("utf-8")}
        notes = list(found.notes) + dropped
        if found.origin == "cookiecutter-data-science":
            notes += legacy.ccds_moves(root, result.answers.get("package_name"))
        policy_path = rendered_dir / ownership.POLICY_FILE
        if policy_path.is_file() and not (root / ownership.POLICY_FILE).is_file():
            rendered_policy = policy_path.read_text("utf-8")
            absent = _absent_template_files(rendered_policy, files["missing"])
            text, carried = _with_opt_out(rendered_policy, list(found.opt_out) + absent)
            to_write[ownership.POLICY_FILE] = text
            if found.opt_out:
                notes.append(
                    f"cruft's skip list ({', '.join(found.opt_out)}) "
                    + ("is now opt_out in .mlplate.yml" if carried else "was not carried over")
                )
            if absent and carried:
                notes.append(
                    "template-owned files the repository does not have are listed under opt_out "
                    "in .mlplate.yml, so `mlplate check` and `mlplate update` both leave them "
                    f"out: {', '.join(absent)}; to take one, copy it from a `mlplate new` "
                    "project and drop it from opt_out"
                )
        policy = _policy(root, to_write)
    owned = [rel for rel in files["differs"] if policy.owner(rel) is ownership.Owner.TEMPLATE]
    if owned:
        notes.append(
            "template-owned files that differ are reported by `mlplate check` (MP103) until "
            "they take the template's version or are listed under opt_out: " + ", ".join(owned)
        )
    written = list(to_write)
    if not dry_run:
        for rel, content in to_write.items():
            _write_atomic(root / rel, content.encode("utf-8"))
        if found.origin == "cruft":
            (root / legacy.CRUFT_FILE).unlink()  # only now: its answers live in the copier file
    if found.origin == "cruft":
        written.append(f"{legacy.CRUFT_FILE} (removed)")
    recorded = {
        k: v
        for k, v in result.answers.items()
        if not str(k).startswith("_") and (asked is None or (k in asked and not asked[k].computed))
    }
    return AdoptResult(
        project=root,
        template=source.src,
        version=source.version or result.answers.get("_commit"),
        origin=found.origin,
        answers=recorded,
        sources={
            k: "--data" if k in given else found.sources[k] if k in inferred else "default"
            for k in recorded
        },
        written=written,
        files=files,
        template_owned_differs=owned,
        notes=notes,
        contents=to_write,
        dry_run=dry_run,
    )
