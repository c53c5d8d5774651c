"""Time to green: from `mlplate new` to the generated project's tests passing.

With a warm uv cache (a first untimed run fills it). Target: < 30 s.

    uv run python bench/bench_time_to_green.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import shutil

from _common import run, scratch, table, timed, tool


def main() -> None:
    """Time new + sync + tests, warm cache, and print the best run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = scratch()
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    try:
        rows = [("run", "new s", "uv sync s", "pytest s", "total s")]
        for i in range(args.repeat + 1):
            dest = work / f"p{i}"
            t_new = timed(
                lambda d=dest: run([tool("mlplate"), "new", str(d), "--defaults", "-q"], env=env)
            )
            t_sync = timed(lambda d=dest: run(["uv", "sync", "--locked"], cwd=d, env=env))
            t_test = timed(
                lambda d=dest: run(["uv", "run", "--no-sync", "pytest", "-q"], cwd=d, env=env)
            )
            label = "warm-up (fills the cache)" if i == 0 else f"warm #{i}"
            total = t_new + t_sync + t_test
            rows.append((label, f"{t_new:.1f}", f"{t_sync:.1f}", f"{t_test:.1f}", f"{total:.1f}"))
            shutil.rmtree(dest, ignore_errors=True)
        print(table(rows))
        best = min(float(r[4]) for r in rows[2:])
        print(f"\ntime to green (warm cache, best of {args.repeat}): {best:.1f} s (target < 30 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
