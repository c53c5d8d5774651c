"""Sync checks (MP1xx) on a project generated from an inline template repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from mlplate import gitrepo, template_cache
from mlplate.check import check
from mlplate.template_source import git_url
from mlplate.check.registry import Status
from tests.conftest import git

from .conftest import outcome


def _answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def _set_answers(project: Path, **changes) -> None:
    answers = {**_answers(project), **changes}
    answers = {k: v for k, v in answers.items() if v is not None}
    (project / ".copier-answers.yml").write_text(yaml.safe_dump(answers))


def test_every_sync_check_passes_on_a_fresh_project(project):
    result = check(project, select=["MP1"])
    assert {o.id: o.status for o in result.outcomes} == {
        f"MP10{i}": Status.PASS for i in range(1, 8)
    }


# ── MP101 answers file ─────────────────────────────────────────────────────


def test_mp101(project):
    assert outcome(project, "MP101").status is Status.PASS


def test_mp101_missing(project):
    (project / ".copier-answers.yml").unlink()
    result = outcome(project, "MP101")
    assert result.status is Status.FAIL and "_src_path" in result.message


def test_mp101_without_commit(project):
    _set_answers(project, _commit=None)
    assert outcome(project, "MP101").status is Status.FAIL


def test_checks_needing_the_answers_are_skipped_without_them_but_mp102_fails(project, run_cli):
    (project / ".copier-answers.yml").unlink()
    statuses = {o.id: o for o in check(project, select=["MP1"]).outcomes}
    for cid in ("MP103", "MP106"):
        assert statuses[cid].status is Status.SKIP
        assert "MP101" in statuses[cid].message
    assert statuses["MP102"].status is Status.FAIL  # it cannot tell: never a pass
    assert (
        "cannot tell" in statuses["MP102"].message and "mlplate adopt" in statuses["MP102"].message
    )
    assert run_cli("check", project, "--select", "MP102").exit_code != 0


def test_mp102_fails_on_an_unreadable_answers_file(project):
    (project / ".copier-answers.yml").write_text("_src_path: [unclosed\n")
    result = outcome(project, "MP102")
    assert result.status is Status.FAIL and "unreadable" in result.message


# ── MP102 latest release ───────────────────────────────────────────────────


def test_mp102(project):
    assert outcome(project, "MP102").status is Status.PASS


def test_mp102_behind_latest_release(project, template):
    template.commit({"template/README.md.jinja": "# {{ project_name }} v2\n"}, tag="v2.0.0")
    template.commit({"template/README.md.jinja": "# {{ project_name }} v3\n"}, tag="v3.0.0rc1")
    result = outcome(project, "MP102")
    assert result.status is Status.FAIL
    assert result.details == ("1 release(s) behind: on v1.0.0, latest is v2.0.0",)


def test_mp102_counts_from_a_commit_after_a_release(project, template):
    template.commit({"template/notes.txt": "x\n"})
    _set_answers(project, _commit=git(template.root, "describe", "--tags", "HEAD"))
    template.commit({"template/notes.txt": "y\n"}, tag="v1.1.0")
    template.commit({"template/notes.txt": "z\n"}, tag="v1.2.0")
    assert outcome(project, "MP102").details == (
        f"2 release(s) behind: on {_answers(project)['_commit']}, latest is v1.2.0",
    )


def test_mp102_skipped_when_the_template_has_no_releases(template_repo, tmp_path):
    from mlplate.new import new  # pylint: disable=import-outside-toplevel

    from .conftest import TEMPLATE  # pylint: disable=import-outside-toplevel

    untagged = template_repo(TEMPLATE, tag=None)
    new(tmp_path / "p", template=str(untagged.root), lock=False)
    result = outcome(tmp_path / "p", "MP102")
    assert result.status is Status.SKIP and "no release tags" in result.message


def test_mp102_fails_when_the_template_is_not_on_this_machine(project, tmp_path, run_cli):
    _set_answers(project, _src_path=str(tmp_path / "elsewhere"))
    result = outcome(project, "MP102")
    assert result.status is Status.FAIL
    assert "does not exist on this machine" in result.details[0]
    assert "MLPLATE_TEMPLATE" in result.message and "token" in result.message
    done = run_cli("check", project, "--select", "MP102")
    assert done.exit_code == 3, done.stdout + done.stderr
    assert "passed" in done.stdout and "0 failed" not in done.stdout


def test_mp102_fails_when_a_remote_template_cannot_be_reached(project, tmp_path):
    _set_answers(project, _src_path=f"file://{tmp_path / 'gone.git'}")
    result = outcome(project, "MP102")
    assert result.status is Status.FAIL and "cannot be read" in result.details[0]


def test_mp102_fails_when_the_recorded_tag_is_missing(project, template):
    git(template.root, "tag", "-d", "v1.0.0")
    template.commit({"template/notes.txt": "x\n"}, tag="v1.1.0")
    result = outcome(project, "MP102")
    assert result.status is Status.FAIL
    assert "v1.0.0 is not a tag of the template" in result.details[0]


def test_a_relative_src_path_is_read_from_the_project(project, template):
    _set_answers(project, _src_path=os.path.relpath(template.root, project))
    template.commit({"template/notes.txt": "x\n"}, tag="v2.0.0")
    assert outcome(project, "MP102").details == (
        "1 release(s) behind: on v1.0.0, latest is v2.0.0",
    )


def test_mp102_and_mp103_read_a_remote_template(project, template):
    """A git URL is asked with ls-remote and cloned once into the cache (file:// here)."""
    _set_answers(project, _src_path=f"file://{template.root}")
    template.commit({"template/Dockerfile": "FROM python:3.12-slim\n"}, tag="v2.0.0")
    result = {o.id: o for o in check(project, select=["MP102", "MP103", "MP106"]).outcomes}
    assert result["MP102"].details == ("1 release(s) behind: on v1.0.0, latest is v2.0.0",)
    assert result["MP103"].status is Status.PASS  # compared with v1.0.0, not v2.0.0
    assert result["MP106"].status is Status.PASS


def test_a_remote_template_is_asked_for_its_tags_once_an_hour(project, template, monkeypatch):
    _set_answers(project, _src_path=f"file://{template.root}")
    assert outcome(project, "MP102").status is Status.PASS
    template.commit({"template/notes.txt": "x\n"}, tag="v2.0.0")

    def offline(*args, **kwargs):
        raise AssertionError("asked the network again")

    online = gitrepo._network  # pylint: disable=protected-access
    monkeypatch.setattr(gitrepo, "_network", offline)
    assert outcome(project, "MP102").status is Status.PASS  # the saved list: no v2.0.0 yet
    monkeypatch.setattr(gitrepo, "_network", online)
    monkeypatch.setattr(template_cache, "TAGS_FRESH_FOR", 0)  # an hour later
    assert outcome(project, "MP102").details == (
        "1 release(s) behind: on v1.0.0, latest is v2.0.0",
    )


def test_unreachable_remote_template_fails_mp102_and_skips_the_file_comparisons(project, tmp_path):
    _set_answers(project, _src_path=f"file://{tmp_path}/gone.git")
    result = {o.id: o for o in check(project, select=["MP102", "MP103", "MP106"]).outcomes}
    assert result["MP102"].status is Status.FAIL
    for cid in ("MP102", "MP103", "MP106"):
        assert "unreachable" in result[cid].message
    for cid in ("MP103", "MP106"):
        assert result[cid].status is Status.SKIP


# ── MP103 drift of template-owned files ────────────────────────────────────


def test_mp103(project):
    assert outcome(project, "MP103").status is Status.PASS


def test_mp103_template_owned_file_edited(project):
    (project / "Dockerfile").write_text("FROM python:3.11-slim\nUSER root\n")
    (project / "README.md").write_text("# mine\n")  # seeded: edits are expected
    result = outcome(project, "MP103")
    assert result.status is Status.FAIL
    assert result.details == ("Dockerfile: modified",)


def test_mp103_template_owned_file_deleted(project):
    (project / "Dockerfile").unlink()
    assert outcome(project, "MP103").details == ("Dockerfile: deleted",)


def test_mp103_opted_out_file_is_the_projects(project):
    (project / "Dockerfile").write_text("FROM python:3.11-slim\n")
    policy = project / ".mlplate.yml"
    policy.write_text(policy.read_text().replace("opt_out: []", "opt_out: [Dockerfile]"))
    assert outcome(project, "MP103").status is Status.PASS


def test_mp103_line_endings_are_not_drift(project):
    dockerfile = project / "Dockerfile"
    dockerfile.write_bytes(dockerfile.read_bytes().replace(b"\n", b"\r\n"))
    assert outcome(project, "MP103").status is Status.PASS


def test_mp103_renders_once_then_reads_the_cache(project, monkeypatch):
    assert outcome(project, "MP103").status is Status.PASS

    def no_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(template_cache, "render", no_render)
    assert outcome(project, "MP103").status is Status.PASS


def test_checks_that_need_no_render_do_not_render(project, monkeypatch):
    def no_render(*args, **kwargs):
        raise AssertionError("rendered")

    monkeypatch.setattr(template_cache, "render", no_render)
    result = check(project, ignore=["MP103"])
    assert "MP103" not in {o.id for o in result.outcomes}


def test_render_cache_is_keyed_by_answers(project, private_cache):
    outcome(project, "MP103")
    _set_answers(project, project_name="other")
    (project / "README.md").write_text("# other\n")
    outcome(project, "MP103")
    assert len(list((private_cache / "mlplate/check/renders").iterdir())) == 2


def test_pruning_keeps_the_newest_renders_and_skips_one_another_process_removed(
    tmp_path, monkeypatch
):
    renders = tmp_path / "renders"
    for age in range(template_cache.KEEP_RENDERS + 3):
        entry = renders / f"render-{age}"
        entry.mkdir(parents=True)
        os.utime(entry, (1_000_000 - age, 1_000_000 - age))
    (renders / ".render-building").mkdir()  # a render another process is still making
    vanishing = renders / f"render-{template_cache.KEEP_RENDERS + 2}"
    real_stat = Path.stat

    def stat_while_another_worker_prunes(path, *args, **kwargs):
        status = real_stat(path, *args, **kwargs)
        if path == vanishing:  # the other worker removes it right after we looked
            vanishing.rmdir()
        return status

    monkeypatch.setattr(Path, "stat", stat_while_another_worker_prunes)
    template_cache._prune(renders)  # pylint: disable=protected-access
    monkeypatch.undo()
    kept = {p.name for p in renders.iterdir()}
    assert kept == {f"render-{age}" for age in range(template_cache.KEEP_RENDERS)} | {
        ".render-building"
    }


# ── MP104 conflict markers, MP105 .rej/.orig ───────────────────────────────


def test_mp104(project):
    (project / "notes.md").write_text("Title\n=======\n\nbody\n")  # a heading, not a conflict
    assert outcome(project, "MP104").status is Status.PASS


def test_mp104_conflict_markers(project):
    (project / "notes.md").write_text("a\n<<<<<<< project\nb\n=======\nc\n>>>>>>> template\n")
    result = outcome(project, "MP104")
    assert result.status is Status.FAIL and result.details == ("notes.md:2",)


def test_mp104_half_resolved_conflict(project):
    (project / "conf.txt").write_text("a\nb\n=======\nc\n>>>>>>> template v2\n")
    assert outcome(project, "MP104").details == ("conf.txt:5",)


def test_mp104_ignores_binary_and_ignored_files(project):
    (project / "blob.bin").write_bytes(b"\0\n<<<<<<< x\n")
    (project / ".gitignore").write_text("scratch/\n")
    (project / "scratch").mkdir()
    (project / "scratch/notes.md").write_text("<<<<<<< mine\n")
    assert outcome(project, "MP104").status is Status.PASS


def test_mp105(project):
    assert outcome(project, "MP105").status is Status.PASS


def test_mp105_rej_files(project):
    (project / "Dockerfile.rej").write_text("@@ -1 +1 @@\n")
    (project / "README.md.orig").write_text("# old\n")
    assert outcome(project, "MP105").details == ("Dockerfile.rej", "README.md.orig")


# ── MP106 answers against the questions ────────────────────────────────────


def test_mp106(project):
    assert outcome(project, "MP106").status is Status.PASS


def test_mp106_unknown_answer(project):
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text() + "colour: blue\n")
    assert outcome(project, "MP106").details == ("colour: not a question of the template",)


