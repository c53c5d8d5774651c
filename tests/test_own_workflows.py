"""mlplate's own GitHub workflows: hardened like the template's, and the dist check they run."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Project, workflow_linters_pass

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def _load_check_dist() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_dist", REPO_ROOT / ".ci" / "check_dist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_dist = _load_check_dist()


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def test_own_workflows_pass_actionlint_and_zizmor():
    audited = workflow_linters_pass(Project(root=REPO_ROOT, package="mlplate"))
    assert "ci.yml" in audited and "release.yml" in audited, audited


def test_ci_runs_the_tests_lint_build_and_docs():
    jobs = _workflow("ci.yml")["jobs"]
    runs = {name: [step.get("run", "") for step in job["steps"]] for name, job in jobs.items()}
    assert "bash .ci/run" in runs["tests"]
    assert any("pre-commit run --all-files" in r for r in runs["lint"])
    assert "uv build" in runs["build"] and any("check_dist.py dist" in r for r in runs["build"])
    assert any("mkdocs build --strict" in r for r in runs["docs"])


def test_release_runs_ci_first_then_attests_and_publishes_with_trusted_publishing():
    workflow = _workflow("release.yml")
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the `on` key as True
    jobs = workflow["jobs"]
    assert jobs["ci"]["uses"].endswith(".github/workflows/ci.yml")
    assert jobs["build"]["needs"] == "ci" and jobs["publish"]["needs"] == "build"
    build_uses = [step.get("uses", "") for step in jobs["build"]["steps"]]
    assert any(u.startswith("actions/attest-build-provenance@") for u in build_uses)
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    step = publish["steps"][-1]
    assert step["uses"].startswith("pypa/gh-action-pypi-publish@") and "with" not in step


def _dist(tmp_path: Path, *, version: str = "1.2.3", bundled: bool = True, said: str = "") -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    with zipfile.ZipFile(dist / f"mlplate-{version}-py3-none-any.whl", "w") as wheel:
        wheel.writestr("mlplate/_version.py", f'__version__ = "{said or version}"\n')
        for name in check_dist.BUNDLED if bundled else ():
            wheel.writestr(name, "")
    (dist / f"mlplate-{version}.tar.gz").write_bytes(b"")
    return dist


def test_check_dist_passes_a_wheel_with_the_template_and_its_tag(tmp_path, capsys):
    assert check_dist.main([str(_dist(tmp_path)), "--tag", "v1.2.3"]) == 0
    assert capsys.readouterr().out.startswith("ok: mlplate-1.2.3-py3-none-any.whl")


@pytest.mark.parametrize(
    ("kwargs", "tag", "says"),
    [
        ({"bundled": False}, None, "lacks mlplate/_bundled/template/pyproject.toml.jinja"),
        ({}, "v1.2.4", "the tag v1.2.4 does not name the package's version 1.2.3"),
        ({"said": "1.2.2"}, None, "mlplate/_version.py does not say 1.2.3"),
    ],
    ids=["template-not-bundled", "tag-is-another-version", "version-module-disagrees"],
)
def test_check_dist_refuses(tmp_path, capsys, kwargs, tag, says):
    args = [str(_dist(tmp_path, **kwargs))] + (["--tag", tag] if tag else [])
    assert check_dist.main(args) == 1
    assert says in capsys.readouterr().err


def test_check_dist_refuses_an_empty_folder(tmp_path, capsys):
    assert check_dist.main([str(tmp_path)]) == 1
    assert "expected one wheel and one sdist" in capsys.readouterr().err
