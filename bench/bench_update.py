"""`mlplate update` vs `copier update`: same template, same change, same project, one run.

A tagged clone of this checkout's template (v0.0.1) generates a project; a change
to the template (v0.0.2: a Makefile line and a README line) is then applied to
fresh copies of that project by each tool in turn; medians. Both skip re-locking
(`--no-lock`; copier never locks) so the comparison is the update itself.
Target: <= 0.5x. Then 20 copies of the project: one `mlplate update --many
--jobs 2` against 20 sequential `copier update`s (target <= 0.35x).

    uv run python bench/bench_update.py [--repeat 5]
"""

from __future__ import annotations

import shutil
from pathlib import Path

from _common import (
    template_bench,
    median_of,
    run,
    table,
    timed,
    tool,
)


def main() -> None:
    """Time both tools on identical copies of one project and print the ratio."""
    with template_bench(__doc__, 5) as (repeat, work, template):
        origin = work / "origin"
        run(
            [
                tool("mlplate"),
                "new",
                str(origin),
                "-t",
                str(template),
                "--defaults",
                "--no-lock",
                "-q",
            ]
        )
        makefile = template / "template" / "Makefile.jinja"
        makefile.write_text(makefile.read_text().replace("PORT ?= 8000", "PORT ?= 8080"))
        readme = template / "template" / "README.md.jinja"
        readme.write_text(readme.read_text() + "\nUpdated by the template.\n")
        run(["git", "commit", "-qam", "v0.0.2"], cwd=template)
        run(["git", "tag", "v0.0.2"], cwd=template)
        peers = {
            "copier update": lambda p: run(
                [tool("copier"), "update", "-q", "--defaults", "--conflict", "inline"], cwd=p
            ),
            "mlplate update": lambda p: run([tool("mlplate"), "update", str(p), "--no-lock"]),
        }
        samples: dict[str, list[float]] = {name: [] for name in peers}
        for i in range(repeat):
            for name, action in peers.items():
                copy = work / f"copy-{i}-{name.split()[0]}"
                shutil.copytree(origin, copy, symlinks=True)
                samples[name].append(timed(lambda a=action, c=copy: a(c)))
                _assert_updated(copy)
                shutil.rmtree(copy)
        med = {name: median_of(values) for name, values in samples.items()}
        print(table([("command", "median s")] + [(n, f"{v:.3f}") for n, v in med.items()]))
        ratio = med["mlplate update"] / med["copier update"]
        print(f"\nratio (mlplate update / copier update): {ratio:.2f}x (target <= 0.50)")
        _many(work, origin)


def _many(work: Path, origin: Path, count: int = 20) -> None:
    """One `mlplate update --many` over `count` projects vs `count` sequential copier updates."""
    fleets = {}
    for tool_name in ("copier", "mlplate"):
        fleets[tool_name] = [work / f"fleet-{tool_name}-{i}" for i in range(count)]
        for copy in fleets[tool_name]:
            shutil.copytree(origin, copy, symlinks=True)
    listing = work / "fleet.txt"
    listing.write_text("\n".join(str(p) for p in fleets["mlplate"][1:]) + "\n")
    copier_s = timed(
        lambda: [
            run([tool("copier"), "update", "-q", "--defaults", "--conflict", "inline"], cwd=p)
            for p in fleets["copier"]
        ]
    )
    mlplate_cmd = [
        tool("mlplate"),
        "update",
        str(fleets["mlplate"][0]),
        "--many-file",
        str(listing),
    ]
    mlplate_s = timed(lambda: run([*mlplate_cmd, "--jobs", "2", "--no-lock"]))
    for project in fleets["copier"] + fleets["mlplate"]:
        _assert_updated(project)
    print(
        f"\n{count} projects: {count} x copier update {copier_s:.1f} s, "
        f"mlplate update --many --jobs 2 {mlplate_s:.1f} s"
    )
    print(f"ratio (--many / sequential copier): {mlplate_s / copier_s:.2f}x (target <= 0.35)")


def _assert_updated(project: Path) -> None:
    if "PORT ?= 8080" not in (project / "Makefile").read_text():
        raise SystemExit(f"{project}: the update did not apply the template change")


if __name__ == "__main__":
    main()
