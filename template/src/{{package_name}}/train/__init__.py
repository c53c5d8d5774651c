"""The train stage: fit, evaluation with plots, the quality gate, tuning, tracking and the registry.

- `fit.py`: `python -m <package>.train` fits, evaluates and gates one model (exit codes: jobs.py).
- `scoring.py`: every metric, its direction and the gate's metric; live monitoring uses it too.
- `evaluation.py`, `plots.py`: cross-validation, held-out metrics and their plots.
- `tune.py`: `python -m <package>.train.tune`, an Optuna study over `tuning.params`.
- `evaluate.py`: `python -m <package>.train.evaluate`, the champion on today's held-out rows.
- `tracking.py`: runs, the model registry and loading the served model.
- `registry.py`: `python -m <package>.train.registry list|promote VERSION`.
- `versions.py`: a registered version's record, and why no version is the champion.

Serving and monitoring use `tracking.py` and `versions.py` (the trained model) and
`scoring.py` (the metrics) of this stage, nothing else.
"""
