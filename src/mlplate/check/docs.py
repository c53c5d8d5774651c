"""The list of checks as Markdown, generated from the registry (docs/check.md)."""

from __future__ import annotations

from mlplate.check.catalog import all_checks

HEADER = """# mlplate check

`mlplate check [PATH] [--json | --format rich|github|json] [--select IDS] [--ignore IDS] [--list]`

Runs the checks below on a project. Exit codes: **0** when no check fails, **3**
when one does, **2** on bad input (an unknown ID, a path that is not a directory).
A check that cannot apply here is *skipped* with its reason: its requirement did
not pass (`needs MP101`), or what it reads is not there (no Dockerfile, uv is not
installed). Never when it cannot tell: MP102 **fails** ("cannot tell: …", exit 3)
when the template cannot be reached (moved, or a private repository this machine
or CI cannot read), when the version the project records is not a tag of the
template, or when `.copier-answers.yml` is missing or unreadable; the line says
why and how to fix it (a token that can read the template, `MLPLATE_TEMPLATE`).

- `--select` / `--ignore` take IDs, prefixes or family names, comma-separated or
  repeated (`--select MP1` and `--select sync` are the same, `--ignore MP103,MP305`).
- `--json` (or `--format json`) prints `{"mlplate_result_version": "1", "command":
  "check", "project", "passed", "counts": {"pass", "fail", "skip"}, "checks": [{"id",
  "family", "title", "status", "message", "details"}]}`; a test locks these keys.
- `--format github` prints one `::error file=…,line=…,title=…::…` annotation per
  failure detail and appends a table to `$GITHUB_STEP_SUMMARY`.
- `--list` prints this table.

**Template.** The sync checks read `_src_path` and `_commit` from
`.copier-answers.yml`: `mlplate:bundled` is the template of the installed mlplate;
a local git repository is read in place; a git URL is
asked for its tags with `git ls-remote` (at most once an hour; the list is kept
in the cache) and, for the checks that compare files,
mirrored once into mlplate's cache (`$MLPLATE_CACHE_DIR`, else `~/.cache`) and
fetched again only when the recorded version is not in it yet. An unreachable
template fails MP102 and skips the checks that compare files (MP103, MP106).

**Speed.** Fixtures are computed once and only when a selected check needs them,
so `--select MP102` never renders. The render MP103 compares against is cached
per (template content at the recorded commit, answers, mlplate and copier
versions): that content never changes, so after the first run the whole set takes
well under a second.

**Your own checks.** `mlplate check` runs every check listed in the `mlplate.checks`
entry point group, as repo-review runs its plugins; mlplate's own families are
registered there too (its `pyproject.toml`). A team adds a family without forking:
a package with a module of `Check` classes (the class name is the ID, the
docstring the title, `check()`'s parameters name the fixtures it reads: `root`,
`answers`, `pyproject`, `precommit`, `workflows`, `dockerfile`, `tracked`, …, and
its docstring is the failure message with the fix; return True/None to pass,
False or a list of `path: why` strings to fail, `Skip("why")` when it does not
apply), a function returning them, and an entry point. A complete plugin:

```toml
# acme-checks/pyproject.toml
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "acme-checks"
version = "1.2"
dependencies = ["mlplate>=0.2"]

[project.entry-points."mlplate.checks"]
acme = "acme_checks:checks"
```

```python
# acme-checks/src/acme_checks/__init__.py
\"\"\"The acme team's checks.\"\"\"

from mlplate.check import Check


class ACME001(Check):
    \"\"\"README names an owner\"\"\"

    family = "acme"
    file = "README.md"

    @staticmethod
    def check(root):
        \"\"\"
        README.md names no owner, so nobody answers for the model.
        Fix: add a line `Owner: <team>` to README.md.
        \"\"\"
        return "Owner:" in (root / "README.md").read_text(encoding="utf-8")


def checks():
    return [ACME001]
```

```python
# acme-checks/tests/test_checks.py
from mlplate.check import compute_check
from mlplate.check.registry import Status


def test_acme001(tmp_path):
    (tmp_path / "README.md").write_text("# churn\n\nOwner: acme\n")
    assert compute_check("ACME001", root=tmp_path).status is Status.PASS


def test_acme001_missing(tmp_path):
    (tmp_path / "README.md").write_text("# churn\n")
    assert compute_check("ACME001", root=tmp_path).status is Status.FAIL
```

**Where the team works.** Name the plugin in the project's `.mlplate.yml`:

```yaml
check:
  plugins: ["acme-checks==1.2"]
```

When a named plugin is not installed next to the running mlplate, `mlplate check`
runs itself again through `uv tool run --from mlplate==X.Y.Z --with acme-checks==1.2`
(`--from "$MLPLATE_SPEC"` when that variable is set), so the generated pre-commit
hook, a CI job running `uvx --from mlplate==X.Y.Z mlplate check` and
`template-sync.yml` all run the team's checks with nothing to install by hand; the
plugin comes from the package index uv uses (`UV_INDEX_URL`, `UV_FIND_LINKS`). A
plugin that cannot be installed is one error naming it (exit 2). Installed by
hand (`uv tool install mlplate --with acme-checks`), its checks run as well, are
selected with `--select acme`, and show in `--list` and `--json`. A plugin that
fails to load stops the run with its name (exit 2).

**In a project.** The template's `.github/workflows/template-sync.yml` runs the
sync family weekly and, when the project is behind, opens a pull request with
`mlplate update` (it installs mlplate from the repository variable `MLPLATE_SPEC`).
Other repositories can use this repository's `.pre-commit-hooks.yaml` (hook id
`mlplate-check`). Generated projects carry it as a local hook in
`.pre-commit-config.yaml`, pinned to the mlplate that generated them and run
through uv (`uv tool run --from mlplate==X.Y.Z mlplate check`); it is a manual stage
(`pre-commit run --hook-stage manual mlplate-check`) until mlplate installs from
the team's package index, then deleting its `stages:` line runs it on every commit;
and in CI, for annotations on the pull request, a job whose steps are a checkout
(`persist-credentials: false`), `astral-sh/setup-uv`, and
`uvx --from "mlplate==X.Y.Z" mlplate check --format github`.

This page is generated from the checks' own docstrings
(`python -m mlplate.check.docs > docs/check.md`); a test fails when it is stale.
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
