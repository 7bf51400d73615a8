"""The steward's queue as JSON: what waits for a decision, with the ids to act on."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from enclave.db.models import Role
from enclave.steward_queue import steward_queue
from enclave.web.api.representations import iso
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session
from enclave.web.identity import acting_user

__all__: list[str] = []

_ITEMS = {"type": "array", "items": {"type": "object"}}
_QUEUE = {"type": "object", "properties": {
    "applications": _ITEMS, "risk_reviews": _ITEMS, "linkage_quality": _ITEMS, "export_outputs": _ITEMS,
    "replicas": _ITEMS, "destructions": _ITEMS, "read_volumes": _ITEMS}}


@api_route("/steward/queue", "GET", roles=(Role.steward,),
           summary="Everything waiting for the calling steward: applications, adequacy reviews, linkage quality, "
           "export outputs to vote on, synthetic replicas, destructions and analysis-room read volumes above "
           "the limit; may_decide is false on their own projects.", responses={200: ("The queue", _QUEUE)})
def queue() -> ResponseReturnValue:
    """The queue the steward's page shows."""
    found = steward_queue(current_service(), db_session(), acting_user())
    return jsonify({
        "applications": [{"project_id": a.project.id, "title": a.project.title, "waiting_agencies": a.waiting,
                          "may_decide": a.may_decide} for a in found.applications],
        "risk_reviews": [{"project_id": r.project.id, "review_id": r.review.id,
                          "meets_thresholds": r.review.meets_thresholds, "may_decide": r.may_decide}
                         for r in found.reviews],
        "linkage_quality": [{"project_id": q.project.id, "title": q.project.title} for q in found.linkage],
        "export_outputs": [{"project_id": o.request.project_id, "request_id": o.request_id, "output_id": o.id,
                            "name": o.name, "kind": o.kind, "check_status": o.check_status}
                           for o in found.outputs],
        "replicas": [{"project_id": r.project.id, "replica_id": r.replica.id,
                      "may_release": r.replica.may_release, "may_decide": r.may_decide} for r in found.replicas],
        "destructions": [{"project_id": d.project.id, "state": d.project.state.value,
                          "retention_end": iso(d.project.retention_end), "may_decide": d.may_decide}
                         for d in found.due],
        "read_volumes": [{"project_id": v.project.id, "username": v.username, "bytes": v.read_bytes,
                          "limit_bytes": v.limit_bytes, "flagged_at": iso(v.flagged_at)} for v in found.read_volumes],
    })
