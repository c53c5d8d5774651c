"""The generated project's settings that keep its everyday commands fast and quiet.

The speed itself is measured by bench/bench_project_speed.py (docs/benchmarks.md);
these tests prove the settings do what they are there for, on a real project.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Project

pytestmark = pytest.mark.e2e


def test_make_docs_builds_without_the_end_of_life_notice(scaffold: Project) -> None:
    done = scaffold.must("make", "docs")
    assert "end of life" not in done.stdout + done.stderr, done.stderr
    assert (scaffold.root / "site" / "index.html").is_file()


def test_uv_run_does_not_recompile_the_environment(scaffold: Project) -> None:
    done = scaffold.must("uv", "run", "--verbose", "python", "-c", "pass")
    assert "Bytecode compiled" not in done.stderr, done.stderr


def test_pylint_still_reports_real_errors_in_the_projects_own_code(scaffold: Project) -> None:
    probe = scaffold.root / "src" / scaffold.package / "zz_probe.py"
    probe.write_text(
        '"""A module with the mistakes pylint must still find."""\n\n'
        "import pandas as pd\n\n"
        "from .config import NotThere\n\n\n"
        "def probe() -> None:\n"
        '    """Uses an undefined name."""\n'
        "    print(pd.DataFrame, NotThere, undefined_name)\n",
        encoding="utf-8",
    )
    try:
        done = scaffold.uv_run("pylint", str(probe.relative_to(scaffold.root)))
    finally:
        probe.unlink()
    assert done.returncode != 0
    assert "no-name-in-module" in done.stdout and "undefined-variable" in done.stdout, done.stdout
    assert "import-error" not in done.stdout, done.stdout
