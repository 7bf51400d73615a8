"""The linkage unit's JSON API under ``/api/v1``, described by ``/api/v1/openapi.json``.

The upload route takes the same path, headers and answer as the enclave's,
so ``linkage upload PACKAGE --to URL`` works against either; here it accepts
match-key packages only, and says where a content package belongs.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from enclave.combination.intake import stream_to_file
from enclave.db.models import LinkageRun, MatchKeySubmission, TokenHolder
from enclave.errors import ConfigurationError, Conflict, EnclaveError, InputError
from enclave.linkage_unit.app import acting_token, current_linkage_unit, token_required
from enclave.linkage_unit.delivery import link_and_deliver
from enclave.messages import text
from enclave.store.interrupted import incoming_file
from enclave.web.api.spec import ApiRegistry
from enclave.web.errors import PayloadTooLarge
from linkage.errors import LinkageError
from linkage.sealing import read_manifest

__all__ = ["LINKAGE_UNIT_API"]

LINKAGE_UNIT_API = ApiRegistry(
    Blueprint("linkage_unit_api", __name__, url_prefix="/api/v1"), token_required, "Linkage unit API",
    "JSON API of a separately deployed linkage unit. Agencies upload match-key packages with their "
    "linkage-unit token; operators start linking. Authenticate with 'Authorization: Bearer <token>'. "
    "Errors are {\"error\": message}.")
_route = LINKAGE_UNIT_API.route

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_KEY = {"type": "object", "properties": {
    "party": {"type": "string"}, "use": {"type": "string", "enum": ["sealing", "signing"]},
    "algorithm": {"type": "string"}, "pem": {"type": "string"}, "fingerprint": {"type": "string"}}}
_RECEIVED = {"type": "object", "properties": {
    "kind": {"type": "string"}, "package_id": {"type": "string"}, "row_count": {"type": "integer"},
    "sha256": {"type": "string"}, "received_by": {"type": "string"},
    "duplicate": {"type": "boolean", "description": "This very package was held already; nothing stored twice"}}}
_SUBMISSION = {"type": "object", "properties": {
    "project_id": {"type": "integer"}, "agency_code": {"type": "string"}, "package_id": {"type": "string"},
    "sha256": {"type": "string"}, "size": {"type": "integer"}, "row_count": {"type": "integer"},
    "received_at": {"type": "string"}}}
_LINKED = {"type": "object", "properties": {
    "project_id": {"type": "integer"}, "run": {"type": "integer"}, "map_rows": {"type": "integer"},
    "map_sha256": {"type": "string"}, "delivered": {"type": "boolean"},
    "quality": {"type": "object", "description": "aggregate counts only"}}}


@_route("/openapi.json", "GET", summary="This document.", public=True,
        responses={200: ("The OpenAPI 3.1 document", {"type": "object"})})
def openapi() -> ResponseReturnValue:
    """Serve the OpenAPI document."""
    return jsonify(LINKAGE_UNIT_API.document(current_linkage_unit().settings.public_url))


@_route("/keys", "GET", summary="The linkage unit's public keys, with fingerprints.", public=True,
        responses={200: ("Its keys", {"type": "object", "properties": {
            "keys": {"type": "array", "items": _KEY}}})})
def keys() -> ResponseReturnValue:
    """Agencies seal match keys to its sealing key; the enclave verifies maps with its signing key."""
    return jsonify({"keys": current_linkage_unit().public_keys()})


@_route("/projects/<int:project_id>/packages", "PUT", roles=(TokenHolder.agency,), project_scoped=True,
        summary=("Upload a sealed match-key package (streamed; header X-Content-SHA256; size limit "
                 "LINKAGE_UNIT_UPLOAD_MAX_MB). Content packages belong to the enclave."),
        request_schema={"type": "string", "contentMediaType": "application/octet-stream"},
        request_media_type="application/octet-stream",
        parameters=({"name": "X-Content-SHA256", "in": "header", "required": True,
                     "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}},),
        responses={201: ("Received", _RECEIVED),
                   200: ("Held already (same id, SHA-256, agency, project): the original receipt", _RECEIVED),
                   413: ("Larger than the upload limit", None)})
def upload_package(project_id: int) -> ResponseReturnValue:
    """Receive a match-key package; a refused or interrupted upload leaves nothing behind."""
    service = current_linkage_unit()
    token = acting_token()
    actor = f"agency:{token.name}"
    refusal = {"actor": actor, "action": "lu.receive", "object_type": "project", "object_id": project_id,
               "outcome": "denied"}
    declared = request.headers.get("X-Content-SHA256", "").strip()
    if not _SHA256.match(declared):
        raise InputError(text("lu.checksum_header"), audit={**refusal, "reason": "checksum_header"})
    limit = service.settings.upload_max_mb << 20
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(text("intake.too_large", limit_mb=service.settings.upload_max_mb),
                              audit={**refusal, "reason": "too_large"})
    with incoming_file(service.settings.data_dir, "upload") as tmp:
        try:
            digest, _size = stream_to_file(request.stream, tmp, limit, length)  # type: ignore[arg-type]
        except EnclaveError as error:
            error.audit = {**refusal, "reason": type(error).__name__}
            raise
        if digest != declared.lower():
            raise InputError(text("intake.checksum"), audit={**refusal, "reason": "checksum"})
        data = tmp.read_bytes()
        try:
            kind = read_manifest(data, source="upload").kind
        except LinkageError as error:
            raise InputError(str(error), audit={**refusal, "reason": type(error).__name__}) from None
        if kind == "content":
            # Content sealed to the enclave must never rest beside match keys.
            raise InputError(text("lu.content_belongs_to_enclave"), audit={**refusal, "reason": "belongs_to_enclave"})
        if kind != "match_keys":
            raise InputError(text("intake.unknown_kind", kind=kind), audit={**refusal, "reason": "kind"})
        got = service.role.receive(data, agency_code=token.name, project_ref=project_id, actor=actor)
    # A repeat of a package held already (a retry after a lost answer) is success, not a replay.
    return jsonify({"kind": "match_keys", "package_id": got.package_id, "row_count": got.row_count,
                    "sha256": digest, "received_by": "linkage-unit",
                    "duplicate": got.duplicate}), 200 if got.duplicate else 201


@_route("/projects/<int:project_id>", "GET", project_scoped=True,
        summary=("What the linkage unit holds of a project: counts only (an agency sees its own). "
                 "It knows projects by number alone, so any number answers."),
        responses={200: ("The project as the linkage unit knows it", {"type": "object", "properties": {
            "id": {"type": "integer"}, "party": {"type": "string"},
            "agencies": {"type": "array", "items": {"type": "string"}},
            "match_key_packages": {"type": "integer"}, "linkage_runs": {"type": "integer"}}})})
def get_project(project_id: int) -> ResponseReturnValue:
    """Let a partner tool check its token and project before streaming a package."""
    token = acting_token()
    stmt = select(MatchKeySubmission).where(MatchKeySubmission.project_ref == project_id)
    if token.holder is TokenHolder.agency:
        stmt = stmt.where(MatchKeySubmission.agency_code == token.name)
    with current_linkage_unit().session() as session:
        rows = list(session.scalars(stmt))
        runs = len(session.scalars(select(LinkageRun.id).where(LinkageRun.project_ref == project_id)).all())
    return jsonify({"id": project_id, "party": "linkage-unit", "agencies": sorted({r.agency_code for r in rows}),
                    "match_key_packages": len(rows), "linkage_runs": runs})


def _submission(row: MatchKeySubmission) -> dict[str, Any]:
    return {"project_id": row.project_ref, "agency_code": row.agency_code, "package_id": row.package_id,
            "sha256": row.sha256, "size": row.size, "row_count": row.row_count,
            "received_at": row.received_at.isoformat()}


@_route("/projects/<int:project_id>/submissions", "GET", project_scoped=True,
        summary="Match-key packages received for a project (an agency sees its own).",
        responses={200: ("Submissions", {"type": "array", "items": _SUBMISSION})})
def list_submissions(project_id: int) -> ResponseReturnValue:
    """Counts and hashes of the packages received; never their contents."""
    token = acting_token()
    stmt = select(MatchKeySubmission).where(MatchKeySubmission.project_ref == project_id).order_by(
        MatchKeySubmission.id)
    if token.holder is TokenHolder.agency:
        stmt = stmt.where(MatchKeySubmission.agency_code == token.name)
    with current_linkage_unit().session() as session:
        return jsonify([_submission(r) for r in session.scalars(stmt)])


@_route("/projects/<int:project_id>/link", "POST", roles=(TokenHolder.operator,), project_scoped=True,
        summary="Link the project's match keys, seal the map to the enclave and deliver it.",
        responses={201: ("Linked and delivered", _LINKED), 409: ("Not set up to deliver, or refused", None),
                   502: ("The enclave did not answer", None)})
def link_project(project_id: int) -> ResponseReturnValue:
    """Start linking (an operator of the linkage unit)."""
    token = acting_token()
    try:
        done = link_and_deliver(current_linkage_unit(), project_id, actor=f"operator:{token.name}")
    except ConfigurationError as error:
        # Not set up to deliver yet (no enclave URL, token or key): the operator's next step, not a
        # server failure; its message names the setting or command, and nothing was linked.
        raise Conflict(error.message) from None
    return jsonify({"project_id": done.project_id, "run": done.run_id, "map_rows": done.map_rows,
                    "map_sha256": done.map_sha256, "delivered": True, "quality": done.quality}), 201
