"""``POST /api/v1/catalog/datasets``: agencies, stewards and admins describe a dataset.

Listing and reading datasets are in :mod:`enclave.web.api.routes`.
"""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from enclave.catalog import VARIABLE_TYPES
from enclave.db.models import Role
from enclave.errors import InputError
from enclave.web.api.routes import _DATASET, _dataset
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session
from enclave.web.dataset_input import dataset_from_json, describe_dataset
from enclave.web.identity import acting_user
from enclave.web.messages import text

__all__: list[str] = []

_NEW_DATASET = {
    "type": "object", "required": ["name", "title"],
    "description": "Describe the columns either by 'variables' or by 'policy_yaml', the identifier policy "
                   "the agency's partner tool reads (policies/identifiers/<agency>.yaml); with 'policy_yaml' "
                   "the name and title default to the policy's.",
    "properties": {
        "agency_code": {"type": "string", "description": "Defaults to the calling agency's own code."},
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"}, "title": {"type": "string"},
        "description": {"type": "string"}, "identifier_policy": {"type": "string"},
        "row_count": {"type": "integer", "minimum": 0, "description": "Stored rounded to the nearest thousand."},
        "coverage_start": {"type": ["string", "null"], "format": "date"},
        "coverage_end": {"type": ["string", "null"], "format": "date"},
        "variables": {"type": "array", "items": {
            "type": "object", "required": ["name", "type"], "properties": {
                "name": {"type": "string"}, "type": {"type": "string", "enum": list(VARIABLE_TYPES)},
                "meaning": {"type": "string"}, "is_quasi_identifier": {"type": "boolean"},
                "is_sensitive": {"type": "boolean"}}}},
        "policy_yaml": {"type": "string"}}}


@api_route("/catalog/datasets", "POST", roles=(Role.agency, Role.steward, Role.admin), request_schema=_NEW_DATASET,
           summary="Describe a dataset in the catalog (an agency its own; stewards and admins any agency's).",
           responses={201: ("The new catalog entry", _DATASET)})
def create_dataset() -> ResponseReturnValue:
    """Describe a dataset; every problem is listed at once (400), a taken name is 409."""
    user = acting_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError(text("error.bad_json"))
    found = dataset_from_json(body, user.agency_code if user.role is Role.agency else None)
    dataset = describe_dataset(current_service(), db_session(), user, found)
    return jsonify(_dataset(dataset)), 201
