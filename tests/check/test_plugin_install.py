"""Check plugins named in `.mlplate.yml` are installed where `mlplate check` runs."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from mlplate.check import plugins
from mlplate.errors import UserError

POLICY = 'ownership: {template: [Dockerfile]}\ncheck:\n  plugins: ["{plugin}"]\nopt_out: []\n'


def _name(project: Path, plugin: str) -> None:
    (project / ".mlplate.yml").write_text(POLICY.replace("{plugin}", plugin), encoding="utf-8")


def test_installed_plugins_need_no_relaunch(project):
    _name(project, "pyyaml>=5")
    assert plugins.missing(("pyyaml>=5", "pyyaml<1", "acme-checks==1.2")) == [
        "pyyaml<1",
        "acme-checks==1.2",
    ]
    assert plugins.relaunch(project, [str(project)]) is None


def test_a_missing_plugin_relaunches_check_through_uv_with_it(
    project, tmp_path, monkeypatch, run_cli
):
    _name(project, "acme-checks==1.2")
    calls = tmp_path / "uv-calls"
    fake = tmp_path / "bin" / "uv"
    fake.parent.mkdir()
    fake.write_text(
        f'#!/bin/sh\necho "$@" > {calls}\necho "$MLPLATE_CHECK_PLUGINS" >> {calls}\nexit 3\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    monkeypatch.delenv("MLPLATE_SPEC", raising=False)
    monkeypatch.delenv(plugins.READY, raising=False)

    done = run_cli("check", project, "--select", "MP104")

    assert done.exit_code == 3  # the relaunched run's exit code
    args, ready = calls.read_text().splitlines()
    assert args.startswith("tool run --quiet --from mlplate==")
    assert f"--with acme-checks==1.2 mlplate check {project} --format rich --select=MP104" in args
    assert ready == "1"


def test_a_plugin_that_did_not_install_is_one_error(project, monkeypatch, run_cli):
    _name(project, "acme-checks==1.2")
    monkeypatch.setenv(plugins.READY, "1")
    done = run_cli("check", project)
    assert done.exit_code == 2
    assert "acme-checks==1.2" in done.stderr and "did not install" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("bad", ['"acme checks!!"', "acme-checks"])
def test_bad_plugin_lists_are_refused(project, bad):
    text = POLICY.replace('["{plugin}"]', bad if bad == "acme-checks" else f"[{bad}]")
    (project / ".mlplate.yml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError):
        plugins.relaunch(project, [])


def test_the_json_contract_is_unchanged_without_plugins(project, run_cli):
    done = run_cli("check", project, "--select", "MP104", "--json")
    assert done.exit_code == 0 and json.loads(done.stdout)["passed"]
