"""A generated project's engineering scaffolding passes the real tools.

pre-commit (its own config, run with its own pinned hooks), actionlint and zizmor on
its GitHub workflows, hadolint on its Dockerfile, the image's build steps and CMD
replayed without Docker, and its documentation built strictly.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from mlplate.new import new

from . import _dockerfile as dockerfile
from .conftest import Project, tool

pytestmark = pytest.mark.e2e

ROW = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 5.1, "petal_width": 1.8}


def _workflows(project: Project) -> dict[str, dict]:
    folder = project.root / ".github" / "workflows"
    return {path.name: yaml.safe_load(path.read_text()) for path in sorted(folder.glob("*.yml"))}


# ── pre-commit ─────────────────────────────────────────────────────────────


def _pre_commit(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return project.uv_run("pre-commit", "run", *args, "--all-files", "--color=never")


def _hook_results(output: str) -> dict[str, str]:
    """`hook name....Passed` lines of pre-commit's report, as name → Passed/Failed/Skipped."""
    results = re.findall(
        r"^(.+?)\.{3,}(?:\(no files to check\))?(Passed|Failed|Skipped)$", output, re.M
    )
    return dict(results)


@contextmanager
def _tracked_file(project: Project, rel: str, content: str) -> Iterator[Path]:
    """Add a file to the index for the duration (pre-commit --all-files sees tracked files)."""
    path = project.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    project.must("git", "add", "--", rel)
    try:
        yield path
    finally:
        project.must("git", "rm", "--cached", "--force", "--quiet", "--", rel)
        path.unlink(missing_ok=True)


def test_generated_project_passes_its_own_pre_commit(scaffold: Project) -> None:
    done = _pre_commit(scaffold)
    assert done.returncode == 0, done.stdout + done.stderr
    results = _hook_results(done.stdout)
    assert results.get("black") == "Passed" and results.get("pylint") == "Passed", done.stdout
    assert "Failed" not in results.values()
    status = scaffold.must("git", "status", "--porcelain").stdout
    assert status == "", f"a hook changed the freshly generated project:\n{status}"


def test_pre_commit_fails_on_an_unused_import(scaffold: Project) -> None:
    module = f"src/{scaffold.package}/scratch.py"
    with _tracked_file(scaffold, module, '"""Scratch module."""\n\nimport os\n'):
        done = _pre_commit(scaffold)
    assert done.returncode != 0, done.stdout
    assert _hook_results(done.stdout)["pylint"] == "Failed", done.stdout
    assert "unused-import" in done.stdout


# Split so that this file itself passes detect-private-key.
PRIVATE_KEY = "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"

# hook, file added, its content, and what a fixing hook leaves (None: the hook only reports)
VIOLATIONS = [
    pytest.param(
        "black",
        "src/{pkg}/scratch.py",
        '"""Scratch."""\nx=[1,2]\n',
        '"""Scratch."""\n\nx = [1, 2]\n',
        id="black-reformats-unformatted-code",
    ),
    pytest.param(
        "trailing-whitespace", "notes.md", "# Notes   \n", "# Notes\n", id="trailing-whitespace"
    ),
    pytest.param("end-of-file-fixer", "notes.md", "# Notes", "# Notes\n", id="no-final-newline"),
    pytest.param("check-yaml", "configs/broken.yaml", "key: [unclosed\n", None, id="invalid-yaml"),
    pytest.param("check-toml", "broken.toml", "key = \n", None, id="invalid-toml"),
    pytest.param("detect-private-key", "deploy_key", PRIVATE_KEY, None, id="private-key"),
    pytest.param("check-added-large-files", "data/big.bin", "0" * 600_000, None, id="large-file"),
]


@pytest.mark.parametrize(("hook", "rel", "content", "fixed"), VIOLATIONS)
def test_pre_commit_hook_fails_on_a_violation(
    scaffold: Project, hook: str, rel: str, content: str, fixed: str | None
) -> None:
    rel = rel.format(pkg=scaffold.package)
    with _tracked_file(scaffold, rel, content) as path:
        done = _pre_commit(scaffold, hook)
        after = path.read_text(encoding="utf-8")
    assert done.returncode == 1, done.stdout + done.stderr
    assert list(_hook_results(done.stdout).values()) == ["Failed"], done.stdout
    if fixed is not None:
        assert after == fixed, "the hook should also have fixed the file"


