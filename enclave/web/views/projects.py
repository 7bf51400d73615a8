"""Project pages: apply, my projects, one project's status and its decisions.

Every project page goes through ``require_project_access``, which answers
404 for a project the viewer may not see, so guessing ids reveals nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from flask import Blueprint, flash, g, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from enclave.catalog import search_datasets
from enclave.combination import (
    decide_adequacy,
    decide_replica,
    latest_review,
    linkage_quality_path,
    project_prechecks,
    read_linkage_quality,
)
from enclave.db.models import Decision, ExportRequest, Project, ProjectState, Role, SyntheticReplica
from enclave.destruction import destroy_project
from enclave.errors import InputError, NotFound
from enclave.exports import release_for_download
from enclave.privacy import RiskReport
from enclave.projects import (
    activate_project,
    apply_for_project,
    close_project,
    decide_agency_part,
    decide_as_steward,
    is_member,
    pending_agencies,
    require_project_access,
    steward_may_decide,
)
from enclave.service import open_linkage_unit
from enclave.web.database import current_service, db_session, end_db_session
from enclave.web.identity import acting_user, login_required, not_found
from enclave.web.messages import text
from linkage.quality import QualityReport

__all__ = ["LIFECYCLE", "blueprint"]

blueprint = Blueprint("projects", __name__, url_prefix="/projects")

#: The states a project passes through, in order, for the status timeline.
LIFECYCLE = (ProjectState.applied, ProjectState.approved, ProjectState.provisioned, ProjectState.active,
             ProjectState.closing, ProjectState.destroyed)



@blueprint.get("")
@login_required(Role.researcher)
def my_projects() -> str:
    """The researcher's projects with their state."""
    from enclave.projects import projects_for

    return render_template("projects/list.html", projects=projects_for(db_session(), acting_user()))


def _parse_requests() -> dict[int, list[str]]:
    chosen: dict[int, list[str]] = {}
    for value in request.form.getlist("variable"):
        dataset_id, _, name = value.partition(":")
        if dataset_id.isdecimal() and name:
            chosen.setdefault(int(dataset_id), []).append(name)
    return chosen


@blueprint.route("/apply", methods=["GET", "POST"])
@login_required(Role.researcher)
def apply() -> str | Response | tuple[str, int]:
    """The application form; on POST, submit it (every problem listed at once)."""
    datasets = search_datasets(db_session())
    if request.method == "GET":
        return render_template("projects/apply.html", datasets=datasets, form={})
    form = request.form
    team = [line.strip() for line in form.get("team", "").splitlines() if line.strip()]
    project = apply_for_project(
        current_service(), db_session(), acting_user(), title=form.get("title", ""), purpose=form.get("purpose", ""),
        analysis_plan=form.get("analysis_plan", ""), retention_end=form.get("retention_end", ""),
        key_variables=[v.strip() for v in form.get("key_variables", "").split(",") if v.strip()],
        requests=_parse_requests(), team=team, keep_unlinked=form.get("keep_unlinked") == "on")
    flash(text("projects.applied", id=project.id), "info")
    return redirect(url_for("projects.detail", project_id=project.id))


def _timeline(project: Project) -> list[tuple[str, str, dt.datetime | None]]:
    known = {ProjectState.applied: project.created_at, ProjectState.approved: project.approved_at,
             ProjectState.destroyed: project.destroyed_at}
    if project.state is ProjectState.declined:
        declined = next((d.at for d in project.decisions if d.decision is Decision.declined), None)
        return [(ProjectState.applied.value, "done", project.created_at),
                (ProjectState.declined.value, "done", declined)]
    reached = LIFECYCLE.index(project.state)
    return [(s.value, "done" if i <= reached else "future", known.get(s) if i <= reached else None)
            for i, s in enumerate(LIFECYCLE)]


