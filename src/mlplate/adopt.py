"""`mlplate adopt`: put an existing repository under the template.

Infers the answers (from `.cruft.json`, `pyproject.toml`, the package layout,
`.python-version`, the directory name; `--data` wins), renders the template with
them to report which files differ, then records the template and its version in
a copier-standard `.copier-answers.yml` (and `.mlplate.yml` if missing) so that
`mlplate update` and `copier update` work from then on. No other file is written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlplate import ownership, questions, template_source
from mlplate.errors import UserError
from mlplate.render import render
from mlplate.results import envelope

ANSWERS_FILE = ".copier-answers.yml"
CRUFT_FILE = ".cruft.json"
# cookiecutter-data-science names its questions differently; these are ours.
_CONTEXT_NAMES = {
    "project_name": "project_name",
    "repo_name": "project_name",
    "module_name": "package_name",
    "package_name": "package_name",
    "description": "description",
    "project_short_description": "description",
    "author_name": "author_name",
    "full_name": "author_name",
    "author_email": "author_email",
    "email": "author_email",
    "python_version_number": "python_version",
    "python_version": "python_version",
}


@dataclass(frozen=True)
class AdoptResult:  # pylint: disable=too-many-instance-attributes
    """What adopt inferred, wrote, and found different from the template."""

    project: Path
    template: str
    version: str | None
    origin: str
    answers: dict[str, Any]
    written: list[str]
    files: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON form printed by --json."""
        data = asdict(self)
        data["project"] = str(self.project)
        return envelope("adopt", data)


def _layout_origin(root: Path) -> str:
    if (root / CRUFT_FILE).is_file():
        return "cruft"
    ccds_folders = ("data", "models", "notebooks", "references", "reports")
    if sum((root / name).is_dir() for name in ccds_folders) >= 4:
        return "cookiecutter-data-science"
    return "plain"


def _from_cruft(root: Path) -> dict[str, Any]:
    try:
        context = json.loads((root / CRUFT_FILE).read_text(encoding="utf-8"))["context"][
            "cookiecutter"
        ]
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(
            f"{CRUFT_FILE} is not a cruft file", f"fix or remove {CRUFT_FILE}"
        ) from None
    return _mapped(context)


def _mapped(context: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for theirs, ours in _CONTEXT_NAMES.items():
        value = context.get(theirs)
        if isinstance(value, str) and value and not value.startswith("{{") and ours not in found:
            found[ours] = value
    return found


def _from_files(root: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get(
            "project", {}
        )
    except (OSError, tomllib.TOMLDecodeError):
        project = {}
    if project.get("name"):
        found["project_name"] = project["name"]
    if project.get("description"):
        found["description"] = project["description"]
    authors = project.get("authors") or []
    if authors and isinstance(authors[0], dict):
        named = {"author_name": authors[0].get("name"), "author_email": authors[0].get("email")}
        found.update({key: value for key, value in named.items() if value})
    requires = re.search(r"(\d+\.\d+)", str(project.get("requires-python", "")))
    version_file = root / ".python-version"
    if version_file.is_file():
        found["python_version"] = ".".join(version_file.read_text().strip().split(".")[:2])
    elif requires:
        found["python_version"] = requires.group(1)
    packages = sorted(p.parent.name for p in (root / "src").glob("*/__init__.py"))
    packages = packages or sorted(
        p.parent.name for p in root.glob("*/__init__.py") if p.parent.name not in {"tests", "docs"}
    )
    if packages:
        found["package_name"] = packages[0]
    found.setdefault("project_name", root.name)
    return found


def infer_answers(root: Path, origin: str) -> dict[str, Any]:
    """Answers read from the repository; cruft's recorded context wins over guesses."""
    answers = _from_files(root)
    if origin == "cruft":
        answers.update(_from_cruft(root))
    return answers


def _compare(root: Path, rendered: Path) -> dict[str, list[str]]:
    files: dict[str, list[str]] = {"missing": [], "differs": [], "identical": []}
    for path in sorted(p for p in rendered.rglob("*") if p.is_file()):
        rel = path.relative_to(rendered).as_posix()
        if rel == ANSWERS_FILE:
            continue
        mine = root / rel
        kind = (
            "missing"
            if not mine.is_file()
            else "identical" if mine.read_bytes() == path.read_bytes() else "differs"
        )
        files[kind].append(rel)
    return files


def _write_atomic(target: Path, content: bytes) -> None:
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(tmp, target)


def adopt(
    path: Path | str = ".",
    *,
    template: str | None = None,
    vcs_ref: str | None = None,
    data: Mapping[str, Any] | None = None,
    dry_run: bool = False,
) -> AdoptResult:
    """Record the template (default: the bundled one) as the baseline of the repository."""
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise UserError(f"{root} is not a directory", "pass the path of the repository to adopt")
    if (root / ANSWERS_FILE).is_file():
        raise UserError(
            f"{root} already has {ANSWERS_FILE}: it is under a template",
            "use mlplate update to bring it to a newer template version",
        )
    origin = _layout_origin(root)
    source = template_source.resolve(template, vcs_ref)
    asked = questions.load(source)
    inferred = infer_answers(root, origin)
    if asked is not None:
        inferred = {k: v for k, v in inferred.items() if k in asked and not asked[k].computed}
    answers = {**inferred, **(data or {})}
    questions.check_known(dict(data or {}), asked)
    with tempfile.TemporaryDirectory(prefix="mlplate-adopt-") as tmp:
        rendered = Path(tmp) / "rendered"
        result = render(source, rendered, data=answers, defaults=True)
        files = _compare(root, rendered)
        to_write = {ANSWERS_FILE: (rendered / result.answers_file).read_bytes()}
        policy = rendered / ownership.POLICY_FILE
        if policy.is_file() and not (root / ownership.POLICY_FILE).is_file():
            to_write[ownership.POLICY_FILE] = policy.read_bytes()
        if not dry_run:
            for rel, content in to_write.items():
                _write_atomic(root / rel, content)
            if origin == "cruft":
                (root / CRUFT_FILE).unlink()  # only now: its answers live in the copier file
    recorded = {
        k: v
        for k, v in result.answers.items()
        if not str(k).startswith("_") and (asked is None or (k in asked and not asked[k].computed))
    }
    written = list(to_write) + ([f"{CRUFT_FILE} (removed)"] if origin == "cruft" else [])
    return AdoptResult(root, source.src, source.version, origin, recorded, written, files, dry_run)
