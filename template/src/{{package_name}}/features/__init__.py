"""The features stage: the preprocessing and estimator pipeline, built from the contract.

`pipeline.py` is the one place that turns the contract's columns into model inputs.
"""

# Models saved before the stage folders name the date step `<package>.features.date_parts`;
# loading them looks it up here.
from .pipeline import date_parts

__all__ = ["date_parts"]
