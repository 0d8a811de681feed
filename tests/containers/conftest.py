"""The platform in containers, for real: the images `make images` builds, the stack
`make compose-up` starts (its own project name and free gateway ports, so it collides with
neither `make run` nor another stack), reached through the containerized gateway on
127.0.0.1 only. Needs a Docker Engine: `make test-containers` and .ci/run start one
(scripts/ci/docker_engine.sh)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.commands import run
from tests.containers.compose import ComposeStack
from todo_common.ports import free_ports
from todo_common.testing.waiting import eventually

# A cold build (stand-in bases, every pip install) takes minutes on 2 cores.
COMPOSE_UP_TIMEOUT = 1800


@pytest.fixture(scope="session")
def compose_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ComposeStack]:
    if run(["docker", "info"], timeout=60, check=False).returncode != 0:
        pytest.fail(
            "no Docker Engine answers: run `make test-containers` (it starts one)", pytrace=False
        )
    web, tls, ops = free_ports(3)
    stack = ComposeStack(
        project=f"todo-test-{uuid.uuid4().hex[:8]}", gateway_port=web, tls_port=tls, ops_port=ops
    )
    log = tmp_path_factory.mktemp("compose") / "compose.log"
    try:
        up = stack.make("compose-up", log, timeout=COMPOSE_UP_TIMEOUT)
        if up.returncode != 0:
            stack.make("compose-down", log, timeout=300)
            pytest.fail(f"make compose-up failed:\n{log.read_text()[-6000:]}", pytrace=False)
        yield stack
    finally:
        # Whatever the tests did; test_teardown.py checks what `make compose-down` leaves.
        stack.make("compose-down", log, timeout=300)


@pytest.fixture
def client(compose_stack: ComposeStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=compose_stack.gateway_url, timeout=10) as http:
        yield http


def wait_healthy(stack: ComposeStack, service: str, timeout: float = 90) -> None:
    eventually(
        lambda: stack.inspect(service)["State"].get("Health", {}).get("Status") == "healthy",
        within=timeout,
        what=f"{service} healthy",
    )
