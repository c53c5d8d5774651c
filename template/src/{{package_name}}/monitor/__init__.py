"""The monitor stage: drift of served traffic, and live metrics once labels arrive.

Drift compares served rows with the training rows.

- `check.py`: `python -m <package>.monitor` (exit 1 when drift is found; codes: jobs.py).
- `drift.py`, `drift_html.py`: the calibrated drift tests and their report.
- `live.py`: the champion's metrics on logged predictions joined with their labels.
- `rows.py`: reading the prediction log and the reference rows.
"""
