"""Convention checks (MP3xx), run one at a time on inline fixtures with compute_check."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from mlplate.check import compute_check, conventions
from mlplate.check.registry import Status
from tests.conftest import write_tree

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"
HARDENED = f"""
permissions: {{}}
jobs:
  test:
    runs-on: ubuntu-latest
    permissions: {{contents: read}}
    steps:
      - uses: actions/checkout@{SHA}  # v4.2.2
        with: {{persist-credentials: false}}
      - run: uv run pre-commit run --all-files && uv run pytest
"""


def _workflows(**texts: str) -> dict:
    return {name: yaml.safe_load(text) for name, text in texts.items()}


def test_mp301():
    assert compute_check("MP301", workflows=_workflows(**{"ci.yml": HARDENED})).status is (
        Status.PASS
    )


def test_mp301_missing():
    tests_only = HARDENED.replace("uv run pre-commit run --all-files && ", "")
    assert compute_check("MP301", workflows=_workflows(**{"ci.yml": tests_only})).status is (
        Status.FAIL
    )
    assert compute_check("MP301", workflows={}).status is Status.FAIL


def test_mp302():
    assert compute_check("MP302", workflows=_workflows(**{"ci.yml": HARDENED})).status is (
        Status.PASS
    )


def test_mp302_unpinned_action_and_persisted_credentials():
    loose = (
        HARDENED.replace("permissions: {}\n", "", 1)
        .replace(f"actions/checkout@{SHA}", "actions/checkout@v4")
        .replace("with: {persist-credentials: false}", "with: {fetch-depth: 0}")
    )
    reusable = "permissions: {}\njobs:\n  call:\n    uses: org/r/.github/workflows/x.yml@v1\n"
    result = compute_check("MP302", workflows=_workflows(**{"ci.yml": loose, "r.yml": reusable}))
    assert set(result.details) == {
        ".github/workflows/ci.yml: no top-level permissions",
        ".github/workflows/ci.yml: actions/checkout@v4 is not pinned to a commit SHA",
        ".github/workflows/ci.yml: checkout without persist-credentials: false",
        ".github/workflows/r.yml: org/r/.github/workflows/x.yml@v1 is not pinned to a commit SHA",
    }


def test_mp302_skipped_without_workflows():
    assert compute_check("MP302", workflows={}).status is Status.SKIP


def test_mp302_local_and_docker_actions_need_no_sha():
    local = HARDENED.replace(f"actions/checkout@{SHA}", "./.github/actions/setup").replace(
        "        with: {persist-credentials: false}\n", ""
    )
    local += "      - uses: docker://alpine:3.20\n"
    assert compute_check("MP302", workflows=_workflows(**{"ci.yml": local})).status is (Status.PASS)


@pytest.mark.parametrize(
    ("dockerfile", "details"),
    [
        ("FROM a AS build\nUSER app\nFROM b\nHEALTHCHECK CMD x\n", ("final stage runs as root",)),
        ("FROM b\nUSER app\n", ("no HEALTHCHECK",)),
        ("FROM b\nUSER 0\nHEALTHCHECK CMD x\n", ("final stage runs as root",)),
        ("FROM b\nUSER app\nHEALTHCHECK CMD x\n", ()),
    ],
    ids=["root-final-stage", "no-healthcheck", "uid-0", "good"],
)
def test_mp303_dockerfile(dockerfile, details):
    assert compute_check("MP303", answers=None, dockerfile=dockerfile).details == details


def test_mp303_skipped_without_dockerfile():
    assert compute_check("MP303", answers=None, dockerfile=None).status is Status.SKIP


def test_mp303_skipped_when_the_project_answered_docker_false():
    outcome = compute_check("MP303", answers={"docker": False}, dockerfile=None)
    assert outcome.status is Status.SKIP and "docker=false" in outcome.message


def test_mp303_checks_the_dockerfile_when_the_project_answered_docker_true():
    outcome = compute_check("MP303", answers={"docker": True}, dockerfile="FROM b\nUSER 0\n")
    assert outcome.status is Status.FAIL


LOCAL_HOOKS = {
    "repos": [
        {
            "repo": "local",
            "hooks": [
                {"id": "black", "language": "python", "additional_dependencies": ["black==26.1.0"]},
                {"id": "make", "language": "system", "entry": "make lint"},
            ],
        }
    ]
}


def test_mp304():
    assert compute_check("MP304", precommit=LOCAL_HOOKS).status is Status.PASS


def test_mp304_remote_and_unpinned_hooks():
    config = {
        "repos": [
            {"repo": "https://example.com/hooks", "rev": "v1", "hooks": [{"id": "x"}]},
            {
                "repo": "local",
                "hooks": [
                    {"id": "black", "language": "python", "additional_dependencies": ["black"]}
                ],
            },
        ]
    }
    assert compute_check("MP304", precommit=config).details == (
        "remote hook repository https://example.com/hooks",
        "hook black: unpinned black",
    )


def test_mp304_missing():
    assert compute_check("MP304", precommit=None).details == ("no .pre-commit-config.yaml",)


PYPROJECT = '[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.11"\ndependencies = []\n'
needs_uv = pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not installed")


@needs_uv
def test_mp305(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT})
    subprocess.run(["uv", "lock", "--offline", "--quiet"], cwd=tmp_path, check=True)
    assert compute_check("MP305", root=tmp_path).status is Status.PASS


@needs_uv
def test_mp305_stale_lockfile(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT})
    subprocess.run(["uv", "lock", "--offline", "--quiet"], cwd=tmp_path, check=True)
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT.replace('"0"', '"1"')})
    assert compute_check("MP305", root=tmp_path).details == (
        "uv.lock does not match pyproject.toml",
    )


@needs_uv
def test_mp305_remembers_a_pass_for_the_same_files(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT})
    subprocess.run(["uv", "lock", "--offline", "--quiet"], cwd=tmp_path, check=True)
    assert compute_check("MP305", root=tmp_path).status is Status.PASS
    calls = []
    monkeypatch.setattr(conventions, "_uv_lock_check", lambda *a: calls.append(a))
    assert compute_check("MP305", root=tmp_path).status is Status.PASS
    assert not calls  # the same uv and the same bytes: uv was not asked again
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT + "# edited\n"})
    compute_check("MP305", root=tmp_path)
    assert len(calls) == 1


def test_mp305_missing_lockfile(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT})
    assert compute_check("MP305", root=tmp_path).details == ("uv.lock is missing",)


def test_mp305_skipped_without_uv(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"})
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = compute_check("MP305", root=tmp_path)
    assert result.status is Status.SKIP and "uv is not installed" in result.message


def test_mp306(tmp_path):
    write_tree(tmp_path, {"mkdocs.yml": "site_name: x\n"})
    assert compute_check("MP306", root=tmp_path).status is Status.PASS


def test_mp306_missing(tmp_path):
    assert compute_check("MP306", root=tmp_path).status is Status.FAIL


def test_compute_check_names_a_missing_fixture():
    with pytest.raises(TypeError, match="'dockerfile'"):
        compute_check("MP303", answers=None)
