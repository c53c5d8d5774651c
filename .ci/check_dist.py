"""Check what `uv build` wrote to DIST before it is published.

- one wheel and one sdist, of the same version;
- the wheel bundles the template (`mlplate new` renders it from the installed package),
  and `mlplate/_version.py` (which names the bundled template's version) agrees;
- with `--tag vX.Y.Z` (the release workflow), the tag names that version.

    python .ci/check_dist.py dist [--tag v1.2.3]

Prints one `error:` line per problem and exits 1; prints the checked files and exits 0.
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

# One file from each bundled part: the copier config, the template tree, the hooks.
BUNDLED = (
    "mlplate/_bundled/copier.yml",
    "mlplate/_bundled/template/pyproject.toml.jinja",
    "mlplate/_bundled/hooks/post_generate.py",
)


def problems(dist: Path, tag: str | None = None) -> list[str]:
    """What is wrong with the distributions in `dist` (empty when nothing is)."""
    wheels = sorted(dist.glob("mlplate-*.whl"))
    sdists = sorted(dist.glob("mlplate-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return [
            f"expected one wheel and one sdist in {dist}, found {len(wheels)} and {len(sdists)}"
        ]
    found: list[str] = []
    version = wheels[0].name.split("-")[1]
    if sdists[0].name != f"mlplate-{version}.tar.gz":
        found.append(f"the sdist {sdists[0].name} is not version {version}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        declared = re.search(
            r'^__version__ = "([^"]+)"', wheel.read("mlplate/_version.py").decode(), re.M
        )
    found += [f"{wheels[0].name} lacks {name}" for name in BUNDLED if name not in names]
    if declared is None or declared.group(1) != version:
        found.append(f"mlplate/_version.py does not say {version}: bump both it and pyproject.toml")
    if tag is not None and tag != f"v{version}":
        found.append(
            f"the tag {tag} does not name the package's version {version} (tag v{version})"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    """Check DIST; exit 1 with one line per problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path)
    parser.add_argument("--tag", help="the release tag, e.g. v1.2.3")
    args = parser.parse_args(argv)
    found = problems(args.dist, args.tag)
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    if found:
        return 1
    print("ok: " + ", ".join(sorted(p.name for p in args.dist.glob("mlplate-*"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
