"""Every released version of mlplate's own template updates to HEAD without losing an edit.

The releases are this repository's `v*` tags. In a checkout without any (a
tagless or shallow clone, or before the first release), three commits that
changed the template (the first, one in the middle, the last before HEAD) stand
in for them, tagged v0.0.1… in a clone. For each, a project
is generated at that version, the team edits it the way teams do (a dependency,
a Makefile target, README notes, a pre-commit hook, a file of their own), and
`mlplate update --to HEAD` brings it to the committed HEAD of the template.
"""

from __future__ import annotations

import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
import tomlkit
from packaging.version import InvalidVersion, Version
from ruamel.yaml import YAML

from mlplate.new import new
from mlplate.update import update
from mlplate.update.structured import is_valid
from tests.conftest import REPO_ROOT, git
from tests.update.conftest import Made, assert_no_edit_lost, assert_no_rej, tree

pytestmark = pytest.mark.e2e
STAND_INS = 3


def _run(*args: str, cwd: Path = REPO_ROOT) -> str:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True).stdout


def _commit_of(ref: str) -> str | None:
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None


def _released() -> list[tuple[str, str]]:
    """(tag, commit) of each version to start from, oldest first.

    The checkout's `v*` release tags, except one on HEAD itself (nothing to update) or
    on a commit a shallow clone lacks; without any, the stand-ins.
    """
    head = _commit_of("HEAD")
    tags = []
    for tag in _run("git", "tag", "--list", "v*").split():
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        commit = _commit_of(tag)
        if commit is not None and commit != head:
            tags.append((version, tag, commit))
    if tags:
        return [(tag, commit) for _, tag, commit in sorted(tags)]
    history = _run("git", "log", "--format=%H", "--", "template", "copier.yml").split()[1:]
    history.reverse()  # oldest first, HEAD's own change left out
    if not history:
        return []
    picks = sorted({round(i * (len(history) - 1) / (STAND_INS - 1)) for i in range(STAND_INS)})
    return [(f"v0.0.{n}", history[i]) for n, i in enumerate(picks, start=1)]


RELEASES = _released()


@pytest.fixture(name="template", scope="module")
def fixture_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository with the stand-in tags (real tags come with the clone)."""
    clone = tmp_path_factory.mktemp("real-template") / "mlplate"
    git(clone.parent, "clone", "--quiet", "--no-local", str(REPO_ROOT), str(clone))
    existing = set(git(clone, "tag", "--list").split())
    for tag, commit in RELEASES:
        if tag not in existing:
            git(clone, "tag", tag, commit)
    return clone


def _team_edits(project: Path) -> dict[str, str]:
    """Edit the project as a team would; returns the edited files' new text."""
    edits: dict[str, str] = {}
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        doc = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
        deps = doc.setdefault("project", tomlkit.table()).setdefault("dependencies", [])
        deps.append("rich>=13")
        edits["pyproject.toml"] = tomlkit.dumps(doc)
    makefile = project / "Makefile"
    if makefile.is_file():
        edits["Makefile"] = (
            makefile.read_text() + "\nnotebooks:  # the team's own target\n\tjupyter lab\n"
        )
    readme = project / "README.md"
    if readme.is_file():
        edits["README.md"] = readme.read_text() + "\n## Team notes\n\nAsk #ml-platform first.\n"
    precommit = project / ".pre-commit-config.yaml"
    if precommit.is_file():
        yaml = YAML()
        yaml.indent(mapping=2, sequence=4, offset=2)
        config = yaml.load(precommit.read_text())
        config["repos"].append(
            {
                "repo": "local",
                "hooks": [
                    {
                        "id": "team-check",
                        "name": "team check",
                        "entry": "true",
                        "language": "system",
                    }
                ],
            }
        )
        out = StringIO()
        yaml.dump(config, out)
        edits[".pre-commit-config.yaml"] = out.getvalue()
    edits["NOTES.md"] = "Decisions the team made.\n"
    for rel, text in edits.items():
        (project / rel).write_text(text, encoding="utf-8")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "the team's edits")
    return edits


@pytest.mark.skipif(not RELEASES, reason="the template has no history to update from")
@pytest.mark.parametrize(("tag", "commit"), RELEASES, ids=[tag for tag, _ in RELEASES])
def test_every_release_updates_to_head_keeping_the_teams_edits(template, tmp_path, tag, commit):
    project = tmp_path / "project"
    new(project, template=str(template), vcs_ref=tag, lock=False)
    made = Made(project, None, tree(project))  # type: ignore[arg-type]
    edits = _team_edits(project)

    report = update(project, to="HEAD")

    assert report.from_version == tag and commit
    assert report.to_version == git(template, "describe", "--tags", "--always", "HEAD")
    assert_no_edit_lost(made, edits)
    assert_no_rej(project)
    for rel in report.conflicted:
        assert "<<<<<<< project" in (project / rel).read_text(), rel
    for path in project.rglob("*"):
        rel = path.relative_to(project).as_posix()
        if path.suffix in (".toml", ".yml", ".yaml") and ".git/" not in rel + "/":
            if rel not in report.conflicted:
                assert is_valid(rel, path.read_bytes()), f"{rel} no longer parses"
    if "pyproject.toml" not in report.conflicted:
        assert '"rich>=13"' in (project / "pyproject.toml").read_text()
    assert f"_commit: {report.to_version}" in (project / ".copier-answers.yml").read_text()


