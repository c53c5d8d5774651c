"""`python -m <package>.monitor`: drift and live performance of the model (exit codes: jobs.py)."""

import sys

from .check import main

sys.exit(main())
