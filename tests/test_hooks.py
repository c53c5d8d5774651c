"""hooks/post_generate.py: after plain `copier copy`, what `mlplate new` does after rendering."""

from __future__ import annotations

import subprocess
import sys

import copier

from tests.conftest import REPO_ROOT, git
from tests.test_new import SMALL_TEMPLATE


def test_post_generate_locks_and_commits_a_copier_copy(template_repo, tmp_path):
    repo = template_repo(SMALL_TEMPLATE)
    project = tmp_path / "proj"
    copier.run_copy(str(repo.root), str(project), defaults=True, quiet=True)
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "hooks" / "post_generate.py"), str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "uv.lock").is_file()
    assert git(project, "status", "--porcelain") == ""
    assert "uv.lock" in git(project, "ls-files").splitlines()


def test_post_generate_rejects_a_missing_directory(tmp_path):
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "hooks" / "post_generate.py"), str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "usage:" in done.stderr
