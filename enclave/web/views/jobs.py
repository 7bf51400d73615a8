"""Stage-4 jobs on the project page: start them, cancel them, watch their progress.

The project page includes ``projects/_stage4_jobs.html``, which asks
:func:`stage4_panel` for what to show: the next step, the kinds the viewer
may start now, and the project's jobs. ``static/jobs.js`` polls
:func:`jobs_status` (this session's cookie, no token) every two seconds while
a job is queued or running, so the progress moves without reloading.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from enclave.combination import STAGE4_JOBS, next_step, startable_kinds
from enclave.db.models import ACTIVE_JOB_STATES, Job, Project, Role
from enclave.errors import Conflict, InputError
from enclave.jobs import can_start_job, cancel_job, check_can_start_job, parse_kind, project_jobs, start_job
from enclave.projects import require_project_access
from enclave.web.database import current_service, db_session, end_db_session
from enclave.web.identity import acting_user, current_user, login_required, not_found
from enclave.web.messages import MESSAGES, text

__all__ = ["blueprint", "stage4_panel"]

blueprint = Blueprint("jobs", __name__, url_prefix="/projects")


def _label(prefix: str, value: str) -> str:
    key = f"{prefix}.{value}"
    return text(key) if key in MESSAGES else value


def _row(job: Job) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind.value, "kind_label": _label("jobs.kind", job.kind.value),
            "state": job.state.value, "state_label": _label("jobs.state", job.state.value),
            "stage_label": _label("jobs.stage", job.stage) if job.stage else "", "percent": job.percent,
            "error": job.error, "started_by": job.started_by, "cancel_requested": job.cancel_requested,
            "created_at": job.created_at.strftime("%Y-%m-%d %H:%M"),
            "active": job.state in ACTIVE_JOB_STATES}


def stage4_panel(project: Project) -> dict[str, Any] | None:
    """What the project page shows of stage-4 jobs to the viewer; ``None`` when nothing."""
    user = current_user()
    if user is None or user.role not in (Role.steward, Role.admin) or not can_start_job(user, project):
        return None
    session = db_session()
    svc = current_service()
    jobs = [_row(j) for j in project_jobs(session, project.id, limit=20)]
    return {"next_step": text(f"jobs.next.{next_step(svc, session, project)}"),
            "kinds": [(k.value, _label("jobs.kind", k.value)) for k in startable_kinds(svc, session, project)],
            "jobs": jobs, "active": any(j["active"] for j in jobs)}


@blueprint.app_context_processor
def _panel() -> dict[str, Any]:
    return {"stage4_panel": stage4_panel}


def _refused(error: Conflict | InputError, project_id: int) -> Response:
    # POST-redirect-GET: the refusal is flashed on the project page, and nothing was changed.
    end_db_session(commit=False)
    if error.audit is not None:
        current_service().record_event(**error.audit)
    flash(error.message, "warning")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.post("/<int:project_id>/jobs")
@login_required(Role.steward, Role.admin)
def start(project_id: int) -> Response:
    """Start the stage-4 job the steward chose."""
    user = acting_user()
    check_can_start_job(user, require_project_access(db_session(), user, project_id))
    try:
        job = start_job(current_service(), db_session(), user, project_id,
                        parse_kind(request.form.get("kind", ""), STAGE4_JOBS), STAGE4_JOBS)
    except (Conflict, InputError) as error:
        return _refused(error, project_id)
    flash(text("jobs.started", job_id=job.id), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.post("/<int:project_id>/jobs/<int:job_id>/cancel")
@login_required(Role.steward, Role.admin)
def cancel(project_id: int, job_id: int) -> Response:
    """Cancel a queued job, or ask a running one to stop."""
    job = db_session().get(Job, job_id)
    if job is None or job.project_id != project_id:
        raise not_found()
    try:
        cancel_job(current_service(), db_session(), acting_user(), job_id)
    except Conflict as error:
        return _refused(error, project_id)
    flash(text("jobs.cancel_flash", job_id=job_id), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.get("/<int:project_id>/jobs.json")
@login_required(Role.steward, Role.admin)
def jobs_status(project_id: int) -> Response:
    """The project's jobs and next step as JSON, for the page's progress poll."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    check_can_start_job(user, project)
    panel = stage4_panel(project)
    assert panel is not None
    return jsonify({"next_step": panel["next_step"], "active": panel["active"], "jobs": panel["jobs"]})
