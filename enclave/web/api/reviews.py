"""API operations on a project's reviews in stage 4: risk reviews and their adequacy
decision (적정성 검토), the linkage quality report, and synthetic replicas.

Stewards read aggregate figures only — never a record — and decide through
the same domain functions as the pages, with the same independence rules:
never on a project they belong to, never on processing they ran.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from enclave.combination import decide_adequacy, decide_replica, read_linkage_quality
from enclave.db.models import RiskReview, Role, SyntheticReplica
from enclave.errors import NotFound
from enclave.messages import text as domain_text
from enclave.projects import require_project_access
from enclave.web.api.bodies import read_json_body
from enclave.web.api.representations import REPLICA, RISK_REVIEW, list_of, replica_json, risk_review_json
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session
from enclave.web.identity import acting_user
from enclave.web.messages import text

__all__: list[str] = []

_STEWARDS = (Role.steward, Role.admin)
_ADEQUACY: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": ["approve", "return"]},
        "comment": {"type": "string", "description": "Required when returning."},
    },
}
_REPLICA_DECISION: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["decision"],
    "properties": {"decision": {"type": "string", "enum": ["approve", "return"],
                                "description": "approve releases the replica; only if its measured risk allows."}},
}
_QUALITY = {"type": "object", "description": "The linkage unit's quality report: records, links per pass, match "
            "rates, blank and invalid identifiers per agency (aggregate counts only)."}
_REPLICA_DECIDED = {"type": "object", "properties": {**REPLICA["properties"], "released": {"type": "boolean"}}}


@api_route("/projects/<int:project_id>/risk-reviews", "GET", roles=_STEWARDS, project_scoped=True,
           summary="The project's risk reviews, newest first: aggregate figures, whether they meet the "
           "thresholds, their state, who ran and who decided them.",
           responses={200: ("Risk reviews", list_of(RISK_REVIEW))})
def list_risk_reviews(project_id: int) -> ResponseReturnValue:
    """Risk reviews of one project."""
    require_project_access(db_session(), acting_user(), project_id)
    found = db_session().scalars(select(RiskReview).where(RiskReview.project_id == project_id)
                                 .order_by(RiskReview.id.desc()))
    return jsonify([risk_review_json(r) for r in found])


@api_route("/projects/<int:project_id>/risk-reviews/<int:review_id>/decision", "POST", roles=(Role.steward,),
           project_scoped=True, request_schema=_ADEQUACY,
           summary="A steward who neither ran the processing nor belongs to the project approves (adequacy, "
           "적정성 검토) or returns a risk review; approval provisions the project.",
           responses={200: ("The decided review", RISK_REVIEW)})
def decide_risk_review(project_id: int, review_id: int) -> ResponseReturnValue:
    """The adequacy decision."""
    user = acting_user()
    require_project_access(db_session(), user, project_id)
    review = db_session().get(RiskReview, review_id)
    if review is None or review.project_id != project_id:
        raise NotFound(domain_text("provisioning.no_review"))
    body = read_json_body(_ADEQUACY)
    decided = decide_adequacy(current_service(), db_session(), review_id, user, body["decision"],
                              body.get("comment", ""))
    return jsonify(risk_review_json(decided))


@api_route("/projects/<int:project_id>/linkage-quality", "GET", roles=_STEWARDS, project_scoped=True,
           summary="The linkage quality report the linkage unit sent (aggregate counts only).",
           responses={200: ("The quality report", _QUALITY)})
def linkage_quality(project_id: int) -> ResponseReturnValue:
    """The report, as JSON."""
    require_project_access(db_session(), acting_user(), project_id)
    quality = read_linkage_quality(current_service(), project_id)
    if quality is None:
        raise NotFound(text("api.no_linkage_quality"))
    return jsonify(quality)


@api_route("/projects/<int:project_id>/replicas", "GET", roles=_STEWARDS, project_scoped=True,
           summary="The project's synthetic replicas with their evidence (quality, attack risks), never their rows.",
           responses={200: ("Replicas", list_of(REPLICA))})
def list_replicas(project_id: int) -> ResponseReturnValue:
    """Synthetic replicas of one project."""
    require_project_access(db_session(), acting_user(), project_id)
    found = db_session().scalars(select(SyntheticReplica).where(SyntheticReplica.project_id == project_id)
                                 .order_by(SyntheticReplica.id.desc()))
    return jsonify([replica_json(r) for r in found])


@api_route("/projects/<int:project_id>/replicas/<int:replica_id>/decision", "POST", roles=(Role.steward,),
           project_scoped=True, request_schema=_REPLICA_DECISION,
           summary="A steward who neither built the replica nor belongs to the project releases it (only when its "
           "measured risk allows) or returns it.",
           responses={200: ("The decided replica; released says whether it left the enclave", _REPLICA_DECIDED)})
def decide_replica_route(project_id: int, replica_id: int) -> ResponseReturnValue:
    """The replica decision."""
    user = acting_user()
    require_project_access(db_session(), user, project_id)
    replica = db_session().get(SyntheticReplica, replica_id)
    if replica is None or replica.project_id != project_id:
        raise NotFound(domain_text("provisioning.no_review"))
    body = read_json_body(_REPLICA_DECISION)
    released = decide_replica(current_service(), db_session(), replica_id, user, body["decision"])
    return jsonify({**replica_json(replica), "released": released is not None})
