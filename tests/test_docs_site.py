"""mlplate's docs site: every page in the nav, the generated pages current, a strict build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from mlplate import cli_doc
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs"
COMMANDS = ("new", "demo", "update", "check", "adopt")


def _nav_pages(nav: list) -> set[str]:
    pages: set[str] = set()
    for entry in nav:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            pages |= _nav_pages(value) if isinstance(value, list) else {value}
    return pages


def test_cli_reference_is_generated_from_the_app():
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert (
        page == cli_doc.render()
    ), "docs/cli.md is stale: run `python -m mlplate.cli_doc > docs/cli.md`"


def test_cli_reference_has_the_help_of_every_command():
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"## `mlplate {command}`" in page
        assert f"Usage: mlplate {command} [OPTIONS]" in page


def test_every_page_is_in_the_navigation():
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert _nav_pages(config["nav"]) == {p.name for p in DOCS.glob("*.md")}


def test_site_builds_strict_without_the_end_of_life_notice(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = Path(sys.executable).parent / "mkdocs"
    done = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr and "end of life" not in done.stderr, done.stderr
    for page in ("getting-started", "own-data", "team-template", "check", "options", "cli"):
        assert (tmp_path / "site" / page / "index.html").is_file(), page
