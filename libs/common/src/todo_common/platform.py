"""The platform's services and the port each listens on.

The same ports serve `make run`, docker compose and Kubernetes. Everything that enumerates
the services — the local stack, its PostgreSQL roles, the test harness, the gateway and
deploy tests — reads them from here, so a fourth service is added in one place.
"""

from typing import Final

SERVICE_PORTS: Final[dict[str, int]] = {"auth": 8001, "users": 8002, "todos": 8003}
# In start order: auth first, since the others' relays and tokens lean on it.
SERVICES: Final[tuple[str, ...]] = tuple(SERVICE_PORTS)
