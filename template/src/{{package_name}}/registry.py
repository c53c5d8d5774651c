"""The model registry from the command line: list the versions, move the champion.

`python -m <package>.registry` lists every registered version with its metrics;
`python -m <package>.registry promote VERSION` points the champion alias at VERSION
(to roll back, or forward) and refreshes the offline copy in models/champion.
"""

from __future__ import annotations

import argparse
import sys

from .config import Config, get_config


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="List model versions or move the champion.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="list the registered versions (the default)")
    promote = commands.add_parser("promote", help="point the champion alias at a version")
    promote.add_argument("version", help="the registered version number, e.g. 3")
    args = parser.parse_args(argv)
    config = config or get_config()
    # MLflow is slow to import; parse the arguments (and answer --help) first.
    from .tracking import Tracker  # pylint: disable=import-outside-toplevel

    tracker = Tracker(config)
    versions = tracker.versions()
    if args.command == "promote":
        if args.version not in {v.version for v in versions}:
            known = ", ".join(v.version for v in versions) or "none"
            print(
                f"error: {tracker.name} has no version {args.version} (known: {known})",
                file=sys.stderr,
            )
            return 1
        tracker.promote(args.version)
        print(f"{tracker.alias} is now version {args.version}; restart the service to serve it")
        return 0
    if not versions:
        print(f"no registered versions of {tracker.name}: run `make train` first")
        return 0
    # The gate's metric, else the first one each version logged (accuracy or rmse first).
    metric: str = config.gate.metric or next(
        (m for m in ("accuracy", "rmse") if any(m in v.metrics for v in versions)), "accuracy"
    )
    print(f"{'version':>7}  {metric:>10}  {'run':<32}  aliases")
    for version in versions:
        value = version.metrics.get(metric)
        shown = f"{value:.4f}" if value is not None else "-"
        print(
            f"{version.version:>7}  {shown:>10}  {version.run_id:<32}  {' '.join(version.aliases)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