# ── GitHub Actions ─────────────────────────────────────────────────────────


def test_workflows_are_the_expected_set(scaffold: Project) -> None:
    workflows = _workflows(scaffold)
    assert set(workflows) == {
        "ci.yml", "cd.yml", "train.yml", "docs.yml", "template-sync.yml", "monitor.yml"
    }  # fmt: skip
    triggers = {
        name: set(body[True]) for name, body in workflows.items()
    }  # YAML 1.1 reads `on:` as True
    assert triggers["ci.yml"] == {"pull_request", "push"}
    assert workflows["cd.yml"][True]["push"]["tags"] == ["v*"]
    assert {"workflow_dispatch", "repository_dispatch", "schedule"} <= triggers["train.yml"]
    assert {"workflow_dispatch", "schedule"} <= triggers["monitor.yml"]
    dependabot = yaml.safe_load((scaffold.root / ".github/dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"] for update in dependabot["updates"]}
    assert ecosystems == {"uv", "github-actions", "docker"}


def test_workflows_pass_actionlint(scaffold: Project) -> None:
    done = scaffold.run(tool("actionlint"), "-color=false", "-shellcheck", tool("shellcheck"))
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_workflows_pass_zizmor_offline(scaffold: Project) -> None:
    # The pedantic persona adds the audits the default one leaves out.
    done = scaffold.run(tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout
    audited = set(re.findall(r"completed \./(\S+)", done.stderr))
    expected = {
        f".github/workflows/{name}"
        for name in (
            "ci.yml", "cd.yml", "train.yml", "docs.yml", "template-sync.yml", "monitor.yml"
        )  # fmt: skip
    }
    assert expected | {".github/dependabot.yml"} <= audited, done.stderr


def test_workflows_are_hardened(scaffold: Project) -> None:
    """Beyond zizmor: every job bounded in time, every action at a commit with its version."""
    for name, workflow in _workflows(scaffold).items():
        assert workflow["permissions"] in (
            {},
            {"contents": "read"},
        ), f"{name}: top-level permissions"
        assert "concurrency" in workflow, f"{name}: no concurrency group"
        for job_id, job in workflow["jobs"].items():
            where = f"{name} job {job_id}"
            assert isinstance(job.get("timeout-minutes"), int), f"{where}: no timeout-minutes"
            assert "permissions" in job, f"{where}: no explicit permissions"
            for step in job["steps"]:
                if "run" in step:
                    assert (
                        "${{" not in step["run"]
                    ), f"{where}: an expression inside run: ({step['run']!r})"
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert (
                        step.get("with", {}).get("persist-credentials") is False
                    ), f"{where}: checkout"
        text = (scaffold.root / ".github/workflows" / name).read_text()
        for line in re.findall(r"uses: (\S+.*)", text):
            assert re.fullmatch(
                r"[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line
            ), f"{name}: {line}"


def test_only_the_publishing_jobs_can_write(scaffold: Project) -> None:
    writers = {
        (name, job_id): {scope for scope, level in job["permissions"].items() if level == "write"}
        for name, workflow in _workflows(scaffold).items()
        for job_id, job in workflow["jobs"].items()
        if "write" in job["permissions"].values()
    }
    assert writers == {
        ("cd.yml", "image"): {"packages", "id-token", "attestations"},
        ("docs.yml", "deploy"): {"pages", "id-token"},
        # pushes the template-sync branch and opens its pull request
        ("template-sync.yml", "pull-request"): {"contents", "pull-requests"},
    }


def test_train_workflow_steps_produce_the_artifacts_it_uploads(trained_scaffold: Project) -> None:
    """Run train.yml's shell steps in the project, then check the paths its upload step names.

    `uv sync` steps are skipped: the session's environment is already synced (with the
    dev group on top, which the workflow leaves out).
    """
    project = trained_scaffold
    steps = _workflows(project)["train.yml"]["jobs"]["train"]["steps"]
    try:
        for step in steps:
            command = step.get("run", "")
            if command and not command.startswith("uv sync"):
                done = project.run("bash", "-eo", "pipefail", "-c", command)
                assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
        uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
        assert len(uploads) == 1
        for rel in uploads[0]["with"]["path"].split():
            path = project.root / rel
            assert path.is_file() or any(path.iterdir()), f"{rel}: nothing to upload"
        changed = project.must("git", "status", "--porcelain", "--", "docs/model-card.md").stdout
        assert changed, "the model card was not filled in from the run"
    finally:
        project.must("git", "checkout", "--", "docs")  # leave the session's project clean


@pytest.mark.parametrize("python_version", ["3.12", "3.13"])
def test_other_python_versions_lint_clean(python_version: str, tmp_path: Path) -> None:
    """The answers reach the workflows and the Dockerfile, and the linters still pass."""
    root = tmp_path / "other"
    new(root, data={"project_name": "Other Project", "python_version": python_version}, lock=False)
    project = Project(root=root, package="other_project")
    checks = [
        (tool("actionlint"), "-color=false", "-shellcheck", tool("shellcheck")),
        (tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress", "."),
        (tool("hadolint"), "--no-color", "--failure-threshold", "info", "Dockerfile"),
    ]
    for command in checks:
        done = project.run(*command)
        assert done.returncode == 0, f"{command[0]}:\n{done.stdout}{done.stderr}"
    assert f'PYTHON_VERSION: "{python_version}"' in (root / ".github/workflows/ci.yml").read_text()
    dockerfile_text = (root / "Dockerfile").read_text()
    assert f"ARG PYTHON_VERSION={python_version}\n" in dockerfile_text
    assert '"other_project.serve:app"' in dockerfile_text


# ── Dockerfile ─────────────────────────────────────────────────────────────


def test_dockerfile_passes_hadolint(scaffold: Project) -> None:
    done = scaffold.run(tool("hadolint"), "--no-color", "--failure-threshold", "info", "Dockerfile")
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_dockerfile_runs_as_non_root_with_pinned_base_images(scaffold: Project) -> None:
    instructions = dockerfile.parse((scaffold.root / "Dockerfile").read_text())
    images = [i.args.split()[0] for i in instructions if i.keyword == "FROM"]
    assert len(images) >= 3, images  # uv, build, runtime
    for image in images:
        assert re.search(r":[\w.${}-]+$", image) and not image.endswith(":latest"), image
    runtime = instructions[-1].stage
    user = dockerfile.only(instructions, "USER", runtime).args
    assert user.split(":")[0] not in ("root", "0"), user


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _on_loopback(command: list[str], port: int) -> list[str]:
    """The image's command, but bound to 127.0.0.1:`port` instead of 0.0.0.0:8000."""
    replaced = list(command)
    for flag, value in (("--host", "127.0.0.1"), ("--port", str(port))):
        assert flag in replaced, f"expected {flag} in {command}"
        replaced[replaced.index(flag) + 1] = value
    return replaced


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@contextmanager
def _serving(
    command: list[str], *, cwd: Path, env: dict[str, str], port: int, until: str = "/ready"
) -> Iterator[str]:
    """Start `command`, wait until `until` answers 200, yield the base URL, then stop it."""
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as server:
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    status, body = _get(f"{base}{until}")
                except OSError:
                    status, body = 0, None
                if status == 200:
                    break
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    log = server.stdout.read() if server.stdout else ""
                    pytest.fail(
                        f"{command} never got ready (last {until}: {status} {body}):\n{log}"
                    )
                time.sleep(0.5)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def _healthcheck(command: list[str], port: int, env: dict[str, str], cwd: Path) -> int:
    """Run the image's HEALTHCHECK command against `port` instead of 8000; its exit code."""
    pointed = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in command]
    assert pointed != command, f"the HEALTHCHECK does not target 127.0.0.1:8000: {command}"
    done = subprocess.run(
        pointed, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    return done.returncode


def test_image_cmd_serves_the_trained_model_and_passes_the_healthcheck(
    trained_scaffold: Project,
) -> None:
    project = trained_scaffold
    instructions = dockerfile.parse((project.root / "Dockerfile").read_text())
    cmd = dockerfile.only(instructions, "CMD").exec_form()
    assert cmd[0] == "uvicorn" and cmd[1] == f"{project.package}.serve:app", cmd
    healthcheck = dockerfile.healthcheck_command(dockerfile.only(instructions, "HEALTHCHECK"))

    # The image puts its virtual environment first on PATH; here that is the project's .venv.
    env = project.env
    env["PATH"] = f"{project.root / '.venv' / 'bin'}:{env['PATH']}"
    port = _free_port()
    with _serving(_on_loopback(cmd, port), cwd=project.root, env=env, port=port) as base:
        status, health = _get(f"{base}/health")
        assert status == 200 and health["status"] == "ok", health
        assert health["model"]["name"] == project.package
        assert _healthcheck(healthcheck, port, env, project.root) == 0
    assert (
        _healthcheck(healthcheck, port, env, project.root) != 0
    ), "healthy with the service stopped"


class ImageReplay:
    """The Dockerfile's build replayed without Docker, into `<tmp>/app` standing for /app.

    The virtual environment is built straight where the runtime stage copies it
    (/app/.venv in both stages, so its scripts' shebangs stay valid), and the runtime
    directory gets only what the runtime stage copies.
    """

    def __init__(self, project: Project, tmp_path: Path) -> None:
        self.project = project
        self.instructions = dockerfile.parse((project.root / "Dockerfile").read_text())
        stages = list(dict.fromkeys(i.stage for i in self.instructions if i.keyword == "FROM"))
        self.build_stage, self.runtime_stage = stages[-2], stages[-1]
        patterns = dockerfile.read_dockerignore(project.root / ".dockerignore")
        self.context = set(dockerfile.build_context(project.root, patterns))
        self.build_dir, self.app_dir = tmp_path / "build", tmp_path / "app"

    def stage(self, name: str) -> list[dockerfile.Instruction]:
        """The instructions of one stage."""
        return [i for i in self.instructions if i.stage == name]

    def copy_from_context(self, instruction: dockerfile.Instruction, into: Path) -> None:
        """Carry out a COPY from the build context into `into` (standing for the WORKDIR)."""
        sources, dest = dockerfile.copy_sources(instruction)
        for source in (s.rstrip("/") for s in sources):
            files = [p for p in self.context if p == source or p.startswith(source + "/")]
            assert files, f"COPY {source}: not in the build context"
            for rel in files:
                inside = rel if dest in (".", "./") else Path(dest) / Path(rel).relative_to(source)
                (into / inside).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.project.root / rel, into / inside)

    def build(self) -> None:
        """The build stage's COPYs from the context and RUNs, with its ENV."""
        # Bytecode compilation and copying instead of hard-linking only make the image
        # start faster and stand alone; they are skipped here.
        env = self.project.env | dockerfile.env_of(self.instructions, self.build_stage)
        env |= {"UV_PROJECT_ENVIRONMENT": str(self.app_dir / ".venv"), "UV_COMPILE_BYTECODE": "0"}
        env.pop("UV_LINK_MODE", None)
        self.build_dir.mkdir(parents=True)
        for instruction in self.stage(self.build_stage):
            if instruction.keyword == "COPY" and dockerfile.copy_from(instruction) is None:
                self.copy_from_context(instruction, self.build_dir)
            elif instruction.keyword == "RUN":
                command = re.sub(r"^(--\S+ )+", "", instruction.args)  # --mount=… is BuildKit's
                done = subprocess.run(
                    ["bash", "-c", command],
                    cwd=self.build_dir,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=900,
                    check=False,
                )
                output = f"{done.stdout}\n{done.stderr}"
                assert done.returncode == 0, f"RUN {instruction.args}:\n{output}"
        shutil.rmtree(self.build_dir)  # a non-editable install must not need the sources

    def runtime(self) -> None:
        """The runtime stage's COPYs from the context (the venv is already in place)."""
        for instruction in self.stage(self.runtime_stage):
            if instruction.keyword == "COPY" and dockerfile.copy_from(instruction) is None:
                self.copy_from_context(instruction, self.app_dir)

    def runtime_env(self, **values: str) -> dict[str, str]:
        """The runtime stage's ENV with /app mapped and `$NAME`s expanded from `values`."""
        return {
            key: re.sub(r"\$\{?(\w+)\}?", lambda m: values[m.group(1)], value).replace(
                "/app", str(self.app_dir)
            )
            for key, value in dockerfile.env_of(self.instructions, self.runtime_stage).items()
        }


def test_dockerignore_sends_only_what_the_image_needs(scaffold: Project, tmp_path: Path) -> None:
    replay = ImageReplay(scaffold, tmp_path)
    assert "uv.lock" in replay.context and f"src/{scaffold.package}/serve/api.py" in replay.context
    private = {".venv", ".git", "mlruns", "data", "reports", "tests", ".env"}
    leaked = sorted(p for p in replay.context if p.split("/")[0] in private)
    assert not leaked, f".dockerignore lets these into the build context: {leaked[:10]}"


def test_image_build_steps_and_cmd_work_with_a_mounted_model(
    trained_scaffold: Project, tmp_path: Path
) -> None:
    """The image's build and CMD, replayed: only .venv and configs/ at run time, no src/."""
    project = trained_scaffold
    replay = ImageReplay(project, tmp_path / "image")
    workdirs = {i.stage: i.args for i in replay.instructions if i.keyword == "WORKDIR"}
    assert workdirs[replay.build_stage] == workdirs[replay.runtime_stage] == "/app"
    venv_copy = f"--from={replay.build_stage} /app/.venv /app/.venv"
    runtime = replay.stage(replay.runtime_stage)
    assert any(i.keyword == "COPY" and i.args == venv_copy for i in runtime), venv_copy

    replay.build()
    replay.runtime()
    assert sorted(p.name for p in replay.app_dir.iterdir()) == [".venv", "configs"]

    # The model comes from a directory, as when one is mounted into the container.
    models = sorted((project.root / "mlruns").rglob("MLmodel"), key=lambda p: p.stat().st_mtime)
    assert models, "training logged no MLflow model"
    mounted = tmp_path / "models" / "current"
    shutil.copytree(models[-1].parent, mounted)
    model_uri_var = f"{project.package.upper()}_SERVE__MODEL_URI"
    image_env = replay.runtime_env(PATH=project.env["PATH"], MODEL_URI="")
    assert image_env[model_uri_var] == "", "no model should be baked in by default"

    env = project.env | image_env | {model_uri_var: str(mounted)}
    cmd = dockerfile.only(replay.instructions, "CMD").exec_form()
    port = _free_port()
    with _serving(_on_loopback(cmd, port), cwd=replay.app_dir, env=env, port=port) as base:
        status, health = _get(f"{base}/health")
        assert status == 200 and health["status"] == "ok", health
        assert health["model"]["uri"] == mounted.name  # /health names no absolute path
        request = urllib.request.Request(
            f"{base}/predict",
            data=json.dumps({"rows": [ROW]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert len(json.loads(response.read())["predictions"]) == 1

    # No model at all (CI's smoke test of the image): live and healthy, but not ready.
    env = project.env | image_env
    healthcheck = dockerfile.healthcheck_command(
        dockerfile.only(replay.instructions, "HEALTHCHECK")
    )
    with _serving(_on_loopback(cmd, port), cwd=replay.app_dir, env=env, port=port, until="/health"):
        status, health = _get(f"http://127.0.0.1:{port}/health")
        assert status == 200 and health["status"] == "degraded" and health["error"], health
        assert _get(f"http://127.0.0.1:{port}/ready")[0] == 503
        assert _healthcheck(healthcheck, port, env, replay.app_dir) == 0


# ── Docs ───────────────────────────────────────────────────────────────────


def test_docs_build_strictly(scaffold: Project, tmp_path: Path) -> None:
    assert (scaffold.root / "mkdocs.yml").is_file(), "the generated project has no mkdocs.yml"
    done = scaffold.uv_run("mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").is_file()
