"""The update corpus: generated projects, realistic edits, a template release, `mlplate update`.

Each scenario is a project made from template v1.0.0 with the team's edits
committed, a template change released as v2.0.0, and the update's expected
outcome. Every scenario also checks the invariants: no line the project added is
lost (it is in the work tree: nothing is replaced into a backup), no `.rej` file appears, the
exit code and the JSON report are true to what is on disk, and the answers file
records the new version.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import pytest
import yaml

from tests.conftest import git, write_tree
from tests.update.conftest import (
    CI,
    POLICY,
    PRECOMMIT,
    PYPROJECT,
    STEPS,
    TEMPLATE_V1,
    assert_no_edit_lost,
    assert_no_rej,
    assert_report_true,
    backups,
)

Files = dict[str, str | bytes | None]
PYLINT_HOOK = "      - id: pylint\n        entry: pylint\n"
MYPY_HOOK = "      - id: mypy  # added by the project\n        entry: mypy\n"
DEPS = (
    '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
    "dependencies = [\n{deps}]\n"
)
TEMPLATE_DEPS = DEPS.replace('"demo"', '"{{{{ project_name }}}}"')  # survives .format()
QUESTION_TEAM = "team:\n  type: str\n  help: The team that owns the project\n"
RELEASE_ON_TAGS = "name: Release\non:\n  push:\n    tags: ['v*']\n"
PARAMS = "# training parameters\ntrain:\n  epochs: 10\n  seed: 1\n  batch: 32\n"
STEP_LINT = "      - name: Lint\n        run: uv run pylint src\n"


@dataclass
class Scenario:  # pylint: disable=too-many-instance-attributes
    """The project's edits, the template's change, and what the update must do."""

    project_edits: Files = field(default_factory=dict)
    template_change: Files = field(default_factory=dict)
    template_executable: tuple[str, ...] = ()
    template_v1: Files = field(default_factory=dict)  # changes to TEMPLATE_V1 for this scenario
    lock: bool = False  # generate with uv.lock
    args: tuple[str, ...] = ()
    exit_code: int = 0
    to: str = "v2.0.0"
    expect_files: Files = field(default_factory=dict)
    contains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lacks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    report: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unreported: tuple[str, ...] = ()  # paths the report must not mention
    lock_status: str | None = None


SCENARIOS = {
    # ── plain text files ───────────────────────────────────────────────────
    "template-changes-an-untouched-file": Scenario(
        template_change={"template/Makefile": "test:\n\tpytest -q\n"},
        expect_files={"Makefile": "test:\n\tpytest -q\n"},
        report={"updated": ("Makefile",)},
        unreported=("config.txt", "README.md", "src/app.py"),
    ),
    "both-sides-edit-different-lines": Scenario(
        project_edits={"config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nzeta\n"},
        template_change={
            "template/config.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\nZETA (template)\n"
        },
        expect_files={"config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nZETA (template)\n"},
        report={"merged": ("config.txt",)},
    ),
    "both-sides-edit-the-same-line": Scenario(
        project_edits={"config.txt": "alpha\nbeta\nGAMMA (ours)\ndelta\nepsilon\nzeta\n"},
        template_change={
            "template/config.txt": "alpha\nbeta\nGAMMA (template)\ndelta\nepsilon\nzeta\n"
        },
        exit_code=1,
        contains={
            "config.txt": (
                "<<<<<<< project\nGAMMA (ours)\n=======\nGAMMA (template)\n"
                ">>>>>>> template v2.0.0\n",
            )
        },
        report={"conflicted": ("config.txt",)},
    ),
    "both-sides-make-the-same-change": Scenario(
        project_edits={"Makefile": "test:\n\tpytest -q\n"},
        template_change={"template/Makefile": "test:\n\tpytest -q\n"},
        expect_files={"Makefile": "test:\n\tpytest -q\n"},
        unreported=("Makefile",),
    ),
    "crlf-file-edited-on-both-sides": Scenario(
        template_v1={"template/config.txt": "alpha\r\nbeta\r\ngamma\r\ndelta\r\n"},
        project_edits={"config.txt": "ALPHA\r\nbeta\r\ngamma\r\ndelta\r\n"},
        template_change={"template/config.txt": "alpha\r\nbeta\r\ngamma\r\nDELTA\r\n"},
        expect_files={"config.txt": b"ALPHA\r\nbeta\r\ngamma\r\nDELTA\r\n"},
        report={"merged": ("config.txt",)},
    ),
    # ── ownership policy ───────────────────────────────────────────────────
    # Template-owned files are merged, never overwritten: the project's edit on other
    # lines stays in the work tree (check reports it as drift), the same lines conflict.
    "user-edits-a-template-owned-file-the-template-changes-other-lines": Scenario(
        project_edits={"Dockerfile": "FROM python:3.11-slim\nUSER app\nEXPOSE 8000\n"},
        template_change={"template/Dockerfile": "FROM python:3.12-slim\nUSER app\n"},
        expect_files={"Dockerfile": "FROM python:3.12-slim\nUSER app\nEXPOSE 8000\n"},
        report={"merged": ("Dockerfile",)},
    ),
    "user-edits-a-template-owned-file-the-template-leaves": Scenario(
        project_edits={"Dockerfile": "FROM python:3.11-slim\nUSER app\nEXPOSE 8000\n"},
        template_change={"template/Makefile": "test:\n\tpytest -q\n"},
        expect_files={"Dockerfile": "FROM python:3.11-slim\nUSER app\nEXPOSE 8000\n"},
        unreported=("Dockerfile",),
    ),
    # Files listed under `seeded:` (this template lists src/** and README.md) stay write-once.
    "listed-seeded-file-is-never-updated": Scenario(
        project_edits={"src/app.py": "print('our model code')\n"},
        template_change={"template/src/app.py": "print('hello, world')\n"},
        expect_files={"src/app.py": "print('our model code')\n"},
        report={"skipped": ("src/app.py",)},
    ),
    "listed-seeded-file-untouched-is-not-updated-either": Scenario(
        template_change={"template/src/app.py": "print('hello, world')\n"},
        expect_files={"src/app.py": "print('hello')\n"},
        report={"skipped": ("src/app.py",)},
    ),
    "listed-seeded-file-added-by-the-template-appears": Scenario(
        template_change={"template/src/extra.py": "X = 1\n"},
        expect_files={"src/extra.py": "X = 1\n"},
        report={"added": ("src/extra.py",)},
    ),
    "unlisted-package-module-edited-on-both-sides-merges-both-edits": Scenario(
        template_v1={
            "template/.mlplate.yml": POLICY.replace("seeded: [src/**, README.md]", "seeded: []"),
            "template/src/app.py": "import sys\n\n\ndef main():\n    print('hello')\n",
        },
        project_edits={"src/app.py": "import sys  # ours\n\n\ndef main():\n    print('hello')\n"},
        template_change={
            "template/src/app.py": "import sys\n\n\ndef main():\n    print('hello, fixed')\n"
        },
        expect_files={
            "src/app.py": "import sys  # ours\n\n\ndef main():\n    print('hello, fixed')\n"
        },
        report={"merged": ("src/app.py",)},
    ),
    "opted-out-file-is-left-alone": Scenario(
        project_edits={
            ".mlplate.yml": POLICY.replace("opt_out: []", "opt_out: [Makefile]"),
            "Makefile": "test:\n\tnox\n",
        },
        template_change={"template/Makefile": "test:\n\tpytest -q\n"},
        expect_files={"Makefile": "test:\n\tnox\n"},
        report={"skipped": ("Makefile",)},
    ),
    "policy-merged-template-adds-a-rule-while-the-project-opts-out": Scenario(
        project_edits={
            ".mlplate.yml": POLICY.replace("opt_out: []", "opt_out:\n  - Dockerfile"),
            "Dockerfile": "FROM our-base\n",
        },
        template_change={
            "template/.mlplate.yml": POLICY.replace(
                "    - .github/workflows/release.yml\n",
                "    - .github/workflows/release.yml\n    - Makefile\n",
            ),
            "template/Dockerfile": "FROM python:3.12-slim\nUSER app\n",
            "template/Makefile": "test:\n\tpytest -q\n",
        },
        expect_files={"Dockerfile": "FROM our-base\n", "Makefile": "test:\n\tpytest -q\n"},
        contains={".mlplate.yml": ("    - Makefile\n", "opt_out:\n  - Dockerfile", "# who owns")},
        report={"skipped": ("Dockerfile",), "updated": ("Makefile",)},
    ),
    # ── deletions, additions, renames ──────────────────────────────────────
    "user-deleted-a-file-the-template-changes": Scenario(
        project_edits={"docs/guide.md": None},
        template_change={"template/docs/guide.md": "# Guide\n\n" + STEPS + "Step six.\n"},
        expect_files={"docs/guide.md": None},
        report={"skipped": ("docs/guide.md",)},
    ),
    "template-renames-a-file-the-user-edited": Scenario(
        project_edits={"docs/guide.md": "# Guide\n\n" + STEPS + "Our note.\n"},
        template_change={
            "template/docs/guide.md": None,
            "template/docs/howto.md": "# How-to\n\n" + STEPS,
        },
        expect_files={
            "docs/guide.md": None,
            "docs/howto.md": "# How-to\n\n" + STEPS + "Our note.\n",
        },
        report={"merged": ("docs/howto.md",), "deleted": ("docs/guide.md",)},
    ),
    "template-moves-an-untouched-file-to-a-folder": Scenario(
        template_change={"template/Makefile": None, "template/make/tasks.mk": "test:\n\tpytest\n"},
        expect_files={"Makefile": None, "make/tasks.mk": "test:\n\tpytest\n"},
        report={"deleted": ("Makefile",), "updated": ("make/tasks.mk",)},
    ),
    "template-renames-a-file-the-user-deleted": Scenario(
        project_edits={"docs/guide.md": None},
        template_change={"template/docs/guide.md": None, "template/docs/howto.md": STEPS},
        expect_files={"docs/guide.md": None, "docs/howto.md": None},
        report={"skipped": ("docs/howto.md",)},
    ),
    "template-adds-a-file": Scenario(
        template_change={"template/.editorconfig": "root = true\n"},
        expect_files={".editorconfig": "root = true\n"},
        report={"added": (".editorconfig",)},
    ),
    "template-adds-a-file-the-user-already-has": Scenario(
        project_edits={".editorconfig": "root = false\n"},
        template_change={"template/.editorconfig": "root = true\n"},
        exit_code=1,
        contains={".editorconfig": ("root = false", "root = true", "<<<<<<< project")},
        report={"conflicted": (".editorconfig",)},
    ),
    "template-deletes-an-untouched-file": Scenario(
        template_change={"template/Makefile": None},
        expect_files={"Makefile": None},
        report={"deleted": ("Makefile",)},
    ),
    "template-deletes-a-file-the-user-edited": Scenario(
        project_edits={"Makefile": "test:\n\tpytest -x\n"},
        template_change={"template/Makefile": None},
        expect_files={"Makefile": "test:\n\tpytest -x\n"},
        report={"skipped": ("Makefile",)},
    ),
    # ── binary files and modes ─────────────────────────────────────────────
    "binary-file-changed-on-both-sides-keeps-the-projects-as-a-conflict": Scenario(
        project_edits={"logo.bin": b"\x89PNG\0ours"},
        template_change={"template/logo.bin": b"\x89PNG\0v2"},
        exit_code=1,
        expect_files={"logo.bin": b"\x89PNG\0ours"},
        report={"conflicted": ("logo.bin",)},
    ),
    "binary-file-untouched-takes-the-templates": Scenario(
        template_change={"template/logo.bin": b"\x89PNG\0v2"},
        expect_files={"logo.bin": b"\x89PNG\0v2"},
        report={"updated": ("logo.bin",)},
    ),
    "template-makes-a-script-executable": Scenario(
        template_executable=("template/scripts/run.sh",),
        expect_files={"scripts/run.sh": "#!/bin/sh\necho run\n"},
        report={"updated": ("scripts/run.sh",)},
    ),
    # ── questions and answers ──────────────────────────────────────────────
    "template-adds-a-question-with-a-default": Scenario(
        template_change={
            "copier.yml": TEMPLATE_V1["copier.yml"] + "team:\n  type: str\n  default: ml\n",
            "template/TEAM.md.jinja": "{{ team }}\n",
        },
        expect_files={"TEAM.md": "ml\n"},
        contains={".copier-answers.yml": ("team: ml",)},
        report={"added": ("TEAM.md",)},
    ),
    "data-answers-a-new-question-without-default": Scenario(
        template_change={
            "copier.yml": TEMPLATE_V1["copier.yml"] + QUESTION_TEAM,
            "template/TEAM.md.jinja": "{{ team }}\n",
        },
        args=("--data", "team=vision"),
        expect_files={"TEAM.md": "vision\n"},
        contains={".copier-answers.yml": ("team: vision",)},
    ),
    "data-changes-an-answer-and-keeps-edits": Scenario(
        project_edits={"config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nzeta\n"},
        template_change={"template/NAME.txt.jinja": "{{ project_name }}\n"},
        args=("--data", "project_name=renamed"),
        expect_files={
            "NAME.txt": "renamed\n",
            "config.txt": "ALPHA (ours)\nbeta\ngamma\ndelta\nepsilon\nzeta\n",
        },
        contains={"pyproject.toml": ('name = "renamed"',)},
    ),
    "answer-edited-by-hand-reaches-the-files": Scenario(
        project_edits={".copier-answers.yml": "__HAND_EDIT__"},
        template_change={"template/Makefile": "test:\n\tpytest -q\n"},
        contains={"pyproject.toml": ('name = "edited-by-hand"',)},
        # Seeded, yet merged: a changed answer shapes it (unedited here, so it follows).
        expect_files={"README.md": "# edited-by-hand\n"},
    ),
    "template-removes-a-question": Scenario(
        template_v1={
            "copier.yml": TEMPLATE_V1["copier.yml"] + "legacy:\n  type: bool\n  default: true\n",
        },
        template_change={"copier.yml": TEMPLATE_V1["copier.yml"]},
        lacks={".copier-answers.yml": ("legacy",)},
    ),
    # ── pyproject.toml and uv.lock ─────────────────────────────────────────
    "pyproject-dependency-added-while-template-changes-another-line": Scenario(
        lock=True,
        template_v1={"template/pyproject.toml.jinja": TEMPLATE_DEPS.format(deps="")},
        project_edits={"pyproject.toml": DEPS.format(deps='  "six==1.16.0",\n')},
        template_change={
            "template/pyproject.toml.jinja": TEMPLATE_DEPS.format(deps="").replace("0.1.0", "0.2.0")
        },
        expect_files={
            "pyproject.toml": DEPS.format(deps='  "six==1.16.0",\n').replace("0.1.0", "0.2.0")
        },
        contains={"uv.lock": ('name = "six"', 'version = "1.16.0"')},
        report={"merged": ("pyproject.toml",), "updated": ("uv.lock",)},
        lock_status="regenerated",
    ),
    "pyproject-pin-bumped-next-to-a-dependency-the-user-added": Scenario(
        lock=True,
        template_v1={
            "template/pyproject.toml.jinja": TEMPLATE_DEPS.format(deps='  "six==1.16.0",\n')
        },
        project_edits={"pyproject.toml": DEPS.format(deps='  "six==1.16.0",\n  "idna==3.10",\n')},
        template_change={
            "template/pyproject.toml.jinja": TEMPLATE_DEPS.format(deps='  "six==1.17.0",\n')
        },
        expect_files={"pyproject.toml": DEPS.format(deps='  "six==1.17.0",\n  "idna==3.10",\n')},
        contains={"uv.lock": ('name = "six"\nversion = "1.17.0"', 'name = "idna"')},
        report={"merged": ("pyproject.toml",)},
        lock_status="regenerated",
    ),
    "pyproject-template-adds-a-dependency-the-user-removed-another": Scenario(
        template_v1={
            "template/pyproject.toml.jinja": TEMPLATE_DEPS.format(
                deps='  "six==1.16.0",  # pinned by the template\n  "idna==3.10",\n'
            )
        },
        project_edits={"pyproject.toml": DEPS.format(deps='  "six==1.16.0",  # ours too\n')},
        template_change={
            "template/pyproject.toml.jinja": TEMPLATE_DEPS.format(
                deps='  "six==1.16.0",  # pinned by the template\n  "idna==3.11",\n'
                '  "attrs>=25",\n'
            )
        },
        contains={"pyproject.toml": ('"six==1.16.0",  # ours too', '"attrs>=25"')},
        lacks={"pyproject.toml": ("idna",)},
        report={"merged": ("pyproject.toml",)},
    ),
    "pyproject-same-pin-changed-differently-on-both-sides": Scenario(
        lock=True,
        template_v1={
            "template/pyproject.toml.jinja": TEMPLATE_DEPS.format(deps='  "six==1.16.0",\n')
        },
        project_edits={"pyproject.toml": DEPS.format(deps='  "six==1.15.0",\n')},
        template_change={
            "template/pyproject.toml.jinja": TEMPLATE_DEPS.format(deps='  "six==1.17.0",\n')
        },
        exit_code=1,
        contains={"pyproject.toml": ("<<<<<<< project", "six==1.15.0", "six==1.17.0")},
        report={"conflicted": ("pyproject.toml",)},
        unreported=("uv.lock",),
        lock_status="skipped",
    ),
    "uv-lock-edited-by-the-project-is-regenerated-not-merged": Scenario(
        lock=True,
        project_edits={"pyproject.toml": DEPS.format(deps='  "six==1.16.0",\n')},
        template_change={"template/pyproject.toml.jinja": PYPROJECT.replace("0.1.0", "0.2.0")},
        contains={"uv.lock": ('name = "six"',)},
        lacks={"uv.lock": ("<<<<<<<",)},
        report={"updated": ("uv.lock",)},
        lock_status="regenerated",
    ),
    # ── YAML: pre-commit, workflows ────────────────────────────────────────
    "yaml-hook-added-next-to-a-hook-and-a-pin-the-template-changed": Scenario(
        project_edits={
            ".pre-commit-config.yaml": PRECOMMIT.replace(PYLINT_HOOK, PYLINT_HOOK + MYPY_HOOK)
        },
        template_change={
            "template/.pre-commit-config.yaml": PRECOMMIT.replace("26.10.1", "27.1.0").replace(
                "entry: pylint\n", "entry: pylint --jobs=0\n"
            )
        },
        expect_files={
            ".pre-commit-config.yaml": PRECOMMIT.replace("26.10.1", "27.1.0").replace(
                "entry: pylint\n", "entry: pylint --jobs=0\n" + MYPY_HOOK
            )
        },
        report={"merged": (".pre-commit-config.yaml",)},
    ),
    "yaml-workflow-step-added-by-the-template-keeps-its-place": Scenario(
        project_edits={
            ".github/workflows/ci.yml": CI.replace(
                "branches: [main]", "branches: [main, dev]"
            ).replace("uv run pytest", "uv run pytest -x  # stop at the first failure")
        },
        template_change={
            "template/.github/workflows/ci.yml": CI.replace(
                "      - name: Test\n", STEP_LINT + "      - name: Test\n"
            ).replace("actions/checkout@v5", "actions/checkout@v6")
        },
        expect_files={
            ".github/workflows/ci.yml": CI.replace("branches: [main]", "branches: [main, dev]")
            .replace("uv run pytest", "uv run pytest -x  # stop at the first failure")
            .replace("      - name: Test\n", STEP_LINT + "      - name: Test\n")
            .replace("actions/checkout@v5", "actions/checkout@v6")
        },
        report={"merged": (".github/workflows/ci.yml",)},
    ),
    "yaml-same-value-changed-differently-on-both-sides": Scenario(
        project_edits={
            ".pre-commit-config.yaml": PRECOMMIT.replace("entry: pylint\n", "entry: pylint -j2\n")
        },
        template_change={
            "template/.pre-commit-config.yaml": PRECOMMIT.replace(
                "entry: pylint\n", "entry: pylint -j0\n"
            )
        },
        exit_code=1,
        contains={".pre-commit-config.yaml": ("<<<<<<< project", "pylint -j2", "pylint -j0")},
        report={"conflicted": (".pre-commit-config.yaml",)},
    ),
    "template-owned-workflow-edited-on-the-same-lines-conflicts-in-the-work-tree": Scenario(
        project_edits={
            ".github/workflows/release.yml": "name: Release\non: [push, workflow_dispatch]\n"
        },
        template_change={"template/.github/workflows/release.yml": RELEASE_ON_TAGS},
        exit_code=1,
        contains={
            ".github/workflows/release.yml": (
                "<<<<<<< project\non: [push, workflow_dispatch]\n=======\n",
                "tags: ['v*']",
            )
        },
        report={"conflicted": (".github/workflows/release.yml",)},
    ),
    # ── YAML nulls: a key set to null is a value, not a missing key ────────
    "yaml-project-null-against-a-template-change-conflicts": Scenario(
        template_v1={"template/params.yaml": PARAMS},
        project_edits={"params.yaml": PARAMS.replace("seed: 1", "seed: null")},
        template_change={
            "template/params.yaml": PARAMS.replace("seed: 1", "seed: 2").replace(
                "epochs: 10", "epochs: 20"
            )
        },
        exit_code=1,
        contains={"params.yaml": ("<<<<<<< project", "seed: null", "seed: 2")},
        report={"conflicted": ("params.yaml",)},
    ),
    "yaml-template-adds-a-null-key": Scenario(
        template_v1={"template/params.yaml": PARAMS},
        project_edits={"params.yaml": PARAMS.replace("epochs: 10", "epochs: 15")},
        template_change={
            "template/params.yaml": PARAMS.replace("epochs: 10", "epochs: 10\n  resume: null")
        },
        expect_files={
            "params.yaml": PARAMS.replace("epochs: 10", "epochs: 15\n  resume: null"),
        },
        report={"merged": ("params.yaml",)},
    ),
    "yaml-template-null-does-not-delete-the-key": Scenario(
        template_v1={"template/params.yaml": PARAMS},
        project_edits={"params.yaml": PARAMS.replace("seed: 1", "seed: 7")},
        template_change={"template/params.yaml": PARAMS.replace("batch: 32", "batch: null")},
        expect_files={
            "params.yaml": PARAMS.replace("seed: 1", "seed: 7").replace("batch: 32", "batch: null")
        },
        report={"merged": ("params.yaml",)},
    ),
    "yaml-project-null-added-where-the-template-adds-a-value-conflicts": Scenario(
        template_v1={"template/params.yaml": PARAMS},
        project_edits={"params.yaml": PARAMS.replace("batch: 32", "batch: 32\n  device: null")},
        template_change={
            "template/params.yaml": PARAMS.replace("batch: 32", "batch: 64\n  device: cuda")
        },
        exit_code=1,
        contains={"params.yaml": ("<<<<<<< project", "device: null", "device: cuda")},
        report={"conflicted": ("params.yaml",)},
    ),
    # ── what the by-key merge cannot represent falls back to the text merge ──
    "yaml-comment-added-by-the-template-next-to-a-project-change-is-never-dropped": Scenario(
        template_v1={"template/params.yaml": PARAMS},
        project_edits={"params.yaml": PARAMS.replace("seed: 1", "seed: 7")},
        template_change={
            "template/params.yaml": PARAMS.replace(
                "  seed: 1", "  # fixed for reproducible runs\n  seed: 1"
            ).replace("epochs: 10", "epochs: 20")
        },
        exit_code=1,
        contains={"params.yaml": ("<<<<<<< project", "# fixed for reproducible runs", "seed: 7")},
        report={"conflicted": ("params.yaml",)},
    ),
    "toml-comment-added-by-the-template-next-to-a-project-change-is-never-dropped": Scenario(
        template_v1={"template/pyproject.toml.jinja": TEMPLATE_DEPS.format(deps='  "six",\n')},
        project_edits={"pyproject.toml": DEPS.format(deps='  "six",\n').replace("0.1.0", "0.1.1")},
        template_change={
            "template/pyproject.toml.jinja": TEMPLATE_DEPS.format(deps='  "six",\n')
            .replace('version = "0.1.0"', '# bumped by the release script\nversion = "0.1.0"')
            .replace(">=3.11", ">=3.12")
        },
        exit_code=1,
        contains={"pyproject.toml": ("<<<<<<< project", "# bumped by the release script", "0.1.1")},
        report={"conflicted": ("pyproject.toml",)},
    ),
    # ── versions ───────────────────────────────────────────────────────────
    "to-head-takes-unreleased-template-changes": Scenario(
        template_change={"template/Makefile": "test:\n\tpytest -q\n"},
        args=("--to", "HEAD"),
        to="HEAD",
        expect_files={"Makefile": "test:\n\tpytest -q\n"},
        report={"updated": ("Makefile",)},
    ),
}

HAND_EDITED = "project_name: edited-by-hand"


def _release(made, scenario: Scenario) -> None:
    write_tree(made.repo.root, scenario.template_change)
    for rel in scenario.template_executable:
        os.chmod(made.repo.root / rel, 0o755)
    made.repo.commit({}, tag=None if scenario.to == "HEAD" else "v2.0.0")


def _edits(made, scenario: Scenario) -> dict:
    edits = dict(scenario.project_edits)
    if edits.get(".copier-answers.yml") == "__HAND_EDIT__":
        answers = (made.project / ".copier-answers.yml").read_text()
        edits[".copier-answers.yml"] = answers.replace("project_name: demo", HAND_EDITED)
    return edits


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_update_scenario(name, make_project, run_cli):
    scenario = SCENARIOS[name]
    made = make_project(scenario.template_v1, lock=scenario.lock)
    edits = _edits(made, scenario)
    if edits:
        write_tree(made.project, edits)
        git(made.project, "add", "--all")
        git(made.project, "commit", "-qm", "the team's edits")
    _release(made, scenario)
    head = git(made.project, "rev-parse", "HEAD")

    result = run_cli("update", made.project, "--json", *scenario.args)

    assert result.exit_code == scenario.exit_code, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["from"] == "v1.0.0"
    expected_to = "v1.0.0-1-g" if scenario.to == "HEAD" else "v2.0.0"
    assert report["to"].startswith(expected_to), report["to"]
    for action, paths in scenario.report.items():
        reported = {entry["path"] for entry in report["files"][action]}
        assert set(paths) <= reported, (action, report["files"])
    mentioned = {e["path"] for entries in report["files"].values() for e in entries}
    assert not set(scenario.unreported) & mentioned, report["files"]
    for rel, content in scenario.expect_files.items():
        path = made.project / rel
        if content is None:
            assert not path.exists(), f"{rel} should not exist"
        else:
            expected = content if isinstance(content, bytes) else content.encode()
            assert path.read_bytes() == expected, rel
    for rel, needles in scenario.contains.items():
        text = (made.project / rel).read_text()
        assert all(n in text for n in needles), text
    for rel, needles in scenario.lacks.items():
        text = (made.project / rel).read_text()
        assert not any(n in text for n in needles), text
    if scenario.lock_status:
        assert report["lock"]["status"] == scenario.lock_status, report["lock"]
    assert not backups(made.project)  # nothing is replaced out of the work tree
    if scenario.template_executable:
        assert os.access(made.project / "scripts/run.sh", os.X_OK)
    assert_no_edit_lost(made, {k: v for k, v in edits.items() if k != ".copier-answers.yml"})
    assert_no_rej(made.project)
    assert_report_true(made.project, report)
    answers = yaml.safe_load((made.project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == report["to"]
    assert git(made.project, "rev-parse", "HEAD") == head  # nothing committed for the user


def test_the_corpus_is_large_enough():
    assert len(SCENARIOS) >= 25
