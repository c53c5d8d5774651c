"""Each check passes on a conforming project and fails, with details, on a broken one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mlplate.check import check
from mlplate.check.docs import render
from mlplate.check.catalog import all_checks
from mlplate.check.registry import Status
from mlplate.new import new
from tests.conftest import git, write_tree

TEMPLATE = {
    "copier.yml": (
        "_subdirectory: template\n"
        "project_name:\n  type: str\n  default: demo\n"
        "package_name:\n  type: str\n  default: demo\n"
    ),
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "template/.mlplate.yml": (
        "ownership:\n  template: [Dockerfile]\n  seeded: [README.md]\nopt_out: []\n"
    ),
    "template/Dockerfile": "FROM python:3.11-slim\nUSER app\nHEALTHCHECK CMD true\n",
    "template/README.md.jinja": "# {{ project_name }}\n",
}


def outcome(project: Path, cid: str):
    """The outcome of one check on `project`."""
    (result,) = check(project, select=[cid]).outcomes
    return result


@pytest.fixture(name="project")
def fixture_project(template_repo, tmp_path: Path) -> Path:
    """A project generated from a v1.0.0 template, committed."""
    repo = template_repo(TEMPLATE, tag="v1.0.0")
    dest = tmp_path / "proj"
    new(dest, template=str(repo.root), lock=False)
    return dest


def test_mp101(project):
    assert outcome(project, "MP101").status is Status.PASS


def test_mp101_missing(project):
    (project / ".copier-answers.yml").unlink()
    result = outcome(project, "MP101")
    assert result.status is Status.FAIL and "_src_path" in result.message


def test_mp102_behind_latest_release(project):
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    repo_root = Path(answers["_src_path"])
    write_tree(repo_root, {"template/README.md.jinja": "# {{ project_name }} v2\n"})
    git(repo_root, "commit", "-qam", "v2")
    git(repo_root, "tag", "v2.0.0")
    result = outcome(project, "MP102")
    assert result.status is Status.FAIL
    assert result.details == ("1 release(s) behind: on v1.0.0, latest is v2.0.0",)


def test_mp102_on_latest(project):
    assert outcome(project, "MP102").status is Status.PASS


def test_mp102_skipped_without_answers(project):
    (project / ".copier-answers.yml").unlink()
    result = check(project, select=["MP101", "MP102"]).outcomes[1]
    assert result.status is Status.SKIP and "MP101" in result.message


def test_mp103(project):
    assert outcome(project, "MP103").status is Status.PASS


def test_mp103_template_owned_file_edited(project):
    (project / "Dockerfile").write_text("FROM python:3.11-slim\nUSER root\n")
    (project / "README.md").write_text("# mine\n")  # seeded: edits are expected
    result = outcome(project, "MP103")
    assert result.status is Status.FAIL
    assert result.details == ("Dockerfile: modified",)


def test_mp103_opted_out_file_is_the_projects(project):
    (project / "Dockerfile").write_text("FROM python:3.11-slim\n")
    policy = project / ".mlplate.yml"
    policy.write_text(policy.read_text().replace("opt_out: []", "opt_out: [Dockerfile]"))
    assert outcome(project, "MP103").status is Status.PASS


def test_mp104_conflict_markers(project):
    (project / "notes.md").write_text("a\n<<<<<<< project\nb\n=======\nc\n>>>>>>> template\n")
    result = outcome(project, "MP104")
    assert result.status is Status.FAIL and result.details == ("notes.md:2",)


def test_mp105_rej_files(project):
    (project / "Dockerfile.rej").write_text("@@ -1 +1 @@\n")
    assert outcome(project, "MP105").details == ("Dockerfile.rej",)


def test_mp106_unknown_answer(project):
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text() + "colour: blue\n")
    assert outcome(project, "MP106").details == ("colour: not a question of the template",)


def test_structure_checks_name_what_is_missing(tmp_path):
    write_tree(
        tmp_path, {"src/pkg/__init__.py": "", "src/pkg/train.py": "", "docs/runbook.md": "x"}
    )
    result = {o.id: o for o in check(tmp_path, select=["MP2"]).outcomes}
    assert "src/pkg/serve.py" in result["MP201"].details
    assert "src/pkg/train.py" not in result["MP201"].details
    assert result["MP202"].status is Status.FAIL
    assert result["MP203"].details == ("docs/model-card.md", "docs/data-card.md")
    assert result["MP204"].status is Status.FAIL


HARDENED = """
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
        with: {persist-credentials: false}
      - run: uv run pre-commit run --all-files && uv run pytest
