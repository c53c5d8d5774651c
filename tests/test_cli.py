"""The command line's conventions, shared with copier: options, help, errors, exit codes."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlplate._version import __version__
from tests.test_new import SMALL_TEMPLATE

COMMANDS = ("new", "demo", "update", "check", "adopt")


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(run_cli, flag):
    done = run_cli(flag)
    assert (done.exit_code, done.stdout) == (0, f"mlplate {__version__}\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_short_help_quiet_and_json_and_no_type_labels(run_cli, command):
    done = run_cli(command, "-h")
    assert done.exit_code == 0, done.stderr
    assert f"Usage: mlplate {command}" in done.stdout
    for option in ("-q, --quiet", "--json", "-h, --help"):
        assert option in done.stdout
    for artefact in ("<list[", "<str>", "<path>", "{dest}", "{"):
        assert artefact not in done.stdout


def test_copier_spellings_of_new_and_update(run_cli):
    new_help, update_help = run_cli("new", "-h").stdout, run_cli("update", "-h").stdout
    for option in ("--data-file FILE", "-r, --vcs-ref REF", "-n, --dry-run", "-d, --data"):
        assert option in new_help
    assert "--answers-file" not in new_help  # the old spelling still works, unadvertised
    assert "-r, --vcs-ref, --to REF" in update_help


def test_shell_completion_is_offered(run_cli):
    assert "--install-completion" in run_cli("--help").stdout
    done = subprocess.run(
        [sys.executable, "-m", "mlplate"],
        env={
            **os.environ,
            "_MLPLATE_COMPLETE": "complete_bash",
            "COMP_WORDS": "mlplate up",
            "COMP_CWORD": "1",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert "update" in done.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["new", "--bogus", "x"], "no such option: --bogus"),
        (["new"], "missing argument 'dest'"),
        (["check", "--format", "html"], "'html' is not one of"),
        (["update", "--jobs", "0"], "--jobs"),
        (["frobnicate"], "no such command"),
    ],
    ids=["unknown-option", "missing-argument", "bad-choice", "out-of-range", "unknown-command"],
)
def test_usage_errors_are_one_error_and_one_hint(run_cli, args, needle):
    done = run_cli(*args)
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith("error: ") and needle in lines[0].lower()
    assert lines[1].startswith("hint: ") and "--help" in lines[1]
    assert "Usage:" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [["new", "--json", "--bogus", "x"], ["check", "--json", "/nonexistent/dir"]],
    ids=["usage-error", "command-error"],
)
def test_json_errors_are_a_versioned_object_on_stdout(run_cli, args):
    done = run_cli(*args)
    assert done.exit_code == 2
    payload = json.loads(done.stdout)
    assert payload["mlplate_result_version"] == "1"
    assert set(payload["error"]) == {"message", "hint", "exit_code"}
    assert payload["error"]["message"] and payload["error"]["hint"]
    assert payload["error"]["exit_code"] == 2
    assert done.stderr == ""


@pytest.mark.parametrize("command", ["check", "update"])
def test_outside_a_project_is_one_usage_error(run_cli, tmp_path, command):
    (tmp_path / "notes.txt").write_text("not a project")
    done = run_cli(command, tmp_path)
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith("error: ") and "is not an mlplate project" in lines[0]
    assert len(lines) == 2 and lines[1].startswith("hint: ") and "mlplate new" in lines[1]
    assert "FAIL" not in done.stdout


def test_new_dry_run_lists_files_and_writes_nothing(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE)
    dest = tmp_path / "proj"
    done = run_cli("new", dest, "-t", repo.root, "--defaults", "--no-lock", "-n")
    assert done.exit_code == 0, done.stderr
    assert "  README.md" in done.stdout and "  src/proj/__init__.py" in done.stdout
    assert "Nothing was written" in done.stdout
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["template0"]
    as_json = json.loads(run_cli("new", dest, "-t", repo.root, "-l", "-n", "--json").stdout)
    assert as_json["dry_run"] is True and "README.md" in as_json["files"]
    assert as_json["steps"] == ["render", "lock", "git"] and as_json["git_commit"] is None
    assert not dest.exists()


def test_new_dry_run_validates_answers(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE)
    done = run_cli("new", tmp_path / "p", "-t", repo.root, "-l", "-n", "-d", "package_name=9x")
    assert done.exit_code == 2 and "not a Python identifier" in done.stderr


def test_quiet_prints_nothing_on_success(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE)
    done = run_cli("new", tmp_path / "p", "-t", repo.root, "-l", "--no-lock", "-q")
    assert (done.exit_code, done.stdout, done.stderr) == (0, "", "")


def test_team_template_from_the_environment_and_the_config_file(
    template_repo, run_cli, tmp_path, monkeypatch
):
    env_template = template_repo(SMALL_TEMPLATE)
    file_template = template_repo(
        {**SMALL_TEMPLATE, "template/README.md.jinja": "# {{ project_name }} (team file)\n"}
    )
    config = tmp_path / "config" / "mlplate" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'template = "{file_template.root}"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("MLPLATE_TEMPLATE", str(env_template.root))
    args = ("-l", "--no-lock", "--no-git", "-q")
    assert run_cli("new", tmp_path / "a", *args).exit_code == 0
    assert (tmp_path / "a/README.md").read_text().startswith("# a\n")  # named after its directory
    monkeypatch.delenv("MLPLATE_TEMPLATE")
    assert run_cli("new", tmp_path / "b", *args).exit_code == 0
    assert (tmp_path / "b/README.md").read_text() == "# b (team file)\n"
    assert run_cli("new", tmp_path / "c", "-t", env_template.root, *args).exit_code == 0
    assert (tmp_path / "c/README.md").read_text().startswith("# c\n")


# Ctrl-C arrives while the CLI is still importing typer: the console script's own frame catches it.
_INTERRUPTED_IMPORT = """
import sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "typer":
            raise KeyboardInterrupt

