"""The API's routes. Each states its roles and schemas through :func:`api_route`.

Permission checks are the pages' own: ``require_project_access`` answers 404
for projects the caller may not see, and the domain functions refuse actions
the caller's role or conflicts of interest do not allow.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, jsonify, request, send_file
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from enclave.catalog import search_datasets
from enclave.combination import receive_package, submission_precheck, submissions_for
from enclave.db.models import Dataset, ExportRequest, Role
from enclave.errors import InputError
from enclave.exports import create_export_request, release_for_download, requests_for, require_request_access
from enclave.projects import projects_for, require_project_access
from enclave.service import open_linkage_unit
from enclave.web.api.representations import (
    EXPORT,
    PRECHECK,
    PROJECT,
    agency_of,
    export_json,
    iso,
    list_of,
    project_json,
)
from enclave.web.api.spec import api_route, openapi_document
from enclave.web.database import current_service, current_settings, db_session, end_db_session
from enclave.web.errors import PayloadTooLarge
from enclave.web.identity import acting_user, not_found
from enclave.web.messages import text

__all__: list[str] = []

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_RESEARCH = (Role.researcher, Role.steward, Role.admin)

_USER = {"type": "object", "properties": {
    "username": {"type": "string"}, "role": {"type": "string"},
    "agency_code": {"type": ["string", "null"]}, "token_scope": {"type": "string"}}}
_VARIABLE = {"type": "object", "properties": {
    "name": {"type": "string"}, "type": {"type": "string"}, "meaning": {"type": "string"},
    "is_quasi_identifier": {"type": "boolean"}, "is_sensitive": {"type": "boolean"}}}
_DATASET = {"type": "object", "properties": {
    "id": {"type": "integer"}, "agency_code": {"type": "string"}, "name": {"type": "string"},
    "title": {"type": "string"}, "description": {"type": "string"},
    "coverage_start": {"type": ["string", "null"], "format": "date"},
    "coverage_end": {"type": ["string", "null"], "format": "date"},
    "row_count_rounded": {"type": "integer"}, "variables": {"type": "array", "items": _VARIABLE}}}
_EXPORT_BODY = {"type": "object", "required": ["title", "outputs"], "properties": {
    "title": {"type": "string"},
    "outputs": {"type": "array", "items": {"type": "object", "description": "export_review evidence"}}}}
_SUBMISSION = {"type": "object", "properties": {
    "project_id": {"type": "integer"}, "package_id": {"type": "string"}, "sha256": {"type": "string"},
    "size": {"type": "integer"}, "row_count": {"type": "integer"}, "received_at": {"type": "string"},
    "precheck": PRECHECK}}
_RECEIVED = {"type": "object", "properties": {
    "kind": {"type": "string"}, "package_id": {"type": "string"}, "row_count": {"type": "integer"},
    "sha256": {"type": "string"}, "received_by": {"type": "string"},
    "duplicate": {"type": "boolean", "description": "This very package was held already; nothing stored twice"}}}


def _dataset(d: Dataset) -> dict[str, Any]:
    return {"id": d.id, "agency_code": d.agency_code, "name": d.name, "title": d.title,
            "description": d.description, "coverage_start": iso(d.coverage_start),
            "coverage_end": iso(d.coverage_end), "row_count_rounded": d.row_count_rounded,
            "variables": [{"name": v.name, "type": v.type, "meaning": v.meaning,
                           "is_quasi_identifier": v.is_quasi_identifier, "is_sensitive": v.is_sensitive}
                          for v in d.variables]}


@api_route("/openapi.json", "GET", summary="This document.", public=True,
           responses={200: ("The OpenAPI 3.1 document", {"type": "object"})})
def openapi() -> ResponseReturnValue:
    """Serve the OpenAPI document."""
    return jsonify(openapi_document(current_settings().public_url))


@api_route("/me", "GET", summary="Who the token belongs to.", responses={200: ("The token's user", _USER)})
def me() -> ResponseReturnValue:
    """Describe the caller: user name, role and agency (never the token)."""
    user = acting_user()
    return jsonify({"username": user.username, "role": user.role.value, "agency_code": user.agency_code,
                    "token_scope": g.token.scope if g.token else ""})


@api_route("/catalog/datasets", "GET", summary="List or search catalog datasets.",
           parameters=({"name": "q", "in": "query", "schema": {"type": "string"}},
                       {"name": "agency", "in": "query", "schema": {"type": "string"}}),
           responses={200: ("Datasets", list_of(_DATASET))})
def list_datasets() -> ResponseReturnValue:
    """Datasets matching ``q`` (words) and ``agency``."""
    found = search_datasets(db_session(), request.args.get("q", "")[:200], request.args.get("agency") or None)
    return jsonify([_dataset(d) for d in found])


@api_route("/catalog/datasets/<int:dataset_id>", "GET", summary="One catalog dataset.",
           responses={200: ("The dataset", _DATASET)})
def get_dataset(dataset_id: int) -> ResponseReturnValue:
    """One dataset's description."""
    found = db_session().get(Dataset, dataset_id)
    if found is None:
        raise not_found()
    return jsonify(_dataset(found))


@api_route("/projects", "GET", summary="Projects the caller may see.", responses={200: ("Projects", list_of(PROJECT))})
def list_projects() -> ResponseReturnValue:
    """Researchers: their projects; agencies: those requesting their data; stewards: all."""
    user = acting_user()
    return jsonify([project_json(p, agency_code=agency_of(user)) for p in projects_for(db_session(), user)])


@api_route("/projects/<int:project_id>", "GET", summary="One project.", project_scoped=True,
           responses={200: ("The project", PROJECT)})
