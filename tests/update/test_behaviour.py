"""`mlplate update` as a whole: equal to copier without edits, dry runs, interruptions, migrations,
interoperability with plain copier, and the JSON contract."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import copier
import pytest
import yaml

from mlplate.update import update
from mlplate.update.report import JSON_KEYS, LockJSON
from tests.conftest import GIT_ENV, git
from tests.update.conftest import (
    TEMPLATE_V1,
    assert_no_edit_lost,
    assert_no_rej,
    commit_edits,
    tree,
)

# A release that touches every kind of path: changed, added, deleted, renamed, a new question.
V2 = {
    "copier.yml": TEMPLATE_V1["copier.yml"] + "team:\n  type: str\n  default: ml\n",
    "template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nZETA\n",
    "template/TEAM.md.jinja": "Owned by {{ team }}.\n",
    "template/Makefile": None,
    "template/make/tasks.mk": "test:\n\tpytest\n",
    "template/Dockerfile": "FROM python:3.12-slim\nUSER app\n",
    "template/.pre-commit-config.yaml": str(
        TEMPLATE_V1["template/.pre-commit-config.yaml"]
    ).replace("26.10.1", "27.1.0"),
}
EDITS = {"config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nzeta\n", "NOTES.md": "ours\n"}


def _mlplate(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real console entry point in a child process (for signals and kills)."""
    return subprocess.run(
        [sys.executable, "-m", "mlplate", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
        check=False,
        timeout=120,
    )


def test_update_with_no_project_changes_equals_copier_update_and_a_fresh_copy(
    make_project, tmp_path, run_cli
):
    made = make_project()
    by_copier = tmp_path / "by-copier"
    shutil.copytree(made.project, by_copier, symlinks=True)
    made.repo.commit(V2, tag="v2.0.0")

    assert run_cli("update", made.project).exit_code == 0

    copier.run_update(str(by_copier), defaults=True, overwrite=True, unsafe=False, quiet=True)
    fresh = tmp_path / "fresh"
    copier.run_copy(str(made.repo.root), str(fresh), defaults=True, quiet=True)
    assert tree(made.project) == tree(by_copier)
    assert tree(made.project) == tree(fresh)


def test_seeded_files_are_where_mlplate_differs_from_copier_update(make_project, tmp_path):
    made = make_project()
    by_copier = tmp_path / "by-copier"
    shutil.copytree(made.project, by_copier, symlinks=True)
    made.repo.commit({**V2, "template/README.md.jinja": "# {{ project_name }}!\n"}, tag="v2.0.0")

    update(made.project)
    copier.run_update(str(by_copier), defaults=True, overwrite=True, unsafe=False, quiet=True)

    ours, theirs = tree(made.project), tree(by_copier)
    assert {k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k)} == {"README.md"}


def test_already_up_to_date_exits_0_and_changes_nothing(make_project, run_cli):
    made = make_project()
    before = tree(made.project)
    result = run_cli("update", made.project)
    assert result.exit_code == 0
    assert "up to date with template v1.0.0" in result.stdout
    assert tree(made.project) == before
    assert git(made.project, "status", "--porcelain") == ""


def test_a_second_update_after_committing_the_first_is_up_to_date(make_project, run_cli):
    made = make_project()
    commit_edits(made.project, EDITS)
    made.repo.commit(V2, tag="v2.0.0")
    assert run_cli("update", made.project).exit_code == 0
    git(made.project, "add", "--all")
    git(made.project, "commit", "-qm", "template v2.0.0")
    report = json.loads(run_cli("update", made.project, "--json").stdout)
    assert report["up_to_date"] and report["from"] == report["to"] == "v2.0.0"


def test_dry_run_prints_a_patch_git_applies_and_touches_nothing(make_project, tmp_path, run_cli):
    made = make_project()
    commit_edits(made.project, EDITS)
    made.repo.commit(V2, tag="v2.0.0")
    twin = tmp_path / "twin"
    shutil.copytree(made.project, twin, symlinks=True)
    before = tree(made.project)

    result = run_cli("update", made.project, "--dry-run")

    assert result.exit_code == 0, result.stderr
    assert tree(made.project) == before
    assert git(made.project, "status", "--porcelain") == ""
    patch = result.stdout[: result.stdout.index("would update")]
    assert "-zeta\n+ZETA\n" in patch and "--- a/Makefile\n+++ /dev/null" in patch
    (tmp_path / "update.patch").write_text(patch)
    git(made.project, "apply", str(tmp_path / "update.patch"))
    assert run_cli("update", twin).exit_code == 0
    assert tree(made.project) == tree(twin)


