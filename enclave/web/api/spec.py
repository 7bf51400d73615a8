"""The API's routes and its OpenAPI 3.1 document, declared together.

Every API view is registered through :func:`api_route`, which records its
method, summary, roles and schemas; the document is built from those records,
so a route cannot exist without being described (a test checks both ways).
An :class:`ApiRegistry` is one such API: the enclave's is the module-level
:func:`api_route`; a separately deployed linkage unit keeps its own, with its
own blueprint and its own way of checking tokens.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint

from enclave.db.models import MAX_ROW_ID
from enclave.web.identity import login_required

__all__ = ["ApiOperation", "ApiRegistry", "OPERATIONS", "api_blueprint", "api_route", "openapi_document",
           "openapi_path"]

F = TypeVar("F", bound=Callable[..., Any])

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


@dataclass(frozen=True)
class ApiOperation:
    """One described API operation."""

    rule: str
    method: str
    endpoint: str
    summary: str
    roles: tuple[enum.Enum, ...]
    public: bool = False
    request_schema: dict[str, Any] | None = None
    request_media_type: str = "application/json"
    responses: dict[int, tuple[str, dict[str, Any] | None]] = field(default_factory=dict)
    parameters: tuple[dict[str, Any], ...] = ()


def _operation(op: ApiOperation) -> dict[str, Any]:
    path_params = re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", op.rule)
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID} if conv == "int" else {"type": "string"}}
        for conv, name in path_params
    ]
    parameters.extend(op.parameters)
    responses: dict[str, Any] = {}
    for status, (description, schema) in sorted(op.responses.items()):
        entry: dict[str, Any] = {"description": description}
        if schema is not None:
            media = "application/json" if "type" in schema else next(iter(schema))
            entry["content"] = {media: {"schema": schema}} if "type" in schema else schema
        responses[str(status)] = entry
    for status, description in ((400, "Bad input"), (401, "No valid token"), (403, "Not allowed"),
                                (404, "Not found, or not yours to see"), (409, "Already decided")):
        if op.public:
            break
        responses.setdefault(str(status), {"description": description,
                                           "content": {"application/json": {"schema": _ERROR}}})
    doc: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if op.roles:
        doc["description"] = "Roles: " + ", ".join(str(r.value) for r in op.roles) + "."
    if op.public:
        doc["security"] = []
    if op.request_schema is not None:
        doc["requestBody"] = {"required": True,
                              "content": {op.request_media_type: {"schema": op.request_schema}}}
    return doc


def openapi_path(rule: str) -> str:
    """Turn a Flask rule (``/projects/<int:project_id>``) into an OpenAPI path."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


#: ``guard(*roles, project_scoped=...)`` returns a decorator that checks the caller.
Guard = Callable[..., Callable[[Callable[..., Any]], Callable[..., Any]]]


class ApiRegistry:
    """One JSON API: its blueprint, its described operations and its OpenAPI document.

    Args:
        blueprint: Where the views are registered (its ``url_prefix`` is the API's base path).
        guard: ``guard(*roles, project_scoped=...)`` returns the decorator that
            checks the caller (the enclave's :func:`~enclave.web.identity.login_required`).
        title: The document's title.
        description: The document's description (how to authenticate).
    """

    def __init__(self, blueprint: Blueprint, guard: Guard, title: str, description: str) -> None:
        self.blueprint = blueprint
        self.guard = guard
        self.title = title
        self.description = description
        self.operations: list[ApiOperation] = []

    def route(
        self,
        rule: str,
        method: str,
        *,
        summary: str,
        roles: tuple[enum.Enum, ...] = (),
        public: bool = False,
        project_scoped: bool = False,
        request_schema: dict[str, Any] | None = None,
        request_media_type: str = "application/json",
        responses: dict[int, tuple[str, dict[str, Any] | None]] | None = None,
        parameters: tuple[dict[str, Any], ...] = (),
    ) -> Callable[[F], F]:
        """Register an API view and describe it in the OpenAPI document.

        Args:
            rule: The path below the blueprint's prefix.
            method: The HTTP method.
            summary: One line for the document.
            roles: Roles allowed (none: any authenticated caller).
            public: No token needed (the document itself).
            project_scoped: The path carries ``project_id`` and a scoped token must match it.
            request_schema: JSON schema of the body, if any.
            request_media_type: Media type of the body.
            responses: Status to (description, schema) of the successful answers.
            parameters: Extra OpenAPI parameters (query strings, headers).
        """

        def decorate(view: F) -> F:
            guarded = view if public else self.guard(*roles, project_scoped=project_scoped)(view)
            self.blueprint.add_url_rule(rule, endpoint=view.__name__, view_func=guarded, methods=[method])
            self.operations.append(ApiOperation(
                rule=rule, method=method.lower(), endpoint=view.__name__, summary=summary, roles=roles,
                public=public, request_schema=request_schema, request_media_type=request_media_type,
                responses=responses or {200: ("OK", None)}, parameters=parameters))
            return view

        return decorate

    def document(self, server_url: str) -> dict[str, Any]:
        """Build the OpenAPI 3.1 document of every registered operation."""
        paths: dict[str, dict[str, Any]] = {}
        prefix = self.blueprint.url_prefix or ""
        for op in self.operations:
            paths.setdefault(prefix + openapi_path(op.rule), {})[op.method] = _operation(op)
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": "1", "description": self.description},
            "servers": [{"url": server_url}],
            "security": [{"bearer": []}],
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": {"Error": _ERROR},
            },
            "paths": paths,
        }


_ENCLAVE_API = ApiRegistry(
    api_blueprint, login_required, "Enclave API",
    "JSON API of the pseudonymized-data enclave. Authenticate with "
    "'Authorization: Bearer <token>'. A token scoped to 'project:<id>' "
    "may act only on that project. Errors are {\"error\": message}.")

#: The enclave's described operations.
OPERATIONS: list[ApiOperation] = _ENCLAVE_API.operations
#: Register a view of the enclave's API (see :meth:`ApiRegistry.route`).
api_route = _ENCLAVE_API.route


def openapi_document(server_url: str) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document of the enclave's API."""
    return _ENCLAVE_API.document(server_url)
