"""`mlplate update --many`: parallel, one failure does not stop the others, a true summary."""

from __future__ import annotations

import json

from mlplate.new import new
from tests.conftest import git
from tests.update.conftest import TEMPLATE_V1


def test_many_updates_each_project_and_reports_every_outcome(template_repo, tmp_path, run_cli):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    clean, dirty, clashing, current = (
        tmp_path / name for name in ("clean", "dirty", "clashing", "current")
    )
    for project in (clean, dirty, clashing):
        new(project, template=str(repo.root), lock=False)
    (dirty / "config.txt").write_text("uncommitted\n")
    (clashing / "Makefile").write_text("test:\n\tnox\n")
    git(clashing, "commit", "-qam", "our Makefile")
    repo.commit({"template/Makefile": "test:\n\tpytest -q\n"}, tag="v2.0.0")
    new(current, template=str(repo.root), lock=False)
    listing = tmp_path / "projects.txt"
    listing.write_text("# the team's projects, relative to this file\ndirty\nclashing\ncurrent\n")

    result = run_cli("update", clean, "--many-file", listing, "--jobs", "2", "--json")

    assert result.exit_code == 2, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["mlplate_result_version"] == "1" and summary["command"] == "update-many"
    status = {entry["project"]: entry for entry in summary["projects"]}
    assert list(status) == [str(p) for p in (clean, dirty, clashing, current)]
    assert status[str(clean)]["status"] == "updated"
    assert status[str(clashing)]["status"] == "conflicts", status[str(clashing)]
    assert status[str(current)]["status"] == "up-to-date"
    assert status[str(dirty)]["status"] == "error" and "config.txt" in status[str(dirty)]["detail"]
    assert "git stash" in status[str(dirty)]["hint"]
    assert status[str(clean)]["report"]["to"] == "v2.0.0"
    assert summary["counts"] == {"updated": 1, "conflicts": 1, "up-to-date": 1, "error": 1}
    assert (clean / "Makefile").read_text() == "test:\n\tpytest -q\n"
    assert "<<<<<<< project" in (clashing / "Makefile").read_text()
    assert (dirty / "config.txt").read_text() == "uncommitted\n"
    assert (dirty / "Makefile").read_text() == "test:\n\tpytest\n"


def test_many_paths_after_the_flag_with_everything_current_exit_0(template_repo, tmp_path, run_cli):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    projects = [tmp_path / f"p{i}" for i in range(2)]
    for project in projects:
        new(project, template=str(repo.root), lock=False)
    result = run_cli("update", "--many", *projects, "--jobs", "1")
    assert result.exit_code == 0, result.stdout
    assert "2 up-to-date" in result.stdout and "mlplate update --many" in result.stdout


def test_many_dry_run_changes_no_project(template_repo, tmp_path, run_cli):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    projects = [tmp_path / f"p{i}" for i in range(2)]
    for project in projects:
        new(project, template=str(repo.root), lock=False)
    repo.commit({"template/Makefile": "v2\n"}, tag="v2.0.0")
    result = run_cli("update", *projects, "--dry-run", "--json")
    assert result.exit_code == 0, result.stdout
    assert [p["status"] for p in json.loads(result.stdout)["projects"]] == ["updated"] * 2
    assert all((p / "Makefile").read_text() == "test:\n\tpytest\n" for p in projects)


def test_many_table_says_what_changed_where(template_repo, tmp_path, run_cli):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    merging, clashing = tmp_path / "merging", tmp_path / "clashing"
    for project in (merging, clashing):
        new(project, template=str(repo.root), lock=False)
    (merging / "config.txt").write_text("ALPHA\nbeta\ngamma\ndelta\nepsilon\nzeta\n")
    git(merging, "commit", "-qam", "our first line")
    (clashing / "Makefile").write_text("test:\n\tnox\n")
    git(clashing, "commit", "-qam", "our Makefile")
    repo.commit(
        {
            "template/Makefile": "test:\n\tpytest -q\n",
            "template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nZETA\n",
            "template/NEW.md": "new\n",
        },
        tag="v2.0.0",
    )

    result = run_cli("update", merging, clashing, "--jobs", "1", "--json")

    status = {entry["project"]: entry["detail"] for entry in json.loads(result.stdout)["projects"]}
    assert status[str(merging)] == (
        "updated v1.0.0 -> v2.0.0: merged, the project's edits kept (1): config.txt; "
        "updated (1): Makefile; added (1): NEW.md"
    )
    assert status[str(clashing)].startswith("v1.0.0 -> v2.0.0: conflicts (1): Makefile; ")
    assert "merged, the project's edits kept (0)" not in status[str(clashing)]
