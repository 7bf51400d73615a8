"""What the analysis room reports to the enclave: the bytes a workspace's notebook server handed out."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from enclave.db.models import Role
from enclave.projects import require_project_access
from enclave.web.api.bodies import read_json_body
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session
from enclave.web.identity import acting_user
from enclave.workspace_reads import record_workspace_read

__all__: list[str] = []

_READ: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["bytes", "files"],
    "properties": {
        "bytes": {"type": "integer", "minimum": 0,
                  "description": "Bytes the contents API returned since the last report."},
        "files": {"type": "integer", "minimum": 0,
                  "description": "Notebooks and files it returned since the last report."},
    },
}
_RECORDED = {"type": "object", "properties": {"flagged": {"type": "boolean"}}}


@api_route("/projects/<int:project_id>/workspace-reads", "POST", roles=(Role.researcher,), project_scoped=True,
           request_schema=_READ, summary="A workspace's notebook server reports what its contents API handed out; "
           "audited, and flagged to stewards above ENCLAVE_ROOM_READ_LIMIT_MB in 24 hours.",
           responses={201: ("Recorded; flagged says whether this report passed the limit", _RECORDED)})
def workspace_reads(project_id: int) -> ResponseReturnValue:
    """Record a read report of the caller's workspace on the project."""
    user = acting_user()
    require_project_access(db_session(), user, project_id)
    body = read_json_body(_READ)
    flagged = record_workspace_read(current_service(), db_session(), user, project_id,
                                    read_bytes=body["bytes"], files=body["files"])
    return jsonify({"flagged": flagged}), 201
