"""`make bench`: the whole platform under load, measured.

Starts the stack `make run` starts (scripts/devstack: embedded PostgreSQL, the services with
their production uvicorn settings, the real Traefik) on free ports in a throwaway folder,
seeds users through the API and todos in bulk, then drives each scenario with wrk (Lua
scripts in lua/) through the gateway and directly, reading what every server process spent
from /proc. Results go to bench/results/ (JSON, a Markdown table, a PNG chart).
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
