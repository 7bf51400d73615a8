"""What the API answers: the JSON form of projects, export requests, reviews and replicas.

Each ``*_json`` function has a schema beside it, used in the OpenAPI document.
Nothing here holds a record: reviews and replicas carry aggregate figures
only, and an export request's votes stay blind until both are in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from enclave.combination import project_prechecks
from enclave.db.models import (
    DestructionCertificate,
    ExportRequest,
    Project,
    Release,
    RiskReview,
    Role,
    SyntheticReplica,
    User,
)
from enclave.exports import votes_visible_to
from enclave.projects import pending_agencies
from enclave.web.database import db_session
from enclave.web.identity import acting_user

__all__ = [
    "CERTIFICATE",
    "EXPORT",
    "PRECHECK",
    "PROJECT",
    "REPLICA",
    "RISK_REVIEW",
    "agency_of",
    "certificate_json",
    "export_json",
    "iso",
    "list_of",
    "project_json",
    "replica_json",
    "risk_review_json",
]

_DECISION = {"type": "object", "properties": {
    "kind": {"type": "string"}, "decision": {"type": "string"}, "by": {"type": "string"},
    "comment": {"type": "string"}, "at": {"type": "string"}}}
PRECHECK: dict[str, Any] = {
    "type": ["object", "null"], "description": "An agency's identification-risk pre-check (stage 2), figures only",
    "properties": {"quasi_identifiers": {"type": "array", "items": {"type": "string"}}, "k": {"type": "integer"},
                   "max_share_below_k": {"type": "number"}, "max_unique_share": {"type": "number"},
                   "records": {"type": "integer"}, "classes": {"type": "integer"},
                   "smallest_class": {"type": "integer"}, "records_below_k": {"type": "integer"},
                   "share_below_k": {"type": "number"}, "unique_records": {"type": "integer"},
                   "unique_share": {"type": "number"}, "passed": {"type": "boolean"}}}
_PROJECT_PRECHECK = {"type": "object", "properties": {
    "agency_code": {"type": "string"}, "package_id": {"type": "string"}, "received_at": {"type": "string"},
    "row_count": {"type": "integer"}, "precheck": PRECHECK,
    "flagged": {"type": "boolean", "description": "The pre-check failed its policy's thresholds"}}}
PROJECT: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "state": {"type": "string"},
    "flow": {"type": "string", "enum": ["provision", "combination"]}, "purpose": {"type": "string"},
    "analysis_plan": {"type": "string"},
    "key_variables": {"type": "array", "items": {"type": "string"}},
    "retention_end": {"type": "string", "format": "date"}, "keep_unlinked": {"type": "boolean"},
    "application_hash": {"type": "string"}, "team": {"type": "array", "items": {"type": "string"}},
    "requests": {"type": "array", "items": {"type": "object"}},
    "waiting_agencies": {"type": "array", "items": {"type": "string"}},
    "decisions": {"type": "array", "items": _DECISION},
    "prechecks": {"type": "array", "items": _PROJECT_PRECHECK,
                  "description": "Content submissions with their pre-checks: every agency's for stewards and "
                                 "admins, an agency's own for agencies, none for others"}}}
_OUTPUT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "status": {"type": "string"},
    "kind": {"type": "string"}, "outcome": {"type": "string"}}}
EXPORT: dict[str, Any] = {"type": "object", "required": ["id", "status", "outputs"], "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"}, "title": {"type": "string"},
    "status": {"type": "string"}, "outputs": {"type": "array", "items": _OUTPUT},
    "release": {"type": ["object", "null"]}}}
_FIGURES = {"type": ["object", "null"], "description": "Aggregate risk measures of the processed data."}
RISK_REVIEW: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"}, "state": {"type": "string"},
    "meets_thresholds": {"type": "boolean"}, "summary": {"type": "string"},
    "findings": {"type": "array", "items": {"type": "string"}}, "rows": {"type": ["integer", "null"]},
    "undecided": {"type": "array", "items": {"type": "string"},
                  "description": "Attack limits the data could not decide; approving needs a comment."},
    "suppressed_records": {"type": ["integer", "null"], "description": "Records with a value suppressed."},
    "warnings": {"type": "array", "items": {"type": "string"},
                 "description": "What processing cost the analysis, e.g. a quasi-identifier left with one value."},
    "k_applied": {"type": ["integer", "null"]}, "rounds": {"type": ["integer", "null"]},
    "levels": {"type": ["object", "null"]}, "thresholds": {"type": ["object", "null"]}, "figures": _FIGURES,
    "policy_hash": {"type": "string"}, "report_hash": {"type": "string"}, "ran_by": {"type": "string"},
    "reviewer": {"type": ["string", "null"]}, "comment": {"type": "string"},
    "created_at": {"type": "string"}, "decided_at": {"type": ["string", "null"]}}}
REPLICA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"}, "state": {"type": "string"},
    "may_release": {"type": "boolean"}, "evidence": {"type": "object"}, "ran_by": {"type": "string"},
    "reviewer": {"type": ["string", "null"]}, "created_at": {"type": "string"},
    "decided_at": {"type": ["string", "null"]}}}
CERTIFICATE: dict[str, Any] = {"type": "object", "required": ["body", "signature"], "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"},
    "body": {"type": "string", "description": "The signed canonical JSON, byte for byte."},
    "signature": {"type": "string", "description": "Ed25519 signature of body (base64), by the enclave's key."},
    "certificate": {"type": "object", "description": "body, parsed."}, "at": {"type": "string"}}}

#: The scalar measures of a risk report's ``risk_after`` that the API shows.
_FIGURE_NAMES = ("records", "suppressed_records", "classes", "smallest_class", "k_required",
                 "records_in_small_classes", "max_prosecutor_risk", "mean_prosecutor_risk",
                 "records_above_risk_threshold", "sample_uniques")


def list_of(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a list of ``schema``."""
    return {"type": "array", "items": schema}


