"""Merging pyproject.toml and YAML by key: independent changes never conflict, layout is kept."""

from __future__ import annotations

from mlplate.update.plan import Action, _merge
from mlplate.update.structured import is_valid, merge_toml, merge_yaml

LABELS = ("project", "template v1", "template v2")
PYPROJECT = """[project]
name = "demo"
dependencies = [
  "fastapi==0.115.0",  # the service
  "numpy==2.1.0",
]

[tool.black]
line-length = 100
"""


def _toml(base: str, ours: str, theirs: str) -> str | None:
    merged = merge_toml(base.encode(), ours.encode(), theirs.encode())
    return merged.decode() if merged is not None else None


def _yaml(base: str, ours: str, theirs: str) -> str | None:
    merged = merge_yaml(base.encode(), ours.encode(), theirs.encode())
    return merged.decode() if merged is not None else None


def test_toml_pin_bump_and_added_dependency_merge_as_a_set_by_name():
    ours = PYPROJECT.replace('  "numpy==2.1.0",\n', '  "numpy==2.1.0",\n  "polars>=1.0",\n')
    theirs = PYPROJECT.replace("fastapi==0.115.0", "fastapi==0.116.1")
    assert _toml(PYPROJECT, ours, theirs) == ours.replace("fastapi==0.115.0", "fastapi==0.116.1")


def test_toml_dependency_the_template_adds_goes_after_the_one_it_follows():
    theirs = PYPROJECT.replace(
        '  "numpy==2.1.0",\n', '  "uvicorn[standard]>=0.30",\n  "numpy==2.1.0",\n'
    )
    ours = PYPROJECT.replace('  "numpy==2.1.0",\n', '  "numpy==2.1.0",\n  "polars>=1.0",\n')
    merged = _toml(PYPROJECT, ours, theirs)
    assert merged is not None
    assert merged.index("fastapi") < merged.index("uvicorn[standard]") < merged.index("numpy")
    assert "# the service" in merged and "polars>=1.0" in merged


def test_toml_dependency_the_project_removed_stays_removed_unless_the_template_changed_it():
    ours = PYPROJECT.replace('  "numpy==2.1.0",\n', "")
    theirs = PYPROJECT.replace("line-length = 100", "line-length = 120")
    merged = _toml(PYPROJECT, ours, theirs)
    assert merged is not None and "numpy" not in merged and "line-length = 120" in merged


def test_toml_extras_and_markers_are_matched_by_package_name():
    base = (
        '[project]\ndependencies = ["uvicorn[standard]==0.30.0", '
        "\"pywin32==306; sys_platform == 'win32'\"]\n"
    )
    ours = base.replace("'win32'\"]", '\'win32\'", "rich"]')
    theirs = base.replace("0.30.0", "0.31.0").replace("306", "308")
    merged = _toml(base, ours, theirs)
    assert merged is not None
    assert (
        '"uvicorn[standard]==0.31.0"' in merged and "pywin32==308" in merged and '"rich"' in merged
    )


def test_toml_new_table_from_the_template_and_a_project_setting_both_kept():
    ours = PYPROJECT.replace(
        "line-length = 100", "line-length = 100\nskip-string-normalization = true"
    )
    theirs = PYPROJECT + '\n[tool.pytest.ini_options]\naddopts = ["-ra"]\n'
    merged = _toml(PYPROJECT, ours, theirs)
    assert merged is not None
    assert "skip-string-normalization = true" in merged and "[tool.pytest.ini_options]" in merged


def test_toml_same_value_changed_differently_is_left_to_the_text_conflict():
    ours = PYPROJECT.replace("numpy==2.1.0", "numpy==2.0.0")
    theirs = PYPROJECT.replace("numpy==2.1.0", "numpy==2.2.0")
    assert _toml(PYPROJECT, ours, theirs) is None


def test_toml_that_does_not_parse_is_left_to_the_text_merge():
    assert _toml(PYPROJECT, PYPROJECT + "[broken\n", PYPROJECT) is None


def test_clean_text_merge_that_breaks_toml_is_merged_by_key_instead():
    base = "[tool.a]\nx = 1\n\n[tool.b]\ny = 2\n"
    ours = "[tool.c]\nk = 1\n\n" + base
    theirs = base + "\n[tool.c]\nk = 1\n"
    change = _merge(
        "pyproject.toml", base.encode(), ours.encode(), theirs.encode(), labels=LABELS, mode=False
    )
    assert change.action is Action.MERGED and change.reason == "merged by key"
    assert change.content is not None and change.content.decode().count("[tool.c]") == 1


WORKFLOW = """name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-24.04  # the runner the team pays for
    steps:
      - name: Check out
        uses: actions/checkout@v5
      - name: Test
        run: uv run pytest
"""


def test_yaml_step_the_template_adds_keeps_its_place_and_the_projects_comments():
    theirs = WORKFLOW.replace(
        "      - name: Test\n",
        "      - name: Lint\n        run: uv run pylint src\n      - name: Test\n",
    )
    ours = WORKFLOW.replace("branches: [main]", "branches: [main, release]")
    merged = _yaml(WORKFLOW, ours, theirs)
    assert merged == theirs.replace("branches: [main]", "branches: [main, release]")


def test_yaml_mapping_key_the_template_adds_goes_after_the_key_it_follows():
    theirs = WORKFLOW.replace("on:\n", "permissions:\n  contents: read\non:\n")
    ours = WORKFLOW + "env:\n  FORCE_COLOR: '1'\n"
    merged = _yaml(WORKFLOW, ours, theirs)
    assert merged is not None
    assert merged.index("name: CI") < merged.index("permissions:") < merged.index("on:")
    assert merged.endswith("env:\n  FORCE_COLOR: '1'\n")


def test_yaml_pinned_hook_dependencies_merge_by_package_name():
    base = (
        "repos:\n  - repo: local\n    hooks:\n      - id: pylint\n"
        "        additional_dependencies: [pylint==4.1.4, pyyaml==6.0.3]\n"
    )
    ours = base.replace("pyyaml==6.0.3]", "pyyaml==6.0.3, types-requests]")
    theirs = base.replace("pylint==4.1.4", "pylint==4.2.0")
    merged = _yaml(base, ours, theirs)
    assert merged is not None and "pylint==4.2.0" in merged and "types-requests" in merged


def test_yaml_items_that_cannot_be_matched_are_left_to_the_text_merge():
    base = "matrix:\n  - {os: linux}\n  - {os: mac}\n"
    ours = "matrix:\n  - {os: linux}\n  - {os: mac}\n  - {os: windows}\n"
    theirs = "matrix:\n  - {os: linux, py: '3.12'}\n  - {os: mac}\n"
    assert _yaml(base, ours, theirs) is None


def test_duplicate_keys_do_not_parse():
    assert not is_valid("pyproject.toml", b"[a]\nx = 1\n[a]\ny = 2\n")
    assert not is_valid("ci.yml", b"a: 1\na: 2\n")
    assert is_valid("k8s.yaml", b"a: 1\n---\nb: 2\n")
