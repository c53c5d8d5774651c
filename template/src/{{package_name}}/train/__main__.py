"""`python -m <package>.train`: fit, evaluate and gate a model (exit codes: jobs.py)."""

import sys

from .fit import main

sys.exit(main())