def iso(value: Any) -> str | None:
    """A date or time in ISO 8601, or ``None``."""
    return None if value is None else value.isoformat()


def _visible_prechecks(p: Project) -> list[dict[str, Any]]:
    viewer = acting_user()
    if viewer.role in (Role.steward, Role.admin):
        return [c.to_dict() for c in project_prechecks(db_session(), p.id)]
    if viewer.role is Role.agency:
        return [c.to_dict() for c in project_prechecks(db_session(), p.id, viewer.agency_code)]
    return []


def project_json(p: Project, *, agency_code: str | None = None) -> dict[str, Any]:
    """A project as its viewer may see it; an agency sees only the requests for its own data.

    The agencies' pre-checks (stage 2) are shown to stewards and admins, and
    to each agency its own.
    """
    requests = [r for r in p.requests if agency_code is None or r.dataset.agency_code == agency_code]
    return {"id": p.id, "title": p.title, "state": p.state.value, "flow": p.flow.value, "purpose": p.purpose,
            "analysis_plan": p.analysis_plan, "key_variables": json.loads(p.key_variables or "[]"),
            "retention_end": iso(p.retention_end),
            "keep_unlinked": p.keep_unlinked, "application_hash": p.application_hash,
            "team": [m.user.username for m in p.members],
            "requests": [{"dataset_id": r.dataset_id, "agency_code": r.dataset.agency_code,
                          "variables": json.loads(r.variables), "decision": r.decision.value} for r in requests],
            "waiting_agencies": pending_agencies(p),
            "decisions": [{"kind": d.kind, "decision": d.decision.value, "by": d.actor.username,
                           "comment": d.comment, "at": iso(d.at)} for d in p.decisions],
            "prechecks": _visible_prechecks(p)}


def export_json(e: ExportRequest, *, viewer: User | None = None) -> dict[str, Any]:
    """An export request; with ``viewer``, also each output's checks and the votes ``viewer`` may see."""
    body: dict[str, Any] = {
        "id": e.id, "project_id": e.project_id, "title": e.title, "status": e.state,
        "outputs": [{"id": o.id, "name": o.name, "status": o.check_status, "kind": o.kind, "outcome": o.outcome}
                    for o in e.outputs]}
    if viewer is not None:
        for entry, output in zip(body["outputs"], e.outputs, strict=True):
            entry["checks"] = json.loads(output.checks).get("results", [])
            entry["votes"] = [{"reviewer": v.reviewer.username, "decision": v.decision, "comment": v.comment}
                              for v in votes_visible_to(output, viewer)]
        release = db_session().query(Release).filter(Release.request_id == e.id).one_or_none()
        body["release"] = None if release is None else {"sha256": release.sha256, "at": iso(release.at)}
    return body


def _report_figures(review: RiskReview) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    # The JSON twin of the HTML report holds the measures; a report written
    # before it existed (or removed with the project) has none to show.
    path = Path(review.report_path).with_suffix(".json") if review.report_path else None
    if path is None or not path.is_file():
        return None, None
    report = json.loads(path.read_text(encoding="utf-8"))
    after = report.get("risk_after") or {}
    return report.get("thresholds"), {name: after[name] for name in _FIGURE_NAMES if name in after}


def risk_review_json(review: RiskReview) -> dict[str, Any]:
    """A risk review: its figures, whether it meets the thresholds, its state, who ran and who decided it."""
    summary = json.loads(review.summary or "{}")
    thresholds, figures = _report_figures(review)
    return {"id": review.id, "project_id": review.project_id, "state": review.state.value,
            "meets_thresholds": review.meets_thresholds, "summary": summary.get("summary", ""),
            "findings": summary.get("findings", []), "undecided": summary.get("undecided", []),
            "warnings": summary.get("warnings", []), "rows": summary.get("rows"),
            "suppressed_records": summary.get("suppressed_records"),
            "k_applied": summary.get("k_applied"), "rounds": summary.get("rounds"),
            "levels": summary.get("levels"), "thresholds": thresholds, "figures": figures,
            "policy_hash": review.policy_hash, "report_hash": review.report_hash, "ran_by": review.ran_by,
            "reviewer": review.reviewer, "comment": review.comment, "created_at": iso(review.created_at),
            "decided_at": iso(review.decided_at)}


def replica_json(replica: SyntheticReplica) -> dict[str, Any]:
    """A synthetic replica's evidence (quality and attack risks), never its rows."""
    return {"id": replica.id, "project_id": replica.project_id, "state": replica.state.value,
            "may_release": replica.may_release, "evidence": json.loads(replica.summary or "{}"),
            "ran_by": replica.ran_by, "reviewer": replica.reviewer, "created_at": iso(replica.created_at),
            "decided_at": iso(replica.decided_at)}


def certificate_json(certificate: DestructionCertificate) -> dict[str, Any]:
    """A destruction certificate: the signed body exactly as signed, its signature, and the body parsed."""
    return {"id": certificate.id, "project_id": certificate.project_id, "body": certificate.body,
            "signature": certificate.signature, "certificate": json.loads(certificate.body),
            "at": iso(certificate.at)}


def agency_of(user: User) -> str | None:
    """The agency whose part of a project ``user`` sees, or ``None`` for people who see it all."""
    return user.agency_code if user.role is Role.agency else None
