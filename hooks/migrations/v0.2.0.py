"""v0.2.0: every file is merged on update; `seeded:` keeps only files listed as write-once.

Before v0.2.0 the template listed the package, tests, configs, docs and README as
seeded (written once, never updated), so the template's fixes never reached them.
This removes those defaults from the project's `.mlplate.yml` (the three-way merge
already does when the project never edited the list); entries the team added
(and LICENSE, .dvc/config) stay. Standard library only; idempotent.
"""

# pylint: disable=invalid-name  # named after the release it belongs to
import re
import sys
from pathlib import Path

OLD_DEFAULTS = re.compile(r"(README\.md|src/[^/]+/\*\*|tests/\*\*|configs/\*\*|docs/\*\*)")
ITEM = re.compile(r"^(\s+)-\s+['\"]?(?P<path>[^'\"#\s]+)['\"]?\s*(#.*)?$")


def migrate(text: str) -> str:
    """`text` without the old default entries of its `seeded:` block list."""
    if "<<<<<<< " in text:
        return text  # a conflict the user resolves first; the next update runs this again
    out, in_seeded = [], False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if re.match(r"^\s+seeded:\s*(#.*)?$", line):
            in_seeded = True
        elif in_seeded:
            item = ITEM.match(line.rstrip("\n"))
            if item and OLD_DEFAULTS.fullmatch(item["path"]):
                continue
            if not item and stripped and not stripped.startswith("#"):
                in_seeded = False
        out.append(line)
    return "".join(out)


def main() -> None:
    """Rewrite <project>/.mlplate.yml in place when it still lists the old defaults."""
    policy = Path(sys.argv[1]) / ".mlplate.yml"
    if not policy.is_file():
        return
    text = policy.read_text(encoding="utf-8")
    migrated = migrate(text)
    if migrated != text:
        policy.write_text(migrated, encoding="utf-8")


if __name__ == "__main__":
    main()
