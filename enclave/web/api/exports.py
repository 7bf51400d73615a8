"""API operations of the export review (stage 5): stewards' blind votes, the author's withdrawal.

There is no separate release step: when the last output is decided, the
domain builds and signs the release of the approved outputs in the same
transaction as the vote, as it does for the pages, and the researcher
downloads it from ``/projects/{project_id}/export-requests/{request_id}/release``.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from enclave.db.models import ExportOutput, Role
from enclave.errors import NotFound
from enclave.exports import cast_vote, require_request_access, withdraw_request
from enclave.messages import text as domain_text
from enclave.web.api.bodies import read_json_body
from enclave.web.api.representations import EXPORT, export_json
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session
from enclave.web.identity import acting_user
from export_review import Decision

__all__: list[str] = []

_VOTE: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["vote"],
    "properties": {
        "vote": {"type": "string", "enum": [d.value for d in Decision]},
        "comment": {"type": "string", "description": "Required to approve an output whose checks failed."},
    },
}


@api_route("/export-requests/<int:request_id>/outputs/<int:output_id>/votes", "POST", roles=(Role.steward,),
           request_schema=_VOTE,
           summary="A steward not on the project casts a blind vote on one output; when every output is decided, "
           "the approved ones are released, signed.",
           responses={201: ("The request with the votes the caller may see (and its release, once built)", EXPORT)})
def vote(request_id: int, output_id: int) -> ResponseReturnValue:
    """One steward's vote on one output."""
    user = acting_user()
    export = require_request_access(db_session(), user, request_id)
    output = db_session().get(ExportOutput, output_id)
    if output is None or output.request_id != export.id:
        raise NotFound(domain_text("exports.not_found"))
    body = read_json_body(_VOTE)
    cast_vote(current_service(), db_session(), output_id, user, body["vote"], body.get("comment", ""))
    return jsonify(export_json(export, viewer=user)), 201


@api_route("/export-requests/<int:request_id>/withdraw", "POST", roles=(Role.researcher,),
           summary="The author withdraws an export request that is not decided yet.",
           responses={200: ("The request, withdrawn", EXPORT)})
def withdraw(request_id: int) -> ResponseReturnValue:
    """Withdraw a request."""
    user = acting_user()
    export = require_request_access(db_session(), user, request_id)
    withdraw_request(current_service(), db_session(), export.id, user)
    return jsonify(export_json(export))
