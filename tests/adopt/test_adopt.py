"""`mlplate adopt`: plain, cruft and cookiecutter-data-science repositories get a baseline."""

from __future__ import annotations

import json

import yaml

from mlplate.adopt import adopt
from mlplate.update import update
from tests.conftest import git, write_tree
from tests.update.test_scenarios import TEMPLATE_V1

TEMPLATE = {
    **TEMPLATE_V1,
    "copier.yml": (
        "_subdirectory: template\nproject_name:\n  type: str\n  default: demo\n"
        "package_name:\n  type: str\n  default: pkg\n"
        "python_version:\n  type: str\n  choices: ['3.11', '3.12']\n  default: '3.11'\n"
    ),
    "template/src/{{package_name}}/__init__.py": "",
}


def _repo(root, files):
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_tree(root, files)
    git(root, "add", "--all")
    git(root, "commit", "-qm", "existing work")
    return root


def test_adopt_infers_answers_writes_only_the_baseline_and_then_updates(
    template_repo, tmp_path, run_cli
):
    repo = template_repo(TEMPLATE, tag="v1.0.0")
    project = _repo(
        tmp_path / "churn",
        {
            "pyproject.toml": '[project]\nname = "churn"\nrequires-python = ">=3.12"\n',
            "src/churn/__init__.py": "",
            "Makefile": "test:\n\tpytest -x\n",
        },
    )
    result = run_cli("adopt", project, "-t", repo.root, "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["answers"] == {
        "package_name": "churn",
        "project_name": "churn",
        "python_version": "3.12",
    }
    assert "Makefile" in payload["files"]["differs"] and "Dockerfile" in payload["files"]["missing"]
    assert payload["written"] == [".copier-answers.yml", ".mlplate.yml"]
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.0.0" and answers["_src_path"] == str(repo.root)
    assert (project / "Makefile").read_text() == "test:\n\tpytest -x\n"
    assert not (project / "Dockerfile").exists()

    git(project, "add", "--all")
    git(project, "commit", "-qm", "adopt the template")
    repo.commit({"template/Dockerfile": "FROM python:3.12-slim\nUSER app\n"}, tag="v2.0.0")
    report = update(project, lock=False)
    assert report.to_version == "v2.0.0"
    assert (project / "Makefile").read_text() == "test:\n\tpytest -x\n"


def test_adopt_converts_a_cruft_project(template_repo, tmp_path):
    repo = template_repo(TEMPLATE, tag="v1.0.0")
    context = {"project_name": "Fraud", "module_name": "fraud", "author_name": "Risk Team"}
    cruft = {
        "template": "https://example.com/t",
        "commit": "abc",
        "context": {"cookiecutter": context},
    }
    project = _repo(tmp_path / "fraud", {".cruft.json": json.dumps(cruft), "fraud/__init__.py": ""})

    result = adopt(project, template=str(repo.root))
    assert result.origin == "cruft"
    assert result.answers["package_name"] == "fraud" and result.answers["project_name"] == "Fraud"
    assert not (project / ".cruft.json").exists()
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["package_name"] == "fraud"


def test_adopt_recognises_a_cookiecutter_data_science_layout(template_repo, tmp_path, run_cli):
    repo = template_repo(TEMPLATE, tag="v1.0.0")
    folders = {
        f"{name}/.gitkeep": "" for name in ("data", "models", "notebooks", "references", "reports")
    }
    project = _repo(tmp_path / "ccds", {**folders, "sales/__init__.py": ""})
    result = run_cli("adopt", project, "-t", repo.root, "--dry-run", "--json")
    payload = json.loads(result.stdout)
    assert payload["origin"] == "cookiecutter-data-science"
    assert payload["answers"]["package_name"] == "sales"
    assert not (project / ".copier-answers.yml").exists()


def test_adopt_refuses_a_project_already_under_a_template(template_repo, tmp_path, run_cli):
    repo = template_repo(TEMPLATE, tag="v1.0.0")
    project = _repo(tmp_path / "p", {".copier-answers.yml": "_src_path: x\n_commit: v1\n"})
    result = run_cli("adopt", project, "-t", repo.root)
    assert result.exit_code == 2 and "mlplate update" in result.stderr
