"""The live stack the contract stage tests: the one `make run` starts, on free ports.

Same `devstack.Stack` as tests/e2e, with a login/register budget at the gateway that
schemathesis cannot exhaust: it sends hundreds of those requests, and a 429 for each would
leave the operations themselves untested (tests/e2e/test_limits.py tests the limit).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.gateway import GatewayPorts
from devstack.processes import StartupError
from devstack.services import Service
from devstack.stack import Stack, StackSettings
from tests.contract.runner import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.conftest import _distinct_free_ports
from todo_common.platform import SERVICES

STACK_ENVIRONMENT = {
    "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
    "FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "GATEWAY_AUTH_RATE_AVERAGE": "100000",
    "GATEWAY_AUTH_RATE_PERIOD_SECONDS": "60",
    "GATEWAY_AUTH_RATE_BURST": "100000",
}


# Free ports are picked before they are bound: on a busy machine another program can take
# one in between, which is worth a fresh set of ports, not a failed stage.
START_ATTEMPTS = 3


def _settings(data_dir: Path) -> StackSettings:
    ports = _distinct_free_ports(len(SERVICES) + 3)
    return StackSettings(
        data_dir=data_dir,
        running=[Service(name, port) for name, port in zip(SERVICES, ports, strict=False)],
        gateway=GatewayPorts(web=ports[-3], tls=ports[-2], ops=ports[-1]),
        database_url=None,
        environment=STACK_ENVIRONMENT,
    )


def _port_was_taken(error: StartupError) -> bool:
    log = error.log.read_text(errors="replace") if error.log and error.log.exists() else ""
    return "address already in use" in log or "is taken by another program" in str(error)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    for attempt in range(1, START_ATTEMPTS + 1):
        # Not under pytest's basetemp: a concurrent pytest run on this machine may prune
        # old basetemps, and with them the running database's files.
        data_dir = Path(tempfile.mkdtemp(prefix="todo-contract-"))
        platform = Stack(_settings(data_dir))
        try:
            platform.start()
            break
        except StartupError as error:
            log = error.log.read_text(errors="replace")[-3000:] if error.log else ""
            retry = attempt < START_ATTEMPTS and _port_was_taken(error)
            platform.stop()
            shutil.rmtree(data_dir, ignore_errors=True)
            if retry:
                continue
            pytest.fail(f"the stack did not start: {error}\n{log}", pytrace=False)
        except BaseException:
            platform.stop()
            shutil.rmtree(data_dir, ignore_errors=True)
            raise
    yield platform
    platform.stop()
    shutil.rmtree(data_dir, ignore_errors=True)
