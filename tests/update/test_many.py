"""`mlplate update --many`: parallel, one failure does not stop the others, a true summary."""

from __future__ import annotations

import json

from mlplate.new import new
from tests.conftest import git
from tests.update.test_scenarios import TEMPLATE_V1


def test_many_updates_each_project_and_reports_every_outcome(template_repo, tmp_path, run_cli):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    clean, dirty, clashing = (tmp_path / name for name in ("clean", "dirty", "clashing"))
    for project in (clean, dirty, clashing):
        new(project, template=str(repo.root), lock=False)
    (dirty / "config.txt").write_text("uncommitted\n")
    (clashing / "Makefile").write_text("test:\n\tnox\n")
    git(clashing, "commit", "-qam", "our Makefile")
    repo.commit({"template/Makefile": "test:\n\tpytest -q\n"}, tag="v2.0.0")
    listing = tmp_path / "projects.txt"
    listing.write_text(f"# the team's projects\n{dirty}\n{clashing}\n")

    result = run_cli("update", clean, "--many-file", listing, "--jobs", "2", "--json")

    assert result.exit_code == 2, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    status = {entry["project"]: entry for entry in summary["projects"]}
    assert status[str(clean)]["status"] == "updated"
    assert status[str(clashing)]["status"] == "conflicts"
    assert status[str(dirty)]["status"] == "error" and "config.txt" in status[str(dirty)]["detail"]
    assert summary["counts"] == {"updated": 1, "conflicts": 1, "up-to-date": 0, "error": 1}
    assert (clean / "Makefile").read_text() == "test:\n\tpytest -q\n"
    assert "<<<<<<< project" in (clashing / "Makefile").read_text()
    assert (dirty / "config.txt").read_text() == "uncommitted\n"
    assert (dirty / "Makefile").read_text() == "test:\n\tpytest\n"


def test_many_with_everything_current_exits_0(template_repo, tmp_path, run_cli):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    projects = [tmp_path / f"p{i}" for i in range(2)]
    for project in projects:
        new(project, template=str(repo.root), lock=False)
    result = run_cli("update", projects[0], "--many", projects[1], "--jobs", "1")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("up-to-date") == 2
