"""The update corpus, hostile part: symlinks, races, kills, downgrades, trust, dry runs, monorepos.

Each test is one case an adversarial user or template produces (issue #13), with the
same invariants as the corpus of test_scenarios.py where they apply: no edit of the
project is lost, and what the report says is what is on disk. They need more than a
template release and committed edits (symlinks, a file saved mid-update, a kill, a
template that runs code), so each sets its case up itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from mlplate import lockfile
from mlplate.errors import UserError
from mlplate.update import apply, update
from tests.conftest import git
from tests.update.conftest import (
    TEMPLATE_V1,
    assert_report_true,
    commit_edits,
    tree,
)
from tests.update.test_behaviour import _mlplate

MAKEFILE_V2 = "test:\n\tpytest -q\n"
SECRET = "MLPLATE_TEST_SECRET_TOKEN"


def _release(made, files=None, *, tag: str | None = "v2.0.0", links=None) -> None:
    """Commit a template change (files, then symlinks name → target) and tag it."""
    for name, target in (links or {}).items():
        path = made.repo.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(path):
            path.unlink()
        os.symlink(target, path)
    made.repo.commit(files or {"template/Makefile": MAKEFILE_V2}, tag=tag)


def _link(project: Path, name: str, target: str) -> None:
    path = project / name
    if os.path.lexists(path):
        path.unlink()
    os.symlink(target, path)


def _answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


# ── 1. symlinks ────────────────────────────────────────────────────────────


def test_a_committed_symlink_survives_an_update_of_a_locked_project(make_project, run_cli):
    made = make_project(lock=True)
    _link(made.project, "docs/latest.md", "guide.md")
    commit_edits(made.project, {"NOTES.md": "ours\n"})
    _release(made)

    result = run_cli("update", made.project, "--json")

    assert result.exit_code == 0, result.stderr
    link = made.project / "docs/latest.md"
    assert link.is_symlink() and os.readlink(link) == "guide.md"
    assert "docs/latest.md" not in json.dumps(json.loads(result.stdout)["files"])
    assert (made.project / "Makefile").read_text() == MAKEFILE_V2


def test_a_file_the_project_made_a_symlink_stays_a_symlink(make_project, run_cli):
    made = make_project()
    (made.project / "shared").mkdir()
    (made.project / "shared/config.txt").write_text("ours, shared by several projects\n")
    _link(made.project, "config.txt", "shared/config.txt")
    commit_edits(made.project, {"NOTES.md": "ours\n"})
    _release(made, {"template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nZETA\n"})

    result = run_cli("update", made.project, "--json")

    # The template's change is not applied: a conflict (exit 1), with nothing written
    # into the link or its target.
    assert result.exit_code == 1, result.stderr
    link = made.project / "config.txt"
    assert link.is_symlink() and os.readlink(link) == "shared/config.txt"
    assert link.read_text() == "ours, shared by several projects\n"
    report = json.loads(result.stdout)
    conflicted = {e["path"]: e["reason"] for e in report["files"]["conflicted"]}
    assert "symlink" in conflicted["config.txt"] and "no markers" in conflicted["config.txt"]
    assert report["conflicted"] == ["config.txt"]


def test_nothing_is_written_through_a_symlinked_folder_of_the_project(
    make_project, run_cli, tmp_path
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "guide.md").write_text("a file outside the project\n")
    made = make_project()
    git(made.project, "rm", "-rq", "docs")
    _link(made.project, "docs", str(elsewhere))
    commit_edits(made.project, {"NOTES.md": "docs live elsewhere\n"})
    _release(made, {"template/docs/guide.md": "# Guide, v2\n"})

    result = run_cli("update", made.project, "--json")

    assert result.exit_code == 1, result.stderr  # the template's change needs a person
    assert (elsewhere / "guide.md").read_text() == "a file outside the project\n"
    conflicted = {e["path"]: e["reason"] for e in json.loads(result.stdout)["files"]["conflicted"]}
    assert "symlink" in conflicted["docs/guide.md"]


def test_a_template_symlink_pointing_outside_the_template_is_refused(
    make_project, run_cli, tmp_path
):
    secret = tmp_path / "secret.txt"
    secret.write_text("a file of this machine\n")
    made = make_project({"copier.yml": TEMPLATE_V1["copier.yml"] + "_preserve_symlinks: true\n"})
    _release(made, links={"template/leak.txt": str(secret)})
    before = tree(made.project)

    result = run_cli("update", made.project)

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and "leak.txt points outside the template" in lines[0]
    assert lines[1].startswith("hint: ") and "Traceback" not in result.stderr
    assert tree(made.project) == before and not os.path.lexists(made.project / "leak.txt")


def test_a_preserved_template_symlink_becomes_a_symlink_never_the_targets_contents(
    make_project, run_cli
):
    made = make_project({"copier.yml": TEMPLATE_V1["copier.yml"] + "_preserve_symlinks: true\n"})
    _release(made, links={"template/docs/latest.md": "guide.md"})

    result = run_cli("update", made.project, "--json")

    assert result.exit_code == 0, result.stderr
    link = made.project / "docs/latest.md"
    assert link.is_symlink() and os.readlink(link) == "guide.md"
    assert {"path": "docs/latest.md", "reason": "symlink to guide.md"} in json.loads(result.stdout)[
        "files"
    ]["added"]


# ── 2. recovery after a kill ───────────────────────────────────────────────


def test_recovery_never_overwrites_a_file_changed_after_the_kill(make_project, tmp_path):
    made = make_project()
    _release(made, {"template/Makefile": MAKEFILE_V2, "template/config.txt": "changed\n"})
    env = {"TMPDIR": str(tmp_path)}
    killed = _mlplate("update", made.project, env={**env, "MLPLATE_UPDATE_FAULT": "applying"})
    assert killed.returncode == -signal.SIGKILL
    assert (made.project / "Makefile").read_text() == MAKEFILE_V2  # renamed before the kill
    (made.project / "Makefile").write_text("the user's edit after the kill\n")

    again = _mlplate("update", made.project, env=env)

    assert again.returncode == 2, again.stderr
    assert "Makefile changed since it was written" in again.stderr
    assert (made.project / "Makefile").read_text() == "the user's edit after the kill\n"
    git(made.project, "restore", "Makefile")  # as the hint says, once the edit is saved
    done = _mlplate("update", made.project, "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["recovered"]
    assert (made.project / "config.txt").read_text() == "changed\n"


def test_a_dry_run_leaves_an_interrupted_update_to_the_next_real_run(make_project, tmp_path):
    made = make_project()
    _release(made, {"template/Makefile": MAKEFILE_V2, "template/config.txt": "changed\n"})
    env = {"TMPDIR": str(tmp_path)}
    _mlplate("update", made.project, env={**env, "MLPLATE_UPDATE_FAULT": "applying"})
    halfway = tree(made.project)

    dry = _mlplate("update", made.project, "--dry-run", "--json", env=env)

    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["recovered"] == []
    assert tree(made.project) == halfway and apply.pending(made.project)


# ── 3. a file saved while the update runs ──────────────────────────────────


def test_a_file_saved_after_the_plan_stops_the_update_untouched(make_project, monkeypatch):
    made = make_project()
    _release(made)
    before = tree(made.project)

    def save(stage: str) -> None:
        if stage == "staged":
            (made.project / "Makefile").write_text("saved by the user meanwhile\n")

    monkeypatch.setattr(apply, "fault", save)
    with pytest.raises(UserError, match="Makefile changed while the update ran"):
        update(made.project)

    assert tree(made.project) == {**before, "Makefile": b"saved by the user meanwhile\n"}


def test_a_file_saved_during_the_renames_rolls_the_update_back(make_project, monkeypatch):
    made = make_project()
    _release(made, {"template/Makefile": MAKEFILE_V2, "template/config.txt": "changed\n"})
    before = tree(made.project)
    edited = before[".copier-answers.yml"] + b"# a note the user saved\n"

    def save(stage: str) -> None:
        if stage == "applying":  # the first file is already renamed into place
            (made.project / ".copier-answers.yml").write_bytes(edited)

    monkeypatch.setattr(apply, "fault", save)
    with pytest.raises(UserError, match=".copier-answers.yml changed while the update ran"):
        update(made.project)

    assert tree(made.project) == {**before, ".copier-answers.yml": edited}


def test_a_lockfile_changed_while_uv_lock_runs_stops_the_update(make_project, monkeypatch):
    made = make_project(lock=True)
    _release(
        made,
        {
            "template/pyproject.toml.jinja": TEMPLATE_V1["template/pyproject.toml.jinja"].replace(
                "0.1.0", "0.2.0"
            )
        },
    )
    before = tree(made.project)
    real_lock = lockfile.lock
    meanwhile = before["uv.lock"] + b"\n# uv add, run by the user meanwhile\n"

    def lock_while_the_user_adds(project: Path) -> None:
        (made.project / "uv.lock").write_bytes(meanwhile)
        real_lock(project)

    monkeypatch.setattr(lockfile, "lock", lock_while_the_user_adds)
    with pytest.raises(UserError, match="uv.lock changed while the update ran"):
        update(made.project)

    assert tree(made.project) == {**before, "uv.lock": meanwhile}


# ── 6. downgrades and targets that are not releases ────────────────────────


def test_to_an_older_release_is_refused_unless_allowed(make_project, run_cli):
    made = make_project()
    _release(made)
    assert run_cli("update", made.project).exit_code == 0
    commit_edits(made.project, {"NOTES.md": "on v2\n"})
    before = tree(made.project)

    refused = run_cli("update", made.project, "--to", "v1.0.0")

    assert refused.exit_code == 2
    assert "older than the project's template version v2.0.0" in refused.stderr
    assert "--allow-downgrade" in refused.stderr and tree(made.project) == before
    allowed = run_cli("update", made.project, "--vcs-ref", "v1.0.0", "--allow-downgrade")
    assert allowed.exit_code == 0, allowed.stderr
    assert _answers(made.project)["_commit"] == "v1.0.0"


def test_a_branch_target_is_kept_by_the_next_plain_update(make_project, run_cli):
    made = make_project()
    _release(made)
    made.repo.commit({"template/config.txt": "the fix on main\n"}, tag=None)
    assert run_cli("update", made.project, "--to", "main").exit_code == 0
    recorded = _answers(made.project)["_commit"]
    assert recorded.startswith("v2.0.0-1-g")
    commit_edits(made.project, {"NOTES.md": "on main\n"})

    again = run_cli("update", made.project, "--json")

    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["up_to_date"]
    assert (made.project / "config.txt").read_text() == "the fix on main\n"
    assert _answers(made.project)["_commit"] == recorded


# ── 7. a hand-edited answer committed together with another file ───────────


def test_a_hand_edited_answer_committed_with_another_file_is_applied(make_project, run_cli):
    made = make_project()
    answers = (made.project / ".copier-answers.yml").read_text()
    commit_edits(
        made.project,
        {
            ".copier-answers.yml": answers.replace("project_name: demo", "project_name: renamed"),
            "NOTES.md": "committed in the same commit\n",
        },
    )
    _release(made)

    result = run_cli("update", made.project, "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["answers"] == {
        "project_name": {"from": "demo", "to": "renamed"}
    }
    assert 'name = "renamed"' in (made.project / "pyproject.toml").read_text()
    assert (made.project / "NOTES.md").read_text() == "committed in the same commit\n"


# ── 8. conflict markers in a git-ignored file ──────────────────────────────


def test_conflict_markers_in_an_ignored_file_are_reported_and_found_by_mp104(make_project, run_cli):
    made = make_project({"template/local.cfg": "mode = a\n"})
    commit_edits(made.project, {".gitignore": "local.cfg\n"})
    git(made.project, "rm", "-q", "--cached", "local.cfg")
    git(made.project, "commit", "-qm", "local.cfg is per machine")
    (made.project / "local.cfg").write_text("mode = mine\n")
    _release(made, {"template/local.cfg": "mode = b\n"})

    result = run_cli("update", made.project, "--json")

    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    (entry,) = report["files"]["conflicted"]
    assert entry["path"] == "local.cfg" and "git ignores this file" in entry["reason"]
    assert_report_true(made.project, report)
    assert git(made.project, "status", "--porcelain", "--", "local.cfg") == ""
    check = run_cli("check", made.project, "--select", "MP104", "--format", "json")
    assert "local.cfg:1" in check.stdout, check.stdout + check.stderr


# ── 9. dry runs ────────────────────────────────────────────────────────────


def test_a_dry_run_patch_applies_with_git_for_crlf_and_binary_files(make_project, run_cli):
    made = make_project({"template/crlf.txt": "one\r\ntwo\r\nthree\r\nfour\r\n"})
    commit_edits(made.project, {"crlf.txt": "ONE\r\ntwo\r\nthree\r\nfour\r\n"})
    _release(
        made,
        {
            "template/crlf.txt": "one\r\ntwo\r\nthree\r\nFOUR\r\n",
            "template/logo.bin": b"\x89PNG\0v2\xff\xfe",
            "template/Makefile": MAKEFILE_V2,
        },
    )
    (made.project / "NOTES.md").write_text("uncommitted: a dry run writes nothing\n")
    before = tree(made.project)

    dry = run_cli("update", made.project, "--dry-run", "--json")

    assert dry.exit_code == 0, dry.stderr
    patch = json.loads(dry.stdout)["diff"]
    assert "GIT binary patch" in patch and "\r\n" in patch
    assert tree(made.project) == before
    subprocess.run(
        ["git", "apply", "--check", "-"], cwd=made.project, input=patch.encode(), check=True
    )
    subprocess.run(["git", "apply", "-"], cwd=made.project, input=patch.encode(), check=True)
    assert (made.project / "crlf.txt").read_bytes() == b"ONE\r\ntwo\r\nthree\r\nFOUR\r\n"
    assert (made.project / "logo.bin").read_bytes() == b"\x89PNG\0v2\xff\xfe"


def test_a_dry_run_patch_makes_a_template_symlink_a_symlink(make_project, run_cli):
    made = make_project({"copier.yml": TEMPLATE_V1["copier.yml"] + "_preserve_symlinks: true\n"})
    _release(made, links={"template/docs/latest.md": "guide.md"})

    dry = run_cli("update", made.project, "--dry-run", "--json")

    patch = json.loads(dry.stdout)["diff"]
    assert "new file mode 120000" in patch
    subprocess.run(["git", "apply", "-"], cwd=made.project, input=patch.encode(), check=True)
    assert os.readlink(made.project / "docs/latest.md") == "guide.md"


# ── 10. a project in a subfolder of a larger repository ────────────────────


def test_a_project_in_a_subfolder_of_a_monorepo_updates(make_project, run_cli, tmp_path):
    made = make_project()
    mono = tmp_path / "mono"
    (mono / "services").mkdir(parents=True)
    git(mono, "init", "-q", "--initial-branch=main")
    (mono / "README.md").write_text("the monorepo\n")
    sub = mono / "services" / "model"
    os.rename(made.project, sub)
    (sub / ".git").rename(tmp_path / "project.git")  # now only the monorepo's git
    git(mono, "add", "--all")
    git(mono, "commit", "-qm", "monorepo with the model service")
    _release(made)
    (mono / "README.md").write_text("an unrelated uncommitted edit outside the project\n")
    dry = json.loads(run_cli("update", sub, "--dry-run", "--json").stdout)
    for where in (mono, sub):  # git's paths: the patch applies from the top or the folder
        subprocess.run(
            ["git", "apply", "--check", "-"], cwd=where, input=dry["diff"].encode(), check=True
        )

    result = run_cli("update", sub, "--json")

    assert result.exit_code == 0, result.stderr
    assert (sub / "Makefile").read_text() == MAKEFILE_V2
    assert _answers(sub)["_commit"] == "v2.0.0"
    changed = git(mono, "status", "--porcelain")
    assert "services/model/Makefile" in changed and "README.md" in changed
    (sub / "NOTES.md").write_text("an uncommitted edit inside the project\n")
    dirty = run_cli("update", sub)
    assert dirty.exit_code == 2 and "NOTES.md" in dirty.stderr


# ── 11. trust ──────────────────────────────────────────────────────────────

MIGRATION = f"""
import os, sys
from pathlib import Path
Path(sys.argv[1], "MIGRATED.txt").write_text(os.environ.get("{SECRET}", "no secret") + "\\n")
"""


def test_an_untrusted_template_with_migrations_is_refused_naming_trust(
    make_project, run_cli, monkeypatch
):
    made = make_project()
    _release(made, {"hooks/migrations/v2.0.0.py": MIGRATION, "template/Makefile": MAKEFILE_V2})
    before = tree(made.project)
    monkeypatch.setenv(SECRET, "hunter2")

    refused = run_cli("update", made.project)

    assert refused.exit_code == 2
    lines = refused.stderr.strip().splitlines()
    assert "--trust" in lines[0] and "hooks/migrations/v2.0.0.py" in lines[0]
    assert tree(made.project) == before
    many = run_cli("update", "--many", made.project, "--json")
    assert json.loads(many.stdout)["projects"][0]["status"] == "error"
    assert tree(made.project) == before

    trusted = run_cli("update", made.project, "--trust")

    assert trusted.exit_code == 0, trusted.stderr
    assert (made.project / "MIGRATED.txt").read_text() == "no secret\n"  # minimal environment


def test_a_template_listed_as_trusted_runs_its_migrations(make_project, run_cli, monkeypatch):
    made = make_project()
    _release(made, {"hooks/migrations/v2.0.0.py": MIGRATION, "template/Makefile": MAKEFILE_V2})
    monkeypatch.setenv("MLPLATE_TRUSTED_TEMPLATES", f"{made.repo.root.parent}/")

    assert run_cli("update", made.project).exit_code == 0
    assert (made.project / "MIGRATED.txt").is_file()


def test_copier_migrations_are_refused_never_ignored(make_project, run_cli):
    made = make_project()
    migrations = "_migrations:\n  - version: v2.0.0\n    command: touch MIGRATED\n"
    _release(
        made,
        {"copier.yml": TEMPLATE_V1["copier.yml"] + migrations, "template/Makefile": MAKEFILE_V2},
    )
    before = tree(made.project)

    for args in ((), ("--trust",)):
        result = run_cli("update", made.project, *args)
        assert result.exit_code == 2
        assert "copier _migrations for v2.0.0" in result.stderr
        assert "copier update --trust" in result.stderr
        assert tree(made.project) == before


def test_copier_tasks_are_refused_with_a_reason_that_fits_an_update(make_project, run_cli):
    made = make_project()
    tasks = "_tasks:\n  - touch TASKED\n"
    _release(
        made, {"copier.yml": TEMPLATE_V1["copier.yml"] + tasks, "template/Makefile": MAKEFILE_V2}
    )

    result = run_cli("update", made.project, "--trust")

    assert result.exit_code == 2
    assert "has copier _tasks, which mlplate update does not run" in result.stderr
    assert not (made.project / "TASKED").exists()


# ── 12. a path outside the project ─────────────────────────────────────────


def test_a_template_writing_outside_the_project_says_so(make_project, run_cli):
    made = make_project()
    question = "folder:\n  type: str\n  default: extra\n"
    _release(
        made,
        {
            "copier.yml": TEMPLATE_V1["copier.yml"] + question,
            "template/{{ folder }}/notes.txt": "out\n",
        },
    )

    result = run_cli("update", made.project, "--data", "folder=../../escaped")

    assert result.exit_code == 2
    assert "outside the project" in result.stderr and "invalid answer" not in result.stderr