@blueprint.get("/<int:project_id>")
@login_required()
def detail(project_id: int) -> str:
    """One project: status timeline, requested data, decisions, and what the viewer may decide."""
    user = acting_user()
    session = db_session()
    project = require_project_access(session, user, project_id)
    requests = [(r, json.loads(r.variables)) for r in project.requests]
    if user.role is Role.agency:
        requests = [(r, v) for r, v in requests if r.dataset.agency_code == user.agency_code]
    exports: list[ExportRequest] = []
    if user.role is not Role.agency:
        exports = list(session.query(ExportRequest).filter(ExportRequest.project_id == project.id)
                       .order_by(ExportRequest.id.desc()))
    review = latest_review(session, project.id) if user.role in (Role.steward, Role.admin) else None
    replicas = (list(session.query(SyntheticReplica).filter(SyntheticReplica.project_id == project.id))
                if user.role in (Role.steward, Role.admin) else [])
    my_part = [r for r, _ in requests if user.role is Role.agency]
    # Stage 2 figures the agencies sealed in their content packages, read before stage 4 starts.
    prechecks = project_prechecks(session, project.id) if user.role in (Role.steward, Role.admin) else []
    return render_template(
        "projects/detail.html", project=project, requests=requests, timeline=_timeline(project),
        exports=exports, review=review, replicas=replicas, prechecks=prechecks,
        review_notes=json.loads(review.summary or "{}") if review is not None else {},
        waiting_agencies=pending_agencies(project),
        may_decide=user.role is Role.steward and steward_may_decide(user, project),
        is_member=is_member(user, project),
        is_lead=any(m.user_id == user.id and m.is_lead for m in project.members),
        agency_may_decide=bool(my_part) and project.state is ProjectState.applied
        and all(r.decision is Decision.pending for r in my_part),
        agency_decision=my_part[0].decision.value if my_part else None,
        workspace_url=f"http://{current_service().settings.host}:{current_service().settings.hub_port}/hub/",
    )


def _decision() -> Decision:
    try:
        decision = Decision(request.form.get("decision", ""))
    except ValueError:
        raise InputError(text("error.missing_field", field="decision")) from None
    if decision is Decision.pending:
        raise InputError(text("error.missing_field", field="decision"))
    return decision


