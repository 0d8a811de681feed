"""Run schemathesis' CLI as the contract stage does, and read what it found."""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack import ROOT
from tests.commands import run

CONFIG_FILE = ROOT / "schemathesis.toml"
REPORT_DIR = ROOT / ".data" / "contract"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# Test cases per operation and phase; CONTRACT_MAX_EXAMPLES=200 (or more) goes deeper.
DEFAULT_MAX_EXAMPLES = 10
# The stack's first admin (auth creates it at start-up), for users' admin-only operations.
ADMIN_EMAIL = "contract-admin@example.com"
ADMIN_PASSWORD = secrets.token_urlsafe(24)


def max_examples() -> int:
    return int(os.environ.get("CONTRACT_MAX_EXAMPLES", DEFAULT_MAX_EXAMPLES))


@dataclass(frozen=True)
class Run:
    exit_code: int
    output: str
    report: dict[str, Any]
    junit: Path

    def summary(self) -> str:
        """Operations tested, test cases generated, failures: the stage's figures."""
        operations = self.report.get("operations", {})
        cases = self.report.get("test_cases", {})
        failures = sum(failure.get("count", 0) for failure in self.report.get("failures", []))
        return (
            f"{operations.get('tested', '?')} operations, "
            f"{cases.get('generated', '?')} test cases, {failures} failures, "
            f"{self.report.get('running_time', 0):.0f} s"
        )


def run_schemathesis(
    schema_url: str,
    *,
    auth_url: str,
    name: str,
    config_file: Path = CONFIG_FILE,
    extra_arguments: tuple[str, ...] = (),
) -> Run:
    """`schemathesis run` on `schema_url` with every check and phase; reports under `name`."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    junit = REPORT_DIR / f"{name}.xml"
    json_report = REPORT_DIR / f"{name}.json"
    # A report left by an earlier run must never stand for this one.
    junit.unlink(missing_ok=True)
    json_report.unlink(missing_ok=True)
    result = run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config_file),
            "--no-color",
            "run",
            schema_url,
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(max_examples()),
            "--report",
            "junit,json",
            "--report-junit-path",
            str(junit),
            "--report-json-path",
            str(json_report),
            *extra_arguments,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "CONTRACT_AUTH_URL": auth_url,
            "CONTRACT_ADMIN_EMAIL": ADMIN_EMAIL,
            "CONTRACT_ADMIN_PASSWORD": ADMIN_PASSWORD,
        },
        # Far beyond a run at the default depth (under two minutes): a hung run fails.
        timeout=3600,
        check=False,
    )
    report = json.loads(json_report.read_text()) if json_report.exists() else {}
    return Run(result.returncode, result.stdout + result.stderr, report, junit)
