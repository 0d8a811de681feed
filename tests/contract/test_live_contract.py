"""Each service holds to its OpenAPI document, live: on its own port and through the gateway."""

import pytest

from devstack.stack import Stack
from tests.contract.runner import run_schemathesis
from todo_common.platform import SERVICES


@pytest.mark.parametrize("target", ["direct", "gateway"])
@pytest.mark.parametrize("service", SERVICES)
def test_service_holds_to_its_contract(stack: Stack, service: str, target: str) -> None:
    if target == "direct":
        base_url, auth_url = stack.service(service).base_url, stack.service("auth").base_url
    else:
        base_url = auth_url = stack.gateway_ports.url
    run = run_schemathesis(
        f"{base_url}/api/v1/{service}/openapi.json", auth_url=auth_url, name=f"{service}-{target}"
    )
    print(f"\n{service} {target}: {run.summary()} (JUnit: {run.junit})")
    assert run.exit_code == 0, run.output[-20000:]
