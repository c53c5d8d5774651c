"""`mlplate adopt` on plain, cruft-linked and cookiecutter-data-science repositories."""

from __future__ import annotations

import json
import warnings

import copier
import pytest
import yaml

from mlplate import adopt as adopt_module
from mlplate.adopt import adopt
from mlplate.check import check
from mlplate.check.registry import Status
from tests.conftest import git

from .conftest import CCDS_FOLDERS, snapshot

PLAIN = {
    "pyproject.toml": (
        '[project]\nname = "churn"\ndescription = "Predict churn"\nrequires-python = ">=3.12"\n'
    ),
    "src/churn/__init__.py": "",
    "src/churn/model.py": "WEIGHTS = [1, 2]\n",
    "Makefile": "test:\n\tpytest -x\n",
    "Dockerfile": "FROM python:3.12\n",
    "README.md": "# churn\n",
}


def _answers(project):
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


# ── a plain repository ─────────────────────────────────────────────────────


def test_adopt_infers_answers_and_writes_only_the_baseline(template, make_repo, run_cli):
    project = make_repo("churn", PLAIN)
    before = snapshot(project)

    done = run_cli("adopt", project, "-t", template.root, "--json")

    assert done.exit_code == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["mlplate_result_version"] == "1" and payload["command"] == "adopt"
    assert payload["answers"] == {
        "project_name": "churn",
        "package_name": "churn",
        "python_version": "3.12",
        "author_name": "Grace Hopper",
        "author_email": "grace@example.org",
    }
    assert payload["sources"] == {
        "project_name": "pyproject.toml [project] name",
        "package_name": "package churn/",
        "python_version": "pyproject.toml requires-python",
        "author_name": "git config user.name",
        "author_email": "git config user.email",
    }
    assert payload["files"] == {
        "missing": [],
        "differs": ["Dockerfile", "Makefile"],
        "identical": ["README.md", "src/churn/__init__.py"],
    }
    assert payload["template_owned_differs"] == ["Dockerfile"]
    assert payload["written"] == [".copier-answers.yml", ".mlplate.yml"]
    after = snapshot(project)
    assert {k: v for k, v in after.items() if k not in payload["written"]} == before
    answers = _answers(project)
    assert answers["_commit"] == "v1.0.0" and answers["_src_path"] == str(template.root)
    assert "pins" not in answers  # computed values are not answers


def test_data_overrides_what_was_inferred(template, make_repo):
    project = make_repo("churn", {**PLAIN, ".python-version": "3.12.4\n"})
    result = adopt(project, template=str(template.root), data={"project_name": "Churn Model"})
    assert result.answers["project_name"] == "Churn Model"
    assert result.sources["project_name"] == "--data"
    assert result.sources["python_version"] == ".python-version"


def test_an_inferred_answer_the_template_rejects_is_never_changed_silently(
    template, make_repo, run_cli
):
    project = make_repo("old", {**PLAIN, ".python-version": "3.9\n"})
    before = snapshot(project)
    done = run_cli("adopt", project, "--template", template.root, "--defaults")
    assert done.exit_code == 2
    error, hint = done.stderr.splitlines()
    assert error.startswith("error: the repository's python_version '3.9' (from .python-version)")
    assert (
        hint == "hint: adopt with a value it accepts, knowing the project moves to it on its "
        "next update: --data python_version=VALUE"
    )
    assert snapshot(project) == before
    result = adopt(project, template=str(template.root), data={"python_version": "3.11"})
    assert result.answers["python_version"] == "3.11" and result.sources["python_version"] == (
        "--data"
    )


def test_dry_run_shows_what_it_would_write_and_writes_nothing(template, make_repo, run_cli):
    project = make_repo("churn", PLAIN)
    before = snapshot(project)
    done = run_cli("adopt", project, "-t", template.root, "--dry-run")
    assert done.exit_code == 0, done.stderr
    assert "--- would write .copier-answers.yml ---" in done.stdout
    assert "_commit: v1.0.0" in done.stdout and "--- would write .mlplate.yml ---" in done.stdout
    assert "differs (2): Dockerfile, Makefile" in done.stdout
    assert snapshot(project) == before


