"""The platform as `make run` starts it, on free ports of 127.0.0.1, for the suites that
test it whole (e2e, contract, failure, frontend): one way to pick ports, start and stop.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from devstack.frontend import FrontendSettings
from devstack.gateway import GatewayPorts
from devstack.processes import StartupError
from devstack.services import Service
from devstack.stack import Stack, StackSettings
from todo_common.platform import SERVICES
from todo_common.ports import free_ports
from todo_common.security.tokens import mint_token
from todo_common.testing.harness import TEST_AUDIENCE, TEST_ISSUER


def _platform_settings(
    data_dir: Path, environment: Mapping[str, str], *, with_frontend: bool
) -> StackSettings:
    """Every service, the gateway (and the app, served on an origin the gateway allows).

    Always a throwaway PostgreSQL, whatever DATABASE_URL the shell has.
    """
    ports = free_ports(len(SERVICES) + 4)
    gateway = GatewayPorts(web=ports[-4], tls=ports[-3], ops=ports[-2])
    frontend = None
    if with_frontend:
        frontend = FrontendSettings(
            port=ports[-1],
            # localhost, as the app's origin: the refresh cookie is SameSite=Strict.
            api_url=f"http://localhost:{gateway.web}",
            build_dir=data_dir / "frontend",
        )
        environment = {**environment, "CORS_ORIGINS": frontend.url}
    return StackSettings(
        data_dir=data_dir,
        running=[Service(name, port) for name, port in zip(SERVICES, ports, strict=False)],
        gateway=gateway,
        database_url=None,
        environment=environment,
        frontend=frontend,
    )


# Free ports are picked before they are bound: on a busy machine another program can take
# one in between, which is worth a fresh set of ports, not a failed suite.
START_ATTEMPTS = 3


def _port_was_taken(error: StartupError) -> bool:
    log = error.log.read_text(errors="replace") if error.log and error.log.exists() else ""
    return "address already in use" in log or "is taken by another program" in str(error)


@contextmanager
def running_platform(
    environment: Mapping[str, str], *, prefix: str, with_frontend: bool = False
) -> Iterator[Stack]:
    """Start every service and the gateway (and the app) with `environment` set; stop them
    and remove their data afterwards.

    The data is not under pytest's basetemp: another pytest run on the machine may prune
    old basetemps, and with them the running database's files.
    """
    for attempt in range(1, START_ATTEMPTS + 1):
        data_dir = Path(tempfile.mkdtemp(prefix=prefix))
        platform = Stack(_platform_settings(data_dir, environment, with_frontend=with_frontend))
        try:
            platform.start()
            break
        except StartupError as error:
            log = error.log.read_text(errors="replace")[-3000:] if error.log else ""
            platform.stop()
            shutil.rmtree(data_dir, ignore_errors=True)
            if attempt < START_ATTEMPTS and _port_was_taken(error):
                continue
            pytest.fail(f"the stack did not start: {error}\n{log}", pytrace=False)
        except BaseException:
            platform.stop()
            shutil.rmtree(data_dir, ignore_errors=True)
            raise
    try:
        yield platform
    finally:
        platform.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def platform_token(
    stack: Stack, user_id: uuid.UUID | None = None, *, role: str = "user", email: str
) -> str:
    """An access token signed with the stack's secret, as the stack's auth would issue it."""
    return mint_token(
        subject=str(user_id or uuid.uuid4()),
        role=role,
        email=email,
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        signing_key=stack.settings.jwt_secret,
        algorithm="HS256",
    )
