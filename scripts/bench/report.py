"""Results: bench/results/latest.json (the rows), latest.md (a table), latest.png (a chart)."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import ROOT
from bench.config import BenchConfig

DOCS = ROOT / "docs" / "performance.md"
DOCS_CHART = ROOT / "docs" / "performance" / "latest.png"
TABLE_START, TABLE_END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    traefik = shutil.which("traefik")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": " ".join(_version(["wrk", "-v"]).split()[:2]),
        "traefik": _version([traefik, "version"]) if traefik else "from scripts/install_traefik.sh",
        "load_average_before": load_average(),
    }


def _version(command: list[str]) -> str:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    return (completed.stdout + completed.stderr).strip().splitlines()[0] if completed else ""


def label(row: dict[str, Any]) -> str:
    return f"{row['scenario']} {row['variant']}".strip()


def one_line(row: dict[str, Any]) -> str:
    parts = row["processes"]
    return (
        f"{label(row):20} {row['target']:7} c={row['concurrency']:<3} "
        f"{row['rps']:8.0f} rps  p50 {row['p50_ms']:6.1f}  p99 {row['p99_ms']:6.1f} ms  "
        f"errors {row['errors']}  CPU/req {parts['service']['cpu_ms_per_request']:.2f} service"
        f" + {parts['gateway']['cpu_ms_per_request']:.2f} gateway"
        f" + {parts['postgres']['cpu_ms_per_request']:.2f} postgres ms  "
        f"backend starts {row['pg_backend_starts']}"
    )


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        "| scenario | target | conns | req/s | p50 ms | p90 ms | p99 ms | errors "
        "| CPU ms/req service | gateway | postgres | total | PG backend starts "
        "| service peak RSS MiB |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for row in rows:
        parts = row["processes"]
        lines.append(
            f"| {label(row)} | {row['target']} | {row['concurrency']} | {row['rps']:,.0f} "
            f"| {row['p50_ms']:.1f} | {row['p90_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} "
            f"| {parts['service']['cpu_ms_per_request']:.2f} "
            f"| {parts['gateway']['cpu_ms_per_request']:.2f} "
            f"| {parts['postgres']['cpu_ms_per_request']:.2f} "
            f"| {row['cpu_ms_per_request']:.2f} | {row['pg_backend_starts']} "
            f"| {parts['service']['peak_rss_mib']:.0f} |"
        )
    return header + "\n".join(lines) + "\n"


def machine_line(machine: dict[str, Any]) -> str:
    return (
        f"{machine['date']}: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB, Linux {machine['kernel']}, Python {machine['python']}, "
        f"{machine['wrk']}; load average before {machine['load_average_before']}, "
        f"after {machine.get('load_average_after')}"
    )


def markdown(rows: list[dict[str, Any]], machine: dict[str, Any], config: BenchConfig) -> str:
    return (
        f"# Benchmark results\n\n{machine_line(machine)}.\n\n"
        f"{config.todos:,} todos; wrk with {config.threads} threads, {config.duration_seconds} s"
        " per row. CPU is what each server process spent per request, from /proc.\n\n" + table(rows)
    )


def chart(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    concurrencies = sorted({row["concurrency"] for row in rows})
    shown = 32 if 32 in concurrencies else concurrencies[len(concurrencies) // 2]
    chosen = [row for row in rows if row["concurrency"] == shown]
    labels = list(dict.fromkeys(label(row) for row in chosen))
    targets = list(dict.fromkeys(row["target"] for row in chosen))
    by_key = {(label(row), row["target"]): row for row in chosen}
    figure, (throughput, cpu) = plt.subplots(2, 1, figsize=(12, 8), constrained_layout=True)
    width = 0.8 / max(len(targets), 1)
    positions = range(len(labels))
    for index, target in enumerate(targets):
        offsets = [position + index * width for position in positions]
        values = [by_key[key]["rps"] if (key := (name, target)) in by_key else 0 for name in labels]
        bars = throughput.bar(offsets, values, width, label=target)
        throughput.bar_label(bars, fmt="%.0f", fontsize=7)
        bottoms = [0.0] * len(labels)
        for part, colour in (("service", "C0"), ("gateway", "C1"), ("postgres", "C2")):
            # Login (argon2, tens of ms) would flatten every other bar: left out here.
            heights = [
                by_key[(name, target)]["processes"][part]["cpu_ms_per_request"]
                if (name, target) in by_key and name != "login"
                else 0
                for name in labels
            ]
            cpu.bar(
                offsets,
                heights,
                width,
                bottom=bottoms,
                color=colour,
                alpha=1.0 if index == 0 else 0.55,
                label=f"{part} ({target})",
                edgecolor="white",
            )
            bottoms = [bottom + height for bottom, height in zip(bottoms, heights, strict=True)]
    for axes in (throughput, cpu):
        axes.set_xticks([position + width * (len(targets) - 1) / 2 for position in positions])
        axes.set_xticklabels(labels, rotation=20, ha="right")
        axes.grid(axis="y", alpha=0.3)
    throughput.set_ylabel("requests/s")
    throughput.set_title(f"Throughput at {shown} connections")
    throughput.legend()
    cpu.set_ylabel("server CPU ms per request")
    cpu.set_title(
        f"Server CPU per request at {shown} connections (stacked by process;"
        " login, argon2 at tens of ms, left out)"
    )
    cpu.legend(ncol=3, fontsize=8)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write(rows: list[dict[str, Any]], machine: dict[str, Any], config: BenchConfig) -> list[Path]:
    folder = config.results_dir
    folder.mkdir(parents=True, exist_ok=True)
    data, text, image = folder / "latest.json", folder / "latest.md", folder / "latest.png"
    data.write_text(json.dumps(rows, indent=2) + "\n")
    (folder / "machine.json").write_text(json.dumps(machine, indent=2) + "\n")
    text.write_text(markdown(rows, machine, config))
    chart(rows, image)
    return [data, text, image]


def publish(rows: list[dict[str, Any]], machine: dict[str, Any], written: list[Path]) -> list[Path]:
    """Put the table and the chart of this run into docs/performance.md."""
    DOCS_CHART.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(written[-1], DOCS_CHART)
    block = f"{TABLE_START}\nMeasured {machine_line(machine)}.\n\n{table(rows)}{TABLE_END}"
    document = DOCS.read_text()
    pattern = re.compile(re.escape(TABLE_START) + ".*?" + re.escape(TABLE_END), re.DOTALL)
    DOCS.write_text(pattern.sub(lambda _match: block, document))
    return [DOCS, DOCS_CHART]