def test_an_existing_policy_file_is_kept(template, make_repo):
    project = make_repo("churn", {**PLAIN, ".mlplate.yml": "opt_out: [Dockerfile]\n"})
    result = adopt(project, template=str(template.root))
    assert result.written == [".copier-answers.yml"]
    assert (project / ".mlplate.yml").read_text() == "opt_out: [Dockerfile]\n"
    assert not result.template_owned_differs  # opted out: the project's own


def test_after_adopt_mlplate_check_runs_and_reports_the_drift(template, make_repo):
    project = make_repo("churn", PLAIN)
    adopt(project, template=str(template.root))
    outcomes = {o.id: o for o in check(project, select=["MP1"]).outcomes}
    assert outcomes["MP101"].status is Status.PASS
    assert outcomes["MP102"].status is Status.PASS
    assert outcomes["MP106"].status is Status.PASS
    assert outcomes["MP103"].details == ("Dockerfile: modified",)


def test_after_adopt_check_and_update_agree_on_template_files_the_repo_never_had(
    template, make_repo
):
    update = pytest.importorskip("mlplate.update").update
    project = make_repo("churn", {k: v for k, v in PLAIN.items() if k != "Dockerfile"})
    result = adopt(project, template=str(template.root))
    assert yaml.safe_load((project / ".mlplate.yml").read_text())["opt_out"] == ["Dockerfile"]
    assert any("does not have are listed under opt_out" in note for note in result.notes)
    git(project, "add", "--all")
    git(project, "commit", "-qm", "adopt the template")
    sync = {o.id: o for o in check(project, select=["MP103"]).outcomes}["MP103"]
    assert sync.status is Status.PASS, sync.details  # not "Dockerfile: deleted"
    report = update(project, lock=False)
    assert report.up_to_date and not (project / "Dockerfile").exists()


def test_after_adopt_copier_update_applies_the_next_version(template, make_repo):
    project = make_repo("churn", PLAIN)
    adopt(project, template=str(template.root))
    git(project, "add", "--all")
    git(project, "commit", "-qm", "adopt the template")
    template.commit({"template/CONTRIBUTING.md": "Be kind.\n"}, tag="v2.0.0")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # copier's notices about local templates
        copier.run_update(str(project), defaults=True, overwrite=True, unsafe=False, quiet=True)

    assert (project / "CONTRIBUTING.md").read_text() == "Be kind.\n"
    assert _answers(project)["_commit"] == "v2.0.0"
    assert (project / "Makefile").read_text() == PLAIN["Makefile"]
    assert (project / "src/churn/model.py").read_text() == PLAIN["src/churn/model.py"]


def test_after_adopt_mlplate_update_applies_the_next_version(template, make_repo):
    update = pytest.importorskip("mlplate.update").update
    project = make_repo("churn", PLAIN)
    adopt(project, template=str(template.root))
    git(project, "add", "--all")
    git(project, "commit", "-qm", "adopt the template")
    template.commit({"template/CONTRIBUTING.md": "Be kind.\n"}, tag="v2.0.0")

    report = update(project, lock=False)

    assert report.to_version == "v2.0.0"
    assert (project / "CONTRIBUTING.md").is_file()
    assert (project / "Makefile").read_text() == PLAIN["Makefile"]


# ── a cruft-linked project ─────────────────────────────────────────────────

CRUFT = {
    "template": "https://example.com/acme/ds-template.git",
    "commit": "0123456789abcdef0123456789abcdef01234567",
    "checkout": None,
    "context": {
        "cookiecutter": {
            "project_name": "Fraud Detection",
            "repo_name": "fraud-detection",
            "module_name": "fraud",
            "author_name": "Risk Team",
            "python_version_number": "3.12",
            "_template": "https://example.com/acme/ds-template.git",
        }
    },
    "directory": None,
    "skip": [".git", "data/"],
}


