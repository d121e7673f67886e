"""The OpenAPI document says what each API operation really answers when it refuses.

FastAPI documents only the success and a JSON validation error. LiveGuard answers every
error as RFC 9457 problem details (``application/problem+json``), and which refusals an
operation can give follow from how it is declared: a caller dependency (401, 403), a path
id (404), parameters or a body (422), a write (409). They are read off the route itself, so
a new route is described correctly without anyone remembering to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from liveguard.web.deps import get_principal
from liveguard.web.problems import MEDIA_TYPE

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
REFUSALS = {
    "401": "Not signed in: send 'Authorization: Bearer <token>'",
    "403": "Signed in, but this caller may not do this",
    "404": "No such record",
    "409": "The record's state does not allow this now",
    "422": "A field is not valid: each problem names the field and the fix",
}


class FieldProblemRead(BaseModel):
    field: str
    message: str
    fix: str | None = None


class ProblemRead(BaseModel):
    """RFC 9457 problem details, as every error is answered."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblemRead] | None = None


def _tree(dependant: Dependant) -> Iterator[Dependant]:
    """The route's dependant and every dependency under it."""
    yield dependant
    for sub in dependant.dependencies:
        yield from _tree(sub)


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    return {d.call for d in _tree(dependant) if d.call is not None}


def refusals(route: APIRoute) -> list[str]:
    """The refusals ``route`` can answer, by status code."""
    codes = []
    tree = list(_tree(route.dependant))  # a dependency's parameters are the route's too
    path = any(d.path_params for d in tree)
    if get_principal in _calls(route.dependant):
        codes += ["401", "403"]
    if path:
        codes.append("404")
    if WRITES & (route.methods or set()):
        codes.append("409")
    if path or any(d.query_params or d.header_params or d.body_params for d in tree):
        codes.append("422")
    return codes


def install(app: FastAPI) -> None:
    """Describe every ``/api`` operation's refusals as problem details in ``app.openapi()``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = ProblemRead.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem_schema.pop("$defs", {}))
        schemas["ProblemRead"] = problem_schema
        reference = {"$ref": "#/components/schemas/ProblemRead"}
        for context in iter_route_contexts(app.routes):  # routers included as they are
            route, path = context.original_route, context.path
            if not isinstance(route, APIRoute) or not (path or "").startswith("/api/"):
                continue
            for method in route.methods or ():
                operation = document["paths"].get(path, {}).get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for code in refusals(route):
                    responses[code] = {"description": REFUSALS[code]}
                for code, response in responses.items():
                    if code.startswith("4"):  # declared by the route (429) or derived here
                        response["content"] = {MEDIA_TYPE: {"schema": reference}}
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)  # LiveGuard answers 422 as problem details instead
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
