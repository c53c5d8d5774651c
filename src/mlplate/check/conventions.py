"""Convention checks (MP3xx): CI, Docker, pre-commit, lockfile and docs as the team runs them."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

from mlplate import _proc
from mlplate.check import cache
from mlplate.check.registry import Check, Skip

_PINNED = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")


def _jobs(workflow: Any) -> list[dict[str, Any]]:
    jobs = workflow.get("jobs") if isinstance(workflow, dict) else None
    if not isinstance(jobs, dict):
        return []
    return [job for job in jobs.values() if isinstance(job, dict)]


def _steps(workflow: Any) -> list[dict[str, Any]]:
    return [
        step for job in _jobs(workflow) for step in job.get("steps") or [] if isinstance(step, dict)
    ]


def _uses(workflow: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every action or reusable workflow a workflow calls, with its `with:`."""
    called = [(str(job["uses"]), job.get("with") or {}) for job in _jobs(workflow) if "uses" in job]
    called += [(str(s["uses"]), s.get("with") or {}) for s in _steps(workflow) if "uses" in s]
    return called


class MP301(Check):
    """CI runs pre-commit and the tests"""

    family = "conventions"

    @staticmethod
    def check(workflows: dict[str, Any]) -> bool:
        """
        No GitHub Actions workflow runs both `pre-commit` and `pytest`, so CI does not
        enforce the team's standard.
        Fix: restore `.github/workflows/ci.yml` from the template.
        """
        for workflow in workflows.values():
            commands = " ".join(str(step.get("run", "")) for step in _steps(workflow))
            if "pre-commit" in commands and "pytest" in commands:
                return True
        return False


class MP302(Check):
    """Workflows are hardened"""

    family = "conventions"

    @staticmethod
    def check(workflows: dict[str, Any]) -> list[str] | Skip:
        """
        A workflow lacks top-level `permissions`, uses an action not pinned to a full
        commit SHA, or checks out with persisted credentials.
        Fix: set `permissions: {}` at the top and grant per job, pin `uses:` to a SHA
        with a `# vX.Y.Z` comment, and add `persist-credentials: false` to checkouts.
        """
        if not workflows:
            return Skip("no workflows in .github/workflows")
        problems = []
        for file_name, workflow in workflows.items():
            name = f".github/workflows/{file_name}"
            if not isinstance(workflow, dict):
                problems.append(f"{name}: not valid YAML")
                continue
            if "permissions" not in workflow:
                problems.append(f"{name}: no top-level permissions")
            for uses, with_ in _uses(workflow):
                if not uses.startswith(("./", "docker://")) and not _PINNED.match(uses):
                    problems.append(f"{name}: {uses} is not pinned to a commit SHA")
                if (
                    uses.startswith("actions/checkout@")
                    and with_.get("persist-credentials") is not False
                ):
                    problems.append(f"{name}: checkout without persist-credentials: false")
        return problems


class MP303(Check):
    """The image runs as a non-root user with a health check"""

    family = "conventions"
    file = "Dockerfile"

    @staticmethod
    def check(answers: dict[str, Any] | None, dockerfile: str | None) -> list[str] | Skip:
        """
        The Dockerfile's final stage runs as root or has no HEALTHCHECK.
        Fix: add a `USER` with a non-root user and a `HEALTHCHECK` against `/health`.
        """
        # A project answered docker=false has no image by choice, not by mistake.
        if (answers or {}).get("docker") is False:
            return Skip("the project answered docker=false: it builds no image")
        if dockerfile is None:
            return Skip("no Dockerfile")
        final = re.split(r"^FROM\s", dockerfile, flags=re.M | re.I)[-1]
        users = re.findall(r"^USER\s+(\S+)", final, re.M | re.I)
        problems = []
        if not users or users[-1] in {"root", "0", "0:0"}:
            problems.append("final stage runs as root")
        if not re.search(r"^HEALTHCHECK\s", final, re.M | re.I):
            problems.append("no HEALTHCHECK")
        return problems


