"""The container options (docker, gpu_image, kubernetes) generate projects that pass their tools.

Each scenario renders a real project with `mlplate new` and runs the same linters as
the default scaffold (actionlint, zizmor, hadolint, mkdocs --strict, `mlplate check`),
plus, for Kubernetes, the generated project's own manifest test under its own pytest.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from mlplate.new import new

from ..conftest import REPO_ROOT
from . import _dockerfile as dockerfile
from .conftest import Project, tool, workflow_linters_pass

pytestmark = pytest.mark.e2e


def _generate(root: Path, **data: object) -> Project:
    """`mlplate new` with `data` on top of the defaults, locked, committed and synced."""
    result = new(root, data=data, defaults=True)
    project = Project(root=root, package=str(result.answers["package_name"]))
    project.must("uv", "sync", "--locked")
    return project


# ── docker=false ───────────────────────────────────────────────────────────


@pytest.fixture(name="no_docker", scope="module")
def fixture_no_docker(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project answered docker=false, locked, committed and synced."""
    return _generate(tmp_path_factory.mktemp("no-docker") / "plain-service", docker=False)


def test_docker_false_leaves_out_the_image_and_its_workflow(no_docker: Project) -> None:
    for rel in ("Dockerfile", ".dockerignore", ".github/workflows/cd.yml", "Dockerfile.gpu"):
        assert not (no_docker.root / rel).exists(), rel
    ci = yaml.safe_load((no_docker.root / ".github/workflows/ci.yml").read_text())
    assert set(ci["jobs"]) == {"pre-commit", "tests"}
    dependabot = yaml.safe_load((no_docker.root / ".github/dependabot.yml").read_text())
    assert {u["package-ecosystem"] for u in dependabot["updates"]} == {"uv", "github-actions"}
    policy = yaml.safe_load((no_docker.root / ".mlplate.yml").read_text())
    for owner, globs in policy["ownership"].items():
        for glob in globs:
            assert "*" in glob or (no_docker.root / glob).exists(), f"{owner}: {glob}"


def test_docker_false_mentions_no_docker_in_its_docs(no_docker: Project) -> None:
    pages = [f"docs/{page.name}" for page in (no_docker.root / "docs").glob("*.md")]
    for rel in ["README.md", "Makefile", "mkdocs.yml", *sorted(pages)]:
        text = (no_docker.root / rel).read_text(encoding="utf-8")
        assert not re.search(r"docker|container", text, re.I), f"{rel} mentions Docker"


def test_docker_false_workflows_pass_actionlint_and_zizmor(no_docker: Project) -> None:
    audited = workflow_linters_pass(no_docker)
    assert ".github/workflows/ci.yml" in audited and "cd.yml" not in audited, audited


def test_docker_false_passes_mlplate_check(
    no_docker: Project, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLPLATE_CACHE_DIR", str(tmp_path / "cache"))
    done = run_cli("check", no_docker.root, "--json")
    assert done.exit_code == 0, done.stdout + done.stderr
    checks = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks["MP303"]["status"] == "skip" and "docker=false" in checks["MP303"]["message"]
    assert checks["MP103"]["status"] == "pass", checks["MP103"]


def test_docker_false_docs_build_strictly(no_docker: Project, tmp_path: Path) -> None:
    done = no_docker.uv_run("mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site"))
    assert done.returncode == 0, done.stdout + done.stderr


# ── answers that cannot work together ──────────────────────────────────────


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        pytest.param(
            ["gpu_image=true", "docker=false"], "gpu_image=true needs docker=true", id="gpu"
        ),
        pytest.param(["kubernetes=true", "docker=false"], "kubernetes=true needs docker", id="k8s"),
        pytest.param(
            ["kubernetes=true", "serving=batch"], "kubernetes=true needs serving", id="k8s-batch"
        ),
        pytest.param(
            ["tracker=nope"], "'nope' is not in ['mlflow', 'wandb', 'none']", id="tracker"
        ),
        pytest.param(["linting=flake8"], "'flake8' is not in", id="linting"),
        pytest.param(['ci_python_versions=["3.12"]'], "leaves out the project's own", id="ci"),
    ],
)
def test_impossible_combinations_fail_with_one_error_line(
    run_cli, tmp_path: Path, data: list[str], needle: str
) -> None:
    dest = tmp_path / "proj"
    args = [arg for pair in data for arg in ("--data", pair)]
    result = run_cli("new", dest, "--defaults", "--no-lock", *args)
    assert result.exit_code != 0
    assert "Traceback" not in result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0], result.stderr
    hints = [line for line in result.stderr.splitlines() if line.startswith("hint:")]
    assert len(hints) == 1 and ("--data" in hints[0] or "add 3.11" in hints[0]), result.stderr
    assert not dest.exists()
    assert not [p.name for p in tmp_path.iterdir() if ".mlplate-" in p.name]


# ── gpu_image=true, kubernetes=true ────────────────────────────────────────


