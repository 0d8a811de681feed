"""What the app's routes declare about a request path: its methods, its body's media type.

Starlette answers 405 from the first route whose path matches, so `Allow` would name only
that route's methods, although a path is often served by several routes (GET and POST
`/api/v1/todos`). And FastAPI reads a body whose media type the operation does not take as
if it were the right one and fails its validation (a 422 that blames the fields, not the
type). Both need every route of the app, which these helpers read from the request scope.
"""

from collections.abc import Iterator
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import Scope

JSON_MEDIA_TYPE = "application/json"


def _routes(scope: Scope) -> Iterator[Any]:
    # Included routers are nested; FastAPI's iterator yields each route with its full path.
    return iter_route_contexts(scope["app"].router.routes)


def allowed_methods(scope: Scope) -> list[str]:
    """Every method of the resource at this request's path, sorted.

    The resource is the path template of the first route matching the path, as routing
    tries them: `/api/v1/users/me` is its own resource, not one `/{user_id}`.
    """
    matching = [
        route
        for route in _routes(scope)
        if route.methods and route.matches(scope)[0] is not Match.NONE
    ]
    if not matching:
        return []
    template = matching[0].path
    return sorted(
        {method for route in matching if route.path == template for method in route.methods}
    )


def declared_body_media_type(scope: Scope) -> str | None:
    """The media type the matching operation reads its body as; None if FastAPI reads none."""
    for route in _routes(scope):
        if route.matches(scope)[0] is Match.FULL:
            body_field = getattr(route, "body_field", None)
            if body_field is None:
                return None
            media_type: str = getattr(body_field.field_info, "media_type", JSON_MEDIA_TYPE)
            return media_type
    return None