def test_hand_edited_answer_is_reported_and_reaches_templated_files(make_project):
    made = make_project()
    answers = made.project / ".copier-answers.yml"
    commit_edits(made.project, {answers.name: answers.read_text().replace("demo", "renamed")})
    made.repo.commit({"template/Makefile": "test:\n\tpytest -q\n"}, tag="v2.0.0")

    report = update(made.project)

    assert report.answers == {"project_name": {"from": "demo", "to": "renamed"}}
    assert 'name = "renamed"' in (made.project / "pyproject.toml").read_text()
    assert "project_name: renamed" in answers.read_text()


def test_relative_src_path_is_read_from_the_project_and_kept(make_project):
    made = make_project()
    answers = made.project / ".copier-answers.yml"
    relative = os.path.relpath(made.repo.root, made.project)
    commit_edits(
        made.project, {answers.name: answers.read_text().replace(str(made.repo.root), relative)}
    )
    made.repo.commit({"template/Makefile": "test:\n\tpytest -q\n"}, tag="v2.0.0")
    update(made.project)
    recorded = yaml.safe_load(answers.read_text())
    assert recorded["_src_path"] == relative and recorded["_commit"] == "v2.0.0"
    assert (made.project / "Makefile").read_text() == "test:\n\tpytest -q\n"


def test_a_template_at_a_git_url_is_updated_from_a_mirror(template_repo, tmp_path):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    url = f"git+file://{repo.root}"  # copier reads a git URL in this form
    project = tmp_path / "project"
    copier.run_copy(url, str(project), defaults=True, quiet=True, vcs_ref="v1.0.0")
    git(project, "init", "-q", "-b", "main")
    commit_edits(project, {"NOTES.md": "ours\n"})
    repo.commit({"template/Makefile": "test:\n\tpytest -q\n"}, tag="v2.0.0")

    report = update(project)

    assert (report.from_version, report.to_version) == ("v1.0.0", "v2.0.0")
    assert (project / "Makefile").read_text() == "test:\n\tpytest -q\n"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_src_path"] == url


@pytest.mark.parametrize("direction", ["copier-then-mlplate", "mlplate-then-copier"])
def test_copier_and_mlplate_updates_take_turns(make_project, direction):
    made = make_project()
    commit_edits(made.project, EDITS)
    tools = [
        lambda: copier.run_update(
            str(made.project), defaults=True, overwrite=True, unsafe=False, quiet=True
        ),
        lambda: update(made.project),
    ]
    if direction == "mlplate-then-copier":
        tools.reverse()
    for version, run in zip(("v2.0.0", "v3.0.0"), tools):
        made.repo.commit({"template/Makefile": f"test:\n\tpytest # {version}\n"}, tag=version)
        run()
        git(made.project, "add", "--all")
        git(made.project, "commit", "-qm", f"to {version}")
    assert (made.project / "Makefile").read_text() == "test:\n\tpytest # v3.0.0\n"
    assert yaml.safe_load((made.project / ".copier-answers.yml").read_text())["_commit"] == "v3.0.0"
    assert_no_edit_lost(made, EDITS)
    assert_no_rej(made.project)


MIGRATION = """
import os, sys
from pathlib import Path

project = Path(sys.argv[1])
assert Path.cwd() == project
log = project / "MIGRATIONS.log"
seen = (project / "config.txt").read_text().splitlines()[-1]
entry = f"{os.environ['MLPLATE_UPDATE_FROM']}->{os.environ['MLPLATE_UPDATE_TO']} saw {seen}\\n"
log.write_text((log.read_text() if log.exists() else "") + entry)
"""


def test_migrations_run_exactly_once_for_the_versions_crossed(make_project, run_cli):
    made = make_project()
    made.repo.commit(
        {"hooks/migrations/v2.0.0.py": MIGRATION, "template/config.txt": "merged first\n"},
        tag="v2.0.0",
    )
    # A dry run names the migrations a real run would run, and runs none of them.
    dry = json.loads(run_cli("update", made.project, "--json", "--dry-run").stdout)
    assert dry["migrations"] == ["v2.0.0.py"] and "MIGRATIONS.log" not in dry["diff"]
    assert not (made.project / "MIGRATIONS.log").exists()

    result = run_cli("update", made.project, "--json", "--trust")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["migrations"] == ["v2.0.0.py"]
    assert {"path": "MIGRATIONS.log", "reason": "changed by a template migration"} in report[
        "files"
    ]["added"]
    assert (made.project / "MIGRATIONS.log").read_text() == "v1.0.0->v2.0.0 saw merged first\n"
    git(made.project, "add", "--all")
    git(made.project, "commit", "-qm", "to v2")
    made.repo.commit({"template/Makefile": "v3\n"}, tag="v3.0.0")
    assert run_cli("update", made.project, "--trust").exit_code == 0
    assert (made.project / "MIGRATIONS.log").read_text().count("saw") == 1


