"""What the model registry holds, whichever tracker keeps it.

A version's record, and why no version is the champion: the one wording the service,
batch scoring and monitoring use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Config


@dataclass(frozen=True)
class ModelVersion:  # pylint: disable=too-many-instance-attributes  # a record of fields
    """A registered model version, the run that made it, and that run's metrics."""

    version: str
    run_id: str
    metrics: dict[str, float]
    aliases: tuple[str, ...] = ()
    contract: str = ""  # the fingerprint of the data contract the model was trained on
    gate: str = ""  # passed | refused: the gate's decision when the version was registered
    reason: str = ""  # the gate's reason
    params: dict[str, str] = field(default_factory=dict)  # the run's parameters (test_size)


class NoChampionError(LookupError):
    """No registered version is the champion: `str()` says why, `hint` what to run."""

    def __init__(self, config: Config, versions: list[ModelVersion]) -> None:
        message, self.hint = _why_no_champion(config, versions)
        super().__init__(message)


def _why_no_champion(config: Config, versions: list[ModelVersion]) -> tuple[str, str]:
    """Why the registry names no champion, and the hint.

    Nothing was trained yet, or the gate refused each version; `versions` are the
    registered ones, newest first.
    """
    alias, name = config.tracking.champion_alias, config.tracking.registered_model
    if not versions:
        return f"no {alias!r} version of {name!r}: none was trained yet", "run `make train` first"
    registered = (
        f"{len(versions)} version{'' if len(versions) == 1 else 's'} of {name!r} registered"
    )
    if all(version.gate == "refused" for version in versions):
        last = versions[0].reason or "no reason recorded"
        return (
            f"no {alias!r} version: {registered}, the gate refused each: {last}",
            "see `make models` (`make promote VERSION=N` serves one anyway)",
        )
    return (
        f"no {alias!r} version: {registered}, none of them promoted",
        "see `make models` (`make promote VERSION=N` serves one)",
    )
