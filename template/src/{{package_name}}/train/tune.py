"""Search model.params with Optuna, then train the best through the quality gate.

`python -m <package>.train.tune --trials N` adds N trials to one Optuna study kept in
`tune.storage` (a sqlite file in the project by default; a PostgreSQL or MySQL URL lets
several machines add trials to the same study at once). Each trial cross-validates the
estimator with parameters drawn from `tune.space` on the training rows of the split
`make train` uses, and is scored by the gate metric. After the trials, the best parameters
of the whole study are trained as `make train` does, with the same gate.

Exit codes as the other jobs (see jobs.py): 0 the tuned model passed the gate and is the
champion (or `--no-train`: the trials are done), 1 the gate refused it, 2 bad input or
configuration (a typo in tune.space), 3 the environment (the study's database cannot be
reached), 130 interrupted (the finished trials stay in the study).
"""

from __future__ import annotations

import argparse
import difflib
import fcntl
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import optuna
import yaml
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from tqdm import tqdm  # Optuna's own dependency

from .. import jobs
from ..config import PACKAGE, Config, ParamSpace, config_file, get_config
from ..data.contract import read_contract
from ..data.load import features_and_target, labelled, load_raw, split
from ..features.pipeline import build_estimator, build_model, estimator_path
from . import fit as train
from .scoring import LOWER_IS_BETTER, cross_validation

# The defaults of the default estimators (features.DEFAULT_ESTIMATORS): the strength of
# their L2 penalty, searched over six orders of magnitude.
DEFAULT_SPACES: dict[str, dict[str, ParamSpace]] = {
    "sklearn.linear_model.LogisticRegression": {
        "C": ParamSpace(type="float", low=1e-3, high=1e3, log=True)
    },
    "sklearn.linear_model.Ridge": {"alpha": ParamSpace(type="float", low=1e-3, high=1e3, log=True)},
}
SQLITE = "sqlite:///"
Direction = Literal["minimize", "maximize"]


def search_space(config: Config, estimator: Any, path: str) -> dict[str, ParamSpace]:
    """tune.space, else the estimator's default; a name the estimator does not take is an error."""
    space = config.tune.space or DEFAULT_SPACES.get(path)
    if not space:
        raise jobs.JobError(
            f"tune.space is empty and {path} has no default search space",
            "declare the parameters to search in tune.space of configs/config.yaml"
            " (docs/tuning.md has the format)",
        )
    known = sorted(estimator.get_params(deep=False))
    for name in space:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            guess = f": did you mean {close[0]}?" if close else ""
            raise jobs.JobError(
                f"tune.space.{name} is not a parameter of {path}{guess}",
                f"use one of its parameters in tune.space: {', '.join(known)}",
            )
    return space


def suggest(trial: Any, space: dict[str, ParamSpace]) -> dict[str, Any]:
    """One value per parameter, drawn by the trial's sampler."""
    drawn: dict[str, Any] = {}
    for name, spec in space.items():
        if spec.type == "categorical":
            drawn[name] = trial.suggest_categorical(name, spec.choices)
        elif spec.type == "int":
            step = int(spec.step or 1)
            drawn[name] = trial.suggest_int(
                name, int(spec.low or 0), int(spec.high or 0), step=step, log=spec.log
            )
        else:
            drawn[name] = trial.suggest_float(
                name, float(spec.low or 0), float(spec.high or 0), step=spec.step, log=spec.log
            )
    return drawn


def storage_url(config: Config) -> str:
    """tune.storage, with a relative sqlite path taken from the project root."""
    url = config.tune.storage
    if url.startswith(SQLITE) and url.removeprefix(SQLITE) not in ("", ":memory:"):
        path = config.path(url.removeprefix(SQLITE))
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"{SQLITE}{path}"
    return url