def test_adopt_converts_a_cruft_project(template, make_repo):
    project = make_repo(
        "fraud", {".cruft.json": json.dumps(CRUFT), "fraud/__init__.py": "", "README.md": "# x\n"}
    )
    result = adopt(project, template=str(template.root))

    assert result.origin == "cruft"
    assert result.answers["project_name"] == "Fraud Detection"
    assert result.answers["package_name"] == "fraud"
    assert result.answers["author_name"] == "Risk Team"  # cruft wins over git config
    assert result.answers["python_version"] == "3.12"
    assert result.sources["package_name"] == ".cruft.json module_name"
    assert not (project / ".cruft.json").exists()
    assert result.written == [".copier-answers.yml", ".mlplate.yml", ".cruft.json (removed)"]
    assert _answers(project)["package_name"] == "fraud"
    policy = yaml.safe_load((project / ".mlplate.yml").read_text())
    assert policy["opt_out"] == ["data/", "Dockerfile"]  # cruft's skip list, then what is absent
    assert any("ds-template.git at 0123456789ab" in note for note in result.notes)


def test_cruft_file_is_kept_when_the_answers_cannot_be_written(template, make_repo, monkeypatch):
    project = make_repo("fraud", {".cruft.json": json.dumps(CRUFT), "fraud/__init__.py": ""})

    def disk_full(target, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(adopt_module, "_write_atomic", disk_full)
    with pytest.raises(OSError):
        adopt(project, template=str(template.root))
    assert (project / ".cruft.json").is_file()
    assert not (project / ".copier-answers.yml").exists()


def test_a_broken_cruft_file_is_one_clear_error(template, make_repo, run_cli):
    project = make_repo("fraud", {".cruft.json": "{not json"})
    done = run_cli("adopt", project, "-t", template.root)
    assert done.exit_code == 2
    assert ".cruft.json is not a cruft file" in done.stderr and "Traceback" not in done.stderr


# ── cookiecutter-data-science layouts ──────────────────────────────────────


def test_adopt_maps_a_ccds_v2_project(template, make_repo, run_cli):
    modules = {
        f"sales/{name}": "" for name in ("__init__.py", "config.py", "dataset.py", "plots.py")
    }
    modules.update({"sales/modeling/train.py": "", "sales/modeling/predict.py": ""})
    project = make_repo(
        "sales-forecast",
        {
            **CCDS_FOLDERS,
            **modules,
            "pyproject.toml": '[project]\nname = "sales"\nrequires-python = "~=3.11"\n',
        },
    )
    done = run_cli("adopt", project, "-t", template.root, "--json")
    payload = json.loads(done.stdout)

    assert payload["origin"] == "cookiecutter-data-science"
    assert payload["answers"]["package_name"] == "sales"
    notes = payload["notes"]
    assert "the package is at sales/; the template keeps it at src/sales/" in notes
    assert "sales/dataset.py corresponds to the template's src/sales/data/load.py" in notes
    assert (
        "sales/modeling/predict.py corresponds to the template's src/sales/serve/inference.py"
        in (notes)
    )
    assert "src/sales/__init__.py" in payload["files"]["missing"]


def test_adopt_maps_a_ccds_v1_project(template, make_repo):
    project = make_repo(
        "churn-analysis",
        {
            **CCDS_FOLDERS,
            "src/__init__.py": "",
            "src/data/make_dataset.py": "",
            "src/models/train_model.py": "",
        },
    )
    result = adopt(project, template=str(template.root), dry_run=True)
    assert result.origin == "cookiecutter-data-science"
    assert result.answers["package_name"] == "churn_analysis"  # `src` is not a package name
    assert any(note.startswith("CCDS v1 layout") for note in result.notes)
    assert (
        "src/models/train_model.py corresponds to the template's src/churn_analysis/train/fit.py"
        in (result.notes)
    )


# ── bad input ──────────────────────────────────────────────────────────────


def test_adopt_refuses_a_project_already_under_a_template(template, make_repo, run_cli):
    project = make_repo("p", {".copier-answers.yml": "_src_path: x\n_commit: v1\n"})
    done = run_cli("adopt", project, "-t", template.root)
    assert done.exit_code == 2 and "mlplate update" in done.stderr


def test_adopt_a_missing_directory(run_cli, tmp_path):
    done = run_cli("adopt", tmp_path / "nope")
    assert done.exit_code == 2 and "is not a directory" in done.stderr


def test_adopt_an_unknown_answer(template, make_repo, run_cli):
    project = make_repo("churn", PLAIN)
    done = run_cli("adopt", project, "-t", template.root, "--data", "colour=blue")
    assert done.exit_code == 2 and "no question named 'colour'" in done.stderr
    assert not (project / ".copier-answers.yml").exists()
