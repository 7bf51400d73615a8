"""The API routes of stage 4-4 on the enclave: a separate linkage unit delivers its map here.

The linkage unit authenticates twice over: its account's bearer token (role
``linkage_unit``) says who is calling, and the package's Ed25519 signature by
the linkage unit key registered with ``enclave linkage-unit-keys import``
says who made the map. Either alone is refused.
"""

from __future__ import annotations

import re

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from enclave.combination import check_linkage_unit_account, receive_linkage_map, stream_to_file
from enclave.errors import EnclaveError, InputError
from enclave.messages import text as domain_text
from enclave.store.interrupted import incoming_file
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, current_settings, end_db_session
from enclave.web.errors import PayloadTooLarge
from enclave.web.identity import acting_user
from enclave.web.messages import text

__all__: list[str] = []

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_MAP_RECEIVED = {"type": "object", "properties": {
    "project_id": {"type": "integer"}, "package_id": {"type": "string"}, "row_count": {"type": "integer"},
    "sha256": {"type": "string"}, "quality": {"type": "object", "description": "aggregate counts only"}}}


@api_route("/projects/<int:project_id>/linkage-map", "PUT", project_scoped=True,
           summary=("Deliver a sealed linkage map with its quality report (the separate linkage unit's account; "
                    "signed with the linkage unit's registered key; header X-Content-SHA256)."),
           request_schema={"type": "string", "contentMediaType": "application/octet-stream"},
           request_media_type="application/octet-stream",
           parameters=({"name": "X-Content-SHA256", "in": "header", "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}},),
           responses={201: ("Received", _MAP_RECEIVED), 413: ("Larger than the upload limit", None)})
def put_linkage_map(project_id: int) -> ResponseReturnValue:
    """Receive the linkage map; a refused map leaves nothing behind and is audited."""
    svc = current_service()
    user = acting_user()
    check_linkage_unit_account(svc, user, project_id)
    refusal = {"actor": user.username, "action": "combination.receive_map", "object_type": "project",
               "object_id": project_id, "outcome": "denied"}
    declared = request.headers.get("X-Content-SHA256", "").strip()
    if not _SHA256.match(declared):
        raise InputError(text("error.checksum_header"), audit={**refusal, "reason": "checksum_header"})
    limit_mb = current_settings().upload_max_mb
    length = request.content_length
    if length is not None and length > limit_mb << 20:
        raise PayloadTooLarge(text("error.413", limit=limit_mb), audit={**refusal, "reason": "too_large"})
    actor = user.username
    # Receiving runs its own transaction; let go of the request's first.
    end_db_session(commit=True)
    with incoming_file(svc.settings.data_dir, "map") as tmp:
        try:
            digest, _size = stream_to_file(request.stream, tmp, limit_mb << 20, length)  # type: ignore[arg-type]
        except EnclaveError as error:
            svc.record_event(**refusal, reason=type(error).__name__)
            raise
        if digest != declared.lower():
            svc.record_event(**refusal, reason="checksum")
            raise InputError(domain_text("intake.checksum"))
        received = receive_linkage_map(svc, tmp.read_bytes(), project_id=project_id, actor=actor)
    return jsonify({"project_id": received.project_id, "package_id": received.package_id,
                    "row_count": received.row_count, "sha256": received.sha256,
                    "quality": received.quality}), 201
