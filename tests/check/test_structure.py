"""Structure checks (MP2xx) on small inline project trees."""

from __future__ import annotations

from mlplate.check import check
from mlplate.check.registry import Status
from mlplate.check.structure import STAGES
from tests.conftest import write_tree

from .conftest import outcome

COMPLETE = {
    **{f"src/churn/{stage}/__init__.py": "" for stage in STAGES},
    "src/churn/config.py": "",
    "src/churn/serve/api.py": "",
    "src/churn/__init__.py": "",
    "tests/unit/test_train.py": "def test_x():\n    pass\n",
    "docs/model-card.md": "# Model card\n",
    "docs/data-card.md": "# Data card\n",
    "docs/runbook.md": "# Runbook\n",
    "configs/config.yaml": "seed: 1\n",
}


def test_structure_checks_pass_on_a_complete_layout(tmp_path):
    write_tree(tmp_path, COMPLETE)
    assert [o.status for o in check(tmp_path, select=["MP2"]).outcomes] == [Status.PASS] * 4


def test_mp201(tmp_path):
    write_tree(tmp_path, COMPLETE)
    assert outcome(tmp_path, "MP201").status is Status.PASS


def test_mp201_missing(tmp_path):
    write_tree(
        tmp_path,
        {**COMPLETE, "src/churn/serve/api.py": None, "src/churn/monitor/__init__.py": None},
    )
    assert outcome(tmp_path, "MP201").details == (
        "src/churn/monitor/__init__.py",
        "src/churn/serve/api.py",
    )


def test_mp201_a_project_from_before_the_stage_folders_passes(tmp_path):
    modules = ("config", "data", "features", "train", "monitor", "serve")
    write_tree(
        tmp_path, {"src/churn/__init__.py": "", **{f"src/churn/{m}.py": "" for m in modules}}
    )
    assert outcome(tmp_path, "MP201").status is Status.PASS


def test_mp201_batch_serving_needs_predict_instead_of_serve(tmp_path):
    answers = ".copier-answers.yml"
    write_tree(tmp_path, {**COMPLETE, "src/churn/serve/api.py": None, answers: "serving: batch\n"})
    assert outcome(tmp_path, "MP201").details == ("src/churn/serve/predict.py",)
    write_tree(tmp_path, {"src/churn/serve/predict.py": ""})
    assert outcome(tmp_path, "MP201").status is Status.PASS


def test_mp201_no_package(tmp_path):
    write_tree(tmp_path, {"churn/__init__.py": ""})
    result = outcome(tmp_path, "MP201")
    assert result.status is Status.FAIL and "no package under src/" in result.details[0]


def test_mp202(tmp_path):
    write_tree(tmp_path, {"tests/test_x.py": ""})
    assert outcome(tmp_path, "MP202").status is Status.PASS


def test_mp202_missing(tmp_path):
    write_tree(tmp_path, {"tests/conftest.py": "", "test_outside.py": ""})
    assert outcome(tmp_path, "MP202").status is Status.FAIL


def test_mp203(tmp_path):
    write_tree(tmp_path, COMPLETE)
    assert outcome(tmp_path, "MP203").status is Status.PASS


def test_mp203_missing(tmp_path):
    write_tree(tmp_path, {"docs/runbook.md": "x"})
    assert outcome(tmp_path, "MP203").details == ("docs/model-card.md", "docs/data-card.md")


def test_mp204(tmp_path):
    write_tree(tmp_path, {"configs/serving/limits.toml": "x = 1\n"})
    assert outcome(tmp_path, "MP204").status is Status.PASS


def test_mp204_missing(tmp_path):
    write_tree(tmp_path, {"configs/README.md": "configs go here\n"})
    assert outcome(tmp_path, "MP204").status is Status.FAIL
