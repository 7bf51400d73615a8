"""The API's stage-4 job routes: start, list, show and cancel jobs.

A steward or admin who may decide on the project (not on its team) starts
and cancels jobs; a project they may not see is 404, one they may see but not
act on is 403, a second start while a job is queued or running is 409.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from enclave.combination import STAGE4_JOBS
from enclave.db.models import JobKind, JobState, Role
from enclave.errors import InputError
from enclave.jobs import cancel_job, check_can_start_job, describe_job, parse_kind, project_jobs, start_job, visible_job
from enclave.projects import require_project_access
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session
from enclave.web.identity import acting_user
from enclave.web.messages import text

__all__: list[str] = []

_STEWARDS = (Role.steward, Role.admin)

_JOB: dict[str, Any] = {"type": "object", "required": ["id", "project_id", "kind", "state"], "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"},
    "kind": {"type": "string", "enum": [k.value for k in JobKind]},
    "state": {"type": "string", "enum": [s.value for s in JobState]},
    "started_by": {"type": "string"}, "created_at": {"type": "string"},
    "started_at": {"type": ["string", "null"]}, "finished_at": {"type": ["string", "null"]},
    "heartbeat_at": {"type": ["string", "null"]}, "attempts": {"type": "integer"},
    "stage": {"type": "string", "description": "Step the job is at (an id, e.g. 'attacks')"},
    "percent": {"type": "integer"}, "error": {"type": "string", "description": "Why it failed; never data"},
    "cancel_requested": {"type": "boolean"},
    "result": {"type": "object", "description": "Figures only: ids, counts, flags"}}}
_START = {"type": "object", "required": ["kind"], "properties": {
    "kind": {"type": "string", "enum": [k.value for k in JobKind]}}}


@api_route("/projects/<int:project_id>/jobs", "POST", project_scoped=True, roles=_STEWARDS,
           summary="Start a stage-4 job (link, combine, process, replica) on a project; a worker runs it.",
           request_schema=_START, responses={202: ("The job, queued", _JOB)})
def start_project_job(project_id: int) -> ResponseReturnValue:
    """Queue a job; 409 with what must happen first when the project is not ready, or a job is active."""
    user = acting_user()
    # Who you are is answered before what you sent: 404 or 403 whatever the body holds.
    check_can_start_job(user, require_project_access(db_session(), user, project_id))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
        raise InputError(text("error.missing_field", field="kind"))
    job = start_job(current_service(), db_session(), user, project_id, parse_kind(body["kind"], STAGE4_JOBS),
                    STAGE4_JOBS, channel="api")
    return jsonify(describe_job(job)), 202


@api_route("/projects/<int:project_id>/jobs", "GET", project_scoped=True, roles=_STEWARDS,
           summary="A project's stage-4 jobs, newest first.", responses={200: ("Jobs", {"type": "array",
                                                                                      "items": _JOB})})
def list_project_jobs(project_id: int) -> ResponseReturnValue:
    """The project's jobs with their state and progress."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    check_can_start_job(user, project)
    return jsonify([describe_job(j) for j in project_jobs(db_session(), project_id)])


@api_route("/jobs/<int:job_id>", "GET", roles=_STEWARDS, summary="One stage-4 job: state, progress, result.",
           responses={200: ("The job", _JOB)})
def get_job(job_id: int) -> ResponseReturnValue:
    """One job (404 when its project is not the caller's to see)."""
    return jsonify(describe_job(visible_job(db_session(), acting_user(), job_id)))


@api_route("/jobs/<int:job_id>/cancel", "POST", roles=_STEWARDS,
           summary="Cancel a queued job, or ask a running one to stop at its next step.",
           responses={200: ("The job, cancelled or asked to stop", _JOB)})
def cancel_one_job(job_id: int) -> ResponseReturnValue:
    """Cancel; 409 when the job has ended or its cancellation was already asked for."""
    return jsonify(describe_job(cancel_job(current_service(), db_session(), acting_user(), job_id,
                                           channel="api")))
