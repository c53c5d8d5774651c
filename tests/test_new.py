"""`mlplate new`: rendering, answers, post-generation steps and bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import copier
import pytest
import yaml

from tests.conftest import git

SMALL_TEMPLATE = {
    "copier.yml": (
        "_subdirectory: template\n"
        "project_name:\n  type: str\n  default: demo\n"
        "package_name:\n  type: str\n  default: \"{{ project_name | replace('-', '_') }}\"\n"
        "  validator: \"{% if not (package_name | regex_search('^[a-z_][a-z0-9_]*$')) %}"
        'not a Python identifier{% endif %}"\n'
        "python_version:\n  type: str\n  choices: ['3.11', '3.12']\n  default: '3.11'\n"
        "size:\n  type: int\n  default: 3\n"
        "secret:\n  type: str\n  default: x\n  when: false\n"
    ),
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "template/README.md.jinja": "# {{ project_name }}\n\nsize={{ size }}\n",
    "template/src/{{package_name}}/__init__.py.jinja": '"""{{ project_name }}."""\n',
    "template/pyproject.toml.jinja": (
        '[project]\nname = "{{ project_name }}"\nversion = "0.1.0"\n'
        'requires-python = ">={{ python_version }}"\ndependencies = []\n'
    ),
}


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (outside .git) with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_new_records_copier_standard_answers_and_commits(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE, tag="v1.0.0")
    dest = tmp_path / "proj"
    result = run_cli("new", dest, "--template", repo.root, "--defaults", "--no-lock", "--quiet")
    assert result.exit_code == 0, result.stderr
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.0.0"
    assert answers["_src_path"] == str(repo.root)
    assert Path(answers["_src_path"]).is_absolute()
    assert answers["project_name"] == "proj"  # the directory's name, as `uv init` gives
    assert answers["package_name"] == "proj"
    assert (dest / "src/proj/__init__.py").read_text() == '"""proj."""\n'
    assert git(dest, "status", "--porcelain") == ""
    assert len(git(dest, "log", "--format=%H").splitlines()) == 1


def test_new_output_equals_plain_copier_copy(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE, tag="v1.0.0")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    # The same answers: `new` defaults the name to the directory's, plain copier to copier.yml's.
    args = ("-t", repo.root, "--defaults", "--no-git", "--no-lock", "-q", "-d", "project_name=demo")
    assert run_cli("new", ours, *args).exit_code == 0
    copier.run_copy(str(repo.root), str(theirs), defaults=True, quiet=True)
    assert tree(ours) == tree(theirs)


def test_new_uses_latest_release_tag_unless_a_ref_is_given(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE, tag="v1.0.0")
    repo.commit({"template/README.md.jinja": "# {{ project_name }} v2\n"}, tag="v2.0.0")
    repo.commit({"template/README.md.jinja": "# {{ project_name }} unreleased\n"})
    assert (
        run_cli(
            "new", tmp_path / "a", "-t", repo.root, "--defaults", "--no-git", "--no-lock", "-q"
        ).exit_code
        == 0
    )
    assert (tmp_path / "a/README.md").read_text() == "# a v2\n"  # named after its directory
    args = ("--defaults", "--no-git", "--no-lock", "-q")
    assert (
        run_cli("new", tmp_path / "b", "-t", repo.root, "--vcs-ref", "v1.0.0", *args).exit_code == 0
    )
    assert (tmp_path / "b/README.md").read_text().startswith("# b\n")
    assert (
        run_cli("new", tmp_path / "c", "-t", repo.root, "--vcs-ref", "HEAD", *args).exit_code == 0
    )
    assert (tmp_path / "c/README.md").read_text() == "# c unreleased\n"
    assert yaml.safe_load((tmp_path / "c/.copier-answers.yml").read_text())["_commit"].startswith(
        "v2.0.0-1-g"
    )


@pytest.mark.parametrize("spelling", ["--data-file", "--answers-file"])
def test_new_takes_data_and_a_data_file(template_repo, run_cli, tmp_path, spelling):
    repo = template_repo(SMALL_TEMPLATE)
    answers = tmp_path / "answers.yml"
    answers.write_text("project_name: from-file\nsize: 7\n_commit: ignored\n")
    dest = tmp_path / "proj"
    result = run_cli(
        "new",
        dest,
        "-t",
        repo.root,
        spelling,
        answers,
        "--data",
        "size=9",
        "--no-git",
        "--no-lock",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    assert (dest / "README.md").read_text() == "# from-file\n\nsize=9\n"
    assert (dest / "src/from_file/__init__.py").is_file()


def test_new_json_summary_has_a_versioned_envelope(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE)
    result = run_cli("new", tmp_path / "p", "-t", repo.root, "--defaults", "--no-lock", "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {
        "mlplate_result_version",
        "command",
        "destination",
        "template",
        "template_version",
        "answers",
        "git_commit",
        "lockfile",
        "steps",
        "dry_run",
        "files",
        "warnings",
    }
    assert payload["mlplate_result_version"] == "1"
    assert payload["command"] == "new"
    assert payload["template_version"] == "v1.0.0"
    assert payload["git_commit"] == git(tmp_path / "p", "rev-parse", "HEAD")
    assert payload["steps"] == ["render", "git"]


def test_new_locks_dependencies_with_uv(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE)
    dest = tmp_path / "p"
    result = run_cli("new", dest, "-t", repo.root, "--defaults", "-q")
    assert result.exit_code == 0, result.stderr
    assert "version = 1" in (dest / "uv.lock").read_text()
    assert "uv.lock" in git(dest, "ls-files")


def test_new_into_an_existing_empty_directory(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE)
    dest = tmp_path / "empty"
    dest.mkdir()
    assert (
        run_cli("new", dest, "-t", repo.root, "--defaults", "--no-git", "--no-lock", "-q").exit_code
        == 0
    )
    assert (dest / "README.md").is_file()


def test_bundled_template_renders_from_this_checkout(run_cli, tmp_path):
    dest = tmp_path / "proj"
    result = run_cli(
        "new", dest, "--defaults", "--no-lock", "-q", "--data", "project_name=Churn Model"
    )
    assert result.exit_code == 0, result.stderr
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["package_name"] == "churn_model"
    # Not this checkout's path: a teammate's mlplate resolves `mlplate:bundled` to its own.
    assert answers["_src_path"] == "mlplate:bundled"
    assert answers["_commit"]
    assert (dest / ".mlplate.yml").is_file()


@pytest.mark.parametrize(
    ("directory", "project", "package"),
    [
        pytest.param("My Project-2", "My Project-2", "my_project_2", id="spaces-and-dash"),
        pytest.param("2024 sales", "2024 sales", "ml_2024_sales", id="leading-digit"),
        pytest.param("class", "class", "class_", id="keyword"),
        pytest.param(
            "customer-lifetime-value-forecast",
            "customer-lifetime-value-forecast",
            "customer_lifetime_value",
            id="long",
        ),
        pytest.param("données", "données", "donn_es", id="accented"),
        pytest.param("数据", "my-ml-project", "my_ml_project", id="no-ascii-keeps-default"),
    ],
)
def test_bundled_project_is_named_after_its_directory(
    run_cli, tmp_path, directory, project, package
):
    result = run_cli("new", tmp_path / directory, "-l", "--no-lock", "--no-git", "-n", "--json")
    assert result.exit_code == 0, result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert (answers["project_name"], answers["package_name"]) == (project, package)
    assert f"src/{package}/train/fit.py" in json.loads(result.stdout)["files"]


def test_an_explicit_project_name_wins_over_the_directory_and_copier_keeps_its_default(
    run_cli, tmp_path
):
    result = run_cli(
        "new", tmp_path / "d1", "-l", "--no-lock", "--no-git", "-n", "--json",
        "-d", "project_name=Churn Model",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["package_name"] == "churn_model"
    # Plain `copier copy` of the same questions (no template files needed to ask them).
    questions = tmp_path / "questions"
    (questions / "template").mkdir(parents=True)
    (questions / "copier.yml").write_text(
        (Path(__file__).parents[1] / "copier.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    worker = copier.run_copy(str(questions), str(tmp_path / "d2"), defaults=True, quiet=True)
    assert worker.answers.combined["package_name"] == "my_ml_project"


# ── Bad input: one clear line, a hint, exit 2, no traceback, nothing written ──


def _assert_clean_failure(result, dest: Path, *needles: str) -> None:
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr + result.stdout
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, result.stderr
    assert any(line.startswith("hint:") for line in result.stderr.splitlines()), result.stderr
    for needle in needles:
        assert needle in result.stderr
    assert not dest.exists() or not any(dest.iterdir())
    leftovers = [p.name for p in dest.parent.iterdir() if ".mlplate-" in p.name]
    assert not leftovers


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        pytest.param(
            ["--data", "package_name=9lives"],
            ["package_name", "not a Python identifier"],
            id="bad-package",
        ),
        pytest.param(["--data", "colour=blue"], ["colour", "project_name"], id="unknown-key"),
        pytest.param(["--data", "python_version=3.9"], ["python_version", "3.9"], id="bad-choice"),
        pytest.param(["--data", "size=lots"], ["size"], id="wrong-type"),
        pytest.param(["--data", "secret=1"], ["secret"], id="computed-value"),
        pytest.param(["--data", "novalue"], ["key=value"], id="malformed-data"),
        pytest.param(
            ["--data-file", "/nonexistent/answers.yml"],
            ["answers file"],
            id="missing-data-file",
        ),
        pytest.param(["--vcs-ref", "v9.9.9"], ["v9.9.9"], id="unknown-ref"),
    ],
)
def test_new_rejects_bad_answers(template_repo, run_cli, tmp_path, args, needles):
    repo = template_repo(SMALL_TEMPLATE)
    dest = tmp_path / "proj"
    result = run_cli("new", dest, "-t", repo.root, "--defaults", "--no-lock", *args)
    _assert_clean_failure(result, dest, *needles)


def test_new_refuses_a_non_empty_destination(template_repo, run_cli, tmp_path):
    repo = template_repo(SMALL_TEMPLATE)
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    result = run_cli("new", dest, "-t", repo.root, "--defaults", "--no-lock")
    assert result.exit_code == 2
    assert "not empty" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    assert (dest / "notes.txt").read_text() == "mine"


def test_a_destination_filled_while_the_project_is_built_is_left_as_it_is(
    template_repo, run_cli, tmp_path, monkeypatch
):
    import mlplate.new  # pylint: disable=import-outside-toplevel

    repo = template_repo(SMALL_TEMPLATE)
    dest = tmp_path / "proj"
    render = mlplate.new.render

    def render_while_another_fills_dest(*args, **kwargs):
        done = render(*args, **kwargs)
        dest.mkdir()  # another `mlplate new`, or an editor, got there first
        (dest / "notes.txt").write_text("theirs")
        return done

    monkeypatch.setattr(mlplate.new, "render", render_while_another_fills_dest)
    result = run_cli("new", dest, "-t", repo.root, "--defaults", "--no-lock")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"error: destination {dest} already exists and is not empty",
        "hint: choose a new directory name, or empty that directory first",
    ]
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".proj")] == []


def test_new_rejects_a_missing_template(run_cli, tmp_path):
    dest = tmp_path / "proj"
    result = run_cli("new", dest, "-t", tmp_path / "nowhere", "--defaults")
    _assert_clean_failure(result, dest, "does not exist")


def test_new_rejects_a_directory_that_is_not_a_copier_template(run_cli, tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain/README.md").write_text("hi")
    dest = tmp_path / "proj"
    result = run_cli("new", dest, "-t", tmp_path / "plain", "--defaults")
    _assert_clean_failure(result, dest, "not a copier template", "copier.yml")


@pytest.mark.parametrize("tool", ["git", "uv"])
def test_new_names_a_missing_tool(template_repo, run_cli, tmp_path, monkeypatch, tool):
    repo = template_repo(SMALL_TEMPLATE)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for other in {"git", "uv"} - {tool}:
        for folder in os.environ["PATH"].split(os.pathsep):
            if (Path(folder) / other).is_file():
                (bin_dir / other).symlink_to(Path(folder) / other)
                break
    monkeypatch.setenv("PATH", str(bin_dir))
    dest = tmp_path / "proj"
    result = run_cli("new", dest, "-t", repo.root, "--defaults")
    _assert_clean_failure(result, dest, f"{tool} is not installed")


def test_failed_lock_leaves_nothing_behind(template_repo, run_cli, tmp_path):
    broken = dict(SMALL_TEMPLATE)
    broken["template/pyproject.toml.jinja"] = (
        '[project]\nname = "x"\nversion = "0"\ndependencies = ["not a req !!"]\n'
    )
    repo = template_repo(broken)
    dest = tmp_path / "proj"
    result = run_cli("new", dest, "-t", repo.root, "--defaults")
    _assert_clean_failure(result, dest, "uv lock")


@pytest.mark.parametrize(
    ("task", "word"), [("regression", "regressor"), ("classification", "classifier")]
)
def test_an_inferred_task_names_the_model_in_the_default_description(tmp_path, task, word):
    from mlplate.new import _describe_by_task  # pylint: disable=import-outside-toplevel
    from mlplate.render import Rendered  # pylint: disable=import-outside-toplevel

    default = "A small, complete ML system that trains, serves and monitors a tabular model."
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs/schema.yaml").write_text(f"metadata:\n  task: {task}\n")
    (tmp_path / "README.md").write_text(f"# churn\n\n{default}\n")
    (tmp_path / "pyproject.toml").write_text(f'[project]\ndescription = "{default}"\n')
    (tmp_path / ".copier-answers.yml").write_text(f"_commit: v1\ndescription: {default}\nx: 1\n")
    rendered = Rendered(".copier-answers.yml", {"description": default})

    _describe_by_task(tmp_path, rendered, given=False)

    said = f"A small, complete ML system that trains, serves and monitors a tabular {word}."
    assert (tmp_path / "README.md").read_text() == f"# churn\n\n{said}\n"
    assert f'description = "{said}"' in (tmp_path / "pyproject.toml").read_text()
    answers = yaml.safe_load((tmp_path / ".copier-answers.yml").read_text())
    assert answers == {"_commit": "v1", "description": said, "x": 1}
    assert rendered.answers["description"] == said
    # A description the user gave stays theirs, even one that reads like the default.
    mine = Rendered(".copier-answers.yml", {"description": default})
    (tmp_path / "README.md").write_text(default)
    _describe_by_task(tmp_path, mine, given=True)
    assert (tmp_path / "README.md").read_text() == default
