"""Make the OpenAPI document tell the truth about errors: every one is problem+json."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from todo_common.problem import PROBLEM_MEDIA_TYPE


class ValidationProblemItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the platform is answered."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None
    errors: list[ValidationProblemItem] | None = None


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def install_problem_openapi(app: FastAPI) -> None:
    """Replace FastAPI's default error schemas with the Problem schema, once, lazily."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _use_problem_for_errors(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _use_problem_for_errors(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for definition_name, definition in (
        Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        .get("$defs", {})
        .items()
    ):
        schemas[definition_name] = definition
    schemas["Problem"].pop("$defs", None)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)

    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if "requestBody" in operation:
                # A body that is not JSON at all (or not UTF-8) is refused before validation.
                operation["responses"].setdefault("400", {"description": "Malformed body"})
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
