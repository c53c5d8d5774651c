"""Unusual but valid answers still make a project that passes its own lint and tests.

A name with spaces and capitals, the longest package name the template accepts, a unicode
author, and a description with quotes, a dash and no full stop, for both linters.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mlplate.new import new

from .conftest import Project

pytestmark = pytest.mark.e2e

UNUSUAL = {
    "project_name": "Churn Model for the Retail Bank's Éire Branch",
    "package_name": "churn_model_retail_banks",  # 24 characters: the template's limit
    "description": 'Predicts which "retail" customers churn — for Zoë’s team, without a full stop',
    "author_name": "Zoë Ünal-O'Brien",
    "author_email": "zoe.unal@example.org",
}


@pytest.mark.parametrize("linting", ["black-pylint", "ruff"])
def test_unusual_answers_make_a_project_that_passes_its_lint_and_tests(tmp_path: Path, linting):
    result = new(tmp_path / "Churn Model", data={**UNUSUAL, "linting": linting}, defaults=True)
    project = Project(root=result.destination, package=UNUSUAL["package_name"])
    meta = tomllib.loads((project.root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["name"] == "churn-model-for-the-retail-bank-s-ire-branch"
    assert meta["description"] == UNUSUAL["description"]
    assert meta["authors"] == [{"name": UNUSUAL["author_name"], "email": UNUSUAL["author_email"]}]
    project.must("uv", "sync", "--locked")
    project.must("uv", "run", "--no-sync", "pre-commit", "run", "--all-files", "--color=never")
    tests = project.must("uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in tests.stdout and "failed" not in tests.stdout
