"""A corpus of update scenarios: real generated projects, realistic edits, `mlplate update`.

Every scenario asserts that no edit of the project is lost, that no `.rej` file
appears, and that the exit code and the report tell what happened.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import copier
import pytest
import yaml

from mlplate.new import new
from tests.conftest import git, write_tree

BINARY_V1 = b"\x89PNG\0v1"
PRECOMMIT = """# the team's standard hooks
repos:
  - repo: local
    hooks:
      - id: black
        entry: black
        additional_dependencies: ["black==26.10.1"]
      - id: pylint
        entry: pylint
"""
PYLINT_HOOK = "      - id: pylint\n        entry: pylint\n"
MYPY_HOOK = "      - id: mypy  # added by the project\n        entry: mypy\n"
PYPROJECT_DEPS = '[project]\nname = "demo"\nversion = "0.1.0"\ndependencies = [\n{deps}]\n'
PYPROJECT_WITH_SIX = (
    '[project]\nname = "demo"\nversion = "{version}"\ndependencies = [\n  "six==1.16.0",\n]\n'
)
STEPS = "Step one.\nStep two.\nStep three.\nStep four.\nStep five.\n"
POLICY = "ownership:\n  template: [Dockerfile]\n  seeded: [src/**, README.md]\n"
TEMPLATE_V1: dict[str, str | bytes | None] = {
    "copier.yml": "_subdirectory: template\nproject_name:\n  type: str\n  default: demo\n",
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "template/.mlplate.yml": (
        "ownership:\n  template: [Dockerfile]\n  seeded: [src/**, README.md]\nopt_out: []\n"
    ),
    "template/README.md.jinja": "# {{ project_name }}\n",
    "template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\n",
    "template/Dockerfile": "FROM python:3.11-slim\nUSER app\n",
    "template/src/app.py": "print('hello')\n",
    "template/docs/guide.md": "# Guide\n\n" + STEPS,
    "template/logo.bin": BINARY_V1,
    "template/Makefile": "test:\n\tpytest\n",
    "template/.pre-commit-config.yaml": PRECOMMIT,
}


@dataclass
class Scenario:
    """A project edit, a template change, and what the update must do."""

    project_edits: dict[str, str | bytes | None] = field(default_factory=dict)
    template_change: dict[str, str | bytes | None] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    exit_code: int = 0
    expect_files: dict[str, str | bytes | None] = field(default_factory=dict)
    contains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    report: dict[str, tuple[str, ...]] = field(default_factory=dict)


SCENARIOS = {
    "template-changes-an-untouched-file": Scenario(
        template_change={"template/Makefile": "test:\n\tpytest -q\n"},
        expect_files={"Makefile": "test:\n\tpytest -q\n"},
        report={"updated": ("Makefile",)},
    ),
    "both-sides-edit-different-lines": Scenario(
        project_edits={"config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nzeta\n"},
        template_change={
            "template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nZETA (template)\n"
        },
        expect_files={"config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nZETA (template)\n"},
        report={"merged": ("config.txt",)},
    ),
    "both-sides-edit-the-same-line": Scenario(
        project_edits={"config.txt": "alpha\nbeta\nGAMMA (ours)\ndelta\nepsilon\nzeta\n"},
        template_change={
            "template/config.txt": "alpha\nbeta\nGAMMA (template)\ndelta\nepsilon\nzeta\n"
        },
        exit_code=1,
        contains={
            "config.txt": (
                "<<<<<<< project",
                "GAMMA (ours)",
                "GAMMA (template)",
                ">>>>>>> template",
            )
        },
        report={"conflicted": ("config.txt",)},
    ),
    "user-edits-a-template-owned-file-the-template-also-changes": Scenario(
        project_edits={"Dockerfile": "FROM python:3.11-slim\nUSER app\nEXPOSE 8000\n"},
        template_change={"template/Dockerfile": "FROM python:3.12-slim\nUSER app\n"},
        expect_files={"Dockerfile": "FROM python:3.12-slim\nUSER app\nEXPOSE 8000\n"},
        report={"merged": ("Dockerfile",)},
    ),
    "user-deleted-a-file-the-template-changes": Scenario(
        project_edits={"docs/guide.md": None},
        template_change={"template/docs/guide.md": "# Guide\n\n" + STEPS + "Step six.\n"},
        expect_files={"docs/guide.md": None},
        report={"skipped": ("docs/guide.md",)},
    ),
    "template-renames-a-file-the-user-edited": Scenario(
        project_edits={"docs/guide.md": "# Guide\n\n" + STEPS + "Our note.\n"},
        template_change={
            "template/docs/guide.md": None,
            "template/docs/howto.md": "# How-to\n\n" + STEPS,
        },
        expect_files={
            "docs/guide.md": None,
            "docs/howto.md": "# How-to\n\n" + STEPS + "Our note.\n",
        },
        report={"merged": ("docs/howto.md",), "deleted": ("docs/guide.md",)},
    ),
    "template-renames-an-untouched-file": Scenario(
        template_change={"template/Makefile": None, "template/tasks.mk": "test:\n\tpytest\n"},
        expect_files={"Makefile": None, "tasks.mk": "test:\n\tpytest\n"},
        report={"deleted": ("Makefile",)},
    ),
    "template-adds-a-file": Scenario(
        template_change={"template/.editorconfig": "root = true\n"},
        expect_files={".editorconfig": "root = true\n"},
        report={"added": (".editorconfig",)},
    ),
    "template-adds-a-file-the-user-already-has": Scenario(
        project_edits={".editorconfig": "root = false\n"},
        template_change={"template/.editorconfig": "root = true\n"},
        exit_code=1,
        contains={".editorconfig": ("root = false", "root = true", "<<<<<<< project")},
        report={"conflicted": (".editorconfig",)},
    ),
    "template-deletes-an-untouched-file": Scenario(
        template_change={"template/Makefile": None, "template/config.txt": "changed\n"},
        expect_files={"Makefile": None, "config.txt": "changed\n"},
        report={"deleted": ("Makefile",)},
    ),
    "template-deletes-a-file-the-user-edited": Scenario(
        project_edits={"Makefile": "test:\n\tpytest -x\n"},
        template_change={"template/Makefile": None, "template/config.txt": "changed\n"},
        expect_files={"Makefile": "test:\n\tpytest -x\n"},
        report={"skipped": ("Makefile",)},
    ),
    "seeded-file-is-never-updated": Scenario(
        project_edits={"src/app.py": "print('our model code')\n"},
        template_change={"template/src/app.py": "print('hello, world')\n"},
        expect_files={"src/app.py": "print('our model code')\n"},
        report={"skipped": ("src/app.py",)},
    ),
    "seeded-file-added-by-the-template-appears": Scenario(
        template_change={"template/src/extra.py": "X = 1\n"},
        expect_files={"src/extra.py": "X = 1\n"},
        report={"added": ("src/extra.py",)},
    ),
    "opted-out-file-is-left-alone": Scenario(
        project_edits={
            ".mlplate.yml": POLICY + "opt_out: [Makefile]\n",
            "Makefile": "test:\n\tnox\n",
        },
        template_change={"template/Makefile": "test:\n\tpytest -q\n"},
        expect_files={"Makefile": "test:\n\tnox\n"},
        report={"skipped": ("Makefile",)},
    ),
    "binary-file-changed-on-both-sides-keeps-the-projects": Scenario(
        project_edits={"logo.bin": b"\x89PNG\0ours"},
        template_change={"template/logo.bin": b"\x89PNG\0v2"},
        expect_files={"logo.bin": b"\x89PNG\0ours"},
        report={"skipped": ("logo.bin",)},
    ),
    "binary-file-untouched-takes-the-templates": Scenario(
        template_change={"template/logo.bin": b"\x89PNG\0v2"},
        expect_files={"logo.bin": b"\x89PNG\0v2"},
        report={"updated": ("logo.bin",)},
    ),
    "template-adds-a-question-with-a-default": Scenario(
        template_change={
            "copier.yml": TEMPLATE_V1["copier.yml"] + "team:\n  type: str\n  default: ml\n",
            "template/TEAM.md.jinja": "{{ team }}\n",
        },
        expect_files={"TEAM.md": "ml\n"},
        report={"added": ("TEAM.md",)},
    ),
    "data-sets-the-answer-to-a-new-question": Scenario(
        template_change={
            "copier.yml": TEMPLATE_V1["copier.yml"] + "team:\n  type: str\n  default: ml\n",
            "template/TEAM.md.jinja": "{{ team }}\n",
        },
        args=("--data", "team=vision"),
        expect_files={"TEAM.md": "vision\n"},
    ),
    "data-changes-an-answer-and-keeps-edits": Scenario(
        project_edits={"config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nzeta\n"},
        template_change={"template/NAME.txt.jinja": "{{ project_name }}\n"},
        args=("--data", "project_name=renamed"),
        expect_files={
            "NAME.txt": "renamed\n",
            "config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nzeta\n",
        },
    ),
    "pyproject-dependency-added-while-template-changes-another-line": Scenario(
        project_edits={"pyproject.toml": PYPROJECT_WITH_SIX.format(version="0.1.0")},
        template_change={
            "template/pyproject.toml.jinja": (
                '[project]\nname = "{{ project_name }}"\nversion = "0.2.0"\ndependencies = [\n]\n'
            )
        },
        expect_files={"pyproject.toml": PYPROJECT_WITH_SIX.format(version="0.2.0")},
        contains={"uv.lock": ('name = "six"', 'version = "1.16.0"')},
        report={"merged": ("pyproject.toml",)},
    ),
    "pyproject-pin-bumped-next-to-a-dependency-the-user-added": Scenario(
        project_edits={
            "pyproject.toml": PYPROJECT_DEPS.format(deps='  "six==1.16.0",\n  "idna==3.10",\n')
        },
        template_change={
            "template/pyproject.toml.jinja": PYPROJECT_DEPS.format(deps='  "six==1.17.0",\n')
        },
        expect_files={
            "pyproject.toml": PYPROJECT_DEPS.format(deps='  "six==1.17.0",\n  "idna==3.10",\n')
        },
        contains={"uv.lock": ('name = "six"\nversion = "1.17.0"', 'name = "idna"')},
        report={"merged": ("pyproject.toml",)},
    ),
    "pyproject-same-pin-changed-differently-on-both-sides": Scenario(
        project_edits={"pyproject.toml": PYPROJECT_DEPS.format(deps='  "six==1.15.0",\n')},
        template_change={
            "template/pyproject.toml.jinja": PYPROJECT_DEPS.format(deps='  "six==1.17.0",\n')
        },
        exit_code=1,
        contains={"pyproject.toml": ("<<<<<<< project", "six==1.15.0", "six==1.17.0")},
        report={"conflicted": ("pyproject.toml",)},
    ),
    "yaml-hook-added-next-to-a-hook-and-a-pin-the-template-changed": Scenario(
        project_edits={
            ".pre-commit-config.yaml": PRECOMMIT.replace(PYLINT_HOOK, PYLINT_HOOK + MYPY_HOOK)
        },
        template_change={
            "template/.pre-commit-config.yaml": PRECOMMIT.replace("26.10.1", "27.1.0").replace(
                "entry: pylint\n", "entry: pylint --jobs=0\n"
            )
        },
        expect_files={
            ".pre-commit-config.yaml": PRECOMMIT.replace("26.10.1", "27.1.0").replace(
                "entry: pylint\n", "entry: pylint --jobs=0\n" + MYPY_HOOK
            )
        },
        report={"merged": (".pre-commit-config.yaml",)},
    ),
    "yaml-same-value-changed-differently-on-both-sides": Scenario(
        project_edits={
            ".pre-commit-config.yaml": PRECOMMIT.replace("entry: pylint\n", "entry: pylint -j2\n")
        },
        template_change={
            "template/.pre-commit-config.yaml": PRECOMMIT.replace(
                "entry: pylint\n", "entry: pylint -j0\n"
            )
        },
        exit_code=1,
        contains={".pre-commit-config.yaml": ("<<<<<<< project", "pylint -j2", "pylint -j0")},
        report={"conflicted": (".pre-commit-config.yaml",)},
    ),
}

PYPROJECT_V1 = '[project]\nname = "{{ project_name }}"\nversion = "0.1.0"\ndependencies = [\n]\n'


@pytest.fixture(name="setup")
def fixture_setup(template_repo, tmp_path: Path) -> Callable[..., tuple[Path, object]]:
    """A template at v1.0.0 and a committed project made from it with `mlplate new`."""

    def make(*, with_lock: bool | str = False) -> tuple[Path, object]:
        files = dict(TEMPLATE_V1)
        if with_lock:
            files["template/pyproject.toml.jinja"] = (
                PYPROJECT_DEPS.format(deps='  "six==1.16.0",\n')
                if with_lock == "six"
                else PYPROJECT_V1
            )
        repo = template_repo(files, tag="v1.0.0")
        project = tmp_path / "project"
        new(project, template=str(repo.root), lock=with_lock)
        return project, repo

    return make


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _check_files(project: Path, expected: dict[str, str | bytes | None]) -> None:
    for rel, content in expected.items():
        path = project / rel
        if content is None:
            assert not path.exists(), f"{rel} should not exist"
        elif isinstance(content, bytes):
            assert path.read_bytes() == content, rel
        else:
            assert path.read_text() == content, rel


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_update_scenario(name, setup, run_cli):
    scenario = SCENARIOS[name]
    project, repo = setup(
        with_lock=("six" if "pin" in name else True) if "pyproject" in name else False
    )
    if scenario.project_edits:
        write_tree(project, scenario.project_edits)
        git(project, "add", "--all")
        git(project, "commit", "-qm", "project edits")
    repo.commit(scenario.template_change, tag="v2.0.0")

    result = run_cli("update", project, "--json", *scenario.args)

    assert result.exit_code == scenario.exit_code, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["from"] == "v1.0.0" and report["to"] == "v2.0.0"
    for action, paths in scenario.report.items():
        reported = {entry["path"] for entry in report["files"][action]}
        assert set(paths) <= reported, (action, report["files"])
    assert sorted(report["conflicted"]) == sorted(scenario.report.get("conflicted", ()))
    _check_files(project, scenario.expect_files)
    for rel, needles in scenario.contains.items():
        text = (project / rel).read_text()
        assert all(n in text for n in needles), text
    # No edit of the project is lost: every edited line is still somewhere in the project.
    for rel, content in scenario.project_edits.items():
        if isinstance(content, str) and rel != ".mlplate.yml":
            kept = project / rel
            moved = [
                p
                for p in project.rglob("*")
                if p.is_file() and content.strip().splitlines()[-1] in p.read_text(errors="ignore")
            ]
            assert kept.exists() or moved, f"the project's edit of {rel} was lost"
    assert not list(project.rglob("*.rej"))
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v2.0.0"


def test_update_with_no_project_changes_equals_a_fresh_copy(setup, tmp_path, run_cli):
    project, repo = setup()
    repo.commit(
        {"template/config.txt": "new\n", "template/NEW.md": "n\n", "template/Makefile": None},
        tag="v2.0.0",
    )
    assert run_cli("update", project).exit_code == 0
    fresh = tmp_path / "fresh"
    copier.run_copy(str(repo.root), str(fresh), defaults=True, quiet=True)
    assert _tree(project) == _tree(fresh)


def test_already_up_to_date_changes_nothing(setup, run_cli):
    project, _ = setup()
    before = _tree(project)
    result = run_cli("update", project, "--json")
    assert result.exit_code == 0
    assert _tree(project) == before
    assert git(project, "status", "--porcelain") == ""


def test_dry_run_prints_the_diff_and_touches_nothing(setup, run_cli):
    project, repo = setup()
    repo.commit({"template/Makefile": "test:\n\tpytest -q\n"}, tag="v2.0.0")
    before = _tree(project)
    result = run_cli("update", project, "--dry-run")
    assert result.exit_code == 0
    assert "-\tpytest\n+\tpytest -q" in result.stdout
    assert _tree(project) == before


def test_to_names_the_version(setup, run_cli):
    project, repo = setup()
    repo.commit({"template/Makefile": "v2\n"}, tag="v2.0.0")
    repo.commit({"template/Makefile": "v3\n"}, tag="v3.0.0")
    assert run_cli("update", project, "--to", "v2.0.0").exit_code == 0
    assert (project / "Makefile").read_text() == "v2\n"
    git(project, "commit", "-qam", "to v2")
    assert run_cli("update", project).exit_code == 0
    assert (project / "Makefile").read_text() == "v3\n"


def test_dirty_tree_is_refused_with_the_files_and_the_fix(setup, run_cli):
    project, repo = setup()
    repo.commit({"template/Makefile": "v2\n"}, tag="v2.0.0")
    (project / "config.txt").write_text("uncommitted\n")
    result = run_cli("update", project)
    assert result.exit_code == 2
    assert "config.txt" in result.stderr and "git stash" in result.stderr
    assert (project / "config.txt").read_text() == "uncommitted\n"
    assert (project / "Makefile").read_text() == "test:\n\tpytest\n"


@pytest.mark.parametrize(
    ("answers", "needle"),
    [
        (None, "has no .copier-answers.yml"),
        ("_commit: [unclosed\n", "not valid YAML"),
        ("a: 1\n", "_src_path"),
    ],
    ids=["no-answers-file", "invalid-answers-yaml", "answers-without-source"],
)
def test_bad_answers_file_is_one_clear_error(setup, run_cli, answers, needle):
    project, _ = setup()
    write_tree(project, {".copier-answers.yml": answers})
    git(project, "add", "--all")
    git(project, "commit", "-qm", "answers")
    result = run_cli("update", project)
    assert result.exit_code == 2 and needle in result.stderr and "Traceback" not in result.stderr


def test_interrupted_update_leaves_the_tree_as_it_was(setup, run_cli, monkeypatch):
    project, repo = setup()
    repo.commit({"template/Makefile": "v2\n", "template/config.txt": "v2\n"}, tag="v2.0.0")
    before = _tree(project)
    calls = {"n": 0}
    import mlplate.update as updating  # pylint: disable=import-outside-toplevel

    real_render = updating.render

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C while the target version renders
        return real_render(*args, **kwargs)

    monkeypatch.setattr(updating, "render", interrupted)
    result = run_cli("update", project)
    assert result.exit_code == 130
    assert _tree(project) == before


def test_project_updated_by_plain_copier_updates_again_with_mlplate(setup, run_cli):
    project, repo = setup()
    repo.commit({"template/Makefile": "v2\n"}, tag="v2.0.0")
    copier.run_update(str(project), defaults=True, overwrite=True, unsafe=False, quiet=True)
    git(project, "commit", "-qam", "copier update")
    repo.commit({"template/Makefile": "v3\n"}, tag="v3.0.0")
    assert run_cli("update", project).exit_code == 0
    assert (project / "Makefile").read_text() == "v3\n"


def test_new_question_without_default_names_the_data_to_pass(setup, run_cli):
    project, repo = setup()
    repo.commit(
        {
            "copier.yml": TEMPLATE_V1["copier.yml"] + "team:\n  type: str\n  help: Owning team\n",
            "template/TEAM.md.jinja": "{{ team }}\n",
        },
        tag="v2.0.0",
    )
    before = _tree(project)
    result = run_cli("update", project)
    assert result.exit_code == 2, result.stderr
    assert (
        "team" in result.stderr
        and "--data team=" in result.stderr
        and "Traceback" not in result.stderr
    )
    assert _tree(project) == before
    assert run_cli("update", project, "--data", "team=vision").exit_code == 0
    assert (project / "TEAM.md").read_text() == "vision\n"


MIGRATION = """
import sys
from pathlib import Path

