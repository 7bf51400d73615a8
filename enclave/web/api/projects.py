"""API operations on a project's life: apply, the agencies' and steward's decisions,
opening the workspace, closing, destruction and its certificate.

Each calls the domain function its page calls, so the rules, the refusals and
the audit events are the pages' own; only the answer is JSON.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from enclave.db.models import Decision, DestructionCertificate, Role
from enclave.destruction import destroy_project
from enclave.errors import NotFound
from enclave.messages import text as domain_text
from enclave.projects import (
    activate_project,
    apply_for_project,
    close_project,
    decide_agency_part,
    decide_as_steward,
    require_project_access,
)
from enclave.service import open_linkage_unit
from enclave.web.api.bodies import read_json_body
from enclave.web.api.representations import CERTIFICATE, PROJECT, agency_of, certificate_json, project_json
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session, end_db_session
from enclave.web.identity import acting_user

__all__: list[str] = []

_APPLICATION: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "required": ["title", "purpose", "retention_end", "requests"],
    "properties": {
        "title": {"type": "string"},
        "purpose": {"type": "string", "description": "Why the data is needed (결합 목적)."},
        "analysis_plan": {"type": "string"},
        "key_variables": {"type": "array", "items": {"type": "string"}, "maxItems": 100,
                          "description": "The variables the analysis most needs, most important first (each one "
                                         "requested); additional processing keeps them finest."},
        "retention_end": {"type": "string", "format": "date", "description": "YYYY-MM-DD, in the future."},
        "requests": {"type": "object", "description": "Catalog dataset id -> the variable names needed.",
                     "propertyNames": {"pattern": "^[0-9]{1,10}$"},
                     "additionalProperties": {"type": "array", "items": {"type": "string"}, "maxItems": 1000}},
        "team": {"type": "array", "items": {"type": "string"}, "maxItems": 100,
                 "description": "User names of further researchers."},
        "keep_unlinked": {"type": "boolean", "description": "Keep records that find no partner in the linkage."},
    },
}
_DECISION: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": [Decision.approved.value, Decision.declined.value]},
        "comment": {"type": "string", "description": "Required when declining."},
    },
}


@api_route("/projects", "POST", roles=(Role.researcher,), request_schema=_APPLICATION,
           summary="Apply for a project (stage 1); every problem with the application is listed at once.",
           responses={201: ("The project, applied for", PROJECT)})
def apply_project() -> ResponseReturnValue:
    """A researcher applies; they lead the team."""
    body = read_json_body(_APPLICATION)
    project = apply_for_project(
        current_service(), db_session(), acting_user(), title=body["title"], purpose=body["purpose"],
        analysis_plan=body.get("analysis_plan", ""), key_variables=body.get("key_variables", []),
        retention_end=body["retention_end"],
        requests={int(k): v for k, v in body["requests"].items()}, team=body.get("team", []),
        keep_unlinked=body.get("keep_unlinked", False))
    return jsonify(project_json(project)), 201


def _decision(body: dict[str, Any]) -> tuple[Decision, str]:
    return Decision(body["decision"]), body.get("comment", "")


@api_route("/projects/<int:project_id>/agency-decision", "POST", roles=(Role.agency,), project_scoped=True,
           request_schema=_DECISION, summary="An agency approves or declines the part of an application "
           "that requests its data.", responses={200: ("The project as the agency sees it", PROJECT)})
def agency_decision(project_id: int) -> ResponseReturnValue:
    """The agency's decision on its part (stage 3)."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    decision, comment = _decision(read_json_body(_DECISION))
    decide_agency_part(current_service(), db_session(), project, user, decision, comment)
    return jsonify(project_json(project, agency_code=agency_of(user)))


@api_route("/projects/<int:project_id>/decision", "POST", roles=(Role.steward,), project_scoped=True,
           request_schema=_DECISION, summary="A steward not on the team decides on the whole application, "
           "after every agency approved its part.", responses={200: ("The project", PROJECT)})
def steward_decision(project_id: int) -> ResponseReturnValue:
    """The steward's decision on the application."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    decision, comment = _decision(read_json_body(_DECISION))
    decide_as_steward(current_service(), db_session(), project, user, decision, comment)
    return jsonify(project_json(project))


@api_route("/projects/<int:project_id>/activate", "POST", roles=(Role.steward,), project_scoped=True,
           summary="A steward not on the team opens a provisioned project's workspace to its researchers.",
           responses={200: ("The project, active", PROJECT)})
def activate(project_id: int) -> ResponseReturnValue:
    """Open the workspace."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    activate_project(current_service(), db_session(), project, user)
    return jsonify(project_json(project))


@api_route("/projects/<int:project_id>/close", "POST", roles=(Role.researcher, Role.steward, Role.admin),
           project_scoped=True, summary="The lead researcher, a steward not on the team or an admin closes the "
           "project: researchers lose access at once; destruction follows.",
           responses={200: ("The project, closing", PROJECT)})
def close(project_id: int) -> ResponseReturnValue:
    """Close the project."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    close_project(current_service(), db_session(), project, user)
    return jsonify(project_json(project))


def _certificate(project_id: int) -> DestructionCertificate | None:
    return db_session().scalar(select(DestructionCertificate)
                               .where(DestructionCertificate.project_id == project_id))


@api_route("/projects/<int:project_id>/destruction", "POST", roles=(Role.steward, Role.admin), project_scoped=True,
           summary="Destroy a closing or declined project (or one past its retention end): keys shredded, data "
           "deleted at the enclave and the linkage unit, certificate signed.",
           responses={201: ("The signed destruction certificate", CERTIFICATE)})
def destroy(project_id: int) -> ResponseReturnValue:
    """Destroy the project's data and keys and sign the certificate."""
    user = acting_user()
    require_project_access(db_session(), user, project_id)
    svc = current_service()
    # Destruction runs its own transactions (and the linkage unit its own):
    # the request's session must let go of the database first.
    end_db_session(commit=True)
    # A separate linkage unit destroys its own part (`enclave linkage-unit destroy`); the certificate
    # then records no linkage-unit files, as on the project's page.
    linkage_unit = None if svc.settings.has_separate_linkage_unit else open_linkage_unit(svc.settings, svc)
    destroy_project(svc, linkage_unit, project_id, user)
    certificate = _certificate(project_id)
    assert certificate is not None  # destroy_project committed it
    return jsonify(certificate_json(certificate)), 201


@api_route("/projects/<int:project_id>/destruction-certificate", "GET", project_scoped=True,
           summary="The signed destruction certificate of a destroyed project; verify the signature over "
           "'body' with the enclave's public signing key (`enclave keys public --kind signing`).",
           responses={200: ("The signed destruction certificate", CERTIFICATE)})
def destruction_certificate(project_id: int) -> ResponseReturnValue:
    """Anyone who could see the project may read its certificate."""
    require_project_access(db_session(), acting_user(), project_id)
    certificate = _certificate(project_id)
    if certificate is None:
        raise NotFound(domain_text("projects.no_certificate", project_id=project_id))
    return jsonify(certificate_json(certificate))
