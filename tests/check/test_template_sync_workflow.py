"""The generated project's template-sync workflow: its steps' shell, run with stand-in tools."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from mlplate.new import new


@pytest.fixture(name="workflow", scope="module")
def fixture_workflow(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """template-sync.yml of a project generated from the bundled template."""
    root = tmp_path_factory.mktemp("sync") / "proj"
    new(root, defaults=True, git=False, lock=False)
    return yaml.safe_load((root / ".github/workflows/template-sync.yml").read_text())


def _step(workflow: dict, job: str, name: str) -> dict:
    (step,) = [s for s in workflow["jobs"][job]["steps"] if s.get("name") == name]
    return step


def _run(script: str, tmp_path: Path, uvx: str) -> tuple[int, dict[str, str]]:
    """Run a step's script with a stand-in `uvx`; return its exit code and its outputs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "uvx"
    fake.write_text(f"#!/bin/sh\n{uvx}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    outputs = tmp_path / "outputs"
    outputs.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(tmp_path),
        "MLPLATE_SPEC": "mlplate==0.0.0",
    }
    done = subprocess.run(["bash", "-e", "-c", script], env=env, cwd=tmp_path, check=False)
    pairs = [line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line]
    return done.returncode, dict(pairs)


def test_the_workflow_runs_weekly_and_on_demand_and_needs_mlplate_spec(workflow):
    assert set(workflow[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads on: as True
    assert workflow["jobs"]["check"]["if"] == "vars.MLPLATE_SPEC != ''"
    assert workflow["jobs"]["check"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["update"]["needs"] == "check"


@pytest.mark.parametrize(
    ("exit_code", "behind", "step_fails"),
    [(0, "false", False), (3, "true", False), (2, None, True)],
    ids=["up-to-date", "behind", "mlplate-error"],
)
def test_behind_step_reads_mlplate_check_exit_codes(
    workflow, tmp_path, exit_code, behind, step_fails
):
    script = _step(workflow, "check", "Is a newer template release out?")["run"]
    status, outputs = _run(script, tmp_path, f"exit {exit_code}")
    assert (status != 0) is step_fails
    assert outputs.get("behind") == behind


# GitHub's runners have jq; a machine without it cannot run this step's script.
needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


@needs_jq
def test_behind_step_fails_visibly_when_mlplate_cannot_tell(workflow, tmp_path, monkeypatch):
    detail = "cannot tell: the template /gone cannot be read: it does not exist on this machine"
    report = json.dumps(
        {"checks": [{"id": "MP102", "details": [detail], "message": f"{detail}\nFix: a token"}]}
    )
    script = _step(workflow, "check", "Is a newer template release out?")["run"]
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    status, outputs = _run(script, tmp_path, f"printf '%s' '{report}'; exit 3")
    assert status == 1 and "behind" not in outputs
    assert "cannot tell" in summary.read_text() and "Fix: a token" in summary.read_text()


@needs_jq
@pytest.mark.parametrize(
    ("exit_code", "conflicts"), [(0, "0"), (1, "1")], ids=["clean", "conflicts"]
)
def test_update_step_passes_on_the_version_and_conflicts(workflow, tmp_path, exit_code, conflicts):
    report = json.dumps({"to": "v2.0.0"})
    script = _step(workflow, "update", "Update to the latest template release")["run"]
    status, outputs = _run(script, tmp_path, f"echo '{report}'; exit {exit_code}")
    assert status == 0
    assert {k: v for k, v in outputs.items() if k != "body"} == {
        "conflicts": conflicts,
        "version": "v2.0.0",
    }


REPORT = {
    "from": "v1.0.0",
    "to": "v2.0.0",
    "files": {
        "conflicted": [{"path": ".github/workflows/ci.yml", "reason": "both sides changed"}],
        "merged": [{"path": "src/churn/train.py"}],
        "updated": [{"path": "Makefile"}],
        "added": [],
        "deleted": [{"path": "docs/old.md", "reason": "moved by the template to docs/new.md"}],
        "skipped": [],
    },
    "lock": {"status": "regenerated", "reason": "pyproject.toml changed"},
    "migrations": [],
}


def _pull_request(workflow: dict, tmp_path: Path, body: str, *, token: bool) -> tuple[str, str]:
    """Run the pull request step with stand-in git and gh; returns the body gh got and the
    step summary."""
    script = _step(workflow, "pull-request", "Open or refresh the pull request")["run"]
    bin_dir = tmp_path / "prbin"
    bin_dir.mkdir()
    for name, action in (("git", "true"), ("gh", 'printf "%s\\n" "$@" >> "$GH_CALLS"; echo 0')):
        fake = bin_dir / name
        fake.write_text(f"#!/bin/bash\n{action}\n")
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    summary, calls = tmp_path / "summary.md", tmp_path / "gh-calls"
    summary.write_text("")
    calls.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GH_CALLS": str(calls),
        "PATCH": "",
        "BODY": body,
        "VERSION": "v2.0.0",
        "CONFLICTS": "1",
        "TEAM_TOKEN": "true" if token else "false",
    }
    script = script.replace("printf '%s' \"$PATCH\" | base64 -d | gunzip | git apply", "true ||")
    subprocess.run(["bash", "-e", "-c", script], env=env, cwd=tmp_path, check=True)
    return calls.read_text(), summary.read_text()


@needs_jq
@pytest.mark.parametrize("token", [True, False], ids=["team-token", "github-token"])
def test_the_pull_request_body_says_what_changed_where(workflow, tmp_path, token):
    script = _step(workflow, "update", "Update to the latest template release")["run"]
    _, outputs = _run(script, tmp_path, f"printf '%s' '{json.dumps(REPORT)}'; exit 1")

    gh_calls, summary = _pull_request(workflow, tmp_path, outputs["body"], token=token)

    assert "Conflicts: resolve the <<<<<<< markers before merging (1)" in gh_calls
    assert "- `.github/workflows/ci.yml`: both sides changed" in gh_calls
    assert "### Merged: the project's edits kept, the template's changes added (1)" in gh_calls
    assert "- `src/churn/train.py`" in gh_calls and "- `Makefile`" in gh_calls
    assert "moved by the template to docs/new.md" in gh_calls
    assert "uv.lock: regenerated" in gh_calls
    assert ("CI did not run" in summary) is not token
    assert ("CI did not run" in gh_calls) is not token


def test_the_pull_request_job_reads_the_team_token_from_its_environment(workflow):
    job = workflow["jobs"]["pull-request"]
    env = _step(workflow, "pull-request", "Open or refresh the pull request")["env"]
    assert job["environment"] == "template-sync"
    assert env["GH_TOKEN"] == "${{ secrets.MLPLATE_SYNC_TOKEN || github.token }}"


def test_update_step_fails_on_an_mlplate_error(workflow, tmp_path):
    script = _step(workflow, "update", "Update to the latest template release")["run"]
    status, _ = _run(script, tmp_path, "echo 'error: dirty' >&2; exit 2")
    assert status == 2


def _runs_code(job: dict) -> bool:
    """True when a job installs or runs mlplate (and so, maybe, the template's migrations)."""
    return any(
        "setup-uv" in step.get("uses", "") or "uvx" in step.get("run", "") for step in job["steps"]
    )


def test_the_job_that_can_write_runs_no_template_code(workflow):
    jobs = workflow["jobs"]
    writers = [n for n, j in jobs.items() if "write" in (j.get("permissions") or {}).values()]
    assert writers == ["pull-request"]
    assert not _runs_code(jobs["pull-request"])
    for name, job in jobs.items():
        if _runs_code(job):
            assert set((job.get("permissions") or {}).values()) <= {"read"}, name
    assert jobs["update"]["permissions"] == {"contents": "read"}
    assert jobs["pull-request"]["needs"] == "update"


def test_the_update_reaches_the_pull_request_job_as_a_patch_git_applies(workflow, tmp_path):
    origin = tmp_path / "origin"
    origin.mkdir()
    for args in (["init", "-q", "--initial-branch=main"], ["config", "core.autocrlf", "false"]):
        subprocess.run(["git", *args], cwd=origin, check=True)
    (origin / "crlf.txt").write_bytes(b"one\r\ntwo\r\n")
    (origin / "old.txt").write_text("removed by the update\n")
    subprocess.run(["git", "add", "-A"], cwd=origin, check=True)
    subprocess.run(["git", "commit", "-qm", "v1"], cwd=origin, check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    (origin / "crlf.txt").write_bytes(b"one\r\nTWO\r\n")
    (origin / "logo.bin").write_bytes(b"\x89PNG\0\xff\xfe")
    (origin / "old.txt").unlink()
    outputs = tmp_path / "outputs"
    script = _step(workflow, "update", "Hand the change over as a patch")["run"]
    env = {**os.environ, "GITHUB_OUTPUT": str(outputs)}
    subprocess.run(["bash", "-e", "-c", script], cwd=origin, env=env, check=True)
    (patch,) = [line.split("=", 1)[1] for line in outputs.read_text().splitlines()]
    apply_line = _step(workflow, "pull-request", "Open or refresh the pull request")[
        "run"
    ].splitlines()[0]

    subprocess.run(
        ["bash", "-e", "-c", apply_line], cwd=clone, env={**env, "PATCH": patch}, check=True
    )

    assert (clone / "crlf.txt").read_bytes() == b"one\r\nTWO\r\n"
    assert (clone / "logo.bin").read_bytes() == b"\x89PNG\0\xff\xfe"
    assert not (clone / "old.txt").exists()


def test_no_change_hands_over_an_empty_patch(workflow, tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    outputs = tmp_path.parent / f"{tmp_path.name}-outputs"
    script = _step(workflow, "update", "Hand the change over as a patch")["run"]
    env = {**os.environ, "GITHUB_OUTPUT": str(outputs)}
    subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, check=True)
    assert outputs.read_text() == "patch=\n"
