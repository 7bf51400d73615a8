"""Agency pages: applications that request the agency's data, and its submissions."""

from __future__ import annotations

from flask import Blueprint, render_template

from enclave.combination import submissions_for
from enclave.db.models import Role
from enclave.projects import projects_for
from enclave.web.database import db_session
from enclave.web.identity import current_user, login_required

__all__ = ["blueprint"]

blueprint = Blueprint("agency", __name__, url_prefix="/agency")


@blueprint.get("/applications")
@login_required(Role.agency)
def applications() -> str:
    """Projects whose application requests this agency's data."""
    user = current_user()
    assert user is not None
    return render_template("agency/applications.html", projects=projects_for(db_session(), user))


@blueprint.get("/submissions")
@login_required(Role.agency)
def submissions() -> str:
    """The content packages this agency submitted."""
    user = current_user()
    assert user is not None
    return render_template("agency/submissions.html", submissions=submissions_for(db_session(), user))
