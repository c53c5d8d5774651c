"""A team's template at a local path: recorded so teammates find it, or found for them.

`mlplate new --template PATH` records a path relative to the project when both sit in
one git repository, else the template's remote URL, else this machine's path with a
warning. A teammate whose recorded template cannot be reached updates and checks
through --template, MLPLATE_TEMPLATE or the user config file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from mlplate.check import check
from mlplate.check.registry import Status
from mlplate.errors import UserError
from mlplate.new import new
from mlplate.update import update
from tests.conftest import git

from .conftest import TEMPLATE_V1, commit_edits

RELEASE = {"template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\neta\n"}


def _src(project: Path) -> str:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return answers["_src_path"]


def test_a_template_in_the_projects_repository_is_recorded_relative(template_repo, tmp_path):
    mono = tmp_path / "mono"
    mono.mkdir()
    git(mono, "init", "-q")
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    shutil.move(repo.root, mono / "template")
    result = new(mono / "projects" / "churn", template=str(mono / "template"), lock=False)
    assert _src(mono / "projects" / "churn") == "../../template"
    assert not any("path of this machine" in w for w in result.warnings)


def test_a_template_with_a_remote_is_recorded_as_its_url(template_repo, tmp_path):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    bare = tmp_path / "server" / "template.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.root), str(bare))
    git(repo.root, "remote", "add", "origin", f"file://{bare}")
    new(tmp_path / "project", template=str(repo.root), lock=False)
    assert _src(tmp_path / "project") == f"file://{bare}"
    assert check(tmp_path / "project", select=["MP102"]).outcomes[0].status is Status.PASS


def test_only_a_machine_path_is_recorded_with_a_warning(template_repo, tmp_path):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    result = new(tmp_path / "project", template=str(repo.root), lock=False)
    assert _src(tmp_path / "project") == str(repo.root)
    (warning,) = [w for w in result.warnings if "path of this machine" in w]
    assert "MLPLATE_TEMPLATE" in warning


@pytest.fixture(name="moved")
def fixture_moved(template_repo, tmp_path):
    """A project made on my machine, a teammate's clone, and the template moved and released."""
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    project = tmp_path / "mine" / "project"
    new(project, template=str(repo.root), lock=False)
    recorded = _src(project)
    clone = tmp_path / "theirs" / "project"
    git(tmp_path, "clone", "-q", str(project), str(clone))
    moved = tmp_path / "theirs" / "team-template"
    shutil.move(repo.root, moved)
    repo.root = moved
    repo.commit(RELEASE, tag="v2.0.0")
    commit_edits(clone, {"Makefile": "test:\n\tpytest -q\n"})
    return clone, moved, recorded


def test_a_teammates_clone_updates_through_mlplate_template(moved, monkeypatch, run_cli):
    clone, template, recorded = moved
    monkeypatch.setenv("MLPLATE_TEMPLATE", str(template))

    result = run_cli("update", clone, "--no-lock")

    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"template read from {template} (named by MLPLATE_TEMPLATE" in result.stdout
    assert "eta" in (clone / "config.txt").read_text(encoding="utf-8").split()
    assert (clone / "Makefile").read_text(encoding="utf-8") == "test:\n\tpytest -q\n"
    assert _src(clone) == recorded  # the recorded source is kept, not this machine's path
    outcome = check(clone, select=["MP102"]).outcomes[0]
    assert outcome.status is Status.PASS, outcome


def test_update_and_check_take_template(moved, run_cli):
    clone, template, _ = moved
    done = run_cli("check", clone, "--select", "MP102", "--template", str(template))
    assert done.exit_code == 3 and "1 release(s) behind" in done.stdout
    report = update(clone, lock=False, template=str(template))
    assert report.template == {"recorded": _src(clone), "used": str(template), "via": "--template"}


def test_a_recorded_template_gone_without_a_fallback_is_one_error_naming_it(
    moved, monkeypatch, tmp_path, run_cli
):
    clone, _, recorded = moved
    monkeypatch.delenv("MLPLATE_TEMPLATE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    before = (clone / "config.txt").read_bytes()

    result = run_cli("update", clone, "--no-lock")

    assert result.exit_code == 2
    assert recorded in result.stderr and "MLPLATE_TEMPLATE" in result.stderr
    assert "Traceback" not in result.stderr
    assert (clone / "config.txt").read_bytes() == before
    mp102 = check(clone, select=["MP102"]).outcomes[0]
    assert mp102.status is Status.FAIL and recorded in mp102.details[0]


def test_a_fallback_that_is_not_a_template_names_where_it_was_set(moved, monkeypatch, tmp_path):
    clone, _, _ = moved
    monkeypatch.setenv("MLPLATE_TEMPLATE", str(tmp_path / "nowhere"))
    with pytest.raises(UserError) as raised:
        update(clone, lock=False)
    assert "from MLPLATE_TEMPLATE" in str(raised.value) and "MLPLATE_TEMPLATE" in raised.value.hint


def test_the_config_file_names_the_template_too(moved, monkeypatch, tmp_path):
    clone, template, _ = moved
    monkeypatch.delenv("MLPLATE_TEMPLATE", raising=False)
    config = tmp_path / "config" / "mlplate" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'template = "{template}"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    report = update(clone, lock=False)
    assert report.template["via"] == str(config)
    assert "eta" in (clone / "config.txt").read_text(encoding="utf-8").split()


def test_a_file_url_works_as_a_git_url(template_repo, tmp_path):
    repo = template_repo(TEMPLATE_V1, tag="v1.0.0")
    project = tmp_path / "project"
    new(project, template=f"file://{repo.root}", lock=False)
    assert _src(project) == f"file://{repo.root}"
    repo.commit(RELEASE, tag="v2.0.0")
    report = update(project, lock=False)
    assert report.to_version == "v2.0.0" and report.template["via"] == ".copier-answers.yml"
    assert "eta" in (project / "config.txt").read_text(encoding="utf-8").split()
