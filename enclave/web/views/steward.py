"""The steward's one queue of everything that waits for a decision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from enclave.db.models import Project, ProjectState, ReviewState, RiskReview, Role, SyntheticReplica
from enclave.exports import review_queue
from enclave.projects import pending_agencies, projects_due_for_destruction, steward_may_decide
from enclave.web.database import current_service, db_session
from enclave.web.identity import current_user, login_required

__all__ = ["blueprint"]

blueprint = Blueprint("steward", __name__, url_prefix="/steward")


def _linkage_quality(project: Project) -> dict[str, Any] | None:
    path: Path = current_service().settings.reports_dir / f"project-{project.id}" / "linkage-quality.json"
    if not path.is_file():
        return None
    quality: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return quality


@blueprint.get("/queue")
@login_required(Role.steward)
def queue() -> str:
    """Applications, adequacy reviews, linkage quality, export outputs, replicas and destructions."""
    user = current_user()
    assert user is not None
    session = db_session()
    applied = list(session.scalars(select(Project).where(Project.state == ProjectState.applied)
                                   .order_by(Project.id)))
    applications = [{"project": p, "waiting": pending_agencies(p), "may_decide": steward_may_decide(user, p)}
                    for p in applied]
    reviews = [{"review": r, "project": session.get(Project, r.project_id),
                "may_decide": steward_may_decide(user, session.get(Project, r.project_id))  # type: ignore[arg-type]
                and r.ran_by != user.username}
               for r in session.scalars(select(RiskReview).where(RiskReview.state == ReviewState.pending)
                                        .order_by(RiskReview.id))]
    waiting_data = list(session.scalars(select(Project).where(Project.state == ProjectState.approved)
                                        .order_by(Project.id)))
    linkage = [{"project": p, "quality": q} for p in waiting_data if (q := _linkage_quality(p)) is not None]
    outputs = review_queue(session, user)
    replicas = [{"replica": r, "project": session.get(Project, r.project_id),
                 "may_decide": steward_may_decide(user, session.get(Project, r.project_id))  # type: ignore[arg-type]
                 and r.ran_by != user.username}
                for r in session.scalars(select(SyntheticReplica).where(SyntheticReplica.state == ReviewState.pending)
                                         .order_by(SyntheticReplica.id))]
    due = [{"project": p, "may_decide": steward_may_decide(user, p)} for p in projects_due_for_destruction(session)]
    return render_template("steward/queue.html", applications=applications, reviews=reviews, linkage=linkage,
                           outputs=outputs, replicas=replicas, due=due)
