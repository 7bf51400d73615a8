"""Request bodies are checked against the very schema the OpenAPI document declares.

jsonschema (a dependency of JupyterHub's event schemas) is the reference: for
every body here, the API's own check accepts exactly what a JSON Schema
2020-12 validator accepts, so the document and the routes cannot disagree.
"""

from __future__ import annotations

import pytest

from enclave.web.api import OPERATIONS
from enclave.web.api.bodies import shape_problems

jsonschema = pytest.importorskip("jsonschema")

_SCHEMAS = {op.endpoint: op.request_schema for op in OPERATIONS
            if op.request_schema is not None and op.request_media_type == "application/json"}

BODIES = [
    ("apply_project", {"title": "t", "purpose": "p", "retention_end": "2030-01-01", "requests": {"1": ["a"]}}),
    ("apply_project", {"title": "t", "purpose": "p", "retention_end": "2030-01-01", "requests": {"1": ["a"]},
                       "team": ["b"], "keep_unlinked": False, "analysis_plan": ""}),
    ("apply_project", {"title": "t", "purpose": "p", "retention_end": "2030-01-01", "requests": {"x": ["a"]}}),
    ("apply_project", {"title": "t", "purpose": "p", "retention_end": "2030-01-01", "requests": {"1": "a"}}),
    ("apply_project", {"title": "t", "purpose": "p", "retention_end": "2030-01-01", "requests": {"1": [1]}}),
    ("apply_project", {"title": "t", "purpose": "p", "retention_end": "2030-01-01", "requests": {},
                       "keep_unlinked": 1}),
    ("apply_project", {"title": "t", "purpose": "p", "requests": {}}),
    ("apply_project", {"title": "t", "purpose": "p", "retention_end": "2030-01-01", "requests": {}, "x": 1}),
    ("apply_project", {"title": None, "purpose": "p", "retention_end": "2030-01-01", "requests": {}}),
    ("agency_decision", {"decision": "approved"}),
    ("agency_decision", {"decision": "declined", "comment": "why"}),
    ("agency_decision", {"decision": "pending"}),
    ("agency_decision", {"decision": True}),
    ("agency_decision", {}),
    ("decide_risk_review", {"decision": "return", "comment": "c"}),
    ("decide_risk_review", {"decision": "approve", "comment": 5}),
    ("decide_replica_route", {"decision": "approve"}),
    ("decide_replica_route", {"decision": "approve", "comment": "not taken"}),
    ("vote", {"vote": "request_changes", "comment": "c"}),
    ("vote", {"vote": "approve", "decision": "approve"}),
    ("vote", {"vote": ["approve"]}),
]


def test_every_declared_request_schema_is_valid_json_schema() -> None:
    assert {"apply_project", "agency_decision", "steward_decision", "decide_risk_review",
            "decide_replica_route", "vote"} <= set(_SCHEMAS)
    for schema in _SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(("endpoint", "body"), BODIES)
def test_the_api_accepts_exactly_what_its_declared_schema_accepts(endpoint: str, body: dict) -> None:
    schema = _SCHEMAS[endpoint]
    reference = jsonschema.Draft202012Validator(schema).is_valid(body)
    problems = shape_problems(body, schema)
    assert (problems == []) is reference, problems
