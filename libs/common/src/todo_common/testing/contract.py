"""A service's OpenAPI document, built offline: what tests read the published contract from.

The contract itself is checked live, by schemathesis' CLI against the running services
(tests/contract, `make test-contract`); this builds the same document in-process for tests
that only read it (tests/docs compares docs/api.md with it).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI

from todo_common.settings import CommonSettings

SettingsT = TypeVar("SettingsT", bound=CommonSettings)


def openapi_document(
    build_app: Callable[[SettingsT], FastAPI], settings_class: type[SettingsT], **values: Any
) -> dict[str, Any]:
    """A service's OpenAPI document, built in-process without a database (none is reached).

    `values` add to or override the settings, e.g. a service's own required ones.
    """
    settings = settings_class(
        _env_file=None,
        **{
            "database_url": "postgresql://unused@127.0.0.1:9/unused",
            "jwt_secret": "collection-only-secret-0123456789abcdef",
            **values,
        },
    )
    return build_app(settings).openapi()
