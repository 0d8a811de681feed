"""The stack `make run` starts, the frontend included, on free ports, for the browser tests.

The app is built against this stack's gateway (http://localhost:<port>) and served on an
origin the gateway allows, both on `localhost` so the SameSite refresh-token cookie flows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.stack import Stack
from tests.platform import running_platform


@pytest.fixture(scope="session")
def frontend_stack() -> Iterator[Stack]:
    environment = {
        # The journey registers once and logs in a few times; leave it headroom.
        "GATEWAY_AUTH_RATE_BURST": "20",
    }
    with running_platform(environment, prefix="todo-frontend-", with_frontend=True) as platform:
        yield platform
