"""`mlplate adopt` reads the template's options from what the repository already has."""

from __future__ import annotations

import yaml

from mlplate.adopt import adopt
from mlplate.option_inference import dependencies, infer_options, read_pyproject
from tests.conftest import git, write_tree

PYPROJECT = """[project]
name = "churn"
dependencies = ["wandb==0.31.0", "FastAPI>=0.1", "scikit_learn"]

[project.optional-dependencies]
gpu = ["torch"]

[dependency-groups]
dev = ["ruff==0.17.6", {include-group = "other"}]
"""


def test_dependencies_are_read_from_every_group_by_normalised_name(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT})
    assert dependencies(read_pyproject(tmp_path)) == {
        "wandb",
        "fastapi",
        "scikit-learn",
        "torch",
        "ruff",
    }


def test_options_come_from_dependencies_files_and_folders(tmp_path):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "Dockerfile": "FROM python:3.12\n",
            "k8s/deployment.yaml": "kind: Deployment\n",
            "dvc.yaml": "stages: {}\n",
            ".github/CODEOWNERS": "# owners\n* @acme/ml lead@acme.example\n",
        },
    )
    found = {key: (value, source) for key, value, source in infer_options(
        tmp_path, read_pyproject(tmp_path), "git@github.com:acme/churn.git"
    )}  # fmt: skip
    assert {key: value for key, (value, _) in found.items()} == {
        "tracker": "wandb",
        "linting": "ruff",
        "serving": "fastapi",
        "data_versioning": "dvc",
        "docker": True,
        "gpu_image": False,
        "kubernetes": True,
        "organization": "acme",
        "code_owners": "@acme/ml lead@acme.example",
    }
    assert found["tracker"][1] == "pyproject.toml depends on wandb"


def test_nothing_is_claimed_without_evidence(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n'})
    assert infer_options(tmp_path, read_pyproject(tmp_path)) == [("docker", False, "no Dockerfile")]


def test_adopting_with_the_bundled_template_records_the_inferred_options(tmp_path):
    root = tmp_path / "churn"
    write_tree(
        root,
        {
            "pyproject.toml": PYPROJECT,
            "src/churn/__init__.py": "",
            ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks:\n      - id: ruff\n",
            "dvc.yaml": "stages: {}\n",
        },
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    result = adopt(root)
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
    assert answers["tracker"] == "wandb" and answers["linting"] == "ruff"
    assert answers["docker"] is False and answers["data_versioning"] == "dvc"
    assert "Dockerfile" not in result.files["missing"]
    assert result.sources["docker"] == "no Dockerfile"