sys.meta_path.insert(0, CtrlC())
sys.argv = ["mlplate", "--help"]
from mlplate._entry import entry
entry()
"""


def test_ctrl_c_while_starting_is_one_line_and_exit_130():
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_IMPORT], capture_output=True, text=True, check=False
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted: nothing was changed\n"
    assert done.stdout == ""


def test_ctrl_c_during_a_command_is_one_line_and_exit_130(run_cli, monkeypatch, tmp_path):
    def interrupt(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib.import_module("mlplate.new"), "new", interrupt)
    done = run_cli("new", tmp_path / "p", "-l")
    assert done.exit_code == 130
    assert done.stderr == "interrupted: nothing was changed\n"
    assert not (tmp_path / "p").exists() and not Path(tmp_path / "p").is_dir()


AUTHOR_TEMPLATE = {
    **SMALL_TEMPLATE,
    "copier.yml": SMALL_TEMPLATE["copier.yml"]
    + "author_name:\n  type: str\n  default: ML Team\n"
    + "author_email:\n  type: str\n  default: ml-team@example.com\n",
}


def _git_config(monkeypatch, tmp_path, text: str) -> None:
    """Point git at a global config of `text` only, with no identity from the environment."""
    config = tmp_path / "gitconfig"
    config.write_text(text)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for variable in ("NAME", "EMAIL"):
        for role in ("AUTHOR", "COMMITTER"):
            monkeypatch.delenv(f"GIT_{role}_{variable}", raising=False)


def test_authors_default_to_the_git_identity(template_repo, run_cli, tmp_path, monkeypatch):
    repo = template_repo(AUTHOR_TEMPLATE)
    _git_config(monkeypatch, tmp_path, "[user]\n\tname = Zoë Ünal\n\temail = zoe@example.org\n")
    done = run_cli("new", tmp_path / "p", "-t", repo.root, "-l", "--no-lock", "--json")
    assert done.exit_code == 0, done.stdout
    answers = json.loads(done.stdout)["answers"]
    assert (answers["author_name"], answers["author_email"]) == ("Zoë Ünal", "zoe@example.org")
    assert done.stderr == ""
    given = run_cli(
        "new", tmp_path / "q", "-t", repo.root, "-l", "--no-lock", "--json", "-d", "author_name=X"
    )
    assert json.loads(given.stdout)["answers"]["author_name"] == "X"  # an answer still wins


def test_no_git_identity_warns_once_and_commits_as_mlplate(
    template_repo, run_cli, tmp_path, monkeypatch
):
    repo = template_repo(AUTHOR_TEMPLATE)
    _git_config(monkeypatch, tmp_path, "")
    dest = tmp_path / "p"
    done = run_cli("new", dest, "-t", repo.root, "-l", "--no-lock")
    assert done.exit_code == 0, done.stderr
    warnings = [
        line
        for line in done.stderr.splitlines()
        if line.startswith("warning:") and "path of this machine" not in line  # the template's
    ]
    assert (
        len(warnings) == 1
        and "user.name" in warnings[0]
        and "mlplate <mlplate@localhost>" in (warnings[0])
    )
    author = subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>"],
        cwd=dest,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert author == "mlplate <mlplate@localhost>"
    assert "author_name: ML Team" in (dest / ".copier-answers.yml").read_text()
