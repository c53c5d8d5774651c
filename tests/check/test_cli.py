"""`mlplate check` on the command line: exit codes, --json contract, GitHub annotations, docs."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from mlplate.check import CheckJSON, OutcomeJSON, all_checks
from mlplate.check.docs import render


def test_exit_0_when_every_selected_check_passes(project, run_cli):
    done = run_cli("check", project, "--select", "MP1")
    assert done.exit_code == 0, done.stdout
    assert "7 passed, 0 failed, 0 skipped" in done.stdout


def test_exit_3_when_a_check_fails(project, run_cli):
    (project / "Dockerfile").write_text("FROM x\n")
    done = run_cli("check", project, "--select", "MP103")
    assert done.exit_code == 3
    assert "Dockerfile: modified" in done.stdout and "opt_out" in done.stdout


def test_json_envelope_keys_are_the_contract(project, run_cli):
    (project / "Dockerfile").write_text("FROM x\n")
    done = run_cli("check", project, "--select", "MP1", "--json")
    assert done.exit_code == 3
    payload = json.loads(done.stdout)
    assert set(payload) == set(CheckJSON.__annotations__)
    assert payload["mlplate_result_version"] == "1" and payload["command"] == "check"
    for entry in payload["checks"]:
        assert set(entry) == set(OutcomeJSON.__annotations__)
    assert payload["passed"] is False
    assert payload["counts"] == {"pass": 6, "fail": 1, "skip": 0}
    (mp103,) = [c for c in payload["checks"] if c["id"] == "MP103"]
    assert mp103["status"] == "fail" and mp103["details"] == ["Dockerfile: modified"]


def test_format_json_is_the_same_as_json(project, run_cli):
    a = json.loads(run_cli("check", project, "--select", "MP10", "--json").stdout)
    b = json.loads(run_cli("check", project, "--select", "MP10", "--format", "json").stdout)
    assert a == b


def test_github_annotations_name_file_and_line(project, run_cli, monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(project)
    (project / "Dockerfile").write_text("FROM x\n")
    (project / "notes.md").write_text("ok\n<<<<<<< mine\na\n=======\nb\n>>>>>>> theirs\n")
    done = run_cli("check", ".", "--select", "MP103,MP104,MP306", "--format", "github")
    assert done.exit_code == 3
    lines = done.stdout.splitlines()
    assert lines[0].startswith("::error file=Dockerfile,title=MP103 Template-owned files")
    assert "::Dockerfile: modified — Files the template owns" in lines[0]
    assert lines[1].startswith("::error file=notes.md,line=2,title=MP104 ")
    assert lines[2].startswith("::error title=MP306 The docs site is configured::")
    assert lines[-1] == "mlplate check: 3 check(s) failed"
    table = summary.read_text()
    assert "## mlplate check" in table and "| ❌ | MP103 |" in table


def test_github_annotations_of_a_project_in_a_subfolder(project, run_cli, monkeypatch):
    monkeypatch.chdir(project.parent)
    (project / "Dockerfile").write_text("FROM x\n")
    done = run_cli("check", project.name, "--select", "MP103", "--format", "github")
    assert done.stdout.startswith(f"::error file={project.name}/Dockerfile,")


def test_github_escapes_newlines_and_percent(project, run_cli, monkeypatch):
    monkeypatch.chdir(project)
    (project / "100%.rej").write_text("x\n")
    done = run_cli("check", ".", "--select", "MP105", "--format", "github")
    assert "file=100%25.rej," in done.stdout
    assert "\n" not in done.stdout.splitlines()[0]


def test_select_and_ignore_take_ids_and_prefixes(project, run_cli):
    payload = json.loads(
        run_cli("check", project, "--select", "MP1", "--ignore", "MP103,MP105", "--json").stdout
    )
    assert [c["id"] for c in payload["checks"]] == ["MP101", "MP102", "MP104", "MP106", "MP107"]


def test_select_takes_family_names(project, run_cli):
    payload = json.loads(run_cli("check", project, "--select", "structure", "--json").stdout)
    assert [c["id"] for c in payload["checks"]] == ["MP201", "MP202", "MP203", "MP204"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--select", "MP9"), "no check matches 'MP9'"),
        (("--ignore", "XX1"), "no check matches 'XX1'"),
        (("--format", "html"), "html"),
    ],
    ids=["unknown-select", "unknown-ignore", "unknown-format"],
)
def test_bad_input_exits_2_with_one_error(project, run_cli, args, message):
    done = run_cli("check", project, *args)
    assert done.exit_code == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_missing_path_exits_2(run_cli, tmp_path):
    done = run_cli("check", tmp_path / "nope")
    assert done.exit_code == 2
    assert "is not a directory" in done.stderr and "hint:" in done.stderr


def test_list_shows_every_check_with_its_fix(run_cli):
    listed = run_cli("check", "--list").stdout
    for cid, cls in all_checks().items():
        assert cid in listed
        assert cls.title().split()[0] in listed


def test_every_check_documents_itself():
    for cid, cls in all_checks().items():
        assert cls.family in {"sync", "structure", "conventions"}, cid
        assert cls.title() != cid and len(cls.title().splitlines()) == 1, cid
        assert "Fix:" in cls.fix(), f"{cid}: the failure message must say how to fix it"
        prefix = {"sync": "MP1", "structure": "MP2", "conventions": "MP3"}[cls.family]
        assert cid.startswith(prefix), cid
        assert set(cls.requires) <= set(all_checks()), cid


def test_docs_page_is_generated_from_the_checks():
    page = Path(__file__).resolve().parents[2] / "docs" / "check.md"
    assert (
        page.read_text(encoding="utf-8") == render()
    ), "docs/check.md is stale: run `python -m mlplate.check.docs > docs/check.md`"


def test_pre_commit_hook_runs_mlplate_check_once_per_commit():
    root = Path(__file__).resolve().parents[2]
    (hook,) = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "mlplate-check" and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["mlplate", "check"]
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    scripts = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "mlplate" in scripts["scripts"]
