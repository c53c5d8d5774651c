"""`python -m <package>.cards`: the model card and data card from the last run."""

import sys

from .model_card import main

sys.exit(main())