def shown_url(url: str) -> str:
    """The storage URL without its password, for logs and run parameters."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


@contextmanager
def _storage_lock(url: str) -> Iterator[None]:
    """For a sqlite file: one process at a time creates its tables and the study."""
    if not url.startswith(SQLITE) or url.endswith(":memory:"):
        yield
        return
    with open(f"{url.removeprefix(SQLITE)}.lock", "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def open_study(config: Config, name: str, metric: str, direction: Direction) -> Any:
    """The study `name` in tune.storage, created when missing; JobError when unusable."""
    url = storage_url(config)
    # sqlite: wait for a concurrent worker's write instead of failing with "database is locked".
    engine = {"connect_args": {"timeout": 60}} if url.startswith(SQLITE) else None
    try:
        with _storage_lock(url):
            storage = optuna.storages.RDBStorage(url, engine_kwargs=engine)
            study = optuna.create_study(
                storage=storage, study_name=name, direction=direction, load_if_exists=True
            )
    except ModuleNotFoundError as error:
        raise jobs.JobError(
            f"tune.storage {shown_url(url)} needs the database driver {error.name}",
            "add it to the project, e.g. `uv add psycopg2-binary` for PostgreSQL",
        ) from None
    except ArgumentError as error:
        raise jobs.JobError(
            f"tune.storage {shown_url(url)} is not a database URL: {error}",
            "set tune.storage to e.g. sqlite:///tune/optuna.db or postgresql://user@host/db",
        ) from None
    except SQLAlchemyError as error:
        first = str(error).strip().splitlines()[0]
        raise jobs.JobError(
            f"the study's database {shown_url(url)} cannot be used: {first}",
            "check that tune.storage is reachable from this machine",
            code=jobs.ENVIRONMENT,
        ) from None
    if study.user_attrs.setdefault("metric", metric) != metric or (
        study.direction.name.lower() != direction
    ):
        raise jobs.JobError(
            f"the study {name!r} optimizes {study.user_attrs['metric']}, not the gate's {metric}",
            "set tune.study to a new name in configs/config.yaml, or gate.metric back",
        )
    study.set_user_attr("metric", metric)
    return study


def with_params(config: Config, params: dict[str, Any]) -> Config:
    """The configuration with `params` over model.params."""
    model = config.model.model_copy(update={"params": {**config.model.params, **params}})
    return config.model_copy(update={"model": model})


def write_params(path: Path, params: dict[str, Any]) -> None:
    """Set model.params in config.yaml to `params`, keeping every comment and other line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    flow = yaml.safe_dump(params, default_flow_style=True, sort_keys=True, width=10_000).strip()
    in_model, start = False, None
    for number, line in enumerate(lines):
        if re.match(r"^\S", line):
            in_model = line.startswith("model:")
        elif in_model and re.match(r"^\s+params:", line):
            start = number
            break
    if start is None:
        raise jobs.JobError(
            f"{path} has no model.params line to write the parameters to",
            "add `  params: {}` under `model:` in configs/config.yaml",
        )
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1  # a block mapping's lines follow, indented deeper
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
    ):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # keep the blank lines that end the section
    raw = lines[start].rstrip("\n")
    comment = re.search(r"\s(#.*)$", raw.split("params:", 1)[1])
    text = f"{' ' * indent}params: {flow}"
    if comment:  # the comment stays in its column (or one space after a longer value)
        column = len(raw) - len(comment.group(1))
        text = f"{text.ljust(column - 1)} {comment.group(1)}"
    new = [*lines[:start], text + "\n", *lines[end:]]
    if yaml.safe_load("".join(new)).get("model", {}).get("params") != params:
        raise jobs.JobError(
            f"{path}: model.params could not be rewritten in place",
            f"set model.params to {flow} by hand",
        )
    path.write_text("".join(new), encoding="utf-8")


class Objective:
    """A trial's score: the gate metric cross-validated on the training rows."""

    def __init__(self, config: Config, tracker: Any = None) -> None:
        self.config, self.tracker = config, tracker
        self.finished = 0  # trials of this process that completed
        self.contract = read_contract(config)
        self.metric = train.gate_metric(config, self.contract)
        self.space = search_space(config, build_estimator(config, self.contract), self.estimator)
        frame, _ = labelled(load_raw(config, self.contract), self.contract)
        # The training rows of `make train`'s split: the held-out rows stay for the gate.
        train_rows, _ = split(frame, self.contract, test_size=config.split.test_size)
        self.fit_on = features_and_target(train_rows, self.contract)

    @property
    def estimator(self) -> str:
        """The estimator's import path."""
        return estimator_path(self.config, self.contract)

    def __call__(self, trial: Any) -> float:
        """The trial's cross-validated gate metric; all its metrics go to a child run."""
        drawn = suggest(trial, self.space)
        with self.tracker.child_run(f"trial {trial.number}", {"trial": str(trial.number)}):
            found = cross_validation(
                build_model(with_params(self.config, drawn), self.contract),
                *self.fit_on,
                task=self.contract.task,
                classes=list(self.contract.classes),
                k=self.config.tune.cv_folds,
                seed=self.config.seed,
                n_jobs=self.config.tune.n_jobs,
            )
            if not found:
                raise jobs.JobError(
                    "too few training rows for cross-validation",
                    "add rows, or lower tune.cv_folds",
                )
            self.tracker.log({f"model.{k}": v for k, v in drawn.items()}, found)
        for name, value in found.items():
            trial.set_user_attr(name, value)
        return found[f"cv_{self.metric}_mean"]


def study_name(config: Config, objective: Objective) -> str:
    """tune.study, else one per package, estimator and data contract."""
    estimator = objective.estimator.rsplit(".", 1)[-1]
    return config.tune.study or f"{PACKAGE}-{estimator}-{objective.contract.fingerprint[:12]}"


