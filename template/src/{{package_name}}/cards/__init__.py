"""The model card and data card (docs/), written from the last training run.

`python -m <package>.cards` writes them (model_card.py); run_report.py summarises a run.
"""
