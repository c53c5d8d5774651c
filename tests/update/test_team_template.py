"""A team's template (mlplate's own, in the team's git repository) delivers its changes to
every file of an existing project: the package's code, its workflows, its docs.

The team template is a clone of this repository: v1.0.0 is its HEAD, v1.1.0 fixes a
line of `train/fit.py`, changes a line of the CI workflow and renames a doc (with its links
updated). Projects made at v1.0.0 with their own edits update to v1.1.0.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlplate.new import new
from mlplate.update import update
from tests.conftest import REPO_ROOT, git
from tests.update.conftest import assert_no_rej

pytestmark = pytest.mark.e2e

TRAIN = "template/src/{{package_name}}/train/fit.py"
CI = "template/.github/workflows/ci.yml.jinja"
DOCSTRING = '"""Train, evaluate, track, register, and promote past a quality gate.'
FIXED_DOCSTRING = '"""Train, evaluate, track, register, and promote past a quality gate (fixed).'
PRECOMMIT_JOB = "    name: pre-commit\n"
BRANCHES = "    branches: [main]\n"
API_DOC = "{% if serving == 'fastapi' %}api.md{% endif %}"
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def _replace(path: Path, old: str, new_text: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer has {old!r}: update this test's edit"
    path.write_text(text.replace(old, new_text), encoding="utf-8")


@pytest.fixture(name="team_template", scope="module")
def fixture_team_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The team's template repository, tagged v1.0.0 and v1.1.0."""
    root = tmp_path_factory.mktemp("team") / "template"
    git(root.parent, "clone", "--quiet", "--no-local", str(REPO_ROOT), str(root))
    git(root, "tag", "v1.0.0")
    _replace(root / TRAIN, DOCSTRING, FIXED_DOCSTRING)
    _replace(root / CI, PRECOMMIT_JOB, "    name: lint (pre-commit)\n")
    git(
        root,
        "mv",
        f"template/docs/{API_DOC}.jinja",
        f"template/docs/{API_DOC.replace('api.md', 'service-api.md')}.jinja",
    )
    for rel in ("template/mkdocs.yml.jinja", "template/docs/index.md.jinja"):
        _replace(root / rel, "api.md", "service-api.md")
    _replace(root / "template/README.md.jinja", "docs/api.md", "docs/service-api.md")
    git(
        root, "commit", "--quiet", "-am", "train/fit.py fixed, the lint job renamed, api.md renamed"
    )
    git(root, "tag", "v1.1.0")
    return root


def _project(team_template: Path, where: Path, edits: dict[str, tuple[str, str]]) -> Path:
    """A project made at v1.0.0 with `edits` (path → (old, new) text) committed."""
    project = where / "my-ml-project"  # `new` names the project (and package) after it
    new(project, template=str(team_template), vcs_ref="v1.0.0", lock=False)
    for rel, (old, new_text) in edits.items():
        _replace(project / rel, old, new_text)
    git(project, "commit", "--quiet", "-am", "the team's edits")
    return project


def _dead_links(project: Path) -> list[str]:
    """Relative Markdown links of README.md and docs/ whose target does not exist."""
    dead = []
    for page in [project / "README.md", *sorted((project / "docs").rglob("*.md"))]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" not in target and not (page.parent / target).is_file():
                dead.append(f"{page.relative_to(project)} → {target}")
    return dead


def test_edits_on_other_lines_of_a_module_and_a_workflow_merge_and_a_renamed_doc_builds(
    team_template, tmp_path
):
    train = "src/my_ml_project/train/fit.py"
    project = _project(
        team_template,
        tmp_path,
        {
            train: (
                "    return jobs.run(lambda: _main(config))\n",
                "    return jobs.run(lambda: _main(config))  # the team's entry point\n",
            ),
            ".github/workflows/ci.yml": (BRANCHES, "    branches: [main, develop]\n"),
            "docs/index.md": ("## Where things are\n", "## Where things are (team notes)\n"),
        },
    )

    report = update(project, to="v1.1.0", lock=False)

    assert report.exit_code == 0 and not report.conflicted, report.to_json()
    merged = {entry["path"] for entry in report.files["merged"]}
    assert {train, ".github/workflows/ci.yml", "docs/index.md"} <= merged, report.files
    code = (project / train).read_text(encoding="utf-8")
    assert FIXED_DOCSTRING in code and "# the team's entry point" in code
    workflow = (project / ".github/workflows/ci.yml").read_text(encoding="utf-8")
    assert "name: lint (pre-commit)" in workflow and "branches: [main, develop]" in workflow
    assert (project / "docs/service-api.md").is_file() and not (project / "docs/api.md").exists()
    assert "(team notes)" in (project / "docs/index.md").read_text(encoding="utf-8")
    assert not _dead_links(project)
    assert_no_rej(project)
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr


def test_edits_of_the_same_lines_conflict_inline_and_are_named(team_template, tmp_path, run_cli):
    train = "src/my_ml_project/train/fit.py"
    project = _project(
        team_template,
        tmp_path,
        {
            train: (DOCSTRING, '"""Train our churn model.'),
            ".github/workflows/ci.yml": (PRECOMMIT_JOB, "    name: our lint\n"),
        },
    )

    result = run_cli("update", project, "--to", "v1.1.0", "--no-lock")

    assert result.exit_code == 1, result.stdout + result.stderr
    for rel, ours, theirs in (
        (train, '"""Train our churn model.', FIXED_DOCSTRING),
        (".github/workflows/ci.yml", "name: our lint", "name: lint (pre-commit)"),
    ):
        text = (project / rel).read_text(encoding="utf-8")
        assert "<<<<<<< project" in text and ours in text and theirs in text, rel
        assert rel in result.stdout, result.stdout
    assert not (project / ".git" / "mlplate" / "backup").exists()  # nothing moved aside
