"""`mlplate adopt` on a real generated project that lost its answers: a perfect baseline."""

from __future__ import annotations

import yaml

import pytest

from mlplate.adopt import adopt
from mlplate.check import check
from mlplate.check.registry import Status
from mlplate.new import new
from tests.conftest import git

pytestmark = pytest.mark.e2e

ANSWERS = {
    "project_name": "Churn Radar",
    "author_name": "Risk Team",
    "author_email": "risk@example.org",
    "python_version": "3.12",
    "license": "Apache-2.0",
}


def test_adopt_recovers_the_answers_of_a_generated_project(tmp_path):
    project = tmp_path / "churn-radar"
    new(project, data=ANSWERS, defaults=True, lock=False)
    original = yaml.safe_load((project / ".copier-answers.yml").read_text())
    git(project, "rm", "-q", ".copier-answers.yml", ".mlplate.yml")
    git(project, "commit", "-qm", "lose the template link")

    result = adopt(project)

    assert result.files["missing"] == [] and result.files["differs"] == []
    assert yaml.safe_load((project / ".copier-answers.yml").read_text()) == original
    failed = {o.id: o.details for o in check(project, select=["MP1", "MP2"]).failed}
    assert not failed, failed
    assert {o.id: o.status for o in check(project, select=["MP103"]).outcomes} == {
        "MP103": Status.PASS
    }
