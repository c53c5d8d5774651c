"""Post-generation steps for projects made with plain `copier copy`.

`mlplate new` runs these steps itself. After `copier copy`, run

    python <template>/hooks/post_generate.py <project>

to get the same result: dependencies locked with uv (a `uv.lock` the project
owns), a git repository, and a first commit. Standard library only, so it runs
with any Python 3.11+, and no copier `_tasks` (which would need `--trust`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], project: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip().splitlines()
        raise SystemExit(
            f"error: `{' '.join(args)}` failed: {output[-1] if output else 'no output'}"
        )


def main(argv: list[str]) -> int:
    """Lock, git init and commit the project named in argv[1]."""
    if len(argv) != 2 or not Path(argv[1]).is_dir():
        print("usage: python hooks/post_generate.py PROJECT_DIR", file=sys.stderr)
        return 2
    project = Path(argv[1]).resolve()
    for tool in ("uv", "git"):
        if shutil.which(tool) is None:
            print(f"error: {tool} is not installed; install it and run again", file=sys.stderr)
            return 2
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": os.environ.get("UV_PYTHON_DOWNLOADS", "never")}
    _run(["uv", "lock", "--quiet"], project, env)
    if not (project / ".git").exists():
        _run(["git", "init", "--quiet", "--initial-branch=main"], project)
    _run(["git", "add", "--all"], project)
    _run(["git", "commit", "--quiet", "--no-verify", "-m", f"Create {project.name}"], project)
    print(f"{project}: locked with uv and committed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
