"""`mlplate check --select MP102` vs `copier check-update` on the same project, one run.

Both answer "is this project behind its template's latest release?" for a project
one release behind a tagged clone of this checkout's template; also times the full
`mlplate check` (all 16 checks, including the render-and-compare drift check).
Target: <= 0.5x.

    uv run python bench/bench_check.py [--repeat 7]
"""

from __future__ import annotations

import subprocess

from _common import (
    template_bench,
    median_of,
    run,
    table,
    timed,
    tool,
)


def main() -> None:
    """Time the three commands on one project and print the ratios."""
    with template_bench(__doc__, 7) as (repeat, work, template):
        project = work / "project"
        run([tool("mlplate"), "new", str(project), "-t", str(template), "--defaults", "-q"])
        run(["git", "commit", "-q", "--allow-empty", "-m", "v0.0.2"], cwd=template)
        run(["git", "tag", "v0.0.2"], cwd=template)

        def behind(cmd: list[str]) -> None:
            # Both report "behind" with a non-zero exit: that is the expected answer here.
            subprocess.run(cmd, cwd=project, capture_output=True, check=False)

        peers = {
            "copier check-update": lambda: behind([tool("copier"), "check-update"]),
            "mlplate check --select MP102": lambda: behind(
                [tool("mlplate"), "check", "--select", "MP102"]
            ),
            "mlplate check (all checks)": lambda: behind([tool("mlplate"), "check"]),
        }
        samples = {name: [timed(action) for _ in range(repeat)] for name, action in peers.items()}
        med = {name: median_of(values) for name, values in samples.items()}
        print(table([("command", "median s")] + [(n, f"{v:.3f}") for n, v in med.items()]))
        same_question = med["mlplate check --select MP102"] / med["copier check-update"]
        everything = med["mlplate check (all checks)"] / med["copier check-update"]
        print(
            f"\nratio, same question (MP102 / check-update): {same_question:.2f}x (target <= 0.50)"
        )
        print(f"ratio, all 16 checks / check-update:          {everything:.2f}x")


if __name__ == "__main__":
    main()