def test_mp106_invalid_choice(project):
    _set_answers(project, python_version="3.9")
    assert outcome(project, "MP106").details == (
        "python_version: '3.9' is not one of the choices (3.11, 3.12)",
    )


def test_mp106_missing_required_answer(project, template):
    template.commit(
        {"copier.yml": (template.root / "copier.yml").read_text() + "team:\n  type: str\n"},
        tag="v1.0.1",
    )
    _set_answers(project, _commit="v1.0.1")
    assert outcome(project, "MP106").details == ("team: no answer and no default",)


# ── MP107 ownership policy ─────────────────────────────────────────────────


def test_mp107(project):
    assert outcome(project, "MP107").status is Status.PASS


def test_mp107_invalid_policy(project):
    (project / ".mlplate.yml").write_text("ownership:\n  vendor: [x]\n")
    result = {o.id: o for o in check(project, select=["MP103", "MP107"]).outcomes}
    assert result["MP107"].status is Status.FAIL and "vendor" in result["MP107"].details[0]
    assert result["MP103"].status is Status.SKIP and ".mlplate.yml" in result["MP103"].message


@pytest.mark.parametrize("text", ["", "ownership: {}\n"], ids=["empty", "no-rules"])
def test_mp107_minimal_policies_are_valid(project, text):
    (project / ".mlplate.yml").write_text(text)
    assert outcome(project, "MP107").status is Status.PASS


# ── where the template is ──────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("src", "url"),
    [
        ("gh:acme/ml-template", "https://github.com/acme/ml-template"),
        ("gl:acme/ml-template", "https://gitlab.com/acme/ml-template"),
        ("git+https://example.com/t.git", "https://example.com/t.git"),
        ("https://example.com/t.git", "https://example.com/t.git"),
    ],
    ids=["github-shorthand", "gitlab-shorthand", "git+https", "https"],
)
def test_git_url_understands_copier_shorthands(src, url):
    assert git_url(src) == url


def test_a_project_in_a_sub_folder_of_a_repository(tmp_path):
    monorepo = tmp_path / "mono"
    monorepo.mkdir()
    git(monorepo, "init", "-q", "-b", "main")
    service = monorepo / "services" / "churn"
    service.mkdir(parents=True)
    (monorepo / ".gitignore").write_text("scratch.md\n")
    (service / "notes.md").write_text("<<<<<<< mine\n")
    (service / "scratch.md").write_text("<<<<<<< ignored by the repository's .gitignore\n")
    assert outcome(service, "MP104").details == ("notes.md:1",)
