"""`python -m <package>.data`: validate the data against the contract (exit codes: jobs.py)."""

import sys

from .load import main

sys.exit(main())