@pytest.fixture(name="gpu_k8s", scope="module")
def fixture_gpu_k8s(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project answered gpu_image=true and kubernetes=true, locked, committed and synced."""
    root = tmp_path_factory.mktemp("gpu-k8s") / "fraud-radar"
    return _generate(root, project_name="fraud-radar", gpu_image=True, kubernetes=True)


def _kubernetes_tests(project: Project) -> subprocess.CompletedProcess[str]:
    """The generated project's own manifest tests, under its own pytest."""
    return project.uv_run("pytest", "-q", "-p", "no:cacheprovider", "tests/test_kubernetes.py")


def test_kubernetes_manifests_pass_the_projects_own_test(gpu_k8s: Project) -> None:
    assert sorted(p.name for p in (gpu_k8s.root / "k8s").iterdir()) == [
        "deployment.yaml",
        "hpa.yaml",
        "kustomization.yaml",
        "service.yaml",
    ]
    deployment = yaml.safe_load((gpu_k8s.root / "k8s/deployment.yaml").read_text())
    assert deployment["metadata"]["name"] == "fraud-radar"
    done = _kubernetes_tests(gpu_k8s)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b8 passed\b", done.stdout), done.stdout


BROKEN_MANIFESTS = [
    pytest.param("path: /ready", "path: /readyz", "/readyz", id="probe-on-a-missing-route"),
    pytest.param(
        "            periodSeconds: 15",
        "            periodSecond: 15",
        "'periodSecond' was unexpected",
        id="unknown-field",
    ),
    pytest.param("runAsUser: 10001", 'runAsUser: "10001"', "is not of type", id="wrong-type"),
    pytest.param("containerPort: 8000", "containerPort: 8080", "8080", id="port-not-the-image's"),
]


@pytest.mark.parametrize(("old", "new_text", "reported"), BROKEN_MANIFESTS)
def test_a_broken_manifest_fails_the_projects_own_test(
    gpu_k8s: Project, old: str, new_text: str, reported: str
) -> None:
    manifest = gpu_k8s.root / "k8s" / "deployment.yaml"
    original = manifest.read_text()
    assert old in original
    manifest.write_text(original.replace(old, new_text, 1))
    try:
        done = _kubernetes_tests(gpu_k8s)
    finally:
        manifest.write_text(original)
    assert done.returncode == 1, done.stdout + done.stderr
    assert reported in done.stdout, done.stdout


def test_kubernetes_adds_its_validator_to_the_dev_group_only(
    gpu_k8s: Project, no_docker: Project
) -> None:
    def dev_group(project: Project) -> list[str]:
        pyproject = tomllib.loads((project.root / "pyproject.toml").read_text())
        return pyproject["dependency-groups"]["dev"]

    assert any(dep.startswith("kubernetes-validate==") for dep in dev_group(gpu_k8s))
    assert not any("kubernetes" in dep for dep in dev_group(no_docker))
    assert "kubernetes-validate" not in str(
        tomllib.loads((gpu_k8s.root / "pyproject.toml").read_text())["project"]["dependencies"]
    )


def test_gpu_and_kubernetes_docs_are_in_the_nav_and_build(gpu_k8s: Project, tmp_path: Path) -> None:
    nav = yaml.safe_load((gpu_k8s.root / "mkdocs.yml").read_text())["nav"]
    pages = {page for entry in nav for page in entry.values()}
    assert {"kubernetes.md", "gpu.md"} <= pages
    assert "kubectl apply -k k8s/" in (gpu_k8s.root / "docs/kubernetes.md").read_text()
    assert "docker run --rm --gpus all" in (gpu_k8s.root / "docs/gpu.md").read_text()
    done = gpu_k8s.uv_run("mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_gpu_and_kubernetes_workflows_pass_actionlint_and_zizmor(gpu_k8s: Project) -> None:
    audited = workflow_linters_pass(gpu_k8s)
    assert ".github/workflows/cd.yml" in audited, audited
    steps = yaml.safe_load((gpu_k8s.root / ".github/workflows/cd.yml").read_text())["jobs"][
        "image"
    ]["steps"]
    builds = [s["with"] for s in steps if s.get("uses", "").startswith("docker/build-push-action@")]
    assert [b.get("file", "Dockerfile") for b in builds] == ["Dockerfile", "Dockerfile.gpu"]
    flavors = [s["with"].get("flavor", "") for s in steps if s.get("id", "").startswith("meta")]
    assert flavors == ["", "suffix=-gpu,onlatest=true"], flavors


def test_gpu_dockerfile_passes_hadolint(gpu_k8s: Project) -> None:
    done = gpu_k8s.run(
        tool("hadolint"), "--no-color", "--failure-threshold", "info", "Dockerfile.gpu"
    )
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_gpu_image_is_the_service_image_on_a_pinned_cuda_base(gpu_k8s: Project) -> None:
    cpu = dockerfile.parse((gpu_k8s.root / "Dockerfile").read_text())
    gpu = dockerfile.parse((gpu_k8s.root / "Dockerfile.gpu").read_text())
    cuda = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["pins"]["default"]["cuda"]
    images = [i.args.split()[0] for i in gpu if i.keyword == "FROM"]
    assert images[1:] == [f"nvidia/cuda:{cuda}"] * 2, images  # build and runtime stages
    assert re.fullmatch(r"\d+\.\d+\.\d+-runtime-ubuntu\d+\.\d+", cuda), cuda
    for keyword in ("USER", "EXPOSE", "HEALTHCHECK", "CMD"):
        assert dockerfile.only(gpu, keyword).args == dockerfile.only(cpu, keyword).args, keyword
    runtime = gpu[-1].stage
    assert any(
        i.keyword == "COPY" and i.args == "--from=build /app/.venv /app/.venv"
        for i in gpu
        if i.stage == runtime
    )
    syncs = [i.args for i in gpu if i.keyword == "RUN" and "uv sync" in i.args]
    assert syncs and all("--locked" in s and "--no-dev" in s for s in syncs), syncs
