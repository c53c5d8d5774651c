"""Checks found through the `mlplate.checks` entry point group: mlplate's own and a team's."""

from __future__ import annotations

import inspect
import json
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from mlplate.check import all_checks, check, conventions, structure, sync
from mlplate.check.registry import Check, Status

PLUGIN = '''
from mlplate.check.registry import Check


class TEAM001(Check):
    """README names an owner"""

    family = "team"
    file = "README.md"

    @staticmethod
    def check(root):
        """
        README.md names no owner, so nobody answers for the model.
        Fix: add a line `Owner: <team>` to README.md.
        """
        return "Owner:" in (root / "README.md").read_text(encoding="utf-8")


def checks():
    return [TEAM001]
'''


def _install(site: Path, module: str, source: str, entry: str) -> None:
    """A minimal installed distribution: a module and a dist-info with one entry point."""
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[mlplate.checks]\n{entry}\n", encoding="utf-8")


@pytest.fixture(name="site")
def fixture_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder on sys.path that importlib.metadata scans like site-packages."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    all_checks.cache_clear()
    yield site
    for name in ("team_checks", "broken_checks"):
        sys.modules.pop(name, None)
    monkeypatch.undo()
    all_checks.cache_clear()


def test_a_teams_plugin_check_runs_and_is_reported(site, project, run_cli):
    _install(site, "team_checks", PLUGIN, "team = team_checks:checks")
    assert "TEAM001" in all_checks()

    result = {o.id: o for o in check(project).outcomes}
    assert result["TEAM001"].status is Status.FAIL
    assert "Owner: <team>" in result["TEAM001"].message
    assert result["MP101"].status is Status.PASS  # mlplate's own still run beside it

    done = run_cli("check", project, "--select", "team", "--json")
    assert done.exit_code == 3
    (entry,) = json.loads(done.stdout)["checks"]
    assert entry["id"] == "TEAM001" and entry["family"] == "team" and entry["status"] == "fail"

    (project / "README.md").write_text("# demo\n\nOwner: churn team\n", encoding="utf-8")
    assert run_cli("check", project, "--select", "TEAM001").exit_code == 0
    assert "TEAM001" in run_cli("check", "--list").stdout


def test_a_plugin_that_fails_to_load_is_named_with_a_hint(site, project, run_cli):
    _install(site, "broken_checks", "raise RuntimeError('boom')\n", "broken = broken_checks:checks")
    done = run_cli("check", project)
    assert done.exit_code == 2
    assert "the check plugin 'broken' (broken_checks:checks) cannot be loaded: boom" in done.stderr
    assert "hint:" in done.stderr and "Traceback" not in done.stderr


def test_mlplate_registers_its_own_families_through_the_entry_point_group():
    table = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    listed = table["project"]["entry-points"]["mlplate.checks"]
    assert listed == {
        "sync": "mlplate.check.sync:checks",
        "structure": "mlplate.check.structure:checks",
        "conventions": "mlplate.check.conventions:checks",
    }
    defined = {
        name
        for module in (sync, structure, conventions)
        for name, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Check) and obj is not Check and obj.__module__ == module.__name__
    }
    assert defined and defined == set(all_checks())  # none forgotten in a family's list
