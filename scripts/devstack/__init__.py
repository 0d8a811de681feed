"""The local stack: embedded PostgreSQL, the services and the Traefik gateway as processes.

`make run` (runner.py) and the end-to-end tests (tests/e2e) start the same stack through
`Stack` (stack.py), so what the tests exercise is what a developer runs.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
