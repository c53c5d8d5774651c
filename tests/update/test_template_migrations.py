"""The bundled template's own migrations (hooks/migrations/) on projects of older releases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from mlplate import ownership
from tests.conftest import REPO_ROOT

OLD_POLICY = """# How `mlplate update` and `mlplate check` treat each file of this project.
ownership:
  template:
    - .github/workflows/*.yml
    - Dockerfile
  seeded:
    - README.md
    - src/churn/**
    - tests/**
    - notebooks/**  # the team's own: never updated
    - configs/**
    - docs/**
    - LICENSE
  shared:
    - pyproject.toml
opt_out: [Dockerfile]
"""


def _migrate(project: Path) -> subprocess.CompletedProcess[str]:
    script = REPO_ROOT / "hooks" / "migrations" / "v0.2.0.py"
    return subprocess.run(
        [sys.executable, str(script), str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )


def test_v0_2_0_drops_the_old_seeded_defaults_and_keeps_the_teams_entries(tmp_path):
    (tmp_path / ".mlplate.yml").write_text(OLD_POLICY, encoding="utf-8")

    _migrate(tmp_path)

    text = (tmp_path / ".mlplate.yml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    assert raw["ownership"]["seeded"] == ["notebooks/**", "LICENSE"]
    assert raw["ownership"]["template"] == [".github/workflows/*.yml", "Dockerfile"]
    assert raw["opt_out"] == ["Dockerfile"]
    assert "# the team's own: never updated" in text
    policy = ownership.load(tmp_path)
    assert policy.owner("src/churn/train.py") is ownership.Owner.SHARED
    assert policy.owner("notebooks/eda.ipynb") is ownership.Owner.SEEDED
    _migrate(tmp_path)  # idempotent
    assert (tmp_path / ".mlplate.yml").read_text(encoding="utf-8") == text


def test_v0_2_0_leaves_a_conflicted_policy_and_a_project_without_one(tmp_path):
    conflicted = OLD_POLICY.replace("opt_out:", "<<<<<<< project\nopt_out:")
    (tmp_path / ".mlplate.yml").write_text(conflicted, encoding="utf-8")
    _migrate(tmp_path)
    assert (tmp_path / ".mlplate.yml").read_text(encoding="utf-8") == conflicted
    (tmp_path / ".mlplate.yml").unlink()
    _migrate(tmp_path)
    assert not (tmp_path / ".mlplate.yml").exists()