"""


def test_mp301_mp302_hardened_workflow(tmp_path):
    write_tree(tmp_path, {".github/workflows/ci.yml": HARDENED})
    assert [o.status for o in check(tmp_path, select=["MP301", "MP302"]).outcomes] == [
        Status.PASS
    ] * 2


def test_mp302_unpinned_action_and_persisted_credentials(tmp_path):
    loose = HARDENED.replace("permissions: {}\n", "").replace(
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "actions/checkout@v4"
    )
    write_tree(
        tmp_path,
        {".github/workflows/ci.yml": loose.replace("with: {persist-credentials: false}", "")},
    )
    result = check(tmp_path, select=["MP301", "MP302"]).outcomes[1]
    assert set(result.details) == {
        "ci.yml: no top-level permissions",
        "ci.yml: actions/checkout@v4 is not pinned to a commit SHA",
        "ci.yml: checkout without persist-credentials: false",
    }


@pytest.mark.parametrize(
    ("dockerfile", "details"),
    [
        ("FROM a AS build\nUSER app\nFROM b\nHEALTHCHECK CMD x\n", ("final stage runs as root",)),
        ("FROM b\nUSER app\n", ("no HEALTHCHECK",)),
        ("FROM b\nUSER app\nHEALTHCHECK CMD x\n", ()),
    ],
    ids=["root-final-stage", "no-healthcheck", "good"],
)
def test_mp303_dockerfile(tmp_path, dockerfile, details):
    write_tree(tmp_path, {"Dockerfile": dockerfile})
    assert outcome(tmp_path, "MP303").details == details


def test_mp304_remote_and_unpinned_hooks(tmp_path):
    config = {
        "repos": [
            {"repo": "https://example.com/hooks", "rev": "v1", "hooks": [{"id": "x"}]},
            {
                "repo": "local",
                "hooks": [
                    {"id": "black", "language": "python", "additional_dependencies": ["black"]}
                ],
            },
        ]
    }
    write_tree(tmp_path, {".pre-commit-config.yaml": yaml.safe_dump(config)})
    assert outcome(tmp_path, "MP304").details == (
        "remote hook repository https://example.com/hooks",
        "hook black: unpinned black",
    )


def test_mp305_missing_lockfile(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "0"\n'})
    assert outcome(tmp_path, "MP305").details == ("uv.lock is missing",)


def test_cli_exit_codes_json_and_github_annotations(project, run_cli):
    assert run_cli("check", project, "--select", "MP1").exit_code == 0
    (project / "Dockerfile").write_text("FROM x\n")
    failed = run_cli("check", project, "--select", "MP1", "--json")
    assert failed.exit_code == 3
    payload = json.loads(failed.stdout)
    assert set(payload) == {
        "mlplate_result_version",
        "command",
        "project",
        "passed",
        "counts",
        "checks",
    }
    assert set(payload["checks"][0]) == {"id", "family", "title", "status", "message", "details"}
    assert payload["passed"] is False and payload["counts"]["fail"] == 1
    github = run_cli("check", project, "--select", "MP103", "--format", "github")
    assert github.stdout.startswith("::error file=Dockerfile,title=MP103 ")
    assert run_cli("check", project, "--select", "MP9").exit_code == 2


def test_list_shows_every_check(run_cli):
    listed = run_cli("check", "--list").stdout
    assert all(cid in listed for cid in all_checks())


def test_docs_page_is_generated_from_the_checks():
    page = Path(__file__).resolve().parents[2] / "docs" / "check.md"
    assert (
        page.read_text() == render()
    ), "docs/check.md is stale: python -m mlplate.check.docs > docs/check.md"
