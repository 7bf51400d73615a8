"""Reading a JSON request body against the schema its route declares.

The schema an :func:`~enclave.web.api.spec.api_route` puts in the OpenAPI
document is the one the body is checked against, so the document cannot
promise one shape while the route accepts another. Every problem is listed
at once. Problems name the schema's own field names only — never a key or a
value that was sent, which may be anything pasted into a program.

This checks the shape (types, required fields, choices, lengths); whether
the content makes sense (a dataset in the catalog, a date in the future) is
the domain function's to say, as it says it to the pages.
"""

from __future__ import annotations

import re
from typing import Any

from flask import request

from enclave.errors import InputError
from enclave.web.messages import text

__all__ = ["read_json_body", "shape_problems"]

_TYPE_CHECKS: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    # bool is an int in Python, not in JSON.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _is_type(value: Any, expected: str | list[str]) -> bool:
    names = [expected] if isinstance(expected, str) else expected
    return any(_TYPE_CHECKS[name](value) for name in names)


def shape_problems(value: Any, schema: dict[str, Any], field: str = "") -> list[str]:
    """Every way ``value`` departs from ``schema`` (the subset of JSON Schema the API uses).

    Args:
        value: The parsed JSON.
        schema: ``type``, ``properties``, ``required``, ``additionalProperties``,
            ``propertyNames.pattern``, ``items``, ``enum``, ``maxLength``,
            ``maxItems``, ``minimum`` and ``maximum`` are honoured.
        field: Where ``value`` sits, in the schema's own names.

    Returns:
        One sentence per problem; empty when the value fits.
    """
    label = field or "body"
    expected = schema.get("type")
    if expected is not None and not _is_type(value, expected):
        return [text("error.field_type", field=label,
                     expected=" or ".join([expected] if isinstance(expected, str) else expected))]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(text("error.field_choice", field=label, choices=", ".join(map(str, schema["enum"]))))
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        problems.append(text("error.field_too_long", field=label, most=schema["maxLength"]))
    if isinstance(value, int) and not isinstance(value, bool) and not (
            schema.get("minimum", value) <= value <= schema.get("maximum", value)):
        problems.append(text("error.field_range", field=label, low=schema.get("minimum", "…"),
                             high=schema.get("maximum", "…")))
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            problems.append(text("error.field_too_many", field=label, most=schema["maxItems"]))
        if "items" in schema:
            for item in value:
                problems.extend(p for p in shape_problems(item, schema["items"], f"{label}[]") if p not in problems)
    if isinstance(value, dict):
        problems.extend(_object_problems(value, schema, field))
    return problems


def _object_problems(value: dict[str, Any], schema: dict[str, Any], field: str) -> list[str]:
    prefix = f"{field}." if field else ""
    properties: dict[str, Any] = schema.get("properties", {})
    problems = [text("error.missing_field", field=prefix + name)
                for name in schema.get("required", []) if name not in value]
    for name, sub in properties.items():
        if name in value:
            problems.extend(shape_problems(value[name], sub, prefix + name))
    extra = [k for k in value if k not in properties]
    others = schema.get("additionalProperties", True)
    if extra and others is False:
        problems.append(text("error.field_unknown", count=len(extra), field=field or "body"))
    elif extra and isinstance(others, dict):
        pattern = schema.get("propertyNames", {}).get("pattern")
        if pattern and not all(re.fullmatch(pattern, k) for k in extra):
            problems.append(text("error.field_keys", field=field or "body"))
        for key in extra:
            problems.extend(p for p in shape_problems(value[key], others, f"{field}.*") if p not in problems)
    return problems


def read_json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON object, checked against ``schema``.

    Raises:
        InputError: Not a JSON object, or every way it departs from ``schema``.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError(text("error.bad_json"))
    problems = shape_problems(body, schema)
    if problems:
        raise InputError(" ".join(problems))
    return body