def test_a_failing_migration_changes_nothing(make_project, run_cli):
    made = make_project()
    failing = "import sys\nsys.exit('config.txt has no [gate] section')\n"
    made.repo.commit(
        {"hooks/migrations/v2.0.0.py": failing, "template/Makefile": "v2\n"}, tag="v2.0.0"
    )
    before = tree(made.project)
    result = run_cli("update", made.project, "--trust")
    assert result.exit_code == 2
    assert "v2.0.0.py failed: config.txt has no [gate] section" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(made.project) == before


# ── interruptions ──────────────────────────────────────────────────────────


@pytest.fixture(name="interruptible")
def fixture_interruptible(make_project, tmp_path):
    """A project with a release waiting, and the tree as it was before any update."""
    made = make_project()
    commit_edits(made.project, EDITS)
    made.repo.commit(V2, tag="v2.0.0")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return made, tree(made.project), {"TMPDIR": str(scratch)}


@pytest.mark.parametrize(
    ("fault", "code"),
    [("rendered", -9), ("staged", -9), ("rendered:INT", 130), ("staged:TERM", 130)],
    ids=[
        "killed-while-rendering",
        "killed-once-staged",
        "ctrl-c-while-rendering",
        "sigterm-staged",
    ],
)
def test_an_interrupted_update_leaves_the_tree_exactly_as_it_was(interruptible, fault, code):
    made, before, env = interruptible
    done = _mlplate("update", made.project, env={**env, "MLPLATE_UPDATE_FAULT": fault})
    assert done.returncode == code, done.stderr
    assert tree(made.project) == before
    assert git(made.project, "status", "--porcelain") == ""
    if code == 130:
        assert "interrupted: nothing was changed" in done.stderr
        assert not list(Path(env["TMPDIR"]).iterdir())  # scratch renders removed on the way out
        assert not list((made.project / ".git" / "mlplate").glob("update-*"))


def test_an_update_killed_mid_apply_is_rolled_back_by_the_next_run(interruptible, tmp_path):
    made, before, env = interruptible
    twin = tmp_path / "twin"
    shutil.copytree(made.project, twin, symlinks=True)

    killed = _mlplate("update", made.project, env={**env, "MLPLATE_UPDATE_FAULT": "applying"})
    assert killed.returncode == -signal.SIGKILL
    assert tree(made.project) != before  # cut off halfway through the renames
    assert list((made.project / ".git" / "mlplate").glob("update-*/journal.json"))

    again = _mlplate("update", made.project, "--json", env=env)

    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["recovered"]
    assert update(twin).exit_code == 0
    assert tree(made.project) == tree(twin)
    assert not list((made.project / ".git" / "mlplate").glob("update-*"))


def test_a_second_update_of_the_same_project_waits_its_turn(make_project):
    fcntl = pytest.importorskip("fcntl")
    made = make_project()
    made.repo.commit({"template/Makefile": "v2\n"}, tag="v2.0.0")
    state = made.project / ".git" / "mlplate"
    state.mkdir(parents=True, exist_ok=True)
    with open(state / "update.lock", "w", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = _mlplate("update", made.project)
    assert done.returncode == 2 and "another mlplate update is running" in done.stderr


# ── the JSON contract ──────────────────────────────────────────────────────


def test_json_report_keys_are_the_versioned_contract(make_project, run_cli):
    made = make_project()
    made.repo.commit(V2, tag="v2.0.0")
    report = json.loads(run_cli("update", made.project, "--json").stdout)
    assert tuple(report) == JSON_KEYS
    assert report["mlplate_result_version"] == "1" and report["command"] == "update"
    assert set(report["files"]) == {
        "added",
        "updated",
        "merged",
        "conflicted",
        "deleted",
        "skipped",
    }
    assert set(report["lock"]) == set(LockJSON.__annotations__)


def test_an_answer_given_again_as_text_is_not_a_change():
    from mlplate.update import _changed_answers  # pylint: disable=import-outside-toplevel

    before = {"docker": True, "tracker": None, "seed": 3}
    after = {"docker": "true", "tracker": "none", "seed": "4"}
    assert _changed_answers(before, after) == {
        "tracker": {"from": None, "to": "none"},
        "seed": {"from": 3, "to": "4"},
    }
