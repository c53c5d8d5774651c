"""The list of checks as Markdown, generated from the registry (docs/check.md)."""

from __future__ import annotations

from mlplate.check.catalog import all_checks

HEADER = """# mlplate check

`mlplate check [PATH]` runs every check below on a project and exits 0 when none
fails, 3 when one does (2 on bad input). `--json` prints a versioned result,
`--format github` prints annotations for GitHub Actions, `--select`/`--ignore`
take IDs or prefixes (`MP1` is the sync family), and `--list` prints this table.
A check whose requirement did not pass is skipped, not failed.

As a pre-commit hook (this repository's `.pre-commit-hooks.yaml`), or in CI:
`mlplate check --format github`.

This page is generated from the checks' own docstrings (`python -m mlplate.check.docs`);
a test fails when it is stale.
"""


def render() -> str:
    """The Markdown page."""
    lines = [
        HEADER,
        "| ID | family | check | failure message and fix |",
        "| --- | --- | --- | --- |",
    ]
    for cid, cls in all_checks().items():
        fix = " ".join(cls.fix().split())
        needs = f" (needs {', '.join(sorted(cls.requires))})" if cls.requires else ""
        lines.append(f"| {cid} | {cls.family} | {cls.title()}{needs} | {fix} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
