"""`make run`: the whole platform as local processes (scripts/devstack/runner.py)."""

import sys

from devstack.runner import main

if __name__ == "__main__":
    sys.exit(main())
