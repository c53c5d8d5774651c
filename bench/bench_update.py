"""`mlplate update` vs `copier update`: same template, same change, same project.

Three parts, each printing its ratio against its target:

1. single — a tagged clone of this checkout's template (v0.0.1) generates a
   project with the team's edits (a Makefile target, a dependency, README notes);
   v0.0.2 changes a Makefile line, a README line and a workflow. Each tool
   updates its own fresh copy of the project, alternating, medians of --repeat.
   mlplate's render cache is emptied before each run (cold: nothing rendered
   before, as on a fresh CI runner), and measured once more warm (the recorded
   version already rendered by an untimed `mlplate check` just before, as in
   pre-commit or the template-sync workflow). Target <= 0.5x.
2. many — 20 copies of that project: one `mlplate update --many --jobs 2` against
   20 sequential `copier update`s. Target <= 0.35x.
3. scale — a synthetic template of N text files in 20 folders (default 100 and
   400): the team edits 5 % of the files, the template changes 10 %.

Both tools run as installed tools do, with compiled bytecode (cached in the
scratch folder, so PYTHONDONTWRITEBYTECODE in the environment does not make
every run recompile every import), after an untimed warm-up. Neither re-locks
(`--no-lock`: copier never runs uv), so the comparison is the update itself.

    uv run python bench/bench_update.py [--repeat 5] [--part single|many|scale|all]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path

from _common import REPO_ROOT, median_of, scratch, table, tagged_template_clone, timed, tool

GIT_ID = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]


def _env(work: Path, cache: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
        "MLPLATE_CACHE_DIR": str(cache),
        "UV_PYTHON_DOWNLOADS": "never",
    }


def _run(cmd: list[str], *, env: dict[str, str], cwd: Path | None = None) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):  # 1: updated with conflicts, still a finished update
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")


def _copier(project: Path, env: dict[str, str]) -> None:
    _run(
        [tool("copier"), "update", "-q", "--defaults", "--conflict", "inline"], cwd=project, env=env
    )


def _mlplate(project: Path, env: dict[str, str]) -> None:
    _run([tool("mlplate"), "update", str(project), "--no-lock"], env=env)


def _commit(repo: Path, message: str, env: dict[str, str]) -> None:
    _run(["git", *GIT_ID, "add", "--all"], cwd=repo, env=env)
    _run(["git", *GIT_ID, "commit", "-qm", message], cwd=repo, env=env)


def _real_projects(
    work: Path, env: dict[str, str], names: tuple[str, ...] = ("my-ml-project",)
) -> tuple[Path, list[Path]]:
    """The tagged template clone and projects of it (one per name) with the team's edits;
    the template then moves to v0.0.2."""
    template = tagged_template_clone(work)
    origins = []
    for name in names:
        origin = work / f"origin-{name}"
        _run(
            [tool("mlplate"), "new", str(origin), "-t", str(template), "--defaults", "--no-lock"]
            + ["-q", "--data", f"project_name={name}"],
            env=env,
        )
        makefile, readme = origin / "Makefile", origin / "README.md"
        makefile.write_text(makefile.read_text() + "\nnb:\n\tjupyter lab\n")
        readme.write_text(readme.read_text() + "\nTeam notes.\n")
        pyproject = origin / "pyproject.toml"
        text = pyproject.read_text().replace(
            "dependencies = [\n", 'dependencies = [\n  "rich>=13",\n', 1
        )
        pyproject.write_text(text)
        _commit(origin, "team edits", env)
        origins.append(origin)
    makefile = template / "template" / "Makefile.jinja"
    makefile.write_text(makefile.read_text().replace("PORT ?= 8000", "PORT ?= 8080"))
    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nUpdated by the template.\n")
    for workflow in sorted((template / "template" / ".github" / "workflows").glob("ci.yml*")):
        text = workflow.read_text().replace("timeout-minutes: 20", "timeout-minutes: 25")
        workflow.write_text(text)
    _commit(template, "v0.0.2", env)
    _run(["git", "tag", "v0.0.2"], cwd=template, env=env)
    return template, origins


def _assert_updated(project: Path) -> None:
    if "PORT ?= 8080" not in (project / "Makefile").read_text():
        raise SystemExit(f"{project}: the update did not apply the template change")


def single(work: Path, repeat: int) -> None:
    """Part 1: one project, cold and warm, against copier update."""
    cache = work / "cache"
    env = _env(work, cache)
    _template, (origin,) = _real_projects(work, env)

    def fresh(name: str) -> Path:
        copy = work / name
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(origin, copy, symlinks=True)
        return copy

    def cold(copy: Path) -> None:
        shutil.rmtree(cache, ignore_errors=True)
        _mlplate(copy, env)

    def after_check(copy: Path) -> None:
        _mlplate(copy, env)  # `mlplate check` (untimed, just before) cached the recorded version

    def check_first(copy: Path) -> None:
        shutil.rmtree(cache, ignore_errors=True)
        subprocess.run(
            [tool("mlplate"), "check", str(copy)], env=env, capture_output=True, check=False
        )

    peers = {
        "copier update": lambda copy: _copier(copy, env),
        "mlplate update (cold cache)": cold,
        "mlplate update (after mlplate check)": after_check,
    }
    prepare = {"mlplate update (after mlplate check)": check_first}
    for name, action in peers.items():  # warm-up: bytecode compiled, git objects in page cache
        copy = fresh(f"warm-up-{name.split()[0]}")
        prepare.get(name, lambda _c: None)(copy)
        action(copy)
    samples: dict[str, list[float]] = {name: [] for name in peers}
    for i in range(repeat):
        for name, action in peers.items():
            copy = fresh(f"copy-{i}")
            prepare.get(name, lambda _c: None)(copy)
            samples[name].append(timed(lambda a=action, c=copy: a(c)))
            _assert_updated(copy)
    med = {name: median_of(values) for name, values in samples.items()}
    base = med["copier update"]
    rows = [("command", "median s", "ratio")]
    rows += [(n, f"{v:.3f}", f"{v / base:.2f}x") for n, v in med.items()]
    print(table(rows))
    print(f"repeat={repeat}; target <= 0.50x\n")


def many(work: Path, count: int = 20) -> None:
    """Part 2: one `--many --jobs 2` over `count` projects vs `count` sequential copier updates.

    Twice: a fleet of copies of one project (same answers: each template version is
    rendered once for all of them), and a fleet of `count` projects with their own
    names (every project renders both versions, like a real team's repositories).
    """
    rows = [("fleet", "sequential copier update s", "mlplate update --many -j2 s", "ratio")]
    for label, names in (
        ("copies of one project", ("my-ml-project",)),
        ("projects with their own names", tuple(f"team-{i}-model" for i in range(count))),
    ):
        folder = work / ("many-" + str(len(names)))
        cache = folder / "cache"
        env = _env(work, cache)
        _template, origins = _real_projects(folder, env, names)
        fleets: dict[str, list[Path]] = {"copier": [], "mlplate": []}
        for tool_name, fleet in fleets.items():
            for i in range(count):
                copy = folder / f"fleet-{tool_name}-{i}"
                shutil.copytree(origins[i % len(origins)], copy, symlinks=True)
                fleet.append(copy)
        listing = folder / "fleet.txt"
        listing.write_text("\n".join(str(p) for p in fleets["mlplate"]) + "\n")
        copier_s = timed(lambda f=fleets["copier"], e=env: [_copier(p, e) for p in f])
        shutil.rmtree(cache, ignore_errors=True)
        cmd = [tool("mlplate"), "update", "--many-file", str(listing), "--jobs", "2", "--no-lock"]
        mlplate_s = timed(lambda c=cmd, e=env: _run(c, env=e))
        for project in fleets["copier"] + fleets["mlplate"]:
            _assert_updated(project)
        rows.append(
            (
                f"{count} {label}",
                f"{copier_s:.1f}",
                f"{mlplate_s:.1f}",
                f"{mlplate_s / copier_s:.2f}x",
            )
        )
    print(table(rows))
    print("target <= 0.35x\n")


def _synthetic(root: Path, files: int, version: int) -> None:
    (root / "copier.yml").write_text(
        "_subdirectory: template\nname:\n  type: str\n  default: big\n"
    )
    (root / "template").mkdir(exist_ok=True)
    (root / "template" / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n"
    )
    for i in range(files):
        path = root / "template" / f"pkg{i % 20}" / f"module_{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"VALUE_{j} = {j}\n" for j in range(40)]
        if version == 2 and i % 10 == 0:
            lines[0] = "VALUE_0 = 'changed by the template'\n"
        path.write_text("".join(lines))


def scale(work: Path, sizes: list[int]) -> None:
    """Part 3: one update of a synthetic template of each size, both tools."""
    rows = [("files", "copier update s", "mlplate update s", "ratio")]
    for files in sizes:
        folder = work / f"scale-{files}"
        env = _env(work, folder / "cache")
        template = folder / "template-repo"
        template.mkdir(parents=True)
        _synthetic(template, files, 1)
        _run(["git", "init", "-q", "-b", "main"], cwd=template, env=env)
        _commit(template, "v1", env)
        _run(["git", "tag", "v1"], cwd=template, env=env)
        origin = folder / "origin"
        _run(
            [
                tool("mlplate"),
                "new",
                str(origin),
                "-t",
                str(template),
                "--defaults",
                "--no-lock",
                "-q",
            ],
            env=env,
        )
        for i in range(0, files, 20):
            edited = origin / f"pkg{i % 20}" / f"module_{i}.py"
            edited.write_text(edited.read_text() + "# the team's edit\n")
        _commit(origin, "team edits", env)
        _synthetic(template, files, 2)
        _commit(template, "v2", env)
        _run(["git", "tag", "v2"], cwd=template, env=env)
        copies = {name: folder / name for name in ("copier", "mlplate")}
        for copy in copies.values():
            shutil.copytree(origin, copy, symlinks=True)
        copier_s = timed(lambda c=copies["copier"], e=env: _copier(c, e))
        mlplate_s = timed(lambda c=copies["mlplate"], e=env: _mlplate(c, e))
        rows.append(
            (str(files), f"{copier_s:.2f}", f"{mlplate_s:.2f}", f"{mlplate_s / copier_s:.2f}x")
        )
    print(table(rows))


def main() -> None:
    """Run the parts asked for and print each table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--part", choices=("single", "many", "scale", "all"), default="all")
    parser.add_argument("--files", type=int, nargs="+", default=[100, 400])
    args = parser.parse_args()
    work = scratch()
    try:
        print(f"template: {REPO_ROOT}\n")
        if args.part in ("single", "all"):
            single(work, args.repeat)
        if args.part in ("many", "all"):
            many(work)
        if args.part in ("scale", "all"):
            scale(work, args.files)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