@blueprint.post("/<int:project_id>/agency-decision")
@login_required(Role.agency)
def agency_decision(project_id: int) -> Response:
    """An agency approves or declines the part of the application that requests its data."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    decide_agency_part(current_service(), db_session(), project, user, _decision(),
                       request.form.get("comment", ""))
    flash(text("word.decided"), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.post("/<int:project_id>/steward-decision")
@login_required(Role.steward)
def steward_decision(project_id: int) -> Response:
    """A steward decides on the whole application (never on a project they belong to)."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    decide_as_steward(current_service(), db_session(), project, user, _decision(), request.form.get("comment", ""))
    flash(text("word.decided"), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.post("/<int:project_id>/adequacy/<int:review_id>")
@login_required(Role.steward)
def adequacy_decision(project_id: int, review_id: int) -> Response:
    """A steward approves or returns a risk review (adequacy approval)."""
    user = acting_user()
    require_project_access(db_session(), user, project_id)
    review = decide_adequacy(current_service(), db_session(), review_id, user,
                             request.form.get("decision", ""), request.form.get("comment", ""))
    if review.project_id != project_id:
        raise not_found()
    flash(text("word.decided"), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


def _report(path: Path, page: str | None = None) -> Response:
    response = Response(page, mimetype="text/html") if page is not None else send_file(path, mimetype="text/html")
    # Generated reports carry their own inline styles and charts; scripts stay forbidden.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'")
    return response


def _risk_report_in_reader_language(html_path: Path) -> str | None:
    """Render the stored report again, its headings in the reader's language.

    The report's own fields (summary and findings included) are kept as stored, so its content hash, which
    the steward's decision records, reads the same; the stored page is served when the data is missing.
    """
    json_path = html_path.with_suffix(".json")
    if not json_path.is_file():
        return None
    data = json.loads(json_path.read_text(encoding="utf-8"))
    data.pop("content_hash", None)
    data["findings"] = tuple(data.get("findings", ()))
    try:
        return RiskReport(**data).to_html()
    except TypeError:
        return None


@blueprint.get("/<int:project_id>/risk-report")
@login_required(Role.steward, Role.admin)
def risk_report(project_id: int) -> Response:
    """The newest risk report of the project (aggregate measures only)."""
    require_project_access(db_session(), acting_user(), project_id)
    review = latest_review(db_session(), project_id)
    if review is None or not Path(review.report_path).is_file():
        raise not_found()
    return _report(Path(review.report_path), _risk_report_in_reader_language(Path(review.report_path)))


@blueprint.get("/<int:project_id>/linkage-quality")
@login_required(Role.steward, Role.admin)
def linkage_quality(project_id: int) -> Response:
    """The linkage quality report the linkage unit sent (aggregate counts only)."""
    require_project_access(db_session(), acting_user(), project_id)
    path = linkage_quality_path(current_service(), project_id, "html")
    quality = read_linkage_quality(current_service(), project_id)
    if quality is None:
        raise not_found()
    # Rendered now from the unit's figures, so the headings are in the reader's language.
    fragment = QualityReport.from_dict(quality).to_html()
    return _report(path, f'<!DOCTYPE html><html lang="{g.lang}"><head><meta charset="utf-8"></head>'
                         f"<body>{fragment}</body></html>")


@blueprint.post("/<int:project_id>/replicas/<int:replica_id>")
@login_required(Role.steward)
def replica_decision(project_id: int, replica_id: int) -> Response:
    """A steward releases (when its measured risk allows) or returns a synthetic replica."""
    user = acting_user()
    require_project_access(db_session(), user, project_id)
    replica = db_session().get(SyntheticReplica, replica_id)
    if replica is None or replica.project_id != project_id:
        raise not_found()
    decide_replica(current_service(), db_session(), replica_id, user, request.form.get("decision", ""))
    flash(text("word.decided"), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.post("/<int:project_id>/activate")
@login_required(Role.steward)
def activate(project_id: int) -> Response:
    """A steward not on the team opens a provisioned project's workspace to its researchers."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    activate_project(current_service(), db_session(), project, user)
    flash(text("word.decided"), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.post("/<int:project_id>/close")
@login_required(Role.researcher, Role.steward, Role.admin)
def close(project_id: int) -> Response:
    """The lead researcher or a steward closes the project; destruction follows."""
    user = acting_user()
    project = require_project_access(db_session(), user, project_id)
    close_project(current_service(), db_session(), project, user)
    flash(text("projects.closed", id=project_id), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.post("/<int:project_id>/destroy")
@login_required(Role.steward, Role.admin)
def destroy(project_id: int) -> Response:
    """Destroy a project's data and keys and sign the certificate."""
    user = acting_user()
    require_project_access(db_session(), user, project_id)
    svc = current_service()
    # Destruction runs its own transactions (and the linkage unit its own):
    # the request's session must let go of the database first.
    end_db_session(commit=True)
    try:
        linkage_unit = None if svc.settings.has_separate_linkage_unit else open_linkage_unit(svc.settings, svc)
        certificate = destroy_project(svc, linkage_unit, project_id, user)
    except NotFound:
        raise not_found() from None
    flash(text("queue.destroyed", id=project_id, certificate=certificate.id), "info")
    return redirect(url_for("projects.detail", project_id=project_id))


@blueprint.get("/<int:project_id>/releases/<int:request_id>.zip")
@login_required(Role.researcher, Role.steward, Role.admin)
def download_release(project_id: int, request_id: int) -> Response:
    """Download the signed release package of an approved export request."""
    release = release_for_download(current_service(), db_session(), acting_user(), project_id, request_id, "web")
    return send_file(release.path, mimetype="application/zip", as_attachment=True,
                     download_name=f"project-{project_id}-request-{request_id}.zip")