@pytest.mark.skipif(not RELEASES, reason="the template has no history to update from")
def test_untouched_project_of_the_last_release_equals_a_fresh_copy_but_for_seeded_files(
    template, tmp_path
):
    tag = RELEASES[-1][0]
    # Directories of one name: `new` names each project after its directory.
    project, fresh = tmp_path / "old" / "project", tmp_path / "fresh" / "project"
    new(project, template=str(template), vcs_ref=tag, lock=False)
    generated = tree(project)

    update(project, to="HEAD")
    new(fresh, template=str(template), vcs_ref="HEAD", lock=False)

    from mlplate import ownership  # pylint: disable=import-outside-toplevel

    policy = ownership.load(project)
    ours, theirs = tree(project), tree(fresh)
    for rel in sorted(ours.keys() | theirs.keys()):
        if policy.owner(rel) is ownership.Owner.SEEDED and rel in generated:
            assert ours.get(rel) == generated[rel], f"seeded {rel} was rewritten"
        else:
            assert ours.get(rel) == theirs.get(rel), rel


PACKAGE_CODE = list((REPO_ROOT / "template" / "src" / "{{package_name}}").rglob("*.py"))
# The last template before the package was laid out by stage: its train.py and serve.py sat
# directly in the package. None in a clone without that history.
FLAT_LAYOUT = _commit_of(
    _run(
        "git", "log", "-1", "--format=%H", "--diff-filter=D", "--",
        "template/src/{{package_name}}/train.py",
    ).strip() + "^"
)  # fmt: skip
# Served by the moved module through the stable entry point `<package>.serve:app`.
CALL_TEAM_ROUTE = (
    "from fastapi.testclient import TestClient; from {package}.serve import app; "
    "r = TestClient(app).get('/team'); print(r.status_code, r.json())"
)
TEAM_LINE = "# The team: the commit is recorded with every run.\n"
TEAM_ROUTE = '''

@app.get("/team")
def team() -> dict[str, str]:
    """The team's own route."""
    return {"owner": "ml-platform"}
'''


@pytest.mark.skipif(
    not PACKAGE_CODE, reason="the template has no ML code yet (template/src/{{package_name}})"
)
@pytest.mark.skipif(
    FLAT_LAYOUT is None, reason="the history before the stage folders is not in this clone"
)
def test_a_project_from_before_the_stage_folders_moves_with_its_edits_relocks_and_passes(
    tmp_path,
):
    """Edited train.py and serve.py follow the template to train/fit.py and serve/api.py."""
    template = tmp_path / "template"
    git(tmp_path, "clone", "--quiet", "--no-local", str(REPO_ROOT), str(template))
    git(template, "tag", "e2e-base", str(FLAT_LAYOUT))
    project = tmp_path / "project"
    made = new(project, template=str(template), vcs_ref="e2e-base")
    name = str(made.answers["package_name"])
    package = project / "src" / name
    note = "\n# The team's note on training.\n"
    train = (package / "train.py").read_text()
    assert "def _git_commit(" in train, "update this test's edit"
    (package / "train.py").write_text(
        train.replace("def _git_commit(", TEAM_LINE + "def _git_commit(") + note
    )
    (package / "serve.py").write_text((package / "serve.py").read_text() + TEAM_ROUTE)
    makefile = project / "Makefile"
    # Before `test:`: the template's last line (the cards command) moved in this range,
    # and an append right after a changed line is a conflict for any three-way merge.
    makefile.write_text(
        makefile.read_text().replace(
            "\ntest:", "\nnotebooks:  # the team's own target\n\tjupyter lab\n\ntest:"
        )
    )
    git(project, "commit", "--quiet", "-am", "team edits")

    copier_yml = template / "copier.yml"
    copier_yml.write_text(copier_yml.read_text().replace('pyyaml: "6.0.3"', 'pyyaml: "6.0.2"'))
    template_makefile = template / "template" / "Makefile.jinja"
    template_makefile.write_text(
        template_makefile.read_text().replace("PORT ?= 8000", "PORT ?= 8080")
    )
    git(template, "commit", "--quiet", "-am", "template: a pin and a port")

    report = update(project, to="HEAD")

    assert report.exit_code == 0 and not report.conflicted, report.to_json()
    assert report.lock.status == "regenerated"
    fit, api = package / "train" / "fit.py", package / "serve" / "api.py"
    assert not (package / "train.py").exists() and not (package / "serve.py").exists()
    assert fit.read_text().endswith(note) and TEAM_LINE + "def _git_commit(" in fit.read_text()
    assert "from ..data.load import" in fit.read_text()  # the template's side of the same file
    assert TEAM_ROUTE in api.read_text()
    merged = {entry["path"]: entry.get("reason") for entry in report.files["merged"]}
    assert merged[f"src/{name}/train/fit.py"] == f"moved from src/{name}/train.py", merged
    assert merged[f"src/{name}/serve/api.py"] == f"moved from src/{name}/serve.py", merged
    assert '"pyyaml==6.0.2"' in (project / "pyproject.toml").read_text()
    assert 'name = "pyyaml"\nversion = "6.0.2"' in (project / "uv.lock").read_text()
    assert "PORT ?= 8080" in makefile.read_text() and "jupyter lab" in makefile.read_text()
    assert_no_rej(project)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    subprocess.run(["uv", "sync", "--locked", "-q"], cwd=project, env=env, check=True)
    tests = subprocess.run(
        ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    route = subprocess.run(
        ["uv", "run", "--no-sync", "python", "-c", CALL_TEAM_ROUTE.format(package=name)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert route.stdout.strip() == "200 {'owner': 'ml-platform'}", route.stdout + route.stderr
