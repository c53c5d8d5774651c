"""The model registry from the command line: list the versions, move the champion.

`python -m <package>.train.registry` lists every registered version with its metrics and
the gate's decision; `python -m <package>.train.registry promote VERSION` points the
champion alias at VERSION (to roll back, or forward) and refreshes the offline copy in
models/champion, after loading that version and scoring it on the held-out rows: a
version that does not load or predict is refused (exit 2) and nothing moves. Exit
codes as in jobs.py.
"""

from __future__ import annotations

import sys
from typing import Any

from .. import jobs
from ..config import Config, get_config


def held_out_check(config: Config) -> Any:
    """A check for Tracker.promote: the model predicts the held-out rows, or raises."""
    # Imported here: pandas and scikit-learn are slow to import, `list` needs neither.
    from ..data.contract import read_contract  # pylint: disable=import-outside-toplevel
    from ..data.load import features_and_target, load  # pylint: disable=import-outside-toplevel
    from .evaluate import held_out_rows  # pylint: disable=import-outside-toplevel
    from .fit import evaluate  # pylint: disable=import-outside-toplevel

    contract = read_contract(config)
    raw = load(config.path(config.paths.raw_data), contract=contract)
    rows = held_out_rows(config, contract, raw)

    def check(model: Any) -> dict[str, float]:
        try:
            return evaluate(model, *features_and_target(rows, contract), contract.task)
        except Exception as error:  # pylint: disable=broad-exception-caught  # any breakage
            raise jobs.JobError(
                f"the model does not predict the held-out rows: {type(error).__name__}: {error}",
                "promote another version",
            ) from None

    return check


def _main(argv: list[str] | None, config: Config | None) -> int:
    parser = jobs.parser("List model versions or move the champion.", "train.registry")
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
            raise jobs.JobError(
                f"{tracker.name} has no version {args.version} (known: {known})",
                "see the versions with `make models`",
            )
        with jobs.promotion_lock(config):
            copied = tracker.promote(args.version, held_out_check(config))
        print(f"{tracker.alias} is now version {args.version}; a running service follows it")
        if not copied:
            print(f"{tracker.champion_dir} holds another store's champion: left as it is")
        return jobs.DONE
    if not versions:
        print(f"no registered versions of {tracker.name}: run `make train` first")
        return jobs.DONE
    # The gate's metric, else the first one each version logged (accuracy or rmse first).
    metric: str = config.gate.metric or next(
        (m for m in ("accuracy", "rmse") if any(m in v.metrics for v in versions)), "accuracy"
    )
    print(f"{'version':>7}  {metric:>10}  {'gate':<7}  {'run':<32}  aliases")
    for version in versions:
        value = version.metrics.get(metric)
        shown = f"{value:.4f}" if value is not None else "-"
        print(
            f"{version.version:>7}  {shown:>10}  {version.gate or '-':<7}  {version.run_id:<32}"
            f"  {' '.join(version.aliases)}"
        )
    return jobs.DONE


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code (see jobs.py)."""
    return jobs.run(lambda: _main(argv, config))


if __name__ == "__main__":
    sys.exit(main())
