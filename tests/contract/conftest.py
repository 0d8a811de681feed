"""The live stack the contract stage tests: the one `make run` starts, on free ports.

Same `devstack.Stack` as tests/e2e, with a login/register budget at the gateway that
schemathesis cannot exhaust: it sends hundreds of those requests, and a 429 for each would
leave the operations themselves untested (tests/e2e/test_limits.py tests the limit).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.stack import Stack
from tests.contract.runner import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.platform import running_platform

STACK_ENVIRONMENT = {
    "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
    "FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "GATEWAY_AUTH_RATE_AVERAGE": "100000",
    "GATEWAY_AUTH_RATE_PERIOD_SECONDS": "60",
    "GATEWAY_AUTH_RATE_BURST": "100000",
}


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with running_platform(STACK_ENVIRONMENT, prefix="todo-contract-") as platform:
        yield platform