def get_project(project_id: int) -> ResponseReturnValue:
    """One project the caller may see (404 otherwise)."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    return jsonify(project_json(project, agency_code=agency_of(user)))


@api_route("/projects/<int:project_id>/export-requests", "POST", project_scoped=True,
           summary="Submit an export request from the workspace; every check is re-run on the server.",
           roles=(Role.researcher,), request_schema=_EXPORT_BODY,
           responses={201: ("The request, in review", EXPORT)})
def create_export(project_id: int) -> ResponseReturnValue:
    """Create an export request from evidence (``export_review.client`` calls this)."""
    user = acting_user()
    # Access first: someone else's project is 404 whatever the body holds.
    project = require_project_access(db_session(), user, project_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError(text("error.bad_json"))
    title, outputs = body.get("title"), body.get("outputs")
    if not isinstance(title, str):
        raise InputError(text("error.missing_field", field="title"))
    if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
        raise InputError(text("error.missing_field", field="outputs"))
    export = create_export_request(current_service(), db_session(), user, project, title, outputs)
    return jsonify(export_json(export)), 201


@api_route("/projects/<int:project_id>/export-requests", "GET", project_scoped=True, roles=_RESEARCH,
           summary="Export requests of one project.", responses={200: ("Requests", list_of(EXPORT))})
def list_project_exports(project_id: int) -> ResponseReturnValue:
    """The project's export requests."""
    require_project_access(db_session(), acting_user(), project_id)
    # The outputs of every request in one query, not one query per request.
    found = db_session().query(ExportRequest).options(selectinload(ExportRequest.outputs)).filter(
        ExportRequest.project_id == project_id).order_by(ExportRequest.id.desc())
    return jsonify([export_json(e) for e in found])


@api_route("/export-requests", "GET", roles=_RESEARCH, summary="Export requests the caller may see.",
           responses={200: ("Requests", list_of(EXPORT))})
def list_exports() -> ResponseReturnValue:
    """Researchers: their projects' requests; stewards: all."""
    return jsonify([export_json(e) for e in requests_for(db_session(), acting_user())])


@api_route("/export-requests/<int:request_id>", "GET", roles=_RESEARCH,
           summary="One export request with its checks and the votes the caller may see.",
           responses={200: ("The request", EXPORT)})
def get_export(request_id: int) -> ResponseReturnValue:
    """One request; votes stay blind until both are in."""
    return jsonify(export_json(require_request_access(db_session(), acting_user(), request_id), viewer=acting_user()))


@api_route("/projects/<int:project_id>/export-requests/<int:request_id>/release", "GET", project_scoped=True,
           roles=_RESEARCH, summary="Download the signed release package of an approved request.",
           responses={200: ("The signed release package", {"application/zip": {
               "schema": {"type": "string", "contentMediaType": "application/zip"}}})})
def download_release(project_id: int, request_id: int) -> ResponseReturnValue:
    """The release zip (signed with the enclave's key)."""
    release = release_for_download(current_service(), db_session(), acting_user(), project_id, request_id, "api")
    return send_file(release.path, mimetype="application/zip", as_attachment=True,
                     download_name=f"project-{project_id}-request-{request_id}.zip")


@api_route("/projects/<int:project_id>/packages", "PUT", project_scoped=True, roles=(Role.agency,),
           summary="Upload a sealed package (streamed; header X-Content-SHA256; size limit ENCLAVE_UPLOAD_MAX_MB).",
           request_schema={"type": "string", "contentMediaType": "application/octet-stream"},
           request_media_type="application/octet-stream",
           parameters=({"name": "X-Content-SHA256", "in": "header", "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}},),
           responses={201: ("Received", _RECEIVED),
                      200: ("Held already (same id, SHA-256, agency, project): the original receipt", _RECEIVED),
                      413: ("Larger than the upload limit", None)})
def upload_package(project_id: int) -> ResponseReturnValue:
    """Receive a sealed package; an interrupted or refused upload leaves nothing behind."""
    require_project_access(db_session(), acting_user(), project_id)
    declared = request.headers.get("X-Content-SHA256", "").strip()
    if not _SHA256.match(declared):
        raise InputError(text("error.checksum_header"))
    limit_mb = current_settings().upload_max_mb
    length = request.content_length
    if length is not None and length > limit_mb << 20:
        # Refused before a byte is read: the body is never streamed to disk.
        raise PayloadTooLarge(text("error.413", limit=limit_mb), audit={
            "actor": acting_user().username, "action": "intake.upload", "object_type": "project",
            "object_id": project_id, "outcome": "denied", "reason": "too_large"})
    svc = current_service()
    user = acting_user()
    # Intake and the linkage unit run their own transactions; let go of the request's first.
    end_db_session(commit=True)
    linkage_unit = None if svc.settings.has_separate_linkage_unit else open_linkage_unit(svc.settings, svc)
    received = receive_package(svc, linkage_unit, agency_user=user,
                               project_id=project_id, stream=request.stream,  # type: ignore[arg-type]
                               declared_sha256=declared,
                               content_length=length)
    return jsonify({"kind": received.kind, "package_id": received.package_id, "row_count": received.row_count,
                    "sha256": received.sha256, "received_by": received.received_by,
                    "duplicate": received.duplicate}), 200 if received.duplicate else 201


@api_route("/submissions", "GET", roles=(Role.agency,), summary="The calling agency's submissions.",
           responses={200: ("Submissions", list_of(_SUBMISSION))})
def list_submissions() -> ResponseReturnValue:
    """Content packages the agency submitted, newest first."""
    return jsonify([{"project_id": s.project_id, "package_id": s.package_id, "sha256": s.sha256, "size": s.size,
                     "row_count": s.row_count, "received_at": iso(s.received_at),
                     "precheck": submission_precheck(s)}
                    for s in submissions_for(db_session(), acting_user())])
