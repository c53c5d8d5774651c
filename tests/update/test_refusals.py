"""Every way an update can be refused: one clear error line, its fix, exit 2, nothing changed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.conftest import git, write_tree
from tests.update.conftest import TEMPLATE_V1, Made, commit_edits, tree


@dataclass
class Refusal:
    """How to break the project or the call, and what the error and hint must say."""

    prepare: Callable[[Made], None] = lambda made: None
    args: tuple[str, ...] = ()
    error: tuple[str, ...] = ()
    hint: tuple[str, ...] = ()
    template_change: dict = field(default_factory=dict)


def _answers(made: Made, text: str | None) -> None:
    write_tree(made.project, {".copier-answers.yml": text})
    git(made.project, "add", "--all")
    git(made.project, "commit", "-qm", "answers")


def _replace_in_answers(old: str, new: str) -> Callable[[Made], None]:
    def prepare(made: Made) -> None:
        text = (made.project / ".copier-answers.yml").read_text()
        _answers(made, text.replace(old, new))

    return prepare


def _template_gone(made: Made) -> None:
    shutil.rmtree(made.repo.root)


def _template_not_git(made: Made) -> None:
    shutil.rmtree(made.repo.root / ".git")


def _not_a_repo(made: Made) -> None:
    shutil.rmtree(made.project / ".git")


REFUSALS = {
    "dirty-tree": Refusal(
        prepare=lambda made: (made.project / "config.txt").write_text("uncommitted\n"),
        error=("uncommitted changes: config.txt",),
        hint=("git stash -u",),
    ),
    "untracked-file": Refusal(
        prepare=lambda made: (made.project / "scratch.ipynb").write_text("{}\n"),
        error=("scratch.ipynb",),
        hint=("commit or stash",),
    ),
    "no-answers-file": Refusal(
        prepare=lambda made: _answers(made, None),
        error=("has no .copier-answers.yml",),
        hint=("mlplate adopt",),
    ),
    "answers-file-not-yaml": Refusal(
        prepare=lambda made: _answers(made, "_commit: v1.0.0\n_src_path: [unclosed\n"),
        error=(".copier-answers.yml is not valid YAML at line",),
        hint=("git log -p .copier-answers.yml",),
    ),
    "answers-file-not-a-mapping": Refusal(
        prepare=lambda made: _answers(made, "- just\n- a list\n"),
        error=("is not a mapping",),
    ),
    "answers-file-without-template": Refusal(
        prepare=lambda made: _answers(made, "project_name: demo\n"),
        error=("records no _src_path and _commit",),
    ),
    "template-no-longer-on-this-machine": Refusal(
        prepare=_template_gone,
        error=("does not exist on this machine",),
        hint=("_src_path",),
    ),
    "template-is-not-a-git-repository": Refusal(
        prepare=_template_not_git,
        error=("is not a git repository",),
    ),
    "recorded-version-missing-from-the-template": Refusal(
        prepare=_replace_in_answers("_commit: v1.0.0", "_commit: v0.9.0"),
        error=("has no version 'v0.9.0' (the version recorded in .copier-answers.yml)",),
    ),
    "unknown-target-version": Refusal(
        args=("--to", "v9.9.9"), error=("has no version 'v9.9.9' (the target)",), hint=("--to",)
    ),
    "answer-to-a-question-the-template-does-not-ask": Refusal(
        args=("--data", "colour=blue"),
        error=("the template has no question named 'colour'",),
        hint=("project_name",),
    ),
    "data-not-key-value": Refusal(args=("--data", "colour"), error=("not of the form key=value",)),
    "new-question-without-default": Refusal(
        template_change={
            "copier.yml": TEMPLATE_V1["copier.yml"]
            + "team:\n  type: str\n  help: The team that owns the project\n",
            "template/TEAM.md.jinja": "{{ team }}\n",
        },
        error=("the template asks 'team' (The team that owns the project) and it has no default",),
        hint=("--data team=VALUE",),
    ),
    "answer-the-new-version-rejects": Refusal(
        template_change={
            "copier.yml": TEMPLATE_V1["copier.yml"]
            + "  validator: \"{% if project_name == 'demo' %}pick a real name{% endif %}\"\n",
        },
        error=("invalid value for 'project_name': pick a real name",),
        hint=("--data project_name=VALUE",),
    ),
    "not-a-git-repository": Refusal(prepare=_not_a_repo, error=("is not in a git repository",)),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_update_refuses_with_one_clear_line(name, make_project, run_cli):
    refusal = REFUSALS[name]
    made = make_project()
    commit_edits(made.project, {"NOTES.md": "the team's notes\n"})
    made.repo.commit(
        refusal.template_change or {"template/Makefile": "test:\n\tpytest -q\n"}, tag="v2.0.0"
    )
    refusal.prepare(made)
    before = tree(made.project)

    result = run_cli("update", made.project, *refusal.args)

    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and len(lines) <= 2, result.stderr
    assert all(needle in lines[0] for needle in refusal.error), result.stderr
    assert all(needle in result.stderr for needle in refusal.hint), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert tree(made.project) == before


def test_a_new_question_without_default_is_answered_with_data(make_project, run_cli):
    made = make_project()
    made.repo.commit(REFUSALS["new-question-without-default"].template_change, tag="v2.0.0")
    assert run_cli("update", made.project).exit_code == 2
    assert run_cli("update", made.project, "--data", "team=vision").exit_code == 0
    assert (made.project / "TEAM.md").read_text() == "vision\n"
