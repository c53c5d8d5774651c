"""How `mlplate update` scales with a large template, against `copier update`.

A synthetic template of N text files (default 400, across 20 folders) is tagged
v1, generates a project whose team edits 5 % of the files, then changes 10 % of
the files (v2). Each tool updates its own copy of the project once.

    uv run python bench/bench_update_scale.py [--files 400]
"""

from __future__ import annotations

import argparse
import shutil

from _common import run, scratch, table, timed, tool


def _write_template(root, files: int, version: int) -> None:
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


def main() -> None:
    """Build the template, both project copies, and time one update each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=400)
    args = parser.parse_args()
    work = scratch()
    try:
        template = work / "template-repo"
        template.mkdir()
        _write_template(template, args.files, 1)
        for cmd in (
            ["init", "-q", "-b", "main"],
            ["add", "-A"],
            ["commit", "-qm", "v1"],
            ["tag", "v1"],
        ):
            run(["git", "-c", "user.name=b", "-c", "user.email=b@x", *cmd], cwd=template)
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
        for i in range(0, args.files, 20):
            edited = origin / f"pkg{i % 20}" / f"module_{i}.py"
            edited.write_text(edited.read_text() + "# the team's edit\n")
        run(["git", "commit", "-qam", "team edits"], cwd=origin)
        _write_template(template, args.files, 2)
        run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qam", "v2"],
            cwd=template,
        )
        run(["git", "tag", "v2"], cwd=template)
        copies = {name: work / name for name in ("copier", "mlplate")}
        for copy in copies.values():
            shutil.copytree(origin, copy, symlinks=True)
        copier_s = timed(
            lambda: run(
                [tool("copier"), "update", "-q", "--defaults", "--conflict", "inline"],
                cwd=copies["copier"],
            )
        )
        mlplate_s = timed(
            lambda: run([tool("mlplate"), "update", str(copies["mlplate"]), "--no-lock"])
        )
        print(
            table(
                [
                    ("files", "copier update s", "mlplate update s", "ratio"),
                    (
                        str(args.files),
                        f"{copier_s:.2f}",
                        f"{mlplate_s:.2f}",
                        f"{mlplate_s / copier_s:.2f}x",
                    ),
                ]
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
