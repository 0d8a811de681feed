"""The stack `make run` starts, the frontend included, on free ports, for the browser tests.

The app is built against this stack's gateway (http://localhost:<port>) and served on an
origin the gateway allows, both on `localhost` so the SameSite refresh-token cookie flows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.frontend import FrontendSettings
from devstack.gateway import GatewayPorts
from devstack.processes import StartupError
from devstack.services import Service
from devstack.stack import Stack, StackSettings
from tests.e2e.conftest import _distinct_free_ports
from todo_common.platform import SERVICES


@pytest.fixture(scope="session")
def frontend_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    ports = _distinct_free_ports(len(SERVICES) + 4)
    gateway = GatewayPorts(web=ports[-4], tls=ports[-3], ops=ports[-2])
    data_dir = tmp_path_factory.mktemp("frontend-stack")
    frontend = FrontendSettings(
        port=ports[-1], api_url=f"http://localhost:{gateway.web}", build_dir=data_dir / "frontend"
    )
    settings = StackSettings(
        data_dir=data_dir,
        running=[Service(name, port) for name, port in zip(SERVICES, ports, strict=False)],
        gateway=gateway,
        database_url=None,
        environment={
            "CORS_ORIGINS": frontend.url,
            # The journey registers once and logs in a few times; leave it headroom.
            "GATEWAY_AUTH_RATE_BURST": "20",
        },
        frontend=frontend,
    )
    platform = Stack(settings)
    try:
        platform.start()
    except StartupError as error:
        log = error.log.read_text(errors="replace")[-3000:] if error.log else ""
        platform.stop()
        pytest.fail(f"the stack did not start: {error}\n{log}", pytrace=False)
    except BaseException:
        platform.stop()
        raise
    yield platform
    platform.stop()
