"""What a run measures, from BENCH_* variables; BENCH_QUICK=1 is the two-minute check."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench import ROOT

# The owner whose page figures are compared with the heavy owner's: "within 1.3x of 10k".
SMALL_OWNER_TODOS = 10_000
MAX_TODOS = 1_000_000


def _int_list(value: str) -> tuple[int, ...]:
    return tuple(int(item) for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class BenchConfig:
    quick: bool
    todos: int
    """Rows in the todo table: the heavy owner holds all but the small owner's."""
    duration_seconds: int
    warmup_seconds: int
    concurrencies: tuple[int, ...]
    threads: int
    scenarios: tuple[str, ...] | None
    """Only these scenarios (BENCH_SCENARIOS=get_by_id,list); None: all."""
    targets: tuple[str, ...]
    results_dir: Path
    require_zero_errors: bool
    publish: bool
    """Copy the table and chart into docs/ (BENCH_PUBLISH=1)."""
    profile: bool
    """Sample the service with py-spy during each run (BENCH_PROFILE=1)."""

    @classmethod
    def from_environment(cls) -> BenchConfig:
        quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
        todos = int(os.environ.get("BENCH_TODOS", "20000" if quick else str(MAX_TODOS)))
        if not SMALL_OWNER_TODOS * 2 <= todos <= MAX_TODOS:
            raise SystemExit(f"BENCH_TODOS must be between {SMALL_OWNER_TODOS * 2} and {MAX_TODOS}")
        scenarios = os.environ.get("BENCH_SCENARIOS")
        return cls(
            quick=quick,
            todos=todos,
            duration_seconds=int(os.environ.get("BENCH_DURATION", "3" if quick else "8")),
            warmup_seconds=int(os.environ.get("BENCH_WARMUP", "1" if quick else "2")),
            concurrencies=_int_list(
                os.environ.get("BENCH_CONCURRENCY", "32" if quick else "8,32,128")
            ),
            # Two threads, as many as the machine the figures were taken on has cores.
            threads=int(os.environ.get("BENCH_THREADS", "2")),
            scenarios=tuple(scenarios.split(",")) if scenarios else None,
            targets=tuple(os.environ.get("BENCH_TARGETS", "gateway,direct").split(",")),
            results_dir=Path(
                os.environ.get(
                    "BENCH_RESULTS", ROOT / "bench" / "results" / ("quick" if quick else "")
                )
            ),
            require_zero_errors=os.environ.get("BENCH_REQUIRE_ZERO_ERRORS", "") == "1",
            publish=os.environ.get("BENCH_PUBLISH", "") == "1",
            profile=os.environ.get("BENCH_PROFILE", "") == "1",
        )

    @property
    def heavy_owner_todos(self) -> int:
        return self.todos - SMALL_OWNER_TODOS
