"""`mlplate demo DIR` is re-runnable: an earlier or interrupted demo in DIR is run again."""

from __future__ import annotations

import functools
import importlib

import pytest

from mlplate.new import new
from tests.test_new import SMALL_TEMPLATE

demo = importlib.import_module("mlplate.demo")


@pytest.fixture(name="small_demo")
def fixture_small_demo(template_repo, monkeypatch):
    """The demo on a small template (rendered and committed, not locked)."""
    repo = template_repo(SMALL_TEMPLATE)
    monkeypatch.setattr(demo, "new", functools.partial(new, template=str(repo.root), lock=False))


def _interrupt_at_install(monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = demo._proc.run  # pylint: disable=protected-access

    def run(args, **kwargs):
        if list(args[:2]) != ["uv", "sync"]:
            return real(args, **kwargs)
        calls.append(list(args))
        raise KeyboardInterrupt  # Ctrl-C while installing

    monkeypatch.setattr(demo._proc, "run", run)  # pylint: disable=protected-access
    return calls


def test_a_demo_interrupted_after_generation_runs_again(small_demo, run_cli, tmp_path, monkeypatch):
    del small_demo
    dest = tmp_path / "mlplate-demo"
    calls = _interrupt_at_install(monkeypatch)
    first = run_cli("demo", dest)
    assert first.exit_code == 130
    assert first.stderr.strip().splitlines()[-1] == (
        f"interrupted: the demo project in {dest} is kept; run the same command again to finish it"
    )
    assert (dest / ".copier-answers.yml").is_file()  # generated before Ctrl-C
    second = run_cli("demo", dest)
    assert second.exit_code == 130  # interrupted again at the same step: it got that far
    assert "already exists" not in second.stderr
    assert calls == [["uv", "sync", "--locked"]] * 2
    project, package, reused = demo._project(dest, lambda _s: None)  # pylint: disable=W0212
    assert (project, package, reused) == (dest, "mlplate_demo", True)  # named after its folder


def test_a_non_empty_directory_that_is_no_demo_is_refused(small_demo, run_cli, tmp_path):
    del small_demo
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    done = run_cli("demo", dest)
    assert done.exit_code == 2
    error, hint = done.stderr.splitlines()
    assert error == f"error: {dest} already exists, is not empty, and is not a demo mlplate made"
    assert hint.startswith("hint: pass a new directory")
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_a_project_made_by_new_is_not_taken_for_a_demo(small_demo, tmp_path):
    del small_demo
    dest = tmp_path / "project"
    demo.new(dest, defaults=True)  # mlplate new, not mlplate demo
    with pytest.raises(demo.UserError, match="is not a demo mlplate made"):
        demo._project(dest, lambda _s: None)  # pylint: disable=protected-access
