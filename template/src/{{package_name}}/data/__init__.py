"""The data stage: the contract, reading files as they come, validation, the split.

It imports nothing of the other stages.

- `contract.py`: the contract, inferred from a file and checked against every batch;
  `python -m <package>.data.contract` infers it.
- `tables.py`: reading CSV and Parquet files whatever their separator and encoding.
- `load.py`: loading and validating the data, and the split that keeps each row on
  one side across runs; `python -m <package>.data` validates (exit codes: jobs.py).
"""
