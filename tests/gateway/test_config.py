"""gateway/: what no behavioural test sees.

What Traefik makes of the files (routers, middlewares, the environment's values) is checked
with the real traefik by test_rendering.py, and what requests get through it by tests/e2e;
this only checks the access log's privacy and that the README points at the gateway.
"""

from typing import Any

import yaml

from tests.commands import REPO_ROOT
from todo_common.platform import SERVICES

STATIC = REPO_ROOT / "gateway" / "traefik.yml"


def test_access_log_is_json_and_drops_credentials() -> None:
    # Nothing reads the access log in the tests; a token in it would outlive the request.
    static: dict[str, Any] = yaml.safe_load(STATIC.read_text())
    access_log = static["accessLog"]

    assert access_log["format"] == "json"
    assert access_log["fields"]["headers"]["defaultMode"] == "drop"
    assert "Authorization" not in access_log["fields"]["headers"]["names"]
    assert static["log"]["format"] == "json"


def test_readme_lists_the_gateway_urls() -> None:
    readme = (REPO_ROOT / "README.md").read_text()

    assert "http://localhost:8080" in readme
    assert "http://localhost:8082/metrics" in readme
    for service in SERVICES:
        assert f"http://localhost:8080/api/v1/{service}/docs" in readme