class MP304(Check):
    """pre-commit hooks are local and pinned"""

    family = "conventions"
    file = ".pre-commit-config.yaml"

    @staticmethod
    def check(precommit: dict[str, Any] | None) -> list[str] | Skip:
        """
        A pre-commit hook comes from a remote repository, or a python hook installs
        unpinned packages, so hooks differ between machines or need network access
        to a code host.
        Fix: use `repo: local` hooks with `language: python` and `name==version` pins.
        """
        if precommit is None:
            return ["no .pre-commit-config.yaml"]
        problems = []
        for repo in precommit.get("repos") or []:
            if not isinstance(repo, dict):
                problems.append(f"not a repository entry: {repo!r}")
                continue
            if repo.get("repo") not in {"local", "meta"}:
                problems.append(f"remote hook repository {repo.get('repo')}")
                continue
            for hook in repo.get("hooks") or []:
                if not isinstance(hook, dict) or hook.get("language") != "python":
                    continue
                unpinned = [
                    d for d in hook.get("additional_dependencies", []) or [] if "==" not in d
                ]
                if unpinned:
                    problems.append(f"hook {hook.get('id')}: unpinned {', '.join(unpinned)}")
        return problems


def _lock_inputs(root: Path, uv: str) -> tuple[str, ...]:
    """What `uv lock --check` reads, as hashes; empty when that is more than these files."""
    pyproject = (root / "pyproject.toml").read_bytes()
    if b"[tool.uv.workspace]" in pyproject or b"[tool.uv.sources]" in pyproject:
        return ()  # other files take part in the lock: always ask uv
    files = [pyproject, (root / "uv.lock").read_bytes()]
    if (root / ".python-version").is_file():
        files.append((root / ".python-version").read_bytes())
    stamp = Path(uv).resolve().stat()
    return (uv, str(stamp.st_mtime_ns), *(hashlib.sha256(data).hexdigest() for data in files))


class MP305(Check):
    """uv.lock is present and matches pyproject.toml"""

    family = "conventions"
    file = "uv.lock"

    @staticmethod
    def check(root: Path) -> str | Skip | None:
        """
        `uv.lock` is missing or out of date with `pyproject.toml`, so installs are not
        reproducible.
        Fix: run `uv lock` and commit `uv.lock`.
        """
        if not (root / "pyproject.toml").is_file():
            return Skip("no pyproject.toml")
        if not (root / "uv.lock").is_file():
            return "uv.lock is missing"
        uv = shutil.which("uv")
        if uv is None:
            return Skip("uv is not installed, so only the presence of uv.lock was checked")
        inputs = _lock_inputs(root, uv)
        if inputs and cache.passed_before("MP305", *inputs):
            return None  # the same uv on the same bytes: `uv lock --check` passes again
        problem = _uv_lock_check(root, uv)
        if problem is None and inputs:
            cache.remember_pass("MP305", *inputs)
        return problem


def _uv_lock_check(root: Path, uv: str) -> str | Skip | None:
    """Run `uv lock --check`: None when in sync, a failure, or a Skip when uv cannot tell."""
    # --offline: a hook must not depend on the network; what uv cannot tell offline is skipped.
    done = _proc.run([uv, "lock", "--check", "--offline", "--quiet"], cwd=root, check=False)
    if done.returncode == 0:
        return None
    output = done.stderr + done.stdout
    if "needs to be updated" in output:
        return "uv.lock does not match pyproject.toml"
    errors = [line for line in output.splitlines() if line.startswith("error")] or ["?"]
    return Skip(f"uv could not check uv.lock offline: {errors[0]}")


class MP306(Check):
    """The docs site is configured"""

    family = "conventions"

    @staticmethod
    def check(root: Path) -> bool:
        """
        `mkdocs.yml` is missing, so the docs workflow cannot build the site.
        Fix: restore it from the template.
        """
        return (root / "mkdocs.yml").is_file()


def checks() -> list[type[Check]]:
    """The conventions family, as the `mlplate.checks` entry point in pyproject.toml lists it."""
    return [MP301, MP302, MP303, MP304, MP305, MP306]
