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
            _document_platform_errors(operation)
            for parameter in operation.get("parameters", []):
                _drop_null_from_parameter(parameter)


# Answers any operation can give, whatever its route declares: the database (or, through the
# gateway, the whole service) unavailable.
_EVERY_OPERATION_ERRORS = {"503": "A dependency is unavailable; retry after Retry-After"}
# Answers of any operation with a body: not JSON at all (or not UTF-8) is refused before
# validation, and a body of another media type than the operation reads gets 415.
_BODY_ERRORS = {
    "400": "Malformed body",
    "415": "The body's media type is not the one this operation reads",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}


def _document_platform_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    extra = {**_EVERY_OPERATION_ERRORS, **(_BODY_ERRORS if "requestBody" in operation else {})}
    for status, description in extra.items():
        responses.setdefault(status, {"description": description})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
        if status in ("429", "503"):
            response["headers"] = {**_RETRY_AFTER, **response.get("headers", {})}


def _drop_null_from_parameter(parameter: dict[str, Any]) -> None:
    # An optional parameter is one left out; a query string or header has no null, and a
    # generator reading `anyOf: [string, null]` would send the text "null".
    schema = parameter.get("schema", {})
    options = [option for option in schema.get("anyOf", []) if option != {"type": "null"}]
    if "anyOf" in schema and len(options) == 1:
        rest = {key: value for key, value in schema.items() if key != "anyOf"}
        parameter["schema"] = rest | options[0]
