"""The fixtures every service's own suite shares: its settings, its app in-process, two users.

A service's `tests/conftest.py` loads this plugin after `fixtures` and says which service it
is, once:

    from todo_common.testing.harness import ServiceUnderTest

    pytest_plugins = ["todo_common.testing.fixtures", "todo_common.testing.service"]
    SERVICE = ServiceUnderTest(root=..., settings_type=TodosSettings, build_app=build_app)

    @pytest.fixture(scope="session")
    def service() -> ServiceUnderTest[TodosSettings]:
        return SERVICE

`alice` and `bob` are two users made by the suite's own `make_user` fixture (a user is a
different thing in each service: a token for todos and users, a registration for auth).
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from todo_common.testing.harness import ServiceUnderTest, empty_tables_after, migrated_client


@pytest.fixture(scope="session")
def settings(service: ServiceUnderTest[Any], service_database_urls: dict[str, str]) -> Any:
    return service.settings(service_database_urls[service.name])


@pytest.fixture(scope="session")
def client(service: ServiceUnderTest[Any], settings: Any) -> Iterator[TestClient]:
    yield from migrated_client(service.root, settings, service.build_app)


@pytest.fixture
def client_with(
    client: TestClient, service: ServiceUnderTest[Any], settings: Any
) -> Iterator[Callable[..., TestClient]]:
    """Another app on the same database (`client` migrated it), some settings changed."""
    with ExitStack() as stack:

        def factory(**overrides: Any) -> TestClient:
            app = service.build_app(service.settings(settings.database_url, **overrides))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield factory


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest, service: ServiceUnderTest[Any]) -> Iterator[None]:
    yield from empty_tables_after(request, service.name)


@pytest.fixture
def alice(make_user: Callable[[], Any]) -> Any:
    return make_user()


@pytest.fixture
def bob(make_user: Callable[[], Any]) -> Any:
    return make_user()
