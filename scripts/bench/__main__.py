"""`make bench`; BENCH_QUICK=1 is the two-minute check `make test` runs (docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg2

from bench import HERE, ROOT, procstat, report, seed
from bench.config import SMALL_OWNER_TODOS, BenchConfig
from bench.load import LoadResult, run_wrk
from bench.scenarios import TODOS, Scenario, all_scenarios
from devstack.gateway import GatewayPorts
from devstack.processes import StartupError, provided_by
from devstack.services import Service
from devstack.stack import Stack, StackSettings
from todo_common.platform import SERVICES
from todo_common.ports import free_ports

# All load comes from one address: the gateway's per-client limit on /login would turn
# the login scenario into a test of the limiter.
UNLIMITED_GATEWAY = {
    "GATEWAY_AUTH_RATE_AVERAGE": "1000000",
    "GATEWAY_AUTH_RATE_PERIOD_SECONDS": "1",
    "GATEWAY_AUTH_RATE_BURST": "1000000",
}


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


@dataclass
class Bench:
    config: BenchConfig
    stack: Stack
    wrk: Path
    folder: Path
    admin_url: str
    owners: dict[str, seed.Owner]
    read_ids: Path
    patch_ids: list[str]

    @property
    def postmaster(self) -> int:
        return procstat.postmaster_pid(self.folder / "postgres")

    def process_roots(self, service: str) -> dict[str, int]:
        roots = {
            "service": self.stack.processes[service].pid,
            "gateway": self.stack.processes["gateway"].pid,
            "postgres": self.postmaster,
        }
        return {part: pid for part, pid in roots.items() if pid is not None}

    def base_url(self, scenario: Scenario, target: str) -> str:
        if target == "gateway":
            return self.stack.gateway_ports.url
        return self.stack.service(scenario.service).base_url

    def variables(self, scenario: Scenario, client: httpx.Client) -> dict[str, str]:
        owner = self.owners[scenario.owner]
        gateway_url = self.stack.gateway_ports.url
        variables = {"BENCH_PREFIX": TODOS, "BENCH_IDS": str(self.read_ids)}
        if scenario.name == "login":
            variables |= {
                "BENCH_USERNAME": owner.account.email,
                "BENCH_PASSWORD": owner.account.password,
            }
        else:
            variables["BENCH_TOKEN"] = seed.access_token(client, gateway_url, owner.account)
        if scenario.path is not None:
            variables["BENCH_PATH"] = scenario.path.replace("{cursor}", owner.deep_cursor)
        if scenario.name in ("patch", "mixed"):
            path = self.folder / "patch-versions.txt"
            variables["BENCH_VERSIONS"] = str(
                seed.write_versions(self.admin_url, self.patch_ids, path)
            )
        return variables

    def measure(
        self, scenario: Scenario, target: str, concurrency: int, variables: dict[str, str]
    ) -> dict[str, Any]:
        roots = self.process_roots(scenario.service)
        with _admin(self.admin_url) as admin, self.profiling(scenario, target, concurrency):
            sessions_before = _sessions(admin)
            before = {part: procstat.sample(pid) for part, pid in roots.items()}
            result = run_wrk(
                self.wrk,
                script=scenario.script,
                url=self.base_url(scenario, target),
                concurrency=concurrency,
                threads=self.config.threads,
                seconds=self.config.duration_seconds,
                variables=variables,
            )
            after = {part: procstat.sample(pid) for part, pid in roots.items()}
            # Backends report their start to the statistics within a second.
            time.sleep(1)
            backend_starts = _sessions(admin) - sessions_before
        return _row(scenario, target, concurrency, self.owners, result, before, after) | {
            "pg_backend_starts": backend_starts
        }

    @contextmanager
    def profiling(self, scenario: Scenario, target: str, concurrency: int) -> Iterator[None]:
        """With BENCH_PROFILE=1, py-spy samples the service during the run (collapsed stacks,
        one file per row, under results/profiles/). Only the thread holding the GIL is
        sampled, so the shares approximate CPU time, not time spent waiting."""
        if not self.config.profile:
            yield
            return
        folder = self.config.results_dir / "profiles"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{scenario.label.replace(' ', '-')}-{target}-c{concurrency}.txt"
        pid = self.stack.processes[scenario.service].pid
        profiler = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                *("--pid", str(pid), "--rate", "250", "--format", "raw", "--nonblocking", "--gil"),
                *("--duration", str(self.config.duration_seconds), "--output", str(folder / name)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield
        finally:
            profiler.wait(timeout=30)


def _row(
    scenario: Scenario,
    target: str,
    concurrency: int,
    owners: dict[str, seed.Owner],
    result: LoadResult,
    before: dict[str, procstat.CpuSample],
    after: dict[str, procstat.CpuSample],
) -> dict[str, Any]:
    requests = max(result.requests, 1)
    processes: dict[str, Any] = {}
    for part, end in after.items():
        cpu_seconds = end.seconds - before[part].seconds
        processes[part] = {
            "name": scenario.service if part == "service" else part,
            "cpu_ms_per_request": round(cpu_seconds * 1000 / requests, 3),
            "cpu_cores": round(cpu_seconds / result.duration_seconds, 2),
            "peak_rss_mib": round(end.peak_rss_mib, 1),
        }
    return {
        "scenario": scenario.name,
        "variant": scenario.variant,
        "target": target,
        "concurrency": concurrency,
        "owner_todos": owners[scenario.owner].todos,
        "rps": round(result.rps, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p90_ms": round(result.p90_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "max_ms": round(result.max_ms, 2),
        "requests": result.requests,
        "errors": result.errors,
        "status_errors": result.status_errors,
        "socket_errors": result.socket_errors,
        "cpu_ms_per_request": round(
            sum(process["cpu_ms_per_request"] for process in processes.values()), 3
        ),
        "processes": processes,
    }


@contextmanager
def _admin(url: str) -> Iterator[Any]:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        yield connection
    finally:
        connection.close()


def _sessions(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = 'todo'")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def install_wrk() -> Path:
    return provided_by(HERE / "install_wrk.sh", "wrk")


def make_stack(folder: Path) -> Stack:
    ports = free_ports(len(SERVICES) + 4)
    settings = StackSettings(
        data_dir=folder,
        running=[Service(name, port) for name, port in zip(SERVICES, ports, strict=False)],
        gateway=GatewayPorts(web=ports[-4], tls=ports[-3], ops=ports[-2]),
        postgres_port=ports[-1],
        environment=UNLIMITED_GATEWAY,
    )
    return Stack(settings, say=lambda message: say(f"  {message}"))


def prepare(config: BenchConfig, stack: Stack, wrk: Path, folder: Path) -> Bench:
    databases = stack.databases
    if databases is None or databases.server is None:
        raise RuntimeError("the stack started no embedded PostgreSQL")
    admin_url = databases.server.url(database="todo")
    gateway_url = stack.gateway_ports.url
    with httpx.Client(timeout=30) as client:
        accounts = {
            label: seed.register(client, gateway_url, label)
            for label in ("heavy", "small", "writer")
        }
    counts = {"heavy": config.heavy_owner_todos, "small": SMALL_OWNER_TODOS, "writer": 0}
    say(f"seeding {config.todos:,} todos")
    for label in ("heavy", "small"):
        seed.insert_todos(admin_url, accounts[label].id, counts[label], say)
    owners = {}
    for label, account in accounts.items():
        cursor = seed.deep_cursor(admin_url, account.id, counts[label]) if counts[label] else ""
        owners[label] = seed.Owner(account, counts[label], cursor)
    read_ids, patch_ids = seed.choose_samples(
        admin_url, accounts["heavy"].id, counts["heavy"], folder
    )
    return Bench(config, stack, wrk, folder, admin_url, owners, read_ids, patch_ids)


def run(bench: Bench) -> list[dict[str, Any]]:
    config = bench.config
    scenarios = [
        scenario
        for scenario in all_scenarios(quick=config.quick)
        if config.scenarios is None or scenario.name in config.scenarios
    ]
    total = len(scenarios) * len(config.targets) * len(config.concurrencies)
    rows: list[dict[str, Any]] = []
    with httpx.Client(timeout=30) as client:
        for scenario in scenarios:
            for target in config.targets:
                variables = bench.variables(scenario, client)
                if config.warmup_seconds:
                    run_wrk(
                        bench.wrk,
                        script=scenario.script,
                        url=bench.base_url(scenario, target),
                        concurrency=config.concurrencies[0],
                        threads=config.threads,
                        seconds=config.warmup_seconds,
                        variables=variables,
                    )
                for concurrency in config.concurrencies:
                    if scenario.name in ("patch", "mixed"):
                        # Versions moved on in the warm-up and the runs before.
                        variables = bench.variables(scenario, client)
                    row = bench.measure(scenario, target, concurrency, variables)
                    rows.append(row)
                    say(f"[{len(rows)}/{total}] {report.one_line(row)}")
    return rows


def main() -> int:
    config = BenchConfig.from_environment()
    started = time.monotonic()
    mode = "quick" if config.quick else "full"
    say(
        f"{mode} run: {config.todos:,} todos, {config.duration_seconds} s per run at "
        f"{', '.join(map(str, config.concurrencies))} connections, "
        f"targets {', '.join(config.targets)}"
    )
    wrk = install_wrk()
    machine = report.machine()
    with tempfile.TemporaryDirectory(prefix="todo-bench-") as temporary:
        folder = Path(temporary)
        say(f"starting the stack in {folder}")
        stack = make_stack(folder)
        try:
            stack.start()
            bench = prepare(config, stack, wrk, folder)
            say(f"ready after {time.monotonic() - started:.0f} s; measuring")
            rows = run(bench)
        except StartupError as error:
            say(f"FAILED to start: {error}")
            if error.log is not None and error.log.exists():
                print(error.log.read_text(errors="replace")[-3000:], file=sys.stderr)
            return 1
        finally:
            stack.stop()
    machine["load_average_after"] = report.load_average()
    written = report.write(rows, machine, config)
    say(f"wrote {', '.join(str(path) for path in written)}")
    if config.publish:
        for path in report.publish(rows, machine, written):
            say(f"updated {path.relative_to(ROOT)}")
    say(f"done in {time.monotonic() - started:.0f} s")
    failed = [row for row in rows if row["errors"]]
    for row in failed:
        say(f"ERRORS: {report.one_line(row)}")
    if config.require_zero_errors and failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
