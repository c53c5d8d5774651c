"""A project made from mlplate's bundled template updates on a teammate's machine.

An installed mlplate keeps its template in a git repository in the user cache.
These tests stand in for installed wheels: `_checkout()` finds no checkout, and
`_BUNDLE` is the template folder the wheel would carry.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlplate import gitrepo, template_cache, template_source
from mlplate.check import check
from mlplate.check.registry import Status
from mlplate.errors import UserError
from mlplate.new import new
from mlplate.update import update
from tests.conftest import git, write_tree

from .conftest import TEMPLATE_V1, commit_edits

V2 = {**TEMPLATE_V1, "template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\neta\n"}


def _wheel(folder: Path, files: dict) -> Path:
    """The template folder a wheel of mlplate carries (copier.yml, template/)."""
    write_tree(folder, files)
    return folder


@pytest.fixture(name="installed")
def fixture_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`installed(version, files, machine)`: mlplate `version` carrying `files`, on `machine`."""

    def install(version: str, files: dict, machine: str) -> Path:
        bundle = _wheel(tmp_path / f"wheel-{version}-{len(files)}-{machine}", files)
        monkeypatch.setattr(template_source, "_checkout", lambda: None)
        monkeypatch.setattr(template_source, "_BUNDLE", bundle)
        monkeypatch.setattr(template_source, "__version__", version)
        monkeypatch.setenv("MLPLATE_CACHE_DIR", str(tmp_path / machine / "cache"))
        return bundle

    return install


def _answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


def test_a_teammate_with_a_newer_mlplate_updates_a_project_made_from_the_bundled_template(
    installed, tmp_path, monkeypatch
):
    old_wheel = installed("0.1.0", TEMPLATE_V1, "mine")
    project = tmp_path / "mine" / "project"
    new(project, lock=False)
    recorded = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert _answers(project)["_src_path"] == "mlplate:bundled"
    assert _answers(project)["_commit"] == "v0.1.0"
    assert str(tmp_path / "mine") not in recorded  # no path of this machine in the project

    clone = tmp_path / "theirs" / "project"
    git(tmp_path, "clone", "--quiet", str(project), str(clone))
    installed("0.2.0", V2, "theirs")
    seeded = []

    def old_release_seeds_its_template(vcs_ref: str) -> None:
        # What `uv tool run --from mlplate==0.1.0` does on their machine: the old
        # release adds its own template to the shared cache repository.
        seeded.append(vcs_ref)
        template_source._cached_bundle(old_wheel, "0.1.0")  # pylint: disable=protected-access

    monkeypatch.setattr(template_source, "_from_release", old_release_seeds_its_template)
    commit_edits(clone, {"Makefile": "test:\n\tpytest -q\n"})

    report = update(clone, lock=False)

    assert seeded == ["v0.1.0"]
    assert report.exit_code == 0 and not report.conflicted
    assert "eta" in (clone / "config.txt").read_text(encoding="utf-8").split()
    assert (clone / "Makefile").read_text(encoding="utf-8") == "test:\n\tpytest -q\n"
    assert _answers(clone)["_src_path"] == "mlplate:bundled"
    assert _answers(clone)["_commit"] == "v0.2.0"
    git(clone, "commit", "-qam", "update")
    assert update(clone, lock=False).up_to_date


def test_a_project_made_with_a_newer_mlplate_names_the_upgrade(installed, tmp_path):
    installed("0.3.0", TEMPLATE_V1, "mine")
    project = tmp_path / "project"
    new(project, lock=False)
    installed("0.2.0", TEMPLATE_V1, "theirs")
    with pytest.raises(UserError) as raised:
        update(project, lock=False)
    assert "no version 'v0.3.0'" in str(raised.value)
    assert "upgrade mlplate" in raised.value.hint


def test_another_build_of_the_same_version_is_never_taken_from_the_cache(installed, tmp_path):
    installed("0.1.0", TEMPLATE_V1, "mine")
    first = template_source.bundled()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    answers = {"project_name": "demo"}
    first_render = template_cache.rendered(first, answers, scratch / "a")

    changed = V2
    installed("0.1.0", changed, "mine")  # a rebuild: same version name, other content
    second = template_source.bundled()
    second_render = template_cache.rendered(second, answers, scratch / "b")

    assert second.version == first.version == "v0.1.0"
    assert second.commit != first.commit
    assert second_render != first_render
    assert "eta" in (second_render / "config.txt").read_text(encoding="utf-8").split()
    assert "eta" not in (first_render / "config.txt").read_text(encoding="utf-8").split()
    # The first build stays readable for the projects that recorded it.
    assert gitrepo.tree_of(second.repo, first.commit)


@pytest.mark.parametrize("form", ["this machine's cache", "another machine's cache"])
def test_projects_that_recorded_a_cache_path_keep_updating(installed, tmp_path, form):
    installed("0.1.0", TEMPLATE_V1, "mine")
    project = tmp_path / "project"
    new(project, lock=False)
    path = (
        template_source.cache_dir()
        if form == "this machine's cache"
        else Path("/home/someone/.cache/mlplate/template")
    )
    text = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    commit_edits(project, {".copier-answers.yml": text.replace("mlplate:bundled", str(path))})
    assert {o.id: o for o in check(project, select=["MP103"]).outcomes}[
        "MP103"
    ].status is Status.PASS

    installed("0.2.0", V2, "mine")
    report = update(project, lock=False)

    assert report.exit_code == 0
    assert "eta" in (project / "config.txt").read_text(encoding="utf-8").split()
    assert _answers(project)["_src_path"] == "mlplate:bundled"  # the portable form from now on