notes = Path(sys.argv[1]) / "MIGRATIONS.log"
notes.write_text(notes.read_text() + "v2 ran\\n" if notes.exists() else "v2 ran\\n")
"""


def test_migrations_run_exactly_once_for_the_versions_crossed(setup, run_cli):
    project, repo = setup()
    repo.commit(
        {"hooks/migrations/v2.0.0.py": MIGRATION, "template/Makefile": "v2\n"}, tag="v2.0.0"
    )
    result = run_cli("update", project, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["migrations"] == ["v2.0.0.py"]
    assert (project / "MIGRATIONS.log").read_text() == "v2 ran\n"
    git(project, "add", "--all")
    git(project, "commit", "-qm", "to v2")
    repo.commit({"template/Makefile": "v3\n"}, tag="v3.0.0")
    assert run_cli("update", project).exit_code == 0
    assert (project / "MIGRATIONS.log").read_text() == "v2 ran\n"  # not again on the way to v3


def test_failed_migration_is_one_clear_error(setup, run_cli):
    project, repo = setup()
    failing = "import sys\nsys.exit('config.txt has no [gate] section')\n"
    repo.commit({"hooks/migrations/v2.0.0.py": failing}, tag="v2.0.0")
    result = run_cli("update", project)
    assert result.exit_code == 2
    assert "v2.0.0.py failed: config.txt has no [gate] section" in result.stderr
    assert "Traceback" not in result.stderr


def test_killed_update_leaves_the_tree_as_it_was(setup, tmp_path):
    project, repo = setup()
    repo.commit({"template/Makefile": "v2\n", "template/config.txt": "v2\n"}, tag="v2.0.0")
    before = _tree(project)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    with subprocess.Popen(
        [sys.executable, "-m", "mlplate", "update", str(project)], env=env
    ) as proc:
        deadline = time.monotonic() + 60
        while not list(scratch.glob("mlplate-update-*")) and proc.poll() is None:
            assert time.monotonic() < deadline, "the update never started rendering"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)  # no handler, no cleanup: the harshest interruption
        proc.wait()
    assert _tree(project) == before
    assert git(project, "status", "--porcelain") == ""