def run_trials(study: Any, objective: Objective, trials: int, seed: int) -> int:
    """Add `trials` trials to the study; returns how many finished."""
    # disable=None: a bar on a terminal, nothing in a log file.
    with tqdm(total=trials, unit="trial", desc="tune", disable=None, file=sys.stderr) as progress:
        for _ in range(trials):
            trial = study.ask()
            # Seeded per trial by its number (unique in the study): one worker repeats its
            # draws, and workers sharing the study never draw the same values.
            study.sampler = optuna.samplers.TPESampler(seed=seed + trial.number)
            try:
                value = objective(trial)
            except BaseException:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                raise
            study.tell(trial, value)
            objective.finished += 1
            if _completed(study):
                progress.set_postfix_str(f"best {objective.metric} {study.best_value:.4f}")
            progress.update()
    return objective.finished


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line of `python -m <package>.train.tune`."""
    parser = jobs.parser(__doc__.split("\n", 1)[0], "train.tune")
    parser.add_argument("--trials", type=int, default=20, help="trials this process adds")
    parser.add_argument(
        "--no-train",
        action="store_true",
        help="only add trials (a worker); train the study's best later with --trials 0",
    )
    parser.add_argument(
        "--write-params",
        action="store_true",
        help="write the best parameters into model.params of configs/config.yaml when promoted",
    )
    args = parser.parse_args(argv)
    if args.trials < 0:
        parser.error("--trials must be 0 or more")
    return args


def _main(args: argparse.Namespace, config: Config | None) -> int:
    # MLflow is slow to import; `--help` needs none of it.
    from .tracking import Tracker  # pylint: disable=import-outside-toplevel

    config = config or get_config()
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the bar and the summary say it
    logging.getLogger("optuna").setLevel(logging.WARNING)
    objective = Objective(config)  # checks tune.space before the tracker starts
    objective.tracker = tracker = Tracker(config)
    name = study_name(config, objective)
    direction: Direction = "minimize" if objective.metric in LOWER_IS_BETTER else "maximize"
    study = open_study(config, name, objective.metric, direction)
    seed = config.seed if config.tune.seed is None else config.tune.seed
    best = None
    # The tags of `make train`'s runs: the same code, data, lock file and seed are recorded.
    raw_path = config.path(config.paths.raw_data)
    tags = {
        **train._run_tags(config, objective.contract, raw_path),  # pylint: disable=protected-access
        "tune_study": name,
    }
    try:
        with tracker.run(tags):
            tracker.log(
                {
                    "estimator": objective.estimator,
                    "study": name,
                    "storage": shown_url(storage_url(config)),
                    "metric": objective.metric,
                    "cv_folds": config.tune.cv_folds,
                    "trials": args.trials,
                    "space": json.dumps({k: v.model_dump(exclude_none=True)
                                         for k, v in objective.space.items()}),
                },
                {},
            )  # fmt: skip
            run_trials(study, objective, args.trials, seed)
            best = study.best_trial if _completed(study) else None
            if best is not None:
                tracker.log(
                    {f"best.model.{k}": v for k, v in best.params.items()},
                    {f"best_{k}": v for k, v in best.user_attrs.items() if k.startswith("cv_")},
                )
    except KeyboardInterrupt:
        return jobs.report(
            jobs.JobError(
                f"interrupted after {objective.finished} finished trials, kept in {name!r}",
                "run `make tune` again to add trials to it",
                code=jobs.INTERRUPTED,
            )
        )
    if best is None and args.no_train:
        print(f"study {name}: {objective.finished} trials here, none finished in all")
        return jobs.DONE
    if best is None:
        raise jobs.JobError(
            f"the study {name!r} has no finished trial",
            "run `make tune TRIALS=N` with N > 0 (failed trials: check tune.space)",
        )
    total = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
    print(
        f"study {name}: {objective.finished} trials here, {total} in all; best trial {best.number}:"
        f" cv_{objective.metric}_mean={best.value:.4f} with {best.params}"
    )
    if args.no_train:
        return jobs.DONE
    code = train.main(with_params(config, best.params))
    if args.write_params:
        if code == jobs.DONE:
            path = config_file()
            write_params(path, {**config.model.params, **best.params})
            print(f"wrote model.params of the champion to {path}")
        else:
            print("model.params left as they are: the tuned model is not the champion")
    return code


def _completed(study: Any) -> bool:
    states = (optuna.trial.TrialState.COMPLETE,)
    return bool(study.get_trials(deepcopy=False, states=states))


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Command-line entry point; returns the exit code (see jobs.py)."""
    args = parse_args(argv)
    return jobs.run(lambda: _main(args, config))


if __name__ == "__main__":
    sys.exit(main())
